//! Who is asking, and what it may do: an identity's questions go to the authorizer exactly;
//! a stand-in (role holder, namespace admin) is asked through its role's rules at its scope.
//!
//! Efficiency without guessing: a namespaced question is asked once per namespace where the
//! actor holds a RoleBinding grant, plus once in [`EVERY_NS`], a namespace no binding can
//! live in, where only ClusterRoleBindings apply (an answer there holds in every
//! namespace). A named question is asked once with [`ANY_NAME`] (only an unrestricted rule
//! allows it), then once per name the actor's rules list in `resourceNames`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::findings::Findings;
use crate::inventory::{BindingKind, Inventory, PolicyRule, RoleKind, TokenSecret, Workload};
use crate::rbac::{Authorizer, Grant, Request, Scope, UserInfo, rule_allows};

use super::Evidence;

/// A namespace name no object can have: the answer there comes from cluster-wide grants.
pub const EVERY_NS: &str = "\u{1}every-namespace";
/// An object name no object can have: only rules without `resourceNames` allow it.
pub const ANY_NAME: &str = "\u{1}any-name";

/// Where a namespaced question is asked.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ns {
    /// Through cluster-wide grants: holds in every namespace.
    Every,
    One(String),
}

impl Ns {
    pub fn as_request_ns(&self) -> &str {
        match self {
            Ns::Every => EVERY_NS,
            Ns::One(ns) => ns,
        }
    }

    pub fn option(&self) -> Option<String> {
        match self {
            Ns::Every => None,
            Ns::One(ns) => Some(ns.clone()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Ns::Every => "every namespace".into(),
            Ns::One(ns) => format!("namespace {ns}"),
        }
    }
}

/// The scope of a stand-in's role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SynthScope {
    Cluster,
    Namespace(String),
    /// Inside every namespace, nothing cluster-scoped.
    EveryNamespace,
}

pub enum Power {
    /// A real identity: questions go to `Authorizer::authorize`.
    Identity { user: UserInfo, grants: Vec<usize> },
    /// A stand-in holding one role's rules at a scope.
    Synthetic {
        role: String,
        rules: Arc<[PolicyRule]>,
        scope: SynthScope,
        role_key: Option<(RoleKind, Option<String>, String)>,
    },
}

/// A node that can act, with the namespaces and names worth asking about.
pub struct Actor {
    pub power: Power,
    /// `Every` first when some grant is cluster-wide, then the RoleBinding namespaces.
    pub namespaces: Vec<Ns>,
    /// Every `resourceNames` entry of the actor's rules (sorted, without `""`).
    pub names: Vec<String>,
    /// True when the actor has a cluster-wide grant (cluster-scoped questions can succeed).
    pub cluster: bool,
    /// The rule lists (of its grants, or its role) that restrict some rule by name.
    named_rules: Vec<Arc<[PolicyRule]>>,
}

/// (binding kind, namespace, name, role kind, namespace, name).
type BindingRoleKey = (
    BindingKind,
    Option<String>,
    String,
    RoleKind,
    Option<String>,
    String,
);

/// Facts of the input that edge discovery reads, indexed by namespace.
pub struct Ctx<'a> {
    pub az: &'a Authorizer,
    pub inv: &'a Inventory,
    /// Known ServiceAccounts per namespace (declared, referenced, bound, with token Secrets).
    pub accounts: HashMap<String, BTreeSet<String>>,
    /// Namespaces that hold a ServiceAccount of each name.
    pub accounts_by_name: HashMap<String, BTreeSet<String>>,
    pub workloads: HashMap<String, Vec<&'a Workload>>,
    pub token_secrets: HashMap<String, Vec<&'a TokenSecret>>,
    /// Namespaces whose `pod-security.kubernetes.io/enforce` label is `baseline` or
    /// `restricted` in the input: privileged pods and host paths are rejected there.
    pub restricted: HashSet<String>,
    /// Every namespace the input mentions, sorted.
    pub namespaces: BTreeSet<String>,
    /// User subjects of the grants.
    pub users: BTreeSet<String>,
    pub groups: BTreeSet<String>,
    /// Effective `automountServiceAccountToken` of each account (default true).
    pub automount: HashMap<(String, String), bool>,
    /// Catalog rule ids matched by the rows of each (binding, role).
    rule_ids: HashMap<BindingRoleKey, BTreeSet<u32>>,
    /// Catalog rule ids matched by the rows of each role, whatever the binding.
    role_rule_ids: HashMap<(RoleKind, Option<String>, String), BTreeSet<u32>>,
}

impl<'a> Ctx<'a> {
    pub fn new(az: &'a Authorizer, inv: &'a Inventory, findings: &Findings) -> Ctx<'a> {
        let mut rule_ids: HashMap<_, BTreeSet<u32>> = HashMap::new();
        let mut role_rule_ids: HashMap<_, BTreeSet<u32>> = HashMap::new();
        // Only the catalog rules the edge table cites are ever looked up.
        let wanted: HashSet<u32> = super::kinds::EDGE_KINDS
            .iter()
            .flat_map(|k| k.catalog.iter().copied())
            .collect();
        for p in &findings.permissions {
            if !p.matched.iter().any(|m| wanted.contains(&m.id)) {
                continue;
            }
            let ids = p
                .matched
                .iter()
                .map(|m| m.id)
                .filter(|id| wanted.contains(id));
            rule_ids
                .entry((
                    p.binding_kind,
                    p.binding_namespace.clone(),
                    p.binding_name.clone(),
                    p.role_kind,
                    p.role_namespace.clone(),
                    p.role_name.clone(),
                ))
                .or_default()
                .extend(ids.clone());
            role_rule_ids
                .entry((p.role_kind, p.role_namespace.clone(), p.role_name.clone()))
                .or_default()
                .extend(ids);
        }
        Ctx {
            az,
            inv,
            accounts: HashMap::new(),
            accounts_by_name: HashMap::new(),
            workloads: HashMap::new(),
            token_secrets: HashMap::new(),
            restricted: HashSet::new(),
            namespaces: BTreeSet::new(),
            users: BTreeSet::new(),
            groups: BTreeSet::new(),
            automount: HashMap::new(),
            rule_ids,
            role_rule_ids,
        }
    }

    pub fn add_account(&mut self, ns: &str, name: &str) {
        if self
            .accounts
            .entry(ns.to_string())
            .or_default()
            .insert(name.to_string())
        {
            self.accounts_by_name
                .entry(name.to_string())
                .or_default()
                .insert(ns.to_string());
        }
        self.namespaces.insert(ns.to_string());
    }

    /// Does a pod of this workload get an API token?
    pub fn mounts_token(&self, w: &Workload) -> bool {
        w.automount.unwrap_or_else(|| {
            *self
                .automount
                .get(&(w.namespace.clone(), w.service_account.clone()))
                .unwrap_or(&true)
        })
    }

    /// May a new pod in `ns` be privileged or mount host paths? Yes unless the input labels
    /// the namespace `baseline` or `restricted` (no admission information counts as "may").
    pub fn privileged_allowed(&self, ns: &Ns) -> bool {
        match ns {
            Ns::Every => true,
            Ns::One(ns) => !self.restricted.contains(ns),
        }
    }

    /// Workloads in one namespace, or in all of them.
    pub fn workloads_in(&self, ns: &Ns) -> Vec<&'a Workload> {
        match ns {
            Ns::Every => self.inv.workloads.iter().collect(),
            Ns::One(ns) => self.workloads.get(ns).cloned().unwrap_or_default(),
        }
    }

    pub fn token_secrets_in(&self, ns: &Ns) -> Vec<&'a TokenSecret> {
        match ns {
            Ns::Every => self.inv.token_secrets.iter().collect(),
            Ns::One(ns) => self.token_secrets.get(ns).cloned().unwrap_or_default(),
        }
    }

    fn rule_id(&self, g: &Grant, candidates: &[u32]) -> Option<u32> {
        let ids = self.rule_ids.get(&(
            g.binding_kind,
            g.binding_namespace.clone(),
            g.binding_name.clone(),
            g.role_kind,
            g.role_namespace.clone(),
            g.role_name.clone(),
        ))?;
        candidates.iter().copied().find(|c| ids.contains(c))
    }

    fn role_rule_id(
        &self,
        key: &Option<(RoleKind, Option<String>, String)>,
        candidates: &[u32],
    ) -> Option<u32> {
        let ids = self.role_rule_ids.get(key.as_ref()?)?;
        candidates.iter().copied().find(|c| ids.contains(c))
    }
}

fn role_label(kind: RoleKind, ns: Option<&str>, name: &str) -> String {
    match ns {
        Some(ns) => format!("{}/{ns}/{name}", kind.as_str()),
        None => format!("{}/{name}", kind.as_str()),
    }
}

/// `create serviceaccounts/token "b" in namespace b`.
pub fn describe_request(req: &Request) -> String {
    if req.verb == "*" && req.api_group == "*" && req.resource == "*" {
        return "every verb on every resource (*.*)".to_string()
            + if req.namespace.is_empty() {
                " cluster-wide"
            } else {
                ""
            };
    }
    let mut s = format!("{} ", req.verb);
    s.push_str(&req.resource);
    if !req.subresource.is_empty() {
        s.push('/');
        s.push_str(&req.subresource);
    }
    if !req.api_group.is_empty() {
        s.push('.');
        s.push_str(&req.api_group);
    }
    match req.name.as_str() {
        "" => {}
        ANY_NAME => s.push_str(" (any name)"),
        n => s.push_str(&format!(" {n:?}")),
    }
    match req.namespace.as_str() {
        "" => s.push_str(" (cluster-scoped)"),
        EVERY_NS => s.push_str(" in every namespace"),
        ns => s.push_str(&format!(" in namespace {ns}")),
    }
    s
}

/// A resource request; `resource` may be `res/sub`.
pub fn request(verb: &str, group: &str, resource: &str, ns: &str, name: &str) -> Request {
    let (res, sub) = resource.split_once('/').unwrap_or((resource, ""));
    Request::resource(verb, group, res)
        .subresource(sub)
        .namespace(ns)
        .name(name)
}

impl Actor {
    pub fn identity(az: &Authorizer, user: UserInfo) -> Actor {
        let grants = az.grants_for(&user);
        let mut cluster = false;
        let mut nss: BTreeSet<String> = BTreeSet::new();
        let mut names: BTreeSet<String> = BTreeSet::new();
        let mut named_rules: Vec<Arc<[PolicyRule]>> = Vec::new();
        for &i in &grants {
            let g = &az.grants()[i];
            match &g.scope {
                Scope::Cluster => cluster = true,
                Scope::Namespace(ns) => {
                    nss.insert(ns.clone());
                }
            }
            let restricted: Vec<&String> = g
                .rules
                .iter()
                .flat_map(|r| r.resource_names.iter())
                .filter(|n| !n.is_empty())
                .collect();
            if !restricted.is_empty() && !named_rules.iter().any(|a| Arc::ptr_eq(a, &g.rules)) {
                named_rules.push(Arc::clone(&g.rules));
            }
            names.extend(restricted.into_iter().cloned());
        }
        let mut namespaces: Vec<Ns> = Vec::with_capacity(nss.len() + 1);
        if cluster {
            namespaces.push(Ns::Every);
        }
        namespaces.extend(nss.into_iter().map(Ns::One));
        Actor {
            power: Power::Identity { user, grants },
            namespaces,
            names: names.into_iter().collect(),
            cluster,
            named_rules,
        }
    }

    pub fn synthetic(
        role: String,
        role_key: Option<(RoleKind, Option<String>, String)>,
        rules: Arc<[PolicyRule]>,
        scope: SynthScope,
    ) -> Actor {
        let names: BTreeSet<String> = rules
            .iter()
            .flat_map(|r| r.resource_names.iter().filter(|n| !n.is_empty()).cloned())
            .collect();
        let (namespaces, cluster) = match &scope {
            SynthScope::Cluster => (vec![Ns::Every], true),
            SynthScope::Namespace(ns) => (vec![Ns::One(ns.clone())], false),
            SynthScope::EveryNamespace => (vec![Ns::Every], false),
        };
        let named_rules = if names.is_empty() {
            Vec::new()
        } else {
            vec![Arc::clone(&rules)]
        };
        Actor {
            power: Power::Synthetic {
                role,
                rules,
                scope,
                role_key,
            },
            namespaces,
            names: names.into_iter().collect(),
            cluster,
            named_rules,
        }
    }

    /// True when the actor holds no grant at all: it can do nothing.
    pub fn is_powerless(&self) -> bool {
        match &self.power {
            Power::Identity { grants, .. } => grants.is_empty(),
            Power::Synthetic { rules, .. } => rules.is_empty(),
        }
    }

    /// The UserInfo of an identity actor.
    pub fn user(&self) -> Option<&UserInfo> {
        match &self.power {
            Power::Identity { user, .. } => Some(user),
            Power::Synthetic { .. } => None,
        }
    }

    /// May the actor make `req`? The evidence names the first allowing grant and rule;
    /// `candidates` are the catalog rule ids that describe this permission, best first.
    pub fn can(&self, ctx: &Ctx<'_>, req: &Request, candidates: &[u32]) -> Option<Evidence> {
        match &self.power {
            Power::Identity { user, grants } => {
                // Exactly `Authorizer::authorize`: its grants are `grants_for(user)` (computed
                // once per actor), each checked with `Grant::allows` (scope, then rules).
                let first = grants
                    .iter()
                    .copied()
                    .find(|&i| ctx.az.grants()[i].allows(req));
                debug_assert_eq!(
                    first,
                    ctx.az.authorize(user, req).because.first().copied(),
                    "{req:?}"
                );
                let g = &ctx.az.grants()[first?];
                let rule_index = g.rules.iter().position(|r| rule_allows(r, req))?;
                let binding = crate::inventory::object_label(
                    g.binding_kind.as_str(),
                    g.binding_namespace.as_deref(),
                    &g.binding_name,
                );
                let subject = match &g.subject.namespace {
                    Some(ns) => format!("{} {ns}/{}", g.subject.kind.as_str(), g.subject.name),
                    None => format!("{} {}", g.subject.kind.as_str(), g.subject.name),
                };
                Some(Evidence {
                    request: describe_request(req),
                    binding: Some(binding),
                    role: role_label(g.role_kind, g.role_namespace.as_deref(), &g.role_name),
                    rule_index,
                    rule_id: ctx.rule_id(g, candidates),
                    subject: Some(subject),
                    origin: Some(g.binding_origin.clone()),
                })
            }
            Power::Synthetic {
                role,
                rules,
                scope,
                role_key,
            } => {
                let ns = req.scope_namespace();
                let covers = match scope {
                    SynthScope::Cluster => true,
                    SynthScope::Namespace(own) => ns == own,
                    SynthScope::EveryNamespace => !ns.is_empty(),
                };
                if !covers {
                    return None;
                }
                let rule_index = rules.iter().position(|r| rule_allows(r, req))?;
                Some(Evidence {
                    request: describe_request(req),
                    binding: None,
                    role: role.clone(),
                    rule_index,
                    rule_id: ctx.role_rule_id(role_key, candidates),
                    subject: None,
                    origin: None,
                })
            }
        }
    }

    /// The first of `verbs` allowed on `resource` (name and namespace as given).
    pub fn can_verbs(
        &self,
        ctx: &Ctx<'_>,
        verbs: &[&str],
        (group, resource): (&str, &str),
        ns: &str,
        name: &str,
        candidates: &[u32],
    ) -> Option<Evidence> {
        verbs
            .iter()
            .find_map(|v| self.can(ctx, &request(v, group, resource, ns, name), candidates))
    }

    /// A named question: `(Some, [])` when any name is allowed, else the allowed names among
    /// the actor's `resourceNames` (each with its evidence).
    pub fn named(
        &self,
        ctx: &Ctx<'_>,
        verbs: &[&str],
        group: &str,
        resource: &str,
        ns: &str,
        candidates: &[u32],
    ) -> (Option<Evidence>, Vec<(String, Evidence)>) {
        if let Some(e) = self.can_verbs(ctx, verbs, (group, resource), ns, ANY_NAME, candidates) {
            return (Some(e), Vec::new());
        }
        // Only names that some rule lists for this very request can be allowed by name.
        let mut names: BTreeSet<&str> = BTreeSet::new();
        for rules in &self.named_rules {
            for r in rules.iter().filter(|r| !r.resource_names.is_empty()) {
                for n in r.resource_names.iter().filter(|n| !n.is_empty()) {
                    if verbs
                        .iter()
                        .any(|v| rule_allows(r, &request(v, group, resource, ns, n)))
                    {
                        names.insert(n);
                    }
                }
            }
        }
        let named = names
            .into_iter()
            .filter_map(|n| {
                self.can_verbs(ctx, verbs, (group, resource), ns, n, candidates)
                    .map(|e| (n.to_string(), e))
            })
            .collect();
        (None, named)
    }

    /// Like [`Actor::named`], reduced to "some name at all".
    pub fn some_name(
        &self,
        ctx: &Ctx<'_>,
        verbs: &[&str],
        group: &str,
        resource: &str,
        ns: &str,
        candidates: &[u32],
    ) -> Option<Evidence> {
        match self.named(ctx, verbs, group, resource, ns, candidates) {
            (Some(e), _) => Some(e),
            (None, named) => named.into_iter().next().map(|(_, e)| e),
        }
    }
}
