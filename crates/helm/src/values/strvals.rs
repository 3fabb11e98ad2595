//! Helm's `--set` syntax: `a.b=c,d[0].e={x,y}`, with backslash escapes, list indices and
//! Helm's typing of plain values (`true`/`false`/`null`, integers as int64, the rest strings;
//! `--set-string` keeps everything a string, `--set-json` reads JSON values, `--set-file`
//! reads the value from a file).

use std::collections::BTreeMap;

use gotmpl::{Map, Value};

/// Largest list index `--set` may create (as helm).
pub const MAX_INDEX: usize = 65536;
/// Deepest `a.b.c...` nesting `--set` accepts (as helm).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How the text after `=` becomes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `--set`: typed as helm's strvals does.
    Typed,
    /// `--set-string`: always a string.
    String,
    /// `--set-json`: a JSON value.
    Json,
    /// `--set-file`: the value names a file whose content becomes the string value.
    File,
}

/// Parse one `--set`-style argument into `dest` (a map), in place.
pub fn parse_into(s: &str, dest: &Map, mode: Mode) -> Result<(), String> {
    let mut p = Parser {
        chars: s.chars().collect(),
        pos: 0,
        mode,
    };
    loop {
        if p.pos >= p.chars.len() {
            return Ok(());
        }
        match p.key(dest, 0) {
            Ok(()) => {}
            Err(Stop::Eof) => return Ok(()),
            Err(Stop::Err(e)) => return Err(format!("failed parsing --set data {s:?}: {e}")),
        }
    }
}

enum Stop {
    Eof,
    Err(String),
}

impl From<String> for Stop {
    fn from(s: String) -> Self {
        Stop::Err(s)
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    mode: Mode,
}

fn set(data: &Map, key: &str, v: Value) {
    if key.is_empty() {
        return;
    }
    data.borrow_mut().insert(key.to_string(), v);
}

impl Parser {
    /// Read until one of `stop` (unescaped); returns the text and the stop char (None at end).
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut out = String::new();
        while self.pos < self.chars.len() {
            let c = self.chars[self.pos];
            self.pos += 1;
            if c == '\\' {
                if self.pos < self.chars.len() {
                    out.push(self.chars[self.pos]);
                    self.pos += 1;
                }
                continue;
            }
            if stop.contains(&c) {
                return (out, Some(c));
            }
            out.push(c);
        }
        (out, None)
    }

    fn typed(&self, raw: &str) -> Result<Value, String> {
        Ok(match self.mode {
            Mode::String => Value::str(raw),
            Mode::File => {
                let data = std::fs::read(raw.trim())
                    .map_err(|e| format!("reading --set-file {raw:?}: {e}"))?;
                Value::from(String::from_utf8_lossy(&data).into_owned())
            }
            Mode::Json => crate::funcs::json::parse(raw)?,
            Mode::Typed => typed_value(raw),
        })
    }

    fn key(&mut self, data: &Map, level: usize) -> Result<(), Stop> {
        let (k, last) = self.until(&['=', '[', ',', '.']);
        match last {
            None => {
                if k.is_empty() {
                    return Err(Stop::Eof);
                }
                Err(Stop::Err(format!("key {k:?} has no value")))
            }
            Some('[') => {
                let i = self.index()?;
                let existing = data.borrow().get(&k).cloned();
                let list = match existing {
                    Some(Value::List(l)) => (*l).clone(),
                    Some(Value::Nil) | None => Vec::new(),
                    Some(_) => {
                        return Err(Stop::Err(format!(
                            "unable to parse key: key {k:?} is not a list"
                        )));
                    }
                };
                let list = self.list_item(list, i, level)?;
                set(data, &k, Value::list(list));
                Ok(())
            }
            Some('=') => {
                if self.mode == Mode::Json {
                    let v = self.json_value()?;
                    set(data, &k, v);
                    return Ok(());
                }
                match self.value_list()? {
                    ListOr::List(l) => set(data, &k, Value::list(l)),
                    ListOr::Eof => {
                        set(data, &k, Value::str(""));
                        return Err(Stop::Eof);
                    }
                    ListOr::NotList => {
                        let (raw, _) = self.until(&[',']);
                        let v = self.typed(&raw)?;
                        set(data, &k, v);
                    }
                }
                Ok(())
            }
            Some(',') => {
                set(data, &k, Value::str(""));
                Err(Stop::Err(format!(
                    "key {k:?} has no value (cannot end with ,)"
                )))
            }
            Some(_) => {
                // '.'
                if level + 1 > MAX_NESTED_NAME_LEVEL {
                    return Err(Stop::Err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let existing = data.borrow().get(&k).cloned();
                let inner = match existing {
                    Some(Value::Map(m)) => m,
                    _ => match Value::empty_map() {
                        Value::Map(m) => m,
                        _ => unreachable!(),
                    },
                };
                let r = self.key(&inner, level + 1);
                let empty = inner.borrow().is_empty();
                if r.is_ok() && empty {
                    return Err(Stop::Err(format!("key map {k:?} has no value")));
                }
                if !empty {
                    set(data, &k, Value::Map(inner));
                }
                r
            }
        }
    }

    fn index(&mut self) -> Result<usize, Stop> {
        let (raw, last) = self.until(&[']']);
        if last.is_none() {
            return Err(Stop::Err(format!(
                "error parsing index: key {raw:?} has no closing ']'"
            )));
        }
        let i: i64 = raw
            .trim()
            .parse()
            .map_err(|_| Stop::Err(format!("error parsing index: invalid index {raw:?}")))?;
        if i < 0 {
            return Err(Stop::Err(format!("negative {i} index not allowed")));
        }
        if i as usize > MAX_INDEX {
            return Err(Stop::Err(format!(
                "index of {i} is greater than maximum supported index {MAX_INDEX}"
            )));
        }
        Ok(i as usize)
    }

    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        i: usize,
        level: usize,
    ) -> Result<Vec<Value>, Stop> {
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return Err(Stop::Err(format!(
                "unexpected data at end of array index: {k:?}"
            )));
        }
        match last {
            None => Err(Stop::Eof),
            Some('=') => {
                let v = if self.mode == Mode::Json {
                    self.json_value()?
                } else {
                    match self.value_list()? {
                        ListOr::List(l) => Value::list(l),
                        ListOr::Eof => Value::str(""),
                        ListOr::NotList => {
                            let (raw, _) = self.until(&[',']);
                            self.typed(&raw)?
                        }
                    }
                };
                set_index(&mut list, i, v);
                Ok(list)
            }
            Some('[') => {
                let next = self.index()?;
                let current = match list.get(i) {
                    Some(Value::List(l)) => (**l).clone(),
                    _ => Vec::new(),
                };
                let inner = self.list_item(current, next, level)?;
                set_index(&mut list, i, Value::list(inner));
                Ok(list)
            }
            Some(_) => {
                let inner = match list.get(i) {
                    Some(Value::Map(m)) => m.clone(),
                    _ => match Value::empty_map() {
                        Value::Map(m) => m,
                        _ => unreachable!(),
                    },
                };
                self.key(&inner, level)?;
                set_index(&mut list, i, Value::Map(inner));
                Ok(list)
            }
        }
    }

    fn value_list(&mut self) -> Result<ListOr, Stop> {
        if self.pos >= self.chars.len() {
            return Ok(ListOr::Eof);
        }
        if self.chars[self.pos] != '{' {
            return Ok(ListOr::NotList);
        }
        self.pos += 1;
        let mut list = Vec::new();
        loop {
            let (raw, last) = self.until(&[',', '}']);
            match last {
                None => return Err(Stop::Err("list must terminate with '}'".into())),
                Some('}') => {
                    if self.pos < self.chars.len() && self.chars[self.pos] == ',' {
                        self.pos += 1;
                    }
                    list.push(self.typed(&raw)?);
                    return Ok(ListOr::List(list));
                }
                Some(_) => list.push(self.typed(&raw)?),
            }
        }
    }

    /// One JSON value starting at the cursor; a following `,` is consumed.
    fn json_value(&mut self) -> Result<Value, Stop> {
        let rest: String = self.chars[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let used = stream.byte_offset();
                self.pos += rest[..used].chars().count();
                while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
                    self.pos += 1;
                }
                if self.pos < self.chars.len() {
                    if self.chars[self.pos] == ',' {
                        self.pos += 1;
                    } else {
                        return Err(Stop::Err("unexpected data after JSON value".into()));
                    }
                }
                Ok(crate::funcs::json::from_serde(v))
            }
            Some(Err(e)) => Err(Stop::Err(format!("invalid JSON value: {e}"))),
            None => Ok(Value::Nil),
        }
    }
}

enum ListOr {
    List(Vec<Value>),
    NotList,
    Eof,
}

fn set_index(list: &mut Vec<Value>, i: usize, v: Value) {
    if list.len() <= i {
        list.resize(i + 1, Value::Nil);
    }
    list[i] = v;
}

/// Helm's typing of a `--set` value: integers are Go `int64` (`strconv.ParseInt`), which
/// `typeOf` prints and Go's `int` parameters (`indent .Values.n`) refuse.
pub fn typed_value(raw: &str) -> Value {
    if raw.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if raw.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if raw.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if raw == "0" {
        return Value::Int64(0);
    }
    if !raw.is_empty() && !raw.starts_with('0') {
        let digits = raw.strip_prefix(['+', '-']).unwrap_or(raw);
        if !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && let Ok(i) = raw.parse::<i64>()
        {
            return Value::Int64(i);
        }
    }
    Value::str(raw)
}

/// Helm's `mergeMaps` for `-f` files: maps merge recursively, anything else replaces.
pub fn merge_maps(
    a: &BTreeMap<String, Value>,
    b: &BTreeMap<String, Value>,
) -> BTreeMap<String, Value> {
    let mut out = a.clone();
    for (k, v) in b {
        if let Value::Map(bm) = v
            && let Some(Value::Map(am)) = out.get(k)
        {
            let merged = merge_maps(&am.borrow(), &bm.borrow());
            out.insert(k.clone(), Value::map(merged));
            continue;
        }
        out.insert(k.clone(), v.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[(&str, Mode)]) -> String {
        let m = match Value::empty_map() {
            Value::Map(m) => m,
            _ => unreachable!(),
        };
        for (a, mode) in args {
            parse_into(a, &m, *mode).unwrap();
        }
        crate::funcs::json::encode(&Value::Map(m), false, true).unwrap()
    }

    #[test]
    fn typed_set_like_helm() {
        // Expected JSON taken from helm v4.1.4 (`--set ... | toJson`).
        assert_eq!(
            run(&[
                ("x=1", Mode::Typed),
                ("y=1.5", Mode::Typed),
                ("z={}", Mode::Typed),
                ("w=007", Mode::Typed),
                ("l[2]=a", Mode::Typed),
                ("e=", Mode::Typed),
                ("t=True", Mode::Typed),
                ("q={a,b,1}", Mode::Typed),
                ("m\\.n=1", Mode::Typed),
                ("o.p[0].q=2", Mode::Typed),
                ("j={\"a\":1,\"b\":[true]}", Mode::Json),
            ]),
            r#"{"e":"","j":{"a":1,"b":[true]},"l":[null,null,"a"],"m.n":1,"o":{"p":[{"q":2}]},"q":["a","b",1],"t":true,"w":"007","x":1,"y":"1.5","z":[""]}"#
        );
    }

    #[test]
    fn set_integers_are_int64() {
        // helm v4.1.4: `--set a=1,b=-5,c=0` gives `typeOf` int64; `0755` and `1e6` stay strings.
        for (raw, want) in [
            ("1", "int64"),
            ("-5", "int64"),
            ("0", "int64"),
            ("0755", "string"),
            ("1e6", "string"),
            ("1.5", "string"),
            ("true", "bool"),
        ] {
            assert_eq!(typed_value(raw).type_name(), want, "{raw}");
        }
        assert_eq!(
            typed_value("12345678901234").as_int(),
            Some(12_345_678_901_234)
        );
    }

    #[test]
    fn multiple_pairs_escapes_and_null() {
        assert_eq!(
            run(&[("a=1,b.c=x\\,y,n=null", Mode::Typed)]),
            r#"{"a":1,"b":{"c":"x,y"},"n":null}"#
        );
        assert_eq!(
            run(&[("a=1,b=true", Mode::String)]),
            r#"{"a":"1","b":"true"}"#
        );
        assert_eq!(run(&[("a[0][1]=x", Mode::Typed)]), r#"{"a":[[null,"x"]]}"#);
        assert_eq!(
            run(&[("a.b=1", Mode::Typed), ("a.c=2", Mode::Typed)]),
            r#"{"a":{"b":1,"c":2}}"#
        );
        assert_eq!(run(&[("k=[1,2],m=3", Mode::Json)]), r#"{"k":[1,2],"m":3}"#);
    }

    #[test]
    fn errors() {
        let m = match Value::empty_map() {
            Value::Map(m) => m,
            _ => unreachable!(),
        };
        assert!(parse_into("a", &m, Mode::Typed).is_err());
        assert!(parse_into("a[-1]=x", &m, Mode::Typed).is_err());
        assert!(parse_into("a[999999]=x", &m, Mode::Typed).is_err());
        assert!(parse_into("a={x,y", &m, Mode::Typed).is_err());
        assert!(parse_into("a=1,", &m, Mode::Typed).is_ok());
    }
}
