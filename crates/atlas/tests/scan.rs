//! Scanning into real stores: the corpus into SQLite and PostgreSQL (idempotent reruns,
//! two scanners splitting the work), and a Helm repository served on loopback.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use rbac_lens_atlas::projects::Projects;
use rbac_lens_atlas::scan::{Progress, ScanOptions, ScanStats, scan};
use rbac_lens_atlas::store::AtlasStore;
use rbac_lens_atlas::{ScanStatus, ScanSummary, open_store};

fn options(cache: &Path, jobs: usize) -> ScanOptions {
    ScanOptions {
        jobs,
        cache_dir: cache.to_path_buf(),
        progress: Progress::Quiet,
        http_timeout: Duration::from_secs(30),
        ..ScanOptions::default()
    }
}

/// Every stored scan is complete: a status, and for ok/partial a report that parses and
/// names the chart version; failures carry their error.
fn check_all_stored(store: &dyn AtlasStore, expected: usize) -> Vec<ScanSummary> {
    let all = store.summaries().unwrap();
    assert_eq!(all.len(), expected, "one current scan per chart version");
    for s in &all {
        match s.status {
            ScanStatus::Ok | ScanStatus::Partial => {
                let report = store
                    .report(s.id)
                    .unwrap()
                    .expect("a report for ok/partial");
                assert_eq!(report.metadata.version, s.version, "{}", s.chart.chart);
                assert_eq!(report.metadata.name, s.chart.chart);
                if s.status == ScanStatus::Partial {
                    assert!(!s.error.is_empty(), "partial scans say why");
                }
            }
            ScanStatus::Failed => {
                assert!(!s.error.is_empty(), "failures carry their error");
                assert_eq!(store.report_json(s.id).unwrap(), None);
            }
        }
    }
    all
}

fn corpus_scan_into(url: &str, dir: &Path) {
    let (file, n) = common::corpus_projects(dir);
    let projects = Projects::load(&file).unwrap();
    let store = open_store(url).unwrap();
    let stats = scan(&projects, store.as_ref(), &options(&dir.join("cache"), 2));
    assert!(stats.plan_errors.is_empty(), "{:?}", stats.plan_errors);
    assert_eq!(stats.planned, n);
    assert_eq!(stats.scanned(), n);
    assert_eq!(stats.skipped, 0);
    let all = check_all_stored(store.as_ref(), n);
    // The corpus renders: most charts fully, a few partially (a `required` value).
    let ok = all.iter().filter(|s| s.status == ScanStatus::Ok).count();
    assert!(ok * 2 > n, "{ok} of {n} ok");
    assert!(
        all.iter()
            .all(|s| s.keywords.contains(&"corpus".to_string()))
    );
    assert!(
        all.iter()
            .any(|s| s.chart.repo == "argo" && s.chart.chart == "argo-cd")
    );
    assert!(all.iter().any(|s| s.reaches_cluster_admin));

    // A rerun does no work and writes nothing.
    let before = store.scan_count().unwrap();
    let again = scan(&projects, store.as_ref(), &options(&dir.join("cache"), 2));
    assert_eq!((again.scanned(), again.skipped), (0, n));
    assert_eq!(store.scan_count().unwrap(), before);
}

#[test]
fn corpus_into_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("atlas.db").display());
    corpus_scan_into(&url, dir.path());
}

#[test]
fn corpus_into_postgres_by_two_scanners() {
    let Some(server) = common::postgres_url("corpus_into_postgres_by_two_scanners") else {
        return;
    };
    let url = common::fresh_postgres(&server, "two_scanners");
    let dir = tempfile::tempdir().unwrap();
    let (file, n) = common::corpus_projects(dir.path());
    let projects = Projects::load(&file).unwrap();
    // Two scanners, each with its own connection (as on two machines), at once.
    let run = || {
        let store = open_store(&url).unwrap();
        scan(
            &projects,
            store.as_ref(),
            &options(&dir.path().join("cache"), 1),
        )
    };
    let (a, b): (ScanStats, ScanStats) = std::thread::scope(|s| {
        let a = s.spawn(run);
        let b = s.spawn(run);
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(
        a.plan_errors.is_empty() && b.plan_errors.is_empty(),
        "{:?} {:?}",
        a.plan_errors,
        b.plan_errors
    );
    assert_eq!(
        a.scanned() + b.scanned(),
        n,
        "each chart version scanned exactly once"
    );
    assert!(
        a.scanned() > 0 && b.scanned() > 0,
        "both did some work: {} and {}",
        a.scanned(),
        b.scanned()
    );
    let store = open_store(&url).unwrap();
    assert_eq!(store.scan_count().unwrap(), n as u64);
    check_all_stored(store.as_ref(), n);
    // A rerun does nothing.
    let again = scan(
        &projects,
        store.as_ref(),
        &options(&dir.path().join("cache"), 2),
    );
    assert_eq!((again.scanned(), again.skipped), (0, n));
    assert_eq!(store.scan_count().unwrap(), n as u64);
    // The read side opens the same store by URL.
    let read = rbac_lens_atlas::open_read(&url).unwrap();
    assert_eq!(read.summaries().unwrap().len(), n);
}

#[test]
fn helm_repository_on_loopback() {
    let kured = Path::new(common::CORPUS).join("match/kured__kured__6.1.0/chart");
    let mut files = HashMap::new();
    let mut index = String::from("apiVersion: v1\nentries:\n  kured:\n");
    for v in ["1.0.0", "1.1.0", "2.0.0", "2.1.0-rc.1"] {
        let tgz = common::pack_chart(&kured, "kured", v);
        let name = format!("kured-{v}.tgz");
        files.insert(format!("/charts/{name}"), tgz);
        // Relative URLs, resolved against the repository URL.
        index.push_str(&format!("  - version: {v}\n    urls: [charts/{name}]\n"));
    }
    index.push_str("  - version: 0.9.0\n    urls: [charts/missing-0.9.0.tgz]\n");
    files.insert("/repo/index.yaml".into(), index.into_bytes());
    // Charts under /charts, the index under /repo: absolute-path URL resolution.
    let index = String::from_utf8(files["/repo/index.yaml"].clone())
        .unwrap()
        .replace("[charts/", "[/charts/");
    files.insert("/repo/index.yaml".into(), index.into_bytes());
    let direct = common::pack_chart(&kured, "kured", "3.0.0");
    files.insert("/direct/kured-3.0.0.tgz".into(), direct);
    let (base, hits) = common::serve(files);

    let dir = tempfile::tempdir().unwrap();
    let projects_file = dir.path().join("projects.yaml");
    std::fs::write(
        &projects_file,
        format!(
            "charts:
  - repo: {base}/repo
    chart: kured
    latest: 2
    name: latest
  - repo: {base}/repo/
    chart: kured
    versions: [2.1.0-rc.1, 0.9.0, 9.9.9]
    name: listed
  - repo: {base}/repo
    chart: kured
    all: true
    name: every
  - url: {base}/direct/kured-3.0.0.tgz
    name: direct
"
        ),
    )
    .unwrap();
    let projects = Projects::load(&projects_file).unwrap();
    let url = format!("sqlite://{}", dir.path().join("atlas.db").display());
    let store = open_store(&url).unwrap();
    let cache = dir.path().join("cache");
    let stats = scan(&projects, store.as_ref(), &options(&cache, 2));
    assert!(stats.plan_errors.is_empty(), "{:?}", stats.plan_errors);

    let all = store.summaries().unwrap();
    let got: HashSet<(String, String, &str)> = all
        .iter()
        .map(|s| (s.chart.repo.clone(), s.version.clone(), s.status.as_str()))
        .collect();
    let want: HashSet<(String, String, &str)> = [
        ("latest", "2.0.0", "ok"),
        ("latest", "1.1.0", "ok"),
        ("listed", "2.1.0-rc.1", "ok"),
        ("listed", "0.9.0", "failed"),
        ("listed", "9.9.9", "failed"),
        ("every", "2.0.0", "ok"),
        ("every", "1.1.0", "ok"),
        ("every", "1.0.0", "ok"),
        ("every", "0.9.0", "failed"),
        ("direct", "3.0.0", "ok"),
    ]
    .into_iter()
    .map(|(r, v, s)| (r.to_string(), v.to_string(), s))
    .collect();
    assert_eq!(got, want);
    assert_eq!((stats.ok, stats.failed), (7, 3));
    assert!(stats.has_failures());
    let missing = all
        .iter()
        .find(|s| s.chart.repo == "listed" && s.version == "0.9.0")
        .unwrap();
    assert!(missing.error.contains("404"), "{}", missing.error);
    let unknown = all.iter().find(|s| s.version == "9.9.9").unwrap();
    assert!(
        unknown.error.contains("not in the repository index"),
        "{}",
        unknown.error
    );
    let ok = all
        .iter()
        .find(|s| s.chart.repo == "latest" && s.version == "2.0.0")
        .unwrap();
    assert_eq!(ok.chart.chart, "kured");
    assert!(
        ok.source.ends_with("/charts/kured-2.0.0.tgz"),
        "{}",
        ok.source
    );
    assert!(ok.permissions > 0);

    // The rerun reads the index again but downloads no chart: all stored (failures too).
    hits.lock().unwrap().clear();
    let again = scan(&projects, store.as_ref(), &options(&cache, 2));
    assert_eq!((again.scanned(), again.skipped), (0, 10));
    let requested = hits.lock().unwrap().clone();
    assert!(
        requested.iter().all(|p| !p.starts_with("/charts/")),
        "{requested:?}"
    );
    // Asked to, a rerun tries the stored failures again (they still fail: replaced in place).
    let mut retry = options(&cache, 2);
    retry.retry_failed = true;
    let again = scan(&projects, store.as_ref(), &retry);
    assert_eq!((again.failed, again.skipped), (3, 7));
    assert_eq!(store.scan_count().unwrap(), 10);
}

#[test]
fn unreachable_repository_is_reported_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let file = dir.path().join("p.yaml");
    std::fs::write(
        &file,
        format!("charts:\n  - repo: http://127.0.0.1:{port}\n    chart: x\n  - path: ./nowhere\n"),
    )
    .unwrap();
    let projects = Projects::load(&file).unwrap();
    let store = open_store(&format!("sqlite://{}", dir.path().join("a.db").display())).unwrap();
    let stats = scan(
        &projects,
        store.as_ref(),
        &options(&dir.path().join("c"), 1),
    );
    assert_eq!(stats.plan_errors.len(), 2, "{:?}", stats.plan_errors);
    assert!(stats.plan_errors[0].starts_with("charts[0]"));
    assert!(stats.plan_errors[1].contains("nowhere"));
    assert!(stats.has_failures());
    assert_eq!(store.scan_count().unwrap(), 0);
}
