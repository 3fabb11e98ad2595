//! Which built-in resources are cluster-scoped.
//!
//! RBAC itself does not know: a cluster-scoped request simply has namespace `""`, so only
//! ClusterRoleBindings can allow it, and a rule on `nodes` reached through a RoleBinding
//! grants nothing. Findings use this table to tell such ineffective grants apart. Unknown
//! resources (custom resources, aggregated APIs) are `None`: the caller must not guess.

/// Cluster-scoped resources of the built-in API groups, as `(group, resource)`.
/// Subresources share the scope of their resource.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "componentstatuses"),
    ("", "namespaces"),
    ("", "nodes"),
    ("", "persistentvolumes"),
    // Not real resources, but the objects of `impersonate` checks, which are cluster-wide.
    ("", "users"),
    ("", "groups"),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
    ),
    ("admissionregistration.k8s.io", "mutatingadmissionpolicies"),
    (
        "admissionregistration.k8s.io",
        "mutatingadmissionpolicybindings",
    ),
    ("apiextensions.k8s.io", "customresourcedefinitions"),
    ("apiregistration.k8s.io", "apiservices"),
    ("authentication.k8s.io", "tokenreviews"),
    ("authentication.k8s.io", "selfsubjectreviews"),
    ("authentication.k8s.io", "userextras"),
    ("authentication.k8s.io", "uids"),
    ("authorization.k8s.io", "subjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectaccessreviews"),
    ("authorization.k8s.io", "selfsubjectrulesreviews"),
    ("certificates.k8s.io", "certificatesigningrequests"),
    ("certificates.k8s.io", "clustertrustbundles"),
    ("certificates.k8s.io", "signers"),
    ("flowcontrol.apiserver.k8s.io", "flowschemas"),
    (
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations",
    ),
    ("internal.apiserver.k8s.io", "storageversions"),
    ("metrics.k8s.io", "nodes"),
    ("networking.k8s.io", "ingressclasses"),
    ("networking.k8s.io", "ipaddresses"),
    ("networking.k8s.io", "servicecidrs"),
    ("node.k8s.io", "runtimeclasses"),
    ("policy", "podsecuritypolicies"),
    ("rbac.authorization.k8s.io", "clusterroles"),
    ("rbac.authorization.k8s.io", "clusterrolebindings"),
    ("resource.k8s.io", "deviceclasses"),
    ("resource.k8s.io", "resourceslices"),
    ("resource.k8s.io", "devicetaintrules"),
    ("scheduling.k8s.io", "priorityclasses"),
    ("storage.k8s.io", "csidrivers"),
    ("storage.k8s.io", "csinodes"),
    ("storage.k8s.io", "storageclasses"),
    ("storage.k8s.io", "volumeattachments"),
    ("storage.k8s.io", "volumeattributesclasses"),
    ("storagemigration.k8s.io", "storageversionmigrations"),
];

/// Namespaced resources of the built-in API groups, as `(group, resource)`.
const NAMESPACED: &[(&str, &str)] = &[
    ("", "bindings"),
    ("", "configmaps"),
    ("", "endpoints"),
    ("", "events"),
    ("", "limitranges"),
    ("", "persistentvolumeclaims"),
    ("", "pods"),
    ("", "podtemplates"),
    ("", "replicationcontrollers"),
    ("", "resourcequotas"),
    ("", "secrets"),
    ("", "serviceaccounts"),
    ("", "services"),
    ("apps", "controllerrevisions"),
    ("apps", "daemonsets"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("authorization.k8s.io", "localsubjectaccessreviews"),
    ("autoscaling", "horizontalpodautoscalers"),
    ("batch", "cronjobs"),
    ("batch", "jobs"),
    ("coordination.k8s.io", "leases"),
    ("coordination.k8s.io", "leasecandidates"),
    ("discovery.k8s.io", "endpointslices"),
    ("events.k8s.io", "events"),
    ("extensions", "daemonsets"),
    ("extensions", "deployments"),
    ("extensions", "ingresses"),
    ("extensions", "networkpolicies"),
    ("extensions", "replicasets"),
    ("metrics.k8s.io", "pods"),
    ("networking.k8s.io", "ingresses"),
    ("networking.k8s.io", "networkpolicies"),
    ("policy", "poddisruptionbudgets"),
    ("rbac.authorization.k8s.io", "rolebindings"),
    ("rbac.authorization.k8s.io", "roles"),
    ("resource.k8s.io", "resourceclaims"),
    ("resource.k8s.io", "resourceclaimtemplates"),
    ("storage.k8s.io", "csistoragecapacities"),
];

/// `Some(true)` for a built-in cluster-scoped resource, `Some(false)` for a built-in
/// namespaced one, `None` when unknown (custom resources, `*`, aggregated APIs).
///
/// `resource` may carry a subresource (`nodes/proxy`): the parent decides.
pub fn is_cluster_scoped(group: &str, resource: &str) -> Option<bool> {
    let resource = resource.split_once('/').map_or(resource, |(r, _)| r);
    if CLUSTER_SCOPED
        .iter()
        .any(|&(g, r)| g == group && r == resource)
    {
        Some(true)
    } else if NAMESPACED.iter().any(|&(g, r)| g == group && r == resource) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown() {
        assert_eq!(is_cluster_scoped("", "nodes"), Some(true));
        assert_eq!(is_cluster_scoped("", "nodes/proxy"), Some(true));
        assert_eq!(is_cluster_scoped("", "pods"), Some(false));
        assert_eq!(is_cluster_scoped("", "pods/exec"), Some(false));
        assert_eq!(
            is_cluster_scoped("rbac.authorization.k8s.io", "clusterroles"),
            Some(true)
        );
        assert_eq!(
            is_cluster_scoped("rbac.authorization.k8s.io", "roles"),
            Some(false)
        );
        assert_eq!(is_cluster_scoped("apps", "nodes"), None);
        assert_eq!(is_cluster_scoped("example.com", "widgets"), None);
        assert_eq!(is_cluster_scoped("*", "nodes"), None);
    }

    #[test]
    fn tables_are_disjoint() {
        for entry in CLUSTER_SCOPED {
            assert!(!NAMESPACED.contains(entry), "{entry:?} in both tables");
        }
    }
}
