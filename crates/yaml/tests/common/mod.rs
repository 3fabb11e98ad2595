//! Shared helpers for the differential tests: the full parser as the oracle, a converter
//! from the fast path's tree to JSON, document splitting and corpus discovery.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Depth bound passed to the fast path (callers pass their parser's limit minus a margin).
pub const DEPTH: usize = 62;

/// The full parser with the options `rbac-lens-core` uses (YAML 1.1 booleans, legacy octal).
pub fn full(text: &str) -> Result<Value, String> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_documents = 2;
    budget.max_depth = 64;
    budget.max_nodes = 5_000_000;
    budget.max_events = 20_000_000;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.legacy_octal_numbers = true;
    serde_saphyr::from_str_with_options::<Value>(text, opts).map_err(|e| e.to_string())
}

pub use rbac_lens_yaml::to_json;

/// Outcome of running both parsers on one document.
pub enum Outcome {
    /// The fast path read it, with the same value as the full parser.
    Same,
    /// The fast path declined.
    Bailed,
    /// The fast path read something the full parser reads differently or rejects.
    Differs(String),
}

pub fn compare(doc: &str) -> Outcome {
    match rbac_lens_yaml::parse(doc, DEPTH) {
        None => Outcome::Bailed,
        Some(node) => {
            let fast = to_json(node);
            match full(doc) {
                Ok(v) if v == fast => Outcome::Same,
                Ok(v) => Outcome::Differs(format!("fast {fast} != full {v}")),
                Err(e) => Outcome::Differs(format!("fast {fast}, full error {e}")),
            }
        }
    }
}

/// Split a stream on `---` / `...` lines at column 0 (as `rbac-lens-core` does).
pub fn split_docs(text: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        let marker = |m: &str| {
            bare.strip_prefix(m)
                .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
        };
        if marker("---") {
            docs.push(&text[start..offset]);
            start = offset + 3;
        } else if marker("...") {
            docs.push(&text[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    docs.push(&text[start..]);
    docs
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn shared_dir() -> PathBuf {
    repo_root().join("../shared")
}

/// Every YAML/JSON file under `dir` (sorted, recursively; symlinks not followed).
pub fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        let p = e.path();
        if ft.is_dir() {
            yaml_files(&p, out);
        } else if ft.is_file()
            && p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"))
        {
            out.push(p);
        }
    }
}

/// Tell loudly that the shared corpus is missing; fail when it is required.
pub fn skipped(what: &str) {
    eprintln!("\n*** SKIPPED: {what}: ../shared is missing ***\n");
    assert!(
        std::env::var("RBAC_LENS_REQUIRE_ORACLE").as_deref() != Ok("1"),
        "RBAC_LENS_REQUIRE_ORACLE=1 but ../shared is missing"
    );
}
