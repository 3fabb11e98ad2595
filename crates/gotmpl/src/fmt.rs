//! Go `fmt` printing of template values: `%v` (what `{{ . }}` prints), `Sprint`,
//! `Sprintln` and `Sprintf` with Go's verbs, flags, width, precision, argument indexes and
//! its in-band error forms (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA int=1)`).
//!
//! Floats follow `strconv.FormatFloat`: `%v` is `'g'` with the shortest precision and an
//! exponent from 1e+06 upward or below 1e-04 (`1e+06`, `100000`, `3`, `1e-05`).
//! Maps print as `map[k:v]` with sorted keys, lists as `[a b]`, nil as `<nil>`.
//! This module never panics, whatever the format string.

use crate::value::Value;

/// What Go prints for `fmt.Sprint(v)` / `%v` (and so what `{{ v }}` outputs).
pub fn format_value(v: &Value) -> String {
    let mut out = String::new();
    print_arg(&mut out, v, 'v', &Flags::default(), 0);
    out
}

/// Remove every `<no value>` (what Helm does to each rendered template and `tpl` result),
/// returning the string untouched, without a copy, when there is none. Scans for `<` with
/// `memchr`, which is rare in YAML, instead of a substring search over the whole output.
pub fn strip_no_value(s: String) -> String {
    const NV: &str = "<no value>";
    let first = match find_no_value(&s, 0) {
        Some(i) => i,
        None => return s,
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut at = first + NV.len();
    while let Some(i) = find_no_value(&s, at) {
        out.push_str(&s[at..i]);
        at = i + NV.len();
    }
    out.push_str(&s[at..]);
    out
}

/// The byte offset of the next `<no value>` at or after `from`.
fn find_no_value(s: &str, mut from: usize) -> Option<usize> {
    // `str::find` of an ASCII char runs `memchr`.
    while let Some(off) = s.get(from..).and_then(|rest| rest.find('<')) {
        let i = from + off;
        if s.as_bytes()[i..].starts_with(b"<no value>") {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

/// Go's `fmt.Sprint(args...)`: spaces between operands when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::String(_) | Value::BinaryString(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        print_arg(&mut out, a, 'v', &Flags::default(), 0);
        prev_string = is_string;
    }
    out
}

/// Go's `fmt.Sprintln(args...)`: always spaces, and a final newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        print_arg(&mut out, a, 'v', &Flags::default(), 0);
    }
    out.push('\n');
    out
}

#[derive(Clone, Copy, Default, Debug)]
struct Flags {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

/// Go's `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let b = format.as_bytes();
    let end = b.len();
    let mut arg_num = 0usize;
    let mut reordered = false;
    let mut i = 0;
    while i < end {
        let mut good_arg_num = true;
        let last = i;
        while i < end && b[i] != b'%' {
            i += 1;
        }
        if i > last {
            out.push_str(&format[last..i]);
        }
        if i >= end {
            break;
        }
        i += 1;
        let mut f = Flags::default();
        // Flags.
        while i < end {
            match b[i] {
                b'#' => f.sharp = true,
                b'0' => f.zero = !f.minus,
                b'+' => f.plus = true,
                b'-' => {
                    f.minus = true;
                    f.zero = false;
                }
                b' ' => f.space = true,
                _ => break,
            }
            i += 1;
        }
        // Argument index.
        let (n, ni, mut after_index) = arg_number(
            arg_num,
            format,
            i,
            args.len(),
            &mut good_arg_num,
            &mut reordered,
        );
        arg_num = n;
        i = ni;
        // Width.
        if i < end && b[i] == b'*' {
            i += 1;
            let (w, ok, n) = int_from_arg(args, arg_num);
            arg_num = n;
            if !ok {
                out.push_str("%!(BADWIDTH)");
            } else if w < 0 {
                f.wid = Some(w.unsigned_abs() as usize);
                f.minus = true;
                f.zero = false;
            } else {
                f.wid = Some(w as usize);
            }
            after_index = false;
        } else {
            let (w, ni) = parse_num(b, i);
            i = ni;
            f.wid = w;
            if after_index && f.wid.is_some() {
                good_arg_num = false;
            }
        }
        // Precision.
        if i + 1 < end && b[i] == b'.' {
            i += 1;
            if after_index {
                good_arg_num = false;
            }
            let (n, ni, ai) = arg_number(
                arg_num,
                format,
                i,
                args.len(),
                &mut good_arg_num,
                &mut reordered,
            );
            arg_num = n;
            i = ni;
            after_index = ai;
            if i < end && b[i] == b'*' {
                i += 1;
                let (p, ok, n) = int_from_arg(args, arg_num);
                arg_num = n;
                if !ok {
                    out.push_str("%!(BADPREC)");
                    f.prec = None;
                } else if p < 0 {
                    f.prec = None;
                } else {
                    f.prec = Some(p as usize);
                }
                after_index = false;
            } else {
                let (p, ni) = parse_num(b, i);
                i = ni;
                f.prec = Some(p.unwrap_or(0));
            }
        }
        if !after_index {
            let (n, ni, _) = arg_number(
                arg_num,
                format,
                i,
                args.len(),
                &mut good_arg_num,
                &mut reordered,
            );
            arg_num = n;
            i = ni;
        }
        if i >= end {
            out.push_str("%!(NOVERB)");
            break;
        }
        let verb = format[i..].chars().next().unwrap_or('?');
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !good_arg_num {
            out.push_str("%!");
            out.push(verb);
            out.push_str("(BADINDEX)");
            continue;
        }
        if arg_num >= args.len() {
            out.push_str("%!");
            out.push(verb);
            out.push_str("(MISSING)");
            continue;
        }
        if verb == 'v' {
            f.sharp_v = f.sharp;
            f.sharp = false;
            f.plus_v = f.plus;
            f.plus = false;
        }
        print_arg(&mut out, &args[arg_num], verb, &f, 0);
        arg_num += 1;
    }
    if !reordered && arg_num < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, a) in args[arg_num..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if a.is_nil() {
                out.push_str("<nil>");
            } else {
                out.push_str(&a.type_name());
                out.push('=');
                print_arg(&mut out, a, 'v', &Flags::default(), 0);
            }
        }
        out.push(')');
    }
    out
}

fn parse_num(b: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let start = i;
    let mut n: usize = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        if n > 1_000_000 {
            return (None, b.len()); // Go: overflow, "too large" ends parsing
        }
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    if i == start { (None, i) } else { (Some(n), i) }
}

fn arg_number(
    arg_num: usize,
    format: &str,
    i: usize,
    num_args: usize,
    good: &mut bool,
    reordered: &mut bool,
) -> (usize, usize, bool) {
    let b = format.as_bytes();
    if i >= b.len() || b[i] != b'[' {
        return (arg_num, i, false);
    }
    *reordered = true;
    // Parse "[n]".
    let rest = &b[i..];
    let (index, wid, ok) = {
        let mut res = (0usize, 1usize, false);
        if rest.len() >= 3 {
            for j in 1..rest.len() {
                if rest[j] == b']' {
                    let (w, newi) = parse_num(rest, 1);
                    res = match w {
                        Some(w) if newi == j && w >= 1 => (w - 1, j + 1, true),
                        Some(_) if newi == j => (usize::MAX, j + 1, true),
                        _ => (0, j + 1, false),
                    };
                    break;
                }
            }
        }
        res
    };
    if ok && index < num_args {
        return (index, i + wid, true);
    }
    *good = false;
    (arg_num, i + wid, ok)
}

fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    if arg_num >= args.len() {
        return (0, false, arg_num);
    }
    match &args[arg_num] {
        Value::Int(n) | Value::Int64(n) if (-1_000_000..=1_000_000).contains(n) => {
            (*n, true, arg_num + 1)
        }
        _ => (0, false, arg_num + 1),
    }
}

// ----- padding -----

fn pad(out: &mut String, s: &str, f: &Flags) {
    let Some(wid) = f.wid else {
        out.push_str(s);
        return;
    };
    let n = s.chars().count();
    if n >= wid {
        out.push_str(s);
        return;
    }
    let fill = if f.zero { '0' } else { ' ' };
    if f.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', wid - n));
    } else {
        out.extend(std::iter::repeat_n(fill, wid - n));
        out.push_str(s);
    }
}

fn bad_verb(out: &mut String, v: &Value, verb: char, f: &Flags, depth: usize) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    if v.is_nil() {
        out.push_str("<nil>");
    } else {
        out.push_str(&v.type_name());
        out.push('=');
        let mut g = *f;
        g.sharp_v = false;
        print_arg(out, v, 'v', &g, depth + 1);
    }
    out.push(')');
}

/// Printing stops (with `...`) below this nesting depth or beyond this many bytes, so a map
/// that contains itself (possible with Sprig's `set`) cannot recurse forever. Go would
/// overflow its stack there.
const MAX_PRINT_DEPTH: usize = 100;
const MAX_PRINT_BYTES: usize = 16 << 20;

fn print_arg(out: &mut String, v: &Value, verb: char, f: &Flags, depth: usize) {
    if depth > MAX_PRINT_DEPTH || out.len() > MAX_PRINT_BYTES {
        out.push_str("...");
        return;
    }
    let top = depth == 0;
    if verb == 'T' {
        let t = v.type_name();
        let mut g = *f;
        g.zero = false;
        pad(out, &t, &g);
        return;
    }
    match v {
        Value::Nil => {
            if !top {
                // A nil element of a list or map: Go writes it bare, whatever the verb,
                // width or flags.
                out.push_str(if f.sharp_v {
                    "interface {}(nil)"
                } else {
                    "<nil>"
                });
            } else if verb == 'v' {
                pad(out, "<nil>", f);
            } else {
                bad_verb(out, v, verb, f, depth);
            }
        }
        Value::Bool(b) => match verb {
            't' | 'v' => pad(out, if *b { "true" } else { "false" }, f),
            _ => bad_verb(out, v, verb, f, depth),
        },
        Value::Int(i) | Value::Int64(i) => fmt_int(out, v, *i as i128, verb, f),
        Value::Float(x) => fmt_float_verb(out, v, *x, verb, f),
        Value::String(s) => fmt_string(out, v, s, verb, f),
        // Go writes the raw bytes; our output is text, so invalid bytes print as U+FFFD.
        // `%q` and `%x` show the real bytes, as Go does.
        Value::BinaryString(b) => match verb {
            'x' | 'X' => fmt_hex_bytes(out, b.bytes(), verb, f),
            'q' if f.prec.is_none() && !f.sharp => {
                let q = quote_bytes(b.bytes(), f.plus);
                pad(out, &q, f)
            }
            _ => fmt_string(out, v, b.text(), verb, f),
        },
        Value::Bytes(bytes) => match verb {
            's' => fmt_string(out, v, &String::from_utf8_lossy(bytes), 's', f),
            'q' => fmt_string(out, v, &String::from_utf8_lossy(bytes), 'q', f),
            'x' | 'X' => fmt_hex_bytes(out, bytes, verb, f),
            _ => {
                if f.sharp_v {
                    out.push_str("[]byte{");
                    for (k, b) in bytes.iter().enumerate() {
                        if k > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(&format!("{b:#x}"));
                    }
                    out.push('}');
                    return;
                }
                out.push('[');
                for (k, b) in bytes.iter().enumerate() {
                    if k > 0 {
                        out.push(' ');
                    }
                    let verb = if verb == 'v' { 'd' } else { verb };
                    fmt_int(out, &Value::Int(*b as i64), *b as i128, verb, f);
                }
                out.push(']');
            }
        },
        Value::List(items) => {
            if f.sharp_v {
                out.push_str("[]interface {}{");
                for (k, e) in items.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    print_arg(out, e, verb, f, depth + 1);
                }
                out.push('}');
                return;
            }
            out.push('[');
            for (k, e) in items.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                print_arg(out, e, verb, f, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            let m = m.borrow();
            if f.sharp_v {
                out.push_str("map[string]interface {}{");
            } else {
                out.push_str("map[");
            }
            for (k, (key, val)) in m.iter().enumerate() {
                if k > 0 {
                    out.push_str(if f.sharp_v { ", " } else { " " });
                }
                let kv = Value::str(key);
                print_arg(out, &kv, verb, f, depth + 1);
                out.push(':');
                print_arg(out, val, verb, f, depth + 1);
            }
            out.push(if f.sharp_v { '}' } else { ']' });
        }
        Value::Object(o) => match verb {
            'v' | 's' | 'q' | 'x' | 'X' => {
                let s = o.display();
                fmt_string(out, v, &s, if verb == 'v' { 's' } else { verb }, f)
            }
            _ => bad_verb(out, v, verb, f, depth),
        },
    }
}

// ----- integers -----

fn fmt_int(out: &mut String, v: &Value, n: i128, verb: char, f: &Flags) {
    match verb {
        'v' | 'd' => fmt_integer(out, n, 10, verb, f, false),
        'b' => fmt_integer(out, n, 2, verb, f, false),
        'o' | 'O' => fmt_integer(out, n, 8, verb, f, false),
        'x' => fmt_integer(out, n, 16, verb, f, false),
        'X' => fmt_integer(out, n, 16, verb, f, true),
        'c' => {
            let c = u32::try_from(n)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            let mut g = *f;
            g.zero = false;
            pad(out, c.encode_utf8(&mut [0u8; 4]), &g);
        }
        'q' => {
            let c = u32::try_from(n)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            let mut g = *f;
            g.zero = false;
            pad(out, &quote_rune(c, f.plus), &g);
        }
        'U' => {
            let mut s = if n < 0 {
                format!("U+{:04X}", n as i64 as u64)
            } else {
                format!("U+{n:04X}")
            };
            if f.sharp
                && let Some(c) = u32::try_from(n).ok().and_then(char::from_u32)
                && is_print(c)
            {
                s.push_str(&format!(" '{c}'"));
            }
            let mut g = *f;
            g.zero = false;
            pad(out, &s, &g);
        }
        _ => bad_verb(out, v, verb, f, 0),
    }
}

fn fmt_integer(out: &mut String, n: i128, base: u32, verb: char, f: &Flags, upper: bool) {
    let negative = n < 0;
    let u = n.unsigned_abs();
    let mut prec = 0usize;
    if let Some(p) = f.prec {
        prec = p;
        if p == 0 && u == 0 {
            let mut g = *f;
            g.zero = false;
            let w = f.wid.unwrap_or(0);
            out.extend(std::iter::repeat_n(' ', w));
            let _ = g;
            return;
        }
    } else if f.zero && !f.minus && f.wid.is_some() {
        prec = f.wid.unwrap_or(0);
        if negative || f.plus || f.space {
            prec = prec.saturating_sub(1);
        }
    }
    let mut digits = match base {
        2 => format!("{u:b}"),
        8 => format!("{u:o}"),
        16 if upper => format!("{u:X}"),
        16 => format!("{u:x}"),
        _ => format!("{u}"),
    };
    if digits.len() < prec {
        digits = "0".repeat(prec - digits.len()) + &digits;
    }
    let mut prefix = String::new();
    if f.sharp {
        match base {
            2 => prefix.push_str("0b"),
            8 if !digits.starts_with('0') => prefix.push('0'),
            16 => prefix.push_str(if upper { "0X" } else { "0x" }),
            _ => {}
        }
    }
    if verb == 'O' {
        prefix = "0o".into();
    }
    let sign = if negative {
        "-"
    } else if f.plus {
        "+"
    } else if f.space {
        " "
    } else {
        ""
    };
    let s = format!("{sign}{prefix}{digits}");
    let mut g = *f;
    g.zero = false;
    pad(out, &s, &g);
}

// ----- floats -----

fn fmt_float_verb(out: &mut String, v: &Value, x: f64, verb: char, f: &Flags) {
    match verb {
        'v' => fmt_float(out, x, 'g', f.prec, f),
        'g' | 'G' | 'b' | 'x' | 'X' => fmt_float(out, x, verb, f.prec, f),
        'f' | 'F' | 'e' | 'E' => fmt_float(out, x, verb, Some(f.prec.unwrap_or(6)), f),
        _ => bad_verb(out, v, verb, f, 0),
    }
}

fn fmt_float(out: &mut String, x: f64, verb: char, prec: Option<usize>, f: &Flags) {
    let mut num = if x.is_nan() {
        "+NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        let s = format_float(x, verb, prec);
        if s.starts_with('-') {
            s
        } else {
            format!("+{s}")
        }
    };
    if f.space && num.starts_with('+') && !f.plus {
        num.replace_range(0..1, " ");
    }
    if f.sharp && verb != 'b' && !num[1..].starts_with('I') && !num[1..].starts_with('N') {
        num = sharp_float(num, verb, prec);
    }
    let special = num[1..].starts_with('I') || num[1..].starts_with('N');
    if special {
        if num[1..].starts_with('N') && !f.space && !f.plus {
            num.remove(0);
        }
        let mut g = *f;
        g.zero = false;
        pad(out, &num, &g);
        return;
    }
    if f.plus || !num.starts_with('+') {
        if f.zero && !f.minus && f.wid.is_some_and(|w| w > num.len()) {
            let w = f.wid.unwrap_or(0);
            out.push_str(&num[..1]);
            out.extend(std::iter::repeat_n('0', w - num.len()));
            out.push_str(&num[1..]);
            return;
        }
        pad(out, &num, f);
        return;
    }
    pad(out, &num[1..], f);
}

/// Go's `%#` for floats: always a decimal point, and for `%g`/`%x` trailing zeros up to
/// the precision (6 by default).
fn sharp_float(num: String, verb: char, prec: Option<usize>) -> String {
    let mut digits: i64 = match verb {
        'g' | 'G' | 'x' => prec.map_or(6, |p| p as i64),
        _ => 0,
    };
    let (sign, body) = num.split_at(1);
    let mut mant = String::new();
    let mut tail = String::new();
    let mut has_point = false;
    let mut saw_nonzero = false;
    for (i, c) in body.char_indices() {
        match c {
            '.' => {
                has_point = true;
                mant.push(c);
            }
            'p' | 'P' => {
                tail = body[i..].to_string();
                break;
            }
            'e' | 'E' if verb != 'x' && verb != 'X' => {
                tail = body[i..].to_string();
                break;
            }
            _ => {
                if c != '0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
                mant.push(c);
            }
        }
    }
    if !has_point {
        if mant == "0" {
            digits -= 1;
        }
        mant.push('.');
    }
    while digits > 0 {
        mant.push('0');
        digits -= 1;
    }
    format!("{sign}{mant}{tail}")
}

/// Decimal digits `d1 d2 ... dn` (no trailing zeros) with value `0.d1d2...dn × 10^dp`.
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

/// Parse Rust's `{:e}` output (`1.2345e6`) into digits.
fn digits_from_exp(s: &str) -> Digits {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while d.last() == Some(&b'0') {
        d.pop();
    }
    if d.is_empty() {
        return Digits { d, dp: 0 };
    }
    Digits { d, dp: exp + 1 }
}

fn fmt_e(neg: bool, digs: &Digits, prec: usize, e: char) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push(digs.d.first().map(|&c| c as char).unwrap_or('0'));
    if prec > 0 {
        s.push('.');
        for i in 1..=prec {
            s.push(digs.d.get(i).map(|&c| c as char).unwrap_or('0'));
        }
    }
    s.push(e);
    let exp = if digs.d.is_empty() { 0 } else { digs.dp - 1 };
    if exp < 0 {
        s.push('-');
    } else {
        s.push('+');
    }
    let a = exp.unsigned_abs();
    if a < 10 {
        s.push('0');
    }
    s.push_str(&a.to_string());
    s
}

fn fmt_f(neg: bool, digs: &Digits, prec: usize) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if digs.dp > 0 {
        let dp = digs.dp as usize;
        for i in 0..dp {
            s.push(digs.d.get(i).map(|&c| c as char).unwrap_or('0'));
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for i in 1..=prec as i64 {
            let j = digs.dp as i64 + i - 1;
            let c = if j >= 0 {
                digs.d.get(j as usize).map(|&c| c as char).unwrap_or('0')
            } else {
                '0'
            };
            s.push(c);
        }
    }
    s
}

/// Go's `strconv.FormatFloat(x, verb, prec, 64)` for finite `x` (`None` = shortest).
pub(crate) fn format_float(x: f64, verb: char, prec: Option<usize>) -> String {
    let neg = x.is_sign_negative();
    let a = x.abs();
    match verb {
        'f' | 'F' => {
            let p = prec.unwrap_or(usize::MAX);
            if p == usize::MAX {
                let digs = digits_from_exp(&format!("{a:e}"));
                let p = (digs.d.len() as i64 - digs.dp as i64).max(0) as usize;
                return fmt_f(neg, &digs, p);
            }
            let p = p.min(1000);
            let s = format!("{a:.p$}");
            if neg { format!("-{s}") } else { s }
        }
        'e' | 'E' => {
            let digs = match prec {
                None => digits_from_exp(&format!("{a:e}")),
                Some(p) => digits_from_exp(&format!("{a:.*e}", p.min(1000))),
            };
            let p = prec.unwrap_or(digs.d.len().saturating_sub(1));
            fmt_e(neg, &digs, p.min(1000), verb)
        }
        'g' | 'G' => {
            let e = if verb == 'g' { 'e' } else { 'E' };
            let shortest = prec.is_none();
            let (digs, mut p) = match prec {
                None => {
                    let d = digits_from_exp(&format!("{a:e}"));
                    let n = d.d.len();
                    (d, n)
                }
                Some(p) => {
                    let p = p.clamp(1, 1000);
                    (digits_from_exp(&format!("{a:.*e}", p - 1)), p)
                }
            };
            let nd = digs.d.len();
            let mut eprec = p;
            if eprec > nd && nd as i64 >= digs.dp as i64 {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp as i64 - 1;
            if nd == 0 {
                // Zero.
                return fmt_f(neg, &digs, 0);
            }
            if exp < -4 || exp >= eprec as i64 {
                if p > nd {
                    p = nd;
                }
                return fmt_e(neg, &digs, p.saturating_sub(1), e);
            }
            if p as i64 > digs.dp as i64 {
                p = nd;
            }
            fmt_f(neg, &digs, (p as i64 - digs.dp as i64).max(0) as usize)
        }
        'b' => {
            let bits = a.to_bits();
            let mut exp = ((bits >> 52) & 0x7ff) as i64;
            let mut mant = bits & ((1u64 << 52) - 1);
            if exp == 0 {
                exp = 1;
            } else {
                mant |= 1u64 << 52;
            }
            exp -= 1023 + 52;
            format!(
                "{}{}p{}{}",
                if neg { "-" } else { "" },
                mant,
                if exp >= 0 { "+" } else { "-" },
                exp.abs()
            )
        }
        'x' | 'X' => {
            let s = hex_float(a, prec);
            let s = if verb == 'X' { s.to_uppercase() } else { s };
            if neg { format!("-{s}") } else { s }
        }
        _ => format!("{x}"),
    }
}

/// `%x` on a float: `0x1.8p+01`.
fn hex_float(a: f64, prec: Option<usize>) -> String {
    if a == 0.0 {
        let frac = match prec {
            Some(p) if p > 0 => format!(".{}", "0".repeat(p)),
            _ => String::new(),
        };
        return format!("0x0{frac}p+00");
    }
    let bits = a.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        // Subnormal: normalise.
        exp = -1022;
        while mant & (1u64 << 52) == 0 {
            mant <<= 1;
            exp -= 1;
        }
        mant &= (1u64 << 52) - 1;
    } else {
        exp -= 1023;
    }
    let mut frac = format!("{mant:013x}");
    match prec {
        None => {
            while frac.ends_with('0') {
                frac.pop();
            }
        }
        Some(p) if p < 13 => {
            // Round to p hex digits (half to even on the dropped bits).
            let shift = (13 - p) * 4;
            let full = (1u64 << 52) | mant;
            let keep = full >> shift;
            let rem = full & ((1u64 << shift) - 1);
            let half = 1u64 << (shift - 1);
            let mut r = keep;
            if rem > half || (rem == half && keep & 1 == 1) {
                r += 1;
            }
            if r >> (p * 4) >= 2 {
                r >>= 1;
                exp += 1;
            }
            let m = r & ((1u64 << (p * 4)) - 1);
            frac = if p == 0 {
                String::new()
            } else {
                format!("{m:0width$x}", width = p)
            };
        }
        Some(p) => {
            frac.push_str(&"0".repeat(p - 13));
        }
    }
    let sign = if exp < 0 { '-' } else { '+' };
    let dot = if frac.is_empty() { "" } else { "." };
    format!("0x1{dot}{frac}p{sign}{:02}", exp.abs())
}

// ----- strings -----

fn fmt_string(out: &mut String, v: &Value, s: &str, verb: char, f: &Flags) {
    match verb {
        'v' if f.sharp_v => pad(out, &quote_str(s), f),
        'v' | 's' => {
            let t: String;
            let s = match f.prec {
                Some(p) => {
                    t = s.chars().take(p).collect();
                    &t
                }
                None => s,
            };
            pad(out, s, f)
        }
        'q' => {
            let t: String;
            let s = match f.prec {
                Some(p) => {
                    t = s.chars().take(p).collect();
                    &t
                }
                None => s,
            };
            let q = if f.sharp && can_backquote(s) {
                format!("`{s}`")
            } else if f.plus {
                quote_ascii(s)
            } else {
                quote_str(s)
            };
            pad(out, &q, f)
        }
        'x' | 'X' => fmt_hex_bytes(out, s.as_bytes(), verb, f),
        _ => bad_verb(out, v, verb, f, 0),
    }
}

fn fmt_hex_bytes(out: &mut String, b: &[u8], verb: char, f: &Flags) {
    let b = match f.prec {
        Some(p) if p < b.len() => &b[..p],
        _ => b,
    };
    let mut s = String::new();
    for (i, byte) in b.iter().enumerate() {
        if f.space && i > 0 {
            s.push(' ');
        }
        if f.sharp && (f.space || i == 0) {
            s.push_str(if verb == 'X' { "0X" } else { "0x" });
        }
        if verb == 'X' {
            s.push_str(&format!("{byte:02X}"));
        } else {
            s.push_str(&format!("{byte:02x}"));
        }
    }
    pad(out, &s, f)
}

/// Approximation of Go's `unicode.IsPrint` (letters, marks, numbers, punctuation,
/// symbols and the ASCII space).
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    // Format characters, private use, noncharacters and unassigned-looking ranges.
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFFFE | 0xFFFF | 0xD800..=0xDFFF)
}

fn escape_char(out: &mut String, c: char, quote: char, ascii_only: bool) {
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x80 && is_print(c) => out.push(c),
        c if !ascii_only && is_print(c) => out.push(c),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `strconv.Quote`.
pub fn quote_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        escape_char(&mut out, c, '"', false);
    }
    out.push('"');
    out
}

/// Go's `strconv.Quote` (`QuoteToASCII` when `ascii_only`) of a string holding any bytes:
/// bytes that are not UTF-8 become `\xNN`.
pub fn quote_bytes(b: &[u8], ascii_only: bool) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            escape_char(&mut out, c, '"', ascii_only);
        }
        for x in chunk.invalid() {
            out.push_str(&format!("\\x{x:02x}"));
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteToASCII`.
pub fn quote_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        escape_char(&mut out, c, '"', true);
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune` (`QuoteRuneToASCII` when `ascii_only`).
pub fn quote_rune(c: char, ascii_only: bool) -> String {
    let mut out = String::from("'");
    escape_char(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c.is_control())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_no_value_removes_every_occurrence() {
        let f = |s: &str| strip_no_value(s.to_string());
        assert_eq!(f("a: b\n"), "a: b\n");
        assert_eq!(f("<no value>"), "");
        assert_eq!(f("x<no value>y<no value><no value>z <a>"), "xyz <a>");
        assert_eq!(f("<<no value>no value>"), "<no value>");
        assert_eq!(f("é<no valu"), "é<no valu");
    }
    use std::collections::BTreeMap;

    fn g(x: f64) -> String {
        format_value(&Value::Float(x))
    }

    #[test]
    fn float_v() {
        assert_eq!(g(1000000.0), "1e+06");
        assert_eq!(g(100000.0), "100000");
        assert_eq!(g(3.0), "3");
        assert_eq!(g(0.00001), "1e-05");
        assert_eq!(g(0.0001), "0.0001");
        assert_eq!(g(1234567.0), "1.234567e+06");
        assert_eq!(g(1.5), "1.5");
        assert_eq!(g(0.1), "0.1");
        assert_eq!(g(-2.5), "-2.5");
        assert_eq!(g(0.0), "0");
        assert_eq!(g(-0.0), "-0");
        assert_eq!(g(1e21), "1e+21");
        assert_eq!(g(123456.789), "123456.789");
        assert_eq!(g(1e100), "1e+100");
        assert_eq!(g(f64::INFINITY), "+Inf");
        assert_eq!(g(f64::NEG_INFINITY), "-Inf");
        assert_eq!(g(f64::NAN), "NaN");
    }

    fn p(f: &str, args: &[Value]) -> String {
        sprintf(f, args)
    }

    #[test]
    fn printf_basics() {
        assert_eq!(p("%d", &[Value::Int(42)]), "42");
        // int64 prints like int; only %T and the error forms name the type.
        let big = Value::Int64(65);
        assert_eq!(
            p(
                "%d|%5d|%x|%q|%c|%v|%f|%T",
                &[
                    big.clone(),
                    big.clone(),
                    big.clone(),
                    big.clone(),
                    big.clone(),
                    big.clone(),
                    big.clone(),
                    big
                ]
            ),
            "65|   65|41|'A'|A|65|%!f(int64=65)|int64"
        );
        assert_eq!(p("%*d", &[Value::Int64(4), Value::Int(7)]), "   7");
        assert_eq!(
            p("%5d|%-5d|%05d", &[3.into(), 3.into(), (-3).into()]),
            "    3|3    |-0003"
        );
        assert_eq!(
            p(
                "%x %X %o %b %O",
                &[255.into(), 255.into(), 8.into(), 5.into(), 8.into()]
            ),
            "ff FF 10 101 0o10"
        );
        assert_eq!(p("%#x %#o", &[255.into(), 8.into()]), "0xff 010");
        assert_eq!(p("%s", &["hi".into()]), "hi");
        assert_eq!(p("%q", &["a\"b".into()]), r#""a\"b""#);
        assert_eq!(p("%v %v", &[true.into(), Value::Nil]), "true <nil>");
        assert_eq!(p("%t", &[false.into()]), "false");
        assert_eq!(p("%c%c", &[72.into(), 105.into()]), "Hi");
        assert_eq!(p("%q", &[97.into()]), "'a'");
        assert_eq!(p("%U", &[0x41.into()]), "U+0041");
        assert_eq!(p("%%", &[]), "%");
        assert_eq!(p("%.2f", &[3.14158.into()]), "3.14");
        assert_eq!(p("%f", &[1.5.into()]), "1.500000");
        assert_eq!(p("%e", &[1234.5678.into()]), "1.234568e+03");
        assert_eq!(p("%g", &[1e6.into()]), "1e+06");
        assert_eq!(p("%.3g", &[1234.0.into()]), "1.23e+03");
        assert_eq!(p("%.3g", &[1.0.into()]), "1");
        assert_eq!(p("%8.3f|", &[3.14158.into()]), "   3.142|");
        assert_eq!(p("%+d % d", &[5.into(), 5.into()]), "+5  5");
        assert_eq!(p("%x", &["hi".into()]), "6869");
        assert_eq!(p("% x", &["hi".into()]), "68 69");
        assert_eq!(p("%.2s", &["hello".into()]), "he");
        assert_eq!(
            p(
                "%T %T %T %T",
                &[1.into(), 1.5.into(), "s".into(), Value::Nil]
            ),
            "int float64 string <nil>"
        );
        assert_eq!(p("%6.2f", &[(-1.0).into()]), " -1.00");
        assert_eq!(p("%06.2f", &[(-1.0).into()]), "-01.00");
    }

    #[test]
    fn printf_errors() {
        assert_eq!(p("%d", &["x".into()]), "%!d(string=x)");
        assert_eq!(p("%d", &[1.5.into()]), "%!d(float64=1.5)");
        assert_eq!(p("%s", &[5.into()]), "%!s(int=5)");
        assert_eq!(p("%s", &[Value::Nil]), "%!s(<nil>)");
        assert_eq!(p("%s %s", &["a".into()]), "a %!s(MISSING)");
        assert_eq!(
            p("hi", &[1.into(), "x".into()]),
            "hi%!(EXTRA int=1, string=x)"
        );
        assert_eq!(p("%", &[]), "%!(NOVERB)");
        assert_eq!(p("%z", &[1.into()]), "%!z(int=1)");
        assert_eq!(p("%!", &[]), "%!!(MISSING)");
        assert_eq!(p("%[2]d %[1]d", &[1.into(), 2.into()]), "2 1");
        assert_eq!(p("%[3]d", &[1.into()]), "%!d(BADINDEX)");
        assert_eq!(p("%*d", &[4.into(), 7.into()]), "   7");
        assert_eq!(p("%t", &[1.into()]), "%!t(int=1)");
    }

    #[test]
    fn composite() {
        let mut m = BTreeMap::new();
        m.insert("b".to_string(), Value::Int(2));
        m.insert(
            "a".to_string(),
            Value::list(vec![1.into(), "x".into(), Value::Nil]),
        );
        let v = Value::map(m);
        assert_eq!(format_value(&v), "map[a:[1 x <nil>] b:2]");
        assert_eq!(
            p("%d", std::slice::from_ref(&v)),
            "map[%!d(string=a):[1 %!d(string=x) <nil>] %!d(string=b):2]"
        );
        assert_eq!(
            format_value(&Value::Bytes(vec![104u8, 105].into())),
            "[104 105]"
        );
        assert_eq!(p("%s", &[Value::Bytes(vec![104u8, 105].into())]), "hi");
        assert_eq!(
            sprint(&["a".into(), 1.into(), 2.into(), "b".into(), "c".into()]),
            "a1 2bc"
        );
        assert_eq!(sprintln(&["a".into(), 1.into()]), "a 1\n");
        assert_eq!(
            p("%v", &[Value::list(vec![1.5.into(), 1e6.into()])]),
            "[1.5 1e+06]"
        );
        assert_eq!(p("%#v", &["a".into()]), r#""a""#);
    }

    #[test]
    fn quoting() {
        assert_eq!(quote_str("a\nb\t\"c\"\\"), r#""a\nb\t\"c\"\\""#);
        assert_eq!(quote_str("é\u{1}"), "\"é\\x01\"");
        assert_eq!(quote_ascii("é"), r#""\u00e9""#);
    }

    #[test]
    fn hex_floats() {
        assert_eq!(format_float(1.0, 'x', None), "0x1p+00");
        assert_eq!(format_float(3.0, 'x', None), "0x1.8p+01");
        assert_eq!(format_float(1.0, 'b', None), "4503599627370496p-52");
    }
}
