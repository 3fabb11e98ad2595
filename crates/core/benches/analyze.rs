//! `cargo bench -p rbac-lens-core --bench analyze`: YAML parsing and analysis (inventory →
//! authorizer → findings) measured separately, on 1k, 10k and 100k generated objects.
//! Throughput is reported as objects per second (divan's item counter). Inputs come from
//! `scripts/gen-manifests.py` (deterministic), cached under `target/bench-inputs/`.
//! Peak memory of the whole command: `scripts/bench-analyze.sh`.

use divan::counter::ItemsCount;
use rbac_lens_core::analysis::{AnalyzeOptions, analyze_loaded};
use rbac_lens_core::catalog::Catalog;
use rbac_lens_core::document::parse_text;
use rbac_lens_core::limits::Limits;
use rbac_lens_core::source::Loaded;

#[path = "common.rs"]
mod common;
use common::input;

const SIZES: &[usize] = &[1_000, 10_000, 100_000];

fn parse(text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    parse_text(
        "bench.yaml",
        text,
        &Limits::default(),
        &mut loaded.documents,
        &mut loaded.warnings,
    );
    loaded
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn yaml_parsing(bencher: divan::Bencher, n: usize) {
    let text = input(n);
    bencher.counter(ItemsCount::new(n)).bench(|| parse(&text));
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn analysis(bencher: divan::Bencher, n: usize) {
    let text = input(n);
    let catalog = Catalog::embedded();
    bencher
        .counter(ItemsCount::new(n))
        .with_inputs(|| parse(&text))
        .bench_values(|loaded| analyze_loaded(loaded, &AnalyzeOptions::default(), catalog));
}

fn main() {
    divan::main();
}
