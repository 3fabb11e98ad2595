//! String functions: trimming, case, cutting, quoting, indenting, splitting and joining.
//!
//! Go strings are bytes: `trunc`, `substr`, `abbrev` and `wrap` count bytes, not characters,
//! exactly like Sprig. Where a cut falls inside a multi-byte character Go keeps the broken
//! bytes; we cannot hold them in a Rust string and write U+FFFD instead.
//!
//! ```text
//! {{ "hello world" | trunc 5 }}            -> hello
//! {{ "  hi  " | trim | quote }}            -> "hi"
//! {{ include "x" . | nindent 4 }}          -> newline, then every line indented by 4
//! {{ "a,b,c" | splitList "," | join "-" }} -> a-b-c
//! ```
//!
//! # Functions
//! | call | result |
//! | --- | --- |
//! | `trim "  a  "` | `a` (Unicode spaces) |
//! | `trimAll "$" "$5$"` (also `trimall`) | `5` |
//! | `trimPrefix "-" "-a"`, `trimSuffix "-" "a-"` | `a` |
//! | `upper "ab"`, `lower "AB"` | `AB`, `ab` |
//! | `title "hello world"`, `untitle "Hello World"` | `Hello World`, `hello world` |
//! | `repeat 3 "ab"` | `ababab` |
//! | `substr 1 3 "hello"` | `el` (bytes; start < 0 means 0, end < 0 or past the end means the end) |
//! | `trunc 5 "hello world"`, `trunc -5 "hello world"` | `hello`, `world` |
//! | `abbrev 5 "hello world"` | `he...` |
//! | `abbrevboth 5 10 "1234 5678 9123"` | `...5678...` |
//! | `nospace "a b"`, `initials "First Try"` | `ab`, `FT` |
//! | `wrap 5 "Hello World"`, `wrapWith 5 "\t" "Hello World"` | `Hello\nWorld`, `Hello\tWorld` |
//! | `contains "b" "abc"`, `hasPrefix "a" "abc"`, `hasSuffix "c" "abc"` | `true` |
//! | `quote "a" 1 nil`, `squote "a"` | `"a" "1"` (nil skipped), `'a'` |
//! | `cat "a" 1 nil "b"` | `a 1 b` |
//! | `indent 2 "a\nb"`, `nindent 2 "a"` | `  a\n  b`, `\n  a` |
//! | `replace " " "-" "a b c"` | `a-b-c` |
//! | `plural "one" "many" 2` | `many` |
//! | `snakecase "HTTPServer"`, `kebabcase "fooBar"`, `camelcase "http_server"` | `http_server`, `foo-bar`, `HttpServer` |
//! | `swapcase "aB"`, `shuffle "abc"` | `Ab`, a permutation |
//! | `splitList "," "a,b"` | `[a b]` |
//! | `split "," "a,b"`, `splitn "," 2 "a,b,c"` | `map[_0:a _1:b]`, `map[_0:a _1:b,c]` |
//! | `join "-" (list "a" 1)` | `a-1` (nil elements skipped) |
//! | `sortAlpha (list "b" "a")`, `toStrings (list 1 2)` | `[a b]`, `[1 2]` |
//! | `hello` | `Hello!` |

use std::collections::BTreeMap;

use super::MAX_LEN;
use super::args::{self, exact, int, string, strval};
use crate::fmt::format_value;
use crate::func::FuncMap;
use crate::value::Value;

pub(super) fn register(f: &mut FuncMap) {
    f.insert("hello", |a| {
        exact("hello", a, 0)?;
        Ok(Value::str("Hello!"))
    });
    f.insert("trim", |a| str1("trim", a, |s| s.trim().to_string()));
    f.insert("upper", |a| str1("upper", a, |s| map_case(s, true)));
    f.insert("lower", |a| str1("lower", a, |s| map_case(s, false)));
    f.insert("title", |a| str1("title", a, title));
    f.insert("untitle", |a| str1("untitle", a, untitle));
    f.insert("nospace", |a| str1("nospace", a, nospace));
    f.insert("initials", |a| str1("initials", a, initials));
    f.insert("swapcase", |a| str1("swapcase", a, swapcase));
    f.insert("snakecase", |a| str1("snakecase", a, |s| snake(s, '_')));
    f.insert("kebabcase", |a| str1("kebabcase", a, |s| snake(s, '-')));
    f.insert("camelcase", |a| str1("camelcase", a, camel));
    f.insert("shuffle", |a| str1("shuffle", a, shuffle));
    for name in ["trimAll", "trimall"] {
        f.insert(name, move |a| {
            str2(name, a, |cut, s| {
                s.trim_matches(|c| cut.contains(c)).to_string()
            })
        });
    }
    f.insert("trimPrefix", |a| {
        str2("trimPrefix", a, |p, s| {
            s.strip_prefix(p).unwrap_or(s).to_string()
        })
    });
    f.insert("trimSuffix", |a| {
        str2("trimSuffix", a, |p, s| {
            s.strip_suffix(p).unwrap_or(s).to_string()
        })
    });
    f.insert("contains", |a| {
        exact("contains", a, 2)?;
        Ok(Value::Bool(string(&a[1])?.contains(string(&a[0])?)))
    });
    f.insert("hasPrefix", |a| {
        exact("hasPrefix", a, 2)?;
        Ok(Value::Bool(string(&a[1])?.starts_with(string(&a[0])?)))
    });
    f.insert("hasSuffix", |a| {
        exact("hasSuffix", a, 2)?;
        Ok(Value::Bool(string(&a[1])?.ends_with(string(&a[0])?)))
    });
    f.insert("repeat", |a| {
        exact("repeat", a, 2)?;
        let (n, s) = (int(&a[0])?, string(&a[1])?);
        if n < 0 {
            return Err("strings: negative Repeat count".into());
        }
        if (n as u128) * (s.len() as u128) > MAX_LEN as u128 {
            return Err(format!("repeat: result longer than {MAX_LEN} bytes"));
        }
        Ok(Value::from(s.repeat(n as usize)))
    });
    f.insert("substr", |a| {
        exact("substr", a, 3)?;
        substr(int(&a[0])?, int(&a[1])?, string(&a[2])?).map(Value::from)
    });
    f.insert("trunc", |a| {
        exact("trunc", a, 2)?;
        Ok(Value::from(trunc(int(&a[0])?, string(&a[1])?)))
    });
    f.insert("abbrev", |a| {
        exact("abbrev", a, 2)?;
        let (w, s) = (int(&a[0])?, string(&a[1])?);
        Ok(Value::from(if w < 4 {
            s.to_string()
        } else {
            abbreviate(s, 0, w)
        }))
    });
    f.insert("abbrevboth", |a| {
        exact("abbrevboth", a, 3)?;
        let (left, right, s) = (int(&a[0])?, int(&a[1])?, string(&a[2])?);
        Ok(Value::from(if right < 4 || (left > 0 && right < 7) {
            s.to_string()
        } else {
            abbreviate(s, left, right)
        }))
    });
    f.insert("wrap", |a| {
        exact("wrap", a, 2)?;
        Ok(Value::from(wrap(string(&a[1])?, int(&a[0])?, "\n", false)))
    });
    f.insert("wrapWith", |a| {
        exact("wrapWith", a, 3)?;
        Ok(Value::from(wrap(
            string(&a[2])?,
            int(&a[0])?,
            string(&a[1])?,
            true,
        )))
    });
    f.insert("quote", |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| match v {
                // Go's %q shows the bytes that are not UTF-8 as \xNN.
                Value::BinaryString(b) => crate::fmt::quote_bytes(b.bytes(), false),
                other => go_quote(&strval(other)),
            })
            .collect();
        Ok(Value::from(parts.join(" ")))
    });
    f.insert("squote", |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", format_value(v)))
            .collect();
        Ok(Value::from(parts.join(" ")))
    });
    f.insert("cat", |a| {
        let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(format_value).collect();
        Ok(Value::from(parts.join(" ")))
    });
    f.insert("indent", |a| {
        exact("indent", a, 2)?;
        indent(int(&a[0])?, string(&a[1])?, false).map(Value::from)
    });
    f.insert("nindent", |a| {
        exact("nindent", a, 2)?;
        indent(int(&a[0])?, string(&a[1])?, true).map(Value::from)
    });
    f.insert("replace", |a| {
        exact("replace", a, 3)?;
        let (old, new, src) = (string(&a[0])?, string(&a[1])?, string(&a[2])?);
        Ok(Value::from(go_replace(src, old, new, -1)))
    });
    f.insert("plural", |a| {
        exact("plural", a, 3)?;
        let (one, many, n) = (string(&a[0])?, string(&a[1])?, int(&a[2])?);
        Ok(Value::str(if n == 1 { one } else { many }))
    });
    f.insert("splitList", |a| {
        exact("splitList", a, 2)?;
        let (sep, s) = (string(&a[0])?, string(&a[1])?);
        Ok(args::string_list(go_split(s, sep, -1)))
    });
    f.insert("split", |a| {
        exact("split", a, 2)?;
        let (sep, s) = (string(&a[0])?, string(&a[1])?);
        Ok(indexed_map(go_split(s, sep, -1)))
    });
    f.insert("splitn", |a| {
        exact("splitn", a, 3)?;
        let (sep, n, s) = (string(&a[0])?, int(&a[1])?, string(&a[2])?);
        Ok(indexed_map(go_split(s, sep, n)))
    });
    f.insert("join", |a| {
        exact("join", a, 2)?;
        let sep = string(&a[0])?;
        Ok(Value::from(strslice(&a[1]).join(sep)))
    });
    f.insert("toStrings", |a| {
        exact("toStrings", a, 1)?;
        Ok(args::string_list(strslice(&a[0])))
    });
    f.insert("sortAlpha", |a| {
        exact("sortAlpha", a, 1)?;
        let mut v = match &a[0] {
            Value::List(_) | Value::Bytes(_) => strslice(&a[0]),
            other => vec![strval(other)],
        };
        v.sort();
        Ok(args::string_list(v))
    });
}

fn str1(name: &str, a: &[Value], f: impl Fn(&str) -> String) -> Result<Value, String> {
    exact(name, a, 1)?;
    Ok(Value::from(f(string(&a[0])?)))
}

fn str2(name: &str, a: &[Value], f: impl Fn(&str, &str) -> String) -> Result<Value, String> {
    exact(name, a, 2)?;
    Ok(Value::from(f(string(&a[0])?, string(&a[1])?)))
}

/// Sprig's `strslice`: a list's non-nil elements as strings; nil gives nothing; a scalar
/// gives itself.
pub(super) fn strslice(v: &Value) -> Vec<String> {
    match args::items(v) {
        Some(items) => items.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        None if v.is_nil() => Vec::new(),
        None => vec![strval(v)],
    }
}

fn indexed_map(parts: Vec<String>) -> Value {
    let m: BTreeMap<String, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::from(p)))
        .collect();
    Value::map(m)
}

/// Go's `strings.SplitN(s, sep, n)`; `n < 0` means all, `n == 0` gives nothing, an empty
/// separator splits into characters.
pub(super) fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    if sep.is_empty() {
        let chars: Vec<char> = s.chars().collect();
        let mut out: Vec<String> = Vec::new();
        for (idx, c) in chars.iter().enumerate() {
            if out.len() + 1 == limit {
                out.push(chars[idx..].iter().collect());
                return out;
            }
            out.push(c.to_string());
        }
        return out;
    }
    s.splitn(limit, sep).map(str::to_string).collect()
}

/// Go's `strings.Replace(s, old, new, n)`: an empty `old` inserts `new` around every character.
pub(super) fn go_replace(s: &str, old: &str, new: &str, n: i64) -> String {
    if old.is_empty() {
        let mut out = String::new();
        let mut count = 0i64;
        for c in s.chars() {
            if n < 0 || count < n {
                out.push_str(new);
                count += 1;
            }
            out.push(c);
        }
        if n < 0 || count < n {
            out.push_str(new);
        }
        return out;
    }
    if n < 0 {
        s.replace(old, new)
    } else {
        s.replacen(old, new, n as usize)
    }
}

/// Bytes `[from, to)` of `s`, broken characters shown as U+FFFD.
fn byte_slice(s: &str, from: usize, to: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[from..to]).into_owned()
}

fn trunc(c: i64, s: &str) -> String {
    let len = s.len() as i64;
    if c < 0 && len + c > 0 {
        return byte_slice(s, (len + c) as usize, s.len());
    }
    if c >= 0 && len > c {
        return byte_slice(s, 0, c as usize);
    }
    s.to_string()
}

fn substr(start: i64, end: i64, s: &str) -> Result<String, String> {
    let len = s.len() as i64;
    let oob = |a: String| format!("runtime error: slice bounds out of range {a}");
    if start < 0 {
        if end < 0 || end > len {
            return Err(oob(format!("[:{end}] with length {len}")));
        }
        return Ok(byte_slice(s, 0, end as usize));
    }
    if end < 0 || end > len {
        if start > len {
            return Err(oob(format!("[{start}:{len}]")));
        }
        return Ok(byte_slice(s, start as usize, s.len()));
    }
    if start > end {
        return Err(oob(format!("[{start}:{end}]")));
    }
    Ok(byte_slice(s, start as usize, end as usize))
}

/// goutils' `AbbreviateFull(s, offset, width)`, byte based; `width >= 4` is checked by callers.
fn abbreviate(s: &str, offset: i64, width: i64) -> String {
    let len = s.len() as i64;
    if s.is_empty() || len <= width {
        return s.to_string();
    }
    let mut offset = offset.min(len);
    if len - offset < width - 3 {
        offset = len - (width - 3);
    }
    if offset <= 4 {
        return format!("{}...", byte_slice(s, 0, (width - 3) as usize));
    }
    if width < 7 {
        return s.to_string();
    }
    if offset + width - 3 < len {
        let rest = &s.as_bytes()[offset as usize..];
        let rest = String::from_utf8_lossy(rest).into_owned();
        return format!("...{}", abbreviate(&rest, 0, width - 3));
    }
    format!(
        "...{}",
        byte_slice(s, (len - (width - 3)) as usize, s.len())
    )
}

/// goutils' `WrapCustom`: break at the last space that keeps lines within `width` bytes;
/// words longer than `width` are cut when `long_words` is set, else left whole.
fn wrap(s: &str, width: i64, newline: &str, long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + len / width.max(1));
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        match b[offset..end].iter().rposition(|&c| c == b' ') {
            Some(p) => {
                out.extend_from_slice(&b[offset..offset + p]);
                out.extend_from_slice(newline.as_bytes());
                offset += p + 1;
            }
            None if long_words => {
                out.extend_from_slice(&b[offset..offset + width]);
                out.extend_from_slice(newline.as_bytes());
                offset += width;
            }
            None => {
                let end = width + offset;
                match b[end..].iter().position(|&c| c == b' ') {
                    None => {
                        out.extend_from_slice(&b[offset..]);
                        offset = len;
                    }
                    Some(p) => {
                        out.extend_from_slice(&b[offset..end + p]);
                        out.extend_from_slice(newline.as_bytes());
                        offset = end + p + 1;
                    }
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// Sprig's `indent` (`nindent` when `newline`: the same after a line break).
fn indent(n: i64, s: &str, newline: bool) -> Result<String, String> {
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let n = n as usize;
    let lines = s.matches('\n').count() + 1;
    if n.saturating_mul(lines).saturating_add(s.len()) > MAX_LEN {
        return Err(format!("indent: result longer than {MAX_LEN} bytes"));
    }
    // One pass into a buffer of the final size (this runs on every `toYaml | nindent`).
    let mut out = String::with_capacity(s.len() + n * lines + 1);
    if newline {
        out.push('\n');
    }
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.extend(std::iter::repeat_n(' ', n));
        out.push_str(line);
    }
    Ok(out)
}

/// Go's one-to-one `unicode.ToUpper`/`ToLower` (never `ß` -> `SS`).
fn case_char(c: char, upper: bool) -> char {
    if !upper && c == '\u{130}' {
        // Go lowers the dotted capital I to a plain `i`; Unicode's full mapping adds a dot.
        return 'i';
    }
    let mut it: Box<dyn Iterator<Item = char>> = if upper {
        Box::new(c.to_uppercase())
    } else {
        Box::new(c.to_lowercase())
    };
    match (it.next(), it.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// Go's `unicode.ToTitle`: upper case, except the Latin digraphs, which have title forms.
fn title_char(c: char) -> char {
    match c {
        '\u{1c4}'..='\u{1c6}' => '\u{1c5}',
        '\u{1c7}'..='\u{1c9}' => '\u{1c8}',
        '\u{1ca}'..='\u{1cc}' => '\u{1cb}',
        '\u{1f1}'..='\u{1f3}' => '\u{1f2}',
        _ => case_char(c, true),
    }
}

fn map_case(s: &str, upper: bool) -> String {
    s.chars().map(|c| case_char(c, upper)).collect()
}

/// Go's `strings.Title`: upper-case every letter that follows a separator.
fn title(s: &str) -> String {
    let is_sep = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_sep(prev) { title_char(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// goutils' `Uncapitalize`: lower-case the first letter of every space-separated word.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if c.is_whitespace() {
                next = true;
                c
            } else if next {
                next = false;
                case_char(c, false)
            } else {
                c
            }
        })
        .collect()
}

/// goutils' `Initials`: the first byte of every space-separated word. It reads bytes as
/// Latin-1 characters, so a word starting with `É` gives `Ã` exactly as in Helm.
fn initials(s: &str) -> String {
    let mut gap = true;
    let mut out = String::new();
    for &b in s.as_bytes() {
        let c = char::from(b);
        if c.is_whitespace() {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

/// goutils' `DeleteWhiteSpace`: when anything is removed it rebuilds the string from bytes
/// read as Latin-1 characters, so non-ASCII text comes out garbled exactly as in Helm
/// (`"a\u00a0b"` gives `"aÂb"`); a string without spaces comes back unchanged.
fn nospace(s: &str) -> String {
    let space = |b: u8| char::from(b).is_whitespace();
    if !s.bytes().any(space) {
        return s.to_string();
    }
    s.bytes().filter(|&b| !space(b)).map(char::from).collect()
}

fn swapcase(s: &str) -> String {
    s.chars()
        .map(|c| {
            let title_case = !c.is_uppercase() && !c.is_lowercase() && case_char(c, false) != c;
            if c.is_uppercase() || title_case {
                case_char(c, false)
            } else if c.is_lowercase() {
                case_char(c, true)
            } else {
                c
            }
        })
        .collect()
}

fn is_connector(c: char) -> bool {
    c == '_' || c == '-' || c.is_whitespace()
}

/// Go's `unicode.IsPunct` (categories P*): exact for ASCII and Latin-1, the common ranges
/// beyond.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c);
    }
    matches!(c as u32,
        0xa1 | 0xa7 | 0xab | 0xb6 | 0xb7 | 0xbb | 0xbf | 0x37e | 0x387
        | 0x2010..=0x2027 | 0x2030..=0x2043 | 0x2045..=0x2051 | 0x2053..=0x205e
        | 0x2308..=0x230b | 0x2329 | 0x232a | 0x2768..=0x2775 | 0x27c5 | 0x27c6
        | 0x27e6..=0x27ef | 0x2983..=0x2998 | 0x29d8..=0x29db | 0x29fc | 0x29fd
        | 0x2e00..=0x2e2e | 0x2e30..=0x2e4f | 0x3001..=0x3003 | 0x3008..=0x3011
        | 0x3014..=0x301f | 0x3030 | 0x303d | 0x30a0 | 0x30fb | 0xfe10..=0xfe19
        | 0xfe30..=0xfe52 | 0xfe54..=0xfe61 | 0xfe63 | 0xfe68 | 0xfe6a | 0xfe6b
        | 0xff01..=0xff03 | 0xff05..=0xff0a | 0xff0c..=0xff0f | 0xff1a | 0xff1b
        | 0xff1f | 0xff20 | 0xff3b..=0xff3d | 0xff3f | 0xff5b | 0xff5d | 0xff5f..=0xff65)
}

/// Word kinds for snake/kebab case, as xstrings splits a string.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Word {
    /// Past the last word.
    End,
    Connector,
    Punct,
    /// Starts with an upper-case letter: a run of capitals (`HTTP` in `HTTPServer`) or one
    /// capital and lower-case letters (`Server`).
    Upper,
    /// Lower-case (or caseless) letters.
    Alpha,
    Number,
    Other,
}

fn split_words(s: &str) -> Vec<(Word, String)> {
    let chars: Vec<char> = s.chars().collect();
    let letter = |c: char| c.is_alphabetic();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        i += 1;
        let kind = if is_connector(c) {
            while i < chars.len() && is_connector(chars[i]) {
                i += 1;
            }
            Word::Connector
        } else if is_punct(c) {
            while i < chars.len() && is_punct(chars[i]) && !is_connector(chars[i]) {
                i += 1;
            }
            Word::Punct
        } else if c.is_uppercase() {
            if i < chars.len() && chars[i].is_uppercase() {
                while i < chars.len() && chars[i].is_uppercase() {
                    i += 1;
                }
                // "HTTPServer": the capital before a lower-case letter starts the next word.
                if i < chars.len() && letter(chars[i]) {
                    i -= 1;
                }
            } else {
                while i < chars.len() && letter(chars[i]) && !chars[i].is_uppercase() {
                    i += 1;
                }
            }
            Word::Upper
        } else if letter(c) {
            while i < chars.len() && letter(chars[i]) && !chars[i].is_uppercase() {
                i += 1;
            }
            Word::Alpha
        } else if c.is_numeric() {
            while i < chars.len() && chars[i].is_numeric() {
                i += 1;
            }
            Word::Number
        } else {
            while i < chars.len() {
                let n = chars[i];
                if is_connector(n) || letter(n) || n.is_numeric() || is_punct(n) {
                    break;
                }
                i += 1;
            }
            Word::Other
        };
        out.push((kind, chars[start..i].iter().collect()));
    }
    out
}

/// xstrings' `ToSnakeCase`/`ToKebabCase` (v1.5, as Helm ships it), re-derived from its
/// observed output: words are split at case changes (`HTTPServer` -> `http`, `server`),
/// connectors (`_`, `-`, spaces) become `sep` one for one, punctuation joins words without a
/// separator, symbols get one on each side, and a number sticks to the word before it unless
/// lower-case letters follow it (`HTTP2XX` -> `http2_xx`, `http2xx` -> `http_2xx`).
fn snake(s: &str, sep: char) -> String {
    let words = split_words(s);
    let mut idx = 0usize;
    let next = |idx: &mut usize| -> (Word, &str) {
        match words.get(*idx) {
            Some((k, w)) => {
                *idx += 1;
                (*k, w.as_str())
            }
            None => (Word::End, ""),
        }
    };
    let emit = |out: &mut String, kind: Word, word: &str| match kind {
        Word::Upper | Word::Connector => {
            for c in word.chars() {
                if is_connector(c) {
                    out.push(sep);
                } else {
                    out.push(case_char(c, false));
                }
            }
        }
        _ => out.push_str(word),
    };
    let joins = |k: Word| matches!(k, Word::End | Word::Connector | Word::Punct);
    let mut out = String::with_capacity(s.len() + 4);
    let (mut kind, mut word) = next(&mut idx);
    while idx < words.len() {
        if kind != Word::Connector {
            emit(&mut out, kind, word);
        }
        let (prev, last) = (kind, word);
        (kind, word) = next(&mut idx);
        match prev {
            Word::Number => {
                while matches!(kind, Word::Alpha | Word::Number) {
                    emit(&mut out, kind, word);
                    (kind, word) = next(&mut idx);
                }
                if !joins(kind) {
                    out.push(sep);
                }
            }
            Word::Connector => emit(&mut out, prev, last),
            Word::Punct => {}
            _ => {
                if kind != Word::Number {
                    if !joins(kind) {
                        out.push(sep);
                    }
                    continue;
                }
                if idx >= words.len() {
                    continue;
                }
                let number = word;
                (kind, word) = next(&mut idx);
                if kind != Word::Alpha {
                    emit(&mut out, Word::Number, number);
                    if !joins(kind) {
                        out.push(sep);
                    }
                    continue;
                }
                out.push(sep);
                emit(&mut out, Word::Number, number);
                while matches!(kind, Word::Alpha | Word::Number) {
                    emit(&mut out, kind, word);
                    (kind, word) = next(&mut idx);
                }
                if !joins(kind) {
                    out.push(sep);
                }
            }
        }
    }
    emit(&mut out, kind, word);
    out
}

/// xstrings' `ToCamelCase` (v1.5, as Helm ships it), re-derived from its observed output:
/// leading connectors stay; each word's first character is upper-cased; capitals that
/// directly follow a word-initial capital are lowered (`HTTPServer` -> `Httpserver`,
/// `MyAPP` stays); a connector between words disappears, and of a run of k connectors the
/// first k-1 stay. A string of connectors only repeats its last one (xstrings does that).
fn camel(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut idx = 0;
    while idx < chars.len() && is_connector(chars[idx]) {
        out.push(chars[idx]);
        idx += 1;
    }
    if idx == chars.len() {
        if let Some(&last) = chars.last() {
            out.push(last);
        }
        return out;
    }
    let mut word_start = true;
    let mut upper_run = false;
    while idx < chars.len() {
        let c = chars[idx];
        if is_connector(c) {
            let next_is_conn = chars.get(idx + 1).is_none_or(|&n| is_connector(n));
            if next_is_conn {
                out.push(c);
            }
            word_start = true;
            upper_run = false;
        } else if word_start {
            out.push(case_char(c, true));
            upper_run = c.is_uppercase();
            word_start = false;
        } else if upper_run && c.is_uppercase() {
            out.push(case_char(c, false));
        } else {
            upper_run = false;
            out.push(c);
        }
        idx += 1;
    }
    out
}

fn shuffle(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for i in (1..chars.len()).rev() {
        let j = random_below(i as u64 + 1) as usize;
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

/// A uniformly random integer in `0..n` (n > 0) from the operating system's generator.
pub(super) fn random_below(n: u64) -> u64 {
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let mut b = [0u8; 8];
        // The OS generator failing is not something a template can fix; fall back to a
        // time-derived value rather than panicking.
        if getrandom::fill(&mut b).is_err() {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            return t % n;
        }
        let x = u64::from_le_bytes(b);
        if x < zone {
            return x % n;
        }
    }
}

/// Go's `strconv.Quote` (what `%q` prints for a string).
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if !is_go_print(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Approximates Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and
/// the ASCII space print; other spaces, controls and format characters are escaped.
fn is_go_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f
        | 0x202a..=0x202e | 0x2060..=0x2064 | 0x2066..=0x206f | 0xd800..=0xdfff
        | 0xe000..=0xf8ff | 0xfeff | 0xfff9..=0xfffb | 0xfdd0..=0xfdef | 0xfffe | 0xffff
        | 0xf0000..=0x10ffff)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::value::Value;

    #[test]
    fn helm_create_helpers() {
        table(&[
            (
                "trunc",
                vec![i(63), s("my-release-my-chart")],
                "my-release-my-chart",
            ),
            ("trunc", vec![i(5), s("hello world")], "hello"),
            ("trunc", vec![i(-5), s("hello world")], "world"),
            ("trunc", vec![i(-20), s("hello")], "hello"),
            ("trunc", vec![i(0), s("hello")], ""),
            ("trimSuffix", vec![s("-"), s("abc-")], "abc"),
            ("trimSuffix", vec![s("-"), s("abc--")], "abc-"),
            ("trimPrefix", vec![s("-"), s("-abc")], "abc"),
            ("contains", vec![s("cat"), s("catch")], "true"),
            ("contains", vec![s("dog"), s("catch")], "false"),
            ("hasPrefix", vec![s("cat"), s("catch")], "true"),
            ("hasSuffix", vec![s("ch"), s("catch")], "true"),
            ("replace", vec![s("+"), s("_"), s("1.0+build")], "1.0_build"),
            ("replace", vec![s(""), s("-"), s("ab")], "-a-b-"),
            ("quote", vec![s("hi")], "\"hi\""),
            ("quote", vec![s("a\"b\\c\n")], "\"a\\\"b\\\\c\\n\""),
            ("quote", vec![f(1.5)], "\"1.5\""),
            ("quote", vec![i(3), Value::Bool(true)], "\"3\" \"true\""),
            ("quote", vec![Value::Nil], ""),
            ("quote", vec![s("a"), Value::Nil, s("b")], "\"a\" \"b\""),
            ("quote", vec![s("é\u{0}\u{a0}")], "\"é\\x00\\u00a0\""),
            ("quote", vec![], ""),
            ("squote", vec![s("hi"), i(2)], "'hi' '2'"),
            ("squote", vec![Value::Nil], ""),
            ("cat", vec![s("a"), Value::Nil, i(1), s("b")], "a 1 b"),
            ("indent", vec![i(2), s("a\nb")], "  a\n  b"),
            ("indent", vec![i(2), s("a\n")], "  a\n  "),
            (
                "nindent",
                vec![i(4), s("a: 1\nb: 2")],
                "\n    a: 1\n    b: 2",
            ),
            ("nindent", vec![i(0), s("x")], "\nx"),
            ("trim", vec![s("  hi \n\t")], "hi"),
            ("trimAll", vec![s("$"), s("$$5.00$")], "5.00"),
            ("trimall", vec![s("ab"), s("abxba")], "x"),
            ("upper", vec![s("héllo ß")], "HÉLLO ß"),
            ("lower", vec![s("HÉLLO")], "héllo"),
            (
                "title",
                vec![s("hello wORLD foo_bar x-y")],
                "Hello WORLD Foo_bar X-Y",
            ),
            ("untitle", vec![s("Hello World")], "hello world"),
            ("repeat", vec![i(3), s("ab")], "ababab"),
            ("nospace", vec![s("h e\tl\nlo")], "hello"),
            ("plural", vec![s("one"), s("many"), i(1)], "one"),
            ("plural", vec![s("one"), s("many"), i(2)], "many"),
            ("hello", vec![], "Hello!"),
        ]);
    }

    #[test]
    fn cutting() {
        table(&[
            ("substr", vec![i(0), i(5), s("hello world")], "hello"),
            ("substr", vec![i(6), i(-1), s("hello world")], "world"),
            ("substr", vec![i(6), i(99), s("hello world")], "world"),
            ("substr", vec![i(-1), i(3), s("hello")], "hel"),
            ("abbrev", vec![i(5), s("hello world")], "he..."),
            ("abbrev", vec![i(3), s("hello world")], "hello world"),
            ("abbrev", vec![i(20), s("hello world")], "hello world"),
            (
                "abbrevboth",
                vec![i(5), i(10), s("1234 5678 9123")],
                "...5678...",
            ),
            (
                "abbrevboth",
                vec![i(0), i(10), s("abcdefghijklmno")],
                "abcdefg...",
            ),
            (
                "abbrevboth",
                vec![i(10), i(10), s("abcdefghijklmno")],
                "...ijklmno",
            ),
            ("initials", vec![s("First Try")], "FT"),
            ("initials", vec![s("  a  b c")], "abc"),
            ("wrap", vec![i(5), s("Hello World")], "Hello\nWorld"),
            ("wrap", vec![i(3), s("abcdef ab")], "abcdef\nab"),
            ("wrap", vec![i(10), s("short")], "short"),
            (
                "wrapWith",
                vec![i(5), s("\t"), s("Hello World")],
                "Hello\tWorld",
            ),
            ("wrapWith", vec![i(3), s("|"), s("abcdefg")], "abc|def|g"),
            ("swapcase", vec![s("swapCase")], "SWAPcASE"),
            ("swapcase", vec![s("Θ~λa云Ξπ")], "θ~ΛA云ξΠ"),
            ("swapcase", vec![s("Hello World ǅ")], "hELLO wORLD ǆ"),
            ("nospace", vec![s(" a\u{a0}b ")], "aÂb"),
            ("nospace", vec![s("héllo")], "héllo"),
            ("initials", vec![s("  Émile  zola")], "Ãz"),
            (
                "title",
                vec![s("hello   wORLD-foo bar_baz 1st émile o'neil")],
                "Hello   WORLD-Foo Bar_baz 1st Émile O'Neil",
            ),
            ("untitle", vec![s("ABC Def")], "aBC def"),
            (
                "wrap",
                vec![i(10), s("The quick brown fox jumps over the lazy dog")],
                "The quick\nbrown fox\njumps over\nthe lazy\ndog",
            ),
            (
                "wrapWith",
                vec![i(5), s("|"), s("abc defghijkl mn")],
                "abc|defgh|ijkl|mn",
            ),
            ("wrap", vec![i(3), s("  a   b  ")], "a  \nb  "),
            (
                "abbrevboth",
                vec![i(3), i(8), s("abcdefghijklmnop")],
                "abcde...",
            ),
            (
                "abbrevboth",
                vec![i(20), i(8), s("abcdefghijklmnop")],
                "...lmnop",
            ),
            ("substr", vec![i(1), i(3), s("héllo")], "é"),
            ("trunc", vec![i(2), s("héllo")], "h\u{fffd}"),
        ]);
        errors(&[
            (
                "substr",
                vec![i(4), i(2), s("hello")],
                "slice bounds out of range",
            ),
            (
                "substr",
                vec![i(9), i(-1), s("hello")],
                "slice bounds out of range",
            ),
            ("repeat", vec![i(-1), s("a")], "negative Repeat count"),
        ]);
    }

    /// Observed with helm v4.1.4 (`helm template` of `{{ snakecase ... }}` etc.).
    const SNAKE: &[(&str, &str)] = &[
        ("a.B", "a.b"),
        ("a B", "a_b"),
        ("a-B", "a_b"),
        ("a_B", "a_b"),
        ("aB", "a_b"),
        ("AB", "ab"),
        ("ABc", "a_bc"),
        ("AbC", "ab_c"),
        ("a1B", "a1_b"),
        ("A1b", "a_1b"),
        ("1A", "1_a"),
        ("a1", "a1"),
        ("A1", "a1"),
        ("HTTP2XX", "http2_xx"),
        ("http2xx", "http_2xx"),
        ("HTTPServer", "http_server"),
        ("NoHTTPS", "no_https"),
        ("GO_PATH", "go_path"),
        ("GO PATH", "go_path"),
        ("GO-PATH", "go_path"),
        ("a  b", "a__b"),
        ("_a", "_a"),
        ("a_", "a_"),
        ("__a__", "__a__"),
        ("a__b", "a__b"),
        ("A__B", "a__b"),
        ("a--b", "a__b"),
        ("a- b", "a__b"),
        ("a:B", "a:b"),
        ("a/B", "a/b"),
        ("a😀B", "a_😀_b"),
        ("HTTP20xOK", "http_20x_ok"),
        ("Wi_thF", "wi_th_f"),
        ("_AnotherTES_TCaseP", "_another_tes_t_case_p"),
        ("  sentence case  ", "__sentence_case__"),
        (
            " Mixed-hyphen case _and SENTENCE_case and UPPER-case",
            "_mixed_hyphen_case__and_sentence_case_and_upper_case",
        ),
        ("HTTP20XStatus", "http20_x_status"),
        ("HTTP-20xStatus", "http_20x_status"),
        ("1aB", "1a_b"),
        ("a1b2C3", "a_1b2_c3"),
        ("ABC1", "abc1"),
        ("A.B", "a.b"),
        ("Ab.Cd", "ab.cd"),
        ("x\tY", "x_y"),
        ("ß", "ß"),
        ("aéB", "aé_b"),
        ("FirstName", "first_name"),
        ("already_snake", "already_snake"),
        ("kebab-case-x", "kebab_case_x"),
        ("A1B2", "a1_b2"),
        ("aa11BB22cc", "aa11_bb_22cc"),
        ("_C", "_c"),
        ("TW", "tw"),
        ("ALL", "all"),
        ("a$B", "a_$_b"),
        ("a+B", "a_+_b"),
        ("a~B", "a_~_b"),
        ("a^B", "a_^_b"),
        ("a|B", "a_|_b"),
        ("a<B", "a_<_b"),
        ("a=B", "a_=_b"),
        ("a`B", "a_`_b"),
        ("a'B", "a'b"),
        ("a\"B", "a\"b"),
        ("a(B", "a(b"),
        ("a{B", "a{b"),
        ("a#B", "a#b"),
        ("a@B", "a@b"),
        ("a!B", "a!b"),
        ("a%B", "a%b"),
        ("a&B", "a&b"),
        ("a*B", "a*b"),
        ("a,B", "a,b"),
        ("a;B", "a;b"),
        ("a?B", "a?b"),
        ("a[B", "a[b"),
        ("a\\B", "a\\b"),
        ("a—B", "a—b"),
        ("a…B", "a…b"),
        ("a€B", "a_€_b"),
        ("a©B", "a_©_b"),
        ("a½B", "a½_b"),
        ("a²B", "a²_b"),
        ("x²", "x²"),
        ("ǅa", "ǅa"),
        ("aǅ", "aǅ"),
        ("ABc1", "a_bc1"),
        ("Ab1c", "ab_1c"),
        ("A1", "a1"),
        ("aA1B", "a_a1_b"),
        ("HTTPS2xx", "https_2xx"),
        ("é1A", "é1_a"),
        ("1 A", "1_a"),
        ("a _B", "a__b"),
        ("ABCdef", "ab_cdef"),
        ("aBCdef", "a_b_cdef"),
        ("aBCDef", "a_bc_def"),
        ("_", "_"),
        ("-", "_"),
        ("__", "__"),
        ("a", "a"),
    ];
    const KEBAB: &[(&str, &str)] = &[
        ("a.B", "a.b"),
        ("a B", "a-b"),
        ("a-B", "a-b"),
        ("a_B", "a-b"),
        ("aB", "a-b"),
        ("AB", "ab"),
        ("ABc", "a-bc"),
        ("AbC", "ab-c"),
        ("a1B", "a1-b"),
        ("A1b", "a-1b"),
        ("1A", "1-a"),
        ("a1", "a1"),
        ("A1", "a1"),
        ("HTTP2XX", "http2-xx"),
        ("http2xx", "http-2xx"),
        ("HTTPServer", "http-server"),
        ("NoHTTPS", "no-https"),
        ("GO_PATH", "go-path"),
        ("GO PATH", "go-path"),
        ("GO-PATH", "go-path"),
        ("a  b", "a--b"),
        ("_a", "-a"),
        ("a_", "a-"),
        ("__a__", "--a--"),
        ("a__b", "a--b"),
        ("A__B", "a--b"),
        ("a--b", "a--b"),
        ("a- b", "a--b"),
        ("a:B", "a:b"),
        ("a/B", "a/b"),
        ("a😀B", "a-😀-b"),
        ("HTTP20xOK", "http-20x-ok"),
        ("Wi_thF", "wi-th-f"),
        ("_AnotherTES_TCaseP", "-another-tes-t-case-p"),
        ("  sentence case  ", "--sentence-case--"),
        (
            " Mixed-hyphen case _and SENTENCE_case and UPPER-case",
            "-mixed-hyphen-case--and-sentence-case-and-upper-case",
        ),
        ("HTTP20XStatus", "http20-x-status"),
        ("HTTP-20xStatus", "http-20x-status"),
        ("1aB", "1a-b"),
        ("a1b2C3", "a-1b2-c3"),
        ("ABC1", "abc1"),
        ("A.B", "a.b"),
        ("Ab.Cd", "ab.cd"),
        ("x\tY", "x-y"),
        ("ß", "ß"),
        ("aéB", "aé-b"),
        ("FirstName", "first-name"),
        ("already_snake", "already-snake"),
        ("kebab-case-x", "kebab-case-x"),
        ("A1B2", "a1-b2"),
        ("aa11BB22cc", "aa11-bb-22cc"),
        ("_C", "-c"),
        ("TW", "tw"),
        ("ALL", "all"),
    ];
    const CAMEL: &[(&str, &str)] = &[
        ("GOLANG_IS_GREAT", "GolangIsGreat"),
        ("GOLANG", "Golang"),
        ("camelCase", "CamelCase"),
        ("http_server", "HttpServer"),
        ("_camel_case", "_CamelCase"),
        ("no_https", "NoHttps"),
        ("_complex__case_", "_Complex_Case_"),
        ("all", "All"),
        ("a-b", "AB"),
        ("a b", "AB"),
        ("a  b", "A B"),
        ("a__b", "A_B"),
        ("a--b", "A-B"),
        ("a_-b", "A_B"),
        ("x_", "X_"),
        ("x__", "X__"),
        ("_", "__"),
        ("__", "___"),
        ("a_1", "A1"),
        ("a_é", "AÉ"),
        ("hello world-foo", "HelloWorldFoo"),
        ("A_B", "AB"),
        ("a.b", "A.b"),
        ("1_a", "1A"),
        ("aBC_dEF", "ABCDEF"),
        ("foo_Bar", "FooBar"),
        ("a_b_", "AB_"),
        ("_-a", "_-A"),
        ("a\tb", "AB"),
        ("-", "--"),
        ("a-", "A-"),
        ("MyApp", "MyApp"),
        ("my-app.name", "MyApp.name"),
        ("x__y__z", "X_Y_Z"),
        ("ABC_def", "AbcDef"),
        ("ABC_DEF1", "AbcDef1"),
        ("AB-C D", "AbCD"),
        ("HELLO world", "HelloWorld"),
        ("A", "A"),
        ("A_", "A_"),
        ("ÀB", "Àb"),
        ("Ab", "Ab"),
        ("ABC", "Abc"),
        ("aBC", "ABC"),
        ("HTTPServer_x", "HttpserverX"),
        ("X_Y", "XY"),
        ("GO1_X", "Go1X"),
        ("1ABC", "1ABC"),
        ("ÉTÉ", "Été"),
        ("ABC def", "AbcDef"),
        ("A B c", "ABC"),
        ("MyAPP", "MyAPP"),
        ("aBCD", "ABCD"),
        ("aB", "AB"),
        ("AbCD", "AbCD"),
        ("ABcD", "AbcD"),
        ("x_ABcD", "XAbcD"),
        ("HTTPServerURL", "HttpserverURL"),
        ("a1BC", "A1BC"),
        ("A1BC", "A1BC"),
        ("Ab1CD", "Ab1CD"),
        ("AB1CD", "Ab1CD"),
        ("a BCd", "ABcd"),
        ("ǅA", "ǄA"),
        ("_AB", "_Ab"),
        ("__AB", "__Ab"),
        ("a-_-b", "A-_B"),
        ("a.BC", "A.BC"),
        ("A.BC", "A.BC"),
        ("AB.CD", "Ab.CD"),
        ("a_.BC", "A.BC"),
    ];

    #[test]
    fn case_conversion_matches_helm() {
        let mut bad = Vec::new();
        for (name, cases) in [
            ("snakecase", SNAKE),
            ("kebabcase", KEBAB),
            ("camelcase", CAMEL),
        ] {
            for (input, want) in cases {
                let got = render(name, &[s(input)]).unwrap();
                if got != *want {
                    bad.push(format!("{name} {input:?}: got {got:?}, want {want:?}"));
                }
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn splitting_and_joining() {
        table(&[
            ("splitList", vec![s(","), s("a,b,,c")], "[a b  c]"),
            ("splitList", vec![s(""), s("abc")], "[a b c]"),
            (
                "split",
                vec![s("$"), s("foo$bar$baz")],
                "map[_0:foo _1:bar _2:baz]",
            ),
            (
                "splitn",
                vec![s("$"), i(2), s("foo$bar$baz")],
                "map[_0:foo _1:bar$baz]",
            ),
            ("splitn", vec![s("$"), i(0), s("foo$bar")], "map[]"),
            (
                "join",
                vec![s("-"), l(vec![s("a"), i(1), Value::Nil, f(2.5)])],
                "a-1-2.5",
            ),
            ("join", vec![s("-"), s("solo")], "solo"),
            ("join", vec![s("-"), Value::Nil], ""),
            (
                "toStrings",
                vec![l(vec![i(1), s("2"), Value::Bool(true)])],
                "[1 2 true]",
            ),
            ("sortAlpha", vec![l(vec![s("c"), s("a"), i(2)])], "[2 a c]"),
            ("sortAlpha", vec![s("x")], "[x]"),
        ]);
    }

    #[test]
    fn typed_parameters_refuse_like_go() {
        errors(&[
            (
                "trunc",
                vec![f(63.0), s("abc")],
                "expected int; got float64",
            ),
            (
                "trimSuffix",
                vec![s("-"), Value::Nil],
                "invalid value; expected string",
            ),
            ("upper", vec![i(1)], "expected string; got int"),
            (
                "indent",
                vec![i(2)],
                "wrong number of args for indent: want 2 got 1",
            ),
        ]);
    }

    #[test]
    fn shuffle_keeps_characters() {
        let out = render("shuffle", &[s("abcdefgh")]).unwrap();
        let mut chars: Vec<char> = out.chars().collect();
        chars.sort();
        assert_eq!(chars.into_iter().collect::<String>(), "abcdefgh");
    }
}
