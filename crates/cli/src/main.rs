//! The `rbac-lens` binary: argument parsing and wiring only; the work is in the library crates.

mod args;
mod commands;
mod exit;
mod helm_adapter;
mod question;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use args::{Cli, Command};
use exit::ExitStatus;

fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Analyze(a) => commands::analyze::run(a),
        Command::CanI(a) => commands::can_i::run(a),
        Command::WhoCan(a) => commands::who_can::run(a),
        Command::Rules(a) => commands::rules::run(a),
        Command::Template(a) => commands::template::run(a),
        Command::Paths(a) => commands::paths::run(a),
        Command::Atlas(args::AtlasCommand::Scan(a)) => commands::atlas_scan::run(a),
        Command::Atlas(args::AtlasCommand::Site(a)) => commands::atlas_site::run(a),
        Command::Serve(a) => commands::serve::run(a),
    }
}

fn main() {
    let cli = Cli::parse();
    let status = run(cli).unwrap_or_else(|e| {
        eprintln!("rbac-lens: error: {e:#}");
        ExitStatus::Error
    });
    std::process::exit(status as i32);
}
