//! Differential test against the real helm on the shared corpus of real-world charts.
//!
//! For every `../shared/corpus/{match,nomatch}/*/chart`, runs
//! `helm template <chart-name> <chart-dir> --namespace default --include-crds` (the oracle) and
//! our renderer with the same release name and namespace, then compares the documents as
//! parsed YAML per `# Source` (see `common::compare_docs`; random, time and certificate values
//! are compared by shape). Prints a per-chart table.
//!
//! `--include-crds` on both sides: rbac-lens analyses `crds/` too (DESIGN.md), so they are compared.
//!
//! Where helm refuses a chart only because subchart archives are missing (disabled by default,
//! or not vendored), helm is run again on a scratch copy whose Chart.yaml no longer lists them
//! (DESIGN.md: such a dependency is simply not rendered), and we are compared with that.
//!
//! A chart that helm refuses with its default values (a `required` value) can also be compared
//! with values that satisfy it: `tests/corpus-values/<dir>.yaml` adds a second row,
//! `<group>/<dir>+values`, where both sides get `-f` that file.
//!
//! Pass/fail: every chart must be identical to helm, or, where helm itself fails (a required
//! value or `fail`), we must still render (a partial result is fine).
//! Charts listed in `tests/corpus-known-diffs.txt` (`<match|nomatch>/<dir>  reason`) may
//! differ; `RBAC_LENS_HELM_DIFF_STRICT=1` ignores the list.
//!
//! Environment: `RBAC_LENS_HELM` (helm binary; default: the cache of `scripts/fetch-helm.sh`),
//! `RBAC_LENS_CORPUS` (default `<workspace>/../shared/corpus`), `RBAC_LENS_CORPUS_FILTER`
//! (substring of chart ids to run), `RBAC_LENS_CORPUS_VERBOSE=1` (list every value compared
//! by shape), `RBAC_LENS_REQUIRE_ORACLE=1` (a missing corpus or helm is
//! a failure instead of a loud skip). The table is also written to
//! `$CARGO_TARGET_TMPDIR/corpus-diff.md`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Run, clip, compare_docs, split_helm_output};
use rbac_lens_helm::{RenderOptions, format_like_helm_template, render_chart};

const TIMEOUT: Duration = Duration::from_secs(120);

fn corpus_dir() -> PathBuf {
    match std::env::var_os("RBAC_LENS_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => common::workspace_root().join("../shared/corpus"),
    }
}

fn skip_loudly(why: &str) {
    common::skip_loudly("corpus_diff", why);
}

struct Chart {
    /// `match/<dir>` or `nomatch/<dir>`, plus `+values` for the run with extra values
    id: String,
    dir: PathBuf,
    name: String,
    /// `tests/corpus-values/<dir>.yaml`, given to both sides with `-f` (second run only)
    values: Option<PathBuf>,
}

fn discover(corpus: &Path) -> Vec<Chart> {
    let mut out = Vec::new();
    for group in ["match", "nomatch"] {
        let Ok(entries) = std::fs::read_dir(corpus.join(group)) else {
            continue;
        };
        for e in entries.flatten() {
            let dir = e.path().join("chart");
            let Ok(meta) = std::fs::read_to_string(dir.join("Chart.yaml")) else {
                continue;
            };
            let name = common::parse_yaml(&meta)
                .ok()
                .and_then(|y| y.get("name").and_then(|n| n.as_str().map(str::to_string)))
                .unwrap_or_else(|| e.file_name().to_string_lossy().into_owned());
            let dirname = e.file_name().to_string_lossy().into_owned();
            let extra = common::tests_dir()
                .join("corpus-values")
                .join(format!("{dirname}.yaml"));
            out.push(Chart {
                id: format!("{group}/{dirname}"),
                dir: dir.clone(),
                name: name.clone(),
                values: None,
            });
            if extra.is_file() {
                out.push(Chart {
                    id: format!("{group}/{dirname}+values"),
                    dir,
                    name,
                    values: Some(extra),
                });
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// `helm template <name> <dir> --namespace default --include-crds [-f <values>]`
fn helm_args(chart: &Chart, dir: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "template".into(),
        chart.name.clone(),
        dir.to_string_lossy().into_owned(),
        "--namespace".into(),
        "default".into(),
        "--include-crds".into(),
    ];
    if let Some(v) = &chart.values {
        args.push("-f".into());
        args.push(v.to_string_lossy().into_owned());
    }
    args
}

fn run_helm(helm: &Path, chart: &Chart, sandbox: &Path) -> common::HelmRun {
    common::run_helm(helm, &helm_args(chart, &chart.dir), &chart.dir, sandbox)
}

/// The dependency names in helm's "found in Chart.yaml, but missing in charts/ directory: a,b"
/// error, if that is why helm failed.
fn missing_dependencies(stderr: &str) -> Option<Vec<String>> {
    let marker = "missing in charts/ directory: ";
    let i = stderr.find(marker)?;
    let list = stderr[i + marker.len()..].lines().next()?;
    Some(
        list.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let ft = e.file_type()?;
        if ft.is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()))?;
        } else if ft.is_file() {
            std::fs::copy(e.path(), to.join(e.file_name()))?;
        }
    }
    Ok(())
}

fn to_json(y: &common::Y) -> serde_json::Value {
    use common::Y;
    use serde_json::Value;
    match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Int(i) => serde_json::json!(*i as i64),
        Y::Float(f) => serde_json::json!(f),
        Y::Str(s) => Value::String(s.clone()),
        Y::Seq(v) => Value::Array(v.iter().map(to_json).collect()),
        Y::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// When helm refuses a chart only because dependency archives are missing (they are disabled
/// by default, or were not vendored), renders a copy of the chart whose Chart.yaml (and
/// requirements.yaml) no longer lists them: that is what rbac-lens renders, so the rest of the
/// chart can still be compared. Chart.yaml is rewritten as JSON (valid YAML).
fn helm_without(
    helm: &Path,
    chart: &Chart,
    missing: &[String],
    sandbox: &Path,
) -> Result<common::HelmRun, String> {
    let copy = sandbox.join("without-deps").join(&chart.name);
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(&chart.dir, &copy).map_err(|e| format!("copy: {e}"))?;
    for file in ["Chart.yaml", "requirements.yaml"] {
        let p = copy.join(file);
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let mut y = common::parse_yaml(&text).map_err(|e| format!("{file}: {e}"))?;
        if let common::Y::Map(m) = &mut y
            && let Some(common::Y::Seq(deps)) = m.get_mut("dependencies")
        {
            deps.retain(|d| {
                d.get("name")
                    .and_then(common::Y::as_str)
                    .is_none_or(|n| !missing.iter().any(|m| m == n))
            });
        }
        std::fs::write(&p, to_json(&y).to_string()).map_err(|e| format!("{file}: {e}"))?;
    }
    let h = common::run_helm(helm, &helm_args(chart, &copy), &copy, sandbox);
    let _ = std::fs::remove_dir_all(&copy);
    Ok(h)
}

enum Ours {
    Rendered { text: String, errors: Vec<String> },
    Failed(String),
}

enum Status {
    Identical {
        docs: usize,
        shapes: usize,
    },
    /// Helm refused the chart for missing dependency archives; compared with helm's rendering
    /// of the chart without those dependencies.
    IdenticalWithout {
        docs: usize,
        shapes: usize,
        without: String,
    },
    Differs {
        n: usize,
        of: usize,
        first: String,
    },
    HelmFailed {
        helm: String,
        ours: String,
        ok: bool,
    },
    WeFailed(String),
}

impl Status {
    fn ok(&self) -> bool {
        match self {
            Status::Identical { .. } | Status::IdenticalWithout { .. } => true,
            Status::HelmFailed { ok, .. } => *ok,
            _ => false,
        }
    }
    fn label(&self) -> String {
        match self {
            Status::Identical { docs, shapes: 0 } => format!("identical ({docs} docs)"),
            Status::Identical { docs, shapes } => {
                format!("identical ({docs} docs, {shapes} values by shape)")
            }
            Status::IdenticalWithout { docs, shapes, .. } => {
                format!("identical without missing deps ({docs} docs, {shapes} by shape)")
            }
            Status::Differs { n, of, .. } => format!("{n} of {of} docs differ"),
            Status::HelmFailed { ok: true, .. } => "helm failed; we render".into(),
            Status::HelmFailed { ok: false, .. } => "helm failed; we fail".into(),
            Status::WeFailed(_) => "we failed".into(),
        }
    }
    fn detail(&self) -> String {
        match self {
            Status::Identical { .. } => String::new(),
            Status::IdenticalWithout { without, .. } => {
                format!(
                    "helm refuses: missing subchart archive(s) {without}; compared without them"
                )
            }
            Status::Differs { first, .. } => first.clone(),
            Status::HelmFailed { helm, ours, .. } => format!("helm: {helm} / ours: {ours}"),
            Status::WeFailed(m) => m.clone(),
        }
    }
}

fn first_error_line(s: &str) -> String {
    if let Some(m) = missing_dependencies(s) {
        return format!("missing subchart archive(s) {}", m.join(","));
    }
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_start_matches("Error: ")
        .to_string()
}

#[test]
fn corpus_matches_real_helm() {
    common::quiet_render_panics();
    let corpus = corpus_dir();
    if !corpus.is_dir() {
        skip_loudly(&format!(
            "corpus not found at {} (set RBAC_LENS_CORPUS)",
            corpus.display()
        ));
        return;
    }
    let helm = match common::helm_oracle() {
        Ok(h) => h,
        Err(e) => {
            skip_loudly(&format!("no helm oracle: {e}"));
            return;
        }
    };
    let charts: Vec<Chart> = {
        let filter = std::env::var("RBAC_LENS_CORPUS_FILTER").ok();
        discover(&corpus)
            .into_iter()
            .filter(|c| filter.as_deref().is_none_or(|f| c.id.contains(f)))
            .collect()
    };
    if charts.is_empty() {
        skip_loudly(&format!("no charts under {}", corpus.display()));
        return;
    }
    let known_path = common::tests_dir().join("corpus-known-diffs.txt");
    let known = if common::strict_mode() {
        BTreeMap::new()
    } else {
        common::read_allow_list(&known_path)
    };
    let sandbox = common::Sandbox::new("corpus-diff");
    let verbose = std::env::var("RBAC_LENS_CORPUS_VERBOSE").is_ok_and(|v| v == "1");

    let mut rows = Vec::new();
    let (mut helm_total, mut ours_total) = (Duration::ZERO, Duration::ZERO);
    for chart in &charts {
        let h = run_helm(&helm, chart, &sandbox.0);
        helm_total += h.time;
        let opts = RenderOptions {
            release_name: Some(chart.name.clone()),
            namespace: "default".into(),
            include_crds: true,
            values_files: chart.values.iter().cloned().collect(),
            ..Default::default()
        };
        let dir = chart.dir.clone();
        let (run, t) = common::run_guarded(TIMEOUT, move || match render_chart(&dir, &opts) {
            Ok(r) => Ours::Rendered {
                text: format_like_helm_template(&r),
                errors: r.errors.iter().map(|e| e.to_string()).collect(),
            },
            Err(e) => Ours::Failed(e.to_string()),
        });
        ours_total += t;
        let ours = match run {
            Run::Done(o) => o,
            Run::Panicked(m) => Ours::Failed(format!("panicked: {m}")),
            Run::TimedOut(t) => Ours::Failed(format!("did not finish in {t:?}")),
        };
        // What helm printed, or (when it refused the chart only for missing dependency
        // archives) what it prints for the chart without those dependencies.
        let mut reference: Option<(String, Option<String>)> =
            h.ok.then(|| (h.stdout.clone(), None));
        let mut helm_err = first_error_line(&h.stderr);
        if reference.is_none()
            && let Some(missing) = missing_dependencies(&h.stderr)
        {
            match helm_without(&helm, chart, &missing, &sandbox.0) {
                Ok(h2) if h2.ok => reference = Some((h2.stdout, Some(missing.join(",")))),
                Ok(h2) => {
                    helm_err = format!("{helm_err}; without them: {}", first_error_line(&h2.stderr))
                }
                Err(e) => helm_err = format!("{helm_err}; cannot retry without them: {e}"),
            }
        }
        let status = match (reference, ours) {
            (None, Ours::Rendered { text, errors }) => {
                let n = split_helm_output(&text).len();
                let ours = if errors.is_empty() {
                    format!("{n} docs, no error")
                } else {
                    format!(
                        "{n} docs, {} template error(s): {}",
                        errors.len(),
                        errors[0]
                    )
                };
                Status::HelmFailed {
                    helm: helm_err,
                    ours,
                    ok: true,
                }
            }
            (None, Ours::Failed(m)) => Status::HelmFailed {
                helm: helm_err,
                ours: m,
                ok: false,
            },
            (Some(_), Ours::Failed(m)) => Status::WeFailed(m),
            (Some(_), Ours::Rendered { errors, .. }) if !errors.is_empty() => {
                Status::WeFailed(format!("{} template error(s): {}", errors.len(), errors[0]))
            }
            (Some((expected, without)), Ours::Rendered { text, .. }) => {
                let c = compare_docs(&split_helm_output(&expected), &split_helm_output(&text));
                if verbose {
                    for s in &c.shape_matches {
                        common::say(format!("    {}: by shape: {s}", chart.id));
                    }
                }
                match (c.identical(), without) {
                    (true, None) => Status::Identical {
                        docs: c.expected_docs,
                        shapes: c.shape_matches.len(),
                    },
                    (true, Some(without)) => Status::IdenticalWithout {
                        docs: c.expected_docs,
                        shapes: c.shape_matches.len(),
                        without,
                    },
                    (false, without) => Status::Differs {
                        n: c.diffs.len(),
                        of: c.expected_docs.max(c.actual_docs),
                        first: match without {
                            Some(w) => format!(
                                "(vs helm without missing subcharts {w}) {}",
                                c.first_diff()
                            ),
                            None => c.first_diff().to_string(),
                        },
                    },
                }
            }
        };
        rows.push((chart, status, h.time, t));
    }

    // ---- report ----
    let mut md = String::new();
    md.push_str("| chart | status | first difference / error | allowed |\n|---|---|---|---|\n");
    common::say("");
    common::say(format!(
        "Corpus vs helm {} ({} charts, {}):",
        common::HELM_VERSION,
        charts.len(),
        corpus.display()
    ));
    common::say(format!("  {:<62} {:<34} detail", "chart", "status"));
    let mut unexpected = Vec::new();
    let mut now_ok = Vec::new();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (chart, status, _ht, _ot) in &rows {
        let allowed = known.get(&chart.id);
        let bucket = match status {
            Status::Identical { .. } => "identical",
            Status::IdenticalWithout { .. } => "identical without missing deps",
            Status::Differs { .. } => "differ",
            Status::HelmFailed { ok: true, .. } => "helm failed, we render",
            Status::HelmFailed { ok: false, .. } => "helm failed, we fail",
            Status::WeFailed(_) => "we failed",
        };
        *counts.entry(bucket).or_default() += 1;
        let mark = if status.ok() {
            if allowed.is_some() {
                now_ok.push(chart.id.clone());
            }
            ""
        } else if allowed.is_some() {
            "(allowed) "
        } else {
            unexpected.push(chart.id.clone());
            "!! "
        };
        common::say(format!(
            "  {:<62} {:<34} {mark}{}",
            clip(&chart.id, 62),
            status.label(),
            clip(&status.detail(), 200)
        ));
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            chart.id,
            status.label(),
            clip(&status.detail(), 160).replace('|', "\\|"),
            allowed.map(|_| "yes").unwrap_or("")
        ));
    }
    common::say("");
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    common::say(format!("  summary: {}", summary.join(", ")));
    common::say(format!(
        "  time: helm template {:.2}s total, ours {:.2}s total (debug build)",
        helm_total.as_secs_f64(),
        ours_total.as_secs_f64()
    ));
    md.push_str(&format!("\nSummary: {}.\n", summary.join(", ")));
    if let Some(dir) = option_env!("CARGO_TARGET_TMPDIR") {
        let p = Path::new(dir).join("corpus-diff.md");
        if std::fs::write(&p, &md).is_ok() {
            common::say(format!("  table written to {}", p.display()));
        }
    }
    if !now_ok.is_empty() {
        common::say(format!(
            "\nNOW IDENTICAL (or rendering where helm fails), remove from {}: {}",
            known_path.display(),
            now_ok.join(" ")
        ));
    }
    assert!(
        unexpected.is_empty(),
        "{} corpus chart(s) differ from helm and are not in {}: {}",
        unexpected.len(),
        known_path.display(),
        unexpected.join(" ")
    );
}
