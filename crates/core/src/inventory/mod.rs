//! Typed, lenient extraction of the objects that matter for RBAC from parsed documents.
//!
//! Extraction never panics: a missing field or a wrong type becomes a [`FieldError`] naming
//! the field, and the caller turns it into a warning with the file and document.

pub mod model;

pub use model::*;

/// A problem with one field of one document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {message}")]
pub struct FieldError {
    /// Dotted path of the field, e.g. `subjects[0].kind`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}
