//! A stored report reads back as the same report: the atlas stores report JSON and the site
//! and server parse it, so every field must survive the trip.

use rbac_lens_atlas::{AtlasRead, ChartId, MemoryStore, ScanStatus};
use rbac_lens_core::catalog::Catalog;

fn example_report() -> rbac_lens_report::Report {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/operator");
    let opts = rbac_lens_pipeline::Options {
        timestamp: 1_700_000_000,
        ..Default::default()
    };
    rbac_lens_pipeline::analyze(&[dir.to_string()], &opts, Catalog::embedded()).report
}

#[test]
fn report_json_round_trips() {
    let report = example_report();
    let json = serde_json::to_value(&report).unwrap();
    let back: rbac_lens_report::Report = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
    assert!(!report.service_account_permissions.is_empty());
}

#[test]
fn memory_store_summarizes_reports() {
    let report = example_report();
    let mut store = MemoryStore::new();
    let chart = ChartId {
        repo: "local".into(),
        chart: "operator".into(),
    };
    let id = store.add_report(chart.clone(), "examples/operator", &report);
    let failed = store.add_failure(chart, "9.9.9", "x.tgz", "download failed: 404");
    let all = store.summaries().unwrap();
    assert_eq!(all.len(), 2);
    let ok = all.iter().find(|s| s.id == id).unwrap();
    assert_eq!(ok.status, ScanStatus::Ok);
    assert_eq!(
        ok.permissions as usize,
        report.service_account_permissions.len() + report.subject_permissions.len()
    );
    assert_eq!(ok.level_counts.iter().sum::<u32>(), ok.permissions);
    assert!(!ok.rules.is_empty());
    assert!(ok.rules.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        store.report(id).unwrap().unwrap().metadata.name,
        report.metadata.name
    );
    let f = all.iter().find(|s| s.id == failed).unwrap();
    assert_eq!(f.status, ScanStatus::Failed);
    assert!(store.report(failed).unwrap().is_none());
}
