//! One module per subcommand; each returns an [`ExitStatus`].

pub mod analyze;
pub mod atlas_scan;
pub mod atlas_site;
pub mod can_i;
pub mod paths;
pub mod rules;
pub mod serve;
pub mod template;
pub mod who_can;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use rbac_lens_core::catalog::{Catalog, RiskLevel, parse_rules};

use crate::args::Level;

/// Write to stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to standard output"),
    }
}

/// Colour only on a terminal, and never with NO_COLOR set.
pub fn use_color() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub fn level(l: Level) -> RiskLevel {
    match l {
        Level::Low => RiskLevel::Low,
        Level::Medium => RiskLevel::Medium,
        Level::High => RiskLevel::High,
        Level::Critical => RiskLevel::Critical,
    }
}

/// The embedded catalog plus the user's rule files (validated; errors name the file).
/// The embedded catalog (borrowed: cloning 109 rules is a tenth of a small run's start-up),
/// or a copy with the user's extra rule files.
pub fn catalog(extra: &[PathBuf]) -> Result<std::borrow::Cow<'static, Catalog>> {
    if extra.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(Catalog::embedded()));
    }
    let mut rules = Vec::new();
    let mut names = Vec::new();
    for path in extra {
        let name = path.display().to_string();
        let meta = std::fs::metadata(path).with_context(|| format!("rule file {name}"))?;
        anyhow::ensure!(
            meta.len() <= 16 * 1024 * 1024,
            "rule file {name} is larger than 16 MiB"
        );
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading rule file {name}"))?;
        rules.extend(
            parse_rules(&name, &text).map_err(|e| anyhow::anyhow!("invalid rule file {e}"))?,
        );
        names.push(name);
    }
    Catalog::with_extra(rules, &names.join(", "))
        .map(std::borrow::Cow::Owned)
        .map_err(|e| anyhow::anyhow!("invalid rule file {e}"))
}
