//! The SQLite store: write, read back, idempotency, claims, schema migrations.

mod common;

use std::time::Duration;

use rbac_lens_atlas::model::ScanKey;
use rbac_lens_atlas::store::AtlasStore;
use rbac_lens_atlas::store::sqlite::SqliteStore;
use rbac_lens_atlas::{
    AtlasWrite, ChartId, Claim, ScanRecord, ScanStatus, ScanSummary, open_read, open_store,
};
use rbac_lens_core::catalog::Catalog;

fn example_report() -> rbac_lens_report::Report {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/operator");
    let opts = rbac_lens_pipeline::Options {
        timestamp: 1_700_000_000,
        ..Default::default()
    };
    rbac_lens_pipeline::analyze(&[dir.to_string()], &opts, Catalog::embedded()).report
}

fn key(version: &str, catalog: &str) -> ScanKey {
    ScanKey {
        chart: ChartId {
            repo: "local".into(),
            chart: "operator".into(),
        },
        version: version.into(),
        values_digest: String::new(),
        tool_version: "0.1.0".into(),
        catalog_version: catalog.into(),
    }
}

fn record(key: &ScanKey, report: &rbac_lens_report::Report, at: i64) -> ScanRecord {
    let mut summary = ScanSummary::from_report(0, key.chart.clone(), "examples/operator", report);
    summary.version = key.version.clone();
    summary.scanned_at = at;
    ScanRecord {
        key: key.clone(),
        summary,
        report_json: Some(serde_json::to_string(report).unwrap()),
    }
}

#[test]
fn sqlite_store_round_trip_and_idempotency() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("atlas.db").display());
    let report = example_report();
    let store = open_store(&url).unwrap();

    let k1 = key("1.0.0", "c1");
    assert!(!store.is_done(&k1, false).unwrap());
    assert_eq!(
        store
            .claim(&k1, "a", Duration::from_secs(60), false)
            .unwrap(),
        Claim::Claimed
    );
    // Someone else sees a live claim.
    assert_eq!(
        store
            .claim(&k1, "b", Duration::from_secs(60), false)
            .unwrap(),
        Claim::Busy
    );
    assert!(store.finish(&record(&k1, &report, 10), "a").unwrap());
    assert!(store.is_done(&k1, false).unwrap());
    assert_eq!(
        store
            .claim(&k1, "b", Duration::from_secs(60), false)
            .unwrap(),
        Claim::Done
    );
    // The same key again stores nothing.
    assert!(!store.finish(&record(&k1, &report, 11), "b").unwrap());
    assert_eq!(store.scan_count().unwrap(), 1);

    // A new catalog version is a new scan; summaries show only the newest per version.
    let k2 = key("1.0.0", "c2");
    assert!(store.finish(&record(&k2, &report, 20), "a").unwrap());
    // A failure is stored with its error.
    let k3 = key("2.0.0", "c2");
    let failed = ScanSummary::failed(0, k3.chart.clone(), "2.0.0", "x.tgz", "download: 404");
    assert!(
        store
            .finish(
                &ScanRecord {
                    key: k3.clone(),
                    summary: failed,
                    report_json: None
                },
                "a"
            )
            .unwrap()
    );
    assert_eq!(store.scan_count().unwrap(), 3);
    drop(store);

    let read = open_read(&url).unwrap();
    let mut all = read.summaries().unwrap();
    all.sort_by(|a, b| a.version.cmp(&b.version));
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].catalog_version, report.metadata.catalog_version);
    assert_eq!(all[0].scanned_at, 20, "the newest scan of 1.0.0");
    assert_eq!(all[0].status, ScanStatus::Ok);
    let back = read.report(all[0].id).unwrap().unwrap();
    assert_eq!(back.metadata.name, report.metadata.name);
    assert_eq!(all[1].status, ScanStatus::Failed);
    assert_eq!(all[1].error, "download: 404");
    assert_eq!(read.report_json(all[1].id).unwrap(), None);
    assert_eq!(read.report_json(9999).unwrap(), None);
}

#[test]
fn expired_claims_are_taken_over() {
    let store = SqliteStore::in_memory().unwrap();
    let k = key("1.0.0", "c1");
    assert_eq!(
        store.claim(&k, "a", Duration::ZERO, false).unwrap(),
        Claim::Claimed
    );
    // Lease of zero seconds: already over, as if scanner `a` had crashed.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(
        store
            .claim(&k, "b", Duration::from_secs(60), false)
            .unwrap(),
        Claim::Claimed
    );
    store.release(&k, "b").unwrap();
    assert_eq!(
        store
            .claim(&k, "a", Duration::from_secs(60), false)
            .unwrap(),
        Claim::Claimed
    );
}

#[test]
fn open_read_needs_an_existing_store_and_a_known_url() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite://{}", dir.path().join("none.db").display());
    let e = open_read(&missing).err().unwrap().to_string();
    assert!(e.contains("no atlas store"), "{e}");
    let e = open_read("mysql://x").err().unwrap().to_string();
    assert!(e.contains("sqlite://"), "{e}");
    assert!(open_read("sqlite://").is_err());
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("atlas.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)",
        [],
    )
    .unwrap();
    drop(conn);
    let e = SqliteStore::open(&path).err().unwrap().to_string();
    assert!(e.contains("schema version 99"), "{e}");
}

#[test]
fn failures_can_be_retried_and_are_replaced_in_place() {
    retry_in_place(&SqliteStore::in_memory().unwrap());
}

#[test]
fn postgres_claims_and_retries() {
    let Some(server) = common::postgres_url("postgres_claims_and_retries") else {
        return;
    };
    let url = common::fresh_postgres(&server, "claims");
    let store = open_store(&url).unwrap();
    let k = key("1.0.0", "c1");
    let lease = Duration::from_secs(60);
    assert_eq!(store.claim(&k, "a", lease, false).unwrap(), Claim::Claimed);
    assert_eq!(store.claim(&k, "b", lease, false).unwrap(), Claim::Busy);
    assert_eq!(store.claim(&k, "a", lease, false).unwrap(), Claim::Claimed);
    store.release(&k, "a").unwrap();
    assert_eq!(
        store.claim(&k, "b", Duration::ZERO, false).unwrap(),
        Claim::Claimed
    );
    std::thread::sleep(Duration::from_millis(50));
    // b's lease is over (b crashed): a takes over; b's heartbeat would have kept it.
    assert_eq!(store.claim(&k, "a", lease, false).unwrap(), Claim::Claimed);
    store.renew("a", lease).unwrap();
    assert_eq!(store.claim(&k, "b", lease, false).unwrap(), Claim::Busy);
    store.release(&k, "a").unwrap();
    // A second opener of a migrated store migrates nothing.
    drop(open_store(&url).unwrap());
    retry_in_place(store.as_ref());
}

fn retry_in_place(store: &dyn AtlasStore) {
    let report = example_report();
    let k = key("1.0.0", "c1");
    let failed = ScanSummary::failed(0, k.chart.clone(), "1.0.0", "x.tgz", "timed out");
    let rec = ScanRecord {
        key: k.clone(),
        summary: failed,
        report_json: None,
    };
    assert!(store.finish(&rec, "a").unwrap());
    let id = store.summaries().unwrap()[0].id;
    assert!(store.is_done(&k, false).unwrap());
    assert!(!store.is_done(&k, true).unwrap());
    let lease = Duration::from_secs(60);
    assert_eq!(store.claim(&k, "a", lease, false).unwrap(), Claim::Done);
    assert_eq!(store.claim(&k, "a", lease, true).unwrap(), Claim::Claimed);
    assert!(store.finish(&record(&k, &report, 30), "a").unwrap());
    assert_eq!(store.scan_count().unwrap(), 1);
    let all = store.summaries().unwrap();
    assert_eq!((all[0].id, all[0].status), (id, ScanStatus::Ok));
    assert!(store.report(id).unwrap().is_some());
    // An ok scan is never replaced, retry or not.
    assert!(!store.finish(&rec, "a").unwrap());
    assert_eq!(store.summaries().unwrap()[0].status, ScanStatus::Ok);
    assert_eq!(store.claim(&k, "a", lease, true).unwrap(), Claim::Done);
}
