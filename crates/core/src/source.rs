//! Turn what the user typed into documents: files (YAML, JSON, `kind: List`), directories
//! (walked recursively; Helm charts detected at any depth), chart archives, and stdin.
//!
//! Helm rendering is plugged in through [`ChartRenderer`] so this crate does not depend on
//! the renderer; every byte read is bounded by [`Limits`].

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Warning};
use crate::document::{Document, parse_relevant, parse_text};
use crate::limits::Limits;

/// One input argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Path(PathBuf),
    /// `-`: read standard input.
    Stdin,
}

impl Input {
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// One rendered manifest of a chart.
#[derive(Clone, Debug)]
pub struct RenderedManifest {
    /// `chart/templates/x.yaml` as helm prints it in `# Source:`.
    pub source: String,
    pub content: String,
    pub hook: Option<String>,
    /// Line in the template where the document starts (0 when unknown).
    pub line: usize,
}

/// What a chart renderer returns.
#[derive(Clone, Debug, Default)]
pub struct RenderedChart {
    pub name: String,
    pub version: String,
    /// Chart.yaml facts for the report (`metadata.extra.helm`).
    pub description: String,
    pub home: String,
    pub icon: String,
    pub kube_version: String,
    pub keywords: Option<Vec<String>>,
    pub sources: Option<Vec<String>>,
    pub maintainers: Option<Vec<serde_json::Value>>,
    pub manifests: Vec<RenderedManifest>,
    /// Template failures: the chart is partly rendered.
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

/// Renders Helm charts (directory or `.tgz`).
pub trait ChartRenderer: Sync {
    fn render(&self, path: &Path) -> Result<RenderedChart, String>;
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Loaded {
    pub documents: Vec<Document>,
    pub warnings: Vec<Warning>,
    pub charts: Vec<RenderedChart>,
    /// Files read (charts count as one).
    pub files: usize,
    pub bytes: u64,
    /// Number of documents read (kept after `documents` is released by the analysis).
    pub document_count: usize,
    /// FNV-1a digest of every byte analysed: the report's `version` for plain manifests.
    pub digest: u64,
}

/// FNV-1a: a stable, dependency-free digest (report versions, catalog version).
pub fn fnv1a(mut state: u64, bytes: &[u8]) -> u64 {
    if state == 0 {
        state = 0xcbf29ce484222325;
    }
    for b in bytes {
        state ^= u64::from(*b);
        state = state.wrapping_mul(0x100000001b3);
    }
    state
}

impl Loaded {
    fn hash(&mut self, bytes: &[u8]) {
        self.digest = fnv1a(self.digest, bytes);
    }
}

/// True for a directory holding a `Chart.yaml`.
pub fn is_chart_dir(path: &Path) -> bool {
    path.is_dir() && path.join("Chart.yaml").is_file()
}

/// True for a `.tgz` / `.tar.gz` file (a packaged chart).
pub fn is_chart_archive(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    path.is_file() && (name.ends_with(".tgz") || name.ends_with(".tar.gz"))
}

fn is_manifest_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Read every input.
pub fn load(inputs: &[Input], limits: &Limits, renderer: Option<&dyn ChartRenderer>) -> Loaded {
    let mut out = load_inputs(inputs, limits, renderer);
    out.document_count = out.documents.len();
    out
}

// Loading runs in three steps so that inputs are read, parsed and rendered in parallel
// while the result stays exactly what reading them one by one gives: `plan` walks the
// inputs in order (directory order sorted, limits on the number of files), `run` does each
// job on the rayon pool, `merge` adds the results in plan order (byte limits, digest).

/// One unit of loading work found by walking the inputs.
enum Job {
    /// Bytes already read (stdin).
    Bytes {
        name: String,
        buf: Vec<u8>,
    },
    File(PathBuf),
    Chart(PathBuf),
    /// A problem found while walking (unreadable directory, too many files...).
    Warning(Warning),
}

/// What a job produced, before the limits that depend on earlier inputs are applied.
enum Done {
    /// A manifest file: its bytes (for the digest and the byte limits) and what they parsed to.
    Text {
        name: String,
        buf: Vec<u8>,
        documents: Vec<Document>,
        warnings: Vec<Warning>,
    },
    /// A rendered chart, with its documents already parsed.
    Chart {
        documents: Vec<Document>,
        warnings: Vec<Warning>,
        chart: Option<Box<RenderedChart>>,
    },
    Warning(Warning),
}

fn load_inputs(inputs: &[Input], limits: &Limits, renderer: Option<&dyn ChartRenderer>) -> Loaded {
    use rayon::prelude::*;
    let mut jobs = Vec::new();
    let mut files = 0usize;
    for input in inputs {
        match input {
            Input::Stdin => {
                let mut buf = Vec::new();
                let res = std::io::stdin()
                    .lock()
                    .take(limits.max_file_bytes + 1)
                    .read_to_end(&mut buf);
                match res {
                    Err(e) => jobs.push(Job::Warning(Warning::new(
                        Code::Unreadable,
                        "<stdin>",
                        e.to_string(),
                    ))),
                    Ok(_) => {
                        files += 1;
                        jobs.push(Job::Bytes {
                            name: "<stdin>".into(),
                            buf,
                        });
                    }
                }
            }
            Input::Path(p) => plan_path(&mut jobs, &mut files, p, limits, renderer, true),
        }
    }
    let done: Vec<Done> = if jobs.len() > 1 {
        jobs.into_par_iter()
            .map(|job| run(job, limits, renderer))
            .collect()
    } else {
        jobs.into_iter()
            .map(|job| run(job, limits, renderer))
            .collect()
    };
    let mut out = Loaded::default();
    for d in done {
        merge(&mut out, d, limits);
    }
    out
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

/// Walk one path and append the work it needs, in the order results must appear.
/// `files` counts the files and charts planned so far (the `max_files` limit).
fn plan_path(
    jobs: &mut Vec<Job>,
    files: &mut usize,
    p: &Path,
    limits: &Limits,
    renderer: Option<&dyn ChartRenderer>,
    top: bool,
) {
    let meta = match fs::symlink_metadata(p) {
        Ok(m) => m,
        Err(e) => {
            jobs.push(Job::Warning(Warning::new(
                Code::BadInput,
                display(p),
                format!("cannot read: {e}"),
            )));
            return;
        }
    };
    // Symlinks are followed only when the user named them directly.
    if meta.file_type().is_symlink() && !top {
        return;
    }
    if is_chart_dir(p) || (is_chart_archive(p) && (top || renderer.is_some())) {
        *files += 1;
        jobs.push(Job::Chart(p.to_path_buf()));
        return;
    }
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = match fs::read_dir(p) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                jobs.push(Job::Warning(Warning::new(
                    Code::Unreadable,
                    display(p),
                    e.to_string(),
                )));
                return;
            }
        };
        entries.sort();
        for e in entries {
            let hidden = e
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if *files >= limits.max_files {
                jobs.push(Job::Warning(Warning::new(
                    Code::LimitExceeded,
                    display(p),
                    format!("more than {} files; the rest is not read", limits.max_files),
                )));
                return;
            }
            if e.is_dir() || is_manifest_file(&e) || is_chart_archive(&e) {
                plan_path(jobs, files, &e, limits, renderer, false);
            }
        }
        return;
    }
    if !top && !is_manifest_file(p) {
        return;
    }
    if meta.len() > limits.max_file_bytes {
        jobs.push(Job::Warning(Warning::new(
            Code::LimitExceeded,
            display(p),
            format!(
                "file is {} bytes, over the limit of {}",
                meta.len(),
                limits.max_file_bytes
            ),
        )));
        return;
    }
    *files += 1;
    jobs.push(Job::File(p.to_path_buf()));
}

/// Do one job: read and parse a file, or render a chart and parse what it rendered.
fn run(job: Job, limits: &Limits, renderer: Option<&dyn ChartRenderer>) -> Done {
    match job {
        Job::Warning(w) => Done::Warning(w),
        Job::Bytes { name, buf } => parse_bytes(name, buf, limits),
        Job::File(p) => match fs::File::open(&p).and_then(|f| {
            let mut buf = Vec::new();
            f.take(limits.max_file_bytes + 1)
                .read_to_end(&mut buf)
                .map(|_| buf)
        }) {
            Ok(buf) => parse_bytes(display(&p), buf, limits),
            Err(e) => Done::Warning(Warning::new(Code::Unreadable, display(&p), e.to_string())),
        },
        Job::Chart(p) => render_chart(&p, renderer),
    }
}

fn parse_bytes(name: String, buf: Vec<u8>, limits: &Limits) -> Done {
    let mut documents = Vec::new();
    let mut warnings = Vec::new();
    // Over the per-file limit: `merge` reports it; nothing to parse.
    if buf.len() as u64 <= limits.max_file_bytes {
        match std::str::from_utf8(&buf) {
            Ok(text) => parse_text(&name, text, limits, &mut documents, &mut warnings),
            Err(e) => warnings.push(Warning::new(
                Code::Malformed,
                name.as_str(),
                format!("not UTF-8 text (byte {}): not a manifest", e.valid_up_to()),
            )),
        }
    }
    Done::Text {
        name,
        buf,
        documents,
        warnings,
    }
}

/// Add one job's result, applying the limits that depend on what came before.
fn merge(out: &mut Loaded, done: Done, limits: &Limits) {
    match done {
        Done::Warning(w) => out.warnings.push(w),
        Done::Text {
            name,
            buf,
            mut documents,
            mut warnings,
        } => {
            out.files += 1;
            out.bytes += buf.len() as u64;
            if buf.len() as u64 > limits.max_file_bytes {
                out.warnings.push(Warning::new(
                    Code::LimitExceeded,
                    name,
                    format!("input is over the limit of {} bytes", limits.max_file_bytes),
                ));
                return;
            }
            if out.bytes > limits.max_total_bytes {
                out.warnings.push(Warning::new(
                    Code::LimitExceeded,
                    name,
                    format!(
                        "total input is over the limit of {} bytes; the rest is not read",
                        limits.max_total_bytes
                    ),
                ));
                return;
            }
            out.hash(&buf);
            out.documents.append(&mut documents);
            out.warnings.append(&mut warnings);
        }
        Done::Chart {
            mut documents,
            mut warnings,
            chart,
        } => {
            out.files += 1;
            out.warnings.append(&mut warnings);
            if let Some(chart) = chart {
                for m in &chart.manifests {
                    out.hash(m.content.as_bytes());
                }
                out.documents.append(&mut documents);
                out.charts.push(*chart);
            }
        }
    }
}

fn render_chart(p: &Path, renderer: Option<&dyn ChartRenderer>) -> Done {
    let Some(renderer) = renderer else {
        return Done::Warning(Warning::new(
            Code::RenderFailed,
            display(p),
            "Helm charts are not supported in this build",
        ));
    };
    let mut documents = Vec::new();
    let mut warnings = Vec::new();
    match renderer.render(p) {
        Err(e) => {
            warnings.push(Warning::new(Code::RenderFailed, display(p), e));
            Done::Chart {
                documents,
                warnings,
                chart: None,
            }
        }
        Ok(chart) => {
            for e in &chart.errors {
                warnings.push(Warning::new(
                    Code::RenderFailed,
                    display(p),
                    format!("{e} (other templates were still rendered: the result is partial)"),
                ));
            }
            let limits = Limits::default();
            for m in &chart.manifests {
                let start = documents.len();
                // Each rendered manifest is one document: skip the ones RBAC never reads.
                parse_relevant(
                    &m.source,
                    &m.content,
                    &limits,
                    &mut documents,
                    &mut warnings,
                );
                for d in &mut documents[start..] {
                    d.origin.chart = Some(chart.name.clone());
                    d.origin.hook = m.hook.is_some();
                    if m.line > 0 {
                        d.origin.line = m.line + d.origin.line.saturating_sub(1);
                    }
                }
            }
            Done::Chart {
                documents,
                warnings,
                chart: Some(Box::new(chart)),
            }
        }
    }
}
