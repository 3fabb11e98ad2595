//! The dynamic value model: what Go's `interface{}` holds when Helm renders a chart.
//!
//! Maps have reference semantics like Go maps (`set` in one place is seen through every
//! other handle); lists are immutable and shared. Numbers from YAML/JSON values are `Float`
//! (Go `float64`); template literals and `len` give `Int` (Go `int`); Sprig's integer math
//! (`add`, `int64`...) and Helm's `--set` integers give `Int64` (Go `int64`). `int` and
//! `int64` differ only where Go's types show: `typeOf`/`kindOf`/`%T`, `reflect.DeepEqual`,
//! and Go functions with an `int` parameter, which refuse an `int64`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// A Go `map[string]interface{}`: shared and mutable, iterated in sorted key order.
pub type Map = Rc<RefCell<BTreeMap<String, Value>>>;

/// A host object with fields and methods, e.g. Helm's `.Files` or `.Capabilities.APIVersions`.
/// Fields are read with `.Name`; methods are called with `.Name arg1 arg2`.
pub trait Object {
    /// Go type name used by `typeOf`/`printf "%T"`, e.g. `chartutil.Files`.
    fn type_name(&self) -> &str;
    /// A field or zero-argument method; `None` when there is no such name.
    fn field(&self, name: &str) -> Option<Value> {
        let _ = name;
        None
    }
    /// A method called with arguments; `None` when there is no such method.
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let _ = (name, args);
        None
    }
    /// What `{{ . }}` prints for this object.
    fn display(&self) -> String {
        format!("{{{}}}", self.type_name())
    }
}

/// The bytes of a non-UTF-8 Go string, and their lossy text (computed once).
pub struct BinaryStr {
    bytes: Box<[u8]>,
    text: Box<str>,
}

impl BinaryStr {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// The bytes as text, with U+FFFD for each invalid sequence.
    pub fn text(&self) -> &str {
        &self.text
    }
}

#[derive(Clone, Default)]
pub enum Value {
    /// Go's untyped nil, a missing map key, or an explicit YAML `null`.
    #[default]
    Nil,
    Bool(bool),
    /// Go `int` (64 bits, as on every platform Helm ships for).
    Int(i64),
    /// Go `int64`.
    Int64(i64),
    /// Go `float64` (every number read from YAML or JSON values).
    Float(f64),
    String(Rc<str>),
    /// A Go `string` whose bytes are not UTF-8 (`b64dec` of binary data). It reads as text
    /// with U+FFFD for the invalid sequences ([`Value::as_str`]), while `len`, `index`,
    /// `slice`, `b64enc` and the digests see its real bytes, as in Go.
    BinaryString(Rc<BinaryStr>),
    /// Go `[]byte` (e.g. `.Files.GetBytes`).
    Bytes(Rc<[u8]>),
    /// Go `[]interface{}`.
    List(Rc<Vec<Value>>),
    /// Go `map[string]interface{}`.
    Map(Map),
    Object(Rc<dyn Object>),
}

impl Value {
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::String(Rc::from(s.as_ref()))
    }
    /// A Go string made of arbitrary bytes: a [`Value::String`] when they are UTF-8,
    /// else a [`Value::BinaryString`].
    pub fn from_go_bytes(bytes: Vec<u8>) -> Value {
        match String::from_utf8(bytes) {
            Ok(s) => Value::from(s),
            Err(e) => {
                let bytes = e.into_bytes().into_boxed_slice();
                let text = String::from_utf8_lossy(&bytes).into();
                Value::BinaryString(Rc::new(BinaryStr { bytes, text }))
            }
        }
    }
    /// The bytes of a Go string (either string variant).
    pub fn go_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::String(s) => Some(s.as_bytes()),
            Value::BinaryString(b) => Some(b.bytes()),
            _ => None,
        }
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)))
    }
    pub fn empty_map() -> Value {
        Value::map(BTreeMap::new())
    }
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
    /// Go template truth: false, 0, nil, and empty strings, lists and maps are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::BinaryString(_) => true,
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Object(_) => true,
        }
    }
    /// The value of any Go integer kind (`reflect.Value.Int()`), as `index`, `eq` or a
    /// `printf` width accept it.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            _ => None,
        }
    }
    /// The text of a string (a [`Value::BinaryString`] with U+FFFD for invalid bytes).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            Value::BinaryString(b) => Some(b.text()),
            _ => None,
        }
    }
    /// Go's `reflect.Kind` name as Sprig's `kindOf` prints it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) | Value::BinaryString(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(_) => "struct",
        }
    }
    /// Go's type name as Sprig's `typeOf` prints it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) | Value::BinaryString(_) => "string".into(),
            Value::Bytes(_) => "[]uint8".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            Value::Object(o) => o.type_name().to_string(),
        }
    }
    /// A deep copy: maps get new storage (Sprig's `deepCopy`, Helm's value coalescing).
    ///
    /// At most 200,000 containers, 100 levels deep, are copied; beyond that (only
    /// reachable with a map that contains itself) values are shared, so the copy always
    /// terminates.
    pub fn deep_copy(&self) -> Value {
        let mut budget = 200_000usize;
        self.deep_copy_with(&mut budget, 0)
    }

    fn deep_copy_with(&self, budget: &mut usize, depth: usize) -> Value {
        if *budget == 0 || depth > 100 {
            return self.clone();
        }
        match self {
            Value::List(l) => {
                *budget -= 1;
                Value::list(
                    l.iter()
                        .map(|v| v.deep_copy_with(budget, depth + 1))
                        .collect(),
                )
            }
            Value::Map(m) => {
                *budget -= 1;
                Value::map(
                    m.borrow()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.deep_copy_with(budget, depth + 1)))
                        .collect(),
                )
            }
            other => other.clone(),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Int64(i) => write!(f, "int64({i})"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::BinaryString(b) => write!(f, "binary{:?}", b.bytes()),
            Value::Bytes(b) => write!(f, "bytes{:?}", &b[..]),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            Value::Map(m) => f.debug_map().entries(m.borrow().iter()).finish(),
            Value::Object(o) => write!(f, "<{}>", o.type_name()),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(Rc::from(s))
    }
}
impl From<Vec<Value>> for Value {
    fn from(l: Vec<Value>) -> Self {
        Value::list(l)
    }
}
