//! `values.schema.json` validation, a documented subset of JSON Schema (draft 4 to 2020-12).
//!
//! Supported keywords: `type`, `enum`, `const`, `required`, `properties`,
//! `additionalProperties`, `items` (schema or tuple), `prefixItems`, `minItems`, `maxItems`,
//! `uniqueItems`, `minLength`, `maxLength`, `minimum`, `maximum`, `exclusiveMinimum`,
//! `exclusiveMaximum` (boolean and numeric forms), `multipleOf`, `minProperties`,
//! `maxProperties`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `pattern`,
//! `patternProperties` (RE2 syntax, as Go) and local `$ref` (`#/definitions/...`,
//! `#/$defs/...`, `#`). Not checked (accepted silently): `format`, remote `$ref`s,
//! `dependencies`. A schema that cannot be parsed is reported as a warning, never fatal.

use serde_json::Value as J;

/// Validate `values` (as JSON) against `schema_text`. Returns the violations, one per line.
pub fn validate(schema_text: &[u8], values: &gotmpl::Value) -> Result<Vec<String>, String> {
    let schema: J = serde_json::from_slice(schema_text)
        .map_err(|e| format!("invalid values.schema.json: {e}"))?;
    let inst_text = crate::funcs::json::encode(values, false, false)?;
    let inst: J = serde_json::from_str(&inst_text).map_err(|e| e.to_string())?;
    let mut errs = Vec::new();
    let mut v = Validator {
        root: &schema,
        depth: 0,
    };
    v.check(&schema, &inst, "", &mut errs);
    Ok(errs)
}

struct Validator<'a> {
    root: &'a J,
    depth: usize,
}

fn type_name(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(n) => {
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                "integer"
            } else {
                "number"
            }
        }
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

fn type_matches(want: &str, v: &J) -> bool {
    let got = type_name(v);
    got == want || (want == "number" && got == "integer")
}

fn loc(path: &str) -> String {
    if path.is_empty() {
        "at ''".into()
    } else {
        format!("at '{path}'")
    }
}

impl<'a> Validator<'a> {
    fn resolve(&self, r: &str) -> Option<&'a J> {
        let p = r.strip_prefix('#')?;
        let mut cur = self.root;
        for part in p.split('/').filter(|s| !s.is_empty()) {
            let part = part.replace("~1", "/").replace("~0", "~");
            cur = match cur {
                J::Object(o) => o.get(&part)?,
                J::Array(a) => a.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    fn valid(&mut self, s: &'a J, v: &J, path: &str) -> bool {
        let mut e = Vec::new();
        self.check(s, v, path, &mut e);
        e.is_empty()
    }

    fn check(&mut self, s: &'a J, v: &J, path: &str, errs: &mut Vec<String>) {
        if self.depth > 200 {
            return;
        }
        self.depth += 1;
        self.check_inner(s, v, path, errs);
        self.depth -= 1;
    }

    fn check_inner(&mut self, s: &'a J, v: &J, path: &str, errs: &mut Vec<String>) {
        let o = match s {
            J::Bool(false) => {
                errs.push(format!("- {}: false schema", loc(path)));
                return;
            }
            J::Object(o) => o,
            _ => return,
        };
        if let Some(J::String(r)) = o.get("$ref")
            && let Some(target) = self.resolve(r)
        {
            self.check(target, v, path, errs);
        }
        match o.get("type") {
            Some(J::String(t)) if !type_matches(t, v) => {
                errs.push(format!("- {}: got {}, want {t}", loc(path), type_name(v)));
                return;
            }
            Some(J::Array(ts)) => {
                let names: Vec<&str> = ts.iter().filter_map(J::as_str).collect();
                if !names.iter().any(|t| type_matches(t, v)) {
                    errs.push(format!(
                        "- {}: got {}, want {}",
                        loc(path),
                        type_name(v),
                        names.join(" or ")
                    ));
                    return;
                }
            }
            _ => {}
        }
        if let Some(J::Array(e)) = o.get("enum")
            && !e.iter().any(|x| json_eq(x, v))
        {
            let opts: Vec<String> = e.iter().map(|x| x.to_string()).collect();
            errs.push(format!(
                "- {}: value must be one of {}",
                loc(path),
                opts.join(", ")
            ));
        }
        if let Some(c) = o.get("const")
            && !json_eq(c, v)
        {
            errs.push(format!("- {}: value must be {c}", loc(path)));
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(J::Array(subs)) = o.get(key) {
                let n = subs.iter().filter(|x| self.valid(x, v, path)).count();
                let ok = match key {
                    "allOf" => n == subs.len(),
                    "anyOf" => n >= 1,
                    _ => n == 1,
                };
                if !ok {
                    if key == "allOf" {
                        for x in subs {
                            self.check(x, v, path, errs);
                        }
                    } else {
                        errs.push(format!("- {}: {key} failed", loc(path)));
                    }
                }
            }
        }
        if let Some(n) = o.get("not")
            && self.valid(n, v, path)
        {
            errs.push(format!("- {}: not failed", loc(path)));
        }
        if let Some(i) = o.get("if") {
            let branch = if self.valid(i, v, path) {
                o.get("then")
            } else {
                o.get("else")
            };
            if let Some(b) = branch {
                self.check(b, v, path, errs);
            }
        }
        match v {
            J::Object(m) => self.check_object(o, m, path, errs),
            J::Array(a) => self.check_array(o, a, path, errs),
            J::String(st) => {
                let n = st.chars().count() as u64;
                if let Some(min) = o.get("minLength").and_then(J::as_u64)
                    && n < min
                {
                    errs.push(format!("- {}: minLength: got {n}, want {min}", loc(path)));
                }
                if let Some(J::String(p)) = o.get("pattern")
                    && let Some(re) = regex(p)
                    && !re.is_match(st)
                {
                    errs.push(format!(
                        "- {}: '{st}' does not match pattern '{p}'",
                        loc(path)
                    ));
                }
                if let Some(max) = o.get("maxLength").and_then(J::as_u64)
                    && n > max
                {
                    errs.push(format!("- {}: maxLength: got {n}, want {max}", loc(path)));
                }
            }
            J::Number(num) => {
                let x = num.as_f64().unwrap_or(0.0);
                let excl_min_bool = matches!(o.get("exclusiveMinimum"), Some(J::Bool(true)));
                let excl_max_bool = matches!(o.get("exclusiveMaximum"), Some(J::Bool(true)));
                if let Some(min) = o.get("minimum").and_then(J::as_f64)
                    && (x < min || (excl_min_bool && x == min))
                {
                    errs.push(format!("- {}: minimum: got {x}, want {min}", loc(path)));
                }
                if let Some(max) = o.get("maximum").and_then(J::as_f64)
                    && (x > max || (excl_max_bool && x == max))
                {
                    errs.push(format!("- {}: maximum: got {x}, want {max}", loc(path)));
                }
                if let Some(min) = o.get("exclusiveMinimum").and_then(J::as_f64)
                    && x <= min
                {
                    errs.push(format!(
                        "- {}: exclusiveMinimum: got {x}, want {min}",
                        loc(path)
                    ));
                }
                if let Some(max) = o.get("exclusiveMaximum").and_then(J::as_f64)
                    && x >= max
                {
                    errs.push(format!(
                        "- {}: exclusiveMaximum: got {x}, want {max}",
                        loc(path)
                    ));
                }
                if let Some(m) = o.get("multipleOf").and_then(J::as_f64)
                    && m > 0.0
                    && ((x / m).round() * m - x).abs() > 1e-9
                {
                    errs.push(format!("- {}: multipleOf: got {x}, want {m}", loc(path)));
                }
            }
            _ => {}
        }
    }

    fn check_object(
        &mut self,
        o: &'a serde_json::Map<String, J>,
        m: &serde_json::Map<String, J>,
        path: &str,
        errs: &mut Vec<String>,
    ) {
        if let Some(J::Array(req)) = o.get("required") {
            let missing: Vec<String> = req
                .iter()
                .filter_map(J::as_str)
                .filter(|k| !m.contains_key(*k))
                .map(|k| format!("'{k}'"))
                .collect();
            if !missing.is_empty() {
                errs.push(format!(
                    "- {}: missing property {}",
                    loc(path),
                    missing.join(", ")
                ));
            }
        }
        let props = match o.get("properties") {
            Some(J::Object(p)) => Some(p),
            _ => None,
        };
        let pattern_props: Vec<(regex::Regex, &'a J)> = match o.get("patternProperties") {
            Some(J::Object(pp)) => pp
                .iter()
                .filter_map(|(p, sch)| regex(p).map(|re| (re, sch)))
                .collect(),
            _ => Vec::new(),
        };
        for (k, val) in m {
            let child = format!("{path}/{k}");
            let mut matched = false;
            for (re, sch) in &pattern_props {
                if re.is_match(k) {
                    matched = true;
                    self.check(sch, val, &child, errs);
                }
            }
            if let Some(ps) = props.and_then(|p| p.get(k)) {
                self.check(ps, val, &child, errs);
            } else if !matched {
                match o.get("additionalProperties") {
                    Some(J::Bool(false)) => errs.push(format!(
                        "- {}: additional properties '{k}' not allowed",
                        loc(path)
                    )),
                    Some(ap @ J::Object(_)) => self.check(ap, val, &child, errs),
                    _ => {}
                }
            }
        }
        if let Some(min) = o.get("minProperties").and_then(J::as_u64)
            && (m.len() as u64) < min
        {
            errs.push(format!(
                "- {}: minProperties: got {}, want {min}",
                loc(path),
                m.len()
            ));
        }
        if let Some(max) = o.get("maxProperties").and_then(J::as_u64)
            && (m.len() as u64) > max
        {
            errs.push(format!(
                "- {}: maxProperties: got {}, want {max}",
                loc(path),
                m.len()
            ));
        }
    }

    fn check_array(
        &mut self,
        o: &'a serde_json::Map<String, J>,
        a: &[J],
        path: &str,
        errs: &mut Vec<String>,
    ) {
        let tuple = match (o.get("prefixItems"), o.get("items")) {
            (Some(J::Array(t)), _) => Some(t),
            (_, Some(J::Array(t))) => Some(t),
            _ => None,
        };
        for (i, item) in a.iter().enumerate() {
            let child = format!("{path}/{i}");
            let s = match tuple {
                Some(t) if i < t.len() => Some(&t[i]),
                Some(_) => match (o.get("prefixItems"), o.get("items")) {
                    (Some(_), Some(it @ J::Object(_))) => Some(it),
                    _ => None,
                },
                None => o.get("items"),
            };
            if let Some(s) = s {
                self.check(s, item, &child, errs);
            }
        }
        if let Some(min) = o.get("minItems").and_then(J::as_u64)
            && (a.len() as u64) < min
        {
            errs.push(format!(
                "- {}: minItems: got {}, want {min}",
                loc(path),
                a.len()
            ));
        }
        if let Some(max) = o.get("maxItems").and_then(J::as_u64)
            && (a.len() as u64) > max
        {
            errs.push(format!(
                "- {}: maxItems: got {}, want {max}",
                loc(path),
                a.len()
            ));
        }
        if matches!(o.get("uniqueItems"), Some(J::Bool(true))) {
            for i in 0..a.len() {
                for j in i + 1..a.len() {
                    if json_eq(&a[i], &a[j]) {
                        errs.push(format!("- {}: items at {i} and {j} are equal", loc(path)));
                    }
                }
            }
        }
    }
}

/// Compile a schema regex (bounded in size); `None` when it does not compile.
fn regex(p: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(p).size_limit(1 << 20).build().ok()
}

fn json_eq(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse;

    fn errs(schema: &str, values: &str) -> Vec<String> {
        validate(schema.as_bytes(), &parse(values).unwrap()).unwrap()
    }

    #[test]
    fn types_required_and_refs() {
        let s = r##"{"type":"object","required":["name"],"properties":{
            "name":{"type":"string"},"port":{"type":"integer","minimum":1},
            "mode":{"enum":["a","b"]},"sub":{"$ref":"#/definitions/sub"}},
            "definitions":{"sub":{"type":"object","additionalProperties":false,"properties":{"x":{"type":"boolean"}}}}}"##;
        assert!(errs(s, "name: x\nport: 80\nmode: a\nsub: {x: true}").is_empty());
        let e = errs(s, "port: 0\nmode: c\nsub: {y: 1}");
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(e[0].contains("missing property 'name'"));
        let p = r#"{"properties":{"img":{"type":"string","pattern":"^[a-z]+$"}},
            "patternProperties":{"^x-":{"type":"integer"}},"additionalProperties":false}"#;
        assert!(errs(p, "img: abc\nx-a: 1").is_empty());
        assert_eq!(errs(p, "img: ABC\nx-a: s\nother: 1").len(), 3);
        let e = errs(s, "name: 1");
        assert_eq!(
            e,
            vec!["- at '/name': got integer, want string".to_string()]
        );
    }
}
