//! Instructions-per-byte probe: parse one file N times with the fast path or serde-saphyr.
//! Run it under callgrind and divide the total by N × file size:
//!
//! `valgrind --tool=callgrind --callgrind-out-file=/tmp/y.out \
//!    target/release/examples/bench fast 10 values.yaml`
//!
//! Modes: `fast` (tree only), `fast-json` (tree converted to `serde_json::Value`, what
//! rbac-lens-core gets), `full` (serde-saphyr into `serde_json::Value`), `none` (baseline:
//! reading the file only).

use serde_json::Value;

use rbac_lens_yaml::to_json;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: bench fast|fast-json|full|none N FILE");
        std::process::exit(2);
    }
    let n: usize = args[2].parse().expect("N");
    let text = std::fs::read_to_string(&args[3]).expect("readable file");
    let mut sink = 0usize;
    for _ in 0..n {
        sink += match args[1].as_str() {
            "fast" => usize::from(rbac_lens_yaml::parse(&text, 62).is_some()),
            "fast-json" => rbac_lens_yaml::parse(&text, 62)
                .map(to_json)
                .map_or(0, |v| usize::from(v.is_object())),
            "full" => {
                let mut opts = serde_saphyr::Options::default();
                opts.legacy_octal_numbers = true;
                let mut budget = serde_saphyr::Budget::default();
                budget.max_nodes = 5_000_000;
                budget.max_events = 20_000_000;
                opts.budget = Some(budget);
                serde_saphyr::from_str_with_options::<Value>(&text, opts)
                    .map_or(0, |v| usize::from(v.is_object()))
            }
            "none" => text.len(),
            other => panic!("unknown mode {other}"),
        };
    }
    println!("{} bytes x {n}: {sink}", text.len());
}
