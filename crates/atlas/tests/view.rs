//! The shared views over real analyses: a version diff sees a permission the new version
//! adds, and search by permission finds who can mint tokens.

use rbac_lens_atlas::view::{ChartIndex, PermissionQuery, SearchIndex, diff};
use rbac_lens_atlas::{AtlasRead, ChartId, MemoryStore};
use rbac_lens_core::catalog::Catalog;

const BASE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/operator/manifests.yaml"
);

fn analyze(path: &str) -> rbac_lens_report::Report {
    let opts = rbac_lens_pipeline::Options {
        timestamp: 1_700_000_000,
        ..Default::default()
    };
    rbac_lens_pipeline::analyze(&[path.to_string()], &opts, Catalog::embedded()).report
}

/// The example with one more rule in the first Role: `pods/exec` create.
fn grown(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string(BASE).unwrap();
    let marker = "    resources: [\"serviceaccounts/token\"]\n    verbs: [\"create\"]\n";
    assert!(text.contains(marker), "example changed; update this test");
    let extra = "  - apiGroups: [\"\"]\n    resources: [\"pods/exec\"]\n    verbs: [\"create\"]\n";
    let grown = text.replacen(marker, &format!("{marker}{extra}"), 1);
    let path = dir.join("manifests.yaml");
    std::fs::write(&path, grown).unwrap();
    path.display().to_string()
}

#[test]
fn diff_shows_added_permission_and_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, mut new) = (analyze(BASE), analyze(&grown(tmp.path())));
    new.metadata.version = "1.1.0".into();
    let d = diff(&old, &new);
    assert!(
        d.added_permissions
            .iter()
            .any(|p| p.resource == "pods/exec" && p.verbs == ["create"]),
        "{:#?}",
        d.added_permissions
    );
    assert!(
        d.removed_permissions.is_empty(),
        "{:#?}",
        d.removed_permissions
    );
    assert!(
        d.added_findings.iter().any(|f| f.rule_name.contains("xec")),
        "{:#?}",
        d.added_findings
    );
    assert_eq!(d.level_delta.iter().sum::<i64>(), 1);
    // The other way round it is a removal; a version against itself is no change.
    let back = diff(&new, &old);
    assert_eq!(back.removed_permissions, d.added_permissions);
    assert!(diff(&old, &old).is_empty());
}

#[test]
fn index_orders_versions_and_search_finds_token_minters() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = MemoryStore::new();
    let chart = ChartId {
        repo: "local".into(),
        chart: "operator".into(),
    };
    for (version, path) in [("1.10.0", grown(tmp.path())), ("1.9.0", BASE.to_string())] {
        let mut r = analyze(&path);
        r.metadata.version = version.into();
        store.add_report(chart.clone(), &path, &r);
    }
    let index = ChartIndex::build(store.summaries().unwrap());
    let entry = index.get("local", "operator").unwrap();
    let order: Vec<&str> = entry.versions.iter().map(|v| v.version.as_str()).collect();
    assert_eq!(order, ["1.10.0", "1.9.0"]);
    assert_eq!(entry.previous("1.10.0").unwrap().version, "1.9.0");
    assert!(entry.previous("1.9.0").is_none());

    let mut search = SearchIndex::new();
    for s in index.all() {
        search.add(s, &store.report(s.id).unwrap().unwrap());
    }
    let token = PermissionQuery::new(Some("create"), Some("serviceaccounts/token"), Some("core"));
    let found = search.search(&token, 100);
    assert!(!found.truncated);
    assert!(found.hits.len() >= 2, "{:#?}", found.hits);
    assert!(
        found
            .hits
            .iter()
            .all(|h| h.resource == "serviceaccounts/token" || h.resource == "*")
    );
    // release-bot holds cluster-admin (`*` on `*`) in both versions; only 1.10.0 names pods/exec.
    let exec = PermissionQuery::new(Some("create"), Some("pods/exec"), None);
    let hits = search.search(&exec, 100).hits;
    let mut named: Vec<&str> = hits
        .iter()
        .filter(|h| h.resource == "pods/exec")
        .map(|h| h.version.as_str())
        .collect();
    named.dedup();
    assert_eq!(named, ["1.10.0"]);
    let wildcard: Vec<&str> = hits
        .iter()
        .filter(|h| h.resource == "*")
        .map(|h| h.holder.name.as_str())
        .collect();
    assert_eq!(wildcard, ["release-bot", "release-bot"]);
    assert_eq!(search.search(&token, 1).hits.len(), 1);
    assert!(search.search(&token, 1).truncated);
}
