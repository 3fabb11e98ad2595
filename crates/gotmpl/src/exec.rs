//! The evaluator (Go's `text/template/exec.go`) and the public [`TemplateSet`].
//!
//! Execution walks the tree of one template with a variable stack, a cursor (`.`), and an
//! output buffer. Field access follows Go's rules for `map[string]interface{}` data:
//! a missing key is a nil *interface* (`missingkey=zero`, Helm's mode) and asking that nil
//! for a field is an error (`nil pointer evaluating interface {}.x`), while a nil that
//! came out of a pipeline or variable simply yields nil again.
//!
//! Every execution is bounded by [`Limits`]: template nesting depth, evaluation steps,
//! output bytes and stack use. Hitting a bound is a [`ErrorKind::Limit`] error that no
//! function can swallow. Nothing here panics on any template or data; panics raised by
//! registered functions are caught and reported as their error.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::ast::*;
use crate::builtins;
use crate::error::{Error, ErrorKind};
use crate::fmt::{format_value, quote_str};
use crate::func::{Func, FuncMap};
use crate::parser;
use crate::value::Value;

/// Bounds on one execution (including everything it includes).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Deepest nesting of `{{template}}`, `include` and `tpl` calls (Helm stops at 1000).
    pub max_depth: usize,
    /// Evaluation steps (nodes walked, commands evaluated, range iterations).
    pub max_steps: u64,
    /// Total bytes written, counting the output of every nested execution.
    pub max_output_bytes: usize,
    /// Native stack the evaluator may use below the `execute` call. Deep template
    /// recursion stops with an error before this is exceeded. The default (1.5 MiB) fits
    /// the 2 MiB stack of spawned threads; raise it when running on a bigger stack.
    pub max_stack_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 1000,
            max_steps: 100_000_000,
            max_output_bytes: 256 << 20,
            max_stack_bytes: 1536 << 10,
        }
    }
}

/// What a missing map key evaluates to (Go's `missingkey` option).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// Go's default: an invalid value; further field access yields nil again.
    Default,
    /// `missingkey=zero` (what Helm uses): a nil interface; further field access errors.
    #[default]
    Zero,
    /// `missingkey=error`: a missing key is an error (Helm's `--strict` lint mode).
    Error,
}

/// A set of named templates that can call each other: Go's `*template.Template` with its
/// associated templates.
///
/// Parsed trees are immutable and shared (`Arc`), so a set is `Send + Sync` and can be
/// executed many times, from many threads. Values are `Rc`-based and live only within
/// one execution.
#[derive(Clone, Debug)]
pub struct TemplateSet {
    name: String,
    templates: HashMap<String, Arc<Tree>>,
    missing_key: MissingKey,
}

/// One template file parsed by [`TemplateSet::parse_file`] (`Send`: it may cross threads).
pub struct ParsedFile(parser::Parsed);

impl Default for TemplateSet {
    fn default() -> Self {
        Self::new()
    }
}

impl TemplateSet {
    /// An empty set named `gotpl` (the name Helm gives its root template; it appears in
    /// "no template X associated with template gotpl" errors). Missing keys behave as
    /// in Helm ([`MissingKey::Zero`]).
    pub fn new() -> Self {
        Self::named("gotpl")
    }

    /// An empty set with the given root name.
    pub fn named(name: &str) -> Self {
        TemplateSet {
            name: name.to_string(),
            templates: HashMap::new(),
            missing_key: MissingKey::Zero,
        }
    }

    /// Set Go's `missingkey` option.
    pub fn set_missing_key(&mut self, mk: MissingKey) {
        self.missing_key = mk;
    }

    /// Parse `text` as template `name`, adding it and every `{{define}}`/`{{block}}` it
    /// contains. Like Go, a later definition replaces an earlier one of the same name,
    /// except that an empty (whitespace-only) body never replaces a non-empty one; two
    /// non-empty definitions of one name in the same text are an error.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        self.add_parsed(TemplateSet::parse_file(name, text)?);
        Ok(())
    }

    /// Parse one file on its own, without a set (so files can be parsed on several
    /// threads); add the result with [`TemplateSet::add_parsed`] in the order the files
    /// would have been parsed, since a later `define` replaces an earlier one.
    pub fn parse_file(name: &str, text: &str) -> Result<ParsedFile, Error> {
        parser::parse(name, text).map(ParsedFile)
    }

    /// Add a file parsed by [`TemplateSet::parse_file`]: the same as [`TemplateSet::parse`].
    pub fn add_parsed(&mut self, file: ParsedFile) {
        self.add(file.0.top);
        for d in file.0.defines {
            self.add(d);
        }
    }

    fn add(&mut self, tree: Tree) {
        if tree.is_empty()
            && let Some(old) = self.templates.get(&*tree.name)
            && !old.is_empty()
        {
            return;
        }
        self.templates.insert(tree.name.to_string(), Arc::new(tree));
    }

    /// Whether a template of that name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.templates.contains_key(name)
    }

    /// Names of all templates, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.templates.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    /// Execute template `name` with `data` as `.` and `$`, returning its output.
    pub fn execute(
        &self,
        name: &str,
        data: &Value,
        funcs: &FuncMap,
        limits: &Limits,
    ) -> Result<String, Error> {
        let Some(tree) = self.templates.get(name).cloned() else {
            return Err(no_template(name, &self.name));
        };
        let base = stack_addr();
        // Size the output for the template's literal text (most of a large manifest such
        // as a CRD), saving the copies of a buffer grown by doubling.
        let text = text_len(&tree.root, 0);
        let out = String::with_capacity(
            text.saturating_add(text / 4)
                .min(limits.max_output_bytes)
                .min(16 << 20),
        );
        let mut ex = Exec {
            set: self,
            funcs,
            limits,
            overlays: Vec::new(),
            depth: 0,
            steps: 0,
            out_bytes: 0,
            out,
            fatal: None,
            fatal_root: String::new(),
            stack_base: base,
            vars: Vec::with_capacity(16),
            args: Vec::with_capacity(16),
            bufs: Vec::new(),
            dollar: DOLLAR.clone(),
        };
        let mut fr = ex.frame(tree.clone(), data.clone());
        let dot = Dot {
            v: data.clone(),
            iface: false,
        };
        match ex.walk(&mut fr, &dot, &tree.root) {
            Ok(_) => Ok(ex.out),
            Err(e) => Err(ex.fatal.take().unwrap_or(e)),
        }
    }

    /// Check that every function named in the set's templates exists in `funcs` or among
    /// the built-ins. Go does this while parsing; call it after parsing to get Go's
    /// `function "x" not defined` error up front rather than when the call is reached.
    pub fn check_functions(&self, funcs: &FuncMap) -> Result<(), Error> {
        let mut names: Vec<&String> = self.templates.keys().collect();
        names.sort();
        let mut first: Option<(Arc<str>, usize, usize, String)> = None;
        for n in names {
            let t = &self.templates[n];
            let mut bad = None;
            visit_idents(&t.root, &mut |pos, name| {
                if bad.is_none() && !funcs.contains(name) && builtins::arity(name).is_none() {
                    bad = Some((pos, name.to_string()));
                }
            });
            if let Some((pos, name)) = bad {
                let key = (t.source.parse_name.clone(), pos);
                if first
                    .as_ref()
                    .is_none_or(|f| (f.0.as_ref(), f.1) > (key.0.as_ref(), key.1))
                {
                    first = Some((key.0, key.1, t.source.lines.line(pos), name));
                }
            }
        }
        match first {
            Some((file, _, line, name)) => Err(Error::syntax(
                &file,
                line,
                format!("function {} not defined", quote_str(&name)),
            )),
            None => Ok(()),
        }
    }
}

/// The literal text of a node list, nested bodies included (each counted once): the
/// expected size of the output. Stops descending at the parser's nesting bound.
fn text_len(list: &[Node], depth: usize) -> usize {
    let mut n = 0usize;
    for node in list {
        n = n.saturating_add(match node {
            Node::Text(t) => t.len(),
            Node::If(b) | Node::Range(b) | Node::With(b) if depth < 64 => {
                let e = b.else_list.as_deref().map_or(0, |e| text_len(e, depth + 1));
                text_len(&b.list, depth + 1).saturating_add(e)
            }
            _ => 0,
        });
    }
    n
}

fn visit_idents(list: &[Node], f: &mut dyn FnMut(Pos, &str)) {
    fn pipe(p: &Pipe, f: &mut dyn FnMut(Pos, &str)) {
        for c in &p.cmds {
            for a in &c.args {
                expr(a, f);
            }
        }
    }
    fn expr(e: &Expr, f: &mut dyn FnMut(Pos, &str)) {
        match e {
            Expr::Ident(p, n) => f(*p, n),
            Expr::Chain(_, n, _) => expr(n, f),
            Expr::Pipe(_, p) => pipe(p, f),
            _ => {}
        }
    }
    for n in list {
        match n {
            Node::Action(a) => pipe(&a.pipe, f),
            Node::If(b) | Node::Range(b) | Node::With(b) => {
                pipe(&b.pipe, f);
                visit_idents(&b.list, f);
                if let Some(e) = &b.else_list {
                    visit_idents(e, f);
                }
            }
            Node::Template(t) => {
                if let Some(p) = &t.pipe {
                    pipe(p, f);
                }
            }
            _ => {}
        }
    }
}

fn no_template(name: &str, set: &str) -> Error {
    Error::plain(
        ErrorKind::NoTemplate,
        format!(
            "template: no template {} associated with template {}",
            quote_str(name),
            quote_str(set)
        ),
    )
}

#[inline(never)]
fn stack_addr() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

#[derive(Clone)]
struct Dot {
    v: Value,
    /// The value is an element of a map or list (a Go `interface{}`); field access on a
    /// nil one is an error rather than nil.
    iface: bool,
}

/// The name of the root variable, shared by every frame.
static DOLLAR: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from("$"));

struct Var {
    name: Arc<str>,
    value: Value,
    iface: bool,
}

/// One template execution: its tree and where its variables start on [`Exec::vars`]
/// (one stack shared by all frames, so an `include` allocates no variable storage).
struct Frame {
    tree: Arc<Tree>,
    base: usize,
}

/// Where an error happened: a node to print and its position.
enum At<'n> {
    Expr(&'n Expr),
    Cmd(&'n Command),
    Template(&'n TemplateCall),
    Pipe(&'n Pipe),
}

impl At<'_> {
    fn pos(&self) -> Pos {
        match self {
            At::Expr(e) => e.pos(),
            At::Cmd(c) => c.pos,
            At::Template(t) => t.pos,
            At::Pipe(p) => p.pos,
        }
    }
    fn text(&self) -> String {
        match self {
            At::Expr(e) => e.to_string(),
            At::Cmd(c) => c.to_string(),
            At::Template(t) => t.to_string(),
            At::Pipe(p) => p.to_string(),
        }
    }
}

pub(crate) struct Exec<'a> {
    set: &'a TemplateSet,
    funcs: &'a FuncMap,
    limits: &'a Limits,
    overlays: Vec<HashMap<String, Arc<Tree>>>,
    depth: usize,
    steps: u64,
    out_bytes: usize,
    out: String,
    fatal: Option<Error>,
    /// The message of the limit error, without location, for re-anchoring it at each
    /// enclosing context-function call on the way out.
    fatal_root: String,
    stack_base: usize,
    /// The variables of every active frame ([`Frame::base`] marks where each starts).
    vars: Vec<Var>,
    /// Evaluated arguments of the function calls in progress, reused across calls.
    args: Vec<Value>,
    /// Spare output buffers for nested executions (`include`), reused.
    bufs: Vec<String>,
    dollar: Arc<str>,
}

type R<T> = Result<T, Error>;

/// The running engine, as seen by a context function registered with
/// [`FuncMap::insert_ctx`](crate::FuncMap::insert_ctx).
pub struct CallCtx<'a, 'b> {
    exec: &'b mut Exec<'a>,
}

impl CallCtx<'_, '_> {
    /// Execute the template `name` of the running set with `data` as `.` and return its
    /// output (Helm's `include`). Nesting counts toward [`Limits::max_depth`].
    pub fn execute_named(&mut self, name: &str, data: &Value) -> Result<String, Error> {
        let Some(tree) = self.exec.lookup(name) else {
            return Err(no_template(name, &self.exec.set.name));
        };
        self.exec
            .run_nested(tree, data, name, |s: &str| s.to_string())
    }

    /// [`CallCtx::execute_named`] returning the output as a string [`Value`], copied once
    /// from the engine's buffer (what `include` returns).
    pub fn execute_named_value(&mut self, name: &str, data: &Value) -> Result<Value, Error> {
        let Some(tree) = self.exec.lookup(name) else {
            return Err(no_template(name, &self.exec.set.name));
        };
        self.exec
            .run_nested(tree, data, name, |s: &str| Value::str(s))
    }

    /// Parse `text` as a new template inside the running set and execute it with `data`
    /// (Helm's `tpl`). The text sees every template of the set; its own `define`s are
    /// visible only while it runs. `name` is used for its error messages (Helm uses the
    /// root name, `gotpl`).
    pub fn execute_text(&mut self, name: &str, text: &str, data: &Value) -> Result<String, Error> {
        let parsed = parser::parse(name, text)?;
        let mut overlay = HashMap::new();
        for d in parsed.defines {
            if d.is_empty() && self.exec.lookup(&d.name).is_some_and(|t| !t.is_empty()) {
                continue;
            }
            overlay.insert(d.name.to_string(), Arc::new(d));
        }
        let top = Arc::new(parsed.top);
        if !top.is_empty() {
            overlay.insert(name.to_string(), top.clone());
        }
        self.exec.overlays.push(overlay);
        let r = self
            .exec
            .run_nested(top, data, name, |s: &str| s.to_string());
        self.exec.overlays.pop();
        r
    }

    /// Whether the running set (including `tpl` definitions in scope) has `name`.
    pub fn has_template(&self, name: &str) -> bool {
        self.exec.lookup(name).is_some()
    }

    /// Current nesting depth of template executions.
    pub fn depth(&self) -> usize {
        self.exec.depth
    }

    /// The root name of the set (`gotpl` by default).
    pub fn set_name(&self) -> &str {
        &self.exec.set.name
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic in function".to_string()
    }
}

impl<'a> Exec<'a> {
    /// A new frame for `tree`, with `$` bound to `data`; pop it with [`Exec::end_frame`].
    fn frame(&mut self, tree: Arc<Tree>, data: Value) -> Frame {
        let base = self.vars.len();
        self.vars.push(Var {
            name: self.dollar.clone(),
            value: data,
            iface: false,
        });
        Frame { tree, base }
    }

    fn end_frame(&mut self, fr: Frame) {
        self.vars.truncate(fr.base);
    }

    fn lookup(&self, name: &str) -> Option<Arc<Tree>> {
        for o in self.overlays.iter().rev() {
            if let Some(t) = o.get(name) {
                return Some(t.clone());
            }
        }
        self.set.templates.get(name).cloned()
    }

    // ----- errors -----

    fn err(&self, fr: &Frame, at: At<'_>, kind: ErrorKind, msg: impl Into<String>) -> Error {
        let src = &fr.tree.source;
        let pos = at.pos();
        Error::exec_at(
            kind,
            &src.parse_name,
            src.lines.line(pos),
            src.lines.col(pos),
            &fr.tree.name,
            at.text(),
            msg,
        )
    }

    fn fail<T>(&self, fr: &Frame, at: At<'_>, msg: impl Into<String>) -> R<T> {
        Err(self.err(fr, at, ErrorKind::Exec, msg))
    }

    fn limit<T>(&mut self, fr: &Frame, at: At<'_>, msg: impl Into<String>) -> R<T> {
        let msg = msg.into();
        let e = self.err(fr, at, ErrorKind::Limit, msg.clone());
        self.set_fatal(&e, msg);
        Err(e)
    }

    fn set_fatal(&mut self, e: &Error, root: String) {
        if self.fatal.is_none() {
            self.fatal = Some(e.clone());
            self.fatal_root = root;
        }
    }

    fn step(&mut self, fr: &Frame, at: At<'_>) -> R<()> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            let max = self.limits.max_steps;
            return self.limit(fr, at, format!("evaluation step limit of {max} exceeded"));
        }
        Ok(())
    }

    fn write(&mut self, fr: &Frame, at: Option<At<'_>>, s: &str) -> R<()> {
        self.out_bytes = self.out_bytes.saturating_add(s.len());
        if self.out_bytes > self.limits.max_output_bytes {
            let msg = format!(
                "output exceeds the limit of {} bytes",
                self.limits.max_output_bytes
            );
            return match at {
                Some(at) => self.limit(fr, at, msg),
                None => {
                    let e = Error::plain(
                        ErrorKind::Limit,
                        format!("template: {}: {msg}", fr.tree.name),
                    );
                    self.set_fatal(&e, msg);
                    Err(e)
                }
            };
        }
        self.out.push_str(s);
        Ok(())
    }

    fn check_stack(&self) -> bool {
        stack_addr().abs_diff(self.stack_base) <= self.limits.max_stack_bytes
    }

    /// Stop before the native stack budget runs out (deeply nested `if`s, parentheses).
    fn guard(&mut self, fr: &Frame, at: At<'_>) -> R<()> {
        if self.check_stack() {
            return Ok(());
        }
        let msg = format!(
            "template nesting too deep for the stack budget ({} bytes, depth {})",
            self.limits.max_stack_bytes, self.depth
        );
        self.limit(fr, at, msg)
    }

    fn nested_limit(&mut self, name: &str) -> Option<Error> {
        let msg = if self.depth >= self.limits.max_depth {
            // Helm's wording for runaway `include` recursion.
            format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            )
        } else if !self.check_stack() {
            format!(
                "template nesting too deep for the stack budget ({} bytes, depth {}) in {name}",
                self.limits.max_stack_bytes, self.depth
            )
        } else {
            return None;
        };
        let e = Error::plain(ErrorKind::Limit, msg.clone());
        self.set_fatal(&e, msg);
        Some(e)
    }

    fn run_nested<T>(
        &mut self,
        tree: Arc<Tree>,
        data: &Value,
        name: &str,
        take: impl FnOnce(&str) -> T,
    ) -> R<T> {
        if let Some(e) = self.nested_limit(name) {
            return Err(e);
        }
        let buf = self.bufs.pop().unwrap_or_default();
        let saved = std::mem::replace(&mut self.out, buf);
        self.depth += 1;
        let mut fr = self.frame(tree.clone(), data.clone());
        let dot = Dot {
            v: data.clone(),
            iface: false,
        };
        let r = self.walk(&mut fr, &dot, &tree.root);
        self.end_frame(fr);
        self.depth -= 1;
        let mut out = std::mem::replace(&mut self.out, saved);
        // The buffer goes back to the pool; the caller gets an exact-size copy (one
        // allocation, instead of the doublings of a buffer grown from empty).
        let text = r.map(|_| take(&out));
        out.clear();
        self.bufs.push(out);
        text
    }

    // ----- walking -----

    fn walk(&mut self, fr: &mut Frame, dot: &Dot, list: &[Node]) -> R<Flow> {
        for node in list {
            let flow = match node {
                Node::Text(t) => {
                    self.write(fr, None, t)?;
                    Flow::Normal
                }
                Node::Action(a) => {
                    self.step(fr, At::Pipe(&a.pipe))?;
                    let v = self.eval_pipeline(fr, dot, &a.pipe)?;
                    if a.pipe.decl.is_empty() {
                        // Strings (most actions) print as themselves: no formatting copy.
                        match &v {
                            Value::Nil => self.write(fr, Some(At::Pipe(&a.pipe)), "<no value>")?,
                            Value::String(s) => self.write(fr, Some(At::Pipe(&a.pipe)), s)?,
                            _ => self.write(fr, Some(At::Pipe(&a.pipe)), &format_value(&v))?,
                        }
                    }
                    Flow::Normal
                }
                Node::If(b) => self.walk_if_with(fr, dot, b, false)?,
                Node::With(b) => self.walk_if_with(fr, dot, b, true)?,
                Node::Range(b) => self.walk_range(fr, dot, b)?,
                Node::Template(t) => {
                    self.walk_template(fr, dot, t)?;
                    Flow::Normal
                }
                Node::Break => Flow::Break,
                Node::Continue => Flow::Continue,
            };
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_if_with(&mut self, fr: &mut Frame, dot: &Dot, b: &Branch, with: bool) -> R<Flow> {
        self.step(fr, At::Pipe(&b.pipe))?;
        self.guard(fr, At::Pipe(&b.pipe))?;
        let mark = self.vars.len();
        let val = self.eval_pipeline(fr, dot, &b.pipe)?;
        let flow = if val.is_truthy() {
            if with {
                let d = Dot {
                    v: val,
                    iface: false,
                };
                self.walk(fr, &d, &b.list)?
            } else {
                self.walk(fr, dot, &b.list)?
            }
        } else if let Some(e) = &b.else_list {
            self.walk(fr, dot, e)?
        } else {
            Flow::Normal
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn range_error_at<'n>(b: &'n Branch) -> At<'n> {
        match b.pipe.cmds.last() {
            Some(c) if c.args.len() == 1 => At::Expr(&c.args[0]),
            Some(c) => At::Cmd(c),
            None => At::Pipe(&b.pipe),
        }
    }

    fn walk_range(&mut self, fr: &mut Frame, dot: &Dot, b: &Branch) -> R<Flow> {
        self.step(fr, At::Pipe(&b.pipe))?;
        self.guard(fr, At::Pipe(&b.pipe))?;
        let mark0 = self.vars.len();
        let val = self.eval_pipeline(fr, dot, &b.pipe)?;
        let mark = self.vars.len();
        let mut ran = false;
        match &val {
            Value::List(l) => {
                let l = l.clone();
                for (i, e) in l.iter().enumerate() {
                    ran = true;
                    let f = self.range_iter(fr, b, mark, Value::Int(i as i64), e.clone(), true)?;
                    if f == Flow::Break {
                        break;
                    }
                }
            }
            Value::Bytes(bytes) => {
                let bytes = bytes.clone();
                for (i, e) in bytes.iter().enumerate() {
                    ran = true;
                    let f = self.range_iter(
                        fr,
                        b,
                        mark,
                        Value::Int(i as i64),
                        Value::Int(*e as i64),
                        false,
                    )?;
                    if f == Flow::Break {
                        break;
                    }
                }
            }
            Value::Map(m) => {
                // Like Go (fmtsort), iterate over a sorted snapshot of the entries.
                let entries: Vec<(Value, Value)> = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| (Value::str(k), v.clone()))
                    .collect();
                for (k, e) in entries {
                    ran = true;
                    let f = self.range_iter(fr, b, mark, k, e, true)?;
                    if f == Flow::Break {
                        break;
                    }
                }
            }
            Value::Int(n) | Value::Int64(n) => {
                // The elements have the range value's type (`range (int64 3)` gives int64s).
                let elem: fn(i64) -> Value = if matches!(val, Value::Int64(_)) {
                    Value::Int64
                } else {
                    Value::Int
                };
                if b.pipe.decl.len() > 1 {
                    return self.fail(
                        fr,
                        Self::range_error_at(b),
                        format!("can't use {n} to iterate over more than one variable"),
                    );
                }
                for i in 0..*n {
                    ran = true;
                    let f = self.range_iter(fr, b, mark, Value::Nil, elem(i), false)?;
                    if f == Flow::Break {
                        break;
                    }
                }
            }
            Value::Nil => {}
            other => {
                return self.fail(
                    fr,
                    Self::range_error_at(b),
                    format!("range can't iterate over {}", format_value(other)),
                );
            }
        }
        let mut flow = Flow::Normal;
        if !ran && let Some(e) = &b.else_list {
            // Go recovers a {{break}} anywhere in the range statement, else branch
            // included; {{continue}} there belongs to an enclosing range.
            flow = self.walk(fr, dot, e)?;
            if flow == Flow::Break {
                flow = Flow::Normal;
            }
        }
        self.vars.truncate(mark0);
        Ok(flow)
    }

    fn range_iter(
        &mut self,
        fr: &mut Frame,
        b: &Branch,
        mark: usize,
        index: Value,
        elem: Value,
        iface: bool,
    ) -> R<Flow> {
        self.step(fr, At::Pipe(&b.pipe))?;
        let decl = &b.pipe.decl;
        if !decl.is_empty() {
            if b.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(fr, &decl[0], index, false, At::Pipe(&b.pipe))?;
                    self.set_var(fr, &decl[1], elem.clone(), iface, At::Pipe(&b.pipe))?;
                } else {
                    self.set_var(fr, &decl[0], elem.clone(), iface, At::Pipe(&b.pipe))?;
                }
            } else {
                let n = self.vars.len();
                if let Some(v) = self.vars.get_mut(n.wrapping_sub(1)) {
                    v.value = elem.clone();
                    v.iface = iface;
                }
                if decl.len() > 1
                    && let Some(v) = self.vars.get_mut(n.wrapping_sub(2))
                {
                    v.value = index;
                    v.iface = false;
                }
            }
        }
        let d = Dot { v: elem, iface };
        let flow = self.walk(fr, &d, &b.list)?;
        self.vars.truncate(mark);
        Ok(if flow == Flow::Continue {
            Flow::Normal
        } else {
            flow
        })
    }

    fn walk_template(&mut self, fr: &mut Frame, dot: &Dot, t: &TemplateCall) -> R<()> {
        self.step(fr, At::Template(t))?;
        let Some(tree) = self.lookup(&t.name) else {
            return self.fail(
                fr,
                At::Template(t),
                format!("template {} not defined", quote_str(&t.name)),
            );
        };
        if self.depth >= self.limits.max_depth {
            let max = self.limits.max_depth;
            return self.limit(
                fr,
                At::Template(t),
                format!("exceeded maximum template depth ({max})"),
            );
        }
        if !self.check_stack() {
            let msg = format!(
                "template nesting too deep for the stack budget ({} bytes, depth {})",
                self.limits.max_stack_bytes, self.depth
            );
            return self.limit(fr, At::Template(t), msg);
        }
        let data = match &t.pipe {
            Some(p) => self.eval_pipeline(fr, dot, p)?,
            None => Value::Nil,
        };
        self.depth += 1;
        let mut nf = self.frame(tree.clone(), data.clone());
        let d = Dot {
            v: data,
            iface: false,
        };
        let r = self.walk(&mut nf, &d, &tree.root);
        self.end_frame(nf);
        self.depth -= 1;
        r.map(|_| ())
    }

    // ----- variables -----

    fn var_value(&self, fr: &Frame, name: &str, at: At<'_>) -> R<(Value, bool)> {
        let vars = self.vars.get(fr.base..).unwrap_or_default();
        match vars.iter().rev().find(|v| &*v.name == name) {
            Some(v) => Ok((v.value.clone(), v.iface)),
            None => self.fail(fr, at, format!("undefined variable: {name}")),
        }
    }

    fn set_var(
        &mut self,
        fr: &mut Frame,
        name: &str,
        value: Value,
        iface: bool,
        at: At<'_>,
    ) -> R<()> {
        let vars = self.vars.get_mut(fr.base..).unwrap_or_default();
        match vars.iter_mut().rev().find(|v| &*v.name == name) {
            Some(v) => {
                v.value = value;
                v.iface = iface;
                Ok(())
            }
            None => self.fail(fr, at, format!("undefined variable: {name}")),
        }
    }

    // ----- evaluation -----

    fn eval_pipeline(&mut self, fr: &mut Frame, dot: &Dot, pipe: &Pipe) -> R<Value> {
        self.guard(fr, At::Pipe(pipe))?;
        let mut val: Option<Value> = None;
        for cmd in &pipe.cmds {
            val = Some(self.eval_command(fr, dot, cmd, val)?);
        }
        let v = val.unwrap_or_default();
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(fr, name, v.clone(), false, At::Pipe(pipe))?;
            } else {
                self.vars.push(Var {
                    name: name.clone(),
                    value: v.clone(),
                    iface: false,
                });
            }
        }
        Ok(v)
    }

    fn not_a_function(&self, fr: &Frame, cmd: &Command, fin: &Option<Value>) -> R<()> {
        if cmd.args.len() > 1 || fin.is_some() {
            return self.fail(
                fr,
                At::Expr(&cmd.args[0]),
                format!("can't give argument to non-function {}", cmd.args[0]),
            );
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        cmd: &Command,
        fin: Option<Value>,
    ) -> R<Value> {
        self.step(fr, At::Cmd(cmd))?;
        let Some(first) = cmd.args.first() else {
            return self.fail(fr, At::Cmd(cmd), "empty command");
        };
        let rest = &cmd.args[1..];
        match first {
            Expr::Field(_, fields) => {
                return self.eval_field_chain(
                    fr,
                    dot,
                    dot.v.clone(),
                    dot.iface,
                    fields,
                    first,
                    rest,
                    fin,
                );
            }
            Expr::Chain(_, node, fields) => {
                return self.eval_chain(fr, dot, first, node, fields, rest, fin);
            }
            Expr::Ident(_, name) => {
                return self.eval_function(fr, dot, name, first, At::Cmd(cmd), rest, fin);
            }
            Expr::Pipe(_, p) => {
                if cmd.args.len() > 1 || fin.is_some() {
                    return self.fail(
                        fr,
                        At::Cmd(cmd),
                        format!("can't give argument to non-function {first}"),
                    );
                }
                return self.eval_pipeline(fr, dot, p);
            }
            Expr::Variable(_, name, fields) => {
                let (v, iface) = self.var_value(fr, name, At::Expr(first))?;
                if fields.is_empty() {
                    self.not_a_function(fr, cmd, &fin)?;
                    return Ok(v);
                }
                return self.eval_field_chain(fr, dot, v, iface, fields, first, rest, fin);
            }
            _ => {}
        }
        self.not_a_function(fr, cmd, &fin)?;
        match first {
            Expr::Bool(_, b) => Ok(Value::Bool(*b)),
            Expr::Dot(_) => Ok(dot.v.clone()),
            Expr::Nil(_) => self.fail(fr, At::Expr(first), "nil is not a command"),
            Expr::Number(_, n) => self.ideal_constant(fr, first, n),
            Expr::Str(_, _, s) => Ok(Value::str(s)),
            _ => self.fail(
                fr,
                At::Expr(first),
                format!("can't evaluate command {}", quote_str(&first.to_string())),
            ),
        }
    }

    fn ideal_constant(&self, fr: &Frame, e: &Expr, n: &Number) -> R<Value> {
        match n.value {
            NumValue::Int(i) => Ok(Value::Int(i)),
            NumValue::Float(f) => Ok(Value::Float(f)),
            NumValue::Overflow => self.fail(fr, At::Expr(e), format!("{} overflows int", n.text)),
            NumValue::Complex => self.fail(
                fr,
                At::Expr(e),
                format!("complex constant {} is not supported", n.text),
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_chain(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        chain: &Expr,
        node: &Expr,
        fields: &[Arc<str>],
        args: &[Expr],
        fin: Option<Value>,
    ) -> R<Value> {
        if let Expr::Nil(_) = node {
            return self.fail(
                fr,
                At::Expr(chain),
                format!("indirection through explicit nil in {chain}"),
            );
        }
        let recv = self.eval_arg(fr, dot, node)?;
        self.eval_field_chain(fr, dot, recv, false, fields, chain, args, fin)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        recv: Value,
        iface: bool,
        fields: &[Arc<str>],
        node: &Expr,
        args: &[Expr],
        fin: Option<Value>,
    ) -> R<Value> {
        let Some((last, init)) = fields.split_last() else {
            return Ok(recv);
        };
        let mut r = recv;
        let mut ifc = iface;
        for f in init {
            (r, ifc) = self.eval_field(fr, dot, f, node, &[], None, r, ifc)?;
        }
        let (v, _) = self.eval_field(fr, dot, last, node, args, fin, r, ifc)?;
        Ok(v)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        name: &str,
        node: &Expr,
        args: &[Expr],
        fin: Option<Value>,
        recv: Value,
        iface: bool,
    ) -> R<(Value, bool)> {
        let has_args = !args.is_empty() || fin.is_some();
        match &recv {
            Value::Nil if !iface => {
                if self.set.missing_key == MissingKey::Error {
                    return self.fail(
                        fr,
                        At::Expr(node),
                        format!("nil data; no entry for key {}", quote_str(name)),
                    );
                }
                Ok((Value::Nil, false))
            }
            Value::Nil => self.fail(
                fr,
                At::Expr(node),
                format!("nil pointer evaluating interface {{}}.{name}"),
            ),
            Value::Map(m) => {
                if has_args {
                    return self.fail(
                        fr,
                        At::Expr(node),
                        format!("{name} is not a method but has arguments"),
                    );
                }
                let found = m.borrow().get(name).cloned();
                match found {
                    Some(v) => Ok((v, true)),
                    None => match self.set.missing_key {
                        MissingKey::Default => Ok((Value::Nil, false)),
                        MissingKey::Zero => Ok((Value::Nil, true)),
                        MissingKey::Error => self.fail(
                            fr,
                            At::Expr(node),
                            format!("map has no entry for key {}", quote_str(name)),
                        ),
                    },
                }
            }
            Value::Object(o) => {
                let o = o.clone();
                if has_args {
                    let mut argv = Vec::with_capacity(args.len() + 1);
                    for a in args {
                        argv.push(self.eval_arg(fr, dot, a)?);
                    }
                    if let Some(f) = fin {
                        argv.push(f);
                    }
                    let r = catch_unwind(AssertUnwindSafe(|| o.call_method(name, &argv)))
                        .unwrap_or_else(|p| Some(Err(panic_message(p))));
                    match r {
                        Some(Ok(v)) => {
                            let nil = v.is_nil();
                            Ok((v, nil))
                        }
                        Some(Err(e)) => Err(self.err(
                            fr,
                            At::Expr(node),
                            ErrorKind::Call {
                                func: name.to_string(),
                            },
                            format!("error calling {name}: {e}"),
                        )),
                        None => {
                            if o.field(name).is_some() {
                                self.fail(
                                    fr,
                                    At::Expr(node),
                                    format!("{name} is not a method but has arguments"),
                                )
                            } else {
                                self.fail(
                                    fr,
                                    At::Expr(node),
                                    format!(
                                        "can't evaluate field {name} in type {}",
                                        o.type_name()
                                    ),
                                )
                            }
                        }
                    }
                } else {
                    let r = catch_unwind(AssertUnwindSafe(|| {
                        o.field(name).map(Ok).or_else(|| o.call_method(name, &[]))
                    }))
                    .unwrap_or_else(|p| Some(Err(panic_message(p))));
                    match r {
                        Some(Ok(v)) => {
                            let nil = v.is_nil();
                            Ok((v, nil))
                        }
                        Some(Err(e)) => Err(self.err(
                            fr,
                            At::Expr(node),
                            ErrorKind::Call {
                                func: name.to_string(),
                            },
                            format!("error calling {name}: {e}"),
                        )),
                        None => self.fail(
                            fr,
                            At::Expr(node),
                            format!("can't evaluate field {name} in type {}", o.type_name()),
                        ),
                    }
                }
            }
            other => {
                let t = if iface {
                    "interface {}".to_string()
                } else {
                    other.type_name()
                };
                self.fail(
                    fr,
                    At::Expr(node),
                    format!("can't evaluate field {name} in type {t}"),
                )
            }
        }
    }

    fn eval_arg(&mut self, fr: &mut Frame, dot: &Dot, e: &Expr) -> R<Value> {
        match e {
            Expr::Dot(_) => Ok(dot.v.clone()),
            Expr::Nil(_) => Ok(Value::Nil),
            Expr::Bool(_, b) => Ok(Value::Bool(*b)),
            Expr::Number(_, n) => self.ideal_constant(fr, e, n),
            Expr::Str(_, _, s) => Ok(Value::str(s)),
            Expr::Field(_, fields) => {
                self.eval_field_chain(fr, dot, dot.v.clone(), dot.iface, fields, e, &[], None)
            }
            Expr::Variable(_, name, fields) => {
                let (v, iface) = self.var_value(fr, name, At::Expr(e))?;
                if fields.is_empty() {
                    return Ok(v);
                }
                self.eval_field_chain(fr, dot, v, iface, fields, e, &[], None)
            }
            Expr::Ident(_, name) => self.eval_function(fr, dot, name, e, At::Expr(e), &[], None),
            Expr::Chain(_, node, fields) => self.eval_chain(fr, dot, e, node, fields, &[], None),
            Expr::Pipe(_, p) => self.eval_pipeline(fr, dot, p),
        }
    }

    fn eval_args(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        args: &[Expr],
        fin: Option<Value>,
    ) -> R<Vec<Value>> {
        let mut argv = Vec::with_capacity(args.len() + 1);
        for a in args {
            argv.push(self.eval_arg(fr, dot, a)?);
        }
        if let Some(f) = fin {
            argv.push(f);
        }
        Ok(argv)
    }

    /// Evaluate arguments onto [`Exec::args`] (no allocation per call); they are
    /// `self.args[start..]` where `start` is the returned mark. The caller truncates back.
    fn push_args(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        args: &[Expr],
        fin: Option<Value>,
    ) -> R<usize> {
        let start = self.args.len();
        for a in args {
            match self.eval_arg(fr, dot, a) {
                Ok(v) => self.args.push(v),
                Err(e) => {
                    self.args.truncate(start);
                    return Err(e);
                }
            }
        }
        if let Some(f) = fin {
            self.args.push(f);
        }
        Ok(start)
    }

    /// Call a built-in with the arguments at `self.args[start..]`, and pop them.
    fn builtin_on_stack(&mut self, fr: &Frame, at: At<'_>, name: &str, start: usize) -> R<Value> {
        let r = builtins::call(name, self.args.get(start..).unwrap_or_default());
        self.args.truncate(start);
        r.map_err(|e| self.call_error(fr, at, name, e))
    }

    fn call_error(&self, fr: &Frame, at: At<'_>, name: &str, e: String) -> Error {
        self.err(
            fr,
            at,
            ErrorKind::Call {
                func: name.to_string(),
            },
            format!("error calling {name}: {e}"),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        name: &str,
        ident: &Expr,
        at: At<'_>,
        args: &[Expr],
        fin: Option<Value>,
    ) -> R<Value> {
        // Kept small: this frame sits on every `include` level of the native stack.
        // `funcs` outlives `self`, so the function is borrowed, not cloned.
        let funcs: &'a FuncMap = self.funcs;
        match funcs.lookup(name) {
            Some(Func::Simple(f)) => self.call_simple(fr, dot, f, name, at, args, fin),
            Some(Func::Ctx(f)) => self.call_ctx(fr, dot, f, name, at, args, fin),
            None => self.call_builtin(fr, dot, name, ident, at, args, fin),
        }
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn call_simple(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        f: &crate::func::SimpleFn,
        name: &str,
        at: At<'_>,
        args: &[Expr],
        fin: Option<Value>,
    ) -> R<Value> {
        let start = self.push_args(fr, dot, args, fin)?;
        let argv = self.args.get(start..).unwrap_or_default();
        let r =
            catch_unwind(AssertUnwindSafe(|| f(argv))).unwrap_or_else(|p| Err(panic_message(p)));
        self.args.truncate(start);
        r.map_err(|e| self.call_error(fr, at, name, e))
    }

    #[allow(clippy::too_many_arguments)]
    fn call_ctx(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        f: &crate::func::CtxFn,
        name: &str,
        at: At<'_>,
        args: &[Expr],
        fin: Option<Value>,
    ) -> R<Value> {
        // The function gets the engine, so its arguments leave the shared stack; the
        // usual two or three (`include "name" .`) move into a local array.
        let start = self.push_args(fr, dot, args, fin)?;
        let mut few: [Value; 3] = Default::default();
        let n = self.args.len() - start;
        let many;
        let argv: &[Value] = if n <= few.len() {
            for (slot, v) in few.iter_mut().zip(self.args.drain(start..)) {
                *slot = v;
            }
            &few[..n]
        } else {
            many = self.args.split_off(start);
            &many
        };
        let depth = self.depth;
        let overlays = self.overlays.len();
        let r = {
            let mut ctx = CallCtx { exec: self };
            catch_unwind(AssertUnwindSafe(|| f(&mut ctx, argv)))
        };
        match r {
            Ok(r) => {
                if self.fatal.is_some() {
                    // A limit was hit inside: report it once, anchored at this call (so the
                    // outermost call names the template being rendered, as Helm's chain
                    // of "error calling include" does), whatever the function returned.
                    let msg = format!("error calling {name}: {}", self.fatal_root);
                    let kind = match self.fatal.as_ref().map(Error::kind) {
                        Some(ErrorKind::Limit) => ErrorKind::Limit,
                        _ => ErrorKind::Call {
                            func: name.to_string(),
                        },
                    };
                    let e = self.err(fr, at, kind, msg);
                    self.fatal = Some(e.clone());
                    return Err(e);
                }
                r.map_err(|e| self.call_error(fr, at, name, e))
            }
            Err(p) => {
                self.depth = depth;
                self.overlays.truncate(overlays);
                let msg = panic_message(p);
                let e = self.call_error(fr, at, name, msg.clone());
                self.set_fatal(&e, msg);
                Err(e)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn call_builtin(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        name: &str,
        ident: &Expr,
        at: At<'_>,
        args: &[Expr],
        fin: Option<Value>,
    ) -> R<Value> {
        let Some((fixed, variadic)) = builtins::arity(name) else {
            let src = &fr.tree.source;
            return Err(Error::syntax(
                &src.parse_name,
                src.lines.line(ident.pos()),
                format!("function {} not defined", quote_str(name)),
            ));
        };
        let n = args.len() + usize::from(fin.is_some());
        if variadic && n < fixed {
            return self.fail(
                fr,
                At::Expr(ident),
                format!(
                    "wrong number of args for {name}: want at least {fixed} got {}",
                    args.len()
                ),
            );
        }
        if !variadic && n != fixed {
            return self.fail(
                fr,
                At::Expr(ident),
                format!("wrong number of args for {name}: want {fixed} got {n}"),
            );
        }
        if name == "and" || name == "or" {
            let want = name == "or";
            let mut v = Value::Nil;
            for a in args {
                v = self.eval_arg(fr, dot, a)?;
                if v.is_truthy() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f;
            }
            return Ok(v);
        }
        match name {
            "printf" => {
                // The format is a typed `string` parameter: Go checks it while evaluating
                // the argument, before the call.
                if let Some(first) = args.first() {
                    let msg = match first {
                        Expr::Str(..) => None,
                        Expr::Nil(_) => Some("cannot assign nil to string".to_string()),
                        Expr::Number(..) | Expr::Bool(..) => {
                            Some(format!("expected string; found {first}"))
                        }
                        _ => None,
                    };
                    if let Some(msg) = msg {
                        return self.fail(fr, At::Expr(first), msg);
                    }
                    let v = self.eval_arg(fr, dot, first)?;
                    if !matches!(v, Value::String(_) | Value::BinaryString(_)) {
                        let t = if v.is_nil() {
                            "interface {}".to_string()
                        } else {
                            v.type_name()
                        };
                        return self.fail(
                            fr,
                            At::Expr(first),
                            format!("wrong type for value; expected string; got {t}"),
                        );
                    }
                    let start = self.args.len();
                    self.args.push(v);
                    if let Err(e) = self.push_args(fr, dot, &args[1..], fin) {
                        self.args.truncate(start);
                        return Err(e);
                    }
                    return self.builtin_on_stack(fr, at, name, start);
                }
            }
            "len" => {
                // Go tells a nil interface (a map element) from no value at all.
                let (v, iface) = match args.first() {
                    Some(a) => self.eval_arg_iface(fr, dot, a)?,
                    None => (fin.unwrap_or_default(), false),
                };
                if v.is_nil() && !iface {
                    let msg = "reflect: call of reflect.Value.Type on zero Value".to_string();
                    return Err(self.call_error(fr, at, name, msg));
                }
                return builtins::call(name, &[v]).map_err(|e| self.call_error(fr, at, name, e));
            }
            "call" => {
                let argv = self.eval_args(fr, dot, args, fin)?;
                let msg = match (argv.first(), args.first()) {
                    (Some(Value::Nil) | None, _) => "call of nil".to_string(),
                    (Some(v), Some(node)) => {
                        format!("non-function {node} of type {}", v.type_name())
                    }
                    (Some(v), None) => format!("non-function of type {}", v.type_name()),
                };
                return Err(self.call_error(fr, at, name, msg));
            }
            _ => {}
        }
        let start = self.push_args(fr, dot, args, fin)?;
        self.builtin_on_stack(fr, at, name, start)
    }

    /// Evaluate an argument and say whether it is a nil *interface* (a map or list
    /// element) rather than no value.
    fn eval_arg_iface(&mut self, fr: &mut Frame, dot: &Dot, e: &Expr) -> R<(Value, bool)> {
        match e {
            Expr::Dot(_) => Ok((dot.v.clone(), dot.iface)),
            Expr::Field(_, fields) => {
                let (v, i) =
                    self.eval_field_chain_iface(fr, dot, dot.v.clone(), dot.iface, fields, e)?;
                Ok((v, i))
            }
            Expr::Variable(_, name, fields) => {
                let (v, iface) = self.var_value(fr, name, At::Expr(e))?;
                if fields.is_empty() {
                    return Ok((v, iface));
                }
                self.eval_field_chain_iface(fr, dot, v, iface, fields, e)
            }
            Expr::Ident(..) => Ok((self.eval_arg(fr, dot, e)?, true)),
            _ => Ok((self.eval_arg(fr, dot, e)?, false)),
        }
    }

    fn eval_field_chain_iface(
        &mut self,
        fr: &mut Frame,
        dot: &Dot,
        recv: Value,
        iface: bool,
        fields: &[Arc<str>],
        node: &Expr,
    ) -> R<(Value, bool)> {
        let mut r = recv;
        let mut ifc = iface;
        for f in fields {
            (r, ifc) = self.eval_field(fr, dot, f, node, &[], None, r, ifc)?;
        }
        Ok((r, ifc))
    }
}
