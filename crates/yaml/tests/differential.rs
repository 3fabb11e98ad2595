//! Differential test: the fast path against serde-saphyr on every YAML/JSON file of the
//! shared corpus (values files, Chart.yaml, CRDs, templates that happen to be YAML), the
//! conformance cases, the repository's examples and the helm fixtures' expected outputs
//! (rendered by real helm), plus any directories named in `RBAC_LENS_YAML_EXTRA`
//! (colon-separated; e.g. rendered corpus charts). Whenever the fast path returns a value it
//! must equal the full parser's. Prints the share of documents and bytes it handled.
//!
//! `cargo test -p rbac-lens-yaml --release --test differential -- --nocapture`

mod common;

use std::path::PathBuf;

use common::{Outcome, compare, full, repo_root, shared_dir, skipped, split_docs, yaml_files};

#[derive(Default)]
struct Tally {
    docs: usize,
    handled_docs: usize,
    bytes: usize,
    handled_bytes: usize,
}

#[test]
fn fast_path_agrees_with_serde_saphyr_on_the_corpus() {
    let shared = shared_dir();
    if !shared.join("corpus").is_dir() {
        skipped("YAML differential test over ../shared/corpus");
    }
    let root = repo_root();
    let mut roots: Vec<(String, PathBuf)> = vec![
        ("corpus".into(), shared.join("corpus")),
        ("conformance".into(), shared.join("conformance")),
        ("examples".into(), root.join("examples")),
        (
            "helm fixtures".into(),
            root.join("crates/helm/tests/fixtures"),
        ),
    ];
    if let Ok(extra) = std::env::var("RBAC_LENS_YAML_EXTRA") {
        for d in extra.split(':').filter(|d| !d.is_empty()) {
            roots.push((format!("extra {d}"), PathBuf::from(d)));
        }
    }
    let mut failures = Vec::new();
    let mut bailed: Vec<(usize, String)> = Vec::new();
    let mut total = Tally::default();
    // JSON files (schemas, dashboards) are multi-line flow collections, outside the subset by
    // design; coverage is also reported without them.
    let mut yaml_only = Tally::default();
    for (name, dir) in &roots {
        let mut files = Vec::new();
        yaml_files(dir, &mut files);
        let mut t = Tally::default();
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else {
                continue;
            };
            let is_json = f.extension().is_some_and(|x| x == "json");
            for (i, doc) in split_docs(&text).into_iter().enumerate() {
                // Only documents the full parser reads count towards coverage; the fast path
                // must still not accept the others.
                let valid = full(doc).is_ok();
                match compare(doc) {
                    Outcome::Same => {
                        t.handled_docs += 1;
                        t.handled_bytes += doc.len();
                    }
                    Outcome::Bailed => {
                        if valid {
                            bailed.push((doc.len(), format!("{}#{i}", f.display())));
                        }
                    }
                    Outcome::Differs(msg) => {
                        let mut msg = msg;
                        msg.truncate(600);
                        failures.push(format!("{}#{i}: {msg}", f.display()));
                    }
                }
                if valid {
                    t.docs += 1;
                    t.bytes += doc.len();
                    if !is_json {
                        yaml_only.docs += 1;
                        yaml_only.bytes += doc.len();
                        if rbac_lens_yaml::parse(doc, common::DEPTH).is_some() {
                            yaml_only.handled_docs += 1;
                            yaml_only.handled_bytes += doc.len();
                        }
                    }
                }
            }
        }
        println!(
            "{name}: {} files; fast path read {}/{} valid documents ({:.1}%), {}/{} bytes ({:.1}%)",
            files.len(),
            t.handled_docs,
            t.docs,
            pct(t.handled_docs, t.docs),
            t.handled_bytes,
            t.bytes,
            pct(t.handled_bytes, t.bytes)
        );
        total.docs += t.docs;
        total.handled_docs += t.handled_docs;
        total.bytes += t.bytes;
        total.handled_bytes += t.handled_bytes;
    }
    println!(
        "TOTAL: fast path read {}/{} documents ({:.1}%), {}/{} bytes ({:.1}%)",
        total.handled_docs,
        total.docs,
        pct(total.handled_docs, total.docs),
        total.handled_bytes,
        total.bytes,
        pct(total.handled_bytes, total.bytes)
    );
    println!(
        "TOTAL without .json files: {}/{} documents ({:.1}%), {}/{} bytes ({:.1}%)",
        yaml_only.handled_docs,
        yaml_only.docs,
        pct(yaml_only.handled_docs, yaml_only.docs),
        yaml_only.handled_bytes,
        yaml_only.bytes,
        pct(yaml_only.handled_bytes, yaml_only.bytes)
    );
    bailed.sort_by_key(|b| std::cmp::Reverse(b.0));
    println!("largest documents left to the full parser:");
    for (size, what) in bailed.iter().take(15) {
        println!("  {size:>8}  {what}");
    }
    assert!(
        failures.is_empty(),
        "{} documents read differently:\n{}",
        failures.len(),
        failures.join("\n")
    );
    if shared.join("corpus").is_dir() {
        assert!(
            pct(yaml_only.handled_bytes, yaml_only.bytes) > 90.0,
            "fast-path coverage fell"
        );
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        100.0 * a as f64 / b as f64
    }
}
