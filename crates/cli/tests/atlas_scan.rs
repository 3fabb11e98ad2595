//! `rbac-lens atlas scan` as a process: killed with SIGKILL mid-way (several times), the
//! store holds only complete results, and a rerun finishes the rest without duplicates.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use rbac_lens_atlas::store::sqlite::SqliteStore;
use rbac_lens_atlas::{AtlasRead, AtlasWrite, ScanStatus};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// Every corpus chart as a `path:` entry; returns the projects file and the chart count.
fn corpus_projects(dir: &Path) -> (std::path::PathBuf, usize) {
    let mut text = String::from("charts:\n");
    let mut n = 0;
    for group in ["match", "nomatch"] {
        let mut dirs: Vec<_> = std::fs::read_dir(Path::new(CORPUS).join(group))
            .expect("the corpus is at ../shared/corpus")
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("chart/Chart.yaml").is_file())
            .collect();
        dirs.sort();
        for d in dirs {
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            let repo = name.split("__").next().unwrap();
            text.push_str(&format!(
                "  - path: {}\n    name: {repo}\n",
                d.join("chart").display()
            ));
            n += 1;
        }
    }
    let file = dir.join("projects.yaml");
    std::fs::write(&file, text).unwrap();
    (file, n)
}

fn scan_cmd(projects: &Path, db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rbac-lens"));
    c.args([
        "atlas",
        "scan",
        "--no-progress-bar",
        "-j",
        "2",
        "--projects",
    ])
    .arg(projects)
    .args(["--db", db]);
    c
}

/// Everything stored is whole: the file passes SQLite's integrity check, every ok/partial
/// scan's report parses and matches its summary. Returns the number of stored scans.
fn check_store(path: &Path) -> usize {
    let store = SqliteStore::open_existing(path).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let all = store.summaries().unwrap();
    for s in &all {
        if s.status != ScanStatus::Failed {
            let r = store.report(s.id).unwrap().expect("stored report");
            assert_eq!(r.metadata.version, s.version);
        }
    }
    let count = store.scan_count().unwrap() as usize;
    assert_eq!(count, all.len(), "no duplicate scans");
    count
}

#[test]
fn sigkill_mid_scan_loses_nothing_and_rerun_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let (projects, n) = corpus_projects(dir.path());
    let db_path = dir.path().join("atlas.db");
    let db = format!("sqlite://{}", db_path.display());

    let mut stored = 0;
    // Kill after a few results, then again a few results into each rerun.
    for kill_after in [3, 4, 5] {
        let mut child = scan_cmd(&projects, &db)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let mut results = 0;
        for line in stderr.lines() {
            let line = line.unwrap();
            if line.starts_with('[') {
                results += 1;
                if results == kill_after {
                    break;
                }
            }
        }
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        assert!(!status.success(), "killed before the end");
        let now = check_store(&db_path);
        assert!(
            now >= stored + kill_after,
            "{now} stored after {kill_after} more results"
        );
        assert!(now < n, "the scan was stopped mid-way ({now} of {n})");
        stored = now;
    }

    // The rerun does only the rest.
    let out = scan_cmd(&projects, &db).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!("{} scanned", n - stored))
            && err.contains(&format!("{stored} already stored")),
        "{err}"
    );
    assert_eq!(check_store(&db_path), n);
    // And once more: nothing to do.
    let out = scan_cmd(&projects, &db).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{n} already stored")), "{err}");
    assert_eq!(check_store(&db_path), n);
}

#[test]
fn bad_projects_file_and_store_url_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "charts:\n  - repo: https://x\n").unwrap();
    let out = scan_cmd(&bad, "sqlite://unused.db")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad.yaml") && err.contains("charts[0]"),
        "{err}"
    );
    assert!(
        !dir.path().join("unused.db").exists(),
        "no store created for a bad file"
    );

    let (projects, _) = corpus_projects(dir.path());
    let out = scan_cmd(&projects, "mysql://x").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("sqlite://"), "{err}");
}
