//! Rendering a chart: load, process dependencies, coalesce values, validate the schema,
//! parse every template into one set (in helm's order, so a parent's `define` wins over a
//! subchart's), execute each non-partial template, and turn the output into manifests.
//!
//! A template that fails to parse or execute becomes a [`RenderError`]; the others are
//! still rendered. Time and output size per chart are bounded.

use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;
use std::time::Instant;

use gotmpl::{FuncMap, Limits, Map, TemplateSet, Value};

use crate::chart::{self, Chart};
use crate::error::{Error, RenderError};
use crate::objects::{self, ApiVersions, Capabilities, Files, KubeVersion};
use crate::output;
use crate::values::{self, coalesce};
use crate::{ChartInfo, Manifest, RenderOptions, Rendered};

/// Longest error message kept (Go prints whole maps in some messages).
const MAX_MESSAGE: usize = 1000;

/// Evaluation steps allowed per template (bounds CPU on hostile templates).
const MAX_STEPS_PER_TEMPLATE: u64 = 20_000_000;

/// Load and render the chart at `path` (a chart directory or a `.tgz`).
pub fn render_chart(path: &Path, opts: &RenderOptions) -> Result<Rendered, Error> {
    // Template recursion is deep (helm allows 1000 nested includes): render on a thread
    // with a stack big enough for the engine's stack budget.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("helm-render".into())
            .stack_size(RENDER_STACK_BYTES)
            .spawn_scoped(scope, || {
                let chart = load_chart(path, opts)?;
                render_with_stack(chart, opts, ENGINE_STACK_BYTES)
            })
            .map_err(|e| Error::Io {
                path: path.to_path_buf(),
                source: e,
            })?
            .join()
            .unwrap_or_else(|_| {
                Err(Error::chart(
                    path.display().to_string(),
                    "the renderer panicked",
                ))
            })
    })
}

/// Below this many bytes of template text, parsing on one thread is cheaper than starting
/// another.
const PARALLEL_PARSE_MIN_BYTES: usize = 64 << 10;
/// Stack of a parsing thread (the parser's nesting is bounded by `gotmpl::MAX_NESTING`).
const PARSE_STACK_BYTES: usize = 16 << 20;

/// Parse every template file, on as many threads as there are cores (at most 4) when there
/// is enough text: parsing is a fifth of a typical chart's work and files are independent.
/// Results come back in the order of `files`, which is the order they must be added in.
fn parse_files(files: &[(&str, &str)]) -> Vec<Result<gotmpl::ParsedFile, gotmpl::Error>> {
    let parse = |&(name, text): &(&str, &str)| TemplateSet::parse_file(name, text);
    let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4)
        .min(files.len());
    if bytes < PARALLEL_PARSE_MIN_BYTES || threads < 2 {
        return files.iter().map(parse).collect();
    }
    // Each thread takes the next file from a shared counter, so a few big files don't
    // leave the other threads idle.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(file) = files.get(i) else {
                return done;
            };
            done.push((i, parse(file)));
        }
    };
    let mut results: Vec<Option<Result<gotmpl::ParsedFile, gotmpl::Error>>> =
        std::iter::repeat_with(|| None).take(files.len()).collect();
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("helm-parse".into())
                    .stack_size(PARSE_STACK_BYTES)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut all = work();
        for h in helpers {
            // A parser panic is a bug; the file is parsed again below and reports it there.
            all.extend(h.join().unwrap_or_default());
        }
        for (i, r) in all {
            results[i] = Some(r);
        }
    });
    results
        .into_iter()
        .zip(files)
        .map(|(r, file)| r.unwrap_or_else(|| parse(file)))
        .collect()
}

/// Stack of the rendering thread, and the part of it the template engine may use.
const RENDER_STACK_BYTES: usize = 64 << 20;
const ENGINE_STACK_BYTES: usize = 48 << 20;

/// Load a chart directory or archive without rendering it.
pub fn load_chart(path: &Path, opts: &RenderOptions) -> Result<Chart, Error> {
    if path.is_dir() {
        chart::load::load_dir(path, &opts.limits)
    } else if path.is_file() {
        chart::archive::load_archive(path, &opts.limits)
    } else {
        Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such chart"),
        })
    }
}

/// One template to parse (and maybe execute), with its chart's context.
struct Tpl {
    /// Full name as helm prints it: `parent/charts/child/templates/x.yaml`.
    name: String,
    text: String,
    /// The chart context map (`.Values`, `.Chart`, ...) shared by the chart's templates.
    ctx: Map,
    base_path: String,
    chart: String,
}

fn new_map() -> Map {
    coalesce::new_map()
}

fn chart_info(c: &Chart) -> ChartInfo {
    let m = &c.metadata;
    ChartInfo {
        name: m.name.clone(),
        version: m.version.clone(),
        app_version: m.app_version.clone(),
        description: m.description.clone(),
        home: m.home.clone(),
        icon: m.icon.clone(),
        keywords: m.keywords.clone(),
        maintainers: m.maintainers.clone(),
        sources: m.sources.clone(),
        kube_version: m.kube_version.clone(),
    }
}

/// Render an already loaded chart on the calling thread. The engine keeps to its default
/// stack budget here (sized for 2 MiB threads, a few hundred nested includes);
/// [`render_chart`] runs on its own big-stack thread and allows helm's 1000.
pub fn render_loaded(chart: Chart, opts: &RenderOptions) -> Result<Rendered, Error> {
    render_with_stack(chart, opts, Limits::default().max_stack_bytes)
}

fn render_with_stack(
    mut chart: Chart,
    opts: &RenderOptions,
    stack_bytes: usize,
) -> Result<Rendered, Error> {
    let started = Instant::now();
    let mut warnings = std::mem::take(&mut chart.warnings);
    let user = values::user_values(opts)?;
    crate::deps::process(&mut chart, &user, &mut warnings);
    let vals = coalesce::coalesce_values(&chart, &user, false, &mut warnings);

    // values.schema.json, for the chart and each subchart against its own section.
    let mut schema_errors = Vec::new();
    validate_schemas(&chart, &vals, &mut schema_errors, &mut warnings);
    if !schema_errors.is_empty() {
        if opts.strict {
            return Err(Error::Schema(schema_errors.join("\n")));
        }
        warnings.push(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{}",
            schema_errors.join("\n")
        ));
    }

    let kube = match &opts.kube_version {
        Some(v) => KubeVersion::parse(v).map_err(Error::Values)?,
        None => KubeVersion {
            version: objects::DEFAULT_KUBE_VERSION.into(),
            major: "1".into(),
            minor: "35".into(),
        },
    };
    let mut apis: Vec<String> = objects::DEFAULT_API_VERSIONS
        .iter()
        .map(|s| s.to_string())
        .collect();
    apis.extend(opts.api_versions.iter().cloned());
    let caps = Value::Object(Rc::new(Capabilities {
        kube: Rc::new(kube),
        apis: Rc::new(ApiVersions { list: apis }),
    }));
    let release_name = opts
        .release_name
        .clone()
        .unwrap_or_else(|| chart.name().to_string());
    let release = objects::release_value(&release_name, &opts.namespace, opts.is_upgrade);

    if chart.metadata.is_library() {
        warnings.push(format!(
            "chart {} is a library chart: library charts are not installable and render nothing",
            chart.name()
        ));
    }
    check_kube_version(&chart, &caps, &mut warnings);

    let mut tpls = Vec::new();
    collect(
        &chart,
        "",
        Value::Map(vals.clone()),
        &release,
        &caps,
        true,
        &mut tpls,
    );

    // Helm's parse order: deeper paths first, ties in reverse lexical order.
    tpls.sort_by(|a, b| {
        let (ca, cb) = (a.name.matches('/').count(), b.name.matches('/').count());
        cb.cmp(&ca).then_with(|| b.name.cmp(&a.name))
    });

    let mut errors = Vec::new();
    let mut set = TemplateSet::new();
    if opts.strict {
        set.set_missing_key(gotmpl::MissingKey::Error);
    }
    let mut parsed = vec![false; tpls.len()];
    let files: Vec<(&str, &str)> = tpls
        .iter()
        .map(|t| (t.name.as_str(), t.text.as_str()))
        .collect();
    for (i, (t, result)) in tpls.iter().zip(parse_files(&files)).enumerate() {
        match result {
            Ok(file) => {
                set.add_parsed(file);
                parsed[i] = true;
            }
            Err(e) => errors.push(RenderError {
                chart: t.chart.clone(),
                template: t.name.clone(),
                line: e.line(),
                column: None,
                expression: None,
                message: format!("parse error: {}", e.message()),
            }),
        }
    }
    if opts.strict && !errors.is_empty() {
        return Err(Error::Template(Box::new(errors.remove(0))));
    }

    let funcs = func_map_with(&gotmpl::sprig::Options {
        rsa_keys: opts.rsa_keys,
    });
    let limits = Limits {
        max_output_bytes: opts.max_output_bytes,
        max_steps: MAX_STEPS_PER_TEMPLATE,
        max_stack_bytes: stack_bytes,
        ..Limits::default()
    };
    let mut outputs: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut total_out = 0usize;
    for (i, t) in tpls.iter().enumerate() {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if !parsed[i] || base.starts_with('_') {
            continue;
        }
        if base == "NOTES.txt" {
            // Helm renders NOTES.txt (and fails on its errors) but prints nothing of it.
            t.ctx.borrow_mut().insert(
                "Template".into(),
                objects::template_value(&t.name, &t.base_path),
            );
            if let Err(e) = set.execute(&t.name, &Value::Map(t.ctx.clone()), &funcs, &limits) {
                warnings.push(render_error(&t.chart, &t.name, &e).to_string());
            }
            continue;
        }
        if started.elapsed() > opts.timeout {
            errors.push(RenderError {
                chart: t.chart.clone(),
                template: t.name.clone(),
                line: None,
                column: None,
                expression: None,
                message: format!(
                    "not rendered: the chart took longer than {:?}",
                    opts.timeout
                ),
            });
            continue;
        }
        if total_out > opts.max_output_bytes {
            errors.push(RenderError {
                chart: t.chart.clone(),
                template: t.name.clone(),
                line: None,
                column: None,
                expression: None,
                message: format!(
                    "not rendered: the chart's output exceeds {} bytes",
                    opts.max_output_bytes
                ),
            });
            continue;
        }
        t.ctx.borrow_mut().insert(
            "Template".into(),
            objects::template_value(&t.name, &t.base_path),
        );
        match set.execute(&t.name, &Value::Map(t.ctx.clone()), &funcs, &limits) {
            Ok(out) => {
                let out = gotmpl::fmt::strip_no_value(out);
                total_out += out.len();
                outputs.insert(t.name.clone(), (out, i));
            }
            Err(e) => {
                let re = render_error(&t.chart, &t.name, &e);
                if opts.strict {
                    return Err(Error::Template(Box::new(re)));
                }
                errors.push(re);
            }
        }
    }

    let mut generic = Vec::new();
    let mut hooks = Vec::new();
    for (name, (out, idx)) in &outputs {
        if out.trim().is_empty() {
            continue;
        }
        let mut kind_counts: BTreeMap<String, usize> = BTreeMap::new();
        let template_lines = output::TemplateLines::new(&tpls[*idx].text);
        for (doc, rendered_line) in output::split_documents(out) {
            let head = output::head(&doc);
            // With `validate_yaml` the same problem is already a template error (lib.rs).
            if let Some(e) = &head.parse_error
                && !opts.validate_yaml
            {
                warnings.push(format!("YAML parse error on {name}: {e}"));
            }
            let nth = kind_counts.entry(head.kind.clone()).or_insert(0);
            let line = template_lines.line(&head.kind, *nth, rendered_line);
            *nth += 1;
            let m = Manifest {
                source: name.clone(),
                content: doc,
                hook: head.hook.clone(),
                line,
                kind: head.kind,
            };
            match &head.hook {
                None => generic.push(m),
                Some(h) if output::known_hook(h) => hooks.push(m),
                Some(h) => warnings.push(format!(
                    "{name}: skipping unknown hook {h:?} (helm drops such documents)"
                )),
            }
        }
    }
    output::sort_by_kind(&mut generic);
    output::sort_by_kind(&mut hooks);
    generic.extend(hooks);

    let mut crds = Vec::new();
    collect_crds(&chart, "", &mut crds);

    Ok(Rendered {
        chart: chart_info(&chart),
        manifests: generic,
        crds,
        errors,
        warnings,
        include_crds: opts.include_crds,
    })
}

/// Chart.yaml `kubeVersion` against the target version (helm refuses to render; we warn).
fn check_kube_version(c: &Chart, caps: &Value, warnings: &mut Vec<String>) {
    let constraint = c.metadata.kube_version.trim();
    if constraint.is_empty() {
        return;
    }
    let Value::Object(o) = caps else { return };
    let Some(Value::Object(kv)) = o.field("KubeVersion") else {
        return;
    };
    let version = kv.field("Version").unwrap_or_default();
    let funcs = {
        let mut f = FuncMap::new();
        gotmpl::sprig::register(&mut f);
        f
    };
    let Some(semver_compare) = funcs.get("semverCompare") else {
        return;
    };
    match semver_compare(&[Value::str(constraint), version.clone()]) {
        Ok(Value::Bool(false)) => warnings.push(format!(
            "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {}",
            gotmpl::fmt::format_value(&version)
        )),
        Ok(_) => {}
        Err(e) => warnings.push(format!(
            "chart {}: kubeVersion {constraint:?}: {e}",
            c.name()
        )),
    }
}

fn full_path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/charts/{name}")
    }
}

/// Build each chart's context (helm's `recAllTpls`) and list its templates.
fn collect(
    c: &Chart,
    parent: &str,
    values: Value,
    release: &Value,
    caps: &Value,
    is_root: bool,
    out: &mut Vec<Tpl>,
) -> Value {
    let path = full_path(parent, c.name());
    let ctx = new_map();
    let files: BTreeMap<String, Rc<[u8]>> = c
        .files
        .iter()
        .map(|f| (f.name.clone(), Rc::from(f.data.as_slice())))
        .collect();
    let subcharts = new_map();
    {
        let mut m = ctx.borrow_mut();
        m.insert("Chart".into(), objects::chart_value(&c.metadata, is_root));
        m.insert("Files".into(), Value::Object(Rc::new(Files::new(files))));
        m.insert("Release".into(), release.clone());
        m.insert("Capabilities".into(), caps.clone());
        m.insert("Values".into(), values.clone());
        m.insert("Subcharts".into(), Value::Map(subcharts.clone()));
    }
    for sub in &c.dependencies {
        let sub_vals = match &values {
            Value::Map(m) => match m.borrow().get(sub.name()) {
                Some(Value::Map(sm)) => Value::Map(sm.clone()),
                _ => Value::empty_map(),
            },
            _ => Value::empty_map(),
        };
        let sub_ctx = collect(sub, &path, sub_vals, release, caps, false, out);
        subcharts
            .borrow_mut()
            .insert(sub.name().to_string(), sub_ctx);
    }
    let library = c.metadata.is_library();
    for t in &c.templates {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if library && !base.starts_with('_') {
            continue;
        }
        out.push(Tpl {
            name: format!("{path}/{}", t.name),
            text: rewrite_glob_range(&crate::text::lossy(&t.data)),
            ctx: ctx.clone(),
            base_path: format!("{path}/templates"),
            chart: c.name().to_string(),
        });
    }
    Value::Map(ctx)
}

/// `{{ range $p, $c := .Files.Glob "x" }}`: the engine cannot range over a host object, so
/// such a `range` is pointed at `.Files.GlobMap`, which returns the same files as a map.
/// (Column numbers after the rewrite shift by three on that line.)
fn rewrite_glob_range(text: &str) -> String {
    if !text.contains("Files.Glob") {
        return text.to_string();
    }
    let owned = rewrite_glob_variables(text);
    let text = owned.as_str();
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(p) = rest.find("range") {
        let (before, after) = rest.split_at(p);
        out.push_str(before);
        // Only a range whose pipeline starts with (optional decl then) .Files.Glob.
        let body = &after[5..];
        let end = body.find("}}").unwrap_or(body.len());
        let action = &body[..end];
        let pipe = match action.find(":=") {
            Some(q) => &action[q + 2..],
            None => action,
        };
        let pipe_t = pipe.trim_start();
        let is_glob = [
            "$.Files.Glob ",
            ".Files.Glob ",
            "$.Files.Glob\t",
            ".Files.Glob\t",
        ]
        .iter()
        .any(|p| pipe_t.starts_with(p));
        if is_glob {
            let glob_at = 5 + (action.len() - pipe.len()) + (pipe.len() - pipe_t.len());
            let word_end = glob_at + pipe_t.find("Glob").unwrap_or(0) + 4;
            out.push_str(&after[..word_end]);
            out.push_str("Map");
            rest = &after[word_end..];
        } else {
            out.push_str("range");
            rest = &after[5..];
        }
    }
    out.push_str(rest);
    out
}

/// `{{ $files := .Files.Glob "x" }} ... {{ range $k, $v := $files }}`: when a variable holding
/// a Glob result is ranged over and never used as `.Files` (no `$files.AsConfig` and the
/// like), it is assigned from `.Files.GlobMap` instead.
fn rewrite_glob_variables(text: &str) -> String {
    let mut out = text.to_string();
    let mut search = 0;
    while let Some(p) = out[search..].find(":=").map(|p| p + search) {
        search = p + 2;
        // `$name :=` before, `.Files.Glob` (or `$.Files.Glob`) after.
        let before = out[..p].trim_end();
        let Some(dollar) = before.rfind('$') else {
            continue;
        };
        let name = &before[dollar..];
        if name.len() < 2 || !name[1..].chars().all(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let after = &out[p + 2..];
        let trimmed = after.trim_start();
        let lead = after.len() - trimmed.len();
        let glob_len = if trimmed.starts_with(".Files.Glob ") {
            ".Files.Glob".len()
        } else if trimmed.starts_with("$.Files.Glob ") {
            "$.Files.Glob".len()
        } else {
            continue;
        };
        let name = name.to_string();
        let ranged =
            out.contains(&format!(":= {name} ")) || out.contains(&format!("range {name} "));
        let used_as_files = [".AsConfig", ".AsSecrets", ".Get", ".Lines", ".Glob"]
            .iter()
            .any(|m| out.contains(&format!("{name}{m}")));
        if ranged && !used_as_files {
            let at = p + 2 + lead + glob_len;
            out.insert_str(at, "Map");
        }
    }
    out
}

fn collect_crds(c: &Chart, parent: &str, out: &mut Vec<Manifest>) {
    let path = full_path(parent, c.name());
    for f in c.crd_files() {
        let lower = f.name.to_ascii_lowercase();
        if !(lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")) {
            continue;
        }
        let content = crate::text::lossy(&f.data).into_owned();
        out.push(Manifest {
            source: format!("{path}/{}", f.name),
            // Only the line scan: a full parse of CRD files (megabytes in some charts)
            // costs more than the rest of the render, and nothing reads these kinds.
            kind: output::quick_head(&content)
                .map(|h| h.kind)
                .unwrap_or_default(),
            content,
            hook: None,
            line: 1,
        });
    }
    for d in &c.dependencies {
        collect_crds(d, &path, out);
    }
}

fn validate_schemas(c: &Chart, vals: &Map, errors: &mut Vec<String>, warnings: &mut Vec<String>) {
    if let Some(schema) = &c.schema {
        match crate::values::schema::validate(schema, &Value::Map(vals.clone())) {
            Ok(errs) if !errs.is_empty() => {
                errors.push(format!("{}:\n{}", c.name(), errs.join("\n")));
            }
            Ok(_) => {}
            Err(e) => warnings.push(format!("{}: {e}", c.name())),
        }
    }
    for d in &c.dependencies {
        let sub = match vals.borrow().get(d.name()) {
            Some(Value::Map(m)) => m.clone(),
            _ => new_map(),
        };
        validate_schemas(d, &sub, errors, warnings);
    }
}

/// Sprig, then Helm's functions, then `include` and `tpl`.
pub fn func_map() -> FuncMap {
    func_map_with(&gotmpl::sprig::Options::default())
}

/// [`func_map`] with Sprig [`gotmpl::sprig::Options`].
pub fn func_map_with(sprig: &gotmpl::sprig::Options) -> FuncMap {
    let mut f = FuncMap::new();
    gotmpl::sprig::register_with(&mut f, sprig);
    crate::funcs::register(&mut f);
    f.insert_ctx("include", |ctx, args| {
        let name = match args.first() {
            Some(Value::String(s)) => s.to_string(),
            Some(other) => gotmpl::fmt::format_value(other),
            None => return Err("wrong number of args for include: want 2 got 0".into()),
        };
        let data = args.get(1).cloned().unwrap_or_default();
        ctx.execute_named_value(&name, &data)
            .map_err(|e| e.to_string())
    });
    f.insert_ctx("tpl", |ctx, args| {
        let text = match args.first() {
            Some(Value::String(s)) => s.to_string(),
            Some(Value::Nil) | None => String::new(),
            Some(other) => gotmpl::fmt::format_value(other),
        };
        let data = args.get(1).cloned().unwrap_or_default();
        let root = ctx.set_name().to_string();
        ctx.execute_text(&root, &text, &data)
            .map(|s| Value::from(gotmpl::fmt::strip_no_value(s)))
            .map_err(|e| e.to_string())
    });
    f
}

/// Turn an engine error into helm's report: the outer location, the innermost message
/// (`required`/`fail` messages bare, as helm prints them).
fn render_error(chart: &str, template: &str, e: &gotmpl::Error) -> RenderError {
    let full = e.to_string();
    let mut message = e.message().to_string();
    let mut expression = e.context().map(str::to_string);
    for f in ["required", "fail"] {
        let marker = format!("error calling {f}: ");
        if let Some(p) = full.rfind(&marker) {
            message = full[p + marker.len()..].to_string();
            expression = None;
            break;
        }
    }
    if expression.is_some() {
        // An error inside include/tpl: report the innermost expression and message.
        if let Some(p) = full.rfind(" at <") {
            let rest = &full[p + 5..];
            if let Some(q) = rest.find(">: ") {
                expression = Some(rest[..q].to_string());
                message = rest[q + 3..].to_string();
            }
        }
    }
    if message.starts_with("function \"") && message.ends_with("not defined") {
        // Go reports unknown functions while parsing; helm prints a parse error.
        message = format!("parse error: {message}");
        expression = None;
    }
    if message.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push_str("...");
    }
    RenderError {
        chart: chart.to_string(),
        template: e.template_name().unwrap_or(template).to_string(),
        line: e.line(),
        column: e.column(),
        expression: expression.map(|x| format!("<{x}>")),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_range_rewrite() {
        assert_eq!(
            rewrite_glob_range(r#"{{ range $p, $_ := .Files.Glob "x/*" }}{{ $p }}{{ end }}"#),
            r#"{{ range $p, $_ := .Files.GlobMap "x/*" }}{{ $p }}{{ end }}"#
        );
        assert_eq!(
            rewrite_glob_range(r#"{{- range $.Files.Glob "x" }}{{ (.Files.Glob "y").AsConfig }}"#),
            r#"{{- range $.Files.GlobMap "x" }}{{ (.Files.Glob "y").AsConfig }}"#
        );
        assert_eq!(
            rewrite_glob_range("{{ range .Values.x }}"),
            "{{ range .Values.x }}"
        );
        assert_eq!(
            rewrite_glob_range(
                "{{- $files := .Files.Glob \"d/*.json\" }}{{ if $files }}{{ range $p, $c := $files }}{{ end }}{{ end }}"
            ),
            "{{- $files := .Files.GlobMap \"d/*.json\" }}{{ if $files }}{{ range $p, $c := $files }}{{ end }}{{ end }}"
        );
        let kept =
            "{{ $f := .Files.Glob \"x\" }}{{ range $p, $c := $f }}{{ end }}{{ $f.AsConfig }}";
        assert_eq!(rewrite_glob_range(kept), kept);
    }
}

#[cfg(test)]
mod fixture_tests {
    //! Small charts under `tests/fixtures-unit/`; `*.expected` files were printed by
    //! helm v4.1.4 (`helm template parent parent --namespace ns1 [flags]`).
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures-unit")
            .join(name)
    }

    fn expected(name: &str) -> String {
        std::fs::read_to_string(fixture(name)).unwrap()
    }

    fn opts() -> RenderOptions {
        RenderOptions {
            namespace: "ns1".into(),
            ..RenderOptions::default()
        }
    }

    #[test]
    fn parent_chart_matches_helm() {
        let r = render_chart(&fixture("parent"), &opts()).unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            crate::format_like_helm_template(&r),
            expected("parent.expected")
        );
        assert_eq!(r.chart.name, "parent");
        assert_eq!(r.chart.version, "1.2.3");
        assert_eq!(r.chart.app_version, "4.5");
        assert_eq!(r.chart.sources, vec!["https://example.com/src".to_string()]);
        assert_eq!(r.chart.maintainers[0].email, "jane@example.com");
        let hook = r.manifests.iter().find(|m| m.kind == "Job").unwrap();
        assert_eq!(hook.hook.as_deref(), Some("pre-install,pre-upgrade"));
        let role = r
            .manifests
            .iter()
            .find(|m| m.kind == "RoleBinding")
            .unwrap();
        assert_eq!(role.source, "parent/templates/rbac/role.yaml");
        assert_eq!(role.line, 9);
        assert_eq!(r.crds.len(), 1);
        assert_eq!(r.crds[0].source, "parent/crds/crd.yaml");
    }

    #[test]
    fn parent_chart_with_user_values_matches_helm() {
        let o = RenderOptions {
            values_files: vec![fixture("parent-extra.yaml")],
            set: vec!["removeMe=null".into(), "child.enabled=false".into()],
            set_string: vec!["child2.replicas=7".into()],
            set_json: vec![r#"global={"team":"json"}"#.into()],
            ..opts()
        };
        let r = render_chart(&fixture("parent"), &o).unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            crate::format_like_helm_template(&r),
            expected("parent.set.expected")
        );
    }

    #[test]
    fn nested_subcharts_globals_aliases_and_imports_match_helm() {
        // helm template top nested -f nested-user.yaml --set mid.leaf.y=set,global.g1=cli
        let o = RenderOptions {
            release_name: Some("top".into()),
            values_files: vec![fixture("nested-user.yaml")],
            set: vec!["mid.leaf.y=set,global.g1=cli".into()],
            ..RenderOptions::default()
        };
        let r = render_chart(&fixture("nested"), &o).unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            crate::format_like_helm_template(&r),
            expected("nested.expected")
        );
        // `mid2.on` is really `mid2."true"` (YAML 1.1), so `mid.enabled` decides mid2.
        assert!(
            r.manifests
                .iter()
                .any(|m| m.source.starts_with("top/charts/mid2/"))
        );
    }

    #[test]
    fn crds_printed_first_when_asked() {
        let o = RenderOptions {
            include_crds: true,
            ..opts()
        };
        let r = render_chart(&fixture("parent"), &o).unwrap();
        let text = crate::format_like_helm_template(&r);
        assert!(text.starts_with("---\n# Source: parent/crds/crd.yaml\napiVersion: apiextensions"));
    }

    #[test]
    fn archive_renders_like_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let tgz = dir.path().join("parent-1.2.3.tgz");
        let mut b = tar::Builder::new(Vec::new());
        b.append_dir_all("parent", fixture("parent")).unwrap();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, &b.into_inner().unwrap()).unwrap();
        std::fs::write(&tgz, enc.finish().unwrap()).unwrap();
        assert!(crate::is_chart_archive(&tgz));
        assert!(crate::is_chart_dir(&fixture("parent")));
        let r = render_chart(&tgz, &opts()).unwrap();
        // A raw tar keeps what .helmignore drops (helm applies .helmignore only to
        // directories), so `.Files.Get "secret.txt"` finds it here.
        let want = expected("parent.expected").replace("ignored: \"\"", "ignored: \"not shipped\"");
        assert_eq!(crate::format_like_helm_template(&r), want);
    }

    #[test]
    fn partial_result_with_located_errors() {
        let r = render_chart(&fixture("partial"), &RenderOptions::default()).unwrap();
        assert!(r.is_partial());
        assert_eq!(r.manifests.len(), 1);
        assert_eq!(r.manifests[0].kind, "ServiceAccount");
        let e = &r.errors[0];
        assert_eq!(e.template, "partial/templates/b.yaml");
        assert_eq!(e.line, Some(4));
        assert_eq!(e.message, "set b.name");
        assert_eq!(
            e.to_string(),
            "execution error at (partial/templates/b.yaml:4:11): set b.name"
        );
        // The missing archive of a disabled dependency is fine; the schema violation warns.
        assert!(
            r.warnings
                .iter()
                .any(|w| w.contains("/port") && w.contains("want integer"))
        );
        assert!(!r.warnings.iter().any(|w| w.contains("gone")));
    }

    #[test]
    fn strict_makes_schema_and_template_errors_fatal() {
        let o = RenderOptions {
            strict: true,
            ..RenderOptions::default()
        };
        let e = render_chart(&fixture("partial"), &o).unwrap_err();
        assert!(matches!(e, Error::Schema(_)), "{e}");
        let o = RenderOptions {
            strict: true,
            set: vec!["port=80".into()],
            ..RenderOptions::default()
        };
        let e = render_chart(&fixture("partial"), &o).unwrap_err();
        assert!(matches!(e, Error::Template(_)), "{e}");
    }

    #[test]
    fn parse_errors_and_unknown_functions_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path().join("c");
        std::fs::create_dir_all(c.join("templates")).unwrap();
        std::fs::write(
            c.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::write(
            c.join("templates/bad.yaml"),
            "a: {{ .Values.x | nosuch }}\n",
        )
        .unwrap();
        std::fs::write(c.join("templates/bad2.yaml"), "b: {{ if }}\n").unwrap();
        std::fs::write(c.join("templates/ok.yaml"), "kind: ServiceAccount\n").unwrap();
        let r = render_chart(&c, &RenderOptions::default()).unwrap();
        assert_eq!(r.manifests.len(), 1);
        let mut errs: Vec<String> = r.errors.iter().map(|e| e.to_string()).collect();
        errs.sort();
        assert_eq!(
            errs,
            vec![
                "parse error at (c/templates/bad.yaml:1): function \"nosuch\" not defined"
                    .to_string(),
                "parse error at (c/templates/bad2.yaml:1): missing value for if".to_string(),
            ]
        );
    }

    #[test]
    fn release_name_defaults_to_the_chart_name() {
        let o = RenderOptions {
            set: vec!["b.name=x".into()],
            release_name: Some("rel".into()),
            ..RenderOptions::default()
        };
        let r = render_chart(&fixture("partial"), &o).unwrap();
        assert!(r.errors.is_empty());
        assert!(render_chart(Path::new("/nonexistent/chart"), &o).is_err());
    }
}
