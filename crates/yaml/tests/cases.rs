//! Handcrafted documents for each construct of the subset, checked against serde-saphyr:
//! every one must be read by the fast path and give the full parser's value. Runs without
//! the shared corpus.

mod common;

use common::{DEPTH, full, to_json};

const CASES: &[&str] = &[
    "",
    "# only a comment\n",
    "---\na: 1\n",
    "--- # c\na: 1\n",
    "a: 1\nb: -2\nc: 1.5\nd: -0.25\ne: 0\nf: 0.0\ng: -0.0\nh: 123456789012345678\n",
    "a: yes\nb: No\nc: ON\nd: off\ne: True\nf: FALSE\ng: Yes\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\n",
    "a: 1.2.3\nb: v1\nc: 10Gi\nd: 0s\ne: 2024-04-01\nf: 1h30m\ng: 127.0.0.1\nh: 1.2e\n",
    "a: inf\nb: nan\nc: Infinity\nd: .dockerconfigjson\ne: .x\n",
    "a: --flag=x\nb: -Xmx1g\nc: :8080\nd: a_b\ne: -a_b\nf: http://x:8080/p?q=1#frag\n",
    "a: foo[0]\nb: x{y}\nc: a,b\nd: a#b\ne: 'a # b'\nf: x # comment\n",
    "'1': one\n\"on\": v\n\"a b\": c\nkey with spaces : v\n",
    "a: 'it''s'\nb: \"\\t\\n\\\\ \\\" \\/ \\u00e9 \\x41 \\U0001F600 \\0 \\e \\N \\_ \\L \\P\"\nc: ''\nd: \"\"\n",
    "a: \"multi  \n  line\\t\n\n   x\"\nb: 'it''s\n   more '\nc: \"a\n  \n  b\"\n",
    "a:\n  b:\n    c: 1\n  d: [x, 'y', \"z\", 1, true, null, ~]\n",
    "list:\n- name: n1\n  value: v1\n-   name: n2\n    env:\n    - A\n    - B\n- - p\n  - q\n-\n- {}\n",
    "a:\n- 1\n- 2\nb:\nc: x\n",
    "- a:\n  - x\n  b: 1\n",
    "- a:\n    b: 1\n  c: 2\n",
    "a:\n  hello\nb: 1\n",
    "hello\n",
    "'x'\n",
    "[1, {a: b, c: [d]}, [], {}]\n",
    "{a: 1, 'b': \"c\"}\n",
    "a: |\n  x\n   y\n\n  z\nb: 1\n",
    "a: |-\n  x\n\n",
    "a: |+\n  x\n\n\nb: 2\n",
    "a: |+\n  x\n",
    "a: >\n  x\n  y\n\n  z\n   w\n  v\n",
    "a: >\n  x\n\n\n  y\n   z\n\n   w\n  v\n\n",
    "a: >-\n  x\n   more\n  y\n",
    "a: >\n  x\n\n   more\n\n  y\n",
    "a: >+\n  x\n  y\n\n",
    "a: >\n\n  x\n",
    "a: |\n\n  x\n",
    "- |\n  x\n- >-\n  y\n  z\n",
    "a: | # c\n  # not a comment\n  x\n# real comment\nb: 1\n",
    "a: |\n  x\n\n\n# c\nb: 1\n",
    "a: |\n    x\n      y\n    z\n",
    "a: |\n\nb: |-\nc: 1\n",
    "a: |\n  tab\there\n",
    "a: long\n  plain\n\n  text\n  # c\nb:\n  x\n  y\n",
    "- long\n  plain\n    deeper\n- b\n",
    "a: x\n   # comment\nc: d\n",
    "a: x\n  {k,v} in \"q\" 'r' `s` [t] *u &v !w %x @y |z >w ?x -y :z\n",
    "description: This is a\n  description that wraps\n\n\n  with gaps.\n",
    "a: b   \nc: d  # c\n",
    "  a: 1\n  b: 2\n",
    "a:\n  - b\n  -\n    c: d\n",
    "a: -1\nb: -0.5\n",
    "a: 9223372036854775\nb: 100000000000000000\n",
    "k: \"\\x7f\"\n",
    "a: é\nb: 日本\n\"ü\": x\n",
];

#[test]
fn every_case_is_read_exactly_like_serde_saphyr() {
    let mut bad = Vec::new();
    for case in CASES {
        let fast = rbac_lens_yaml::parse(case, DEPTH).map(to_json);
        let want = full(case);
        match (&fast, &want) {
            (Some(f), Ok(w)) if f == w => {}
            _ => bad.push(format!("{case:?}\n  fast: {fast:?}\n  full: {want:?}")),
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Near misses: inputs just outside the subset (or invalid) that the fast path must decline.
const NEAR_MISSES: &[&str] = &[
    "a: >-\n   lead\n  x\n",
    "a: 0755\n",
    "a: 0x1F\n",
    "a: 1_000\n",
    "a: +1\n",
    "a: 1e3\n",
    "a: .5\n",
    "a: .inf\n",
    "a: -.inf\n",
    "a: .NaN\n",
    "a: 18446744073709551615\n",
    "a: -0\n",
    "a: nULL\n",
    "y: 1\n",
    "on: 1\n",
    "1: 1\n",
    "null: 1\n",
    "1.5: 1\n",
    "<<: {a: 1}\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "%YAML 1.1\n---\na: 1\n",
    "? a\n: b\n",
    "a:\n\tb: 1\n",
    "a:\tb\n",
    "a: [1,\n  2]\n",
    "a: 1\na: 2\n",
    "a: {x: 1, x: 2}\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\n",
    "\u{feff}a: 1\n",
    "a: 1\r\nb: 2\r\n",
    "a: b: c\n",
    "a: 1\n b: 2\n",
    "a: |2\n   x\n",
    "a: |\n  x",
    "a: |+\n\nb: 1\n",
    "a: 'x\nb: 1'\n",
    "a: \"x\\\n  y\"\n",
    "a: b\n  c: d\n",
    "hello\nworld\n",
];

#[test]
fn near_misses_are_declined() {
    let read: Vec<_> = NEAR_MISSES
        .iter()
        .filter(|c| rbac_lens_yaml::parse(c, DEPTH).is_some())
        .collect();
    assert!(read.is_empty(), "read instead of declined: {read:?}");
}
