//! `rbac-lens serve`: the site and the JSON API over HTTP.

use anyhow::Result;
use clap::Args;

use crate::exit::ExitStatus;

#[derive(Args, Debug)]
pub struct ServeArgs {}

pub fn run(_args: ServeArgs) -> Result<ExitStatus> {
    anyhow::bail!("not built yet")
}
