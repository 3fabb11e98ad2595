use super::*;

fn s(v: &str) -> Node<'_> {
    Node::Str(Cow::Borrowed(v))
}

fn map<'a>(entries: Vec<(&'a str, Node<'a>)>) -> Node<'a> {
    Node::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
    )
}

fn p(text: &str) -> Option<Node<'_>> {
    parse(text, 60)
}

#[track_caller]
fn ok<'a>(text: &'a str, want: Node<'a>) {
    assert_eq!(p(text), Some(want), "input: {text:?}");
}

#[track_caller]
fn bail(text: &str) {
    assert_eq!(p(text), None, "should bail: {text:?}");
}

#[test]
fn empty_and_comments() {
    ok("", Node::Null);
    ok("# c\n\n  # d\n", Node::Null);
    ok("---\n", Node::Null);
    ok("--- # c\na: 1\n", map(vec![("a", Node::Int(1))]));
}

#[test]
fn plain_scalars_resolve_like_yaml_1_1() {
    let text = "a: yes\nb: Off\nc: ~\nd:\ne: null\nf: 12\ng: -7\nh: 1.5\ni: 0\nj: 1.2.3\nk: v1\nl: 10Gi\nm: --flag=x\nkn: .dockerconfigjson\no: http://x:8080/p\np: a#b\nq: y\n";
    ok(
        text,
        map(vec![
            ("a", Node::Bool(true)),
            ("b", Node::Bool(false)),
            ("c", Node::Null),
            ("d", Node::Null),
            ("e", Node::Null),
            ("f", Node::Int(12)),
            ("g", Node::Int(-7)),
            ("h", Node::Float(1.5)),
            ("i", Node::Int(0)),
            ("j", s("1.2.3")),
            ("k", s("v1")),
            ("l", s("10Gi")),
            ("m", s("--flag=x")),
            ("kn", s(".dockerconfigjson")),
            ("o", s("http://x:8080/p")),
            ("p", s("a#b")),
            ("q", Node::Bool(true)),
        ]),
    );
}

#[test]
fn ambiguous_numbers_bail() {
    for v in [
        "0755",
        "08",
        "1_000",
        "0x1F",
        "0o17",
        "0b11",
        "+1",
        "1e3",
        "1.",
        ".5",
        ".inf",
        "-.Inf",
        ".NaN",
        "12345678901234567890",
        "-0",
        "nULL",
        "1E5",
    ] {
        bail(&format!("a: {v}\n"));
    }
}

#[test]
fn keys_must_be_plain_strings() {
    for k in [
        "y", "on", "1", "null", "1.5", "~", "<<", "[a]", "a,b", "? a",
    ] {
        bail(&format!("{k}: v\n"));
    }
    ok("'1': v\n", map(vec![("1", s("v"))]));
    ok("\"on\": v\n", map(vec![("on", s("v"))]));
    ok("a b : v\n", map(vec![("a b", s("v"))]));
}

#[test]
fn nested_blocks_and_compact_sequences() {
    let text = "a:\n  b:\n    c: 1\n  d: [x, 'y', \"z\"]\nlist:\n- name: n1\n  value: v1\n-   name: n2\n    env:\n    - A\n    - B\n- - p\n  - q\n-\n- {}\nnested:\n  - a: 1\n    b:\n    - c\ne: []\n";
    ok(
        text,
        map(vec![
            (
                "a",
                map(vec![
                    ("b", map(vec![("c", Node::Int(1))])),
                    ("d", Node::Seq(vec![s("x"), s("y"), s("z")])),
                ]),
            ),
            (
                "list",
                Node::Seq(vec![
                    map(vec![("name", s("n1")), ("value", s("v1"))]),
                    map(vec![
                        ("name", s("n2")),
                        ("env", Node::Seq(vec![s("A"), s("B")])),
                    ]),
                    Node::Seq(vec![s("p"), s("q")]),
                    Node::Null,
                    Node::Map(vec![]),
                ]),
            ),
            (
                "nested",
                Node::Seq(vec![map(vec![
                    ("a", Node::Int(1)),
                    ("b", Node::Seq(vec![s("c")])),
                ])]),
            ),
            ("e", Node::Seq(vec![])),
        ]),
    );
}

#[test]
fn quoted_scalars_and_escapes() {
    ok(
        "a: 'it''s'\nb: \"t\\tab \\\"q\\\" \\u00e9 \\x41 \\\\\"\nc: \"\"\nd: ''\ne: \"x\" # c\n",
        map(vec![
            ("a", s("it's")),
            ("b", s("t\tab \"q\" é A \\")),
            ("c", s("")),
            ("d", s("")),
            ("e", s("x")),
        ]),
    );
    ok(
        "a: \"multi  \n  line\\t\n\n   x\"\nb: 'it''s\n   more '\n",
        map(vec![("a", s("multi line\t\nx")), ("b", s("it's more "))]),
    );
    bail("a: 'x\nb: 1'\n");
    bail("a: \"x\\\n  y\"\n");
    bail("a: \"x\n\ty\"\n");
    bail("a: \"\\q\"\n");
    bail("a: \"\\ud800\"\n");
    bail("a: \"x\" y\n");
}

#[test]
fn block_scalars() {
    ok(
        "a: |\n  x\n   y\n\n  z\nb: 1\n",
        map(vec![("a", s("x\n y\n\nz\n")), ("b", Node::Int(1))]),
    );
    ok("a: |-\n  x\n\n", map(vec![("a", s("x"))]));
    ok(
        "a: |+\n  x\n\n\nb: 2\n",
        map(vec![("a", s("x\n\n\n")), ("b", Node::Int(2))]),
    );
    ok(
        "a: >\n  x\n  y\n\n  z\n   w\n  v\n",
        map(vec![("a", s("x y\nz\n w\nv\n"))]),
    );
    ok(
        "- |\n  x\n- >-\n  y\n  z\n",
        Node::Seq(vec![s("x\n"), s("y z")]),
    );
    ok(
        "a: | # c\n  # not a comment\n",
        map(vec![("a", s("# not a comment\n"))]),
    );
    bail("a: |2\n   x\n");
    bail("a: |\n  x");
    ok(
        "a: |\n\nb: |-\nc: 1\n",
        map(vec![("a", s("")), ("b", s("")), ("c", Node::Int(1))]),
    );
    bail("a: |+\n\nb: 1\n");
    bail("a: |\n    \n  x\n");
}

#[test]
fn structural_bail_outs() {
    for text in [
        "a: &x 1\n",
        "a: *x\n",
        "a: !tag 1\n",
        "%YAML 1.1\n---\na: 1\n",
        "? a\n: b\n",
        "a:\n\tb: 1\n",
        "a:\tb\n",
        "a: b\tc\n",
        "a: b\n  c: d\n",
        "a: b\n  - c\n",
        "a: b # c\n  d\n",
        "a: [1,\n  2]\n",
        "a: 1\na: 2\n",
        "a: {x: 1, x: 2}\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\n...\n",
        "\u{feff}a: 1\n",
        "a: 1\r\n",
        "a: b: c\n",
        "a: - b\n",
        "a: 1\n b: 2\n",
        "  a: 1\nb: 2\n",
        "- a\nb: 1\n",
        "--- a: 1\n",
        "a: [a, ]\n",
        "a: {b}\n",
        "a: {\"b\":1}\n",
        "a: [x]y\n",
        "key: @x\n",
        "a: `x`\n",
        "a: x\u{85}y\n",
        "a: \u{1}\n",
    ] {
        bail(text);
    }
}

#[test]
fn multi_line_plain_scalars_fold() {
    ok(
        "a: long\n  plain\n\n  text\n  # c\nb:\n  x\n  y\n",
        map(vec![("a", s("long plain\ntext")), ("b", s("x y"))]),
    );
}

#[test]
fn same_indent_sequences_and_nulls() {
    ok(
        "a:\n- 1\n- 2\nb:\nc: x\n",
        map(vec![
            ("a", Node::Seq(vec![Node::Int(1), Node::Int(2)])),
            ("b", Node::Null),
            ("c", s("x")),
        ]),
    );
    ok(
        "- a:\n  - x\n  b: 1\n",
        Node::Seq(vec![map(vec![
            ("a", Node::Seq(vec![s("x")])),
            ("b", Node::Int(1)),
        ])]),
    );
}

#[test]
fn top_level_scalars_and_flow() {
    ok("hello\n", s("hello"));
    ok("'x'\n", s("x"));
    ok(
        "[1, {a: b}, [c]]\n",
        Node::Seq(vec![
            Node::Int(1),
            map(vec![("a", s("b"))]),
            Node::Seq(vec![s("c")]),
        ]),
    );
    bail("hello\nworld\n");
}

#[test]
fn depth_and_size_are_bounded() {
    let mut deep = String::new();
    for i in 0..100 {
        deep.push_str(&" ".repeat(i));
        deep.push_str("a:\n");
    }
    assert_eq!(parse(&deep, 60), None);
    assert!(parse(&deep, 200).is_some());
    let flow = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    assert_eq!(parse(&flow, 60), None);
    let many = "- 1\n".repeat(MAX_NODES + 1);
    assert_eq!(parse(&many, 60), None);
}

#[test]
fn never_panics_on_truncations() {
    let text = "a:\n  b: \"x\\u00e9\"\n  c: |\n    t\n  d: [1, {e: 'f'}]\n- x\n";
    for end in 0..=text.len() {
        if text.is_char_boundary(end) {
            let _ = p(&text[..end]);
        }
    }
}
