//! `rbac-lens serve`: the site and the JSON API over HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

use crate::exit::ExitStatus;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The atlas store to read: `sqlite://PATH` or `postgres://USER@HOST/DB`.
    #[arg(long, value_name = "URL", default_value = "sqlite://atlas.db")]
    pub db: String,
    /// Address to listen on. Loopback by default: the API has no authentication.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Serve this directory (made by `rbac-lens atlas site`) at `/`. Without it the site is
    /// generated from the store into a temporary directory at startup.
    #[arg(long, value_name = "DIR", conflicts_with = "no_site")]
    pub site: Option<PathBuf>,
    /// Serve the JSON API only.
    #[arg(long)]
    pub no_site: bool,
    /// Largest request body accepted, in MiB (`POST /api/v1/analyze`).
    #[arg(long, value_name = "MIB", default_value_t = 8)]
    pub max_body_mib: usize,
    /// Longest one analysis may run, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub analyze_timeout: u64,
}

pub fn run(args: ServeArgs) -> Result<ExitStatus> {
    let store = rbac_lens_atlas::store::open_read(&args.db)
        .with_context(|| format!("opening the atlas store {}", args.db))?;
    let site = match (args.site, args.no_site) {
        (Some(dir), _) => rbac_lens_serve::Site::Dir(dir),
        (None, true) => rbac_lens_serve::Site::None,
        (None, false) => rbac_lens_serve::Site::Generate,
    };
    let opts = rbac_lens_serve::ServeOptions {
        addr: args.addr,
        site,
        max_body_bytes: args.max_body_mib.max(1) * 1024 * 1024,
        analyze_timeout: Duration::from_secs(args.analyze_timeout.max(1)),
        ..Default::default()
    };
    rbac_lens_serve::serve(store, opts).context("serving")?;
    Ok(ExitStatus::Success)
}
