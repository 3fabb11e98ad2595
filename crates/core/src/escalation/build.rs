//! Building the graph: index the input by namespace, seed every identity, expand each node
//! once through the edge table (new targets are expanded in turn), then sort.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use rayon::prelude::*;

use crate::catalog::RiskLevel;
use crate::findings::Findings;
use crate::inventory::{PolicyRule, RoleKind, SubjectKind};
use crate::rbac::subjects::{
    ALL_SERVICE_ACCOUNTS_GROUP, ANONYMOUS_USER, AUTHENTICATED_GROUP,
    NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX, effective_service_account_namespace,
    parse_service_account_username,
};
use crate::rbac::{Authorizer, UserInfo};

use super::actor::{Actor, Ctx, SynthScope};
use super::kinds::{Discover, EDGE_KINDS, EdgeKind, Found};
use super::{Edge, Node, PodSecurity};

pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub own: Vec<Option<RiskLevel>>,
}

fn index<'a>(
    inv: &'a crate::inventory::Inventory,
    az: &'a Authorizer,
    findings: &Findings,
    pod_security: &PodSecurity,
) -> Ctx<'a> {
    let mut ctx = Ctx::new(az, inv, findings);
    for sa in &inv.service_accounts {
        ctx.add_account(&sa.namespace, &sa.name);
        ctx.automount
            .insert((sa.namespace.clone(), sa.name.clone()), sa.automount);
    }
    for t in &inv.token_secrets {
        ctx.add_account(&t.namespace, &t.service_account);
        ctx.token_secrets
            .entry(t.namespace.clone())
            .or_default()
            .push(t);
    }
    for w in &inv.workloads {
        ctx.add_account(&w.namespace, &w.service_account);
        ctx.workloads
            .entry(w.namespace.clone())
            .or_default()
            .push(w);
    }
    for r in &inv.roles {
        ctx.namespaces.extend(r.namespace.clone());
    }
    for b in &inv.bindings {
        ctx.namespaces.extend(b.namespace.clone());
    }
    for g in az.grants() {
        let ns = g.binding_namespace.as_deref().unwrap_or("");
        match g.subject.kind {
            SubjectKind::ServiceAccount => {
                if let Some(sns) = effective_service_account_namespace(&g.subject, ns) {
                    let sns = sns.to_string();
                    ctx.add_account(&sns, &g.subject.name);
                }
            }
            SubjectKind::User => match parse_service_account_username(&g.subject.name) {
                Some((sns, name)) => ctx.add_account(sns, name),
                None => {
                    ctx.users.insert(g.subject.name.clone());
                }
            },
            SubjectKind::Group => {
                ctx.groups.insert(g.subject.name.clone());
            }
        }
        if let Some(ns) = &g.binding_namespace {
            ctx.namespaces.insert(ns.clone());
        }
    }
    for ns in pod_security.enforce.keys() {
        ctx.namespaces.insert(ns.clone());
        if pod_security.forbids_privileged(ns) {
            ctx.restricted.insert(ns.clone());
        }
    }
    ctx
}

/// Own risk levels from the findings: identities, their implicit groups, and role rows.
struct Levels {
    identity: HashMap<(SubjectKind, Option<String>, String), RiskLevel>,
    role_scope: HashMap<(RoleKind, Option<String>, String, Option<String>), RiskLevel>,
    role: HashMap<(RoleKind, Option<String>, String), RiskLevel>,
}

impl Levels {
    /// `roles`: also index role rows (only role holders need them).
    fn new(findings: &Findings, roles: bool) -> Levels {
        let mut l = Levels {
            identity: HashMap::new(),
            role_scope: HashMap::new(),
            role: HashMap::new(),
        };
        for id in &findings.identities {
            if let Some(level) = id.risk_level {
                l.identity
                    .insert((id.kind, id.namespace.clone(), id.name.clone()), level);
            }
        }
        let rows = if roles {
            &findings.permissions[..]
        } else {
            &[]
        };
        for p in rows {
            let e = l
                .role_scope
                .entry((
                    p.role_kind,
                    p.role_namespace.clone(),
                    p.role_name.clone(),
                    p.scope.clone(),
                ))
                .or_insert(p.risk_level);
            *e = (*e).max(p.risk_level);
            let e = l
                .role
                .entry((p.role_kind, p.role_namespace.clone(), p.role_name.clone()))
                .or_insert(p.risk_level);
            *e = (*e).max(p.risk_level);
        }
        l
    }

    fn group(&self, g: &str) -> Option<RiskLevel> {
        self.identity
            .get(&(SubjectKind::Group, None, g.to_string()))
            .copied()
    }

    fn own(&self, node: &Node) -> Option<RiskLevel> {
        match node {
            Node::ServiceAccount { namespace, name } => {
                let own = self
                    .identity
                    .get(&(
                        SubjectKind::ServiceAccount,
                        Some(namespace.clone()),
                        name.clone(),
                    ))
                    .copied();
                // A User subject spelled as the account's username binds it too.
                let as_user = self
                    .identity
                    .get(&(
                        SubjectKind::User,
                        None,
                        crate::rbac::subjects::service_account_username(namespace, name),
                    ))
                    .copied();
                own.max(as_user).max(self.account_groups(Some(namespace)))
            }
            Node::User { name } => {
                let own = self
                    .identity
                    .get(&(SubjectKind::User, None, name.clone()))
                    .copied();
                if name == ANONYMOUS_USER {
                    own.max(self.group(crate::rbac::subjects::UNAUTHENTICATED_GROUP))
                } else {
                    own.max(self.group(AUTHENTICATED_GROUP))
                }
            }
            Node::Group { name } => self.group(name),
            Node::AnyServiceAccount { namespace } => self.account_groups(namespace.as_deref()),
            Node::RunningPods { .. } => None,
            Node::RoleHolder {
                role_kind,
                role_namespace,
                role,
                namespace,
            } => self
                .role_scope
                .get(&(
                    *role_kind,
                    role_namespace.clone(),
                    role.clone(),
                    namespace.clone(),
                ))
                .or_else(|| {
                    self.role
                        .get(&(*role_kind, role_namespace.clone(), role.clone()))
                })
                .copied(),
            Node::NamespaceAdmin { .. } | Node::ClusterAdmin | Node::Node => {
                Some(RiskLevel::Critical)
            }
        }
    }

    /// The level every account (of `ns`) gets through its implicit groups.
    fn account_groups(&self, ns: Option<&str>) -> Option<RiskLevel> {
        let mut l = self
            .group(ALL_SERVICE_ACCOUNTS_GROUP)
            .max(self.group(AUTHENTICATED_GROUP));
        if let Some(ns) = ns {
            l = l.max(self.group(&format!("{NAMESPACE_SERVICE_ACCOUNTS_GROUP_PREFIX}{ns}")));
        }
        l
    }
}

fn everything() -> Arc<[PolicyRule]> {
    Arc::from(vec![PolicyRule {
        verbs: vec!["*".into()],
        api_groups: vec!["*".into()],
        resources: vec!["*".into()],
        ..Default::default()
    }])
}

/// The actor of a node, `None` for nodes that act only structurally.
fn actor(az: &Authorizer, node: &Node) -> Option<Actor> {
    match node {
        Node::ServiceAccount { namespace, name } => Some(Actor::identity(
            az,
            UserInfo::service_account(namespace, name),
        )),
        Node::User { name } if name == ANONYMOUS_USER => {
            Some(Actor::identity(az, UserInfo::anonymous()))
        }
        Node::User { name } => Some(Actor::identity(
            az,
            UserInfo::authenticated(name.clone(), Vec::<String>::new()),
        )),
        // A group's own grants (members also hold their user's and system:authenticated's,
        // which are nodes of their own).
        Node::Group { name } => Some(Actor::identity(az, UserInfo::new("", [name.clone()]))),
        Node::RoleHolder {
            role_kind,
            role_namespace,
            role,
            namespace,
        } => {
            let r = az.role(*role_kind, role_namespace.as_deref(), role)?;
            let label = match role_namespace {
                Some(ns) => format!("{}/{ns}/{role}", role_kind.as_str()),
                None => format!("{}/{role}", role_kind.as_str()),
            };
            let scope = match namespace {
                Some(ns) => SynthScope::Namespace(ns.clone()),
                None => SynthScope::Cluster,
            };
            Some(Actor::synthetic(
                label,
                Some((*role_kind, role_namespace.clone(), role.clone())),
                Arc::clone(&r.rules),
                scope,
            ))
        }
        Node::NamespaceAdmin { namespace } => Some(Actor::synthetic(
            "ClusterRole/cluster-admin".into(),
            None,
            everything(),
            match namespace {
                Some(ns) => SynthScope::Namespace(ns.clone()),
                None => SynthScope::EveryNamespace,
            },
        )),
        Node::AnyServiceAccount { .. }
        | Node::RunningPods { .. }
        | Node::ClusterAdmin
        | Node::Node => None,
    }
}

fn discover(ctx: &Ctx<'_>, node: &Node, out: &mut Vec<Found>) {
    let actor = actor(ctx.az, node).filter(|a| !a.is_powerless());
    for row in EDGE_KINDS {
        // Holding cluster-admin says it all: its other edges are reached through the sink.
        if out.iter().any(|f| f.kind == EdgeKind::ClusterAdminGrant) {
            return;
        }
        match row.discover {
            Discover::Actor(f) => {
                if let Some(a) = &actor {
                    f(ctx, a, out);
                }
            }
            Discover::Node(f) => f(ctx, node, out),
            Discover::With(_) => {}
        }
    }
}

pub fn build(
    inv: &crate::inventory::Inventory,
    az: &Authorizer,
    findings: &Findings,
    pod_security: &PodSecurity,
) -> Graph {
    let t = std::time::Instant::now();
    let ctx = index(inv, az, findings, pod_security);
    super::timing("escalation index", t);
    let t = std::time::Instant::now();

    let mut nodes: Vec<Node> = Vec::new();
    let mut ids: HashMap<Node, usize> = HashMap::new();
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut intern = |n: Node, nodes: &mut Vec<Node>, queue: &mut VecDeque<usize>| -> usize {
        if let Some(&i) = ids.get(&n) {
            return i;
        }
        let i = nodes.len();
        ids.insert(n.clone(), i);
        nodes.push(n);
        queue.push_back(i);
        i
    };
    // Seeds: every identity, in a stable order.
    let mut seeds: Vec<Node> = Vec::new();
    let mut accounts: Vec<(&String, &std::collections::BTreeSet<String>)> =
        ctx.accounts.iter().collect();
    accounts.sort();
    for (ns, names) in accounts {
        seeds.extend(names.iter().map(|n| Node::service_account(ns, n)));
    }
    seeds.extend(ctx.users.iter().map(|u| Node::User { name: u.clone() }));
    seeds.extend(ctx.groups.iter().map(|g| Node::Group { name: g.clone() }));
    for s in seeds {
        intern(s, &mut nodes, &mut queue);
    }

    let mut edges: Vec<Edge> = Vec::new();
    let mut seen: HashSet<(usize, usize, EdgeKind)> = HashSet::new();
    // Expand the queue a batch at a time, in parallel; results are merged in queue order,
    // so the graph is the same as a sequential expansion's.
    while !queue.is_empty() {
        let batch: Vec<usize> = queue.drain(..).collect();
        let results: Vec<Vec<Found>> = batch
            .par_iter()
            .map(|&i| {
                let mut found = Vec::new();
                discover(&ctx, &nodes[i], &mut found);
                found
            })
            .collect();
        for (from, found) in batch.into_iter().zip(results) {
            for f in found {
                if f.to == nodes[from] {
                    continue;
                }
                let to = intern(f.to, &mut nodes, &mut queue);
                if seen.insert((from, to, f.kind)) {
                    edges.push(Edge {
                        from,
                        to,
                        kind: f.kind,
                        evidence: f.evidence,
                        explanation: f.explanation,
                    });
                }
            }
        }
    }

    super::timing("escalation edges", t);
    // Sort nodes, remap, sort edges.
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| &nodes[i]);
    let mut rank = vec![0usize; nodes.len()];
    for (new, &old) in order.iter().enumerate() {
        rank[old] = new;
    }
    let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    let nodes: Vec<Node> = order
        .iter()
        .map(|&old| slots[old].take().expect("each node once"))
        .collect();
    for e in &mut edges {
        e.from = rank[e.from];
        e.to = rank[e.to];
    }
    edges.sort_by_key(|e| (e.from, e.to, e.kind));
    let levels = Levels::new(
        findings,
        nodes.iter().any(|n| matches!(n, Node::RoleHolder { .. })),
    );
    let own = nodes.iter().map(|n| levels.own(n)).collect();
    Graph { nodes, edges, own }
}
