//! Table-driven compatibility cases: template + data → output or Go error text.
//!
//! `cases/helm_oracle.txt` was produced by running each template through helm v4.1.4
//! (Helm's own `slice` from Sprig differs from Go's built-in and is excluded); the other
//! files are written from Go's documented behaviour.

mod common;

use std::collections::BTreeMap;

use common::json;
use gotmpl::{FuncMap, Limits, TemplateSet, Value};

/// The values every case sees under `.Values` (what helm read from values.yaml).
const VALUES: &str = r#"{
  "s": "hello", "num": 3, "f": 1.5, "big": 1000000, "small": 0.00001, "t": true,
  "e": "", "z": 0, "nul": null, "l": [1, "a", null, 2.5], "el": [],
  "m": {"b": 2, "a": 1, "c": {"d": "x"}}, "em": {}, "false": 3
}"#;

struct Case {
    name: String,
    template: String,
    expected: String,
}

fn load(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let text = format!("\n{text}");
    let mut rest = text.as_str();
    while let Some(start) = rest.find("\n=== ") {
        rest = &rest[start + 5..];
        let (name, body) = rest.split_once('\n').unwrap();
        let end = body
            .find("\n=== ")
            .unwrap_or(body.len() - usize::from(body.ends_with('\n')));
        let record = &body[..end];
        let (tmpl, expected) = record
            .split_once("\n---\n")
            .unwrap_or_else(|| panic!("case {name}: no ---"));
        cases.push(Case {
            name: name.trim().to_string(),
            template: tmpl.to_string(),
            expected: expected.to_string(),
        });
        rest = &body[end..];
    }
    cases
}

fn root() -> Value {
    let mut m = BTreeMap::new();
    m.insert("Values".to_string(), json(VALUES));
    m.insert(
        "Release".to_string(),
        json(r#"{"Name": "x", "Namespace": "default"}"#),
    );
    Value::map(m)
}

fn run_file(text: &str) {
    let funcs = FuncMap::new();
    let mut failures = Vec::new();
    let cases = load(text);
    assert!(!cases.is_empty());
    for c in &cases {
        let mut set = TemplateSet::new();
        let got = match set.parse("t", &c.template) {
            Err(e) => format!("ERR: {e}"),
            Ok(()) => match set.execute("t", &root(), &funcs, &Limits::default()) {
                Ok(s) => s,
                Err(e) => format!("ERR: {e}"),
            },
        };
        if got != c.expected {
            failures.push(format!(
                "--- {}\n  template: {:?}\n  expected: {:?}\n  got:      {:?}",
                c.name, c.template, c.expected, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn helm_oracle() {
    run_file(include_str!("cases/helm_oracle.txt"));
}

#[test]
fn parse_errors() {
    run_file(include_str!("cases/parse_errors.txt"));
}

#[test]
fn exec_oracle() {
    run_file(include_str!("cases/exec_oracle.txt"));
}

#[test]
fn print_trim_oracle() {
    run_file(include_str!("cases/print_trim_oracle.txt"));
}

#[test]
fn random_oracle() {
    run_file(include_str!("cases/random_oracle.txt"));
}
