//! `cargo bench -p rbac-lens-core --bench escalation`: the escalation graph and every
//! identity's shortest paths (`analyze_escalation_parts`), after the analysis it needs.
//!
//! - `generated`: the manifests of `scripts/gen-manifests.py` (1k, 10k, 100k objects, cached
//!   under `target/bench-inputs/`, shared with the `analyze` bench);
//! - `chained`: the synthetic inventory of `tests/fixtures/escalation/synthetic.rs` (10,
//!   100, 1000 namespaces = 1k, 10k, 100k objects, 10 accounts per namespace), where every
//!   namespace's token minter chains to the previous namespace: a worst case for
//!   reachability (2.9 million reachable pairs at 100k).
//!
//! Needs `[[bench]] name = "escalation" harness = false` in `crates/core/Cargo.toml`; under
//! the default test harness it compiles to nothing useful (and warns about nothing).
#![cfg_attr(test, allow(dead_code, unused_imports))]

use divan::counter::ItemsCount;
use rbac_lens_core::analysis::{AnalyzeOptions, analyze_loaded};
use rbac_lens_core::catalog::Catalog;
use rbac_lens_core::document::parse_text;
use rbac_lens_core::escalation::{PodSecurity, analyze_escalation_parts};
use rbac_lens_core::findings::analyze;
use rbac_lens_core::limits::Limits;
use rbac_lens_core::rbac::{Authorizer, AuthorizerOptions};
use rbac_lens_core::source::Loaded;

#[path = "../tests/fixtures/escalation/synthetic.rs"]
mod synthetic;

#[path = "common.rs"]
mod common;
use common::input;

const SIZES: &[usize] = &[1_000, 10_000, 100_000];

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn generated(bencher: divan::Bencher, n: usize) {
    let mut loaded = Loaded::default();
    parse_text(
        "bench.yaml",
        &input(n),
        &Limits::default(),
        &mut loaded.documents,
        &mut loaded.warnings,
    );
    let ps = PodSecurity::from_documents(&loaded.documents);
    let a = analyze_loaded(loaded, &AnalyzeOptions::default(), Catalog::embedded());
    bencher
        .counter(ItemsCount::new(n))
        .bench(|| analyze_escalation_parts(&a.inventory, &a.authorizer, &a.findings, &ps));
}

#[divan::bench(args = [10, 100, 1000], sample_count = 5, sample_size = 1)]
fn chained(bencher: divan::Bencher, namespaces: usize) {
    let inv = synthetic::synthetic(namespaces);
    let az = Authorizer::new(&inv, &AuthorizerOptions::default());
    let findings = analyze(&inv, &az, Catalog::embedded());
    bencher
        .counter(ItemsCount::new(namespaces * 100))
        .bench(|| analyze_escalation_parts(&inv, &az, &findings, &PodSecurity::default()));
}

fn main() {
    divan::main();
}
