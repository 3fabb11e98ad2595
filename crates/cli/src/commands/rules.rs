//! `rbac-lens rules list|show|export`: the catalog, rendered from its data.

use std::fmt::Write;

use anyhow::{Context, Result, bail};
use rbac_lens_core::catalog::{Rule, render_hugo, render_markdown};

use super::{catalog, level, print};
use crate::args::{ExportFormat, OutputFormat, RulesArgs, RulesCommand, ShowFormat};
use crate::exit::ExitStatus;

pub fn run(args: RulesArgs) -> Result<ExitStatus> {
    let catalog = catalog(&args.rules)?;
    match args.command {
        RulesCommand::List {
            level: lvl,
            category,
            tag,
            output,
        } => {
            let rules: Vec<&Rule> = catalog
                .rules()
                .iter()
                .filter(|r| lvl.is_none_or(|l| r.risk_level == level(l)))
                .filter(|r| {
                    category
                        .as_ref()
                        .is_none_or(|c| r.category.eq_ignore_ascii_case(c))
                })
                .filter(|r| {
                    tag.as_ref()
                        .is_none_or(|t| r.tags.iter().any(|x| x.eq_ignore_ascii_case(t)))
                })
                .collect();
            let text = match output {
                OutputFormat::Json | OutputFormat::Yaml => {
                    let mut s = serde_json::to_string_pretty(&rules)?;
                    s.push('\n');
                    s
                }
                OutputFormat::Markdown => {
                    let mut s = String::from(
                        "| ID | Level | Category | Name |\n| --- | --- | --- | --- |\n",
                    );
                    for r in &rules {
                        let _ = writeln!(
                            s,
                            "| {} | {} | {} | {} |",
                            r.id, r.risk_level, r.category, r.name
                        );
                    }
                    s
                }
                OutputFormat::Table => {
                    let mut s = String::new();
                    for r in &rules {
                        let _ = writeln!(
                            s,
                            "{:<5} {:<9} {:<23} {}",
                            r.id,
                            r.risk_level.as_str(),
                            r.category,
                            r.name
                        );
                    }
                    let _ = writeln!(s, "{} rule(s)", rules.len());
                    s
                }
            };
            print(&text)?;
        }
        RulesCommand::Show { id, format } => {
            let Some(rule) = catalog.get(id) else {
                bail!("no rule with id {id} (see `rbac-lens rules list`)");
            };
            let text = match format {
                ShowFormat::Markdown => render_markdown(rule),
                ShowFormat::Json | ShowFormat::Yaml => {
                    let mut s = serde_json::to_string_pretty(rule)?;
                    s.push('\n');
                    s
                }
            };
            print(&text)?;
        }
        RulesCommand::Export { format, out } => {
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            for rule in catalog.rules() {
                let (name, text) = match format {
                    ExportFormat::Hugo => (format!("{}.md", rule.id), render_hugo(rule)),
                    ExportFormat::Markdown => (format!("{}.md", rule.id), render_markdown(rule)),
                    ExportFormat::Json => (
                        format!("{}.json", rule.id),
                        serde_json::to_string_pretty(rule)? + "\n",
                    ),
                };
                let path = out.join(name);
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            eprintln!(
                "wrote {} rule pages to {}",
                catalog.rules().len(),
                out.display()
            );
        }
    }
    Ok(ExitStatus::Success)
}
