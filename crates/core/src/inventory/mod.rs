//! Typed, lenient extraction of the objects that matter for RBAC from parsed documents.
//!
//! Extraction never panics: a missing field or a wrong type becomes a [`FieldError`] naming
//! the field, and the caller turns it into a warning with the file and document.

mod accounts;
mod extract;
mod fields;
pub mod model;
pub mod rbac;
mod workloads;

pub use accounts::{extract_service_account, extract_token_secret};
pub use extract::build_inventory;
pub use workloads::{WORKLOAD_KINDS, extract_workload, is_workload_kind};

pub use model::*;

/// `Kind/namespace/name` (or `Kind/name` for cluster-scoped objects), as warnings name objects.
pub fn object_label(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// A problem with one field of one document.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, thiserror::Error,
)]
#[error("field `{field}`: {message}")]
pub struct FieldError {
    /// Dotted path of the field, e.g. `subjects[0].kind`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}
