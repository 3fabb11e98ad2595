//! Errors of parsing and execution, worded and laid out like Go's `text/template`.
//!
//! [`Error`]'s `Display` is exactly what Go prints, so tools that post-process Go
//! template errors (Helm strips the `error calling required:` prefix, for example)
//! see the same text. The structured fields carry the same facts for callers that
//! prefer not to parse strings.

use std::fmt;

/// What went wrong, broadly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template text does not parse (Go: `template: NAME:LINE: msg`).
    Syntax,
    /// Evaluation failed (missing field on a nil value, bad comparison, bad index, ...).
    Exec,
    /// A registered or built-in function returned an error (`error calling NAME: msg`).
    Call {
        /// The function (or method) name.
        func: String,
    },
    /// A template name was not found by `execute` or `include`.
    NoTemplate,
    /// A configured [`Limits`](crate::Limits) bound was hit (depth, steps, output size).
    Limit,
}

/// A parse or execution error with its location.
///
/// Boxed inside, so `Result<T, Error>` stays small on the deep recursive paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    /// Name of the template file (Go's `ParseName`) the failing node was parsed from.
    location_name: Option<String>,
    /// Name of the template being executed (a `define` name or the file name).
    executing: Option<String>,
    line: Option<usize>,
    /// 0-based byte column, as Go prints it.
    col: Option<usize>,
    /// The failing expression, printed the way Go prints nodes.
    context: Option<String>,
    /// The message proper, after the location prefix.
    message: String,
}

impl Error {
    fn from_inner(inner: Inner) -> Error {
        Error {
            inner: Box::new(inner),
        }
    }

    /// A parse error: `template: NAME:LINE: msg`.
    pub(crate) fn syntax(name: &str, line: usize, message: impl Into<String>) -> Error {
        Error::from_inner(Inner {
            kind: ErrorKind::Syntax,
            location_name: Some(name.to_string()),
            executing: None,
            line: Some(line),
            col: None,
            context: None,
            message: message.into(),
        })
    }

    /// An execution error at a node:
    /// `template: NAME:LINE:COL: executing "TMPL" at <CTX>: msg`.
    pub(crate) fn exec_at(
        kind: ErrorKind,
        parse_name: &str,
        line: usize,
        col: usize,
        executing: &str,
        context: String,
        message: impl Into<String>,
    ) -> Error {
        Error::from_inner(Inner {
            kind,
            location_name: Some(parse_name.to_string()),
            executing: Some(executing.to_string()),
            line: Some(line),
            col: Some(col),
            context: Some(context),
            message: message.into(),
        })
    }

    /// An error without a node: `template: msg` (the message carries its own names).
    pub(crate) fn plain(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::from_inner(Inner {
            kind,
            location_name: None,
            executing: None,
            line: None,
            col: None,
            context: None,
            message: message.into(),
        })
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }
    /// The template file the failing node comes from (Go's `ParseName`).
    pub fn template_name(&self) -> Option<&str> {
        self.inner.location_name.as_deref()
    }
    /// The template being executed when the error happened (may be a `define` name).
    pub fn executing(&self) -> Option<&str> {
        self.inner.executing.as_deref()
    }
    /// 1-based line.
    pub fn line(&self) -> Option<usize> {
        self.inner.line
    }
    /// 0-based byte column within the line, as Go reports it.
    pub fn column(&self) -> Option<usize> {
        self.inner.col
    }
    /// The failing expression, e.g. `required "msg" .Values.x`.
    pub fn context(&self) -> Option<&str> {
        self.inner.context.as_deref()
    }
    /// The message after the location prefix, e.g. `error calling required: msg`.
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// For [`ErrorKind::Call`]: the message the function itself returned.
    pub fn call_message(&self) -> Option<&str> {
        match &self.inner.kind {
            ErrorKind::Call { func } => self
                .inner
                .message
                .strip_prefix("error calling ")
                .and_then(|m| m.strip_prefix(func.as_str()))
                .and_then(|m| m.strip_prefix(": ")),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (
            &self.inner.location_name,
            self.inner.line,
            self.inner.col,
            &self.inner.context,
        ) {
            (Some(name), Some(line), Some(col), Some(ctx)) => write!(
                f,
                "template: {name}:{line}:{col}: executing {} at <{ctx}>: {}",
                crate::fmt::quote_str(self.inner.executing.as_deref().unwrap_or(name)),
                self.inner.message
            ),
            (Some(name), Some(line), _, _) => {
                write!(f, "template: {name}:{line}: {}", self.inner.message)
            }
            _ => write!(f, "{}", self.inner.message),
        }
    }
}

impl std::error::Error for Error {}
