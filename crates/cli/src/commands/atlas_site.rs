//! `rbac-lens atlas site`: a static site from a store.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::exit::ExitStatus;

#[derive(Args, Debug)]
pub struct SiteArgs {
    /// The atlas store to read: `sqlite://PATH` or `postgres://USER@HOST/DB`.
    #[arg(long, value_name = "URL", default_value = "sqlite://atlas.db")]
    pub db: String,
    /// Directory to write the site into (created if missing; files are overwritten).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Title shown on every page.
    #[arg(long, value_name = "TEXT", default_value = "rbac-lens atlas")]
    pub title: String,
}

pub fn run(args: SiteArgs) -> Result<ExitStatus> {
    let store = rbac_lens_atlas::store::open_read(&args.db)
        .with_context(|| format!("opening the atlas store {}", args.db))?;
    let opts = rbac_lens_site::SiteOptions {
        title: args.title,
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let stats = rbac_lens_site::generate(store.as_ref(), &args.out, &opts)
        .with_context(|| format!("generating the site into {}", args.out.display()))?;
    eprintln!(
        "wrote {} pages ({} files, {:.1} MB) for {} chart versions of {} charts ({} failed) into {} in {:.1?}",
        stats.pages,
        stats.files,
        stats.bytes as f64 / 1e6,
        stats.versions,
        stats.charts,
        stats.failed,
        args.out.display(),
        started.elapsed()
    );
    Ok(ExitStatus::Success)
}
