//! Bindings, scope and decisions: the RBAC authorizer over a whole inventory.
//!
//! [`Authorizer::new`] does all the work once: it picks the roles (the input's, then the
//! built-in ones for names the input lacks), computes aggregated ClusterRoles, resolves every
//! binding to its role (exactly as `GetRoleReferenceRules`: `roleRef.kind` decides, a Role is
//! looked up in the binding's namespace, a missing role is recorded, never dropped), and
//! turns each `(binding, subject)` pair into a [`Grant`]. Grants are indexed by username and
//! by group, so [`Authorizer::authorize`] only looks at the grants of the asking identity.
//!
//! Scope, as `VisitRulesFor`: a ClusterRoleBinding applies to every request; a RoleBinding
//! applies only to requests whose namespace is its own. A request with namespace `""`
//! (cluster-scoped resources, all-namespaces lists, non-resource URLs) therefore sees
//! ClusterRoleBindings only, and a RoleBinding to a ClusterRole grants that role's rules
//! inside the binding's namespace only.

use std::collections::HashMap;
use std::sync::Arc;

use crate::inventory::{
    Binding, BindingKind, Inventory, LabelSelector, Origin, PolicyRule, Role, RoleKind, RoleRef,
    Subject, SubjectKind,
};

use super::aggregation::aggregate;
use super::matching::rule_allows;
use super::subjects::{applies_to, subject_username};
use super::{Request, UserInfo, bootstrap};

/// How the authorizer completes the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthorizerOptions {
    /// Default `true`: a roleRef that names no role of the input resolves to the role of the
    /// embedded default policy with that name (`cluster-admin`, `view`, `system:*`, ...).
    /// The input wins on a name clash. Built-in aggregating roles (`admin`, `edit`, `view`)
    /// also aggregate the input's ClusterRoles labelled `aggregate-to-admin|edit|view`.
    pub builtin_roles: bool,
    /// Default `false`: add the cluster's default bindings (`system:masters` →
    /// `cluster-admin`, the controllers' bindings, ...) as if they were in the input. The
    /// input wins on a clash of kind, namespace and name.
    pub builtin_bindings: bool,
}

impl Default for AuthorizerOptions {
    fn default() -> Self {
        AuthorizerOptions {
            builtin_roles: true,
            builtin_bindings: false,
        }
    }
}

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Through a ClusterRoleBinding: every namespace, cluster-scoped resources and
    /// non-resource URLs.
    Cluster,
    /// Through a RoleBinding: namespaced requests in this namespace only (cluster-scoped
    /// resources and non-resource URLs in the role grant nothing).
    Namespace(String),
}

impl Scope {
    /// Does a grant with this scope apply to a request in `namespace` (`""` = cluster-scoped)?
    pub fn covers(&self, namespace: &str) -> bool {
        match self {
            Scope::Cluster => true,
            Scope::Namespace(ns) => !namespace.is_empty() && ns == namespace,
        }
    }

    pub fn namespace(&self) -> Option<&str> {
        match self {
            Scope::Cluster => None,
            Scope::Namespace(ns) => Some(ns),
        }
    }
}

/// One subject of one binding, with the role it resolved to and that role's effective rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub binding_kind: BindingKind,
    pub binding_name: String,
    /// `Some` for a RoleBinding.
    pub binding_namespace: Option<String>,
    pub binding_origin: Origin,
    /// As extracted: a ServiceAccount subject of a RoleBinding has its namespace filled in;
    /// one of a ClusterRoleBinding may have `None`, and then matches nobody.
    pub subject: Subject,
    pub role_kind: RoleKind,
    pub role_name: String,
    /// `Some` for a Role.
    pub role_namespace: Option<String>,
    /// True if the role came from the embedded default policy.
    pub role_builtin: bool,
    pub role_origin: Origin,
    pub scope: Scope,
    /// The role's effective rules (computed by aggregation for an aggregating ClusterRole),
    /// shared by every grant of the role. Through a RoleBinding, rules on cluster-scoped
    /// resources and non-resource URLs are kept here but grant nothing (see [`Scope`]).
    pub rules: Arc<[PolicyRule]>,
}

impl Grant {
    /// Does this grant allow `req` (scope and rules; the subject is not checked)?
    pub fn allows(&self, req: &Request) -> bool {
        self.scope.covers(req.scope_namespace()) && self.rules.iter().any(|r| rule_allows(r, req))
    }

    /// Does this grant's subject apply to `user`?
    pub fn applies_to(&self, user: &UserInfo) -> bool {
        applies_to(
            &self.subject,
            self.binding_namespace.as_deref().unwrap_or(""),
            user,
        )
    }

    /// The username the subject matches (`User`, or a ServiceAccount's
    /// `system:serviceaccount:<ns>:<name>`), `None` for groups and for a ServiceAccount
    /// without namespace in a ClusterRoleBinding.
    pub fn subject_username(&self) -> Option<String> {
        subject_username(
            &self.subject,
            self.binding_namespace.as_deref().unwrap_or(""),
        )
    }
}

/// A binding whose role is neither in the input nor built in. It grants nothing today, but
/// becomes live as soon as a role with that name is created (a latent grant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnresolvedRef {
    pub binding_kind: BindingKind,
    pub binding_name: String,
    pub binding_namespace: Option<String>,
    pub binding_origin: Origin,
    pub role_ref: RoleRef,
    /// Where a Role was looked up (the binding's namespace); `None` for a ClusterRole.
    pub role_namespace: Option<String>,
    pub subjects: Vec<Subject>,
    /// Why, in words: e.g. `ClusterRole "foo" not found in the input or the built-in roles`.
    pub reason: String,
}

/// A role the authorizer knows, with its effective rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedRole {
    pub kind: RoleKind,
    pub namespace: Option<String>,
    pub name: String,
    pub builtin: bool,
    pub origin: Origin,
    /// For an aggregating ClusterRole, the selectors; its `rules` are computed from them.
    pub aggregation: Option<Vec<LabelSelector>>,
    /// Effective rules: the stored ones, or for an aggregating ClusterRole the aggregate.
    pub rules: Arc<[PolicyRule]>,
    /// An aggregating ClusterRole whose stored `rules` are non-empty and differ from the
    /// computed ones (e.g. a live dump taken before the controller synced, or hand-written
    /// rules that the controller will discard).
    pub stored_rules_differ: bool,
}

/// The outcome of [`Authorizer::authorize`]: RBAC's decision alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Indices into [`Authorizer::grants`] of every grant that allows the request, ascending.
    pub because: Vec<usize>,
}

type RoleKey = (RoleKind, String, String);

fn role_key(kind: RoleKind, namespace: Option<&str>, name: &str) -> RoleKey {
    let ns = match kind {
        RoleKind::ClusterRole => String::new(),
        RoleKind::Role => namespace.unwrap_or_default().to_string(),
    };
    (kind, ns, name.to_string())
}

/// The RBAC authorizer over one inventory. Build it once, ask it many times.
#[derive(Clone, Debug, Default)]
pub struct Authorizer {
    roles: Vec<ResolvedRole>,
    role_index: HashMap<RoleKey, usize>,
    grants: Vec<Grant>,
    /// For each grant, the index of its role in `roles`.
    grant_role: Vec<u32>,
    unresolved: Vec<UnresolvedRef>,
    by_user: HashMap<String, Vec<u32>>,
    by_group: HashMap<String, Vec<u32>>,
    /// Grants through ClusterRoleBindings, ascending.
    cluster_grants: Vec<u32>,
    /// Grants through RoleBindings, by namespace, ascending.
    namespace_grants: HashMap<String, Vec<u32>>,
    cycles: Vec<Vec<String>>,
}

impl Authorizer {
    /// Resolves every binding of `inv` (and of the default policy, as `opts` asks).
    ///
    /// Roles with the same kind, namespace and name: the last one in the input wins (as a
    /// later `kubectl apply` would). Bindings are all kept, in input order, followed by the
    /// built-in ones.
    pub fn new(inv: &Inventory, opts: &AuthorizerOptions) -> Authorizer {
        // 1. The roles: input (last wins), then built-in roles the input does not define.
        let mut role_index: HashMap<RoleKey, usize> = HashMap::with_capacity(inv.roles.len());
        let mut sources: Vec<(&Role, bool)> = Vec::with_capacity(inv.roles.len());
        for role in &inv.roles {
            let key = role_key(role.kind, role.namespace.as_deref(), &role.name);
            match role_index.get(&key) {
                Some(&i) => sources[i] = (role, false),
                None => {
                    role_index.insert(key, sources.len());
                    sources.push((role, false));
                }
            }
        }
        if opts.builtin_roles {
            for role in bootstrap::roles() {
                let key = role_key(role.kind, role.namespace.as_deref(), &role.name);
                role_index.entry(key).or_insert_with(|| {
                    sources.push((role, true));
                    sources.len() - 1
                });
            }
        }

        // 2. Aggregation over the ClusterRoles of that set.
        let refs: Vec<&Role> = sources.iter().map(|(r, _)| *r).collect();
        let agg = aggregate(&refs);
        let roles: Vec<ResolvedRole> = sources
            .iter()
            .zip(agg.rules)
            .map(|(&(role, builtin), computed)| {
                let (rules, differ): (Arc<[PolicyRule]>, bool) = match computed {
                    Some(rules) => {
                        let differ = !role.rules.is_empty() && role.rules != rules;
                        (rules.into(), differ)
                    }
                    None => (role.rules.as_slice().into(), false),
                };
                ResolvedRole {
                    kind: role.kind,
                    namespace: role.namespace.clone(),
                    name: role.name.clone(),
                    builtin,
                    origin: role.origin.clone(),
                    aggregation: role.aggregation.clone(),
                    rules,
                    stored_rules_differ: differ,
                }
            })
            .collect();

        let mut az = Authorizer {
            roles,
            role_index,
            cycles: agg.cycles,
            ..Default::default()
        };

        // 3. The bindings: input, then built-in ones the input does not redefine.
        let mut bindings: Vec<&Binding> = inv.bindings.iter().collect();
        if opts.builtin_bindings {
            let input: std::collections::HashSet<(BindingKind, Option<&str>, &str)> = inv
                .bindings
                .iter()
                .map(|b| (b.kind, b.namespace.as_deref(), b.name.as_str()))
                .collect();
            bindings.extend(
                bootstrap::bindings().iter().filter(|b| {
                    !input.contains(&(b.kind, b.namespace.as_deref(), b.name.as_str()))
                }),
            );
        }
        for binding in bindings {
            az.add_binding(binding, opts);
        }
        az
    }

    fn add_binding(&mut self, b: &Binding, opts: &AuthorizerOptions) {
        let binding_ns = match b.kind {
            BindingKind::RoleBinding => b.namespace.clone(),
            BindingKind::ClusterRoleBinding => None,
        };
        let role_namespace = match b.role_ref.kind {
            RoleKind::Role => Some(binding_ns.clone().unwrap_or_default()),
            RoleKind::ClusterRole => None,
        };
        let found = match (b.kind, b.role_ref.kind) {
            // A ClusterRoleBinding looks a Role up in namespace "": no Role lives there.
            (BindingKind::ClusterRoleBinding, RoleKind::Role) => None,
            _ => self
                .role_index
                .get(&role_key(
                    b.role_ref.kind,
                    role_namespace.as_deref(),
                    &b.role_ref.name,
                ))
                .copied(),
        };
        let Some(role_idx) = found else {
            let reason = match (b.kind, b.role_ref.kind) {
                (BindingKind::ClusterRoleBinding, RoleKind::Role) => {
                    format!(
                        "a ClusterRoleBinding cannot refer to a Role (Role {:?} is never found)",
                        b.role_ref.name
                    )
                }
                (_, RoleKind::Role) => format!(
                    "Role {:?} not found in namespace {:?}",
                    b.role_ref.name,
                    role_namespace.as_deref().unwrap_or_default()
                ),
                (_, RoleKind::ClusterRole) if opts.builtin_roles => {
                    format!(
                        "ClusterRole {:?} not found in the input or the built-in roles",
                        b.role_ref.name
                    )
                }
                (_, RoleKind::ClusterRole) => {
                    format!(
                        "ClusterRole {:?} not found in the input (built-in roles are off)",
                        b.role_ref.name
                    )
                }
            };
            self.unresolved.push(UnresolvedRef {
                binding_kind: b.kind,
                binding_name: b.name.clone(),
                binding_namespace: binding_ns,
                binding_origin: b.origin.clone(),
                role_ref: b.role_ref.clone(),
                role_namespace,
                subjects: b.subjects.clone(),
                reason,
            });
            return;
        };
        let role = &self.roles[role_idx];
        let scope = match &binding_ns {
            Some(ns) => Scope::Namespace(ns.clone()),
            None => Scope::Cluster,
        };
        for subject in &b.subjects {
            let idx = self.grants.len() as u32;
            match &binding_ns {
                Some(ns) => self
                    .namespace_grants
                    .entry(ns.clone())
                    .or_default()
                    .push(idx),
                None => self.cluster_grants.push(idx),
            }
            let ns_str = binding_ns.as_deref().unwrap_or("");
            match subject.kind {
                SubjectKind::Group => self
                    .by_group
                    .entry(subject.name.clone())
                    .or_default()
                    .push(idx),
                SubjectKind::User | SubjectKind::ServiceAccount => {
                    if let Some(user) = subject_username(subject, ns_str) {
                        self.by_user.entry(user).or_default().push(idx);
                    }
                }
            }
            self.grants.push(Grant {
                binding_kind: b.kind,
                binding_name: b.name.clone(),
                binding_namespace: binding_ns.clone(),
                binding_origin: b.origin.clone(),
                subject: subject.clone(),
                role_kind: role.kind,
                role_name: role.name.clone(),
                role_namespace: role.namespace.clone(),
                role_builtin: role.builtin,
                role_origin: role.origin.clone(),
                scope: scope.clone(),
                rules: Arc::clone(&role.rules),
            });
            self.grant_role.push(role_idx as u32);
        }
    }

    /// Bindings whose role is neither in the input nor built in, in binding order.
    pub fn unresolved(&self) -> &[UnresolvedRef] {
        &self.unresolved
    }

    /// One grant per `(binding, subject)` whose role resolved, in binding order (input
    /// bindings first, then built-in ones), subjects in their order.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// Every role the authorizer knows (input, then built-in), with effective rules.
    pub fn roles(&self) -> &[ResolvedRole] {
        &self.roles
    }

    /// A role by kind, namespace (ignored for a ClusterRole) and name.
    pub fn role(
        &self,
        kind: RoleKind,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<&ResolvedRole> {
        if kind == RoleKind::Role && namespace.is_none() {
            return None;
        }
        self.role_index
            .get(&role_key(kind, namespace, name))
            .map(|&i| &self.roles[i])
    }

    /// The effective (aggregated) rules of a role, `None` if the role is unknown.
    pub fn effective_rules(
        &self,
        kind: RoleKind,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<&[PolicyRule]> {
        self.role(kind, namespace, name).map(|r| &*r.rules)
    }

    /// Groups of aggregating ClusterRoles that select one another (see [`super::aggregation`]).
    pub fn aggregation_cycles(&self) -> &[Vec<String>] {
        &self.cycles
    }

    /// Every grant whose subject applies to `user` (by username or any of its groups),
    /// ascending, whatever the request: the identity's RBAC permissions.
    pub fn grants_for(&self, user: &UserInfo) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        if let Some(v) = self.by_user.get(&user.name) {
            out.extend(v.iter().map(|&i| i as usize));
        }
        for group in &user.groups {
            if let Some(v) = self.by_group.get(group) {
                out.extend(v.iter().map(|&i| i as usize));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// RBAC's decision for `user` making `req`: allowed iff some grant whose subject applies
    /// to the user, whose scope covers the request's namespace, has a rule allowing it.
    ///
    /// This is the RBAC authorizer alone: members of `system:masters` are allowed
    /// everything by kube-apiserver before RBAC is asked, which this does not model.
    pub fn authorize(&self, user: &UserInfo, req: &Request) -> Decision {
        let ns = req.scope_namespace();
        let because: Vec<usize> = self
            .grants_for(user)
            .into_iter()
            .filter(|&i| {
                let g = &self.grants[i];
                g.scope.covers(ns) && g.rules.iter().any(|r| rule_allows(r, req))
            })
            .collect();
        Decision {
            allowed: !because.is_empty(),
            because,
        }
    }

    /// Every grant that allows `req` (scope and rules), ascending: the subjects of these
    /// grants are the ones who can. Rules are matched once per role, not once per grant.
    pub fn who_can(&self, req: &Request) -> Vec<usize> {
        let ns = req.scope_namespace();
        let local: &[u32] = match ns {
            "" => &[],
            ns => self.namespace_grants.get(ns).map_or(&[], Vec::as_slice),
        };
        // 0 = not evaluated, 1 = denies, 2 = allows.
        let mut memo: Vec<u8> = vec![0; self.roles.len()];
        let mut allows = |grant: u32| {
            let r = self.grant_role[grant as usize] as usize;
            if memo[r] == 0 {
                memo[r] = if self.roles[r]
                    .rules
                    .iter()
                    .any(|rule| rule_allows(rule, req))
                {
                    2
                } else {
                    1
                };
            }
            memo[r] == 2
        };
        let mut out: Vec<usize> = Vec::new();
        // Merge the two ascending lists, keeping grant order.
        let (mut a, mut b) = (
            self.cluster_grants.iter().peekable(),
            local.iter().peekable(),
        );
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) if x < y => a.next(),
                (Some(_), Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, Some(_)) => b.next(),
                (None, None) => break,
            };
            let &g = next.expect("peeked");
            if allows(g) {
                out.push(g as usize);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::inventory::rbac::{extract_binding, extract_role};

    fn inventory(docs: serde_json::Value) -> Inventory {
        let mut inv = Inventory::default();
        for (i, doc) in docs.as_array().unwrap().iter().enumerate() {
            let origin = Origin {
                file: "test.yaml".into(),
                document: i,
                ..Default::default()
            };
            match doc["kind"].as_str().unwrap() {
                "Role" | "ClusterRole" => inv
                    .roles
                    .push(extract_role(doc, origin, "default").unwrap()),
                _ => inv
                    .bindings
                    .push(extract_binding(doc, origin, "default").unwrap()),
            }
        }
        inv
    }

    fn pod_reader(kind: &str, ns: Option<&str>) -> serde_json::Value {
        let mut meta = json!({"name": "pod-reader"});
        if let Some(ns) = ns {
            meta["namespace"] = json!(ns);
        }
        json!({"kind": kind, "metadata": meta, "rules": [
            {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]},
            {"verbs": ["get"], "apiGroups": [""], "resources": ["nodes"]},
            {"verbs": ["get"], "nonResourceURLs": ["/healthz"]}
        ]})
    }

    fn binding(
        kind: &str,
        ns: Option<&str>,
        role_kind: &str,
        role: &str,
        subjects: serde_json::Value,
    ) -> serde_json::Value {
        let mut meta = json!({"name": format!("{}-{role}", kind.to_lowercase())});
        if let Some(ns) = ns {
            meta["namespace"] = json!(ns);
        }
        json!({"kind": kind, "metadata": meta, "roleRef": {"kind": role_kind, "name": role}, "subjects": subjects})
    }

    fn get_pods(ns: &str) -> Request {
        Request::resource("get", "", "pods").namespace(ns)
    }

    #[test]
    fn role_binding_to_cluster_role_is_scoped() {
        let inv = inventory(json!([
            pod_reader("ClusterRole", None),
            binding(
                "RoleBinding",
                Some("team"),
                "ClusterRole",
                "pod-reader",
                json!([{"kind": "User", "name": "alice"}])
            ),
        ]));
        let az = Authorizer::new(&inv, &AuthorizerOptions::default());
        let alice = UserInfo::authenticated("alice", Vec::<String>::new());
        assert!(az.authorize(&alice, &get_pods("team")).allowed);
        assert!(!az.authorize(&alice, &get_pods("other")).allowed);
        assert!(
            !az.authorize(&alice, &get_pods("")).allowed,
            "all-namespaces list needs a ClusterRoleBinding"
        );
        assert!(
            !az.authorize(&alice, &Request::resource("get", "", "nodes"))
                .allowed
        );
        assert!(
            !az.authorize(&alice, &Request::non_resource("get", "/healthz"))
                .allowed
        );
        assert!(
            !az.authorize(
                &alice,
                &Request::non_resource("get", "/healthz").namespace("team")
            )
            .allowed
        );
        let g = &az.grants()[0];
        assert_eq!(g.scope, Scope::Namespace("team".into()));
        assert_eq!(
            (g.role_kind, g.role_namespace.as_deref()),
            (RoleKind::ClusterRole, None)
        );
        assert_eq!(az.who_can(&get_pods("team")), vec![0]);
        assert!(az.who_can(&get_pods("other")).is_empty());
    }

    #[test]
    fn cluster_role_binding_grants_everywhere() {
        let inv = inventory(json!([
            pod_reader("ClusterRole", None),
            binding(
                "ClusterRoleBinding",
                None,
                "ClusterRole",
                "pod-reader",
                json!([{"kind": "Group", "name": "devs"}])
            ),
        ]));
        let az = Authorizer::new(&inv, &AuthorizerOptions::default());
        let bob = UserInfo::authenticated("bob", ["devs"]);
        for req in [
            get_pods("a"),
            get_pods(""),
            Request::resource("get", "", "nodes"),
            Request::non_resource("get", "/healthz"),
        ] {
            let d = az.authorize(&bob, &req);
            assert!(d.allowed, "{req:?}");
            assert_eq!(d.because, vec![0]);
        }
        assert!(
            !az.authorize(
                &bob,
                &Request::resource("delete", "", "pods").namespace("a")
            )
            .allowed
        );
        assert!(
            !az.authorize(&UserInfo::authenticated("eve", ["dev"]), &get_pods("a"))
                .allowed
        );
    }

    #[test]
    fn role_is_looked_up_in_the_binding_namespace() {
        let inv = inventory(json!([
            pod_reader("Role", Some("a")),
            binding(
                "RoleBinding",
                Some("a"),
                "Role",
                "pod-reader",
                json!([{"kind": "User", "name": "u"}])
            ),
            binding(
                "RoleBinding",
                Some("b"),
                "Role",
                "pod-reader",
                json!([{"kind": "User", "name": "u"}])
            ),
        ]));
        let az = Authorizer::new(&inv, &AuthorizerOptions::default());
        let u = UserInfo::authenticated("u", Vec::<String>::new());
        assert!(az.authorize(&u, &get_pods("a")).allowed);
        assert!(!az.authorize(&u, &get_pods("b")).allowed);
        assert_eq!(az.unresolved().len(), 1);
        assert_eq!(az.unresolved()[0].binding_namespace.as_deref(), Some("b"));
        assert_eq!(az.unresolved()[0].role_namespace.as_deref(), Some("b"));
        assert!(
            az.unresolved()[0]
                .reason
                .contains("not found in namespace \"b\""),
            "{}",
            az.unresolved()[0].reason
        );
    }

    #[test]
    fn service_account_subject_without_namespace() {
        let inv = inventory(json!([
            pod_reader("ClusterRole", None),
            binding(
                "RoleBinding",
                Some("ci"),
                "ClusterRole",
                "pod-reader",
                json!([{"kind": "ServiceAccount", "name": "bot"}])
            ),
            binding(
                "ClusterRoleBinding",
                None,
                "ClusterRole",
                "pod-reader",
                json!([{"kind": "ServiceAccount", "name": "bot"}])
            ),
        ]));
        let az = Authorizer::new(&inv, &AuthorizerOptions::default());
        let bot = UserInfo::service_account("ci", "bot");
        assert_eq!(az.authorize(&bot, &get_pods("ci")).because, vec![0]);
        assert!(
            !az.authorize(&bot, &get_pods("other")).allowed,
            "the CRB subject has no namespace"
        );
        assert!(
            !az.authorize(&UserInfo::service_account("other", "bot"), &get_pods("ci"))
                .allowed
        );
        assert_eq!(az.grants().len(), 2);
        assert_eq!(az.grants()[1].subject.namespace, None);
        assert_eq!(az.grants()[1].subject_username(), None);
    }

    #[test]
    fn unknown_role_is_reported() {
        let inv = inventory(json!([
            binding(
                "ClusterRoleBinding",
                None,
                "ClusterRole",
                "no-such-role",
                json!([{"kind": "User", "name": "u"}])
            ),
            binding(
                "ClusterRoleBinding",
                None,
                "Role",
                "pod-reader",
                json!([{"kind": "User", "name": "u"}])
            ),
            pod_reader("Role", Some("default")),
        ]));
        let az = Authorizer::new(&inv, &AuthorizerOptions::default());
        assert!(az.grants().is_empty());
        assert_eq!(az.unresolved().len(), 2);
        assert_eq!(az.unresolved()[0].role_ref.name, "no-such-role");
        assert_eq!(az.unresolved()[0].subjects.len(), 1);
        assert!(az.unresolved()[1].reason.contains("cannot refer to a Role"));
    }

    #[test]
    fn builtin_roles_resolve_and_input_wins() {
        let inv = inventory(json!([
            binding("ClusterRoleBinding", None, "ClusterRole", "cluster-admin", json!([{"kind": "User", "name": "root"}])),
            binding("RoleBinding", Some("app"), "ClusterRole", "view", json!([{"kind": "User", "name": "viewer"}])),
            {"kind": "ClusterRole", "metadata": {"name": "chart-view",
                "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
             "rules": [{"verbs": ["get"], "apiGroups": ["example.com"], "resources": ["widgets"]}]},
        ]));
        let az = Authorizer::new(&inv, &AuthorizerOptions::default());
        assert!(az.unresolved().is_empty());
        let root = UserInfo::authenticated("root", Vec::<String>::new());
        assert!(
            az.authorize(
                &root,
                &Request::resource("escalate", "rbac.authorization.k8s.io", "clusterroles")
            )
            .allowed
        );
        assert!(
            az.authorize(&root, &Request::non_resource("get", "/metrics"))
                .allowed
        );
        assert!(az.grants()[0].role_builtin && az.grants()[0].role_origin.builtin);
        let viewer = UserInfo::authenticated("viewer", Vec::<String>::new());
        assert!(
            az.authorize(
                &viewer,
                &Request::resource("list", "", "configmaps").namespace("app")
            )
            .allowed
        );
        assert!(
            !az.authorize(
                &viewer,
                &Request::resource("get", "", "secrets").namespace("app")
            )
            .allowed
        );
        assert!(
            az.authorize(
                &viewer,
                &Request::resource("get", "example.com", "widgets").namespace("app")
            )
            .allowed
        );
        // The chart role flows through view into edit and admin too.
        let admin = az
            .effective_rules(RoleKind::ClusterRole, None, "admin")
            .unwrap();
        assert!(admin.iter().any(|r| r.resources == ["widgets"]));

        // Off: nothing resolves.
        let off = Authorizer::new(
            &inv,
            &AuthorizerOptions {
                builtin_roles: false,
                builtin_bindings: false,
            },
        );
        assert_eq!(off.unresolved().len(), 2);
        assert!(
            off.unresolved()[0]
                .reason
                .contains("built-in roles are off")
        );

        // The input wins on a name clash.
        let inv2 = inventory(json!([
            {"kind": "ClusterRole", "metadata": {"name": "cluster-admin"},
             "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]},
            binding("ClusterRoleBinding", None, "ClusterRole", "cluster-admin", json!([{"kind": "User", "name": "root"}])),
        ]));
        let az2 = Authorizer::new(&inv2, &AuthorizerOptions::default());
        assert!(!az2.grants()[0].role_builtin);
        assert!(
            !az2.authorize(
                &root,
                &Request::resource("delete", "", "pods").namespace("x")
            )
            .allowed
        );
    }

    #[test]
    fn builtin_bindings_on_request() {
        let inv = Inventory::default();
        let masters = UserInfo::authenticated("root", ["system:masters"]);
        let everything = Request::resource("delete", "", "secrets").namespace("kube-system");
        let off = Authorizer::new(&inv, &AuthorizerOptions::default());
        assert!(off.grants().is_empty());
        assert!(!off.authorize(&masters, &everything).allowed);
        let on = Authorizer::new(
            &inv,
            &AuthorizerOptions {
                builtin_roles: true,
                builtin_bindings: true,
            },
        );
        assert!(on.unresolved().is_empty(), "{:?}", on.unresolved());
        let d = on.authorize(&masters, &everything);
        assert!(d.allowed);
        let g = &on.grants()[d.because[0]];
        assert_eq!(
            (g.role_name.as_str(), g.subject.name.as_str()),
            ("cluster-admin", "system:masters")
        );
        assert_eq!(g.scope, Scope::Cluster);
        // Every authenticated user may ask about itself.
        let anyone = UserInfo::authenticated("someone", Vec::<String>::new());
        assert!(
            on.authorize(
                &anyone,
                &Request::resource("create", "authorization.k8s.io", "selfsubjectaccessreviews")
            )
            .allowed
        );
        assert!(
            !on.authorize(&anyone, &Request::resource("list", "", "secrets"))
                .allowed
        );
        let holders = on.who_can(&Request::resource("*", "*", "*"));
        assert!(
            holders
                .iter()
                .any(|&i| on.grants()[i].subject.name == "system:masters")
        );
    }

    #[test]
    fn default_policy_aggregates_view_edit_admin() {
        let az = Authorizer::new(&Inventory::default(), &AuthorizerOptions::default());
        let count = |name: &str| {
            az.effective_rules(RoleKind::ClusterRole, None, name)
                .unwrap()
                .len()
        };
        assert_eq!((count("view"), count("edit"), count("admin")), (10, 23, 25));
        assert!(az.aggregation_cycles().is_empty());
        let edit = az
            .effective_rules(RoleKind::ClusterRole, None, "edit")
            .unwrap();
        let token = Request::resource("create", "", "serviceaccounts")
            .subresource("token")
            .name("x")
            .namespace("a");
        assert!(edit.iter().any(|r| rule_allows(r, &token)));
        let view = az
            .effective_rules(RoleKind::ClusterRole, None, "view")
            .unwrap();
        assert!(!view.iter().any(|r| rule_allows(r, &token)));
        assert!(
            !view
                .iter()
                .any(|r| rule_allows(r, &Request::resource("get", "", "secrets").namespace("a")))
        );
        assert_eq!(
            az.effective_rules(RoleKind::Role, None, "system:controller:bootstrap-signer"),
            None
        );
        assert!(
            az.effective_rules(
                RoleKind::Role,
                Some("kube-public"),
                "system:controller:bootstrap-signer"
            )
            .is_some()
        );
    }

    #[test]
    fn grants_for_an_identity() {
        let inv = inventory(json!([
            pod_reader("ClusterRole", None),
            binding(
                "RoleBinding",
                Some("ci"),
                "ClusterRole",
                "pod-reader",
                json!([
                {"kind": "ServiceAccount", "name": "bot"},
                {"kind": "Group", "name": "system:serviceaccounts:ci"},
                {"kind": "User", "name": "alice"}])
            ),
        ]));
        let az = Authorizer::new(&inv, &AuthorizerOptions::default());
        assert_eq!(
            az.grants_for(&UserInfo::service_account("ci", "bot")),
            vec![0, 1]
        );
        assert_eq!(
            az.grants_for(&UserInfo::service_account("ci", "other")),
            vec![1]
        );
        assert!(az.grants()[0].applies_to(&UserInfo::service_account("ci", "bot")));
        assert!(!az.grants()[2].applies_to(&UserInfo::service_account("ci", "bot")));
    }

    #[test]
    fn aggregated_roles_in_the_authorizer() {
        let inv = inventory(json!([
            {"kind": "ClusterRole", "metadata": {"name": "agg"}, "rules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
             "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}},
            {"kind": "ClusterRole", "metadata": {"name": "part", "labels": {"x": "y"}},
             "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]},
            binding("ClusterRoleBinding", None, "ClusterRole", "agg", json!([{"kind": "User", "name": "u"}])),
        ]));
        let az = Authorizer::new(&inv, &AuthorizerOptions::default());
        let u = UserInfo::authenticated("u", Vec::<String>::new());
        assert!(az.authorize(&u, &get_pods("x")).allowed);
        assert!(
            !az.authorize(&u, &Request::resource("delete", "", "pods").namespace("x"))
                .allowed
        );
        let role = az.role(RoleKind::ClusterRole, None, "agg").unwrap();
        assert!(role.stored_rules_differ);
        assert_eq!(role.rules.len(), 1);
    }

    /// `cargo test -p rbac-lens-core --release --lib perf_100k -- --ignored --nocapture`
    #[test]
    #[ignore = "timing; run by hand in release mode"]
    fn perf_100k() {
        use crate::inventory::{LabelSelector, Subject};
        use std::time::Instant;
        let rule = |i: usize| PolicyRule {
            verbs: vec!["get".into(), "list".into()],
            api_groups: vec!["".into(), "apps".into()],
            resources: vec![format!("res{}", i % 50), "pods".into()],
            ..Default::default()
        };
        let quarter = 25_000;
        let mut inv = Inventory::default();
        for i in 0..quarter {
            let ns = format!("ns{}", i % 1000);
            let mut labels = std::collections::BTreeMap::new();
            if i % 10 == 0 {
                labels.insert(
                    "rbac.authorization.k8s.io/aggregate-to-view".to_string(),
                    "true".to_string(),
                );
            }
            inv.roles.push(Role {
                kind: RoleKind::Role,
                namespace: Some(ns.clone()),
                name: format!("r{i}"),
                labels: Default::default(),
                rules: vec![rule(i), rule(i + 1)],
                aggregation: None,
                origin: Origin::default(),
            });
            inv.roles.push(Role {
                kind: RoleKind::ClusterRole,
                namespace: None,
                name: format!("cr{i}"),
                labels,
                rules: vec![rule(i), rule(i + 7)],
                aggregation: (i % 1000 == 1)
                    .then(|| vec![LabelSelector::default()])
                    .filter(|_| false),
                origin: Origin::default(),
            });
            let sa = |n: usize| Subject {
                kind: SubjectKind::ServiceAccount,
                name: format!("sa{n}"),
                namespace: Some(ns.clone()),
            };
            inv.bindings.push(Binding {
                kind: BindingKind::RoleBinding,
                namespace: Some(ns.clone()),
                name: format!("rb{i}"),
                role_ref: RoleRef {
                    kind: if i % 2 == 0 {
                        RoleKind::Role
                    } else {
                        RoleKind::ClusterRole
                    },
                    name: if i % 2 == 0 {
                        format!("r{i}")
                    } else {
                        format!("cr{i}")
                    },
                },
                subjects: vec![sa(i), sa(i + 1)],
                origin: Origin::default(),
                warnings: vec![],
                defaulted_subjects: vec![],
            });
            inv.bindings.push(Binding {
                kind: BindingKind::ClusterRoleBinding,
                namespace: None,
                name: format!("crb{i}"),
                role_ref: RoleRef {
                    kind: RoleKind::ClusterRole,
                    name: if i % 100 == 0 {
                        "view".into()
                    } else {
                        format!("cr{i}")
                    },
                },
                subjects: vec![
                    sa(i),
                    Subject {
                        kind: SubjectKind::Group,
                        name: format!("g{}", i % 100),
                        namespace: None,
                    },
                ],
                origin: Origin::default(),
                warnings: vec![],
                defaulted_subjects: vec![],
            });
        }
        let t = Instant::now();
        let az = Authorizer::new(&inv, &AuthorizerOptions::default());
        let built = t.elapsed();
        let view = az
            .effective_rules(RoleKind::ClusterRole, None, "view")
            .unwrap()
            .len();
        let t = Instant::now();
        let mut allowed = 0;
        for i in 0..10_000 {
            let user = UserInfo::service_account(&format!("ns{}", i % 1000), &format!("sa{i}"));
            let req = Request::resource("get", "", "pods").namespace(format!("ns{}", i % 1000));
            allowed += az.authorize(&user, &req).allowed as usize;
        }
        let asked = t.elapsed();
        let t = Instant::now();
        let mut holders = 0;
        for i in 0..100 {
            holders += az
                .who_can(&Request::resource("list", "apps", format!("res{i}")).namespace("ns1"))
                .len();
        }
        let who = t.elapsed();
        println!(
            "100k objects: new {built:?} ({} grants, view {view} rules); 10k authorize {asked:?} ({allowed} allowed); 100 who_can {who:?} ({holders})",
            az.grants().len()
        );
    }
}
