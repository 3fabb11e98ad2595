//! Engine features beyond single expressions: template sets, `define`/`template`/`block`,
//! context functions (Helm's `include`/`tpl` shape), host objects, limits, missing keys.

mod common;

use std::collections::BTreeMap;
use std::rc::Rc;

use common::json;
use gotmpl::{ErrorKind, FuncMap, Limits, MissingKey, Object, TemplateSet, Value};

/// `include` and `tpl` written the way the Helm layer does.
fn helm_like_funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.insert_ctx("include", |ctx, args| {
        let name = args
            .first()
            .and_then(Value::as_str)
            .ok_or("include: name must be a string")?;
        let data = args.get(1).cloned().unwrap_or_default();
        ctx.execute_named(name, &data)
            .map(Value::from)
            .map_err(|e| e.to_string())
    });
    f.insert_ctx("tpl", |ctx, args| {
        let text = args
            .first()
            .and_then(Value::as_str)
            .ok_or("tpl: text must be a string")?
            .to_string();
        let data = args.get(1).cloned().unwrap_or_default();
        let name = ctx.set_name().to_string();
        ctx.execute_text(&name, &text, &data)
            .map(|s| Value::from(s.replace("<no value>", "")))
            .map_err(|e| e.to_string())
    });
    f.insert("required", |args| match args {
        [Value::String(msg), v] if v.is_nil() => Err(msg.to_string()),
        [_, v] => Ok(v.clone()),
        _ => Err("wrong number of args".into()),
    });
    f.insert("boom", |_| panic!("kaboom"));
    f
}

fn exec(set: &TemplateSet, name: &str, data: &Value) -> String {
    match set.execute(name, data, &helm_like_funcs(), &Limits::default()) {
        Ok(s) => s,
        Err(e) => format!("ERR: {e}"),
    }
}

fn one(tmpl: &str, data: &str) -> String {
    let mut set = TemplateSet::new();
    if let Err(e) = set.parse("t", tmpl) {
        return format!("ERR: {e}");
    }
    let data = if data.is_empty() {
        Value::Nil
    } else {
        json(data)
    };
    exec(&set, "t", &data)
}

#[test]
fn define_and_template() {
    assert_eq!(
        one(
            r#"{{ define "x" }}[{{ . }}|{{ $ }}]{{ end }}{{ template "x" 1 }}{{ template "x" }}"#,
            ""
        ),
        "[1|1][<no value>|<no value>]"
    );
    assert_eq!(
        one(
            r#"{{ define "x" }}{{ .a }}{{ end }}{{ with .m }}{{ template "x" . }}{{ end }}"#,
            r#"{"m":{"a":"A"}}"#
        ),
        "A"
    );
    assert_eq!(
        one(r#"a: {{ block "b" . }}B{{ .v }}{{ end }}"#, r#"{"v":1}"#),
        "a: B1"
    );
    assert_eq!(
        one(r#"{{ template "nope" }}"#, ""),
        r#"ERR: template: t:1:12: executing "t" at <{{template "nope"}}>: template "nope" not defined"#
    );
    assert_eq!(
        one(
            r#"{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}"#,
            ""
        ),
        r#"ERR: template: t:1: template: multiple definition of template "a""#
    );
    // An empty definition never replaces a non-empty one; a non-empty one replaces an empty one.
    assert_eq!(
        one(
            r#"{{ define "a" }}{{ end }}{{ define "a" }}y{{ end }}{{ template "a" }}"#,
            ""
        ),
        "y"
    );
    assert_eq!(
        one(
            r#"{{ define "a" }}x{{ end }}{{ define "a" }} {{ end }}{{ template "a" }}"#,
            ""
        ),
        "x"
    );
}

#[test]
fn later_parse_overrides_earlier_define() {
    let mut set = TemplateSet::new();
    set.parse(
        "a.tpl",
        r#"{{ define "n" }}first{{ end }}{{ define "keep" }}K{{ end }}"#,
    )
    .unwrap();
    set.parse(
        "b.tpl",
        r#"{{ define "n" }}second{{ end }}{{ define "keep" }}  {{ end }}"#,
    )
    .unwrap();
    set.parse(
        "main",
        r#"{{ template "n" }}{{ template "keep" }}{{ block "blk" . }}default{{ end }}"#,
    )
    .unwrap();
    assert_eq!(exec(&set, "main", &Value::Nil), "secondKdefault");
    set.parse("override", r#"{{ define "blk" }}custom{{ end }}"#)
        .unwrap();
    assert_eq!(exec(&set, "main", &Value::Nil), "secondKcustom");
    assert!(set.contains("n") && set.contains("a.tpl") && !set.contains("zz"));
    assert_eq!(
        set.names(),
        vec!["a.tpl", "b.tpl", "blk", "keep", "main", "n", "override"]
    );
    let err = set
        .execute("zz", &Value::Nil, &FuncMap::new(), &Limits::default())
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::NoTemplate);
    assert_eq!(
        err.to_string(),
        r#"template: no template "zz" associated with template "gotpl""#
    );
}

#[test]
fn errors_name_the_file_and_the_running_template() {
    let mut set = TemplateSet::new();
    set.parse(
        "chart/templates/_helpers.tpl",
        "{{ define \"h\" }}\n  {{ .x.y }}\n{{ end }}",
    )
    .unwrap();
    set.parse("chart/templates/a.yaml", "a: {{ template \"h\" .Values }}")
        .unwrap();
    let err = set
        .execute(
            "chart/templates/a.yaml",
            &json(r#"{"Values":{}}"#),
            &FuncMap::new(),
            &Limits::default(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: chart/templates/_helpers.tpl:2:7: executing "h" at <.x.y>: nil pointer evaluating interface {}.y"#
    );
    assert_eq!(err.template_name(), Some("chart/templates/_helpers.tpl"));
    assert_eq!(err.executing(), Some("h"));
    assert_eq!((err.line(), err.column()), (Some(2), Some(7)));
    assert_eq!(err.context(), Some(".x.y"));
    assert_eq!(err.kind(), &ErrorKind::Exec);
}

#[test]
fn include_and_required() {
    let mut set = TemplateSet::new();
    set.parse(
        "_h.tpl",
        r#"{{ define "name" }}{{ .n | printf "%s-x" }}{{ end }}"#,
    )
    .unwrap();
    set.parse(
        "a.yaml",
        r#"{{ include "name" . }}|{{ include "name" . | len }}|{{ required "need v" .v }}"#,
    )
    .unwrap();
    assert_eq!(exec(&set, "a.yaml", &json(r#"{"n":"a","v":1}"#)), "a-x|3|1");
    let err = set
        .execute(
            "a.yaml",
            &json(r#"{"n":"a"}"#),
            &helm_like_funcs(),
            &Limits::default(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: a.yaml:1:55: executing "a.yaml" at <required "need v" .v>: error calling required: need v"#
    );
    assert_eq!(
        err.kind(),
        &ErrorKind::Call {
            func: "required".into()
        }
    );
    assert_eq!(err.call_message(), Some("need v"));
    assert_eq!(
        one(r#"{{ include "nope" . }}"#, "{}"),
        r#"ERR: template: t:1:3: executing "t" at <include "nope" .>: error calling include: template: no template "nope" associated with template "gotpl""#
    );
    // Errors inside an included template are wrapped like Go wraps them.
    assert_eq!(
        one(
            r#"{{ define "i" }}{{ .a.b }}{{ end }}{{ include "i" . }}"#,
            "{}"
        ),
        r#"ERR: template: t:1:38: executing "t" at <include "i" .>: error calling include: template: t:1:21: executing "i" at <.a.b>: nil pointer evaluating interface {}.b"#
    );
}

#[test]
fn tpl_sees_the_set_and_keeps_its_defines_local() {
    let mut set = TemplateSet::new();
    set.parse("_h.tpl", r#"{{ define "h" }}H{{ . }}{{ end }}"#)
        .unwrap();
    set.parse(
        "a.yaml",
        r#"{{ tpl .t . }}|{{ tpl "{{ define \"y\" }}Y{{ end }}{{ include \"y\" . }}" . }}|{{ tpl "{{ include \"h\" 1 }}" . }}|{{ include "y" . }}"#,
    )
    .unwrap();
    let out = exec(
        &set,
        "a.yaml",
        &json(r#"{"t":"{{ .s }}-{{ .missing }}","s":"S"}"#),
    );
    assert_eq!(
        out,
        r#"ERR: template: a.yaml:1:118: executing "a.yaml" at <include "y" .>: error calling include: template: no template "y" associated with template "gotpl""#
    );
    set.parse("b.yaml", r#"{{ tpl .t . }}|{{ tpl "{{ define \"y\" }}Y{{ end }}{{ include \"y\" . }}" . }}|{{ tpl "{{ include \"h\" 1 }}" . }}"#)
        .unwrap();
    let out = exec(
        &set,
        "b.yaml",
        &json(r#"{"t":"{{ .s }}-{{ .missing }}","s":"S"}"#),
    );
    assert_eq!(out, "S-|Y|H1");
    // Errors inside tpl text carry the name given by the caller.
    assert_eq!(
        one(r#"{{ tpl "{{ .a.b }}" . }}"#, "{}"),
        r#"ERR: template: t:1:3: executing "t" at <tpl "{{ .a.b }}" .>: error calling tpl: template: gotpl:1:5: executing "gotpl" at <.a.b>: nil pointer evaluating interface {}.b"#
    );
    assert_eq!(
        one(r#"{{ tpl "{{ if }}" . }}"#, "{}"),
        r#"ERR: template: t:1:3: executing "t" at <tpl "{{ if }}" .>: error calling tpl: template: gotpl:1: missing value for if"#
    );
}

#[test]
fn recursion_is_bounded() {
    // Run on a thread with the default 2 MiB stack: the stack budget must stop first.
    let h = std::thread::spawn(|| {
        let inc = one(
            r#"{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}"#,
            "{}",
        );
        let tmpl = one(
            r#"{{ define "r" }}x{{ template "r" . }}{{ end }}{{ template "r" . }}"#,
            "{}",
        );
        (inc, tmpl)
    });
    let (inc, tmpl) = h.join().unwrap();
    assert!(inc.starts_with("ERR: template: "), "{inc}");
    assert!(inc.contains("nest"), "{inc}");
    assert!(tmpl.starts_with("ERR: template: t:1:"), "{tmpl}");

    // With enough stack, the depth limit (Helm's 1000) is what stops it.
    let h = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            let mut set = TemplateSet::new();
            set.parse(
                "t",
                r#"{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}"#,
            )
            .unwrap();
            let limits = Limits {
                max_stack_bytes: 200 << 20,
                ..Limits::default()
            };
            set.execute("t", &Value::Nil, &helm_like_funcs(), &limits)
                .unwrap_err()
        })
        .unwrap();
    let err = h.join().unwrap();
    assert_eq!(err.kind(), &ErrorKind::Limit);
    assert_eq!(
        err.to_string(),
        r#"template: t:1:47: executing "t" at <include "r" .>: error calling include: rendering template has a nested reference name: r: unable to execute template"#
    );

    let mut set = TemplateSet::new();
    set.parse(
        "t",
        r#"{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}"#,
    )
    .unwrap();
    let limits = Limits {
        max_depth: 50,
        ..Limits::default()
    };
    let err = set
        .execute("t", &Value::Nil, &FuncMap::new(), &limits)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: t:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (50)"#
    );
}

#[test]
fn steps_and_output_are_bounded() {
    let mut set = TemplateSet::new();
    set.parse("t", "{{ range 1000000000 }}{{ end }}").unwrap();
    let limits = Limits {
        max_steps: 10_000,
        ..Limits::default()
    };
    let err = set
        .execute("t", &Value::Nil, &FuncMap::new(), &limits)
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Limit);
    assert!(
        err.to_string().contains("step limit of 10000 exceeded"),
        "{err}"
    );

    set.parse("o", "{{ range 1000 }}0123456789{{ end }}")
        .unwrap();
    let limits = Limits {
        max_output_bytes: 100,
        ..Limits::default()
    };
    let err = set
        .execute("o", &Value::Nil, &FuncMap::new(), &limits)
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Limit);
    assert!(
        err.to_string()
            .contains("output exceeds the limit of 100 bytes"),
        "{err}"
    );

    // A limit hit inside an include is not swallowed by the include's error wrapping.
    set.parse("i", r#"{{ define "big" }}{{ range 1000 }}0123456789{{ end }}{{ end }}{{ include "big" . | len }}"#)
        .unwrap();
    let err = set
        .execute("i", &Value::Nil, &helm_like_funcs(), &limits)
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Limit);
}

#[test]
fn panicking_functions_become_errors() {
    assert_eq!(
        one("{{ boom 1 }}", ""),
        r#"ERR: template: t:1:3: executing "t" at <boom 1>: error calling boom: kaboom"#
    );
    let mut f = FuncMap::new();
    f.insert_ctx("cboom", |_, _| panic!("ctx kaboom"));
    let mut set = TemplateSet::new();
    set.parse("t", "{{ cboom }}").unwrap();
    let err = set
        .execute("t", &Value::Nil, &f, &Limits::default())
        .unwrap_err();
    assert!(
        err.to_string().ends_with("error calling cboom: ctx kaboom"),
        "{err}"
    );
}

#[test]
fn missing_key_modes() {
    let data = json(r#"{"m":{}}"#);
    let run = |mk: MissingKey, t: &str| {
        let mut set = TemplateSet::new();
        set.set_missing_key(mk);
        set.parse("t", t).unwrap();
        match set.execute("t", &data, &FuncMap::new(), &Limits::default()) {
            Ok(s) => s,
            Err(e) => format!("ERR: {e}"),
        }
    };
    assert_eq!(
        run(MissingKey::Default, "{{ .m.a }}|{{ .m.a.b.c }}"),
        "<no value>|<no value>"
    );
    assert_eq!(run(MissingKey::Zero, "{{ .m.a }}"), "<no value>");
    assert_eq!(
        run(MissingKey::Zero, "{{ .m.a.b }}"),
        r#"ERR: template: t:1:5: executing "t" at <.m.a.b>: nil pointer evaluating interface {}.b"#
    );
    assert_eq!(
        run(MissingKey::Error, "{{ .m.a }}"),
        r#"ERR: template: t:1:5: executing "t" at <.m.a>: map has no entry for key "a""#
    );
}

#[test]
fn check_functions_reports_like_go_parse() {
    let mut set = TemplateSet::new();
    set.parse("a", "ok {{ print 1 }}").unwrap();
    set.parse("b", "line1\n{{ if true }}{{ nope 1 }}{{ end }}")
        .unwrap();
    let err = set.check_functions(&FuncMap::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: b:2: function "nope" not defined"#
    );
    assert_eq!(err.kind(), &ErrorKind::Syntax);
    let mut f = FuncMap::new();
    f.insert("nope", |_| Ok(Value::Nil));
    assert!(set.check_functions(&f).is_ok());
    // Unchecked, the error comes when the call is reached.
    let err = set
        .execute("b", &Value::Nil, &FuncMap::new(), &Limits::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: b:2: function "nope" not defined"#
    );
}

// ----- host objects -----

struct Files;
impl Object for Files {
    fn type_name(&self) -> &str {
        "chart.Files"
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "Get" => Some(match args {
                [Value::String(p)] => Ok(Value::from(format!("content of {p}"))),
                _ => Err(format!(
                    "wrong number of args for Get: want 1 got {}",
                    args.len()
                )),
            }),
            _ => None,
        }
    }
}

struct ApiVersions;
impl Object for ApiVersions {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        (name == "Has").then(|| {
            Ok(Value::Bool(
                args.first().and_then(Value::as_str) == Some("v1"),
            ))
        })
    }
    fn display(&self) -> String {
        "[v1 apps/v1]".into()
    }
}

struct Caps;
impl Object for Caps {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "APIVersions" => Some(Value::Object(Rc::new(ApiVersions))),
            "KubeVersion" => Some(Value::from("v1.30.0")),
            _ => None,
        }
    }
}

fn object_root() -> Value {
    let mut m = BTreeMap::new();
    m.insert("Files".to_string(), Value::Object(Rc::new(Files)));
    m.insert("Capabilities".to_string(), Value::Object(Rc::new(Caps)));
    Value::map(m)
}

fn with_objects(t: &str) -> String {
    let mut set = TemplateSet::new();
    if let Err(e) = set.parse("t", t) {
        return format!("ERR: {e}");
    }
    exec(&set, "t", &object_root())
}

#[test]
fn methods_with_arguments() {
    assert_eq!(
        with_objects(r#"{{ .Files.Get "a.txt" }}"#),
        "content of a.txt"
    );
    assert_eq!(with_objects(r#"{{ "b" | .Files.Get }}"#), "content of b");
    assert_eq!(with_objects(r#"{{ (.Files.Get "c") | len }}"#), "12");
    assert_eq!(
        with_objects(
            r#"{{ .Capabilities.APIVersions.Has "v1" }}|{{ .Capabilities.APIVersions.Has "x" }}"#
        ),
        "true|false"
    );
    assert_eq!(
        with_objects(r#"{{ if .Capabilities.APIVersions.Has "v1" }}yes{{ end }}"#),
        "yes"
    );
    assert_eq!(
        with_objects("{{ .Capabilities.APIVersions }}"),
        "[v1 apps/v1]"
    );
    assert_eq!(
        with_objects(
            r#"{{ printf "%s|%v|%T" .Capabilities.APIVersions .Capabilities.KubeVersion .Files }}"#
        ),
        "[v1 apps/v1]|v1.30.0|chart.Files"
    );
    assert_eq!(
        with_objects(r#"{{ .Files.Get }}"#),
        r#"ERR: template: t:1:9: executing "t" at <.Files.Get>: error calling Get: wrong number of args for Get: want 1 got 0"#
    );
    assert_eq!(
        with_objects(r#"{{ .Files.Get "a" "b" }}"#),
        r#"ERR: template: t:1:9: executing "t" at <.Files.Get>: error calling Get: wrong number of args for Get: want 1 got 2"#
    );
    assert_eq!(
        with_objects(r#"{{ .Capabilities.Nope }}"#),
        r#"ERR: template: t:1:16: executing "t" at <.Capabilities.Nope>: can't evaluate field Nope in type *chartutil.Capabilities"#
    );
    assert_eq!(
        with_objects(r#"{{ .Capabilities.KubeVersion "x" }}"#),
        r#"ERR: template: t:1:16: executing "t" at <.Capabilities.KubeVersion>: KubeVersion is not a method but has arguments"#
    );
}

#[test]
fn data_is_shared_not_copied() {
    // Functions see the same map as the template (Go maps are references).
    let mut f = FuncMap::new();
    f.insert("setx", |args| {
        if let Some(Value::Map(m)) = args.first() {
            m.borrow_mut().insert("x".into(), Value::from("set"));
        }
        Ok(Value::from(""))
    });
    let mut set = TemplateSet::new();
    set.parse("t", "{{ $d := .d }}{{ setx $d }}{{ .d.x }}")
        .unwrap();
    let out = set
        .execute("t", &json(r#"{"d":{}}"#), &f, &Limits::default())
        .unwrap();
    assert_eq!(out, "set");
}

#[test]
fn user_functions_override_builtins() {
    let mut f = FuncMap::new();
    f.insert("len", |_| Ok(Value::Int(42)));
    let mut set = TemplateSet::new();
    set.parse("t", r#"{{ len "abc" }}"#).unwrap();
    assert_eq!(
        set.execute("t", &Value::Nil, &f, &Limits::default())
            .unwrap(),
        "42"
    );
}

#[test]
fn sets_are_reusable_and_send() {
    let mut set = TemplateSet::new();
    set.parse("t", "{{ .n }}").unwrap();
    let set = std::sync::Arc::new(set);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let set = set.clone();
            std::thread::spawn(move || {
                let mut m = BTreeMap::new();
                m.insert("n".to_string(), Value::Int(i));
                set.execute("t", &Value::map(m), &FuncMap::new(), &Limits::default())
                    .unwrap()
            })
        })
        .collect();
    let outs: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(outs, vec!["0", "1", "2", "3"]);
}
