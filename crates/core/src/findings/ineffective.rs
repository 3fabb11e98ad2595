//! Grants that Kubernetes never honours. They fire no risk rule; they are reported so the
//! author can fix them (and so a wrong-group grant is not mistaken for a safe one).

/// Resources that users often grant in the wrong API group, with the group that serves them.
const KNOWN_GROUPS: &[(&str, &str)] = &[
    ("serviceaccounts/token", ""),
    ("pods/eviction", ""),
    ("pods/exec", ""),
    ("pods/attach", ""),
    ("pods/portforward", ""),
    ("pods/log", ""),
    ("pods/ephemeralcontainers", ""),
    ("secrets", ""),
    ("configmaps", ""),
    ("serviceaccounts", ""),
    ("nodes/proxy", ""),
    ("userextras", "authentication.k8s.io"),
    ("uids", "authentication.k8s.io"),
    ("tokenreviews", "authentication.k8s.io"),
    ("subjectaccessreviews", "authorization.k8s.io"),
    ("localsubjectaccessreviews", "authorization.k8s.io"),
    ("selfsubjectaccessreviews", "authorization.k8s.io"),
    ("certificatesigningrequests", "certificates.k8s.io"),
    ("certificatesigningrequests/approval", "certificates.k8s.io"),
    ("clusterroles", "rbac.authorization.k8s.io"),
    ("clusterrolebindings", "rbac.authorization.k8s.io"),
    ("roles", "rbac.authorization.k8s.io"),
    ("rolebindings", "rbac.authorization.k8s.io"),
    (
        "mutatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    (
        "validatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
];

fn is_builtin_group(group: &str) -> bool {
    matches!(
        group,
        "" | "apps" | "batch" | "policy" | "extensions" | "autoscaling"
    ) || group.ends_with(".k8s.io")
}

/// When `resource` is a well-known built-in resource that `group` does not serve, the
/// group that does.
pub fn wrong_group(group: &str, resource: &str) -> Option<&'static str> {
    if group == "*" || !is_builtin_group(group) {
        return None;
    }
    let (_, right) = KNOWN_GROUPS.iter().find(|(r, _)| *r == resource)?;
    (*right != group).then_some(*right)
}

/// Verbs that a resourceNames restriction makes useless: a create of a new object and a
/// deletecollection carry no object name, so the authorizer never matches them by name.
/// Subresource creates (`pods/exec`, `serviceaccounts/token`) do carry the parent's name.
pub fn useless_with_names(resource: &str, verb: &str) -> bool {
    !resource.contains('/') && (verb == "create" || verb == "deletecollection")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_requests_in_authentication_group_are_wrong() {
        assert_eq!(
            wrong_group("authentication.k8s.io", "serviceaccounts/token"),
            Some("")
        );
        assert_eq!(wrong_group("", "serviceaccounts/token"), None);
        assert_eq!(wrong_group("policy", "pods/eviction"), Some(""));
        assert_eq!(wrong_group("example.com", "secrets"), None);
        assert_eq!(wrong_group("*", "secrets"), None);
    }
}
