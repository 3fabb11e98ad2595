//! Go `fmt` printing of template values: `%v` (what `{{ . }}` prints) and `printf`.
//!
//! STUB: the engine owner replaces this with a full implementation; the signatures stay.

use crate::value::Value;

/// What Go prints for `fmt.Sprint(v)` / `%v` (and so what `{{ v }}` outputs).
pub fn format_value(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f}"),
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => format!("{:?}", &b[..]),
        Value::List(l) => {
            let items: Vec<String> = l.iter().map(format_value).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Map(m) => {
            let items: Vec<String> = m
                .borrow()
                .iter()
                .map(|(k, v)| format!("{k}:{}", format_value(v)))
                .collect();
            format!("map[{}]", items.join(" "))
        }
        Value::Object(o) => o.display(),
    }
}

/// Go's `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::from(format);
    for a in args {
        out.push(' ');
        out.push_str(&format_value(a));
    }
    out
}
