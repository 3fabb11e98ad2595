//! Warnings about the input: each names the file, the document and the field, with a code
//! that has a page in `docs/WARNINGS.md`. Warnings never stop the analysis of other input.

use serde::{Deserialize, Serialize};

/// Stable warning codes (documented in docs/WARNINGS.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Code {
    /// W001: a file could not be read.
    Unreadable,
    /// W002: a document is not valid YAML/JSON.
    Malformed,
    /// W003: a document has no `kind`/`apiVersion` or is not a map.
    NotAnObject,
    /// W004: a field has the wrong type or a required field is missing.
    BadField,
    /// W005: a binding refers to a role that is neither in the input nor built in.
    UnknownRole,
    /// W006: a limit (size, count, depth) was hit.
    LimitExceeded,
    /// W007: a Helm chart failed to render (fully or partly).
    RenderFailed,
    /// W008: a rule grants something Kubernetes never honours.
    IneffectiveRule,
    /// W009: an input path does not exist or has an unsupported type.
    BadInput,
}

impl Code {
    pub fn id(self) -> &'static str {
        match self {
            Code::Unreadable => "W001",
            Code::Malformed => "W002",
            Code::NotAnObject => "W003",
            Code::BadField => "W004",
            Code::UnknownRole => "W005",
            Code::LimitExceeded => "W006",
            Code::RenderFailed => "W007",
            Code::IneffectiveRule => "W008",
            Code::BadInput => "W009",
        }
    }
    /// Ineffective rules and unknown roles are facts about the RBAC, not broken input:
    /// they do not make the run fail.
    pub fn is_input_error(self) -> bool {
        !matches!(self, Code::UnknownRole | Code::IneffectiveRule)
    }
}

/// One warning with its location.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
    pub code: Code,
    pub file: String,
    /// 0-based document index, when the warning concerns one document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<usize>,
    /// 1-based line, 0 when unknown.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub line: usize,
    /// `Kind/namespace/name` of the object, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The field concerned, e.g. `subjects[0].kind`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Warning {
    pub fn new(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            code,
            file: file.into(),
            document: None,
            line: 0,
            object: None,
            field: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code.id(), self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(d) = self.document {
            write!(f, " (document {})", d + 1)?;
        }
        if let Some(o) = &self.object {
            write!(f, " {o}")?;
        }
        if let Some(field) = &self.field {
            write!(f, " field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}
