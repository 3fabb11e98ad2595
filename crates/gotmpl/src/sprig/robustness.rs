//! No Sprig function may panic, whatever a chart passes it: every registered function is
//! called with every combination (up to three arguments) of awkward values.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::testutil::{call, i, l, m, s};
use crate::func::FuncMap;
use crate::value::Value;

/// Functions left out: they generate RSA keys or run scrypt/bcrypt for every valid call,
/// which would make this test take minutes. Their argument handling is tested in crypto.rs.
const SLOW: &[&str] = &[
    "genPrivateKey",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "derivePassword",
    "bcrypt",
    "htpasswd",
];

/// A map that contains itself (`$_ := set $d "self" $d`).
fn cyclic() -> Value {
    let d = m(&[("a", i(1))]);
    if let Value::Map(inner) = &d {
        inner.borrow_mut().insert("self".into(), d.clone());
    }
    d
}

fn pool() -> Vec<Value> {
    vec![
        Value::Nil,
        Value::Bool(true),
        i(0),
        i(-1),
        i(3),
        i(i64::MAX),
        i(i64::MIN),
        Value::Int64(i64::MIN),
        Value::Int64(7),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(-1e308),
        Value::Float(2.5),
        s(""),
        s("é€😀x"),
        s("%zz[(\\"),
        s("2006-01-02T15:04:05Z07:00"),
        s("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"),
        s("1.2.3-rc.1"),
        Value::Bytes(vec![0xff, 0xfe, b'a'].into()),
        Value::from_go_bytes(vec![0xff, b'%', b'a', 0xc3]),
        l(vec![]),
        l(vec![Value::Nil, s("a"), i(1), l(vec![i(2)])]),
        m(&[]),
        m(&[
            ("a", m(&[("b", Value::Nil)])),
            ("Cert", s("x")),
            ("Key", s("y")),
        ]),
        call("now", &[]).unwrap(),
        call("semver", &[s("1.2.3")]).unwrap(),
    ]
}

#[test]
fn no_function_panics() {
    let mut funcs = FuncMap::new();
    super::register(&mut funcs);
    let mut names: Vec<String> = funcs.names().map(str::to_string).collect();
    names.sort();
    let pool = pool();
    let mut panics = Vec::new();
    for name in names.iter().filter(|n| !SLOW.contains(&n.as_str())) {
        let f = funcs.get(name).unwrap().clone();
        let mut arg_lists: Vec<Vec<Value>> = vec![vec![]];
        for a in &pool {
            arg_lists.push(vec![a.clone()]);
            for b in &pool {
                arg_lists.push(vec![a.clone(), b.clone()]);
            }
        }
        // Three arguments: a smaller cross product keeps the test fast.
        for a in pool.iter().step_by(3) {
            for b in pool.iter().step_by(2) {
                for c in pool.iter().step_by(2) {
                    arg_lists.push(vec![a.clone(), b.clone(), c.clone()]);
                }
            }
        }
        for args in arg_lists {
            let result = catch_unwind(AssertUnwindSafe(|| f(&args)));
            if result.is_err() {
                panics.push(format!("{name} {args:?}"));
            }
        }
    }
    assert!(panics.is_empty(), "panicked:\n{}", panics.join("\n"));
}

/// Functions that walk nested values stop on a cyclic map instead of overflowing the stack.
/// (Printing such a map is the engine's business: `fmt::format_value`.)
#[test]
fn cyclic_maps_do_not_hang() {
    let d = cyclic();
    let other = cyclic();
    assert!(
        call("deepCopy", std::slice::from_ref(&d))
            .unwrap_err()
            .contains("nested deeper")
    );
    assert_eq!(
        call("deepEqual", &[d.clone(), other.clone()])
            .ok()
            .map(|v| v.is_truthy()),
        Some(false)
    );
    assert!(call("has", &[d.clone(), l(vec![other.clone()])]).is_ok());
    assert!(call("uniq", &[l(vec![d.clone(), other.clone()])]).is_ok());
    assert!(call("merge", &[m(&[]), d.clone()]).is_ok());
    assert!(call("mergeOverwrite", &[other, d.clone()]).is_ok());
    assert!(call("dig", &[s("self"), s("self"), s("a"), s("x"), d]).is_ok());
}

/// The host objects (times, versions, certificates) answer any field or method call without
/// panicking.
#[test]
fn objects_do_not_panic() {
    let pool = pool();
    let objects: Vec<Value> = pool
        .iter()
        .filter(|v| matches!(v, Value::Object(_)))
        .cloned()
        .chain([
            call("toDate", &[s("2006"), s("0001")]).unwrap(),
            call("date", &[s("2006"), i(i64::MAX)]).unwrap(),
            call("dateInZone", &[s("2006"), i(i64::MIN), s("Asia/Kolkata")]).unwrap(),
        ])
        .collect();
    let names = [
        "Format",
        "Add",
        "AddDate",
        "Before",
        "After",
        "Equal",
        "In",
        "Compare",
        "LessThan",
        "GreaterThan",
        "Year",
        "Month",
        "Day",
        "Unix",
        "UnixNano",
        "UnixMilli",
        "YearDay",
        "Weekday",
        "UTC",
        "Local",
        "String",
        "IsZero",
        "Location",
        "Major",
        "IncMajor",
        "IncPatch",
        "Cert",
        "Key",
        "Nope",
    ];
    let mut panics = Vec::new();
    for o in &objects {
        let Value::Object(obj) = o else { continue };
        for name in names {
            if catch_unwind(AssertUnwindSafe(|| obj.field(name))).is_err() {
                panics.push(format!("{} .{name}", obj.type_name()));
            }
            let mut arg_lists: Vec<Vec<Value>> = vec![vec![]];
            for a in &pool {
                arg_lists.push(vec![a.clone()]);
                for b in pool.iter().step_by(2) {
                    for c in pool.iter().step_by(2) {
                        arg_lists.push(vec![a.clone(), b.clone(), c.clone()]);
                    }
                }
            }
            for args in arg_lists {
                if catch_unwind(AssertUnwindSafe(|| obj.call_method(name, &args))).is_err() {
                    panics.push(format!("{} .{name} {args:?}", obj.type_name()));
                }
            }
        }
    }
    assert!(panics.is_empty(), "panicked:\n{}", panics.join("\n"));
}
