//! Go's predefined template functions (`text/template/funcs.go`), except `and` and `or`,
//! which short-circuit and so live in the evaluator.
//!
//! Each function takes evaluated arguments and returns the value or the error message Go
//! would print after `error calling NAME: `. Arity is checked by the evaluator from
//! [`arity`], with Go's wording.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::fmt::{format_value, sprint, sprintf, sprintln};
use crate::value::Value;

/// Whether `name` is a built-in, and its arity: (fixed params, variadic).
pub(crate) fn arity(name: &str) -> Option<(usize, bool)> {
    Some(match name {
        "and" | "or" | "index" | "slice" | "printf" | "eq" | "call" => (1, true),
        "not" | "len" => (1, false),
        "print" | "println" | "html" | "js" | "urlquery" => (0, true),
        "ne" | "lt" | "le" | "gt" | "ge" => (2, false),
        _ => return None,
    })
}

/// Call a built-in other than `and`/`or`. Arity has been checked.
pub(crate) fn call(name: &str, args: &[Value]) -> Result<Value, String> {
    match name {
        "not" => Ok(Value::Bool(!args[0].is_truthy())),
        "len" => length(&args[0]).map(Value::Int),
        "index" => index(&args[0], &args[1..]),
        "slice" => slice(&args[0], &args[1..]),
        "print" => Ok(Value::from(sprint(args))),
        "println" => Ok(Value::from(sprintln(args))),
        "printf" => match &args[0] {
            Value::String(_) | Value::BinaryString(_) => Ok(Value::from(sprintf(
                args[0].as_str().unwrap_or(""),
                &args[1..],
            ))),
            other => Err(format!(
                "wrong type for value; expected string; got {}",
                go_type(other)
            )),
        },
        "html" => Ok(Value::from(html_escape(&eval_args(args)))),
        "js" => Ok(Value::from(js_escape(&eval_args(args)))),
        "urlquery" => Ok(Value::from(query_escape(&eval_args(args)))),
        "eq" => eq(&args[0], &args[1..]).map(Value::Bool),
        "ne" => eq(&args[0], &args[1..2]).map(|b| Value::Bool(!b)),
        "lt" => lt(&args[0], &args[1]).map(Value::Bool),
        "le" => le(&args[0], &args[1]).map(Value::Bool),
        "gt" => le(&args[0], &args[1]).map(|b| Value::Bool(!b)),
        "ge" => lt(&args[0], &args[1]).map(|b| Value::Bool(!b)),
        "call" => match &args[0] {
            Value::Nil => Err("call of nil".into()),
            other => Err(format!("non-function of type {}", go_type(other))),
        },
        _ => Err(format!("unknown built-in {name}")),
    }
}

fn go_type(v: &Value) -> String {
    match v {
        Value::Nil => "interface {}".into(),
        other => other.type_name(),
    }
}

fn length(v: &Value) -> Result<i64, String> {
    Ok(match v {
        Value::String(s) => s.len() as i64,
        Value::BinaryString(b) => b.bytes().len() as i64,
        Value::Bytes(b) => b.len() as i64,
        Value::List(l) => l.len() as i64,
        Value::Map(m) => m.borrow().len() as i64,
        Value::Nil => return Err("len of nil pointer".into()),
        other => return Err(format!("len of type {}", other.type_name())),
    })
}

fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x = match index {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut item = item.clone();
    // Go's index of a string yields a `uint8`; we hold it as an int but name it right.
    let mut is_byte = false;
    for ix in indexes {
        if is_byte {
            return Err("can't index item of type uint8".into());
        }
        item = match &item {
            Value::Nil => return Err("index of nil pointer".into()),
            Value::List(l) => {
                let x = index_arg(ix, l.len())?;
                match l.get(x) {
                    Some(v) => v.clone(),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::Bytes(b) => {
                let x = index_arg(ix, b.len())?;
                match b.get(x) {
                    Some(v) => Value::Int(*v as i64),
                    None => return Err("reflect: slice index out of range".into()),
                }
            }
            Value::String(_) | Value::BinaryString(_) => {
                let s = item.go_bytes().unwrap_or_default();
                let x = index_arg(ix, s.len())?;
                is_byte = true;
                match s.get(x) {
                    Some(v) => Value::Int(*v as i64),
                    None => return Err("reflect: string index out of range".into()),
                }
            }
            Value::Map(m) => {
                let key = match ix {
                    Value::String(k) => k.clone(),
                    Value::Nil => return Err("value is nil; should be of type string".into()),
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ));
                    }
                };
                m.borrow().get(&*key).cloned().unwrap_or(Value::Nil)
            }
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn slice(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if item.is_nil() {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match item {
        Value::String(_) | Value::BinaryString(_) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            item.go_bytes().unwrap_or_default().len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0usize, len, len];
    for (i, ix) in indexes.iter().enumerate() {
        idx[i] = index_arg(ix, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    let (i, j) = (idx[0], idx[1]);
    Ok(match item {
        // Go slices bytes: a cut through a UTF-8 sequence leaves a binary string.
        Value::String(_) | Value::BinaryString(_) => {
            Value::from_go_bytes(item.go_bytes().unwrap_or_default()[i..j].to_vec())
        }
        Value::List(l) => Value::list(l[i..j].to_vec()),
        Value::Bytes(b) => Value::Bytes(Rc::from(&b[i..j])),
        _ => Value::Nil,
    })
}

// ----- comparison -----

#[derive(PartialEq, Eq, Clone, Copy, Debug)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        // Go compares every signed integer type as one kind: `eq (int64 1) 1` is true.
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) | Value::BinaryString(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

const BAD_COMPARISON: &str = "incompatible types for comparison";
fn bad_comparison(a: &Value, b: &Value) -> String {
    format!("{BAD_COMPARISON}: {} and {}", a.type_name(), b.type_name())
}

const BAD_COMPARISON_TYPE: &str = "invalid type for comparison";

/// Go's `eq arg1 arg2...`: true if arg1 equals any of the others.
pub(crate) fn eq(a: &Value, others: &[Value]) -> Result<bool, String> {
    if others.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(a);
    for b in others {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            if !a.is_nil() && !b.is_nil() {
                return Err(bad_comparison(a, b));
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(_) | Value::BinaryString(_), _) => a.go_bytes() == b.go_bytes(),
                _ => {
                    // Both of "invalid" basic kind: nil, maps, lists, bytes, objects.
                    if a.is_nil() || b.is_nil() {
                        a.is_nil() == b.is_nil()
                    } else if std::mem::discriminant(a) != std::mem::discriminant(b) {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            sprintf("%s", std::slice::from_ref(a)),
                            a.type_name(),
                            b.type_name(),
                            format_value(b)
                        ));
                    } else if let (Value::Object(x), Value::Object(y)) = (a, b) {
                        Rc::ptr_eq(x, y)
                    } else {
                        return Err(format!(
                            "non-comparable type {}: {}",
                            sprintf("%s", std::slice::from_ref(b)),
                            b.type_name()
                        ));
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a: &Value, b: &Value) -> Result<bool, String> {
    let k1 = basic_kind(a);
    if k1 == Kind::Invalid {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    let k2 = basic_kind(b);
    if k2 == Kind::Invalid {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    if k1 != k2 {
        return Err(bad_comparison(a, b));
    }
    Ok(match (a, b) {
        (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y) == Some(Ordering::Less),
        (Value::String(_) | Value::BinaryString(_), _) => a.go_bytes() < b.go_bytes(),
        _ => return Err(BAD_COMPARISON_TYPE.into()),
    })
}

fn le(a: &Value, b: &Value) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

// ----- escaping -----

/// Go's `evalArgs`: a lone string as is, otherwise `fmt.Sprint` with nil as `<no value>`.
fn eval_args(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.to_string();
    }
    if args.iter().any(Value::is_nil) {
        let mapped: Vec<Value> = args
            .iter()
            .map(|a| {
                if a.is_nil() {
                    Value::str("<no value>")
                } else {
                    a.clone()
                }
            })
            .collect();
        return sprint(&mapped);
    }
    sprint(args)
}

/// Go's `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if (c as u32) < 0x80 => out.push(c),
            c if crate::fmt::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons() {
        let i = Value::Int;
        let f = Value::Float;
        assert_eq!(eq(&i(1), &[i(1)]), Ok(true));
        assert_eq!(eq(&i(1), &[i(2), i(1)]), Ok(true));
        assert_eq!(
            eq(&i(1), &[f(1.0)]),
            Err("incompatible types for comparison: int and float64".into())
        );
        assert_eq!(eq(&Value::Nil, &[Value::Nil]), Ok(true));
        assert_eq!(eq(&Value::Nil, &["a".into()]), Ok(false));
        assert_eq!(eq(&"a".into(), &["a".into()]), Ok(true));
        assert!(eq(&Value::list(vec![]), &[Value::list(vec![])]).is_err());
        assert_eq!(lt(&i(1), &i(2)), Ok(true));
        assert_eq!(lt(&"a".into(), &"b".into()), Ok(true));
        assert_eq!(
            lt(&i(1), &f(2.0)),
            Err("incompatible types for comparison: int and float64".into())
        );
        assert_eq!(lt(&Value::Nil, &i(2)), Err(BAD_COMPARISON_TYPE.into()));
        assert_eq!(
            lt(&true.into(), &false.into()),
            Err(BAD_COMPARISON_TYPE.into())
        );
        assert_eq!(le(&i(2), &i(2)), Ok(true));
    }

    #[test]
    fn int_and_int64_compare_as_one_kind() {
        let (i, l) = (Value::Int, Value::Int64);
        assert_eq!(eq(&l(1), &[i(1)]), Ok(true));
        assert_eq!(eq(&i(2), &[l(1), l(2)]), Ok(true));
        assert_eq!(eq(&l(1), &[l(2)]), Ok(false));
        assert_eq!(lt(&l(1), &i(2)), Ok(true));
        assert_eq!(le(&i(2), &l(2)), Ok(true));
        assert_eq!(
            eq(&l(1), &[Value::Float(1.0)]),
            Err("incompatible types for comparison: int64 and float64".into())
        );
        let list = Value::list(vec!["a".into(), "b".into()]);
        assert_eq!(format_value(&index(&list, &[l(1)]).unwrap()), "b");
        assert_eq!(format_value(&slice(&list, &[l(1)]).unwrap()), "[b]");
        assert_eq!(call("not", &[l(0)]).map(|v| v.is_truthy()), Ok(true));
    }

    #[test]
    fn escapes() {
        assert_eq!(
            html_escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            js_escape("a'b\"c<d>=\n"),
            "a\\'b\\\"c\\u003Cd\\u003E\\u003D\\u000A"
        );
        assert_eq!(query_escape("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }
}
