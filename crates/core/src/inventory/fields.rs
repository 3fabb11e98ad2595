//! Lenient, path-aware reading of JSON fields: a wrong type is an error naming the field,
//! an absent field is `None`.

use serde_json::Value;

use super::FieldError;

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// The value at `key` of `obj` (absent or null gives `None`).
pub fn get<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

pub fn opt_str<'a>(obj: &'a Value, key: &str, path: &str) -> Result<Option<&'a str>, FieldError> {
    match get(obj, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(FieldError::new(
            path,
            format!("expected a string, found {}", type_name(other)),
        )),
    }
}

pub fn opt_bool(obj: &Value, key: &str, path: &str) -> Result<Option<bool>, FieldError> {
    match get(obj, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(FieldError::new(
            path,
            format!("expected a boolean, found {}", type_name(other)),
        )),
    }
}

pub fn opt_map<'a>(obj: &'a Value, key: &str, path: &str) -> Result<Option<&'a Value>, FieldError> {
    match get(obj, key) {
        None => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        Some(other) => Err(FieldError::new(
            path,
            format!("expected a map, found {}", type_name(other)),
        )),
    }
}

pub fn opt_list<'a>(obj: &'a Value, key: &str, path: &str) -> Result<&'a [Value], FieldError> {
    match get(obj, key) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(FieldError::new(
            path,
            format!("expected a list, found {}", type_name(other)),
        )),
    }
}

/// The `name` of every entry of a list of `{name: ...}` maps (e.g. `imagePullSecrets`).
pub fn name_list(obj: &Value, key: &str) -> Result<Vec<String>, FieldError> {
    let mut out = Vec::new();
    for (i, item) in opt_list(obj, key, key)?.iter().enumerate() {
        if let Some(n) = opt_str(item, "name", &format!("{key}[{i}].name"))? {
            out.push(n.to_string());
        }
    }
    Ok(out)
}

/// `metadata` of an object, and its name (or `generateName`) and namespace.
pub struct Meta<'a> {
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    pub value: Option<&'a Value>,
}

pub fn metadata(doc: &Value) -> Result<Meta<'_>, FieldError> {
    let meta = opt_map(doc, "metadata", "metadata")?
        .ok_or_else(|| FieldError::new("metadata", "required field is missing"))?;
    let name = match opt_str(meta, "name", "metadata.name")? {
        Some(n) if !n.is_empty() => n,
        _ => opt_str(meta, "generateName", "metadata.generateName")?
            .filter(|n| !n.is_empty())
            .ok_or_else(|| FieldError::new("metadata.name", "required field is missing"))?,
    };
    let namespace = opt_str(meta, "namespace", "metadata.namespace")?.filter(|n| !n.is_empty());
    Ok(Meta {
        name,
        namespace,
        value: Some(meta),
    })
}

/// `metadata.annotations[key]` as a string, if present.
pub fn annotation<'a>(meta: &Meta<'a>, key: &str) -> Option<&'a str> {
    meta.value?.get("annotations")?.get(key)?.as_str()
}
