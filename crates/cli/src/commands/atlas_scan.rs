//! `rbac-lens atlas scan`: charts listed in a projects file into a store.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use rbac_lens_atlas::projects::Projects;
use rbac_lens_atlas::scan::{Progress, ScanOptions, scan};

use crate::exit::ExitStatus;

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// The projects file: `charts:` (path, url, or repo + chart + versions/latest/all) or the
    /// RBAC Atlas layout (`helm_repos:`).
    #[arg(long, value_name = "FILE")]
    pub projects: PathBuf,
    /// The store to write: `sqlite://PATH` or `postgres://USER@HOST/DB` (shared by several
    /// scanners, which split the work).
    #[arg(long, value_name = "URL", default_value = "sqlite://atlas.db")]
    pub db: String,
    /// Charts analysed in parallel (default: the number of cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Where downloaded charts are kept between runs (default: ~/.cache/rbac-lens/charts).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Give up on one chart after this many seconds and store it as failed.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub chart_timeout: u64,
    /// Seconds a claim on a chart version lasts without a heartbeat: after a scanner on
    /// another machine dies, its unfinished work is free again after this.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub lease: u64,
    /// Scan again chart versions whose stored scan failed (e.g. a download error).
    #[arg(long)]
    pub retry_failed: bool,
    /// Plain log lines even on a terminal.
    #[arg(long, conflicts_with = "quiet")]
    pub no_progress_bar: bool,
    /// Only the final summary.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: ScanArgs) -> Result<ExitStatus> {
    let projects = Projects::load(&args.projects)?;
    let store = rbac_lens_atlas::store::open_store(&args.db)
        .with_context(|| format!("opening the atlas store {}", args.db))?;
    let mut opts = ScanOptions {
        chart_timeout: Duration::from_secs(args.chart_timeout.max(1)),
        lease: Duration::from_secs(args.lease.max(1)),
        progress: if args.quiet {
            Progress::Quiet
        } else if args.no_progress_bar {
            Progress::Lines
        } else {
            Progress::Auto
        },
        retry_failed: args.retry_failed,
        ..ScanOptions::default()
    };
    if let Some(j) = args.jobs {
        anyhow::ensure!(j >= 1, "-j/--jobs must be at least 1");
        opts.jobs = j;
    }
    if let Some(c) = args.cache {
        opts.cache_dir = c;
    }
    for w in &projects.warnings {
        eprintln!("warning: {}: {w}", args.projects.display());
    }
    let stats = scan(&projects, store.as_ref(), &opts);
    for e in &stats.plan_errors {
        eprintln!("error: {e}");
    }
    for f in &stats.failures {
        eprintln!("failed: {f}");
    }
    let secs = stats.elapsed.as_secs_f64();
    eprintln!(
        "{} chart versions: {} scanned ({} ok, {} partial, {} failed), {} already stored, {} not planned; {:.1}s, {:.2} charts/s",
        stats.planned,
        stats.scanned(),
        stats.ok,
        stats.partial,
        stats.failed,
        stats.skipped,
        stats.plan_errors.len(),
        secs,
        if secs > 0.0 {
            stats.scanned() as f64 / secs
        } else {
            0.0
        }
    );
    Ok(if stats.has_failures() {
        ExitStatus::PartialInput
    } else {
        ExitStatus::Success
    })
}
