//! Test helpers: a tiny JSON reader for test data (numbers become Go `float64`, as Helm
//! values do) and a one-call render helper.
#![allow(dead_code)]

use std::collections::BTreeMap;

use gotmpl::{FuncMap, Limits, TemplateSet, Value};

/// Parse JSON into a [`Value`]; numbers are `Float` unless written with a `i` suffix
/// inside a string like `"#i5"` (becomes `Int(5)`).
pub fn json(s: &str) -> Value {
    let b = s.as_bytes();
    let mut i = 0;
    let v = parse(b, &mut i);
    skip_ws(b, &mut i);
    assert_eq!(i, b.len(), "trailing JSON at {i} in {s}");
    v
}

fn skip_ws(b: &[u8], i: &mut usize) {
    while *i < b.len() && b[*i].is_ascii_whitespace() {
        *i += 1;
    }
}

fn parse(b: &[u8], i: &mut usize) -> Value {
    skip_ws(b, i);
    match b[*i] {
        b'{' => {
            *i += 1;
            let mut m = BTreeMap::new();
            loop {
                skip_ws(b, i);
                if b[*i] == b'}' {
                    *i += 1;
                    break;
                }
                let Value::String(k) = parse(b, i) else {
                    panic!("key")
                };
                skip_ws(b, i);
                assert_eq!(b[*i], b':');
                *i += 1;
                let v = parse(b, i);
                m.insert(k.to_string(), v);
                skip_ws(b, i);
                if b[*i] == b',' {
                    *i += 1;
                }
            }
            Value::map(m)
        }
        b'[' => {
            *i += 1;
            let mut l = Vec::new();
            loop {
                skip_ws(b, i);
                if b[*i] == b']' {
                    *i += 1;
                    break;
                }
                l.push(parse(b, i));
                skip_ws(b, i);
                if b[*i] == b',' {
                    *i += 1;
                }
            }
            Value::list(l)
        }
        b'"' => {
            *i += 1;
            let mut s = String::new();
            while b[*i] != b'"' {
                if b[*i] == b'\\' {
                    *i += 1;
                    match b[*i] {
                        b'n' => s.push('\n'),
                        b't' => s.push('\t'),
                        c => s.push(c as char),
                    }
                    *i += 1;
                } else {
                    let start = *i;
                    while b[*i] != b'"' && b[*i] != b'\\' {
                        *i += 1;
                    }
                    s.push_str(std::str::from_utf8(&b[start..*i]).unwrap());
                }
            }
            *i += 1;
            if let Some(n) = s.strip_prefix("#i") {
                return Value::Int(n.parse().unwrap());
            }
            Value::from(s)
        }
        b't' => {
            *i += 4;
            Value::Bool(true)
        }
        b'f' => {
            *i += 5;
            Value::Bool(false)
        }
        b'n' => {
            *i += 4;
            Value::Nil
        }
        _ => {
            let start = *i;
            while *i < b.len() && matches!(b[*i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                *i += 1;
            }
            let t = std::str::from_utf8(&b[start..*i]).unwrap();
            Value::Float(t.parse().unwrap())
        }
    }
}

/// Parse `tmpl` as template "t" and execute it; errors become `ERR: <message>`.
pub fn render(tmpl: &str, data: &str) -> String {
    render_with(tmpl, data, &FuncMap::new())
}

pub fn render_with(tmpl: &str, data: &str, funcs: &FuncMap) -> String {
    let mut set = TemplateSet::new();
    if let Err(e) = set.parse("t", tmpl) {
        return format!("ERR: {e}");
    }
    let data = if data.is_empty() {
        Value::Nil
    } else {
        json(data)
    };
    match set.execute("t", &data, funcs, &Limits::default()) {
        Ok(s) => s,
        Err(e) => format!("ERR: {e}"),
    }
}
