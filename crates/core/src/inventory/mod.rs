//! Typed, lenient extraction of the objects that matter for RBAC from parsed documents.

pub mod model;

pub use model::*;
