//! JSON the way Go's `encoding/json` writes it: sorted map keys, `<`, `>` and `&` escaped
//! (unless raw), floats in Go's format (`1e+21`, `1e-7`, integers without `.0`).

use std::collections::BTreeMap;

use gotmpl::Value;

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: what `%v` and yaml.v2 print for a float64
/// (`1e+06`, `1.5`, `1e-05`): `%e` form when the exponent is < -4 or >= 6.
pub fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (neg, digits, exp) = shortest_digits(f);
    let sign = if neg { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        format!("{sign}{}", exp_form(&digits, exp, 2))
    } else {
        format!("{sign}{}", fixed_form(&digits, exp))
    }
}

/// Digits (no leading/trailing zeros) and decimal exponent `e` so that f = 0.d1d2... * 10^(e+1).
fn shortest_digits(f: f64) -> (bool, String, i32) {
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0').to_string();
    let digits = if digits.is_empty() {
        "0".into()
    } else {
        digits
    };
    (f.is_sign_negative(), digits, exp)
}

fn exp_form(digits: &str, exp: i32, min_exp_digits: usize) -> String {
    let mut out = String::new();
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs().to_string();
    for _ in e.len()..min_exp_digits {
        out.push('0');
    }
    out.push_str(&e);
    out
}

fn fixed_form(digits: &str, exp: i32) -> String {
    if exp < 0 {
        let mut out = String::from("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
        out
    } else {
        let int_len = (exp + 1) as usize;
        if digits.len() <= int_len {
            let mut out = digits.to_string();
            for _ in digits.len()..int_len {
                out.push('0');
            }
            out
        } else {
            format!("{}.{}", &digits[..int_len], &digits[int_len..])
        }
    }
}

/// Go's `encoding/json` float format: `f` notation unless the exponent is < -6 or >= 21,
/// then `e` notation with at least one exponent digit (`1e-7`, `1e+21`).
pub fn format_float(f: f64) -> String {
    if !f.is_finite() {
        return "null".into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (neg, digits, exp) = shortest_digits(f);
    let sign = if neg { "-" } else { "" };
    if !(-6..21).contains(&exp) {
        format!("{sign}{}", exp_form(&digits, exp, 1))
    } else {
        format!("{sign}{}", fixed_form(&digits, exp))
    }
}

/// Encode like `json.Marshal` (compact) or `json.MarshalIndent(v, "", "  ")` (pretty).
pub fn encode(v: &Value, pretty: bool, escape_html: bool) -> Result<String, String> {
    let mut out = String::new();
    write_value(&mut out, v, pretty, escape_html, 0, 0)?;
    Ok(out)
}

fn newline(out: &mut String, pretty: bool, level: usize) {
    if pretty {
        out.push('\n');
        for _ in 0..level {
            out.push_str("  ");
        }
    }
}

fn write_value(
    out: &mut String,
    v: &Value,
    pretty: bool,
    html: bool,
    level: usize,
    depth: usize,
) -> Result<(), String> {
    if depth > 1000 {
        return Err("json: unsupported value: encountered a cycle or excessive nesting".into());
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!("json: unsupported value: {}", format_float_g(*f)));
            }
            out.push_str(&format_float(*f))
        }
        Value::String(s) => write_string(out, s, html),
        // Go's encoder writes each invalid UTF-8 byte as U+FFFD too.
        Value::BinaryString(b) => write_string(out, b.text(), html),
        Value::Bytes(b) => {
            out.push('"');
            out.push_str(&base64_encode(b));
            out.push('"');
        }
        Value::List(l) => {
            if l.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, pretty, level + 1);
                write_value(out, item, pretty, html, level + 1, depth + 1)?;
            }
            newline(out, pretty, level);
            out.push(']');
        }
        Value::Map(m) => {
            let m = m.borrow();
            write_map(out, m.iter(), m.is_empty(), pretty, html, level, depth)?;
        }
        Value::Object(o) => {
            let fields = crate::objects::object_fields(o.as_ref());
            write_map(
                out,
                fields.iter(),
                fields.is_empty(),
                pretty,
                html,
                level,
                depth,
            )?;
        }
    }
    Ok(())
}

fn write_map<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a String, &'a Value)>,
    empty: bool,
    pretty: bool,
    html: bool,
    level: usize,
    depth: usize,
) -> Result<(), String> {
    if empty {
        out.push_str("{}");
        return Ok(());
    }
    out.push('{');
    for (i, (k, item)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, pretty, level + 1);
        write_string(out, k, html);
        out.push(':');
        if pretty {
            out.push(' ');
        }
        write_value(out, item, pretty, html, level + 1, depth + 1)?;
    }
    newline(out, pretty, level);
    out.push('}');
    Ok(())
}

/// A JSON string literal with Go's escaping.
pub fn write_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Standard base64 with padding (Go's `base64.StdEncoding`).
pub fn base64_encode(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Convert parsed JSON into a template value; numbers become `float64` as in Go.
pub fn from_serde(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::from(s),
        serde_json::Value::Array(a) => Value::list(a.into_iter().map(from_serde).collect()),
        serde_json::Value::Object(o) => Value::map(
            o.into_iter()
                .map(|(k, v)| (k, from_serde(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// Parse JSON text into a template value (Go's `json.Unmarshal` into `interface{}`).
pub fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str::<serde_json::Value>(text)
        .map(from_serde)
        .map_err(|e| go_syntax_error(text).unwrap_or_else(|| e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_go() {
        assert_eq!(format_float(1.0), "1");
        assert_eq!(format_float(1000000.0), "1000000");
        assert_eq!(format_float(1e21), "1e+21");
        assert_eq!(format_float(1e-7), "1e-7");
        assert_eq!(format_float(0.0001), "0.0001");
        assert_eq!(format_float(123456789.5), "123456789.5");
        assert_eq!(format_float(-1.5), "-1.5");
        assert_eq!(format_float_g(1000000.0), "1e+06");
        assert_eq!(format_float_g(123456789.5), "1.234567895e+08");
        assert_eq!(format_float_g(1e-7), "1e-07");
        assert_eq!(format_float_g(0.0001), "0.0001");
        assert_eq!(format_float_g(100000.0), "100000");
        assert_eq!(format_float_g(1.5), "1.5");
    }

    #[test]
    fn encode_sorted_and_escaped() {
        let v = parse(r#"{"b":[1,2.5,null],"a":"<x&y>","c":{}}"#).unwrap();
        assert_eq!(
            encode(&v, false, true).unwrap(),
            r#"{"a":"\u003cx\u0026y\u003e","b":[1,2.5,null],"c":{}}"#
        );
        assert_eq!(
            encode(&v, false, false).unwrap(),
            r#"{"a":"<x&y>","b":[1,2.5,null],"c":{}}"#
        );
        assert_eq!(
            encode(&parse(r#"{"a":[1]}"#).unwrap(), true, true).unwrap(),
            "{\n  \"a\": [\n    1\n  ]\n}"
        );
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_encode(b"abc"), "YWJj");
    }
}

/// The syntax error Go's `encoding/json` reports for `text`, in its words
/// (`invalid character 'o' in literal null (expecting 'u')`), or `None` when it is valid.
pub fn go_syntax_error(text: &str) -> Option<String> {
    let mut s = GoScan {
        b: text.as_bytes(),
        i: 0,
    };
    s.ws();
    if let Err(e) = s.value(0) {
        return Some(e);
    }
    s.ws();
    s.peek()
        .map(|c| format!("invalid character {} after top-level value", quote_char(c)))
}

const EOF_MSG: &str = "unexpected end of JSON input";

fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        b'\n' => "'\\n'".into(),
        b'\r' => "'\\r'".into(),
        b'\t' => "'\\t'".into(),
        c if c < 0x20 || c == 0x7f => format!("'\\x{c:02x}'"),
        c if c < 0x80 => format!("'{}'", c as char),
        c => format!("'{}'", char::from(c)),
    }
}

struct GoScan<'a> {
    b: &'a [u8],
    i: usize,
}

impl GoScan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn next(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or_else(|| EOF_MSG.to_string())?;
        self.i += 1;
        Ok(c)
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn bad(c: u8, ctx: &str) -> String {
        format!("invalid character {} {ctx}", quote_char(c))
    }

    fn value(&mut self, depth: usize) -> Result<(), String> {
        if depth > 10_000 {
            return Err("exceeded max depth".into());
        }
        let c = self.next()?;
        match c {
            b'{' => {
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    let k = self.next()?;
                    if k != b'"' {
                        return Err(Self::bad(k, "looking for beginning of object key string"));
                    }
                    self.string()?;
                    self.ws();
                    let colon = self.next()?;
                    if colon != b':' {
                        return Err(Self::bad(colon, "after object key"));
                    }
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => self.ws(),
                        b'}' => return Ok(()),
                        o => return Err(Self::bad(o, "after object key:value pair")),
                    }
                }
            }
            b'[' => {
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.value(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => self.ws(),
                        b']' => return Ok(()),
                        o => return Err(Self::bad(o, "after array element")),
                    }
                }
            }
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => self.number(c),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            o => Err(Self::bad(o, "looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), String> {
        for want in word.bytes().skip(1) {
            let c = self.next()?;
            if c != want {
                return Err(Self::bad(
                    c,
                    &format!("in literal {word} (expecting {})", quote_char(want)),
                ));
            }
        }
        Ok(())
    }

    fn string(&mut self) -> Result<(), String> {
        loop {
            let c = self.next()?;
            match c {
                b'"' => return Ok(()),
                b'\\' => {
                    let e = self.next()?;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            for _ in 0..4 {
                                let h = self.next()?;
                                if !h.is_ascii_hexdigit() {
                                    return Err(Self::bad(
                                        h,
                                        "in \\u hexadecimal character escape",
                                    ));
                                }
                            }
                        }
                        o => return Err(Self::bad(o, "in string escape code")),
                    }
                }
                c if c < 0x20 => return Err(Self::bad(c, "in string literal")),
                _ => {}
            }
        }
    }

    fn number(&mut self, first: u8) -> Result<(), String> {
        let mut c = first;
        if c == b'-' {
            c = self.next()?;
            if !c.is_ascii_digit() {
                return Err(Self::bad(c, "in numeric literal"));
            }
        }
        if c != b'0' {
            while self.peek().is_some_and(|d| d.is_ascii_digit()) {
                self.i += 1;
            }
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let d = self.next()?;
            if !d.is_ascii_digit() {
                return Err(Self::bad(d, "after decimal point in numeric literal"));
            }
            while self.peek().is_some_and(|d| d.is_ascii_digit()) {
                self.i += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            let mut d = self.next()?;
            if d == b'+' || d == b'-' {
                d = self.next()?;
            }
            if !d.is_ascii_digit() {
                return Err(Self::bad(d, "in exponent of numeric literal"));
            }
            while self.peek().is_some_and(|d| d.is_ascii_digit()) {
                self.i += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod go_error_tests {
    use super::go_syntax_error;

    #[test]
    fn messages_like_go() {
        let cases = [
            ("{\"a\": 1}", None),
            (
                "nope",
                Some("invalid character 'o' in literal null (expecting 'u')"),
            ),
            ("", Some("unexpected end of JSON input")),
            ("{\"a\" 1}", Some("invalid character '1' after object key")),
            (
                "{\"a\": 1 \"b\"}",
                Some("invalid character '\"' after object key:value pair"),
            ),
            ("[1 2]", Some("invalid character '2' after array element")),
            (
                "{a: 1}",
                Some("invalid character 'a' looking for beginning of object key string"),
            ),
            (
                "x",
                Some("invalid character 'x' looking for beginning of value"),
            ),
            ("1x", Some("invalid character 'x' after top-level value")),
            ("-a", Some("invalid character 'a' in numeric literal")),
            (
                "1.e",
                Some("invalid character 'e' after decimal point in numeric literal"),
            ),
            (
                "\"\\q\"",
                Some("invalid character 'q' in string escape code"),
            ),
            ("[1,", Some("unexpected end of JSON input")),
        ];
        for (src, want) in cases {
            assert_eq!(go_syntax_error(src).as_deref(), want, "{src}");
        }
    }
}
