//! `toToml`: TOML as Helm prints it (BurntSushi/toml's encoder layout: plain keys first,
//! then `[table]` sections, indented two spaces per nesting level; numbers read from YAML
//! are floats, so `1` prints as `1.0`; nulls are left out).

use gotmpl::Value;

/// Encode a map as TOML. Non-map input is an error, as in Helm.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let Value::Map(m) = v else {
        return Err("toml: top-level values must be Go maps or structs".into());
    };
    let mut out = String::new();
    write_table(&mut out, &m.borrow(), &mut Vec::new())?;
    Ok(out)
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
}

fn is_array_of_tables(v: &Value) -> bool {
    matches!(v, Value::List(l) if !l.is_empty() && l.iter().all(is_table))
}

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        quote(k)
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f.fract() == 0.0 && f.abs() < 1e16 {
        return format!("{:.1}", f);
    }
    let s = super::json::format_float(f);
    if s.contains(['.', 'e']) {
        s
    } else {
        format!("{s}.0")
    }
}

fn inline(v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::Nil => return Err("toml: cannot encode a nil value inside an array".into()),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Float(f) => float(*f),
        Value::String(s) => quote(s),
        Value::BinaryString(b) => quote(b.text()),
        Value::Bytes(b) => quote(&String::from_utf8_lossy(b)),
        Value::List(l) => {
            let items: Result<Vec<String>, String> = l.iter().map(inline).collect();
            format!("[{}]", items?.join(", "))
        }
        Value::Map(m) => {
            let m = m.borrow();
            let mut items = Vec::new();
            for (k, v) in m.iter() {
                if v.is_nil() {
                    continue;
                }
                items.push(format!("{} = {}", key(k), inline(v)?));
            }
            format!("{{{}}}", items.join(", "))
        }
        Value::Object(o) => quote(&o.display()),
    })
}

fn write_table(
    out: &mut String,
    m: &std::collections::BTreeMap<String, Value>,
    path: &mut Vec<String>,
) -> Result<(), String> {
    if path.len() > 64 {
        return Err("toml: nesting too deep".into());
    }
    let indent = "  ".repeat(path.len());
    for (k, v) in m {
        if v.is_nil() || is_table(v) || is_array_of_tables(v) {
            continue;
        }
        out.push_str(&format!("{indent}{} = {}\n", key(k), inline(v)?));
    }
    for (k, v) in m {
        match v {
            Value::Map(sub) => {
                path.push(k.clone());
                let header: Vec<String> = path.iter().map(|p| key(p)).collect();
                let hindent = "  ".repeat(path.len() - 1);
                // A blank line before top-level tables, once something was written.
                if path.len() == 1 && !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("{hindent}[{}]\n", header.join(".")));
                write_table(out, &sub.borrow(), path)?;
                path.pop();
            }
            Value::List(l) if is_array_of_tables(v) => {
                path.push(k.clone());
                let header: Vec<String> = path.iter().map(|p| key(p)).collect();
                let hindent = "  ".repeat(path.len() - 1);
                for item in l.iter() {
                    if let Value::Map(sub) = item {
                        if !out.is_empty() {
                            out.push('\n');
                        }
                        out.push_str(&format!("{hindent}[[{}]]\n", header.join(".")));
                        write_table(out, &sub.borrow(), path)?;
                    }
                }
                path.pop();
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse;

    #[test]
    fn like_helm() {
        // Expected output from helm v4.1.4 `toToml`.
        let v = parse("\"\": 3\nel: []\nem: {}\n\"false\": null\nlm: [{a: 1, b: [x, {c: d}]}, [1, [2]], {}, []]\nquoted key: 1\n\"true\": 2\n").unwrap();
        assert_eq!(
            to_toml(&v).unwrap(),
            "\"\" = 3.0\nel = []\nlm = [{a = 1.0, b = [\"x\", {c = \"d\"}]}, [1.0, [2.0]], {}, []]\n\"quoted key\" = 1.0\ntrue = 2.0\n\n[em]\n"
        );
        let v = parse("a: {b: {c: 1, d: [1, 2]}, e: x}\nlist: [{k: 1}, {k: 2}]\n").unwrap();
        assert_eq!(
            to_toml(&v).unwrap(),
            "[a]\n  e = \"x\"\n  [a.b]\n    c = 1.0\n    d = [1.0, 2.0]\n\n[[list]]\n  k = 1.0\n\n[[list]]\n  k = 2.0\n"
        );
    }
}
