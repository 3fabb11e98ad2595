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
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

pub use crate::exec::CallCtx;
use crate::value::Value;

/// A pure function: arguments in, value or error message out.
/// The error message is what Go would put after `error calling NAME: `.
pub type SimpleFn = Rc<dyn Fn(&[Value]) -> Result<Value, String>>;

/// A function that needs the running engine (see [`CallCtx`]).
pub type CtxFn = Rc<dyn Fn(&mut CallCtx<'_, '_>, &[Value]) -> Result<Value, String>>;

/// One registered function.
#[derive(Clone)]
pub(crate) enum Func {
    Simple(SimpleFn),
    Ctx(CtxFn),
}

/// A small multiplicative hash for the function table: every function call of a template
/// looks its name up here, and the names are short trusted identifiers (registered by
/// the host), so SipHash's flooding protection buys nothing.
#[derive(Default, Clone, Copy)]
pub(crate) struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let w = rest
                .iter()
                .rev()
                .fold(0u64, |w, &b| (w << 8) | u64::from(b));
            h = (h.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        self.0 = h;
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type NameMap<V> = HashMap<Box<str>, V, BuildHasherDefault<NameHasher>>;

/// Named functions available to templates.
#[derive(Clone, Default)]
pub struct FuncMap {
    funcs: NameMap<Func>,
}

impl FuncMap {
    pub fn new() -> Self {
        Self::default()
    }
    /// Register (or replace) a pure function.
    pub fn insert(&mut self, name: &str, f: impl Fn(&[Value]) -> Result<Value, String> + 'static) {
        self.funcs.insert(name.into(), Func::Simple(Rc::new(f)));
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
        self.funcs.insert(name.into(), Func::Ctx(Rc::new(f)));
    }
    /// The pure function registered under `name` (not context functions).
    pub fn get(&self, name: &str) -> Option<&SimpleFn> {
        match self.funcs.get(name) {
            Some(Func::Simple(f)) => Some(f),
            _ => None,
        }
    }
    /// The context function registered under `name`.
    pub fn get_ctx(&self, name: &str) -> Option<&CtxFn> {
        match self.funcs.get(name) {
            Some(Func::Ctx(f)) => Some(f),
            _ => None,
        }
    }
    /// The function registered under `name`, of either kind (one lookup).
    pub(crate) fn lookup(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }
    /// Whether `name` is registered (pure or context function; built-ins not included).
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }
    /// Registered names (pure and context functions), in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(|k| &**k)
    }
    /// Copy every function of `other` into `self` (later registrations win).
    pub fn extend(&mut self, other: &FuncMap) {
        for (k, v) in &other.funcs {
            self.funcs.insert(k.clone(), v.clone());
        }
    }
}
