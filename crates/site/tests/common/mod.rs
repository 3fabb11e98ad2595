//! A small atlas built from real corpus charts, shared by the tests and the `demo-site`
//! example (which the browser test uses).
//!
//! kured comes in three versions: 6.1.0 from the corpus, 6.2.0 with an added Role that lets
//! its account create ServiceAccount tokens (so the diff shows an added permission and the
//! permission search finds it), and 6.10.0 (semantic-version order puts it after 6.2.0, string
//! order would not). A failed scan and a chart with hostile names test escaping.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rbac_lens_atlas::{ChartId, MemoryStore};
use rbac_lens_core::catalog::Catalog;
use rbac_lens_report::Report;

pub const HOSTILE: &str = "<script>alert(1)</script>";

pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/match")
}

pub fn analyze(dir: &Path, timestamp: i64) -> Report {
    let opts = rbac_lens_pipeline::Options {
        timestamp,
        ..Default::default()
    };
    rbac_lens_pipeline::analyze(
        &[dir.to_string_lossy().into_owned()],
        &opts,
        Catalog::embedded(),
    )
    .report
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A copy of the kured chart at `version`; `token` adds a Role granting
/// `create serviceaccounts/token` (and every verb on every `batch` resource) to the chart's
/// account.
fn kured_variant(tmp: &Path, version: &str, token: bool) -> PathBuf {
    let dir = tmp.join(format!("kured-{version}"));
    copy_dir(&corpus().join("kured__kured__6.1.0/chart"), &dir);
    let chart = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        chart.replace("version: 6.1.0", &format!("version: {version}"))
            + "keywords:\n  - reboot\n  - maintenance\n",
    )
    .unwrap();
    if token {
        std::fs::write(
            dir.join("templates/token-role.yaml"),
            r#"apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ include "kured.fullname" . }}-tokens
  namespace: {{ .Release.Namespace }}
rules:
  - apiGroups: [""]
    resources: ["serviceaccounts/token"]
    verbs: ["create"]
  # Only wildcards grant `delete cronjobs`: the search must honour them.
  - apiGroups: ["batch"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ include "kured.fullname" . }}-tokens
  namespace: {{ .Release.Namespace }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ include "kured.fullname" . }}-tokens
subjects:
  - kind: ServiceAccount
    name: {{ include "kured.serviceAccountName" . }}
    namespace: {{ .Release.Namespace }}
"#,
        )
        .unwrap();
    }
    dir
}

fn id(repo: &str, chart: &str) -> ChartId {
    ChartId {
        repo: repo.into(),
        chart: chart.into(),
    }
}

/// Corpus charts analysed into the demo store (small ones: debug builds analyse slowly).
pub const CORPUS: &[&str] = &[
    "coredns__coredns__1.46.2",
    "argo__argocd-image-updater__1.2.4",
    "prometheus-community__prometheus-node-exporter__4.56.1",
    "prometheus-community__kube-state-metrics__8.4.0",
    "bitnami__metrics-server__7.4.12",
    "aws-eks-charts__appmesh-spire-agent__1.0.7",
];

pub fn demo_store() -> MemoryStore {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = MemoryStore::new();
    let mut t = 1_750_000_000;
    for name in CORPUS {
        let parts: Vec<&str> = name.split("__").collect();
        let dir = corpus().join(name).join("chart");
        let report = analyze(&dir, t);
        store.add_report(id(parts[0], parts[1]), &dir.to_string_lossy(), &report);
        t += 3600;
    }
    // Added out of order on purpose: the site must sort by semantic version.
    for (version, token) in [("6.10.0", true), ("6.1.0", false), ("6.2.0", true)] {
        let dir = kured_variant(tmp.path(), version, token);
        let report = analyze(&dir, t);
        store.add_report(
            id("kured", "kured"),
            &format!("kured-{version}.tgz"),
            &report,
        );
        t += 3600;
    }
    store.add_failure(
        id("kured", "kured"),
        "7.0.0",
        "https://kubereboot.github.io/charts/kured-7.0.0.tgz",
        "download failed: HTTP 404 Not Found",
    );
    // Hostile names everywhere a chart can put text.
    let dir = corpus().join("coredns__coredns__1.46.2/chart");
    let report = analyze(&dir, t);
    let hid = store.add_report(
        id("evil&co", HOSTILE),
        "<img src=x onerror=alert(2)>",
        &report,
    );
    if let Some(s) = store.summary_mut(hid) {
        s.description = format!("Totally safe {HOSTILE} chart");
        s.keywords.push(HOSTILE.into());
        s.version = "1.0.0\"><script>alert(3)</script>".into();
    }
    store
}
