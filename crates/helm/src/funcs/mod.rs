//! Helm's own template functions (on top of Sprig): `toYaml`, `fromYaml`, `toJson`,
//! `toToml`, `required`, `fail`, `lookup`, ... The engine-bound ones (`include`, `tpl`) are
//! registered by [`crate::render`], which owns the template set.

pub mod goyaml_errors;
pub mod json;
pub mod toml;
pub mod yaml_emit;

use std::collections::BTreeMap;

use gotmpl::{FuncMap, Value};

use crate::values::yaml;

/// `toYaml` without the trailing newline (what Helm returns).
pub fn to_yaml_trimmed(v: &Value) -> Result<String, String> {
    let mut s = yaml_emit::to_yaml(v)?;
    // Trimmed in place: the text can be large, and a copy would be thrown away.
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

fn one(args: &[Value], name: &str) -> Result<Value, String> {
    match args {
        [v] => Ok(v.clone()),
        _ => Err(format!(
            "wrong number of args for {name}: want 1 got {}",
            args.len()
        )),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Nil => String::new(),
        other => gotmpl::fmt::format_value(other),
    }
}

fn error_map(msg: String) -> Value {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), Value::from(msg));
    Value::map(m)
}

/// Helm's `fromYaml`: a map, or `{"Error": msg}`.
pub fn from_yaml(s: &str) -> Value {
    match yaml::parse(s) {
        Ok(Value::Map(m)) => Value::Map(m),
        Ok(Value::Nil) => Value::empty_map(),
        Ok(other) => error_map(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
        Err(e) => error_map(yaml_syntax_error(s, &e)),
    }
}

/// Helm's text for YAML that does not parse, in goyaml's words where we know them.
pub fn yaml_syntax_error(text: &str, ours: &str) -> String {
    format!(
        "error converting YAML to JSON: yaml: {}",
        goyaml_errors::goyaml_message(text, ours)
    )
}

/// JSON's name for a value's type, as Go's `json.Unmarshal` errors print it.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::String(_) | Value::BinaryString(_) => "string",
        Value::Bool(_) => "bool",
        Value::Nil => "null",
        _ => "number",
    }
}

/// Register Helm's functions (except `include` and `tpl`) into `f`, replacing Sprig's
/// versions where Helm does.
pub fn register(f: &mut FuncMap) {
    f.insert("toYaml", |a| {
        let v = one(a, "toYaml")?;
        Ok(Value::from(to_yaml_trimmed(&v).unwrap_or_default()))
    });
    f.insert("mustToYaml", |a| {
        let v = one(a, "mustToYaml")?;
        Ok(Value::from(to_yaml_trimmed(&v)?))
    });
    f.insert("toYamlPretty", |a| {
        let v = one(a, "toYamlPretty")?;
        let mut s = yaml_emit::to_yaml_pretty(&v).unwrap_or_default();
        if s.ends_with('\n') {
            s.pop();
        }
        Ok(Value::from(s))
    });
    f.insert("fromYaml", |a| {
        let v = one(a, "fromYaml")?;
        Ok(from_yaml(&text(&v)))
    });
    f.insert("fromYamlArray", |a| {
        let v = one(a, "fromYamlArray")?;
        Ok(match yaml::parse(&text(&v)) {
            Ok(Value::List(l)) => Value::List(l),
            Ok(Value::Nil) => Value::list(Vec::new()),
            Ok(other) => Value::list(vec![Value::from(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
                json_kind(&other)
            ))]),
            Err(e) => Value::list(vec![Value::from(yaml_syntax_error(&text(&v), &e))]),
        })
    });
    f.insert("toJson", |a| {
        let v = one(a, "toJson")?;
        Ok(Value::from(
            json::encode(&v, false, true).unwrap_or_default(),
        ))
    });
    f.insert("mustToJson", |a| {
        let v = one(a, "mustToJson")?;
        Ok(Value::from(json::encode(&v, false, true)?))
    });
    f.insert("toPrettyJson", |a| {
        let v = one(a, "toPrettyJson")?;
        Ok(Value::from(
            json::encode(&v, true, true).unwrap_or_default(),
        ))
    });
    f.insert("mustToPrettyJson", |a| {
        let v = one(a, "mustToPrettyJson")?;
        Ok(Value::from(json::encode(&v, true, true)?))
    });
    f.insert("toRawJson", |a| {
        let v = one(a, "toRawJson")?;
        Ok(Value::from(
            json::encode(&v, false, false).unwrap_or_default(),
        ))
    });
    f.insert("mustToRawJson", |a| {
        let v = one(a, "mustToRawJson")?;
        Ok(Value::from(json::encode(&v, false, false)?))
    });
    f.insert("fromJson", |a| {
        let v = one(a, "fromJson")?;
        Ok(match json::parse(&text(&v)) {
            Ok(Value::Map(m)) => Value::Map(m),
            Ok(other) => error_map(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&other)
            )),
            Err(e) => error_map(e),
        })
    });
    f.insert("fromJsonArray", |a| {
        let v = one(a, "fromJsonArray")?;
        Ok(match json::parse(&text(&v)) {
            Ok(Value::List(l)) => Value::List(l),
            Ok(other) => Value::list(vec![Value::from(format!(
                "json: cannot unmarshal {} into Go value of type []interface {{}}",
                json_kind(&other)
            ))]),
            Err(e) => Value::list(vec![Value::from(e)]),
        })
    });
    f.insert("toToml", |a| {
        let v = one(a, "toToml")?;
        Ok(Value::from(toml::to_toml(&v).unwrap_or_else(|e| e)))
    });
    f.insert("required", |a| {
        let [msg, val] = a else {
            return Err(format!(
                "wrong number of args for required: want 2 got {}",
                a.len()
            ));
        };
        let missing = match val {
            Value::Nil => true,
            Value::String(s) => s.is_empty(),
            _ => false,
        };
        if missing {
            Err(text(msg))
        } else {
            Ok(val.clone())
        }
    });
    f.insert("fail", |a| {
        let msg = a.first().map(text).unwrap_or_default();
        Err(msg)
    });
    f.insert("lookup", |_a| Ok(Value::empty_map()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[Value]) -> Result<Value, String> {
        let mut f = FuncMap::new();
        register(&mut f);
        (f.get(name).unwrap())(args)
    }

    fn js(v: &Value) -> String {
        json::encode(v, false, true).unwrap()
    }

    #[test]
    fn from_yaml_like_helm() {
        let v = call("fromYaml", &[Value::str("a: [x, y]\nb: 1")]).unwrap();
        assert_eq!(js(&v), r#"{"a":["x",true],"b":1}"#);
        let v = call("fromYaml", &[Value::str("- a")]).unwrap();
        assert_eq!(
            js(&v),
            r#"{"Error":"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"}"#
        );
        let v = call("fromYamlArray", &[Value::str("- a\n- 1")]).unwrap();
        assert_eq!(js(&v), r#"["a",1]"#);
        let v = call("fromJsonArray", &[Value::str("{}")]).unwrap();
        assert_eq!(
            js(&v),
            r#"["json: cannot unmarshal object into Go value of type []interface {}"]"#
        );
    }

    #[test]
    fn required_fail_lookup() {
        assert_eq!(
            call("required", &[Value::str("need x"), Value::Nil]).unwrap_err(),
            "need x"
        );
        assert_eq!(
            call("required", &[Value::str("need x"), Value::str("")]).unwrap_err(),
            "need x"
        );
        assert!(call("required", &[Value::str("m"), Value::Bool(false)]).is_ok());
        assert_eq!(call("fail", &[Value::str("boom")]).unwrap_err(), "boom");
        assert_eq!(js(&call("lookup", &[]).unwrap()), "{}");
        assert_eq!(
            call(
                "toYaml",
                &[crate::values::yaml::parse("b: 1\na: [x]").unwrap()]
            )
            .unwrap()
            .as_str(),
            Some("a:\n- x\nb: 1")
        );
    }
}
