//! The atlas end to end through the binary, on the bundled example (no ../shared needed):
//! `atlas scan` into SQLite, a rerun that does nothing, `atlas site` from that store, and the
//! diff page of 1.1.0 naming the permission that version added.

use std::path::Path;
use std::process::Command;

const PROJECTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/atlas/projects.yaml"
);

fn lens(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rbac-lens"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs")
}

#[test]
fn scan_then_site_shows_the_added_permission() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", tmp.path().join("atlas.db").display());
    let scan = ["atlas", "scan", "--projects", PROJECTS, "--db", &db, "-q"];

    let first = lens(&scan, tmp.path());
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{err}");
    assert!(err.contains("2 scanned (2 ok"), "{err}");

    let again = lens(&scan, tmp.path());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{err}");
    assert!(
        err.contains("0 scanned") && err.contains("2 already stored"),
        "{err}"
    );

    let out = tmp.path().join("site");
    let site = lens(
        &["atlas", "site", "--db", &db, "--out", out.to_str().unwrap()],
        tmp.path(),
    );
    assert!(
        site.status.success(),
        "{}",
        String::from_utf8_lossy(&site.stderr)
    );
    let chart = out.join("charts/local/demo-operator");
    let diff = std::fs::read_to_string(chart.join("1.1.0/diff.html")).unwrap();
    assert!(
        diff.contains("serviceaccounts/token"),
        "diff page lacks the added permission"
    );
    let old = std::fs::read_to_string(chart.join("1.0.0/index.html")).unwrap();
    assert!(!old.contains("serviceaccounts/token"), "1.0.0 never had it");
    let rule = std::fs::read_to_string(out.join("rules/1047/index.html")).unwrap();
    assert!(
        rule.contains("demo-operator"),
        "rule 1047's page lists the chart that triggers it"
    );

    // A store that does not exist is an error, not an empty site.
    let missing = lens(
        &["atlas", "site", "--db", "sqlite://nope.db", "--out", "x"],
        tmp.path(),
    );
    assert_eq!(missing.status.code(), Some(2));
}
