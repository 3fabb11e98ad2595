//! The edge kinds: one row of [`EDGE_KINDS`] per way of becoming another identity, each
//! with its documentation, its catalog rules and the function that finds its edges.
//!
//! Adding an edge kind: add a variant to [`EdgeKind`] (its doc comment is its documentation),
//! a row to [`EDGE_KINDS`], and a `discover` function that asks the actor the exact requests
//! the API server checks; then a scenario with a near miss in `tests/escalation.rs`.
//!
//! Judgements shared by several kinds:
//! - A pod may be privileged or mount host paths unless a Namespace object in the input
//!   carries `pod-security.kubernetes.io/enforce: baseline` or `restricted`. No admission
//!   information counts as "may" (a cluster without Pod Security admission accepts them).
//! - A name-restricted grant reaches only the named objects; an object the input does not
//!   contain is still a target when named explicitly (it may exist in the cluster), except
//!   where the name must match an object of the input (a workload to rewrite, a role to
//!   bind: binding a missing role grants nothing today).
//! - Cluster-scoped requests (`users`, `groups`, `nodes/proxy`, webhook configurations,
//!   CSRs, ClusterRoleBindings) are asked with namespace `""`, so a RoleBinding never
//!   allows them, exactly as in the API server.

use serde::{Deserialize, Serialize};

use crate::inventory::RoleKind;
use crate::rbac::subjects::{MASTERS_GROUP, parse_service_account_username};

use super::Node;
use super::actor::{ANY_NAME, Actor, Ctx, Ns, Power};

const RBAC: &str = "rbac.authorization.k8s.io";
const CERTS: &str = "certificates.k8s.io";
const ADMISSION: &str = "admissionregistration.k8s.io";

/// The ways one node becomes (or acts as) another. Serialized in kebab-case
/// (`mint-token`, ...). The order is the tie-break order between parallel edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// Holds `*` verbs on `*` resources of `*` groups cluster-wide: it *is* cluster-admin.
    ClusterAdminGrant,
    /// Group `system:masters`: kube-apiserver allows it everything before RBAC is asked.
    SuperuserGroup,
    /// Structural: cluster-admin can run a privileged pod on any node. (An identity that
    /// holds cluster-admin gets only its `cluster-admin-grant` edge: everything else it could
    /// do is reached through cluster-admin.)
    ClusterAdminNode,
    /// `create serviceaccounts/token` (core group, TokenRequest): a token for the named
    /// accounts, or for any account in scope. `resourceNames` restrict it to those accounts.
    MintToken,
    /// `create` pods or any pod controller (deployments, daemonsets, statefulsets,
    /// replicasets, replicationcontrollers, jobs, cronjobs), or `update`/`patch` a controller
    /// (its pod template, service account included): run a pod as any account of the
    /// namespace. A create cannot be restricted by name; a name-restricted update counts
    /// only for a controller of that name in the input.
    CreateWorkload,
    /// The same pod creation, where the pod may be privileged or mount host paths: root on
    /// a node. Not where the input labels the namespace Pod Security `baseline`/`restricted`.
    PrivilegedPod,
    /// `create pods/exec`, `create pods/attach`, `update`/`patch pods/ephemeralcontainers`,
    /// or `update`/`patch pods` (swap a container image): code inside the running pods of the
    /// namespace's workloads, hence their account when its token is mounted, and the node
    /// when the workload is privileged, uses hostPID or mounts host paths. A name
    /// restriction reaches only a bare Pod of that name (controller pods have random names).
    ExecPod,
    /// `get`/`list`/`watch secrets` on a legacy token Secret
    /// (`kubernetes.io/service-account-token`) present in the input: its account.
    ReadTokenSecret,
    /// `create secrets` plus `get`/`list`/`watch` on secrets in a namespace: create a
    /// token Secret for any account there, let the token controller fill it, read it back.
    ForgeTokenSecret,
    /// `impersonate users` (cluster-scoped): the named users, or every user of the input.
    ImpersonateUser,
    /// `impersonate serviceaccounts` in a namespace: the named accounts, or any there.
    ImpersonateServiceAccount,
    /// `impersonate groups` **and** impersonating some user or account (the API server
    /// rejects a request with `Impersonate-Group` alone): the group; `system:masters` or any
    /// group is cluster-admin.
    ImpersonateGroup,
    /// `create`/`update`/`patch` (cluster)rolebindings **and** `bind` on the role: bind
    /// oneself to it. `cluster-admin` (or any ClusterRole) through a ClusterRoleBinding is
    /// cluster-admin, through a RoleBinding namespace admin; another existing role makes
    /// one its holder at that scope. Without `bind`, the API server only lets one bind
    /// roles whose permissions one already has: no gain.
    BindRole,
    /// `escalate` on a role plus the right to write it: either `update`/`patch` a role one is
    /// already bound to (adding any rule), or create a new role and bind it (`bind` and
    /// binding write needed too). Cluster-admin for a ClusterRoleBinding scope, namespace
    /// admin for a RoleBinding's. Aggregated ClusterRoles are skipped (the controller
    /// overwrites their rules).
    EscalateRole,
    /// `create certificatesigningrequests`, `update`/`patch certificatesigningrequests/approval`
    /// and `approve` on signer `kubernetes.io/kube-apiserver-client` (or `kubernetes.io/*`):
    /// a client certificate for any user and group, `system:masters` included. The signer
    /// `kubernetes.io/kube-apiserver-client-kubelet` gives a node's identity instead.
    ApproveCsr,
    /// `get` (or `create`) `nodes/proxy`: the kubelet API through the API server proxy, whose
    /// `/exec` and `/run` execute commands in any pod of the node.
    NodeProxy,
    /// `create`/`update`/`patch` mutating or validating webhook configurations: the webhook
    /// sees (and, mutating, rewrites) every pod and Secret written in the cluster, so it
    /// captures or injects into any account's pods.
    AdmissionWebhook,
    /// `update`/`patch` namespaces (the object itself; a RoleBinding in N covers namespace N):
    /// drop the Pod Security labels, so privileged pods are admitted there.
    RelaxPodSecurity,
    /// Structural: "any ServiceAccount in N" includes each account of N (`default` always);
    /// "any ServiceAccount in any namespace" includes every namespace's.
    AnyServiceAccount,
    /// Structural: code in the running pods of N acts as each workload's account whose token
    /// is mounted, and is root on a node where a workload is privileged, uses hostPID or
    /// mounts host paths; "running pods in every namespace" includes every namespace's.
    RunningPod,
}

type ActorFn = fn(&Ctx<'_>, &Actor, &mut Vec<Found>);
type NodeFn = fn(&Ctx<'_>, &Node, &mut Vec<Found>);

/// How a row finds its edges.
#[derive(Clone, Copy)]
pub enum Discover {
    /// From what the node may do (identities, role holders, namespace admins).
    Actor(ActorFn),
    /// From what the node is (structural edges).
    Node(NodeFn),
    /// Found by the row of another kind, in the same pass (shared questions).
    With(EdgeKind),
}

/// One row of the table.
pub struct EdgeKindInfo {
    pub kind: EdgeKind,
    /// Short description for listings (`rbac-lens paths --help`, docs).
    pub summary: &'static str,
    /// Catalog rules that describe the permissions involved, cluster-wide variant first.
    pub catalog: &'static [u32],
    pub discover: Discover,
}

/// Every edge kind, in tie-break order.
pub const EDGE_KINDS: &[EdgeKindInfo] = &[
    EdgeKindInfo {
        kind: EdgeKind::ClusterAdminGrant,
        summary: "holds * on * cluster-wide",
        catalog: &[1060],
        discover: Discover::Actor(cluster_admin_grant),
    },
    EdgeKindInfo {
        kind: EdgeKind::SuperuserGroup,
        summary: "group system:masters",
        catalog: &[],
        discover: Discover::Node(superuser_group),
    },
    EdgeKindInfo {
        kind: EdgeKind::ClusterAdminNode,
        summary: "cluster-admin runs a privileged pod",
        catalog: &[],
        discover: Discover::Node(cluster_admin_node),
    },
    EdgeKindInfo {
        kind: EdgeKind::MintToken,
        summary: "create serviceaccounts/token",
        catalog: &[1048, 1047],
        discover: Discover::Actor(mint_token),
    },
    EdgeKindInfo {
        kind: EdgeKind::CreateWorkload,
        summary: "create pods or pod controllers",
        catalog: &[
            1006, 1007, 1033, 1034, 1035, 1036, 1037, 1038, 1041, 1042, 1039, 1040,
        ],
        discover: Discover::Actor(create_workload),
    },
    EdgeKindInfo {
        kind: EdgeKind::PrivilegedPod,
        summary: "create a privileged pod",
        catalog: &[1006, 1007, 1035, 1036],
        discover: Discover::With(EdgeKind::CreateWorkload),
    },
    EdgeKindInfo {
        kind: EdgeKind::ExecPod,
        summary: "exec/attach/ephemeral container/image swap in running pods",
        catalog: &[1000, 1001, 1002, 1003, 1020, 1021, 1008, 1009],
        discover: Discover::Actor(exec_pod),
    },
    EdgeKindInfo {
        kind: EdgeKind::ReadTokenSecret,
        summary: "read a legacy token Secret",
        catalog: &[1010, 1011],
        discover: Discover::Actor(read_token_secret),
    },
    EdgeKindInfo {
        kind: EdgeKind::ForgeTokenSecret,
        summary: "create and read a token Secret",
        catalog: &[1012, 1013],
        discover: Discover::Actor(forge_token_secret),
    },
    EdgeKindInfo {
        kind: EdgeKind::ImpersonateUser,
        summary: "impersonate users",
        catalog: &[1066],
        discover: Discover::Actor(impersonate_user),
    },
    EdgeKindInfo {
        kind: EdgeKind::ImpersonateServiceAccount,
        summary: "impersonate serviceaccounts",
        catalog: &[1066],
        discover: Discover::Actor(impersonate_service_account),
    },
    EdgeKindInfo {
        kind: EdgeKind::ImpersonateGroup,
        summary: "impersonate groups (with a user)",
        catalog: &[1066],
        discover: Discover::Actor(impersonate_group),
    },
    EdgeKindInfo {
        kind: EdgeKind::BindRole,
        summary: "bind + write (cluster)rolebindings",
        catalog: &[1032, 1028, 1030],
        discover: Discover::Actor(bind_role),
    },
    EdgeKindInfo {
        kind: EdgeKind::EscalateRole,
        summary: "escalate + write (cluster)roles",
        catalog: &[1031, 1027, 1029],
        discover: Discover::Actor(escalate_role),
    },
    EdgeKindInfo {
        kind: EdgeKind::ApproveCsr,
        summary: "create + approve CSRs for a client signer",
        catalog: &[1052, 1053],
        discover: Discover::Actor(approve_csr),
    },
    EdgeKindInfo {
        kind: EdgeKind::NodeProxy,
        summary: "get nodes/proxy",
        catalog: &[1104, 1014],
        discover: Discover::Actor(node_proxy),
    },
    EdgeKindInfo {
        kind: EdgeKind::AdmissionWebhook,
        summary: "write admission webhook configurations",
        catalog: &[1043, 1044],
        discover: Discover::Actor(admission_webhook),
    },
    EdgeKindInfo {
        kind: EdgeKind::RelaxPodSecurity,
        summary: "update/patch namespaces (Pod Security labels)",
        catalog: &[],
        discover: Discover::Actor(relax_pod_security),
    },
    EdgeKindInfo {
        kind: EdgeKind::AnyServiceAccount,
        summary: "any ServiceAccount includes this one",
        catalog: &[],
        discover: Discover::Node(any_service_account),
    },
    EdgeKindInfo {
        kind: EdgeKind::RunningPod,
        summary: "running pods act as their accounts",
        catalog: &[],
        discover: Discover::Node(running_pods),
    },
];

impl EdgeKind {
    pub fn info(self) -> &'static EdgeKindInfo {
        EDGE_KINDS
            .iter()
            .find(|k| k.kind == self)
            .expect("every edge kind has a row")
    }

    /// The kebab-case name (`mint-token`).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// An edge found by a row, before interning.
pub struct Found {
    pub to: Node,
    pub kind: EdgeKind,
    pub evidence: Vec<super::Evidence>,
    pub explanation: String,
}

fn push(
    out: &mut Vec<Found>,
    kind: EdgeKind,
    to: Node,
    evidence: Vec<super::Evidence>,
    explanation: String,
) {
    out.push(Found {
        to,
        kind,
        evidence,
        explanation,
    });
}

fn any_sa(ns: &Ns) -> Node {
    Node::AnyServiceAccount {
        namespace: ns.option(),
    }
}

/// Catalog candidates: the cluster-wide rule first for cluster-wide questions.
fn ids(ns: &Ns, cluster: u32, namespaced: u32) -> [u32; 2] {
    match ns {
        Ns::Every => [cluster, namespaced],
        Ns::One(_) => [namespaced, cluster],
    }
}

/// Named accounts: in one namespace, or every namespace holding an account of that name.
fn named_accounts(ctx: &Ctx<'_>, ns: &Ns, name: &str) -> Vec<Node> {
    match ns {
        Ns::One(ns) => vec![Node::service_account(ns, name)],
        Ns::Every => ctx
            .accounts_by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|ns| Node::service_account(ns, name))
            .collect(),
    }
}

fn cluster_admin_grant(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    if !a.cluster {
        return;
    }
    if let Some(e) = a.can(ctx, &crate::rbac::Request::resource("*", "*", "*"), &[1060]) {
        push(
            out,
            EdgeKind::ClusterAdminGrant,
            Node::ClusterAdmin,
            vec![e],
            "holds every verb on every resource cluster-wide".into(),
        );
    }
}

fn superuser_group(_: &Ctx<'_>, node: &Node, out: &mut Vec<Found>) {
    if matches!(node, Node::Group { name } if name == MASTERS_GROUP) {
        push(
            out,
            EdgeKind::SuperuserGroup,
            Node::ClusterAdmin,
            Vec::new(),
            "members of system:masters are allowed everything by kube-apiserver before RBAC is asked"
                .into(),
        );
    }
}

fn cluster_admin_node(_: &Ctx<'_>, node: &Node, out: &mut Vec<Found>) {
    if *node == Node::ClusterAdmin {
        push(
            out,
            EdgeKind::ClusterAdminNode,
            Node::Node,
            Vec::new(),
            "cluster-admin creates a privileged pod on any node".into(),
        );
    }
}

fn mint_token(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    for ns in &a.namespaces {
        let c = ids(ns, 1048, 1047);
        let (any, named) = a.named(
            ctx,
            &["create"],
            "",
            "serviceaccounts/token",
            ns.as_request_ns(),
            &c,
        );
        if let Some(e) = any {
            push(
                out,
                EdgeKind::MintToken,
                any_sa(ns),
                vec![e],
                format!(
                    "creates a token (TokenRequest) for any ServiceAccount in {}",
                    ns.describe()
                ),
            );
            continue;
        }
        for (name, e) in named {
            for to in named_accounts(ctx, ns, &name) {
                push(
                    out,
                    EdgeKind::MintToken,
                    to.clone(),
                    vec![e.clone()],
                    format!("creates a token (TokenRequest) for {to}"),
                );
            }
        }
    }
}

/// Pod-running resources: (group, resource, kind, cluster-wide rule, namespaced rule).
const WORKLOAD_RESOURCES: &[(&str, &str, &str, u32, u32)] = &[
    ("", "pods", "Pod", 1006, 1007),
    ("apps", "deployments", "Deployment", 1033, 1034),
    ("apps", "daemonsets", "DaemonSet", 1035, 1036),
    ("apps", "statefulsets", "StatefulSet", 1037, 1038),
    ("apps", "replicasets", "ReplicaSet", 0, 0),
    ("", "replicationcontrollers", "ReplicationController", 0, 0),
    ("batch", "jobs", "Job", 1041, 1042),
    ("batch", "cronjobs", "CronJob", 1039, 1040),
];

/// Where the actor can run a pod with a service account of its choice: (namespace,
/// evidence, how).
fn pod_launch(ctx: &Ctx<'_>, a: &Actor) -> Vec<(Ns, super::Evidence, String)> {
    let mut out = Vec::new();
    for ns in &a.namespaces {
        let rns = ns.as_request_ns();
        let created = WORKLOAD_RESOURCES.iter().find_map(|&(g, r, kind, c, n)| {
            a.can_verbs(ctx, &["create"], (g, r), rns, "", &ids(ns, c, n))
                .map(|e| (e, format!("creates a {kind} in {}", ns.describe())))
        });
        if let Some((e, how)) = created {
            out.push((ns.clone(), e, how));
            continue;
        }
        let mut named_updates = Vec::new();
        for &(g, r, kind, c, n) in &WORKLOAD_RESOURCES[1..] {
            let (any, named) = a.named(ctx, &["update", "patch"], g, r, rns, &ids(ns, c, n));
            if let Some(e) = any {
                named_updates.clear();
                out.push((
                    ns.clone(),
                    e,
                    format!(
                        "rewrites the pod template of any {kind} in {}",
                        ns.describe()
                    ),
                ));
                break;
            }
            named_updates.extend(named.into_iter().map(|(name, e)| (kind, name, e)));
        }
        for (kind, name, e) in named_updates {
            for w in ctx.workloads_in(ns) {
                if w.kind == kind && w.name == name {
                    out.push((
                        Ns::One(w.namespace.clone()),
                        e.clone(),
                        format!(
                            "rewrites the pod template of {kind} {}/{}",
                            w.namespace, w.name
                        ),
                    ));
                }
            }
        }
    }
    out
}

fn create_workload(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    for (ns, e, how) in pod_launch(ctx, a) {
        push(
            out,
            EdgeKind::CreateWorkload,
            any_sa(&ns),
            vec![e.clone()],
            format!("{how} whose pods run as any ServiceAccount there (spec.serviceAccountName)"),
        );
        if ctx.privileged_allowed(&ns) {
            push(
                out,
                EdgeKind::PrivilegedPod,
                Node::Node,
                vec![e],
                format!(
                    "{how} with a privileged container (or hostPID, or the host's / mounted): \
                     nothing in the input forbids it there (no Pod Security baseline/restricted label)"
                ),
            );
        }
    }
}

/// Ways into a running pod: (verbs, resource, cluster-wide rule, namespaced rule, how).
const POD_ACCESS: &[(&[&str], &str, u32, u32, &str)] = &[
    (&["create"], "pods/exec", 1000, 1001, "execs into"),
    (&["create"], "pods/attach", 1002, 1003, "attaches to"),
    (
        &["update", "patch"],
        "pods/ephemeralcontainers",
        1020,
        1021,
        "adds an ephemeral container to",
    ),
    (
        &["update", "patch"],
        "pods",
        1008,
        1009,
        "swaps a container image of",
    ),
];

fn exec_pod(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    for ns in &a.namespaces {
        let workloads = ctx.workloads_in(ns);
        if workloads.is_empty() {
            continue;
        }
        let mut any_done = false;
        for &(verbs, resource, c, n, how) in POD_ACCESS {
            let rns = ns.as_request_ns();
            let (any, named) = a.named(ctx, verbs, "", resource, rns, &ids(ns, c, n));
            if let Some(e) = any {
                // One edge to the namespace's running pods, which lead to each account.
                if !any_done {
                    push(
                        out,
                        EdgeKind::ExecPod,
                        Node::RunningPods {
                            namespace: ns.option(),
                        },
                        vec![e],
                        format!("{how} any running pod in {}", ns.describe()),
                    );
                    any_done = true;
                }
                continue;
            }
            for (name, e) in named {
                for w in workloads
                    .iter()
                    .filter(|w| w.kind == "Pod" && w.name == name)
                {
                    pod_targets(ctx, w, EdgeKind::ExecPod, how, &e, out);
                }
            }
        }
    }
}

/// What code inside a workload's pod becomes: its account (token mounted), the node
/// (privileged, hostPID, host paths).
fn pod_targets(
    ctx: &Ctx<'_>,
    w: &crate::inventory::Workload,
    kind: EdgeKind,
    how: &str,
    e: &super::Evidence,
    out: &mut Vec<Found>,
) {
    let what = format!("{} {}/{}", w.kind, w.namespace, w.name);
    let evidence = || {
        if kind == EdgeKind::RunningPod {
            Vec::new()
        } else {
            vec![e.clone()]
        }
    };
    if ctx.mounts_token(w) {
        push(
            out,
            kind,
            Node::service_account(&w.namespace, &w.service_account),
            evidence(),
            format!("{how} a pod of {what}, which runs as this account with its token mounted"),
        );
    }
    if w.privileged() || w.host_pid || !w.host_paths.is_empty() {
        push(
            out,
            kind,
            Node::Node,
            evidence(),
            format!(
                "{how} a pod of {what}, which is privileged, uses hostPID or mounts host paths: root on its node"
            ),
        );
    }
}

fn running_pods(ctx: &Ctx<'_>, node: &Node, out: &mut Vec<Found>) {
    match node {
        Node::RunningPods {
            namespace: Some(ns),
        } => {
            let placeholder = super::Evidence {
                request: String::new(),
                binding: None,
                role: String::new(),
                rule_index: 0,
                rule_id: None,
                subject: None,
                origin: None,
            };
            for w in ctx.workloads_in(&Ns::One(ns.clone())) {
                pod_targets(ctx, w, EdgeKind::RunningPod, "code in", &placeholder, out);
            }
        }
        Node::RunningPods { namespace: None } => {
            let mut nss: Vec<&String> = ctx.workloads.keys().collect();
            nss.sort();
            for ns in nss {
                push(
                    out,
                    EdgeKind::RunningPod,
                    Node::RunningPods {
                        namespace: Some(ns.clone()),
                    },
                    Vec::new(),
                    format!("running pods in every namespace include namespace {ns}'s"),
                );
            }
        }
        _ => {}
    }
}

const READ: &[&str] = &["get", "list", "watch"];

fn read_token_secret(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    for ns in &a.namespaces {
        let secrets = ctx.token_secrets_in(ns);
        if secrets.is_empty() {
            continue;
        }
        let c = ids(ns, 1010, 1011);
        let any = match ns {
            Ns::Every => a.can_verbs(ctx, READ, ("", "secrets"), ns.as_request_ns(), ANY_NAME, &c),
            Ns::One(_) => None,
        };
        for t in secrets {
            let e = match (&any, ns) {
                (Some(e), _) => Some(e.clone()),
                (None, Ns::Every) if a.names.binary_search(&t.name).is_err() => None,
                // The exact question: this Secret's name in its namespace.
                _ => a.can_verbs(ctx, READ, ("", "secrets"), &t.namespace, &t.name, &c),
            };
            if let Some(e) = e {
                push(
                    out,
                    EdgeKind::ReadTokenSecret,
                    Node::service_account(&t.namespace, &t.service_account),
                    vec![e],
                    format!(
                        "reads the legacy token Secret {}/{} of this account",
                        t.namespace, t.name
                    ),
                );
            }
        }
    }
}

fn forge_token_secret(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    for ns in &a.namespaces {
        let rns = ns.as_request_ns();
        let Some(create) = a.can_verbs(
            ctx,
            &["create"],
            ("", "secrets"),
            rns,
            "",
            &ids(ns, 1012, 1013),
        ) else {
            continue;
        };
        // The attacker names the Secret, so a name-restricted read of that name suffices.
        let Some(read) = a.some_name(ctx, READ, "", "secrets", rns, &ids(ns, 1010, 1011)) else {
            continue;
        };
        push(
            out,
            EdgeKind::ForgeTokenSecret,
            any_sa(ns),
            vec![create, read],
            format!(
                "creates a kubernetes.io/service-account-token Secret for any ServiceAccount in {}; \
                 the token controller fills in a token, which it reads back",
                ns.describe()
            ),
        );
    }
}

/// Users the actor may impersonate: (any user, named non-account users).
fn impersonable_users(
    ctx: &Ctx<'_>,
    a: &Actor,
) -> (Option<super::Evidence>, Vec<(String, super::Evidence)>) {
    if !a.cluster {
        return (None, Vec::new());
    }
    let (any, named) = a.named(ctx, &["impersonate"], "", "users", "", &[1066]);
    // `Impersonate-User: system:serviceaccount:...` is checked on serviceaccounts instead.
    let named = named
        .into_iter()
        .filter(|(n, _)| parse_service_account_username(n).is_none())
        .collect();
    (any, named)
}

fn impersonate_user(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    let (any, named) = impersonable_users(ctx, a);
    if let Some(e) = any {
        for u in &ctx.users {
            push(
                out,
                EdgeKind::ImpersonateUser,
                Node::User { name: u.clone() },
                vec![e.clone()],
                format!("impersonates user {u} (Impersonate-User; any user allowed)"),
            );
        }
        return;
    }
    for (u, e) in named {
        push(
            out,
            EdgeKind::ImpersonateUser,
            Node::User { name: u.clone() },
            vec![e],
            format!("impersonates user {u} (Impersonate-User)"),
        );
    }
}

/// Account impersonation per namespace: (namespace, any, named).
type SaImpersonation = Vec<(Ns, Option<super::Evidence>, Vec<(String, super::Evidence)>)>;

fn impersonable_accounts(ctx: &Ctx<'_>, a: &Actor) -> SaImpersonation {
    a.namespaces
        .iter()
        .map(|ns| {
            let (any, named) = a.named(
                ctx,
                &["impersonate"],
                "",
                "serviceaccounts",
                ns.as_request_ns(),
                &[1066],
            );
            (ns.clone(), any, named)
        })
        .collect()
}

fn impersonate_service_account(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    for (ns, any, named) in impersonable_accounts(ctx, a) {
        if let Some(e) = any {
            push(
                out,
                EdgeKind::ImpersonateServiceAccount,
                any_sa(&ns),
                vec![e],
                format!(
                    "impersonates any ServiceAccount in {} (Impersonate-User: system:serviceaccount:...)",
                    ns.describe()
                ),
            );
            continue;
        }
        for (name, e) in named {
            for to in named_accounts(ctx, &ns, &name) {
                push(
                    out,
                    EdgeKind::ImpersonateServiceAccount,
                    to.clone(),
                    vec![e.clone()],
                    format!("impersonates {to} (Impersonate-User: system:serviceaccount:...)"),
                );
            }
        }
    }
}

fn impersonate_group(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    if !a.cluster {
        return;
    }
    let (any_g, named_g) = a.named(ctx, &["impersonate"], "", "groups", "", &[1066]);
    if any_g.is_none() && named_g.is_empty() {
        return;
    }
    // A request with Impersonate-Group needs Impersonate-User too.
    let (any_u, named_u) = impersonable_users(ctx, a);
    let user = any_u
        .or_else(|| named_u.into_iter().next().map(|(_, e)| e))
        .or_else(|| {
            impersonable_accounts(ctx, a)
                .into_iter()
                .find_map(|(_, any, named)| {
                    any.or_else(|| named.into_iter().next().map(|(_, e)| e))
                })
        });
    let Some(user) = user else {
        return;
    };
    if let Some(e) = any_g {
        push(
            out,
            EdgeKind::ImpersonateGroup,
            Node::ClusterAdmin,
            vec![e, user],
            "impersonates a user in group system:masters (any group allowed)".into(),
        );
        return;
    }
    for (g, e) in named_g {
        let (to, why) = if g == MASTERS_GROUP {
            (
                Node::ClusterAdmin,
                "impersonates a user in group system:masters, which kube-apiserver allows everything"
                    .to_string(),
            )
        } else {
            (
                Node::Group { name: g.clone() },
                format!("impersonates a user in group {g}"),
            )
        };
        push(
            out,
            EdgeKind::ImpersonateGroup,
            to,
            vec![e, user.clone()],
            why,
        );
    }
}

/// The right to write a binding of `resource` in `ns` (`""` cluster-wide): create, or
/// update/patch any existing one (roleRef is immutable, subjects are not).
fn write_binding(
    ctx: &Ctx<'_>,
    a: &Actor,
    resource: &str,
    ns: &str,
    c: &[u32],
) -> Option<super::Evidence> {
    a.can_verbs(ctx, &["create"], (RBAC, resource), ns, "", c)
        .or_else(|| a.can_verbs(ctx, &["update", "patch"], (RBAC, resource), ns, ANY_NAME, c))
}

fn role_holder(kind: RoleKind, role_ns: Option<&str>, role: &str, scope: Option<String>) -> Node {
    Node::RoleHolder {
        role_kind: kind,
        role_namespace: role_ns.map(str::to_string),
        role: role.to_string(),
        namespace: scope,
    }
}

fn bind_role(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    // Cluster-wide: a ClusterRoleBinding.
    if a.cluster
        && let Some(w) = write_binding(ctx, a, "clusterrolebindings", "", &[1028])
    {
        let (any, named) = a.named(ctx, &["bind"], RBAC, "clusterroles", "", &[1032]);
        if let Some(b) = any {
            push(
                    out,
                    EdgeKind::BindRole,
                    Node::ClusterAdmin,
                    vec![w.clone(), b],
                    "creates a ClusterRoleBinding of ClusterRole cluster-admin to itself (bind allowed on any ClusterRole)"
                        .into(),
                );
        }
        for (r, b) in named {
            if r == "cluster-admin" {
                push(
                    out,
                    EdgeKind::BindRole,
                    Node::ClusterAdmin,
                    vec![w.clone(), b],
                    "creates a ClusterRoleBinding of ClusterRole cluster-admin to itself".into(),
                );
            } else if ctx.az.role(RoleKind::ClusterRole, None, &r).is_some() {
                push(
                    out,
                    EdgeKind::BindRole,
                    role_holder(RoleKind::ClusterRole, None, &r, None),
                    vec![w.clone(), b],
                    format!("creates a ClusterRoleBinding of ClusterRole {r} to itself"),
                );
            }
        }
    }
    // In a namespace: a RoleBinding.
    for ns in &a.namespaces {
        let rns = ns.as_request_ns();
        let Some(w) = write_binding(ctx, a, "rolebindings", rns, &[1030, 1028]) else {
            continue;
        };
        let (any, named) = a.named(ctx, &["bind"], RBAC, "clusterroles", rns, &[1032]);
        if let Some(b) = any {
            push(
                out,
                EdgeKind::BindRole,
                Node::NamespaceAdmin {
                    namespace: ns.option(),
                },
                vec![w.clone(), b],
                format!(
                    "creates a RoleBinding of ClusterRole cluster-admin to itself in {} (bind allowed on any ClusterRole)",
                    ns.describe()
                ),
            );
        } else {
            for (r, b) in named {
                let to = if r == "cluster-admin" {
                    Node::NamespaceAdmin {
                        namespace: ns.option(),
                    }
                } else if ctx.az.role(RoleKind::ClusterRole, None, &r).is_some() {
                    role_holder(RoleKind::ClusterRole, None, &r, ns.option())
                } else {
                    continue;
                };
                push(
                    out,
                    EdgeKind::BindRole,
                    to,
                    vec![w.clone(), b],
                    format!(
                        "creates a RoleBinding of ClusterRole {r} to itself in {}",
                        ns.describe()
                    ),
                );
            }
        }
        // Roles live in one namespace: only a namespace's own roles can be bound there.
        let Ns::One(n) = ns else { continue };
        let (any, named) = a.named(ctx, &["bind"], RBAC, "roles", rns, &[]);
        let roles: Vec<(String, super::Evidence)> = match any {
            Some(b) => ctx
                .az
                .roles()
                .iter()
                .filter(|r| r.kind == RoleKind::Role && r.namespace.as_deref() == Some(n))
                .map(|r| (r.name.clone(), b.clone()))
                .collect(),
            None => named
                .into_iter()
                .filter(|(r, _)| ctx.az.role(RoleKind::Role, Some(n), r).is_some())
                .collect(),
        };
        for (r, b) in roles {
            push(
                out,
                EdgeKind::BindRole,
                role_holder(RoleKind::Role, Some(n), &r, Some(n.clone())),
                vec![w.clone(), b],
                format!("creates a RoleBinding of Role {n}/{r} to itself"),
            );
        }
    }
}

fn escalate_role(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    // 1. Rewrite a role the identity is already bound to.
    if let Power::Identity { grants, .. } = &a.power {
        let mut seen = std::collections::BTreeSet::new();
        for &i in grants {
            let g = &ctx.az.grants()[i];
            if !seen.insert((
                g.role_kind,
                g.role_namespace.clone(),
                g.role_name.clone(),
                g.scope.clone(),
            )) {
                continue;
            }
            let aggregated = ctx
                .az
                .role(g.role_kind, g.role_namespace.as_deref(), &g.role_name)
                .is_some_and(|r| r.aggregation.is_some());
            if aggregated {
                continue;
            }
            let (resource, ns, c) = match g.role_kind {
                RoleKind::ClusterRole => ("clusterroles", "", [1027, 1031]),
                RoleKind::Role => (
                    "roles",
                    g.role_namespace.as_deref().unwrap_or(""),
                    [1029, 1031],
                ),
            };
            let Some(w) = a.can_verbs(
                ctx,
                &["update", "patch"],
                (RBAC, resource),
                ns,
                &g.role_name,
                &c,
            ) else {
                continue;
            };
            let Some(e) = a.can_verbs(
                ctx,
                &["escalate"],
                (RBAC, resource),
                ns,
                &g.role_name,
                &[1031],
            ) else {
                continue;
            };
            let to = match &g.scope {
                crate::rbac::Scope::Cluster => Node::ClusterAdmin,
                crate::rbac::Scope::Namespace(n) => Node::NamespaceAdmin {
                    namespace: Some(n.clone()),
                },
            };
            push(
                out,
                EdgeKind::EscalateRole,
                to,
                vec![w, e],
                format!(
                    "adds `*` rules to {} {}, which it is bound to (escalate skips the API server's escalation check)",
                    g.role_kind.as_str(),
                    g.role_name
                ),
            );
        }
    }
    // 2. Create a new role with every permission and bind it.
    if a.cluster {
        let steps = [
            a.can_verbs(ctx, &["create"], (RBAC, "clusterroles"), "", "", &[1027]),
            a.can_verbs(ctx, &["escalate"], (RBAC, "clusterroles"), "", "", &[1031]),
            write_binding(ctx, a, "clusterrolebindings", "", &[1028]),
            a.some_name(ctx, &["bind"], RBAC, "clusterroles", "", &[1032]),
        ];
        if steps.iter().all(Option::is_some) {
            push(
                out,
                EdgeKind::EscalateRole,
                Node::ClusterAdmin,
                steps.into_iter().flatten().collect(),
                "creates a ClusterRole with every permission (escalate) and binds it to itself"
                    .into(),
            );
        }
    }
    for ns in &a.namespaces {
        let rns = ns.as_request_ns();
        let steps = [
            a.can_verbs(ctx, &["create"], (RBAC, "roles"), rns, "", &[1029]),
            a.can_verbs(ctx, &["escalate"], (RBAC, "roles"), rns, "", &[]),
            write_binding(ctx, a, "rolebindings", rns, &[1030]),
            a.some_name(ctx, &["bind"], RBAC, "roles", rns, &[]),
        ];
        if steps.iter().all(Option::is_some) {
            push(
                out,
                EdgeKind::EscalateRole,
                Node::NamespaceAdmin {
                    namespace: ns.option(),
                },
                steps.into_iter().flatten().collect(),
                format!(
                    "creates a Role with every permission in {} (escalate) and binds it to itself",
                    ns.describe()
                ),
            );
        }
    }
}

fn approve_csr(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    if !a.cluster {
        return;
    }
    let Some(create) = a.can_verbs(
        ctx,
        &["create"],
        (CERTS, "certificatesigningrequests"),
        "",
        "",
        &[1053],
    ) else {
        return;
    };
    // The attacker names its CSR, so a name-restricted approval of that name suffices.
    let Some(approve) = a.some_name(
        ctx,
        &["update", "patch"],
        CERTS,
        "certificatesigningrequests/approval",
        "",
        &[1052],
    ) else {
        return;
    };
    for (signer, to, what) in [
        (
            "kubernetes.io/kube-apiserver-client",
            Node::ClusterAdmin,
            "a client certificate with O=system:masters, which kube-apiserver allows everything",
        ),
        (
            "kubernetes.io/kube-apiserver-client-kubelet",
            Node::Node,
            "a kubelet client certificate (system:node:<name>): a node's identity",
        ),
    ] {
        // The approval plugin checks the signer's name, then its `domain/*` wildcard.
        let signed = a
            .can_verbs(ctx, &["approve"], (CERTS, "signers"), "", signer, &[])
            .or_else(|| {
                a.can_verbs(
                    ctx,
                    &["approve"],
                    (CERTS, "signers"),
                    "",
                    "kubernetes.io/*",
                    &[],
                )
            });
        if let Some(s) = signed {
            push(
                out,
                EdgeKind::ApproveCsr,
                to,
                vec![create.clone(), approve.clone(), s],
                format!("creates and approves a CSR for signer {signer}: {what}"),
            );
        }
    }
}

fn node_proxy(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    if !a.cluster {
        return;
    }
    if let Some(e) = a.some_name(
        ctx,
        &["get", "create"],
        "",
        "nodes/proxy",
        "",
        &[1104, 1014],
    ) {
        push(
            out,
            EdgeKind::NodeProxy,
            Node::Node,
            vec![e],
            "reaches the kubelet API through the API server's node proxy and runs commands in any pod of the node (/exec, /run)"
                .into(),
        );
    }
}

fn admission_webhook(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    if !a.cluster {
        return;
    }
    for (resource, id, what) in [
        (
            "mutatingwebhookconfigurations",
            1043,
            "a mutating webhook rewrites every new pod (inject a container, swap the image)",
        ),
        (
            "validatingwebhookconfigurations",
            1044,
            "a validating webhook receives every pod and Secret written (token Secrets included)",
        ),
    ] {
        let e = a
            .can_verbs(ctx, &["create"], (ADMISSION, resource), "", "", &[id])
            .or_else(|| a.some_name(ctx, &["update", "patch"], ADMISSION, resource, "", &[id]));
        if let Some(e) = e {
            push(
                out,
                EdgeKind::AdmissionWebhook,
                Node::AnyServiceAccount { namespace: None },
                vec![e],
                format!("points {resource} at its own server: {what}"),
            );
        }
    }
}

fn relax_pod_security(ctx: &Ctx<'_>, a: &Actor, out: &mut Vec<Found>) {
    let verbs = &["update", "patch"];
    let e = if a.cluster {
        a.some_name(ctx, verbs, "", "namespaces", "", &[])
    } else {
        None
    };
    if let Some(e) = e {
        push(
            out,
            EdgeKind::RelaxPodSecurity,
            Node::Node,
            vec![e],
            "removes the Pod Security labels of a namespace, so privileged pods are admitted there"
                .into(),
        );
        return;
    }
    // Through a RoleBinding in N: the Namespace object N itself (its request namespace is N).
    for ns in &a.namespaces {
        let Ns::One(n) = ns else { continue };
        if let Some(e) = a.can_verbs(ctx, verbs, ("", "namespaces"), n, n, &[]) {
            push(
                out,
                EdgeKind::RelaxPodSecurity,
                Node::Node,
                vec![e],
                format!(
                    "removes the Pod Security labels of namespace {n} (a RoleBinding there covers the Namespace object), so privileged pods are admitted"
                ),
            );
            return;
        }
    }
}

fn any_service_account(ctx: &Ctx<'_>, node: &Node, out: &mut Vec<Found>) {
    match node {
        Node::AnyServiceAccount {
            namespace: Some(ns),
        } => {
            let mut names: Vec<&str> = ctx
                .accounts
                .get(ns)
                .map(|s| s.iter().map(String::as_str).collect())
                .unwrap_or_default();
            if !names.contains(&"default") {
                names.push("default");
            }
            for name in names {
                push(
                    out,
                    EdgeKind::AnyServiceAccount,
                    Node::service_account(ns, name),
                    Vec::new(),
                    format!("any ServiceAccount in namespace {ns} includes {ns}/{name}"),
                );
            }
        }
        Node::AnyServiceAccount { namespace: None } => {
            for ns in &ctx.namespaces {
                push(
                    out,
                    EdgeKind::AnyServiceAccount,
                    Node::AnyServiceAccount {
                        namespace: Some(ns.clone()),
                    },
                    Vec::new(),
                    format!("any ServiceAccount in any namespace includes namespace {ns}'s"),
                );
            }
        }
        _ => {}
    }
}
