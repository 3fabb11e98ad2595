//! A Go `text/template` engine with the Sprig function library.
//!
//! This crate knows nothing of Kubernetes or Helm: the Helm layer (`rbac-lens-helm`)
//! adds `include`, `tpl`, `toYaml` and friends through [`FuncMap`].
//! It must never panic on any template text or data, and every evaluation is bounded
//! (recursion depth, steps, output size; see [`Limits`]) so untrusted charts cannot hang
//! or crash the caller.
//!
//! The engine follows Go's `text/template` closely: the same grammar (trim markers,
//! comments, pipelines, variables, `if`/`with`/`range`/`else`, `break`/`continue`,
//! `define`/`template`/`block`), the same built-in functions and comparison rules,
//! Go's `fmt` printing (`1e+06`, `map[a:1]`, `%!d(string=x)`), and Go's error texts.
//! Where it differs, `COMPATIBILITY.md` in the crate says so.
//!
//! Module map, mirroring Go's `text/template/parse` and `text/template`:
//! `lexer` → `parser` → `ast` (trees with positions), `exec` (evaluator and
//! [`TemplateSet`]), `builtins` (Go's predefined functions), [`fmt`] (Go's printing),
//! [`value`] (the dynamic values), [`func`] (function registration), [`sprig`].
//!
//! # Example
//!
//! ```
//! use gotmpl::{FuncMap, Limits, TemplateSet, Value};
//! use std::collections::BTreeMap;
//!
//! let mut set = TemplateSet::new();
//! set.parse("chart/templates/_helpers.tpl", r#"{{ define "name" }}{{ .name | printf "%s-app" }}{{ end }}"#)?;
//! set.parse("chart/templates/a.yaml", "name: {{ template \"name\" .Values }}\nreplicas: {{ .Values.replicas }}\n")?;
//!
//! let mut values = BTreeMap::new();
//! values.insert("name".to_string(), Value::from("web"));
//! values.insert("replicas".to_string(), Value::Float(3.0));
//! let mut root = BTreeMap::new();
//! root.insert("Values".to_string(), Value::map(values));
//! let data = Value::map(root);
//!
//! let funcs = FuncMap::new();
//! let out = set.execute("chart/templates/a.yaml", &data, &funcs, &Limits::default())?;
//! assert_eq!(out, "name: web-app\nreplicas: 3\n");
//!
//! // Errors read like Go's.
//! set.parse("t", "{{ .Values.missing.field }}")?;
//! let err = set.execute("t", &data, &funcs, &Limits::default()).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     r#"template: t:1:10: executing "t" at <.Values.missing.field>: nil pointer evaluating interface {}.field"#
//! );
//! # Ok::<(), gotmpl::Error>(())
//! ```

mod ast;
mod builtins;
pub mod error;
mod exec;
pub mod fmt;
pub mod func;
mod lexer;
mod parser;
pub mod sprig;
pub mod value;

pub use builtins::{html_escape, js_escape, query_escape};
pub use error::{Error, ErrorKind};
pub use exec::{CallCtx, Limits, MissingKey, ParsedFile, TemplateSet};
pub use func::{CtxFn, FuncMap, SimpleFn};
pub use parser::MAX_NESTING;
pub use value::{Map, Object, Value};

#[cfg(test)]
mod send_check {
    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn template_set_is_send_sync() {
        assert_send_sync::<crate::TemplateSet>();
        // Chart templates are parsed on several threads (crates/helm/src/render.rs).
        assert_send_sync::<crate::ParsedFile>();
    }
}
