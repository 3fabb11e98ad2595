//! `rbac-lens atlas site`: a static site from a store.

use anyhow::Result;
use clap::Args;

use crate::exit::ExitStatus;

#[derive(Args, Debug)]
pub struct SiteArgs {}

pub fn run(_args: SiteArgs) -> Result<ExitStatus> {
    anyhow::bail!("not built yet")
}
