//! Who a binding subject is: matching [`Subject`]s against an authenticated identity
//! ([`UserInfo`]), as `appliesToUser` in the upstream rule resolver does.
//!
//! Only the username and the group list are compared, exactly and case-sensitively. A
//! subject's `apiGroup` is ignored (as upstream), and there is no wildcard: a `User` named
//! `*` is a user named `*`.

use crate::inventory::{Subject, SubjectKind};

/// Prefix of every ServiceAccount username: `system:serviceaccount:<ns>:<name>`.
pub const SERVICE_ACCOUNT_USER_PREFIX: &str = "system:serviceaccount:";
/// Group of every ServiceAccount.
pub const ALL_SERVICE_ACCOUNTS_GROUP: &str = "system:serviceaccounts";
/// Prefix of the per-namespace ServiceAccount group `system:serviceaccounts:<ns>`.
pub const NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX: &str = "system:serviceaccounts:";
/// Group of every authenticated identity.
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";
/// Group of anonymous requests.
pub const UNAUTHENTICATED_GROUP: &str = "system:unauthenticated";
/// Username of anonymous requests.
pub const ANONYMOUS_USER: &str = "system:anonymous";
/// The superuser group: kube-apiserver allows it everything before RBAC is asked.
pub const MASTERS_GROUP: &str = "system:masters";

/// An authenticated identity: a username and its complete group list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// A user with exactly these groups (nothing implicit is added).
    pub fn new(
        name: impl Into<String>,
        groups: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        UserInfo {
            name: name.into(),
            groups: groups.into_iter().map(Into::into).collect(),
        }
    }

    /// A ServiceAccount's identity as its token authenticates it: username
    /// `system:serviceaccount:<ns>:<name>`, groups `system:serviceaccounts`,
    /// `system:serviceaccounts:<ns>` and `system:authenticated`.
    pub fn service_account(namespace: &str, name: &str) -> Self {
        UserInfo {
            name: service_account_username(namespace, name),
            groups: vec![
                ALL_SERVICE_ACCOUNTS_GROUP.to_string(),
                format!("{NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX}{namespace}"),
                AUTHENTICATED_GROUP.to_string(),
            ],
        }
    }

    /// An authenticated (non-anonymous) user: the given groups plus `system:authenticated`,
    /// unless the list already holds `system:authenticated` or `system:unauthenticated`
    /// (the rule of the apiserver's authenticated-group adder).
    pub fn authenticated(
        name: impl Into<String>,
        groups: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let mut user = UserInfo::new(name, groups);
        if !user
            .groups
            .iter()
            .any(|g| g == AUTHENTICATED_GROUP || g == UNAUTHENTICATED_GROUP)
        {
            user.groups.push(AUTHENTICATED_GROUP.to_string());
        }
        user
    }

    /// An anonymous request: user `system:anonymous` in group `system:unauthenticated`.
    pub fn anonymous() -> Self {
        UserInfo::new(ANONYMOUS_USER, [UNAUTHENTICATED_GROUP])
    }

    /// For a ServiceAccount username, its `(namespace, name)`.
    pub fn as_service_account(&self) -> Option<(&str, &str)> {
        parse_service_account_username(&self.name)
    }

    /// Member of `system:masters`: kube-apiserver allows it everything before RBAC is asked.
    pub fn is_superuser(&self) -> bool {
        self.in_group(MASTERS_GROUP)
    }

    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// `system:serviceaccount:<ns>:<name>`.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("{SERVICE_ACCOUNT_USER_PREFIX}{namespace}:{name}")
}

/// Splits `system:serviceaccount:<ns>:<name>` (both parts non-empty, the namespace without
/// `:`), as the apiserver's `SplitUsername` does.
pub fn parse_service_account_username(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix(SERVICE_ACCOUNT_USER_PREFIX)?;
    let (ns, name) = rest.split_once(':')?;
    if ns.is_empty() || name.is_empty() || name.contains(':') {
        return None;
    }
    Some((ns, name))
}

/// The namespace a ServiceAccount subject refers to: its own when set and non-empty, else
/// the binding's (`""` for a ClusterRoleBinding, where such a subject matches nobody).
pub fn effective_service_account_namespace<'a>(
    subject: &'a Subject,
    binding_namespace: &'a str,
) -> Option<&'a str> {
    match subject.namespace.as_deref() {
        Some(ns) if !ns.is_empty() => Some(ns),
        _ if !binding_namespace.is_empty() => Some(binding_namespace),
        _ => None,
    }
}

/// The username a `User` or `ServiceAccount` subject matches, or `None` for groups and for
/// ServiceAccount subjects without an effective namespace.
pub fn subject_username(subject: &Subject, binding_namespace: &str) -> Option<String> {
    match subject.kind {
        SubjectKind::User => Some(subject.name.clone()),
        SubjectKind::ServiceAccount => {
            effective_service_account_namespace(subject, binding_namespace)
                .map(|ns| service_account_username(ns, &subject.name))
        }
        SubjectKind::Group => None,
    }
}

/// Does `subject` of a binding in `binding_namespace` (`""` for a ClusterRoleBinding) apply
/// to `user`?
///
/// - `User`: the username equals the subject name.
/// - `Group`: the subject name is one of the user's groups.
/// - `ServiceAccount`: the username is exactly `system:serviceaccount:<ns>:<name>`, where
///   `<ns>` is the subject's namespace or else the binding's.
pub fn applies_to(subject: &Subject, binding_namespace: &str, user: &UserInfo) -> bool {
    match subject.kind {
        SubjectKind::User => user.name == subject.name,
        SubjectKind::Group => user.in_group(&subject.name),
        SubjectKind::ServiceAccount => {
            match effective_service_account_namespace(subject, binding_namespace) {
                Some(ns) => is_service_account_username(&user.name, ns, &subject.name),
                None => false,
            }
        }
    }
}

fn is_service_account_username(username: &str, ns: &str, name: &str) -> bool {
    username
        .strip_prefix(SERVICE_ACCOUNT_USER_PREFIX)
        .and_then(|rest| rest.strip_prefix(ns))
        .and_then(|rest| rest.strip_prefix(':'))
        .is_some_and(|rest| rest == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(ns: Option<&str>, name: &str) -> Subject {
        Subject {
            kind: SubjectKind::ServiceAccount,
            name: name.into(),
            namespace: ns.map(Into::into),
        }
    }
    fn user(name: &str) -> Subject {
        Subject {
            kind: SubjectKind::User,
            name: name.into(),
            namespace: None,
        }
    }
    fn group(name: &str) -> Subject {
        Subject {
            kind: SubjectKind::Group,
            name: name.into(),
            namespace: None,
        }
    }

    #[test]
    fn service_account_identity() {
        let u = UserInfo::service_account("ci", "bot");
        assert_eq!(u.name, "system:serviceaccount:ci:bot");
        assert_eq!(
            u.groups,
            [
                "system:serviceaccounts",
                "system:serviceaccounts:ci",
                "system:authenticated"
            ]
        );
        assert_eq!(u.as_service_account(), Some(("ci", "bot")));
        assert!(applies_to(&sa(Some("ci"), "bot"), "", &u));
        assert!(applies_to(&group("system:serviceaccounts"), "", &u));
        assert!(applies_to(&group("system:serviceaccounts:ci"), "", &u));
        assert!(!applies_to(&group("system:serviceaccounts:c"), "", &u));
        assert!(applies_to(&group("system:authenticated"), "", &u));
        assert!(!applies_to(&group("system:unauthenticated"), "", &u));
        // A User subject with the SA username matches the SA too.
        assert!(applies_to(&user("system:serviceaccount:ci:bot"), "", &u));
    }

    #[test]
    fn service_account_near_misses() {
        let u = UserInfo::service_account("ns", "ab");
        assert!(!applies_to(&sa(Some("ns"), "a"), "", &u));
        assert!(!applies_to(&sa(Some("n"), "ab"), "", &u));
        assert!(!applies_to(&sa(Some("ns-x"), "ab"), "", &u));
        let plain = UserInfo::authenticated("ab", Vec::<String>::new());
        assert!(!applies_to(&sa(Some("ns"), "ab"), "", &plain));
    }

    #[test]
    fn service_account_without_namespace() {
        let u = UserInfo::service_account("team", "bot");
        // In a RoleBinding it takes the binding's namespace.
        assert!(applies_to(&sa(None, "bot"), "team", &u));
        assert!(applies_to(&sa(Some(""), "bot"), "team", &u));
        assert!(!applies_to(&sa(None, "bot"), "other", &u));
        // In a ClusterRoleBinding it matches nothing.
        assert!(!applies_to(&sa(None, "bot"), "", &u));
        assert_eq!(subject_username(&sa(None, "bot"), ""), None);
        assert_eq!(
            subject_username(&sa(None, "bot"), "team").as_deref(),
            Some("system:serviceaccount:team:bot")
        );
    }

    #[test]
    fn users_and_groups_are_exact() {
        let alice = UserInfo::authenticated("alice", ["dev"]);
        assert_eq!(alice.groups, ["dev", "system:authenticated"]);
        assert!(applies_to(&user("alice"), "", &alice));
        assert!(!applies_to(&user("Alice"), "", &alice));
        assert!(!applies_to(&user("*"), "", &alice));
        assert!(applies_to(&group("dev"), "", &alice));
        assert!(!applies_to(&group("de"), "", &alice));
        let anon = UserInfo::anonymous();
        assert!(applies_to(&group("system:unauthenticated"), "", &anon));
        assert!(!applies_to(&group("system:authenticated"), "", &anon));
        let explicit = UserInfo::authenticated("x", ["system:unauthenticated"]);
        assert_eq!(explicit.groups, ["system:unauthenticated"]);
    }

    #[test]
    fn parse_usernames() {
        assert_eq!(
            parse_service_account_username("system:serviceaccount:a:b"),
            Some(("a", "b"))
        );
        assert_eq!(
            parse_service_account_username("system:serviceaccount:a"),
            None
        );
        assert_eq!(
            parse_service_account_username("system:serviceaccount::b"),
            None
        );
        assert_eq!(
            parse_service_account_username("system:serviceaccounts:a:b"),
            None
        );
    }
}
