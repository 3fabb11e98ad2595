//! Golden test: each line of `testdata/helm_cases.tpl` is a template rendered on its own, and
//! the matching line of `testdata/helm_cases.out` is what helm v4.1.4 printed for it (the
//! lines were placed in a chart and rendered with `helm template`; values below).
//!
//! To refresh after adding lines: put each line behind `  # ` in a `data:` block of a chart
//! template, run `helm template x <chart>`, strip the first three lines and the `  # ` prefix.
//!
//! Left out on purpose: results whose Go type is `int64` or `[]string` (Sprig's math and
//! `splitList`): our value model has one integer and one list type, so `typeOf (add 1 2)` says
//! `int` where Go says `int64`.

use std::collections::BTreeMap;

use crate::func::FuncMap;
use crate::value::Value;
use crate::{Limits, TemplateSet};

const CASES: &str = include_str!("testdata/helm_cases.tpl");
const EXPECTED: &str = include_str!("testdata/helm_cases.out");

fn values() -> Value {
    let mut vals = BTreeMap::new();
    vals.insert("num".to_string(), Value::Float(63.0));
    vals.insert("flt".to_string(), Value::Float(1.5));
    vals.insert("big".to_string(), Value::Float(1e6));
    vals.insert("str".to_string(), Value::from("hello"));
    let mut root = BTreeMap::new();
    root.insert("Values".to_string(), Value::map(vals));
    Value::map(root)
}

#[test]
fn lines_render_like_helm() {
    let mut funcs = FuncMap::new();
    super::register(&mut funcs);
    let data = values();
    let cases: Vec<&str> = CASES.lines().collect();
    let expected: Vec<&str> = EXPECTED.lines().collect();
    assert_eq!(cases.len(), expected.len(), "one expected line per case");
    // Named zones come from the system database; without it (a bare container) those lines
    // cannot match and are skipped.
    let have_tzdb = jiff::tz::TimeZone::get("Europe/Berlin").is_ok();
    let mut bad = Vec::new();
    for (n, (tpl, want)) in cases.iter().zip(&expected).enumerate() {
        let named_zone = ["Asia/", "Europe/", "America/", "Pacific/", "Etc/"]
            .iter()
            .any(|z| tpl.contains(z));
        if named_zone && !have_tzdb {
            continue;
        }
        let mut set = TemplateSet::new();
        let name = format!("case{}", n + 1);
        let got = set
            .parse(&name, tpl)
            .and_then(|_| set.execute(&name, &data, &funcs, &Limits::default()))
            // Helm replaces Go's "<no value>" with nothing.
            .map(|out| out.replace("<no value>", ""));
        match got {
            Ok(out) if out == *want => {}
            Ok(out) => bad.push(format!(
                "line {}: {tpl}\n  got  {out}\n  want {want}",
                n + 1
            )),
            Err(e) => bad.push(format!("line {}: {tpl}\n  error {e}\n  want {want}", n + 1)),
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
