//! A YAML writer that prints what Helm's `toYaml` prints.
//!
//! Helm marshals with `sigs.k8s.io/yaml`: the value goes to JSON first (so integral floats
//! become integers and byte slices become base64), then goyaml v2 writes it in block style
//! with sorted keys, sequences not indented under their key, strings that would read back
//! as another type double-quoted, strings the plain style cannot hold single-quoted, multi-line
//! strings as `|`/`|-`/`|+` literals, and long plain lines folded after column 80.
//! The scalar analysis follows libyaml's emitter rules, written afresh here.

use gotmpl::Value;
use std::borrow::Cow;

use super::json::{base64_encode, format_float_g};

const BEST_WIDTH: usize = 80;
const MAX_DEPTH: usize = 1000;

/// `toYaml`: the YAML text with a trailing newline (Helm trims it afterwards).
pub fn to_yaml(v: &Value) -> Result<String, String> {
    emit(v, false)
}

/// `toYamlPretty`: goyaml v3 layout (sequences indented under their key, no folding).
pub fn to_yaml_pretty(v: &Value) -> Result<String, String> {
    emit(v, true)
}

fn emit(v: &Value, pretty: bool) -> Result<String, String> {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        pretty,
    };
    e.node(v, -1, Ctx::Root, 0)?;
    if !e.out.ends_with('\n') {
        e.out.push('\n');
    }
    Ok(e.out)
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Root,
    MapValue,
    SeqItem,
}

struct Emitter {
    out: String,
    column: usize,
    pretty: bool,
}

/// A scalar after the JSON round trip (strings borrowed from the value when unchanged).
enum Scalar<'a> {
    Plain(Cow<'a, str>),
    Str(Cow<'a, str>),
}

fn scalar_of(v: &Value) -> Option<Scalar<'_>> {
    Some(match v {
        Value::Nil => Scalar::Plain(Cow::Borrowed("null")),
        Value::Bool(b) => Scalar::Plain(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Int(i) | Value::Int64(i) => Scalar::Plain(i.to_string().into()),
        Value::Float(f) => Scalar::Plain(yaml_number(*f).into()),
        // JSON -> goyaml reads U+0085 (NEL) inside a quoted scalar as a folded line break.
        Value::String(s) => Scalar::Str(fold_nel(s)),
        Value::BinaryString(b) => Scalar::Str(fold_nel(b.text())),
        Value::Bytes(b) => Scalar::Str(base64_encode(b).into()),
        _ => return None,
    })
}

/// Spaces around a NEL are dropped and the NEL becomes one space, as YAML line folding does.
fn fold_nel(s: &str) -> Cow<'_, str> {
    if !s.contains('\u{85}') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{85}' {
            while out.ends_with([' ', '\t']) {
                out.pop();
            }
            while chars.peek().is_some_and(|n| *n == ' ' || *n == '\t') {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A float64 after JSON then goyaml: integral values read back as integers.
/// JSON writes integral floats below 1e21 as integers; goyaml reads those back as int64
/// or uint64 when they fit, else as float64 (printed `%g`).
fn yaml_number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 {
        if f.abs() < 9.2e18 {
            return format!("{}", f as i64);
        }
        if f > 0.0 && f < 18_446_744_073_709_551_615.0 {
            return super::json::format_float(f);
        }
    }
    format_float_g(f)
}

impl Emitter {
    fn put(&mut self, s: &str) {
        // The column counts characters after the last line break.
        match s.rfind('\n') {
            Some(i) => self.column = s[i + 1..].chars().count(),
            None => self.column += s.chars().count(),
        }
        self.out.push_str(s);
    }
    fn put_char(&mut self, c: char) {
        if c == '\n' {
            self.column = 0;
        } else {
            self.column += 1;
        }
        self.out.push(c);
    }
    fn newline_indent(&mut self, indent: usize) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.column = indent;
    }
    fn pad_to(&mut self, indent: usize) {
        while self.column < indent {
            self.put_char(' ');
        }
    }

    /// Emit `v`; `indent` is the indentation of the enclosing collection (-1 at the root).
    /// The cursor is right after `key:` / `-` (or at the start for the root).
    fn node(&mut self, v: &Value, indent: i64, ctx: Ctx, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("toYaml: value nested too deeply".into());
        }
        if let Value::Object(o) = v {
            let data = crate::objects::object_data(o.as_ref());
            return self.node(&data, indent, ctx, depth + 1);
        }
        let map_entries = match v {
            Value::Map(m) => Some(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        };
        if let Some(entries) = map_entries {
            if entries.is_empty() {
                if ctx != Ctx::Root {
                    self.put(" ");
                }
                self.put("{}");
                return Ok(());
            }
            let my_indent = if indent < 0 { 0 } else { indent as usize + 2 };
            for (i, (k, val)) in entries.iter().enumerate() {
                match (ctx, i) {
                    (Ctx::Root, 0) => {}
                    (Ctx::SeqItem, 0) => self.put(" "),
                    _ => self.newline_indent(my_indent),
                }
                if ctx == Ctx::SeqItem && i == 0 {
                    // first key sits after "- "
                } else {
                    self.pad_to(my_indent);
                }
                let key = Scalar::Str(Cow::Borrowed(k));
                self.scalar(&key, my_indent, true)?;
                self.put(":");
                self.node(val, my_indent as i64, Ctx::MapValue, depth + 1)?;
            }
            return Ok(());
        }
        if let Value::List(items) = v {
            if items.is_empty() {
                if ctx != Ctx::Root {
                    self.put(" ");
                }
                self.put("[]");
                return Ok(());
            }
            // goyaml v2 does not indent a sequence under a mapping key.
            let my_indent = match ctx {
                Ctx::Root => 0,
                Ctx::MapValue if self.pretty => indent.max(0) as usize + 2,
                Ctx::MapValue => indent.max(0) as usize,
                Ctx::SeqItem => indent as usize + 2,
            };
            for (i, item) in items.iter().enumerate() {
                match (ctx, i) {
                    (Ctx::Root, 0) => {}
                    (Ctx::SeqItem, 0) => self.put(" "),
                    _ => self.newline_indent(my_indent),
                }
                self.put("-");
                self.node(item, my_indent as i64, Ctx::SeqItem, depth + 1)?;
            }
            return Ok(());
        }
        let s = scalar_of(v).unwrap_or(Scalar::Plain(Cow::Borrowed("")));
        if ctx != Ctx::Root {
            self.put(" ");
        }
        // A scalar is indented one step past its parent.
        let scalar_indent = if indent < 0 { 2 } else { indent as usize + 2 };
        self.scalar(&s, scalar_indent, false)
    }

    fn scalar(&mut self, s: &Scalar, indent: usize, simple_key: bool) -> Result<(), String> {
        match s {
            Scalar::Plain(p) => {
                self.put(p);
                Ok(())
            }
            Scalar::Str(text) => {
                let style = choose_style(text, simple_key);
                match style {
                    Style::Plain => self.write_plain(text, indent, !simple_key),
                    Style::Single => self.write_single(text, indent, !simple_key),
                    Style::Double => self.write_double(text, indent, !simple_key),
                    Style::Literal => self.write_literal(text, indent),
                }
                Ok(())
            }
        }
    }

    fn write_plain(&mut self, text: &str, indent: usize, allow_breaks: bool) {
        // Only a space can become a line break; without one (or without folding) the text
        // goes out as it is.
        if !allow_breaks || self.pretty || !text.contains(' ') {
            self.put(text);
            return;
        }
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !self.pretty
                    && !spaces
                    && self.column > BEST_WIDTH
                    && !next_space
                {
                    self.newline_indent(indent);
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                spaces = false;
            }
        }
    }

    fn write_single(&mut self, text: &str, indent: usize, allow_breaks: bool) {
        self.put_char('\'');
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        let last = chars.len().saturating_sub(1);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i != last
                    && !next_space
                {
                    self.newline_indent(indent);
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.put_char('\'');
                }
                self.put_char(c);
                spaces = false;
            }
        }
        self.put_char('\'');
    }

    fn write_double(&mut self, text: &str, indent: usize, allow_breaks: bool) {
        self.put_char('"');
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        let last = chars.len().saturating_sub(1);
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put_char('\\');
                let esc = match c {
                    '\0' => "0".to_string(),
                    '\u{7}' => "a".into(),
                    '\u{8}' => "b".into(),
                    '\t' => "t".into(),
                    '\n' => "n".into(),
                    '\u{b}' => "v".into(),
                    '\u{c}' => "f".into(),
                    '\r' => "r".into(),
                    '\u{1b}' => "e".into(),
                    '"' => "\"".into(),
                    '\\' => "\\".into(),
                    '\u{85}' => "N".into(),
                    '\u{a0}' => "_".into(),
                    '\u{2028}' => "L".into(),
                    '\u{2029}' => "P".into(),
                    c if (c as u32) <= 0xff => format!("x{:02X}", c as u32),
                    c if (c as u32) <= 0xffff => format!("u{:04X}", c as u32),
                    c => format!("U{:08X}", c as u32),
                };
                self.put(&esc);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i != last {
                    self.newline_indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put_char('\\');
                    }
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                spaces = false;
            }
        }
        self.put_char('"');
    }

    fn write_literal(&mut self, text: &str, indent: usize) {
        self.put_char('|');
        let first = text.chars().next();
        if matches!(first, Some(' ') | Some('\n')) {
            self.put("2");
        }
        let chomp = if !text.ends_with('\n') {
            "-"
        } else if text == "\n" || text.ends_with("\n\n") {
            "+"
        } else {
            ""
        };
        self.put(chomp);
        self.put_char('\n');
        // Line by line: each non-empty line gets the indentation, empty lines stay empty.
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.push('\n');
                self.column = 0;
            }
            if !line.is_empty() {
                self.out.extend(std::iter::repeat_n(' ', indent));
                self.column = indent;
                self.put(line);
            }
        }
        // The text's own final line break ended the scalar; drop it so the caller's next
        // line starts cleanly (or keep the line open when the text did not end in one).
        if self.out.ends_with('\n') {
            self.out.pop();
            self.column = self.out.len() - self.out.rfind('\n').map(|p| p + 1).unwrap_or(0);
        }
    }
}

#[derive(Debug, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// goyaml's `is_printable` (narrower than libyaml's: nothing outside the BMP, no U+0085).
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0a
        || (0x20..=0x7e).contains(&u)
        || (0xa0..=0xd7ff).contains(&u)
        || ((0xe000..=0xfffd).contains(&u) && u != 0xfeff)
}

/// Whether goyaml v2 would read the plain text back as something other than a string.
pub fn resolves_to_non_string(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    match s {
        "~" | "null" | "Null" | "NULL" | "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON"
        | "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "true" | "True" | "TRUE"
        | "false" | "False" | "FALSE" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN" | ".NAN" => {
            return true;
        }
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return false;
    }
    is_yaml_int(s) || is_yaml_float(s) || is_timestamp(s) || is_base60_float(s)
}

fn is_yaml_int(s: &str) -> bool {
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    let body = plain
        .strip_prefix('-')
        .or_else(|| plain.strip_prefix('+'))
        .unwrap_or(&plain);
    if body.is_empty() {
        return false;
    }
    if let Some(b) = body.strip_prefix("0b") {
        return !b.is_empty() && b.chars().all(|c| c == '0' || c == '1');
    }
    if let Some(h) = body.strip_prefix("0x") {
        return !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(o) = body.strip_prefix("0o") {
        return !o.is_empty() && o.chars().all(|c| ('0'..='7').contains(&c));
    }
    if body.len() > 1 && body.starts_with('0') {
        return body.chars().all(|c| ('0'..='7').contains(&c));
    }
    body.chars().all(|c| c.is_ascii_digit())
}

fn is_yaml_float(s: &str) -> bool {
    // YAML 1.1 float: [-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)? ; goyaml also accepts
    // anything strconv.ParseFloat takes (e.g. `1e3`).
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if plain.parse::<f64>().is_ok() {
        let lower = plain.to_ascii_lowercase();
        // Rust parses "inf"/"nan"/"infinity"; only digits-based forms count here.
        return !lower.contains("inf") && !lower.contains("nan");
    }
    false
}

fn is_base60_float(s: &str) -> bool {
    // [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (main, _frac) = match body.split_once('.') {
        Some((m, f)) => {
            if !f.chars().all(|c| c.is_ascii_digit() || c == '_') {
                return false;
            }
            (m, Some(f))
        }
        None => (body, None),
    };
    let mut parts = main.split(':');
    let head = parts.next().unwrap_or("");
    if head.is_empty()
        || !head.as_bytes()[0].is_ascii_digit()
        || !head.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return false;
    }
    let mut n = 0;
    for p in parts {
        n += 1;
        let ok = match p.len() {
            1 => p.as_bytes()[0].is_ascii_digit(),
            2 => (b'0'..=b'5').contains(&p.as_bytes()[0]) && p.as_bytes()[1].is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    n > 0
}

fn is_timestamp(s: &str) -> bool {
    // goyaml v2 recognises 2006-01-02 and date-time forms.
    let b = s.as_bytes();
    if b.len() < 10 {
        return false;
    }
    let date_ok = b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5].is_ascii_digit()
        && (b[6] == b'-' || (b[6].is_ascii_digit() && b.get(7) == Some(&b'-')));
    if !date_ok {
        return false;
    }
    if b.len() == 10 {
        return b[5..7].iter().all(u8::is_ascii_digit) && b[8..].iter().all(u8::is_ascii_digit);
    }
    // Date-time forms: accept what looks like YYYY-MM-DD[T ]HH:MM...
    b.len() > 10 && matches!(b[10], b'T' | b't' | b' ') && s[11..].contains(':')
}

/// libyaml's scalar analysis, reduced to the style goyaml v2 ends up with.
fn choose_style(s: &str, simple_key: bool) -> Style {
    if resolves_to_non_string(s) {
        return if s.contains('\n') && !simple_key {
            analyze_then(s, simple_key, true)
        } else {
            Style::Double
        };
    }
    analyze_then(s, simple_key, s.contains('\n'))
}

fn analyze_then(s: &str, simple_key: bool, want_literal: bool) -> Style {
    let a = analyze(s);
    if want_literal {
        if !a.block_allowed || simple_key {
            return Style::Double;
        }
        return Style::Literal;
    }
    if !a.block_plain_allowed || (s.is_empty() && simple_key) {
        if a.single_quoted_allowed {
            return Style::Single;
        }
        return Style::Double;
    }
    Style::Plain
}

struct Analysis {
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// Whether `s` is made only of characters the analysis below finds nothing in: a first
/// character that is no indicator, then letters, digits and `_./-=+`. Most scalars of a
/// chart (names, images, tags) are; they need no per-character walk.
fn plainly_safe(s: &str) -> bool {
    let b = s.as_bytes();
    match b.first() {
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' || *c == b'/' => {}
        _ => return false,
    }
    b[1..]
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'-' | b'=' | b'+'))
}

fn analyze(s: &str) -> Analysis {
    if plainly_safe(s) {
        return Analysis {
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return Analysis {
            block_plain_allowed: false,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;

    if s.starts_with("---") || s.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let n = chars.len();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let followed_by_whitespace = match next {
            None => true,
            Some(nc) => nc == ' ' || nc == '\t' || is_break(nc),
        };
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                '?' | ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if !is_printable(c) || c == '\u{feff}' {
            special_characters = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == n - 1 {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            if i == 0 {
                leading_break = true;
            }
            if i == n - 1 {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = c == ' ' || c == '\t' || is_break(c);
    }
    let mut block_plain_allowed = true;
    let mut single_quoted_allowed = true;
    let mut block_allowed = true;
    if leading_space || leading_break || trailing_space || trailing_break {
        block_plain_allowed = false;
    }
    if trailing_space {
        block_allowed = false;
    }
    if break_space {
        block_plain_allowed = false;
        single_quoted_allowed = false;
    }
    if space_break || special_characters {
        block_plain_allowed = false;
        single_quoted_allowed = false;
        block_allowed = false;
    }
    if line_breaks {
        block_plain_allowed = false;
    }
    let _ = flow_indicators;
    if block_indicators {
        block_plain_allowed = false;
    }
    Analysis {
        block_plain_allowed,
        single_quoted_allowed,
        block_allowed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse;

    fn y(src: &str) -> String {
        to_yaml(&parse(src).unwrap()).unwrap()
    }

    #[test]
    fn layout_like_goyaml_v2() {
        assert_eq!(
            y("b: {c: 1}\na: [x, {k: v, j: [1]}, [1, [2]], {}, []]\ne: {}\nl: []\nnn: null"),
            "a:\n- x\n- j:\n  - 1\n  k: v\n- - 1\n  - - 2\n- {}\n- []\nb:\n  c: 1\ne: {}\nl: []\nnn: null\n"
        );
        assert_eq!(y("[a, b]"), "- a\n- b\n");
        assert_eq!(y("x"), "x\n");
    }

    #[test]
    fn scalar_styles_like_helm() {
        // Expected output taken from helm v4.1.4 `toYaml`.
        let cases = [
            ("''", "\"\""),
            ("'true'", "\"true\""),
            ("'y'", "\"y\""),
            ("'1.5'", "\"1.5\""),
            ("'a: b'", "'a: b'"),
            ("'- x'", "'- x'"),
            ("'a #b'", "'a #b'"),
            ("' lead'", "' lead'"),
            ("'trail '", "'trail '"),
            ("\"tab\\there\"", "\"tab\\there\""),
            ("'2001-12-14'", "\"2001-12-14\""),
            ("'0x1F'", "\"0x1F\""),
            ("'1e3'", "\"1e3\""),
            ("'@at'", "'@at'"),
            ("\"'q'\"", "'''q'''"),
            ("'\"dq\"'", "'\"dq\"'"),
            ("'é ü'", "é ü"),
            ("'<<'", "<<"),
            ("'emoji 😀'", "\"emoji \\U0001F600\""),
            ("'.inf'", "\".inf\""),
            ("'NaN'", "NaN"),
            ("'-'", "'-'"),
            ("'a:b'", "a:b"),
            ("'?x'", "?x"),
            ("'? x'", "'? x'"),
            ("':x'", ":x"),
            ("'a,b'", "a,b"),
            ("'0755'", "\"0755\""),
            ("'1_000'", "\"1_000\""),
            ("'+1'", "\"+1\""),
            ("'.5'", "\".5\""),
            ("'1:30'", "\"1:30\""),
            ("'12:30:00'", "\"12:30:00\""),
            ("'<x>'", "<x>"),
            ("\"multi\\nline\"", "|-\n  multi\n  line"),
            ("\"multi\\nline\\n\"", "|\n  multi\n  line"),
            ("\" indented\\nx\"", "|2-\n   indented\n  x"),
            ("\"trail \\nx\"", "\"trail \\nx\""),
            ("1000000", "1000000"),
            ("1e21", "1e+21"),
            ("1e-7", "1e-07"),
            ("123456789.5", "1.234567895e+08"),
            ("12345678901234567890", "12345678901234567000"),
            ("1e20", "1e+20"),
        ];
        for (src, want) in cases {
            assert_eq!(
                y(&format!("k: {src}")),
                format!("k: {want}\n"),
                "input {src}"
            );
        }
        assert_eq!(y("- \"multi\\nline\"\n- x"), "- |-\n  multi\n  line\n- x\n");
    }

    #[test]
    fn keys_and_folding() {
        assert_eq!(
            y("'true': 1\n'': 2\nquoted key: 3"),
            "\"\": 2\nquoted key: 3\n\"true\": 1\n"
        );
        let long = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr";
        assert_eq!(
            y(&format!("long: \"{long}\"")),
            "long: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp\n  qqqq rrrr\n"
        );
    }
}
