//! Function registration: the `template.FuncMap` of Go.
//!
//! Most functions (Sprig) are pure and only see their arguments ([`SimpleFn`]). Functions that
//! need the running engine (Helm's `include` and `tpl`) are registered with
//! [`FuncMap::insert_ctx`] and receive a [`CallCtx`] that can execute named templates or
//! parse and run new template text inside the same set.
//!
//! Go's built-ins (`and`, `or`, `not`, `len`, `index`, `slice`, `print`, `printf`, `println`,
//! `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `html`, `js`, `urlquery`, `call`) are always
//! available and need no registration; a function registered here under the same name
//! takes precedence, as in Go.

use std::collections::HashMap;
use std::rc::Rc;

pub use crate::exec::CallCtx;
use crate::value::Value;

/// A pure function: arguments in, value or error message out.
/// The error message is what Go would put after `error calling NAME: `.
pub type SimpleFn = Rc<dyn Fn(&[Value]) -> Result<Value, String>>;

/// A function that needs the running engine (see [`CallCtx`]).
pub type CtxFn = Rc<dyn Fn(&mut CallCtx<'_, '_>, &[Value]) -> Result<Value, String>>;

/// Named functions available to templates.
#[derive(Clone, Default)]
pub struct FuncMap {
    simple: HashMap<String, SimpleFn>,
    ctx: HashMap<String, CtxFn>,
}

impl FuncMap {
    pub fn new() -> Self {
        Self::default()
    }
    /// Register (or replace) a pure function.
    pub fn insert(&mut self, name: &str, f: impl Fn(&[Value]) -> Result<Value, String> + 'static) {
        self.ctx.remove(name);
        self.simple.insert(name.to_string(), Rc::new(f));
    }
    /// Register (or replace) a function that needs the engine, such as Helm's `include`:
    ///
    /// ```
    /// use gotmpl::{FuncMap, Value};
    /// let mut funcs = FuncMap::new();
    /// funcs.insert_ctx("include", |ctx, args| {
    ///     let name = args.first().and_then(Value::as_str).ok_or("include: want a name")?;
    ///     let data = args.get(1).cloned().unwrap_or_default();
    ///     ctx.execute_named(name, &data).map(Value::from).map_err(|e| e.to_string())
    /// });
    /// assert!(funcs.contains("include"));
    /// ```
    pub fn insert_ctx(
        &mut self,
        name: &str,
        f: impl Fn(&mut CallCtx<'_, '_>, &[Value]) -> Result<Value, String> + 'static,
    ) {
        self.simple.remove(name);
        self.ctx.insert(name.to_string(), Rc::new(f));
    }
    /// The pure function registered under `name` (not context functions).
    pub fn get(&self, name: &str) -> Option<&SimpleFn> {
        self.simple.get(name)
    }
    /// The context function registered under `name`.
    pub fn get_ctx(&self, name: &str) -> Option<&CtxFn> {
        self.ctx.get(name)
    }
    /// Whether `name` is registered (pure or context function; built-ins not included).
    pub fn contains(&self, name: &str) -> bool {
        self.simple.contains_key(name) || self.ctx.contains_key(name)
    }
    /// Registered names (pure and context functions), in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.simple
            .keys()
            .chain(self.ctx.keys())
            .map(String::as_str)
    }
    /// Copy every function of `other` into `self` (later registrations win).
    pub fn extend(&mut self, other: &FuncMap) {
        for (k, v) in &other.simple {
            self.ctx.remove(k);
            self.simple.insert(k.clone(), v.clone());
        }
        for (k, v) in &other.ctx {
            self.simple.remove(k);
            self.ctx.insert(k.clone(), v.clone());
        }
    }
}
