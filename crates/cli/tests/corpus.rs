//! The real-chart corpus (../shared/corpus/match): every permission row that rbac-scope
//! recorded (service account, namespace, role type, role name, API group, resource, resource
//! name, verbs) must be produced by `rbac-lens analyze` with default values, or be explained.
//!
//! Explanations are checked, not asserted by hand:
//! - a missing row whose role real `helm template` does not render either: the reference was
//!   made under other conditions (other values or chart state) — needs the helm oracle;
//! - an extra row is one of rbac-scope's documented gaps (../shared/corpus/README.md), read off
//!   the row itself: a non-resource URL, a built-in role, a RoleBinding to a ClusterRole, a Helm
//!   hook, a ServiceAccount subject without a namespace, or a User/Group subject.
//!
//! The per-chart summary is printed; docs/CORPUS.md records it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Vec<String>,
);

fn key(r: &Value) -> Row {
    let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
    let mut verbs: Vec<String> = r["verbs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    verbs.sort();
    (
        s("serviceAccountName"),
        s("namespace"),
        s("roleType"),
        s("roleName"),
        s("apiGroup"),
        s("resource"),
        s("resourceName"),
        verbs,
    )
}

fn helm() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RBAC_LENS_HELM") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME")?;
    let p = Path::new(&home).join(".cache/rbac-lens/helm-v4.1.4/helm/helm");
    p.exists().then_some(p)
}

/// The rows rbac-lens finds in real helm's render of the chart (`None` when helm refuses it).
fn rows_of_helm_render(helm: &Path, name: &str, chart: &Path) -> Option<BTreeSet<Row>> {
    let out = Command::new(helm)
        .args(["template", name])
        .arg(chart)
        .args(["--namespace", "default"])
        .output()
        .unwrap();
    if !out.status.success() {
        return None;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_rbac-lens"))
        .args(["analyze", "-o", "json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let text = out.stdout;
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &text));
    let analysed = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let report: Value = serde_json::from_slice(&analysed.stdout).unwrap();
    Some(
        report["serviceAccountPermissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(key)
            .collect(),
    )
}

fn extra_reason(r: &Value) -> Option<&'static str> {
    if r["nonResourceUrl"] == true {
        return Some("rbac-scope ignores nonResourceURLs");
    }
    if r["builtinRole"] == true {
        return Some("rbac-scope drops bindings to roles the chart does not define");
    }
    if r["bindingType"] == "RoleBinding" && r["roleType"] == "ClusterRole" {
        return Some("rbac-scope never resolves a RoleBinding to a ClusterRole");
    }
    if r["hook"] == true {
        return Some("rbac-scope does not render Helm hooks");
    }
    if r["subjectNamespaceDefaulted"] == true {
        return Some("rbac-scope drops ServiceAccount subjects without a namespace");
    }
    None
}

#[test]
fn corpus_rows_are_reproduced_or_explained() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/match");
    let Ok(entries) = std::fs::read_dir(&root) else {
        eprintln!(
            "SKIPPED: {} is absent: the corpus comparison did not run",
            root.display()
        );
        return;
    };
    let helm = helm();
    if helm.is_none() {
        eprintln!(
            "NOTE: no helm oracle (scripts/fetch-helm.sh): missing rows cannot be explained by helm's own output"
        );
    }
    let mut charts: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    charts.sort();
    let mut failures = Vec::new();
    let mut explained: BTreeMap<&'static str, usize> = BTreeMap::new();
    eprintln!(
        "{:<62} {:>5} {:>5} {:>7} {:>7}",
        "chart", "ref", "ours", "missing", "extra"
    );
    for dir in charts {
        let entry = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_rbac-lens"))
            .args(["analyze", "-o", "json"])
            .arg(dir.join("chart"))
            .env("SOURCE_DATE_EPOCH", "1")
            .output()
            .unwrap();
        let report: Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!(
                    "{entry}: no JSON report ({e}): {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
        };
        let ours_rows = report["serviceAccountPermissions"].as_array().unwrap();
        let ours: BTreeSet<Row> = ours_rows.iter().map(key).collect();
        let reference: BTreeSet<Row> = expected["serviceAccountPermissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(key)
            .collect();
        let missing: Vec<&Row> = reference.difference(&ours).collect();
        let extra: Vec<&Value> = ours_rows
            .iter()
            .filter(|r| !reference.contains(&key(r)))
            .collect();
        let chart_name = report["metadata"]["name"]
            .as_str()
            .unwrap_or("")
            .to_string();
        // What real helm renders, analysed by us: the judge of differences with the reference.
        let helm_rows = match (&helm, missing.is_empty() && extra.is_empty()) {
            (Some(h), false) => Some(rows_of_helm_render(h, &chart_name, &dir.join("chart"))),
            _ => None,
        };
        let mut unexplained_missing = Vec::new();
        for m in &missing {
            match &helm_rows {
                Some(None) => *explained.entry("helm refuses the chart with default values (missing subchart or required value)").or_default() += 1,
                Some(Some(rows)) if !rows.contains(m) => *explained.entry("helm's own render does not produce it: the reference was made from another render").or_default() += 1,
                _ => unexplained_missing.push(m),
            }
        }
        let mut unexplained_extra = Vec::new();
        for r in extra {
            match (extra_reason(r), &helm_rows) {
                (Some(reason), _) => *explained.entry(reason).or_default() += 1,
                (None, Some(Some(rows))) if rows.contains(&key(r)) => *explained
                    .entry(
                        "helm's own render produces it: the reference was made from another render",
                    )
                    .or_default() += 1,
                _ => unexplained_extra.push(key(r)),
            }
        }
        eprintln!(
            "{entry:<62} {:>5} {:>5} {:>7} {:>7}",
            reference.len(),
            ours.len(),
            format!("{}/{}", unexplained_missing.len(), missing.len()),
            unexplained_extra.len()
        );
        for m in unexplained_missing.iter().take(5) {
            failures.push(format!("{entry}: missing row {m:?}"));
        }
        for x in unexplained_extra.iter().take(5) {
            failures.push(format!("{entry}: unexplained extra row {x:?}"));
        }
    }
    eprintln!("explained differences: {explained:#?}");
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
