//! Parse every template file of the chart corpus and print the throughput:
//! `cargo run --release -p gotmpl --example parse_corpus -- [PASSES]` (default 1 pass, the
//! form to run under callgrind). Each file goes into a fresh `TemplateSet`, as Helm parses
//! each chart's files once. Prints files, bytes, parse errors and MB/s of the fastest pass.

#[path = "../benches/corpus/mod.rs"]
mod corpus;

use std::time::Instant;

fn main() {
    let passes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let Some(dir) = corpus::corpus_dir() else {
        eprintln!("corpus not found (../shared/corpus or $RBAC_LENS_CORPUS)");
        std::process::exit(2);
    };
    let files = corpus::template_files(&dir);
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mut best = f64::INFINITY;
    let mut errors = 0;
    for _ in 0..passes.max(1) {
        errors = 0;
        let t0 = Instant::now();
        for (name, text) in &files {
            let mut set = gotmpl::TemplateSet::new();
            if set.parse(name, text).is_err() {
                errors += 1;
            }
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!(
        "{} files, {} bytes, {} parse errors, {:.1} MB/s (best of {} passes, {:.1} ms)",
        files.len(),
        bytes,
        errors,
        bytes as f64 / best / 1e6,
        passes.max(1),
        best * 1e3
    );
}
