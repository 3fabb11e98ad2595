//! Focused Helm fixtures: every case under `tests/fixtures/<area>/<case>/` is rendered with our
//! renderer and compared with the output that the real helm produced for it.
//!
//! A case holds `chart/` (or `chart.tgz`), an `args` file (helm template flags, one argument
//! per line, `#` comment lines first describing the case) and either `expected.yaml` (helm's
//! exact stdout) or `expected.err` (helm's stderr when it failed). `scripts/gen-helm-fixtures.sh`
//! regenerates the expected files; `docs/HELM-FIDELITY.md` explains the whole set-up.
//!
//! * `expected.yaml`: we must render without a template error, and our `helm template`-style
//!   output must hold the same documents, as parsed YAML, per `# Source`, in helm's order.
//!   (Random, time and certificate values are compared by shape: see `common::normalize`.)
//! * `expected.err`: we must fail too; when helm names a template (and line), one of our errors
//!   must name the same template and line.
//! * a `DIVERGENCE` file marks a case where rbac-lens differs from helm on purpose (DESIGN.md):
//!   we must render it without a fatal error.
//!
//! The cases run with rbac-lens's default, non-strict options (`RenderOptions::strict` also
//! turns on `missingkey=error`, as `helm lint --strict` does, which `helm template` never
//! does): a template error is then reported in `Rendered::errors` and a schema violation or a
//! missing dependency in `Rendered::warnings`; for a helm error that names no template, a
//! fatal error, a template error or a warning all count as "we fail too". Failures listed in `tests/fixtures-known-failures.txt` (with a reason)
//! are reported but do not fail the test; `RBAC_LENS_HELM_DIFF_STRICT=1` ignores that list.
//! `RBAC_LENS_FIXTURE=<substring>` runs only matching cases; `RBAC_LENS_FIXTURE_VERBOSE=1`
//! prints every case; `RBAC_LENS_FIXTURE_SHOW=1` prints our rendered output of each case.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Run, clip, compare_docs, helm_error_location, split_helm_output};
use rbac_lens_helm::{RenderOptions, format_like_helm_template, render_chart};

const RELEASE: &str = "rel";
/// Per-case limit (`RBAC_LENS_FIXTURE_TIMEOUT` seconds, default 60: key generation for
/// genCA/genPrivateKey is slow in debug builds).
fn timeout() -> Duration {
    let secs = std::env::var("RBAC_LENS_FIXTURE_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

struct Case {
    area: String,
    name: String,
    dir: PathBuf,
}

impl Case {
    fn id(&self) -> String {
        format!("{}/{}", self.area, self.name)
    }
}

fn discover() -> Vec<Case> {
    let root = common::tests_dir().join("fixtures");
    let mut cases = Vec::new();
    let Ok(areas) = std::fs::read_dir(&root) else {
        panic!("no fixtures directory at {}", root.display());
    };
    for area in areas.flatten() {
        if !area.path().is_dir() {
            continue;
        }
        for case in std::fs::read_dir(area.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if case.path().join("args").is_file() {
                cases.push(Case {
                    area: area.file_name().to_string_lossy().into_owned(),
                    name: case.file_name().to_string_lossy().into_owned(),
                    dir: case.path(),
                });
            }
        }
    }
    cases.sort_by_key(|a| a.id());
    cases
}

/// Reads `args` (one argument per line) into render options.
/// Returns the options and whether `--include-crds` was given.
fn options_from_args(dir: &Path) -> (RenderOptions, bool) {
    let text = std::fs::read_to_string(dir.join("args")).expect("read args");
    let args: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let mut o = RenderOptions {
        release_name: Some(RELEASE.into()),
        namespace: "default".into(),
        ..Default::default()
    };
    let mut include_crds = false;
    let mut i = 0;
    // `--flag value` or `--flag=value`
    let take = |i: &mut usize, flag: &str| -> Option<String> {
        let a = &args[*i];
        if let Some(v) = a.strip_prefix(&format!("{flag}=")) {
            return Some(v.to_string());
        }
        if a == flag {
            *i += 1;
            return Some(args.get(*i).cloned().unwrap_or_default());
        }
        None
    };
    let abs = |p: &str| dir.join(p).to_string_lossy().into_owned();
    while i < args.len() {
        if let Some(v) = take(&mut i, "-f").or_else(|| take(&mut i, "--values")) {
            o.values_files.push(dir.join(v));
        } else if let Some(v) = take(&mut i, "--set") {
            o.set.push(v);
        } else if let Some(v) = take(&mut i, "--set-string") {
            o.set_string.push(v);
        } else if let Some(v) = take(&mut i, "--set-json") {
            o.set_json.push(v);
        } else if let Some(v) = take(&mut i, "--set-file") {
            // key=path[,key=path]: paths are relative to the case directory.
            let rewritten: Vec<String> = v
                .split(',')
                .map(|kv| match kv.split_once('=') {
                    Some((k, p)) => format!("{k}={}", abs(p)),
                    None => kv.to_string(),
                })
                .collect();
            o.set_file.push(rewritten.join(","));
        } else if let Some(v) = take(&mut i, "--namespace").or_else(|| take(&mut i, "-n")) {
            o.namespace = v;
        } else if let Some(v) = take(&mut i, "--kube-version") {
            o.kube_version = Some(v);
        } else if let Some(v) = take(&mut i, "--api-versions").or_else(|| take(&mut i, "-a")) {
            o.api_versions.extend(v.split(',').map(str::to_string));
        } else if args[i] == "--is-upgrade" {
            o.is_upgrade = true;
        } else if args[i] == "--include-crds" {
            include_crds = true;
            o.include_crds = true;
        } else {
            panic!(
                "{}: flag {:?} is not understood by the fixture harness",
                dir.display(),
                args[i]
            );
        }
        i += 1;
    }
    (o, include_crds)
}

fn chart_path(dir: &Path) -> PathBuf {
    if dir.join("chart").is_dir() {
        dir.join("chart")
    } else {
        dir.join("chart.tgz")
    }
}

#[derive(Debug)]
enum Verdict {
    Pass { byte_exact: bool, shapes: usize },
    Divergent,
    Fail(String),
}

/// Our result, reduced to what the comparison needs (computed on the render thread).
enum Ours {
    Rendered {
        text: String,
        errors: Vec<(String, Option<usize>, String)>,
        warnings: Vec<String>,
    },
    Failed {
        template: Option<(String, Option<usize>)>,
        message: String,
    },
}

fn render(chart: PathBuf, opts: RenderOptions) -> Run<Ours> {
    common::run_guarded(timeout(), move || match render_chart(&chart, &opts) {
        Ok(r) => Ours::Rendered {
            text: format_like_helm_template(&r),
            errors: r
                .errors
                .iter()
                .map(|e| (e.template.clone(), e.line, e.to_string()))
                .collect(),
            warnings: r.warnings.clone(),
        },
        Err(e) => {
            let template = match &e {
                rbac_lens_helm::Error::Template(re) => Some((re.template.clone(), re.line)),
                _ => None,
            };
            Ours::Failed {
                template,
                message: e.to_string(),
            }
        }
    })
    .0
}

fn run_case(case: &Case) -> Verdict {
    let (opts, include_crds) = options_from_args(&case.dir);
    let chart = chart_path(&case.dir);
    let divergent = case.dir.join("DIVERGENCE").is_file();
    let ours = match render(chart, opts) {
        Run::Done(o) => o,
        Run::Panicked(m) => return Verdict::Fail(format!("renderer panicked: {m}")),
        Run::TimedOut(t) => return Verdict::Fail(format!("renderer did not finish in {t:?}")),
    };
    if divergent {
        return match ours {
            Ours::Rendered { .. } => Verdict::Divergent,
            Ours::Failed { message, .. } => Verdict::Fail(format!(
                "DIVERGENCE case must render, but failed: {message}"
            )),
        };
    }

    let expected_yaml = case.dir.join("expected.yaml");
    let expected_err = case.dir.join("expected.err");
    if expected_yaml.is_file() {
        let expected = std::fs::read_to_string(&expected_yaml).expect("read expected.yaml");
        match ours {
            Ours::Failed { message, .. } => Verdict::Fail(format!("we failed: {message}")),
            Ours::Rendered { errors, .. } if !errors.is_empty() => {
                Verdict::Fail(format!("template error: {}", errors[0].2))
            }
            Ours::Rendered { text, .. } => {
                if std::env::var("RBAC_LENS_FIXTURE_SHOW").is_ok_and(|v| v == "1") {
                    common::say(format!(
                        "----- {}: our output -----\n{text}\n----- end -----",
                        case.id()
                    ));
                }
                let exp_docs = split_helm_output(&expected);
                let mut our_docs = split_helm_output(&text);
                if !include_crds {
                    // helm template prints crds/ only with --include-crds.
                    our_docs.retain(|d| !d.is_crd_file());
                }
                let c = compare_docs(&exp_docs, &our_docs);
                if c.identical() {
                    Verdict::Pass {
                        byte_exact: text == expected,
                        shapes: c.shape_matches.len(),
                    }
                } else {
                    let more = if c.diffs.len() > 1 {
                        format!(" (+{} more)", c.diffs.len() - 1)
                    } else {
                        String::new()
                    };
                    Verdict::Fail(format!("{}{more}", c.first_diff()))
                }
            }
        }
    } else if expected_err.is_file() {
        let helm_err = std::fs::read_to_string(&expected_err).expect("read expected.err");
        let want = helm_error_location(&helm_err);
        let helm_msg = helm_err.lines().next().unwrap_or("").to_string();
        let ours_at: Vec<(String, Option<usize>)> = match &ours {
            Ours::Rendered { errors, .. } => {
                errors.iter().map(|(t, l, _)| (t.clone(), *l)).collect()
            }
            Ours::Failed {
                template: Some(t), ..
            } => vec![t.clone()],
            Ours::Failed { template: None, .. } => vec![],
        };
        let (failed, warned) = match &ours {
            Ours::Rendered {
                errors, warnings, ..
            } => (!errors.is_empty(), !warnings.is_empty()),
            Ours::Failed { .. } => (true, false),
        };
        let Some((tpl, line)) = want else {
            // Not a template error (values, schema, dependencies, chart metadata).
            return if failed || warned {
                Verdict::Pass {
                    byte_exact: false,
                    shapes: 0,
                }
            } else {
                Verdict::Fail(format!(
                    "helm fails but we rendered without error or warning; helm: {helm_msg}"
                ))
            };
        };
        if !failed {
            return Verdict::Fail(format!("helm fails but we rendered; helm: {helm_msg}"));
        }
        let ok = ours_at
            .iter()
            .any(|(t, l)| *t == tpl && (line.is_none() || *l == line));
        if ok {
            Verdict::Pass {
                byte_exact: false,
                shapes: 0,
            }
        } else {
            let got = match &ours {
                Ours::Failed { message, .. } => message.clone(),
                Ours::Rendered { errors, .. } => errors
                    .iter()
                    .map(|e| e.2.clone())
                    .collect::<Vec<_>>()
                    .join(" | "),
            };
            Verdict::Fail(format!(
                "helm fails at {tpl}:{} but our error is elsewhere: {got}",
                line.map(|l| l.to_string()).unwrap_or("?".into())
            ))
        }
    } else {
        Verdict::Fail("fixture has neither expected.yaml nor expected.err".into())
    }
}

/// The committed expected files still agree with the real helm (a chart edited without
/// running `scripts/gen-helm-fixtures.sh` is caught here). Needs the oracle; skips loudly
/// without it.
#[test]
fn fixtures_agree_with_oracle() {
    let helm = match common::helm_oracle() {
        Ok(h) => h,
        Err(e) => {
            common::skip_loudly("fixtures_agree_with_oracle", &e);
            return;
        }
    };
    let filter = std::env::var("RBAC_LENS_FIXTURE").ok();
    let sandbox = common::Sandbox::new("fixtures-oracle");
    let mut stale = Vec::new();
    let mut n = 0;
    for case in discover()
        .into_iter()
        .filter(|c| filter.as_deref().is_none_or(|f| c.id().contains(f)))
    {
        n += 1;
        let mut args = vec![
            "template".to_string(),
            RELEASE.to_string(),
            if case.dir.join("chart").is_dir() {
                "./chart".into()
            } else {
                "./chart.tgz".into()
            },
        ];
        let text = std::fs::read_to_string(case.dir.join("args")).expect("read args");
        args.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(str::to_string),
        );
        let h = common::run_helm(&helm, &args, &case.dir, &sandbox.0);
        let exp_yaml = std::fs::read_to_string(case.dir.join("expected.yaml")).ok();
        let exp_err = std::fs::read_to_string(case.dir.join("expected.err")).ok();
        let problem = match (h.ok, exp_yaml, exp_err) {
            (true, Some(exp), _) => {
                let c = compare_docs(&split_helm_output(&exp), &split_helm_output(&h.stdout));
                (!c.identical()).then(|| c.first_diff().to_string())
            }
            (false, _, Some(exp)) => {
                let first = |s: &str| s.lines().next().unwrap_or("").to_string();
                (first(&exp) != first(&h.stderr)).then(|| {
                    format!(
                        "helm now says {:?}, expected.err has {:?}",
                        first(&h.stderr),
                        first(&exp)
                    )
                })
            }
            (true, None, _) => Some("helm renders it but there is no expected.yaml".into()),
            (false, _, None) => Some(format!(
                "helm fails but there is no expected.err: {}",
                clip(&h.stderr, 200)
            )),
        };
        if let Some(p) = problem {
            common::say(format!("  STALE {}: {}", case.id(), clip(&p, 300)));
            stale.push(case.id());
        }
    }
    common::say(format!(
        "Fixture expectations checked against {}: {} of {n} agree",
        helm.display(),
        n - stale.len()
    ));
    assert!(
        stale.is_empty(),
        "{} fixture(s) disagree with the real helm; run scripts/gen-helm-fixtures.sh: {}",
        stale.len(),
        stale.join(" ")
    );
}

#[test]
fn harness_self_check() {
    common::self_check();
}

#[test]
fn helm_fixtures() {
    common::quiet_render_panics();
    let filter = std::env::var("RBAC_LENS_FIXTURE").ok();
    let verbose = std::env::var("RBAC_LENS_FIXTURE_VERBOSE").is_ok_and(|v| v == "1");
    let known_path = common::tests_dir().join("fixtures-known-failures.txt");
    let known = if common::strict_mode() {
        BTreeMap::new()
    } else {
        common::read_allow_list(&known_path)
    };

    let cases: Vec<Case> = discover()
        .into_iter()
        .filter(|c| filter.as_deref().is_none_or(|f| c.id().contains(f)))
        .collect();
    assert!(!cases.is_empty(), "no fixture matched");

    #[derive(Default)]
    struct Tally {
        total: usize,
        pass: usize,
        exact: usize,
        divergent: usize,
        known: usize,
    }
    let mut per_area: BTreeMap<String, Tally> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut now_passing = Vec::new();
    for case in &cases {
        let v = run_case(case);
        let t = per_area.entry(case.area.clone()).or_default();
        t.total += 1;
        let id = case.id();
        match &v {
            Verdict::Pass { byte_exact, shapes } => {
                t.pass += 1;
                if *byte_exact {
                    t.exact += 1;
                }
                if known.contains_key(&id) {
                    now_passing.push(id.clone());
                }
                if verbose {
                    let s = if *shapes > 0 {
                        format!(" ({shapes} values compared by shape)")
                    } else {
                        String::new()
                    };
                    common::say(format!("  ok    {id}{s}"));
                }
            }
            Verdict::Divergent => {
                t.pass += 1;
                t.divergent += 1;
                if verbose {
                    common::say(format!("  ok    {id} (documented divergence from helm)"));
                }
            }
            Verdict::Fail(why) => {
                if let Some(reason) = known.get(&id) {
                    t.known += 1;
                    if verbose {
                        common::say(format!(
                            "  known {id}: {} [listed: {reason}]",
                            clip(why, 160)
                        ));
                    }
                } else {
                    common::say(format!("  FAIL  {id}: {}", clip(why, 300)));
                    unexpected.push(id.clone());
                }
            }
        }
    }

    common::say("");
    common::say(format!(
        "Helm fixtures (expected output from helm {}):",
        common::HELM_VERSION
    ));
    common::say(format!(
        "  {:<10} {:>5} {:>6} {:>11} {:>12} {:>10}",
        "area", "cases", "pass", "byte-exact", "known-fail", "new-fail"
    ));
    let mut all = Tally::default();
    for (area, t) in &per_area {
        let new_fail = t.total - t.pass - t.known;
        common::say(format!(
            "  {:<10} {:>5} {:>6} {:>11} {:>12} {:>10}",
            area, t.total, t.pass, t.exact, t.known, new_fail
        ));
        all.total += t.total;
        all.pass += t.pass;
        all.exact += t.exact;
        all.known += t.known;
        all.divergent += t.divergent;
    }
    common::say(format!(
        "  {:<10} {:>5} {:>6} {:>11} {:>12} {:>10}",
        "total",
        all.total,
        all.pass,
        all.exact,
        all.known,
        all.total - all.pass - all.known
    ));
    if all.divergent > 0 {
        common::say(format!(
            "  ({} pass as documented divergences from helm)",
            all.divergent
        ));
    }
    if !now_passing.is_empty() {
        common::say("");
        common::say(format!(
            "NOW PASSING, remove from {}: {}",
            known_path.display(),
            now_passing.join(" ")
        ));
    }
    assert!(
        unexpected.is_empty(),
        "{} fixture(s) differ from helm and are not in {}: {}",
        unexpected.len(),
        known_path.display(),
        unexpected.join(" ")
    );
}
