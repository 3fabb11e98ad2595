//! Function registration: the `template.FuncMap` of Go.
//!
//! Most functions (Sprig) are pure and only see their arguments ([`SimpleFn`]). Functions that
//! need the running engine (Helm's `include` and `tpl`) are registered by the engine layer
//! with a context-taking signature defined beside the evaluator.

use std::collections::HashMap;
use std::rc::Rc;

use crate::value::Value;

/// A pure function: arguments in, value or error message out.
/// The error message is what Go would put after `error calling NAME: `.
pub type SimpleFn = Rc<dyn Fn(&[Value]) -> Result<Value, String>>;

/// Named functions available to templates.
#[derive(Clone, Default)]
pub struct FuncMap {
    simple: HashMap<String, SimpleFn>,
}

impl FuncMap {
    pub fn new() -> Self {
        Self::default()
    }
    /// Register (or replace) a pure function.
    pub fn insert(&mut self, name: &str, f: impl Fn(&[Value]) -> Result<Value, String> + 'static) {
        self.simple.insert(name.to_string(), Rc::new(f));
    }
    pub fn get(&self, name: &str) -> Option<&SimpleFn> {
        self.simple.get(name)
    }
    pub fn contains(&self, name: &str) -> bool {
        self.simple.contains_key(name)
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.simple.keys().map(String::as_str)
    }
}
