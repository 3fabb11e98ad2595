//! A Go `text/template` engine with the Sprig function library.
//!
//! This crate knows nothing of Kubernetes or Helm: the Helm layer (`rbac-lens-helm`)
//! adds `include`, `tpl`, `toYaml` and friends through [`FuncMap`].
//! It must never panic on any template text or data, and every evaluation is bounded
//! (recursion depth, output size) so untrusted charts cannot hang the caller.

pub mod value;
pub mod fmt;
pub mod func;
pub mod sprig;

pub use func::{FuncMap, SimpleFn};
pub use value::{Map, Object, Value};
