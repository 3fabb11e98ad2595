//! Site generation at scale: build an atlas of synthetic chart versions in memory and time
//! `rbac_lens_site::generate` over it.
//!
//! `cargo run --release -p rbac-lens-site --example synthetic-atlas -- OUT_DIR [VERSIONS] [CHARTS]`
//! (default 10000 versions over 200 charts; scripts/gen-synthetic-atlas.sh wraps it).
//!
//! Each synthetic chart takes the report of a real corpus chart as its template. Its versions
//! gain the template's permission rows one by one (so consecutive versions differ and the
//! diff pages have content), plus a rotating extra row; every 97th version is a failed scan.
//! Version numbers are chosen so that string order and semantic-version order disagree.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use rbac_lens_atlas::{ChartId, MemoryStore};
use rbac_lens_report::Report;

fn hash(a: u64, b: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for x in [a, b] {
        for byte in x.to_le_bytes() {
            h = (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: synthetic-atlas OUT_DIR [VERSIONS] [CHARTS]");
        std::process::exit(2);
    };
    let total: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let charts: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200)
        .max(1);
    let per_chart = total.div_ceil(charts);

    let t0 = Instant::now();
    let templates: Vec<(String, Report)> = common::CORPUS
        .iter()
        .chain(["kured__kured__6.1.0", "argo__argo-cd__5.51.6"].iter())
        .map(|name| {
            let dir = common::corpus().join(name).join("chart");
            let chart = name.split("__").nth(1).unwrap_or(name).to_string();
            (chart, common::analyze(&dir, 1_750_000_000))
        })
        .collect();
    eprintln!(
        "analysed {} template charts in {:.1?}",
        templates.len(),
        t0.elapsed()
    );

    let t1 = Instant::now();
    let mut store = MemoryStore::new();
    let mut made = 0;
    for k in 0..charts {
        let (name, template) = &templates[k % templates.len()];
        let id = ChartId {
            repo: format!("repo{:02}", k % 25),
            chart: format!("{name}-{k}"),
        };
        for j in 0..per_chart {
            if made == total {
                break;
            }
            made += 1;
            // 0.1.0 .. 0.1.9, 0.2.0 ..: "0.10.0" sorts before "0.9.0" as a string.
            let version = format!("{}.{}.{}", j / 100, (j / 10) % 10 + 1, j % 10);
            if (k * per_chart + j) % 97 == 96 {
                store.add_failure(
                    id.clone(),
                    &version,
                    &format!("https://charts.example/{}-{version}.tgz", id.chart),
                    "render: template: missing required value `image.tag`",
                );
                continue;
            }
            let mut r = template.clone();
            r.metadata.version = version.clone();
            r.metadata.name = id.chart.clone();
            r.metadata.timestamp = 1_750_000_000 + (k * per_chart + j) as i64 * 60;
            // Rows appear over the versions: row i is present from version (hash % n) on.
            let keep: Vec<bool> = (0..r.service_account_permissions.len())
                .map(|i| (hash(k as u64, i as u64) % per_chart as u64) as usize <= j)
                .collect();
            let mut i = 0;
            r.service_account_permissions.retain(|_| {
                i += 1;
                keep[i - 1]
            });
            if let Some(first) = template.service_account_permissions.first() {
                let mut extra = first.clone();
                extra.resource = ["configmaps", "secrets", "pods/exec"][j % 3].into();
                extra.verbs = vec!["get".into(), "list".into(), "watch".into()][..=j % 3].to_vec();
                r.service_account_permissions.push(extra);
            }
            store.add_report(
                id.clone(),
                &format!("https://charts.example/{}-{version}.tgz", id.chart),
                &r,
            );
        }
    }
    eprintln!(
        "built {made} synthetic chart versions of {charts} charts in {:.1?}",
        t1.elapsed()
    );

    let t2 = Instant::now();
    let stats = match rbac_lens_site::generate(
        &store,
        std::path::Path::new(out),
        &rbac_lens_site::SiteOptions::default(),
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let secs = t2.elapsed().as_secs_f64();
    println!(
        "generate: {} versions, {} charts ({} failed) -> {} pages, {} files, {:.1} MB in {secs:.2} s",
        stats.versions,
        stats.charts,
        stats.failed,
        stats.pages,
        stats.files,
        stats.bytes as f64 / 1e6
    );
    println!(
        "chart version page: median {:.1} KB, largest {:.1} KB ({})",
        stats.median_version_page as f64 / 1e3,
        stats.largest_version_page.1 as f64 / 1e3,
        stats.largest_version_page.0
    );
}
