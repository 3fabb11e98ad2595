//! `rbac-lens atlas scan`: charts listed in a projects file into a store.

use anyhow::Result;
use clap::Args;

use crate::exit::ExitStatus;

#[derive(Args, Debug)]
pub struct ScanArgs {}

pub fn run(_args: ScanArgs) -> Result<ExitStatus> {
    anyhow::bail!("not built yet")
}
