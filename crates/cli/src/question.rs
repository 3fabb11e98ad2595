//! `VERB TYPE[/NAME]` / `VERB /PATH` into an authorizer request, with kubectl's syntax.

use anyhow::{Result, bail};
use rbac_lens_core::rbac::{Request, is_cluster_scoped};

use crate::args::Question;

/// Well-known resources: (name, short names, group). Bare names resolve through this table
/// like kubectl's discovery would; unknown bare names are core-group resources.
const KNOWN: &[(&str, &[&str], &str)] = &[
    ("pods", &["po", "pod"], ""),
    ("services", &["svc", "service"], ""),
    ("secrets", &["secret"], ""),
    ("configmaps", &["cm", "configmap"], ""),
    ("serviceaccounts", &["sa", "serviceaccount"], ""),
    ("nodes", &["no", "node"], ""),
    ("namespaces", &["ns", "namespace"], ""),
    ("persistentvolumes", &["pv"], ""),
    ("persistentvolumeclaims", &["pvc"], ""),
    ("endpoints", &["ep"], ""),
    ("events", &["ev", "event"], ""),
    ("limitranges", &["limits"], ""),
    ("resourcequotas", &["quota"], ""),
    ("replicationcontrollers", &["rc"], ""),
    ("componentstatuses", &["cs"], ""),
    ("users", &["user"], ""),
    ("groups", &["group"], ""),
    ("deployments", &["deploy", "deployment"], "apps"),
    ("daemonsets", &["ds", "daemonset"], "apps"),
    ("statefulsets", &["sts", "statefulset"], "apps"),
    ("replicasets", &["rs", "replicaset"], "apps"),
    ("controllerrevisions", &[], "apps"),
    ("jobs", &["job"], "batch"),
    ("cronjobs", &["cj", "cronjob"], "batch"),
    ("roles", &["role"], "rbac.authorization.k8s.io"),
    (
        "rolebindings",
        &["rolebinding"],
        "rbac.authorization.k8s.io",
    ),
    (
        "clusterroles",
        &["clusterrole"],
        "rbac.authorization.k8s.io",
    ),
    (
        "clusterrolebindings",
        &["clusterrolebinding"],
        "rbac.authorization.k8s.io",
    ),
    ("ingresses", &["ing", "ingress"], "networking.k8s.io"),
    (
        "networkpolicies",
        &["netpol", "networkpolicy"],
        "networking.k8s.io",
    ),
    ("ingressclasses", &["ingressclass"], "networking.k8s.io"),
    ("poddisruptionbudgets", &["pdb"], "policy"),
    (
        "certificatesigningrequests",
        &["csr"],
        "certificates.k8s.io",
    ),
    (
        "mutatingwebhookconfigurations",
        &[],
        "admissionregistration.k8s.io",
    ),
    (
        "validatingwebhookconfigurations",
        &[],
        "admissionregistration.k8s.io",
    ),
    (
        "customresourcedefinitions",
        &["crd", "crds"],
        "apiextensions.k8s.io",
    ),
    ("apiservices", &[], "apiregistration.k8s.io"),
    ("storageclasses", &["sc", "storageclass"], "storage.k8s.io"),
    ("csidrivers", &[], "storage.k8s.io"),
    ("csinodes", &[], "storage.k8s.io"),
    ("volumeattachments", &[], "storage.k8s.io"),
    ("leases", &["lease"], "coordination.k8s.io"),
    ("horizontalpodautoscalers", &["hpa"], "autoscaling"),
    ("tokenreviews", &[], "authentication.k8s.io"),
    ("subjectaccessreviews", &[], "authorization.k8s.io"),
    ("selfsubjectaccessreviews", &[], "authorization.k8s.io"),
    ("localsubjectaccessreviews", &[], "authorization.k8s.io"),
    ("priorityclasses", &["pc"], "scheduling.k8s.io"),
    ("runtimeclasses", &[], "node.k8s.io"),
];

/// `deployments.apps` → (deployments, apps); `deploy` → (deployments, apps); `widgets` → (widgets, "").
pub fn resolve_type(t: &str) -> (String, String) {
    if t == "*" {
        return ("*".into(), "*".into());
    }
    if let Some((res, rest)) = t.split_once('.') {
        // `deployments.v1.apps`: drop the version segment.
        let group = match rest.split_once('.') {
            Some((v, g))
                if v.starts_with('v') && v[1..].starts_with(|c: char| c.is_ascii_digit()) =>
            {
                g
            }
            _ if rest.starts_with('v')
                && rest[1..].chars().all(|c| c.is_ascii_alphanumeric())
                && !rest.contains('.')
                && rest.len() <= 8
                && rest[1..].starts_with(|c: char| c.is_ascii_digit()) =>
            {
                ""
            }
            _ => rest,
        };
        let res = KNOWN
            .iter()
            .find(|(name, short, _)| *name == res || short.contains(&res))
            .map(|(name, _, _)| name.to_string())
            .unwrap_or_else(|| res.to_string());
        return (res, group.to_string());
    }
    let lower = t.to_ascii_lowercase();
    match KNOWN
        .iter()
        .find(|(name, short, _)| *name == lower || short.contains(&lower.as_str()))
    {
        Some((name, _, group)) => (name.to_string(), group.to_string()),
        None => (lower, String::new()),
    }
}

pub fn request(q: &Question) -> Result<Request> {
    if q.target.starts_with('/') {
        if q.subresource.is_some() {
            bail!("--subresource does not apply to a URL path ({})", q.target);
        }
        return Ok(Request::non_resource(
            q.verb.to_ascii_lowercase(),
            q.target.clone(),
        ));
    }
    let (ty, name) = match q.target.split_once('/') {
        Some((t, n)) if !n.is_empty() && !n.contains('/') => (t, n),
        Some(_) => bail!("expected TYPE or TYPE/NAME, found `{}`", q.target),
        None => (q.target.as_str(), ""),
    };
    if ty.is_empty() {
        bail!("the resource type is empty in `{}`", q.target);
    }
    let (resource, group) = resolve_type(ty);
    let cluster_scoped = is_cluster_scoped(&group, &resource) == Some(true);
    // A request for one namespace object is authorized inside that namespace.
    let namespace = if resource == "namespaces" && !name.is_empty() {
        name.to_string()
    } else if cluster_scoped || q.all_namespaces {
        String::new()
    } else {
        q.namespace.clone().unwrap_or_else(|| "default".into())
    };
    let mut req = Request::resource(q.verb.clone(), group, resource)
        .name(name)
        .namespace(namespace);
    if let Some(s) = &q.subresource {
        req = req.subresource(s.clone());
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types() {
        assert_eq!(resolve_type("pods"), ("pods".into(), "".into()));
        assert_eq!(
            resolve_type("deployments.apps"),
            ("deployments".into(), "apps".into())
        );
        assert_eq!(
            resolve_type("deployments.v1.apps"),
            ("deployments".into(), "apps".into())
        );
        assert_eq!(
            resolve_type("deploy"),
            ("deployments".into(), "apps".into())
        );
        assert_eq!(
            resolve_type("widgets.example.com"),
            ("widgets".into(), "example.com".into())
        );
        assert_eq!(resolve_type("widgets"), ("widgets".into(), "".into()));
    }
}
