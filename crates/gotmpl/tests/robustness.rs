//! Hostile input: random template text, deep nesting, huge numbers. Nothing may panic,
//! overflow the stack or run unbounded; everything ends in output or an error.

mod common;

use common::json;
use gotmpl::{FuncMap, Limits, TemplateSet, Value};

/// A small deterministic PRNG (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{{-",
    "-}}",
    " ",
    "\n",
    "/*",
    "*/",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "\"x\"",
    "`r`",
    "'c'",
    "$",
    "$x",
    ":=",
    "=",
    "|",
    "(",
    ")",
    ".",
    ".a",
    ".b.c",
    "1",
    "-2",
    "1.5e3",
    "0x1F",
    "nil",
    "true",
    "eq",
    "and",
    "or",
    "not",
    "len",
    "index",
    "slice",
    "print",
    "printf",
    "\"%d %s %v\"",
    "html",
    "js",
    "urlquery",
    "call",
    "lt",
    "ge",
    ",",
    "a",
    "é",
    "\\",
    "\"",
    "{",
    "}",
    "-",
    "include",
    "tpl",
    "'",
    "`",
    "0",
    "9999999999999999999999",
    "%",
    "\t",
    "\r",
    "*",
    "@",
];

fn funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.insert_ctx("include", |ctx, args| {
        let name = args
            .first()
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let data = args.get(1).cloned().unwrap_or_default();
        ctx.execute_named(&name, &data)
            .map(Value::from)
            .map_err(|e| e.to_string())
    });
    f.insert_ctx("tpl", |ctx, args| {
        let text = args
            .first()
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let data = args.get(1).cloned().unwrap_or_default();
        ctx.execute_text("gotpl", &text, &data)
            .map(Value::from)
            .map_err(|e| e.to_string())
    });
    f
}

#[test]
fn random_templates_never_panic() {
    let data = json(r#"{"a": {"x": 1}, "b": {"c": [1, "two", null]}, "l": [1, 2]}"#);
    let limits = Limits {
        max_steps: 20_000,
        max_output_bytes: 1 << 16,
        max_depth: 50,
        ..Limits::default()
    };
    let funcs = funcs();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for _ in 0..20_000 {
        let n = 1 + rng.next() % 24;
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(rng.pick(PIECES));
            if rng.next().is_multiple_of(3) {
                text.push(' ');
            }
        }
        let mut set = TemplateSet::new();
        if set.parse("t", &text).is_ok() {
            parsed += 1;
            let _ = set.execute("t", &data, &funcs, &limits);
        }
    }
    assert!(parsed > 100, "only {parsed} random templates parsed");
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(12345);
    for _ in 0..5_000 {
        let n = (rng.next() % 40) as usize;
        const ALPHABET: &[u8] = b"{}-/* \"`'$.|()=:,\\\nab1";
        let bytes: Vec<u8> = (0..n)
            .map(|_| ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize])
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        let mut set = TemplateSet::new();
        if set.parse("t", &text).is_ok() {
            let _ = set.execute("t", &Value::Nil, &FuncMap::new(), &Limits::default());
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    // Runs on a 2 MiB test thread in debug builds.
    let deep_ifs = "{{ if true }}".repeat(5000) + &"{{ end }}".repeat(5000);
    let err = TemplateSet::new().parse("t", &deep_ifs).unwrap_err();
    assert!(err.to_string().contains("nesting deeper than"), "{err}");

    let deep_parens = "{{ ".to_string() + &"(".repeat(5000) + "1" + &")".repeat(5000) + " }}";
    let err = TemplateSet::new().parse("t", &deep_parens).unwrap_err();
    assert!(err.to_string().contains("nesting deeper than"), "{err}");

    // Just inside the parser's bound, execution still fits the default stack budget
    // or stops with a limit error.
    let n = gotmpl::MAX_NESTING - 1;
    let ok_ifs = "{{ if true }}".repeat(n) + "x" + &"{{ end }}".repeat(n);
    let mut set = TemplateSet::new();
    set.parse("t", &ok_ifs).unwrap();
    let r = set.execute("t", &Value::Nil, &FuncMap::new(), &Limits::default());
    assert!(r.as_deref() == Ok("x") || r.is_err());

    let ok_parens = "{{ ".to_string() + &"(".repeat(n) + "1" + &")".repeat(n) + " }}";
    let mut set = TemplateSet::new();
    set.parse("t", &ok_parens).unwrap();
    let r = set.execute("t", &Value::Nil, &FuncMap::new(), &Limits::default());
    assert!(r.as_deref() == Ok("1") || r.is_err());
}

#[test]
fn tpl_recursion_is_bounded() {
    let mut set = TemplateSet::new();
    set.parse("t", r#"{{ tpl .t . }}"#).unwrap();
    let data = json(r#"{"t": "{{ tpl .t . }}"}"#);
    let err = set
        .execute("t", &data, &funcs(), &Limits::default())
        .unwrap_err();
    assert_eq!(err.kind(), &gotmpl::ErrorKind::Limit);
}

#[test]
fn self_containing_map_prints_and_copies_without_crashing() {
    let m = Value::empty_map();
    if let Value::Map(inner) = &m {
        inner.borrow_mut().insert("a".into(), m.clone());
        inner.borrow_mut().insert("b".into(), m.clone());
    }
    let s = gotmpl::fmt::format_value(&m);
    assert!(s.starts_with("map[a:map[a:map["), "{}", &s[..40]);
    assert!(s.len() <= (16 << 20) + 1024);
    let _ = m.deep_copy();
    // Break the cycle so the test does not leak.
    if let Value::Map(inner) = &m {
        inner.borrow_mut().clear();
    }
}
