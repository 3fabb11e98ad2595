//! The escalation graph, one scenario manifest per edge kind (`fixtures/escalation/`), each
//! with hits and near misses that must not produce the edge; the multi-hop path exactly;
//! cycles; determinism; and the default cluster policy (`../shared/conformance/bootstrap`).

use std::path::{Path as FsPath, PathBuf};

use rbac_lens_core::analysis::{Analysis, AnalyzeOptions, analyze_loaded};
use rbac_lens_core::catalog::{Catalog, RiskLevel};
use rbac_lens_core::document::parse_text;
use rbac_lens_core::escalation::{
    EDGE_KINDS, EdgeKind, Escalation, Node, PodSecurity, analyze_escalation_parts,
};
use rbac_lens_core::limits::Limits;
use rbac_lens_core::rbac::AuthorizerOptions;
use rbac_lens_core::source::Loaded;

#[path = "fixtures/escalation/synthetic.rs"]
mod synthetic;
use synthetic::synthetic;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/escalation")
        .join(name)
}

/// Analyse the files and build the graph (Pod Security labels read before the analysis
/// releases the documents).
fn escalation(files: &[PathBuf], opts: &AnalyzeOptions) -> Escalation {
    let (analysis, ps) = analyze_files(files, opts);
    analyze_escalation_parts(
        &analysis.inventory,
        &analysis.authorizer,
        &analysis.findings,
        &ps,
    )
}

fn analyze_files(files: &[PathBuf], opts: &AnalyzeOptions) -> (Analysis, PodSecurity) {
    let mut loaded = Loaded::default();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        parse_text(
            &f.display().to_string(),
            &text,
            &Limits::default(),
            &mut loaded.documents,
            &mut loaded.warnings,
        );
    }
    assert!(
        loaded.warnings.is_empty(),
        "fixture does not parse: {:?}",
        loaded.warnings
    );
    let ps = PodSecurity::from_documents(&loaded.documents);
    (analyze_loaded(loaded, opts, Catalog::embedded()), ps)
}

fn scenario(name: &str) -> Escalation {
    escalation(&[fixture(name)], &AnalyzeOptions::default())
}

fn sa(s: &str) -> Node {
    let (ns, name) = s.split_once('/').expect("ns/name");
    Node::service_account(ns, name)
}

fn any_in(ns: &str) -> Node {
    Node::AnyServiceAccount {
        namespace: Some(ns.to_string()),
    }
}

fn idx(esc: &Escalation, n: &Node) -> usize {
    esc.node_index(n).unwrap_or_else(|| panic!("no node {n}"))
}

/// `(kind, target)` of every out-edge of `from`.
fn out(esc: &Escalation, from: &Node) -> Vec<(EdgeKind, Node)> {
    match esc.node_index(from) {
        Some(i) => esc
            .out_edges(i)
            .map(|e| (e.kind, esc.nodes[e.to].clone()))
            .collect(),
        None => Vec::new(),
    }
}

#[track_caller]
fn assert_edge(esc: &Escalation, from: &Node, kind: EdgeKind, to: &Node) {
    let edges = out(esc, from);
    assert!(
        edges.iter().any(|(k, t)| *k == kind && t == to),
        "expected {from} --{kind:?}--> {to}; out-edges: {edges:?}"
    );
}

#[track_caller]
fn assert_no_edges(esc: &Escalation, from: &Node) {
    let edges = out(esc, from);
    assert!(
        edges.is_empty(),
        "expected no edge from {from}; got {edges:?}"
    );
}

#[track_caller]
fn assert_no_edge_to(esc: &Escalation, from: &Node, to: &Node) {
    let edges = out(esc, from);
    assert!(
        !edges.iter().any(|(_, t)| t == to),
        "expected no edge {from} → {to}; got {edges:?}"
    );
}

fn reaches(esc: &Escalation, from: &Node, to: &Node) -> bool {
    let (Some(f), Some(t)) = (esc.node_index(from), esc.node_index(to)) else {
        return false;
    };
    esc.shortest_path(f, t).is_some()
}

fn effective(esc: &Escalation, n: &Node) -> Option<RiskLevel> {
    esc.identity(idx(esc, n)).unwrap().effective_risk
}

#[test]
fn every_edge_kind_has_a_documented_row() {
    for row in EDGE_KINDS {
        assert!(!row.summary.is_empty());
        assert_eq!(row.kind.info().kind, row.kind);
        assert!(!row.kind.name().is_empty());
    }
    let names: std::collections::BTreeSet<String> =
        EDGE_KINDS.iter().map(|r| r.kind.name()).collect();
    assert_eq!(names.len(), EDGE_KINDS.len());
}

#[test]
fn mint_token() {
    let esc = scenario("mint-token.yaml");
    let admin = sa("t/admin-sa");
    assert_edge(&esc, &sa("t/minter"), EdgeKind::MintToken, &admin);
    assert!(reaches(&esc, &sa("t/minter"), &Node::ClusterAdmin));
    assert_eq!(effective(&esc, &sa("t/minter")), Some(RiskLevel::Critical));
    let e = esc.out_edges(idx(&esc, &sa("t/minter"))).next().unwrap();
    assert_eq!(
        e.evidence[0].binding.as_deref(),
        Some("RoleBinding/t/minter")
    );
    assert_eq!(e.evidence[0].role, "Role/t/mint-admin");
    assert_eq!(e.evidence[0].rule_index, 1);
    assert_eq!(e.evidence[0].rule_id, Some(1047));

    assert_edge(&esc, &sa("t/any-minter"), EdgeKind::MintToken, &any_in("t"));
    assert!(reaches(&esc, &sa("t/any-minter"), &Node::ClusterAdmin));

    // Near misses.
    assert_no_edge_to(&esc, &sa("t/near"), &admin);
    assert_edge(&esc, &sa("t/near"), EdgeKind::MintToken, &sa("t/powerless"));
    assert!(!reaches(&esc, &sa("t/near"), &Node::ClusterAdmin));
    let near = esc.identity(idx(&esc, &sa("t/near"))).unwrap();
    assert_eq!(near.effective_risk, near.own_risk);
    assert_no_edges(&esc, &sa("t/wrong-group"));
}

#[test]
fn create_workload_and_privileged_pod() {
    let esc = scenario("create-workload.yaml");
    let deployer = sa("apps/deployer");
    assert_edge(&esc, &deployer, EdgeKind::CreateWorkload, &any_in("apps"));
    assert_edge(&esc, &deployer, EdgeKind::PrivilegedPod, &Node::Node);
    assert_edge(
        &esc,
        &any_in("apps"),
        EdgeKind::AnyServiceAccount,
        &sa("apps/controller"),
    );
    assert_edge(
        &esc,
        &any_in("apps"),
        EdgeKind::AnyServiceAccount,
        &sa("apps/default"),
    );
    assert!(reaches(&esc, &deployer, &Node::ClusterAdmin));
    assert_edge(
        &esc,
        &sa("apps/patcher"),
        EdgeKind::CreateWorkload,
        &any_in("apps"),
    );

    // Near misses.
    assert_no_edges(&esc, &sa("apps/patcher-missing"));
    assert_no_edges(&esc, &sa("apps/viewer"));
    let sandbox = sa("sandbox/deployer");
    assert_eq!(
        out(&esc, &sandbox),
        vec![(EdgeKind::CreateWorkload, any_in("sandbox"))]
    );
    assert!(!reaches(&esc, &sandbox, &Node::Node));
    assert!(!reaches(&esc, &sandbox, &Node::ClusterAdmin));
    let s = esc.identity(idx(&esc, &sandbox)).unwrap();
    assert_eq!(s.effective_risk, s.own_risk);
}

#[test]
fn exec_pod() {
    let esc = scenario("exec-pod.yaml");
    let debugger = sa("ops/debugger");
    let ops_pods = Node::RunningPods {
        namespace: Some("ops".into()),
    };
    assert_eq!(
        out(&esc, &debugger),
        vec![(EdgeKind::ExecPod, ops_pods.clone())]
    );
    assert_edge(&esc, &ops_pods, EdgeKind::RunningPod, &sa("ops/tool-sa"));
    assert_edge(&esc, &ops_pods, EdgeKind::RunningPod, &sa("ops/single-sa"));
    assert_edge(&esc, &ops_pods, EdgeKind::RunningPod, &Node::Node);
    // The privileged DaemonSet mounts no token: node, not its account.
    assert_no_edge_to(&esc, &ops_pods, &sa("ops/agent"));
    assert!(reaches(&esc, &debugger, &Node::ClusterAdmin));
    assert_eq!(
        out(&esc, &sa("ops/attacher")),
        vec![(EdgeKind::ExecPod, sa("ops/single-sa"))]
    );
    // Near misses.
    let quiet_pods = Node::RunningPods {
        namespace: Some("quiet".into()),
    };
    assert_no_edge_to(&esc, &quiet_pods, &sa("quiet/quiet-sa"));
    assert!(!reaches(&esc, &sa("quiet/debugger"), &sa("quiet/quiet-sa")));
    assert_no_edges(&esc, &sa("ops/named-exec"));
}

#[test]
fn token_secrets() {
    let esc = scenario("secrets.yaml");
    let admin = sa("vault/admin");
    assert_edge(&esc, &sa("vault/reader"), EdgeKind::ReadTokenSecret, &admin);
    assert_edge(&esc, &sa("vault/lister"), EdgeKind::ReadTokenSecret, &admin);
    assert_edge(
        &esc,
        &sa("vault/forger"),
        EdgeKind::ForgeTokenSecret,
        &any_in("vault"),
    );
    let forge = esc
        .out_edges(idx(&esc, &sa("vault/forger")))
        .find(|e| e.kind == EdgeKind::ForgeTokenSecret)
        .unwrap();
    assert_eq!(forge.evidence.len(), 2, "create and read");
    assert!(reaches(&esc, &sa("vault/reader"), &Node::ClusterAdmin));
    // Near misses.
    assert_no_edges(&esc, &sa("vault/cfg-reader"));
    assert_no_edges(&esc, &sa("vault/creator"));
    assert_no_edges(&esc, &sa("vault/other-ns-reader"));
}

#[test]
fn impersonation() {
    let esc = scenario("impersonate.yaml");
    let alice = Node::User {
        name: "alice".into(),
    };
    assert_edge(&esc, &sa("x/imp-user"), EdgeKind::ImpersonateUser, &alice);
    assert!(reaches(&esc, &sa("x/imp-user"), &Node::ClusterAdmin));
    assert_edge(
        &esc,
        &sa("x/imp-both"),
        EdgeKind::ImpersonateGroup,
        &Node::ClusterAdmin,
    );
    let both = esc
        .out_edges(idx(&esc, &sa("x/imp-both")))
        .find(|e| e.kind == EdgeKind::ImpersonateGroup)
        .unwrap();
    assert_eq!(both.evidence.len(), 2, "the group and the user");
    assert_edge(
        &esc,
        &sa("x/imp-sa"),
        EdgeKind::ImpersonateServiceAccount,
        &any_in("yy"),
    );
    // Near misses.
    assert_no_edges(&esc, &sa("x/imp-group-only"));
    assert_no_edges(&esc, &sa("x/imp-user-ns"));
}

#[test]
fn bind_and_escalate() {
    let esc = scenario("bind-escalate.yaml");
    assert_edge(
        &esc,
        &sa("r/binder"),
        EdgeKind::BindRole,
        &Node::ClusterAdmin,
    );
    let team_admin = Node::NamespaceAdmin {
        namespace: Some("team".into()),
    };
    assert_edge(&esc, &sa("r/ns-binder"), EdgeKind::BindRole, &team_admin);
    // A namespace admin mints tokens for, and runs pods as, any account there.
    assert_edge(&esc, &team_admin, EdgeKind::MintToken, &any_in("team"));
    assert_edge(&esc, &team_admin, EdgeKind::PrivilegedPod, &Node::Node);
    assert!(!reaches(&esc, &sa("r/ns-binder"), &Node::ClusterAdmin));
    assert_eq!(
        effective(&esc, &sa("r/ns-binder")),
        Some(RiskLevel::Critical)
    );
    assert_edge(
        &esc,
        &sa("r/escalator"),
        EdgeKind::EscalateRole,
        &Node::ClusterAdmin,
    );
    // Near misses.
    assert_no_edges(&esc, &sa("r/writer-only"));
    assert_no_edges(&esc, &sa("r/bind-only"));
    assert_no_edges(&esc, &sa("r/updater"));
}

#[test]
fn cluster_scoped_edges() {
    let esc = scenario("cluster-edges.yaml");
    assert_edge(
        &esc,
        &sa("c/approver"),
        EdgeKind::ApproveCsr,
        &Node::ClusterAdmin,
    );
    let csr = esc.out_edges(idx(&esc, &sa("c/approver"))).next().unwrap();
    assert_eq!(csr.evidence.len(), 3, "create, approval, signer");
    assert_edge(&esc, &sa("c/proxy"), EdgeKind::NodeProxy, &Node::Node);
    assert_edge(
        &esc,
        &sa("c/hooker"),
        EdgeKind::AdmissionWebhook,
        &Node::AnyServiceAccount { namespace: None },
    );
    assert_edge(
        &esc,
        &sa("c/ns-editor"),
        EdgeKind::RelaxPodSecurity,
        &Node::Node,
    );
    // Near misses.
    assert_no_edges(&esc, &sa("c/custom-approver"));
    assert_no_edges(&esc, &sa("c/proxy-ns"));
    assert_no_edges(&esc, &sa("c/hook-lister"));
    assert_no_edges(&esc, &sa("c/ns-reader"));
}

#[test]
fn multi_hop_path_is_exact() {
    let esc = scenario("multi-hop.yaml");
    let a = sa("a/a");
    let path = esc
        .shortest_path(idx(&esc, &a), idx(&esc, &Node::ClusterAdmin))
        .expect("a reaches cluster-admin");
    let steps: Vec<(EdgeKind, Node, Node)> = path
        .steps
        .iter()
        .map(|s| (s.edge, s.from.clone(), s.to.clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (EdgeKind::MintToken, sa("a/a"), sa("b/b")),
            (EdgeKind::CreateWorkload, sa("b/b"), any_in("c")),
            (EdgeKind::AnyServiceAccount, any_in("c"), sa("c/d")),
            (EdgeKind::ClusterAdminGrant, sa("c/d"), Node::ClusterAdmin),
        ]
    );
    assert_eq!(path.risk, Some(RiskLevel::Critical));
    // The pod creation comes from a group binding; its evidence says so.
    let ev = &path.steps[1].evidence[0];
    assert_eq!(ev.binding.as_deref(), Some("RoleBinding/c/b-runs-pods"));
    assert_eq!(
        ev.subject.as_deref(),
        Some("Group system:serviceaccounts:b")
    );
    assert_eq!(ev.rule_id, Some(1007));
    // The restricted namespace closes the direct pod route to a node (d, cluster-admin,
    // still gets there).
    assert_eq!(
        out(&esc, &sa("b/b")),
        vec![(EdgeKind::CreateWorkload, any_in("c"))]
    );

    // The per-identity summary and the notable path.
    let summary = esc.identity(idx(&esc, &a)).unwrap();
    assert_eq!(summary.effective_risk, Some(RiskLevel::Critical));
    assert_eq!(summary.cluster_admin_hops, Some(4));
    assert_eq!(summary.node_hops, Some(5), "through cluster-admin");
    let p = esc
        .paths
        .iter()
        .find(|p| p.from == a)
        .expect("a path from a/a");
    assert_eq!(p.to, Node::ClusterAdmin);
    assert_eq!(p.steps.len(), 4);

    let json = serde_json::to_value(p).unwrap();
    assert_eq!(
        json["from"],
        serde_json::json!({"kind": "ServiceAccount", "namespace": "a", "name": "a"})
    );
    assert_eq!(json["to"], serde_json::json!({"kind": "ClusterAdmin"}));
    assert_eq!(json["risk"], "Critical");
    assert_eq!(json["steps"][0]["edge"], "mint-token");
    assert_eq!(json["steps"][0]["evidence"][0]["ruleIndex"], 0);
    assert_eq!(json["steps"][0]["evidence"][0]["ruleId"], 1047);
}

#[test]
fn cycles_terminate() {
    let esc = scenario("cycle.yaml");
    let one = sa("p/one");
    let r = esc.reach(idx(&esc, &one));
    let mut reached: Vec<Node> = r.order.iter().map(|&i| esc.nodes[i].clone()).collect();
    reached.sort();
    assert_eq!(reached, vec![sa("p/three"), sa("p/two")]);
    assert_eq!(r.distance(idx(&esc, &sa("p/three"))), Some(2));
    for id in &esc.identities {
        assert!(id.cluster_admin_hops.is_none() && id.node_hops.is_none());
    }
    assert_edge(
        &esc,
        &sa("p/three"),
        EdgeKind::ImpersonateServiceAccount,
        &one,
    );
}

#[test]
fn output_is_deterministic() {
    let files = [
        "multi-hop.yaml",
        "bind-escalate.yaml",
        "exec-pod.yaml",
        "secrets.yaml",
    ];
    let files: Vec<PathBuf> = files.iter().map(|f| fixture(f)).collect();
    let a = escalation(&files, &AnalyzeOptions::default());
    let mut rev = files.clone();
    rev.reverse();
    let b = escalation(&files, &AnalyzeOptions::default());
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    // Node order does not depend on input order either.
    let c = escalation(&rev, &AnalyzeOptions::default());
    assert_eq!(a.nodes, c.nodes);
    assert_eq!(
        serde_json::to_string(&a.paths).unwrap().len(),
        serde_json::to_string(&c.paths).unwrap().len()
    );
}

fn bootstrap_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("RBAC_LENS_SHARED") {
        Some(d) => PathBuf::from(d).join("conformance/bootstrap"),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/bootstrap")
        }
    };
    if dir.join("cluster-roles.yaml").is_file() {
        return Some(dir);
    }
    let msg = format!(
        "\n!!! SKIPPED: bootstrap policy not found at {} !!!\n",
        dir.display()
    );
    if std::env::var_os("RBAC_LENS_REQUIRE_SHARED").is_some() {
        panic!("{msg}");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
    None
}

fn yaml_files(dir: &FsPath) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// The default cluster policy with its default bindings: the controllers' accounts that
/// reach cluster-admin, and how (recorded in docs/ESCALATION.md).
#[test]
fn bootstrap_policy() {
    let Some(dir) = bootstrap_dir() else { return };
    let opts = AnalyzeOptions {
        authorizer: AuthorizerOptions {
            builtin_roles: true,
            builtin_bindings: true,
        },
        ..Default::default()
    };
    let esc = escalation(&yaml_files(&dir), &opts);
    let masters = Node::Group {
        name: "system:masters".into(),
    };
    assert!(reaches(&esc, &masters, &Node::ClusterAdmin));
    let ca: Vec<String> = esc
        .paths
        .iter()
        .filter(|p| p.to == Node::ClusterAdmin && matches!(p.from, Node::ServiceAccount { .. }))
        .map(|p| {
            let steps: Vec<String> = p.steps.iter().map(|s| s.edge.name()).collect();
            format!("{} via {}", p.from, steps.join(" > "))
        })
        .collect();
    if std::env::var_os("RBAC_LENS_PRINT").is_some() {
        for p in &esc.paths {
            print!("{}", rbac_lens_core::escalation::render::path_text(p));
        }
    }
    // kube-controller-manager's own controllers that create pods or tokens reach it.
    assert!(
        ca.iter()
            .any(|p| p.starts_with("ServiceAccount kube-system/")),
        "{ca:#?}"
    );
}

/// `cargo test -p rbac-lens-core --release --test escalation perf_scaling -- --ignored --nocapture`
#[test]
#[ignore = "timing; run by hand in release mode"]
fn perf_scaling() {
    use rbac_lens_core::findings::analyze;
    use rbac_lens_core::rbac::Authorizer;
    use std::time::Instant;
    let sizes: Vec<usize> = match std::env::var("RBAC_LENS_PERF_SIZES") {
        Ok(v) => v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) => vec![10, 100, 1000],
    };
    for namespaces in sizes {
        let inv = synthetic(namespaces);
        let objects = inv.service_accounts.len()
            + inv.token_secrets.len()
            + inv.workloads.len()
            + inv.roles.len()
            + inv.bindings.len();
        let t = Instant::now();
        let az = Authorizer::new(&inv, &AuthorizerOptions::default());
        let authz = t.elapsed();
        let t = Instant::now();
        let findings = analyze(&inv, &az, Catalog::embedded());
        let find = t.elapsed();
        let t = Instant::now();
        let esc = analyze_escalation_parts(&inv, &az, &findings, &PodSecurity::default());
        let graph = t.elapsed();
        let critical = esc
            .identities
            .iter()
            .filter(|i| i.effective_risk == Some(RiskLevel::Critical))
            .count();
        let reach = esc
            .identities
            .iter()
            .filter(|i| i.cluster_admin_hops.is_some())
            .count();
        println!(
            "{objects} objects, {} accounts: authorizer {authz:.2?}, findings {find:.2?}, \
             escalation (graph + all shortest paths) {graph:.2?}: {} nodes, {} edges, \
             {} identities ({critical} Critical, {reach} reach cluster-admin), {} paths",
            inv.service_accounts.len(),
            esc.nodes.len(),
            esc.edges.len(),
            esc.identities.len(),
            esc.paths.len()
        );
    }
}

/// The manifests of `scripts/gen-manifests.py` (the `analyze` bench's inputs):
/// `cargo test -p rbac-lens-core --release --test escalation perf_generated -- --ignored --nocapture`
#[test]
#[ignore = "timing; run by hand in release mode"]
fn perf_generated() {
    use std::time::Instant;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for n in [1_000, 10_000, 100_000] {
        let path = root.join(format!("target/bench-inputs/objects-{n}.yaml"));
        if !path.exists() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let out = std::process::Command::new("python3")
                .arg(root.join("scripts/gen-manifests.py"))
                .arg(n.to_string())
                .output()
                .expect("python3 runs scripts/gen-manifests.py");
            std::fs::write(&path, out.stdout).unwrap();
        }
        let t = Instant::now();
        let (a, ps) = analyze_files(&[path], &AnalyzeOptions::default());
        let analysis = t.elapsed();
        let t = Instant::now();
        let esc = analyze_escalation_parts(&a.inventory, &a.authorizer, &a.findings, &ps);
        let graph = t.elapsed();
        let reach = esc
            .identities
            .iter()
            .filter(|i| i.cluster_admin_hops.is_some())
            .count();
        println!(
            "{n} generated objects ({} accounts): analysis {analysis:.2?}, escalation {graph:.2?}: \
             {} nodes, {} edges, {reach} identities reach cluster-admin, {} paths",
            a.inventory.service_accounts.len(),
            esc.nodes.len(),
            esc.edges.len(),
            esc.paths.len()
        );
    }
}
