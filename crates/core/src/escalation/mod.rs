//! The escalation graph: which identities an attacker holding one identity can become, step
//! by step, and the most powerful thing it reaches.
//!
//! Nodes are identities (ServiceAccounts, Users, Groups) and a few sinks and stand-ins:
//! `cluster-admin` (everything, cluster-wide), `node` (root on a node), "any ServiceAccount
//! in namespace N" (the `default` account always exists), "namespace admin" and "holder of
//! role R" (what binding oneself to a role, or rewriting one, yields). Edges are the ways one
//! becomes another: mint a token, run a pod as an account, exec into a pod, read a token
//! Secret, impersonate, bind or escalate a role, approve a CSR, proxy to a node, patch an
//! admission webhook. Every edge kind is one row of [`kinds::EDGE_KINDS`], documented there.
//!
//! Every edge is decided by asking the [`Authorizer`](crate::rbac::Authorizer) the exact
//! request the API server would authorize (with the identity's full [`UserInfo`], so group
//! bindings count, and with the object name, so `resourceNames` restrictions hold), and
//! carries that evidence: binding, role, rule index, matched catalog rule.
//!
//! This module never parses YAML of its own (it reads the inventory, the authorizer, the
//! findings and, for Pod Security labels, already-parsed Namespace documents) and never
//! prints: [`render`] returns strings.
//!
//! [`UserInfo`]: crate::rbac::UserInfo

mod actor;
mod build;
pub mod kinds;
pub mod render;

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::catalog::RiskLevel;
use crate::document::Document;
use crate::findings::Findings;
use crate::inventory::{Inventory, Origin, RoleKind};
use crate::rbac::Authorizer;

pub use kinds::{EDGE_KINDS, EdgeKind, EdgeKindInfo};

/// A node of the escalation graph. The derived order (kind, then namespace, then name) is
/// the graph's deterministic order, used to break ties between equally short paths.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all_fields = "camelCase")]
pub enum Node {
    ServiceAccount {
        namespace: String,
        name: String,
    },
    User {
        name: String,
    },
    Group {
        name: String,
    },
    /// Acting as any ServiceAccount of `namespace` (`None`: of every namespace). The
    /// `default` account always exists, and other tenants' accounts may too.
    AnyServiceAccount {
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
    },
    /// Code in the running pods of `namespace`'s workloads (`None`: of every namespace), as
    /// exec, attach or an ephemeral container gives.
    RunningPods {
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
    },
    /// Holding the rules of a role at a scope, through a binding the attacker creates.
    RoleHolder {
        role_kind: RoleKind,
        #[serde(skip_serializing_if = "Option::is_none")]
        role_namespace: Option<String>,
        role: String,
        /// Where the binding would apply: `None` cluster-wide, else the namespace.
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
    },
    /// Everything inside `namespace` (`None`: inside every namespace), nothing cluster-scoped.
    NamespaceAdmin {
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
    },
    /// Sink: every permission cluster-wide.
    ClusterAdmin,
    /// Sink: root on a node, hence every pod and token on it.
    Node,
}

impl Node {
    pub fn service_account(namespace: &str, name: &str) -> Node {
        Node::ServiceAccount {
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// True for ServiceAccounts, Users and Groups: the identities summarized per identity.
    pub fn is_identity(&self) -> bool {
        matches!(
            self,
            Node::ServiceAccount { .. } | Node::User { .. } | Node::Group { .. }
        )
    }

    pub fn is_sink(&self) -> bool {
        matches!(self, Node::ClusterAdmin | Node::Node)
    }

    /// Parse a subject the way `can-i --as` spells it: `system:serviceaccount:NS:NAME`,
    /// `group:NAME`, `cluster-admin`, `node`, else a user name.
    pub fn parse_subject(s: &str) -> Node {
        if let Some((ns, name)) = crate::rbac::subjects::parse_service_account_username(s) {
            return Node::service_account(ns, name);
        }
        if let Some(g) = s.strip_prefix("group:") {
            return Node::Group {
                name: g.to_string(),
            };
        }
        match s {
            "cluster-admin" => Node::ClusterAdmin,
            "node" => Node::Node,
            _ => Node::User {
                name: s.strip_prefix("user:").unwrap_or(s).to_string(),
            },
        }
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::ServiceAccount { namespace, name } => {
                write!(f, "ServiceAccount {namespace}/{name}")
            }
            Node::User { name } => write!(f, "User {name}"),
            Node::Group { name } => write!(f, "Group {name}"),
            Node::AnyServiceAccount {
                namespace: Some(ns),
            } => {
                write!(f, "any ServiceAccount in namespace {ns}")
            }
            Node::AnyServiceAccount { namespace: None } => {
                f.write_str("any ServiceAccount in any namespace")
            }
            Node::RunningPods {
                namespace: Some(ns),
            } => {
                write!(f, "running pods in namespace {ns}")
            }
            Node::RunningPods { namespace: None } => f.write_str("running pods in every namespace"),
            Node::RoleHolder {
                role_kind,
                role_namespace,
                role,
                namespace,
            } => {
                let r = match role_namespace {
                    Some(ns) => format!("{} {ns}/{role}", role_kind.as_str()),
                    None => format!("{} {role}", role_kind.as_str()),
                };
                match namespace {
                    Some(ns) => write!(f, "holder of {r} in namespace {ns}"),
                    None => write!(f, "holder of {r} cluster-wide"),
                }
            }
            Node::NamespaceAdmin {
                namespace: Some(ns),
            } => {
                write!(f, "admin of namespace {ns}")
            }
            Node::NamespaceAdmin { namespace: None } => f.write_str("admin of every namespace"),
            Node::ClusterAdmin => f.write_str("cluster-admin"),
            Node::Node => f.write_str("node"),
        }
    }
}

/// Why an edge exists: one permission the API server would check, and what grants it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The request asked, e.g. `create serviceaccounts/token "b" in namespace b`.
    pub request: String,
    /// `RoleBinding/ns/name` or `ClusterRoleBinding/name`; `None` for a binding the attacker
    /// would create (the edges of a role holder or namespace admin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binding: Option<String>,
    /// `Role/ns/name` or `ClusterRole/name`.
    pub role: String,
    /// Index of the allowing rule in the role's effective (aggregated) rules.
    pub rule_index: usize,
    /// The catalog rule matched by the grant, when one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<u32>,
    /// The binding subject that matched (`Group system:serviceaccounts`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// One edge: `from` can become (or act as) `to`. `from`/`to` index [`Escalation::nodes`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// Every permission the step needs (two for combined edges such as bind + write binding);
    /// empty for structural edges (any ServiceAccount → one of them, `system:masters`).
    pub evidence: Vec<Evidence>,
    pub explanation: String,
}

/// One step of a path.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub edge: EdgeKind,
    pub from: Node,
    pub to: Node,
    pub evidence: Vec<Evidence>,
    pub explanation: String,
}

/// The shortest path from an identity to a node.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Path {
    pub from: Node,
    pub to: Node,
    /// The target's risk: Critical for the sinks, else the reached identity's own level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskLevel>,
    pub steps: Vec<Step>,
}

/// Per identity: what it reaches, and how bad the worst of it is.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityEscalation {
    pub identity: Node,
    /// Highest level of its own findings (including its groups' for accounts and users).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_risk: Option<RiskLevel>,
    /// Highest level of everything it reaches, its own included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_risk: Option<RiskLevel>,
    /// Hops to cluster-admin, when reachable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_admin_hops: Option<usize>,
    /// Hops to a node, when reachable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_hops: Option<usize>,
    /// The reached identity (not a sink) with the highest own level, when above its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strongest: Option<Node>,
}

/// The escalation analysis of one input.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Escalation {
    /// Every node, in [`Node`] order.
    pub nodes: Vec<Node>,
    /// Every edge, by `(from, to, kind)`; one edge per triple.
    pub edges: Vec<Edge>,
    /// One entry per identity (ServiceAccount, User, Group) in node order.
    pub identities: Vec<IdentityEscalation>,
    /// The notable path of each identity, in identity order: to cluster-admin, to a node,
    /// else to its strongest reached identity (see [`IdentityEscalation::strongest`]).
    pub paths: Vec<Path>,
    #[serde(skip)]
    index: HashMap<Node, usize>,
    /// Out-edges of each node (indices into `edges`), by target then kind.
    #[serde(skip)]
    out: Vec<Vec<u32>>,
    #[serde(skip)]
    own: Vec<Option<RiskLevel>>,
}

/// The result of a breadth-first search from one node.
#[derive(Clone, Debug)]
pub struct Reach {
    pub source: usize,
    /// Reached nodes (the source excluded) in BFS order: by distance, then discovery.
    pub order: Vec<usize>,
    /// For each node, the edge that first reached it (`u32::MAX`: not reached).
    prev: Vec<u32>,
    dist: Vec<u32>,
}

impl Reach {
    pub fn distance(&self, node: usize) -> Option<usize> {
        (node == self.source || self.prev[node] != u32::MAX).then(|| self.dist[node] as usize)
    }
}

/// Pod Security admission levels of the namespaces the input declares
/// (`pod-security.kubernetes.io/enforce` on `kind: Namespace` objects). Where the level is
/// `baseline` or `restricted`, privileged pods and host paths are rejected; anywhere else
/// (no Namespace object, no label, `privileged`) a new pod may be privileged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PodSecurity {
    /// Namespace → enforce level, as written.
    pub enforce: std::collections::BTreeMap<String, String>,
}

/// The label Pod Security admission enforces.
pub const POD_SECURITY_ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

impl PodSecurity {
    /// Read the Namespace objects among parsed documents (other kinds are ignored).
    pub fn from_documents(documents: &[Document]) -> PodSecurity {
        let mut ps = PodSecurity::default();
        for doc in documents {
            let v = &doc.value;
            if v.get("kind").and_then(|k| k.as_str()) != Some("Namespace") {
                continue;
            }
            let meta = v.get("metadata");
            let name = meta.and_then(|m| m.get("name")).and_then(|n| n.as_str());
            let level = meta
                .and_then(|m| m.get("labels"))
                .and_then(|l| l.get(POD_SECURITY_ENFORCE_LABEL))
                .and_then(|l| l.as_str());
            if let (Some(name), Some(level)) = (name, level) {
                ps.enforce.insert(name.to_string(), level.to_string());
            }
        }
        ps
    }

    /// True where privileged pods and host paths are rejected.
    pub fn forbids_privileged(&self, namespace: &str) -> bool {
        matches!(
            self.enforce.get(namespace).map(String::as_str),
            Some("baseline" | "restricted")
        )
    }
}

/// Run the escalation analysis on a finished [`Analysis`]. Pod Security labels are read
/// from `analysis.loaded.documents` when they are still there; without them every
/// namespace may run privileged pods (use [`analyze_escalation_parts`] to pass them).
pub fn analyze_escalation(analysis: &Analysis) -> Escalation {
    analyze_escalation_parts(
        &analysis.inventory,
        &analysis.authorizer,
        &analysis.findings,
        &analysis.pod_security,
    )
}

/// The same from its parts.
pub fn analyze_escalation_parts(
    inventory: &Inventory,
    authorizer: &Authorizer,
    findings: &Findings,
    pod_security: &PodSecurity,
) -> Escalation {
    let t = std::time::Instant::now();
    let graph = build::build(inventory, authorizer, findings, pod_security);
    timing("escalation graph", t);
    let mut esc = Escalation {
        index: graph
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect(),
        nodes: graph.nodes,
        edges: graph.edges,
        own: graph.own,
        out: Vec::new(),
        identities: Vec::new(),
        paths: Vec::new(),
    };
    esc.out = vec![Vec::new(); esc.nodes.len()];
    for (i, e) in esc.edges.iter().enumerate() {
        esc.out[e.from].push(i as u32);
    }
    let t = std::time::Instant::now();
    esc.summarize();
    timing("escalation paths", t);
    esc
}

/// With `RBAC_LENS_TIMINGS` set, print how long a stage took (for profiling).
pub(crate) fn timing(stage: &str, since: std::time::Instant) {
    if std::env::var_os("RBAC_LENS_TIMINGS").is_some() {
        eprintln!("timing: {stage}: {:.3} s", since.elapsed().as_secs_f64());
    }
}

impl Escalation {
    /// The index of a node, if the graph has it.
    pub fn node_index(&self, node: &Node) -> Option<usize> {
        self.index.get(node).copied()
    }

    /// The node's own risk level (Critical for the sinks).
    pub fn own_risk(&self, node: usize) -> Option<RiskLevel> {
        self.own[node]
    }

    /// Out-edges of a node, by target then kind.
    pub fn out_edges(&self, node: usize) -> impl Iterator<Item = &Edge> {
        self.out[node].iter().map(|&e| &self.edges[e as usize])
    }

    /// Breadth-first search from `source`. Neighbours are visited in node order, so the
    /// shortest path found is deterministic. Cycles terminate: each node is visited once.
    pub fn reach(&self, source: usize) -> Reach {
        let n = self.nodes.len();
        let mut r = Reach {
            source,
            order: Vec::new(),
            prev: vec![u32::MAX; n],
            dist: vec![0; n],
        };
        let mut seen = vec![false; n];
        self.bfs(source, &mut seen, &mut r.prev, &mut r.dist, &mut r.order);
        r
    }

    fn bfs(
        &self,
        source: usize,
        seen: &mut [bool],
        prev: &mut [u32],
        dist: &mut [u32],
        order: &mut Vec<usize>,
    ) {
        let mut queue = VecDeque::new();
        seen[source] = true;
        dist[source] = 0;
        queue.push_back(source);
        while let Some(u) = queue.pop_front() {
            for &e in &self.out[u] {
                let v = self.edges[e as usize].to;
                if !seen[v] {
                    seen[v] = true;
                    prev[v] = e;
                    dist[v] = dist[u] + 1;
                    order.push(v);
                    queue.push_back(v);
                }
            }
        }
    }

    /// The shortest path to `to` found by `reach`, `None` if unreachable (or `to` is the source).
    pub fn path(&self, reach: &Reach, to: usize) -> Option<Path> {
        if to == reach.source || reach.prev[to] == u32::MAX {
            return None;
        }
        let mut steps = Vec::new();
        let mut at = to;
        while at != reach.source {
            let e = &self.edges[reach.prev[at] as usize];
            steps.push(Step {
                edge: e.kind,
                from: self.nodes[e.from].clone(),
                to: self.nodes[e.to].clone(),
                evidence: e.evidence.clone(),
                explanation: e.explanation.clone(),
            });
            at = e.from;
        }
        steps.reverse();
        Some(Path {
            from: self.nodes[reach.source].clone(),
            to: self.nodes[to].clone(),
            risk: self.own[to],
            steps,
        })
    }

    /// The shortest path between two nodes, if any.
    pub fn shortest_path(&self, from: usize, to: usize) -> Option<Path> {
        self.path(&self.reach(from), to)
    }

    /// The summary of an identity, by node index.
    pub fn identity(&self, node: usize) -> Option<&IdentityEscalation> {
        let target = &self.nodes[node];
        self.identities
            .binary_search_by(|i| i.identity.cmp(target))
            .ok()
            .map(|i| &self.identities[i])
    }

    /// Distance from every node to the nearest of `targets` (`u32::MAX`: none reachable),
    /// by one breadth-first search over reversed edges.
    fn distance_to(&self, rev: &[Vec<u32>], targets: impl Iterator<Item = usize>) -> Vec<u32> {
        let mut dist = vec![u32::MAX; self.nodes.len()];
        let mut queue = VecDeque::new();
        for t in targets {
            if dist[t] == u32::MAX {
                dist[t] = 0;
                queue.push_back(t);
            }
        }
        while let Some(v) = queue.pop_front() {
            for &e in &rev[v] {
                let u = self.edges[e as usize].from;
                if dist[u] == u32::MAX {
                    dist[u] = dist[v] + 1;
                    queue.push_back(u);
                }
            }
        }
        dist
    }

    /// A shortest path down `dist` (from [`Escalation::distance_to`]): at each node, the
    /// first out-edge (by target, then kind) one step closer. Deterministic.
    fn descend(&self, from: usize, dist: &[u32]) -> Option<Path> {
        if dist[from] == u32::MAX || dist[from] == 0 {
            return None;
        }
        let mut steps = Vec::new();
        let mut at = from;
        while dist[at] > 0 {
            let e = self.out[at]
                .iter()
                .map(|&e| &self.edges[e as usize])
                .find(|e| dist[e.to] == dist[at] - 1)
                .expect("a node at distance d has a neighbour at d-1");
            steps.push(Step {
                edge: e.kind,
                from: self.nodes[e.from].clone(),
                to: self.nodes[e.to].clone(),
                evidence: e.evidence.clone(),
                explanation: e.explanation.clone(),
            });
            at = e.to;
        }
        Some(Path {
            from: self.nodes[from].clone(),
            to: self.nodes[at].clone(),
            risk: self.own[at],
            steps,
        })
    }

    /// Every identity's summary and notable paths, in time linear in the graph: one
    /// reverse search per sink and per risk level (instead of one search per identity).
    fn summarize(&mut self) {
        let n = self.nodes.len();
        let mut rev: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, e) in self.edges.iter().enumerate() {
            rev[e.to].push(i as u32);
        }
        let none = vec![u32::MAX; n];
        let to_ca = match self.node_index(&Node::ClusterAdmin) {
            Some(ca) => self.distance_to(&rev, std::iter::once(ca)),
            None => none.clone(),
        };
        let to_node = match self.node_index(&Node::Node) {
            Some(nd) => self.distance_to(&rev, std::iter::once(nd)),
            None => none.clone(),
        };
        // Per level: distance to the nearest node of that own level (any node), and to the
        // nearest non-sink node of that level (the candidates for "strongest").
        let levels: Vec<(RiskLevel, Vec<u32>, Vec<u32>)> = RiskLevel::ALL
            .iter()
            .rev()
            .map(|&l| {
                let all = self.distance_to(&rev, (0..n).filter(|&v| self.own[v] == Some(l)));
                let ids = self.distance_to(
                    &rev,
                    (0..n).filter(|&v| self.own[v] == Some(l) && !self.nodes[v].is_sink()),
                );
                (l, all, ids)
            })
            .collect();
        let mut identities = Vec::new();
        let mut paths = Vec::new();
        for s in 0..n {
            if !self.nodes[s].is_identity() {
                continue;
            }
            let own = self.own[s];
            // `s` is in a level's target set only when that level is its own, so a finite
            // distance means "reached" for every level above it.
            let effective = levels
                .iter()
                .find(|(_, all, _)| all[s] != u32::MAX)
                .map(|(l, _, _)| *l)
                .max(own);
            let strongest = levels
                .iter()
                .find(|(l, _, ids)| Some(*l) > own && ids[s] != u32::MAX)
                .and_then(|(_, _, ids)| self.descend(s, ids));
            let hops = |d: &[u32]| (d[s] != u32::MAX && d[s] > 0).then_some(d[s] as usize);
            let (ca_hops, node_hops) = (hops(&to_ca), hops(&to_node));
            let before = paths.len();
            if ca_hops.is_some() {
                paths.extend(self.descend(s, &to_ca));
            }
            if node_hops.is_some() {
                paths.extend(self.descend(s, &to_node));
            }
            if paths.len() == before {
                paths.extend(strongest.clone());
            }
            identities.push(IdentityEscalation {
                identity: self.nodes[s].clone(),
                own_risk: own,
                effective_risk: effective,
                cluster_admin_hops: ca_hops,
                node_hops,
                strongest: strongest.map(|p| p.to),
            });
        }
        self.identities = identities;
        self.paths = paths;
    }
}
