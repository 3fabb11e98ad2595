//! End-to-end tests of the `rbac-lens` binary: every command, exit statuses, bad input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    root().join("examples/operator")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn shared() -> Option<PathBuf> {
    let p = root().join("../shared");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} is absent", p.display());
        None
    }
}

fn cmd() -> Command {
    let mut c = Command::cargo_bin("rbac-lens").unwrap();
    c.env("SOURCE_DATE_EPOCH", "1700000000")
        .env("NO_COLOR", "1");
    c
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

fn rows_for<'a>(report: &'a Value, sa: &str) -> Vec<&'a Value> {
    report["serviceAccountPermissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["serviceAccountName"] == sa)
        .collect()
}

#[test]
fn analyze_example_reports_token_minting_as_critical() {
    let out = cmd()
        .args(["analyze", "-o", "json"])
        .arg(example())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert_eq!(report["schemaVersion"], 1);
    assert_eq!(report["metadata"]["timestamp"], 1700000000);
    let rows = rows_for(&report, "deployer");
    let token = rows
        .iter()
        .find(|r| r["resource"] == "serviceaccounts/token")
        .unwrap();
    assert_eq!(token["riskLevel"], "Critical");
    assert_eq!(token["apiGroup"], "");
    assert!(
        token["matchedRiskRules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == 1047)
    );
    // The built-in cluster-admin is resolved, not dropped.
    let bot = rows_for(&report, "release-bot");
    assert!(bot.iter().any(|r| {
        r["roleName"] == "cluster-admin"
            && r["builtinRole"] == true
            && r["matchedRiskRules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["id"] == 1060)
    }));
    // Group subjects get rows too.
    let groups = report["subjectPermissions"].as_array().unwrap();
    assert!(
        groups
            .iter()
            .any(|r| r["subjectKind"] == "Group" && r["subjectName"] == "sre")
    );
    // Workloads, with init containers.
    let wl = report["serviceAccountWorkloads"].as_array().unwrap();
    assert!(
        wl.iter()
            .any(|w| w["containerName"] == "fetch" && w["initContainer"] == true)
    );
    // The wrong-group token grant is reported as ineffective.
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "IneffectiveRule")
    );
}

#[test]
fn output_is_deterministic() {
    let a = cmd()
        .args(["analyze", "-o", "json"])
        .arg(example())
        .output()
        .unwrap()
        .stdout;
    let b = cmd()
        .args(["analyze", "-o", "json"])
        .arg(example())
        .output()
        .unwrap()
        .stdout;
    assert_eq!(a, b);
}

#[test]
fn every_output_format_renders() {
    for fmt in ["table", "json", "yaml", "markdown"] {
        let out = cmd()
            .args(["analyze", "-o", fmt])
            .arg(example())
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("deployer"), "{fmt} output lacks the identity");
    }
}

#[test]
fn min_level_hides_lower_rows() {
    let out = cmd()
        .args(["analyze", "-o", "json", "--min-level", "critical"])
        .arg(example())
        .output()
        .unwrap()
        .stdout;
    let report = json(&out);
    for r in report["serviceAccountPermissions"].as_array().unwrap() {
        assert_eq!(r["riskLevel"], "Critical");
    }
}

#[test]
fn fail_on_has_its_own_status() {
    cmd()
        .args(["analyze", "--fail-on", "critical"])
        .arg(example())
        .assert()
        .code(4);
    let calm = fixture("calm.yaml");
    cmd()
        .args(["analyze", "--fail-on", "high"])
        .arg(&calm)
        .assert()
        .code(0);
}

#[test]
fn stdin_input() {
    let text = std::fs::read_to_string(example().join("manifests.yaml")).unwrap();
    let out = cmd()
        .args(["analyze", "-o", "json", "-"])
        .write_stdin(text)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!rows_for(&json(&out), "deployer").is_empty());
}

#[test]
fn bad_input_is_reported_and_the_rest_analysed() {
    let out = cmd()
        .args(["analyze", "-o", "json"])
        .arg(fixture("bad-input.yaml"))
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let warnings = report["warnings"].as_array().unwrap();
    let has = |code: &str, doc: u64| {
        warnings
            .iter()
            .any(|w| w["code"] == code && w["document"] == doc)
    };
    assert!(has("Malformed", 1), "{warnings:#?}");
    assert!(has("NotAnObject", 2), "unknown RBAC kind: {warnings:#?}");
    assert!(has("BadField", 3), "missing roleRef: {warnings:#?}");
    assert!(has("BadField", 4), "wrong type: {warnings:#?}");
    assert!(has("NotAnObject", 7), "a list document: {warnings:#?}");
    assert!(
        warnings
            .iter()
            .all(|w| w["file"].as_str().unwrap().ends_with("bad-input.yaml"))
    );
    assert!(
        warnings
            .iter()
            .filter(|w| w["code"] == "BadField")
            .all(|w| w["field"].is_string())
    );
    // Document 6 is still analysed.
    let rows = rows_for(&report, "good");
    assert!(
        rows.iter()
            .any(|r| r["resource"] == "secrets" && r["riskLevel"] == "Critical")
    );
    assert_eq!(report["metadata"]["complete"], false);
}

#[test]
fn missing_file_is_an_input_error_not_a_crash() {
    let out = cmd()
        .args(["analyze", "-o", "json", "/nonexistent/x.yaml"])
        .arg(example())
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    assert!(
        !rows_for(&json(&out), "deployer").is_empty(),
        "the other input is still analysed"
    );
}

#[test]
fn invalid_rule_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("rules.yaml");
    std::fs::write(&bad, "- id: 20000\n  name: x\n  category: Nonsense\n  risk_level: High\n  role_type: Role\n  api_groups: ['']\n  resources: [pods]\n  verbs: [get]\n  tags: []\n").unwrap();
    let out = cmd()
        .args(["analyze", "--rules"])
        .arg(&bad)
        .arg(example())
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains("rules.yaml") && err.contains("Nonsense"),
        "{err}"
    );
}

#[test]
fn custom_rules_fire() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, "- id: 20000\n  name: Reads node metrics\n  category: Information Disclosure\n  risk_level: High\n  role_type: ClusterRole\n  api_groups: ['']\n  resources: [nodes/proxy]\n  verbs: [get]\n  tags: [Custom]\n").unwrap();
    let out = cmd()
        .args(["analyze", "-o", "json", "--rules"])
        .arg(&rules)
        .arg(example())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    assert!(rows_for(&report, "monitor").iter().any(|r| {
        r["matchedRiskRules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == 20000)
    }));
}

#[test]
fn can_i_answers_with_exit_status() {
    let ex = example();
    let yes = [
        "can-i",
        "create",
        "serviceaccounts",
        "--subresource",
        "token",
        "-n",
        "ci",
        "--as",
        "system:serviceaccount:ci:deployer",
        "-f",
    ];
    cmd().args(yes).arg(&ex).assert().code(0).stdout("yes\n");
    let no = [
        "can-i",
        "create",
        "serviceaccounts",
        "--subresource",
        "token",
        "-n",
        "other",
        "--as",
        "system:serviceaccount:ci:deployer",
        "-f",
    ];
    cmd().args(no).arg(&ex).assert().code(1).stdout("no\n");
    // resource.group syntax and cluster-wide cluster-admin.
    cmd()
        .args([
            "can-i",
            "delete",
            "deployments.apps/x",
            "-n",
            "prod",
            "--as",
            "system:serviceaccount:ci:release-bot",
            "-f",
        ])
        .arg(&ex)
        .assert()
        .code(0);
    // Group membership given explicitly.
    cmd()
        .args([
            "can-i",
            "get",
            "nodes",
            "--subresource",
            "proxy",
            "--as",
            "alice",
            "--as-group",
            "sre",
            "-f",
        ])
        .arg(&ex)
        .assert()
        .code(0);
    cmd()
        .args([
            "can-i",
            "get",
            "nodes",
            "--subresource",
            "proxy",
            "--as",
            "alice",
            "-f",
        ])
        .arg(&ex)
        .assert()
        .code(1);
    // Non-resource URLs.
    cmd()
        .args([
            "can-i",
            "get",
            "/metrics",
            "--as",
            "system:serviceaccount:monitoring:monitor",
            "-f",
        ])
        .arg(&ex)
        .assert()
        .code(0);
    cmd()
        .args([
            "can-i",
            "get",
            "/healthz",
            "--as",
            "system:serviceaccount:monitoring:monitor",
            "-f",
        ])
        .arg(&ex)
        .assert()
        .code(1);
}

#[test]
fn who_can_lists_subjects_with_binding_and_role() {
    let out = cmd()
        .args([
            "who-can",
            "create",
            "serviceaccounts",
            "--subresource",
            "token",
            "-n",
            "ci",
            "-o",
            "json",
            "-f",
        ])
        .arg(example())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let rows = json(&out);
    let rows = rows.as_array().unwrap();
    assert!(rows.iter().any(|r| r["subjectName"] == "deployer"
        && r["roleName"] == "token-minter"
        && r["bindingName"] == "deployer-token-minter"));
    assert!(
        rows.iter()
            .any(|r| r["subjectName"] == "release-bot" && r["roleName"] == "cluster-admin")
    );
    assert!(
        !rows.iter().any(|r| r["subjectName"] == "default"),
        "the wrong-group grant allows nothing"
    );

    // -o yaml: the same rows, as YAML (it used to print JSON).
    let yaml = cmd()
        .args([
            "who-can",
            "create",
            "serviceaccounts",
            "--subresource",
            "token",
        ])
        .args(["-n", "ci", "-o", "yaml", "-f"])
        .arg(example())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(yaml).unwrap();
    assert!(
        !text.trim_start().starts_with('['),
        "YAML, not JSON: {text}"
    );
    let from_yaml: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(from_yaml.as_array().unwrap(), rows);
}

#[test]
fn rules_show_1047_has_the_reference_layout() {
    let out = cmd()
        .args(["rules", "show", "1047"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let order = [
        "## Overview",
        "| ID ",
        "| Name ",
        "| Risk Category ",
        "| Risk Level ",
        "| Role Type ",
        "| API Groups ",
        "| Resources ",
        "| Verbs ",
        "| Tags ",
        "## Description",
        "## Abuse Scenarios",
    ];
    let mut at = 0;
    for needle in order {
        let pos = text[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("missing or out of order: {needle}\n{text}"));
        at += pos;
    }
    let groups = text
        .lines()
        .find(|l| l.starts_with("| API Groups"))
        .unwrap();
    assert!(groups.contains("\"\" (core)"), "{groups}");
    assert!(text.contains("serviceaccounts/token"));
}

#[test]
fn rules_list_filters_and_export_writes_every_page() {
    let out = cmd()
        .args(["rules", "list", "--tag", "TokenCreation"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("1047") && text.contains("1048") && !text.contains("1060 "));
    let out = cmd()
        .args(["rules", "list", "--level", "low", "-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        json(&out)
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["risk_level"] == "Low")
    );
    let dir = tempfile::tempdir().unwrap();
    cmd()
        .args(["rules", "export", "--format", "hugo", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let pages = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(pages, 109);
    let page = std::fs::read_to_string(dir.path().join("1047.md")).unwrap();
    for key in [
        "id: 1047",
        "title: ",
        "description: ",
        "category: Spoofing",
        "risk_level: RiskLevelCritical",
        "date: ",
    ] {
        assert!(page.contains(key), "front matter lacks {key}");
    }
    cmd().args(["rules", "show", "4242"]).assert().code(2);
}

#[test]
fn bootstrap_policy_shows_who_holds_cluster_admin() {
    let Some(shared) = shared() else { return };
    let out = cmd()
        .args(["analyze", "-o", "json"])
        .arg(shared.join("conformance/bootstrap"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report = json(&out);
    let admins: Vec<&Value> = report["subjectPermissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["roleName"] == "cluster-admin"
                && r["matchedRiskRules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["id"] == 1060)
        })
        .collect();
    assert!(
        admins
            .iter()
            .any(|r| r["subjectKind"] == "Group" && r["subjectName"] == "system:masters"),
        "{admins:#?}"
    );
}

#[test]
fn paths_shows_the_token_minting_route_to_cluster_admin() {
    let ex = example();
    let out = cmd()
        .args([
            "paths",
            "--from",
            "system:serviceaccount:ci:deployer",
            "--to",
            "cluster-admin",
        ])
        .arg(&ex)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("mint-token"), "{text}");
    assert!(text.contains("ci/release-bot"), "{text}");
    // No route from the powerless default account.
    cmd()
        .args([
            "paths",
            "--from",
            "system:serviceaccount:ci:default",
            "--to",
            "cluster-admin",
        ])
        .arg(&ex)
        .assert()
        .code(1);
    // Graph drawings.
    let dot = cmd()
        .args(["paths", "-o", "dot"])
        .arg(&ex)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(dot).unwrap().starts_with("digraph"));
    let mermaid = cmd()
        .args(["paths", "-o", "mermaid"])
        .arg(&ex)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(mermaid).unwrap().contains("flowchart"));
    // Every analyze output carries the paths.
    let report = json(
        &cmd()
            .args(["analyze", "-o", "json"])
            .arg(&ex)
            .output()
            .unwrap()
            .stdout,
    );
    assert!(
        report["escalationPaths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["from"].to_string().contains("deployer"))
    );
}
