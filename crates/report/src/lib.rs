//! Output formats over one [`Report`] value: `table`, `json`, `yaml`, `markdown`.
//!
//! Every renderer is deterministic (the report is sorted once, by the core), so outputs can
//! be diffed and snapshot-tested. Nothing here analyses anything.

pub mod markdown;
pub mod model;
pub mod table;

pub use model::Report;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Yaml,
    Markdown,
}

/// Machine-readable JSON (pretty-printed, trailing newline).
pub fn to_json(report: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Stream JSON to a writer (no intermediate string: big reports stay cheap in memory).
pub fn write_json(report: &Report, out: impl std::io::Write) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, report)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)
}

/// YAML with the same keys as JSON.
pub fn to_yaml(report: &Report) -> String {
    // Via JSON so that YAML and JSON can never drift apart.
    let value = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    serde_saphyr::to_string(&value).unwrap_or_else(|e| format!("error: {e}\n"))
}

/// Render the report in any format. `color` only affects [`Format::Table`]: the caller
/// decides (a terminal and `NO_COLOR` unset); the output has no escape codes when false.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Table => table::render(report, color) + &escalation_text(report, false),
        Format::Json => to_json(report),
        Format::Yaml => to_yaml(report),
        Format::Markdown => markdown::render(report) + &escalation_text(report, true),
    }
}

/// The "Escalation paths" section of the human formats: each path step by step, with evidence.
fn escalation_text(report: &Report, markdown: bool) -> String {
    use rbac_lens_core::escalation::render::path_text;
    let n = report.escalation_paths.len();
    let mut out = if markdown {
        format!("\n## Escalation paths ({n})\n\n")
    } else {
        format!("\nESCALATION PATHS ({n})\n")
    };
    if n == 0 {
        out.push_str("none: no identity can become another or reach cluster-admin or a node\n");
        return out;
    }
    if markdown {
        out.push_str("Who each identity can become, shortest path first (`rbac-lens paths` draws them).\n\n```text\n");
    }
    for p in &report.escalation_paths {
        out.push_str(&path_text(p));
        out.push('\n');
    }
    if markdown {
        out.push_str("```\n");
    }
    out
}
