//! Shared machinery of the Helm differential tests (`fixtures.rs`, `corpus_diff.rs`):
//! locating the real helm (the oracle), splitting `helm template` output into `# Source`
//! documents, parsing them as YAML, and comparing two renderings document by document, with
//! random, time and certificate values compared by shape.
//!
//! See `docs/HELM-FIDELITY.md` for how the oracle and the fixtures are produced.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

/// Helm version that `scripts/fetch-helm.sh` installs.
pub const HELM_VERSION: &str = "v4.1.4";

/// The workspace root (`crates/helm/../..`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `crates/helm/tests`.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The real helm: `$RBAC_LENS_HELM`, else the cache directory of `scripts/fetch-helm.sh`
/// (`${RBAC_LENS_CACHE:-$HOME/.cache/rbac-lens}/helm-v4.1.4/helm/helm`).
/// Returns the path looked at and whether it is an executable file.
pub fn helm_oracle() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("RBAC_LENS_HELM") {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!("RBAC_LENS_HELM={} is not a file", p.display()))
        };
    }
    let cache = match std::env::var_os("RBAC_LENS_CACHE") {
        Some(c) => PathBuf::from(c),
        None => match std::env::var_os("HOME") {
            Some(h) => PathBuf::from(h).join(".cache/rbac-lens"),
            None => return Err("neither RBAC_LENS_HELM nor HOME is set".into()),
        },
    };
    let p = cache.join(format!("helm-{HELM_VERSION}/helm/helm"));
    if p.is_file() {
        Ok(p)
    } else {
        Err(format!(
            "no helm at {} (run scripts/fetch-helm.sh, or set RBAC_LENS_HELM)",
            p.display()
        ))
    }
}

/// Prints a report line straight to the process's stderr, bypassing libtest's output capture,
/// so summaries (and loud skips) are visible even when the test passes.
pub fn say(line: impl AsRef<str>) {
    use std::io::Write;
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{}", line.as_ref());
}

/// Output of one `helm` run.
pub struct HelmRun {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
    pub time: Duration,
}

/// Runs helm with `args` in `cwd`, hermetically: empty `HELM_*_HOME` directories under
/// `sandbox` and no kubeconfig, so nothing on this machine leaks into the output.
pub fn run_helm(helm: &Path, args: &[String], cwd: &Path, sandbox: &Path) -> HelmRun {
    let start = Instant::now();
    let out = std::process::Command::new(helm)
        .args(args)
        .current_dir(cwd)
        .env("HELM_CACHE_HOME", sandbox.join("cache"))
        .env("HELM_CONFIG_HOME", sandbox.join("config"))
        .env("HELM_DATA_HOME", sandbox.join("data"))
        .env("KUBECONFIG", sandbox.join("no-kubeconfig"))
        .env_remove("HELM_NAMESPACE")
        .env_remove("HELM_KUBECONTEXT")
        .env_remove("HELM_DEBUG")
        .output();
    let time = start.elapsed();
    match out {
        Ok(o) => HelmRun {
            ok: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            time,
        },
        Err(e) => HelmRun {
            ok: false,
            stdout: String::new(),
            stderr: format!("cannot run {}: {e}", helm.display()),
            time,
        },
    }
}

/// A fresh scratch directory for helm's home directories; removed on drop.
pub struct Sandbox(pub PathBuf);

impl Sandbox {
    pub fn new(tag: &str) -> Sandbox {
        let p = std::env::temp_dir().join(format!("rbac-lens-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&p).expect("create sandbox");
        Sandbox(p)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Prints a loud notice that a test could not run; with `RBAC_LENS_REQUIRE_ORACLE=1` it
/// panics instead.
pub fn skip_loudly(test: &str, why: &str) {
    let bar = "!".repeat(78);
    say(&bar);
    say(format!("!! {test} SKIPPED: {why}"));
    say("!! The comparison with the real helm did NOT run.");
    say(&bar);
    if std::env::var("RBAC_LENS_REQUIRE_ORACLE").is_ok_and(|v| v == "1") {
        panic!("{test} cannot run and RBAC_LENS_REQUIRE_ORACLE=1: {why}");
    }
}

// ---------------------------------------------------------------------------------------------
// Running the renderer with a timeout and without letting a panic take the whole suite down
// ---------------------------------------------------------------------------------------------

/// Outcome of one call to our renderer.
pub enum Run<T> {
    Done(T),
    Panicked(String),
    TimedOut(Duration),
}

/// Runs `f` on its own thread; a panic or a hang is reported, not propagated. A thread that
/// hangs is left behind (it dies with the test process).
pub fn run_guarded<T: Send + 'static>(
    timeout: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> (Run<T>, Duration) {
    let start = Instant::now();
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("render".into())
        .stack_size(64 << 20)
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return (Run::Panicked(format!("cannot spawn: {e}")), start.elapsed());
    }
    let out = match rx.recv_timeout(timeout) {
        Ok(Ok(v)) => Run::Done(v),
        Ok(Err(p)) => Run::Panicked(panic_message(&p)),
        Err(_) => Run::TimedOut(timeout),
    };
    (out, start.elapsed())
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic>".into()
    }
}

/// Silences the default panic message of the guarded render threads (we report panics
/// ourselves), keeping it for every other thread.
pub fn quiet_render_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() != Some("render") {
            default(info);
        }
    }));
}

// ---------------------------------------------------------------------------------------------
// YAML values
// ---------------------------------------------------------------------------------------------

/// A parsed YAML node. Mappings are keyed by a canonical form of the key, so key order and
/// formatting do not matter; integers and floats stay distinct (`1` is not `1.0`).
#[derive(Clone, Debug, PartialEq)]
pub enum Y {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Y>),
    Map(BTreeMap<String, Y>),
}

impl Y {
    /// The canonical key under which a node is stored when used as a mapping key.
    fn key(&self) -> String {
        match self {
            Y::Str(s) => s.clone(),
            other => format!("{other}"),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Y> {
        match self {
            Y::Map(m) => m.get(key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Y::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Y {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Y::Null => write!(f, "null"),
            Y::Bool(b) => write!(f, "{b}"),
            Y::Int(i) => write!(f, "{i}"),
            Y::Float(x) => write!(f, "{x:?}"),
            Y::Str(s) => write!(f, "{s:?}"),
            Y::Seq(v) => {
                write!(f, "[")?;
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{e}")?;
                }
                write!(f, "]")
            }
            Y::Map(m) => {
                write!(f, "{{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k:?}: {v}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Y {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(YVisitor)
    }
}

struct YVisitor;

impl<'de> serde::de::Visitor<'de> for YVisitor {
    type Value = Y;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Y, E> {
        Ok(Y::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Y, E> {
        Ok(Y::Int(v as i128))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Y, E> {
        Ok(Y::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Y, E> {
        Ok(Y::Int(v as i128))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Y, E> {
        Ok(Y::Int(v as i128))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Y, E> {
        Ok(Y::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Y, E> {
        Ok(Y::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Y, E> {
        Ok(Y::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Y, E> {
        Ok(Y::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E>(self) -> Result<Y, E> {
        Ok(Y::Null)
    }
    fn visit_none<E>(self) -> Result<Y, E> {
        Ok(Y::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Y, D::Error> {
        serde::Deserialize::deserialize(d)
    }
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, d: D) -> Result<Y, D::Error> {
        serde::Deserialize::deserialize(d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Y, A::Error> {
        let mut v = Vec::new();
        while let Some(e) = a.next_element::<Y>()? {
            v.push(e);
        }
        Ok(Y::Seq(v))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Y, A::Error> {
        let mut m = BTreeMap::new();
        while let Some((k, v)) = a.next_entry::<Y, Y>()? {
            m.insert(k.key(), v);
        }
        Ok(Y::Map(m))
    }
}

/// Parses one YAML document the way Kubernetes reads it (YAML 1.1 booleans and octals).
/// A document with nothing but comments and blank lines is `null`.
pub fn parse_yaml(text: &str) -> Result<Y, String> {
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(Y::Null);
    }
    let mut opts = serde_saphyr::Options::default();
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    opts.legacy_octal_numbers = true;
    opts.budget = None;
    serde_saphyr::from_str_with_options::<Y>(text, opts).map_err(|e| {
        let s = e.to_string();
        s.lines().next().unwrap_or("").to_string()
    })
}

// ---------------------------------------------------------------------------------------------
// `helm template` output: documents tagged with their `# Source`
// ---------------------------------------------------------------------------------------------

/// One document of `helm template` output.
#[derive(Clone, Debug)]
pub struct Doc {
    /// `chart/templates/x.yaml` from the `# Source:` line ("" when there was none).
    pub source: String,
    /// The text after the `# Source:` line.
    pub text: String,
    /// The parsed document, or the parse error.
    pub value: Result<Y, String>,
}

impl Doc {
    pub fn kind(&self) -> Option<&str> {
        self.value.as_ref().ok()?.get("kind")?.as_str()
    }

    /// Whether the document comes from a `crds/` directory rather than from `templates/`.
    pub fn is_crd_file(&self) -> bool {
        let s = &self.source;
        s.contains("/crds/") && !s.contains("/templates/")
    }
}

/// Splits `helm template` output into documents. Each starts with `---` followed by
/// `# Source: PATH`; text before the first such marker is kept as a document with an empty
/// source only if it holds something other than blank lines and comments.
pub fn split_helm_output(out: &str) -> Vec<Doc> {
    let lines: Vec<&str> = out.split('\n').collect();
    let mut docs: Vec<(String, Vec<&str>)> = vec![(String::new(), Vec::new())];
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.trim_end() == "---" && i + 1 < lines.len() && lines[i + 1].starts_with("# Source: ") {
            let src = lines[i + 1]["# Source: ".len()..].trim().to_string();
            docs.push((src, Vec::new()));
            i += 2;
            continue;
        }
        docs.last_mut().expect("non-empty").1.push(l);
        i += 1;
    }
    let mut out_docs = Vec::new();
    for (n, (source, body)) in docs.into_iter().enumerate() {
        let text = body.join("\n");
        if n == 0
            && text
                .lines()
                .all(|l| l.trim().is_empty() || l.trim() == "---" || l.starts_with('#'))
        {
            continue;
        }
        let value = parse_yaml(&text);
        out_docs.push(Doc {
            source,
            text,
            value,
        });
    }
    out_docs
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

/// What a comparison of two renderings found.
#[derive(Debug, Default)]
pub struct Comparison {
    pub expected_docs: usize,
    pub actual_docs: usize,
    /// One entry per differing document (or per missing/extra document, or order).
    pub diffs: Vec<String>,
    /// Leaves that differ in value but agree in shape (random, time, certificates).
    pub shape_matches: Vec<String>,
}

impl Comparison {
    pub fn identical(&self) -> bool {
        self.diffs.is_empty()
    }

    pub fn first_diff(&self) -> &str {
        self.diffs.first().map(String::as_str).unwrap_or("")
    }
}

/// Compares two renderings document by document: documents with the same `# Source` are
/// paired in order, then the overall order of sources is checked.
pub fn compare_docs(expected: &[Doc], actual: &[Doc]) -> Comparison {
    let mut c = Comparison {
        expected_docs: expected.len(),
        actual_docs: actual.len(),
        ..Default::default()
    };
    let group = |docs: &[Doc]| {
        let mut g: BTreeMap<String, Vec<Doc>> = BTreeMap::new();
        for d in docs {
            g.entry(d.source.clone()).or_default().push(d.clone());
        }
        g
    };
    let (ge, ga) = (group(expected), group(actual));
    let mut sources: Vec<&String> = ge.keys().chain(ga.keys()).collect();
    sources.sort();
    sources.dedup();
    let empty = Vec::new();
    for src in sources {
        let (e, a) = (ge.get(src).unwrap_or(&empty), ga.get(src).unwrap_or(&empty));
        for i in 0..e.len().max(a.len()) {
            let tag = if e.len().max(a.len()) > 1 {
                format!("{src}[{i}]")
            } else {
                src.clone()
            };
            match (e.get(i), a.get(i)) {
                (Some(ed), None) => c
                    .diffs
                    .push(format!("{tag}: missing (helm has {})", describe(ed))),
                (None, Some(ad)) => c
                    .diffs
                    .push(format!("{tag}: extra document ({})", describe(ad))),
                (Some(ed), Some(ad)) => match (&ed.value, &ad.value) {
                    (Ok(ev), Ok(av)) => {
                        let ctx = Ctx {
                            secret: ed.kind() == Some("Secret"),
                        };
                        let mut path = Vec::new();
                        let mut shapes = Vec::new();
                        if let Some(d) = diff_values(ev, av, &mut path, &ctx, &mut shapes) {
                            c.diffs.push(format!("{tag}: {d}"));
                        } else {
                            c.shape_matches
                                .extend(shapes.into_iter().map(|s| format!("{tag}: {s}")));
                        }
                    }
                    (Err(e), Ok(_)) => c
                        .diffs
                        .push(format!("{tag}: helm's document does not parse ({e})")),
                    (Ok(_), Err(e)) => c
                        .diffs
                        .push(format!("{tag}: our document is not valid YAML: {e}")),
                    (Err(_), Err(_)) => {
                        if ed.text.trim() != ad.text.trim() {
                            c.diffs
                                .push(format!("{tag}: both unparsable, and the texts differ"));
                        }
                    }
                },
                (None, None) => unreachable!(),
            }
        }
    }
    if c.diffs.is_empty() {
        let oe: Vec<&str> = expected.iter().map(|d| d.source.as_str()).collect();
        let oa: Vec<&str> = actual.iter().map(|d| d.source.as_str()).collect();
        if oe != oa {
            let at = oe.iter().zip(&oa).position(|(a, b)| a != b).unwrap_or(0);
            c.diffs.push(format!(
                "document order differs at #{at}: helm prints {}, we print {}",
                oe.get(at).unwrap_or(&"-"),
                oa.get(at).unwrap_or(&"-")
            ));
        }
    }
    c
}

fn describe(d: &Doc) -> String {
    match &d.value {
        Ok(v) => {
            let kind = d.kind().unwrap_or("no kind");
            let name = v
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Y::as_str)
                .unwrap_or("");
            if name.is_empty() {
                kind.to_string()
            } else {
                format!("{kind} {name}")
            }
        }
        Err(_) => "unparsable".into(),
    }
}

struct Ctx {
    secret: bool,
}

fn show(v: &Y) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        let cut: String = s.chars().take(117).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// Returns a description of the first difference, or `None` when equal (exactly or by shape;
/// shape-only matches are appended to `shapes`).
fn diff_values(
    e: &Y,
    a: &Y,
    path: &mut Vec<String>,
    ctx: &Ctx,
    shapes: &mut Vec<String>,
) -> Option<String> {
    let here = |path: &Vec<String>| {
        if path.is_empty() {
            "(document)".to_string()
        } else {
            path.join(".")
        }
    };
    match (e, a) {
        (Y::Map(me), Y::Map(ma)) => {
            for (k, ve) in me {
                path.push(k.clone());
                let r = match ma.get(k) {
                    None => Some(format!("{}: missing (helm: {})", here(path), show(ve))),
                    Some(va) => diff_values(ve, va, path, ctx, shapes),
                };
                path.pop();
                if r.is_some() {
                    return r;
                }
            }
            for (k, va) in ma {
                if !me.contains_key(k) {
                    path.push(k.clone());
                    let r = format!("{}: extra (ours: {})", here(path), show(va));
                    path.pop();
                    return Some(r);
                }
            }
            None
        }
        (Y::Seq(se), Y::Seq(sa)) => {
            for (i, (ve, va)) in se.iter().zip(sa).enumerate() {
                path.push(i.to_string());
                let r = diff_values(ve, va, path, ctx, shapes);
                path.pop();
                if r.is_some() {
                    return r;
                }
            }
            if se.len() != sa.len() {
                return Some(format!(
                    "{}: helm has {} items, we have {}",
                    here(path),
                    se.len(),
                    sa.len()
                ));
            }
            None
        }
        (Y::Str(se), Y::Str(sa)) if se != sa => {
            if let Some(how) = same_shape(se, sa, path, ctx) {
                shapes.push(format!("{} ({how})", here(path)));
                return None;
            }
            // Show the first difference that is not a random/time value.
            let (ne, na) = (normalize(se), normalize(sa));
            if ne != na && (ne != *se || na != *sa) {
                return Some(string_diff(&here(path), &ne, &na));
            }
            Some(string_diff(&here(path), se, sa))
        }
        (Y::Float(x), Y::Float(y)) if x.is_nan() && y.is_nan() => None,
        _ if e == a => None,
        _ => Some(format!(
            "{}: helm {} vs ours {}",
            here(path),
            show(e),
            show(a)
        )),
    }
}

/// Describes how two strings differ; for multi-line strings, the first differing line.
fn string_diff(at: &str, e: &str, a: &str) -> String {
    if !e.contains('\n') && !a.contains('\n') {
        return format!(
            "{at}: helm {} vs ours {}",
            show(&Y::Str(e.into())),
            show(&Y::Str(a.into()))
        );
    }
    let (le, la): (Vec<&str>, Vec<&str>) = (e.split('\n').collect(), a.split('\n').collect());
    let n = le
        .iter()
        .zip(&la)
        .position(|(x, y)| x != y)
        .unwrap_or(le.len().min(la.len()));
    let line = |v: &Vec<&str>| match v.get(n) {
        Some(l) => show(&Y::Str(l.to_string())),
        None => "(end of text)".into(),
    };
    format!(
        "{at}, line {}: helm {} vs ours {}",
        n + 1,
        line(&le),
        line(&la)
    )
}

// ---------------------------------------------------------------------------------------------
// Shapes of random, time-dependent and cryptographic values
// ---------------------------------------------------------------------------------------------

/// Whether two different strings are the same random/time/certificate value in shape.
/// Returns which rule matched.
fn same_shape(e: &str, a: &str, path: &[String], ctx: &Ctx) -> Option<&'static str> {
    if normalize(e) == normalize(a) {
        return Some("normalised: PEM/UUID/timestamp/bcrypt");
    }
    if random_token(e, a) {
        return Some("random token");
    }
    let in_annotations = path.iter().any(|p| p == "annotations");
    let last = path.last().map(String::as_str).unwrap_or("");
    // checksum/config-style annotations hash rendered content that may itself be random.
    if in_annotations
        && last.starts_with("checksum")
        && is_hex(e)
        && is_hex(a)
        && e.len() == a.len()
    {
        return Some("checksum annotation");
    }
    let in_secret_data = ctx.secret
        && path
            .first()
            .is_some_and(|p| p == "data" || p == "stringData");
    if in_secret_data {
        // randAlphaNum & co, possibly base64-encoded under `data`.
        if random_pair(e, a, 4) {
            return Some("random string");
        }
        if path.first().is_some_and(|p| p == "data")
            && let (Some(de), Some(da)) = (b64decode(e), b64decode(a))
        {
            let (de, da) = (
                String::from_utf8_lossy(&de).into_owned(),
                String::from_utf8_lossy(&da).into_owned(),
            );
            if normalize(&de) == normalize(&da) {
                return Some("base64 of normalised value");
            }
            if random_pair(&de, &da, 4) {
                return Some("base64 of random string");
            }
        }
    }
    None
}

/// Two alphanumeric strings of the same length (at least `min`) that look like two draws of
/// randAlphaNum/randAlpha/randNumeric: they differ in at least half of their positions, and
/// not merely in letter case.
fn random_pair(e: &str, a: &str, min: usize) -> bool {
    let alnum = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
    if e.len() != a.len() || e.len() < min || !alnum(e) || !alnum(a) || e.eq_ignore_ascii_case(a) {
        return false;
    }
    let differing = e.bytes().zip(a.bytes()).filter(|(x, y)| x != y).count();
    differing >= (e.len() / 2).max(2)
}

/// Two strings equal but for one alphanumeric token of the same length (at least 5
/// characters) that looks random (see [`random_pair`]), e.g. `es-brcqb-test` and
/// `es-ohbcx-test` from `randAlpha 5 | lower` in a name, or a `rollme` annotation.
fn random_token(e: &str, a: &str) -> bool {
    let (eb, ab) = (e.as_bytes(), a.as_bytes());
    if eb.len() != ab.len() {
        return false;
    }
    let Some(first) = eb.iter().zip(ab).position(|(x, y)| x != y) else {
        return false;
    };
    let last = eb.len()
        - 1
        - eb.iter()
            .rev()
            .zip(ab.iter().rev())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
    let alnum = |b: &[u8], i: usize| b[i].is_ascii_alphanumeric();
    let (mut lo, mut hi) = (first, last);
    while lo > 0 && alnum(eb, lo - 1) && alnum(ab, lo - 1) {
        lo -= 1;
    }
    while hi + 1 < eb.len() && alnum(eb, hi + 1) && alnum(ab, hi + 1) {
        hi += 1;
    }
    random_pair(&e[lo..=hi], &a[lo..=hi], 5)
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Replaces values that legitimately differ between two renders by a placeholder naming their
/// shape: PEM blocks (`<PEM CERTIFICATE>`), base64 of PEM, UUIDs, RFC 3339 and Go
/// `time.Time` timestamps, bcrypt hashes.
pub fn normalize(s: &str) -> String {
    let s = replace_pem(s);
    let s = replace_base64_pem(&s);
    let s = replace_uuids(&s);
    let s = replace_timestamps(&s);
    replace_bcrypt(&s)
}

fn replace_pem(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("-----BEGIN ") {
        let after = &rest[i + 11..];
        let Some(j) = after.find("-----") else { break };
        let label = &after[..j];
        let end_marker = format!("-----END {label}-----");
        let Some(k) = rest[i..].find(&end_marker) else {
            break;
        };
        out.push_str(&rest[..i]);
        out.push_str(&format!("<PEM {label}>"));
        rest = &rest[i + k + end_marker.len()..];
    }
    out.push_str(rest);
    out
}

fn replace_base64_pem(s: &str) -> String {
    // Whole-string base64 (possibly wrapped) whose content holds a PEM block.
    let t = s.trim();
    if t.len() >= 40
        && t.starts_with("LS0tLS1CRUdJTi")
        && let Some(bytes) = b64decode(t)
        && let Ok(text) = String::from_utf8(bytes)
    {
        return format!("<base64 of {}>", replace_pem(text.trim()));
    }
    s.to_string()
}

fn replace_uuids(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut last = 0;
    while i + 36 <= b.len() {
        if is_uuid(&b[i..i + 36])
            && (i == 0 || !b[i - 1].is_ascii_hexdigit())
            && (i + 36 == b.len() || !b[i + 36].is_ascii_hexdigit())
        {
            out.push_str(&s[last..i]);
            out.push_str("<uuid>");
            i += 36;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

fn is_uuid(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    })
}

/// `2006-01-02T15:04:05Z`, `...+07:00`, `...05.123Z`, and Go's default
/// `2006-01-02 15:04:05.999999999 +0000 UTC` (with an optional `m=+0.01` monotonic suffix).
fn replace_timestamps(s: &str) -> String {
    let b = s.as_bytes();
    let pat = b"dddd-dd-dd?dd:dd:dd";
    let matches_at = |i: usize| {
        i + pat.len() <= b.len()
            && pat.iter().zip(&b[i..]).all(|(p, c)| match p {
                b'd' => c.is_ascii_digit(),
                b'?' => *c == b'T' || *c == b' ',
                _ => p == c,
            })
    };
    let mut out = String::new();
    let (mut i, mut last) = (0, 0);
    while i < b.len() {
        if (i == 0 || !b[i - 1].is_ascii_digit()) && matches_at(i) {
            let mut j = i + pat.len();
            if j < b.len() && b[j] == b'.' {
                j += 1;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
            }
            if j < b.len() && b[j] == b'Z' {
                j += 1;
            } else if j + 6 <= b.len()
                && (b[j] == b'+' || b[j] == b'-')
                && b[j + 3] == b':'
                && [1, 2, 4, 5].iter().all(|k| b[j + k].is_ascii_digit())
            {
                j += 6;
            } else if j + 6 <= b.len()
                && b[j] == b' '
                && (b[j + 1] == b'+' || b[j + 1] == b'-')
                && (2..6).all(|k| b[j + k].is_ascii_digit())
            {
                j += 6;
                // zone abbreviation
                if j < b.len() && b[j] == b' ' {
                    let mut k = j + 1;
                    while k < b.len() && b[k].is_ascii_alphabetic() {
                        k += 1;
                    }
                    j = k;
                }
                // monotonic clock reading
                if s[j..].starts_with(" m=") {
                    let mut k = j + 3;
                    while k < b.len()
                        && (b[k] == b'+' || b[k] == b'-' || b[k] == b'.' || b[k].is_ascii_digit())
                    {
                        k += 1;
                    }
                    j = k;
                }
            }
            out.push_str(&s[last..i]);
            out.push_str("<timestamp>");
            i = j;
            last = j;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

fn replace_bcrypt(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let (mut i, mut last) = (0, 0);
    while i + 60 <= b.len() {
        let head = &b[i..i + 7];
        let is_head = head[0] == b'$'
            && head[1] == b'2'
            && matches!(head[2], b'a' | b'b' | b'y')
            && head[3] == b'$'
            && head[4].is_ascii_digit()
            && head[5].is_ascii_digit()
            && head[6] == b'$';
        if is_head
            && b[i + 7..i + 60]
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'/')
        {
            out.push_str(&s[last..i]);
            out.push_str("<bcrypt>");
            i += 60;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// Standard base64 (padding optional, whitespace ignored).
pub fn b64decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut seen_pad = false;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                seen_pad = true;
                continue;
            }
            b'\n' | b'\r' | b' ' | b'\t' => continue,
            _ => return None,
        };
        if seen_pad {
            return None;
        }
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Helm error messages
// ---------------------------------------------------------------------------------------------

/// The template and line that a helm error names first, e.g. `c/templates/t.yaml` and `9`
/// from `Error: execution error at (c/templates/t.yaml:9:7): ...` or
/// `Error: template: c/templates/t.yaml:11:30: executing ...`. `None` when the error is not
/// about a template (values, dependencies, schema).
pub fn helm_error_location(err: &str) -> Option<(String, Option<usize>)> {
    for raw in err.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        let tok = raw.trim_end_matches([':', ',']);
        let mut parts = tok.split(':');
        let path = parts.next().unwrap_or("");
        let looks_like_template = (path.contains("/templates/") || path.contains("/charts/"))
            && !path.starts_with("http");
        if !looks_like_template {
            continue;
        }
        let line = parts.next().and_then(|l| l.parse::<usize>().ok());
        return Some((path.to_string(), line));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Allow-lists of known differences
// ---------------------------------------------------------------------------------------------

/// Reads an allow-list: one entry per line, `ID  reason...`; `#` starts a comment line.
/// Every entry must carry a reason.
pub fn read_allow_list(path: &Path) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return m;
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (id, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        assert!(
            !reason.trim().is_empty(),
            "{}:{}: entry {id} has no reason",
            path.display(),
            n + 1
        );
        m.insert(id.to_string(), reason.trim().to_string());
    }
    m
}

/// `RBAC_LENS_HELM_DIFF_STRICT=1` ignores the allow-lists: everything must match helm.
pub fn strict_mode() -> bool {
    std::env::var("RBAC_LENS_HELM_DIFF_STRICT").is_ok_and(|v| v == "1")
}

/// Truncates a one-line message for a table cell.
pub fn clip(s: &str, n: usize) -> String {
    let one: String = s.replace('\n', " ⏎ ");
    if one.chars().count() > n {
        let cut: String = one.chars().take(n.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        one
    }
}

/// Unit checks of this module (run as part of each test binary that includes it).
pub fn self_check() {
    assert_eq!(
        normalize("id: 0b5c2a1e-1d2f-4a3b-9c8d-7e6f5a4b3c2d!"),
        "id: <uuid>!"
    );
    assert_eq!(
        normalize("at 2026-11-28T19:29:49Z and 2020-03-04 10:00:00.123 +0000 UTC m=+0.5 x"),
        "at <timestamp> and <timestamp> x"
    );
    assert_eq!(
        normalize("a\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\nb"),
        "a\n<PEM CERTIFICATE>\nb"
    );
    assert_eq!(b64decode("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
    assert!(random_token("es-brcqb-test", "es-ohbcx-test"));
    assert!(!random_token("es-abcde-test", "es-ABCDE-test"));
    assert!(!random_token("es-abc-test", "es-xyz-test"));
    assert!(!random_token("rel-web", "rel-api"));
    assert!(!random_token("policy/v1beta1", "policy/v1beta2"));
    assert!(random_pair("j1Klri0Sb9", "BFFUBBrNOS", 4));
    assert_eq!(
        helm_error_location(
            "Error: execution error at (c/templates/t.yaml:9:7): need x\n\nUse --debug flag"
        ),
        Some(("c/templates/t.yaml".into(), Some(9)))
    );
    assert_eq!(
        helm_error_location("Error: c/templates/u.yaml:1:13\n  executing \"c/templates/u.yaml\""),
        Some(("c/templates/u.yaml".into(), Some(1)))
    );
    assert_eq!(
        helm_error_location("Error: YAML parse error on c/templates/t.yaml: error converting"),
        Some(("c/templates/t.yaml".into(), None))
    );
    assert_eq!(
        helm_error_location("Error: values don't meet the specifications"),
        None
    );
    let docs = split_helm_output(
        "---\n# Source: c/templates/a.yaml\nkind: A\nx: yes\n---\n# Source: c/templates/b.yaml\n# just a comment\n",
    );
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].kind(), Some("A"));
    assert_eq!(
        docs[0].value.as_ref().unwrap().get("x"),
        Some(&Y::Bool(true))
    );
    assert_eq!(docs[1].value, Ok(Y::Null));
}
