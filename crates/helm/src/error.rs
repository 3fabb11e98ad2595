//! Errors: fatal ones ([`Error`], the chart could not be rendered at all) and per-template
//! failures ([`RenderError`], reported beside a partial result).

use std::fmt;
use std::path::PathBuf;

/// A failure that stops rendering a whole chart.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The chart (or one of its dependencies) is malformed: missing or invalid `Chart.yaml`,
    /// a bad `values.yaml`, a stray file under `charts/`.
    #[error("chart {chart}: {message}")]
    Chart { chart: String, message: String },
    /// A `.tgz` archive is corrupt or breaks a bound (size, entry count, unsafe path).
    #[error("archive {archive}: {message}")]
    Archive { archive: String, message: String },
    /// A user-supplied value (`-f`, `--set`, `--set-json`, `--set-file`...) is invalid.
    #[error("values: {0}")]
    Values(String),
    /// `values.schema.json` rejected the values (fatal only with [`crate::RenderOptions::strict`]).
    #[error(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{0}"
    )]
    Schema(String),
    /// A template failed and [`crate::RenderOptions::strict`] is set.
    #[error("{0}")]
    Template(Box<RenderError>),
}

impl Error {
    pub(crate) fn chart(chart: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Chart {
            chart: chart.into(),
            message: message.into(),
        }
    }
    pub(crate) fn archive(archive: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Archive {
            archive: archive.into(),
            message: message.into(),
        }
    }
}

/// One template that failed to parse or execute. The other templates are still rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// Name of the chart that owns the template (`parent` or `child` for a subchart).
    pub chart: String,
    /// Template path as helm prints it: `chart/templates/x.yaml` (or `parent/charts/child/...`).
    pub template: String,
    /// 1-based line in the template, when known.
    pub line: Option<usize>,
    /// 1-based column in the template, when known.
    pub column: Option<usize>,
    /// The failing expression, e.g. `<required "x" .Values.x>`, when known.
    pub expression: Option<String>,
    /// What went wrong (for `fail`/`required`, the user's message).
    pub message: String,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(msg) = self.message.strip_prefix("parse error: ") {
            return match self.line {
                Some(l) => write!(f, "parse error at ({}:{l}): {msg}", self.template),
                None => write!(f, "parse error in {}: {msg}", self.template),
            };
        }
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "execution error at ({}:{l}:{c})", self.template)?,
            (Some(l), None) => write!(f, "execution error at ({}:{l})", self.template)?,
            _ => write!(f, "error in {}", self.template)?,
        }
        if let Some(e) = &self.expression {
            write!(f, ": {e}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for RenderError {}
