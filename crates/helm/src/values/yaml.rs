//! Reading YAML the way Helm does (`sigs.k8s.io/yaml`: goyaml v2, then JSON).
//!
//! YAML 1.1 scalars (`yes`/`on`/`y` are booleans, `0755` is octal), merge keys applied,
//! duplicate keys resolved last-wins, every number becomes a Go `float64` ([`Value::Float`])
//! because Helm round-trips values through JSON, and non-string keys are stringified
//! (`y:` becomes the key `"true"`, as helm does). Budgets bound the work on untrusted input.

use std::collections::BTreeMap;
use std::fmt;

use gotmpl::Value;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::options::DuplicateKeyPolicy;
use serde_saphyr::{Budget, Options};

/// Largest YAML text we parse in one call (values files, `fromYaml` input, manifests).
pub const MAX_YAML_BYTES: usize = 64 * 1024 * 1024;

fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_documents = 100_000;
    budget.max_events = 20_000_000;
    budget.max_nodes = 5_000_000;
    budget.max_depth = 256;
    budget.max_reader_input_bytes = Some(MAX_YAML_BYTES);
    let mut o = Options::default();
    o.budget = Some(budget);
    o.legacy_octal_numbers = true;
    o.duplicate_keys = DuplicateKeyPolicy::LastWins;
    o.with_snippet = false;
    o
}

/// Nesting the fast path reads; deeper documents go to serde-saphyr (its limit is 256), so
/// depth errors stay its own.
const FAST_MAX_DEPTH: usize = 254;

/// The fast path's tree as the serde path below builds it: numbers are floats (Helm
/// round-trips values through JSON), maps are sorted. Recursion is bounded by
/// [`FAST_MAX_DEPTH`].
fn fast_value(n: rbac_lens_yaml::Node<'_>) -> Value {
    use rbac_lens_yaml::Node as N;
    match n {
        N::Null => Value::Nil,
        N::Bool(b) => Value::Bool(b),
        N::Int(i) => Value::Float(i as f64),
        N::Float(f) => Value::Float(f),
        N::Str(s) => Value::str(s),
        N::Seq(items) => Value::list(items.into_iter().map(fast_value).collect()),
        N::Map(entries) => Value::map(
            entries
                .into_iter()
                .map(|(k, v)| (k.into_owned(), fast_value(v)))
                .collect(),
        ),
    }
}

/// A YAML node read into a template value.
struct Node(Value);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor).map(Node)
    }
}

/// A mapping key: any scalar, stringified like goyaml + JSON do.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = d.deserialize_any(NodeVisitor)?;
        Ok(Key(key_string(&v)))
    }
}

fn key_string(v: &Value) -> String {
    match v {
        Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::funcs::json::format_float(*f),
        Value::String(s) => s.to_string(),
        other => gotmpl::fmt::format_value(other),
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Float(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::str(v))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        // goyaml decodes !!binary to a string of the raw bytes.
        Ok(Value::from(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Node(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::list(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(Key(k)) = map.next_key()? {
            let Node(v) = map.next_value()?;
            out.insert(k, v);
        }
        Ok(Value::map(out))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A tagged node (`!foo x`): goyaml keeps the value and drops unknown tags.
        use de::VariantAccess;
        let (Key(_tag), variant) = data.variant::<Key>()?;
        let Node(v) = variant.newtype_variant()?;
        Ok(v)
    }
}

/// Parse one YAML document (empty input gives [`Value::Nil`]).
pub fn parse(text: &str) -> Result<Value, String> {
    if text.len() > MAX_YAML_BYTES {
        return Err(format!("YAML text too large ({} bytes)", text.len()));
    }
    let text = first_document(text);
    if is_blank_yaml(text) {
        return Ok(Value::Nil);
    }
    // Most values files are plain block YAML: the subset reader takes those (several times
    // faster); anything else, and every error, stays with serde-saphyr.
    if let Some(node) = rbac_lens_yaml::parse(text, FAST_MAX_DEPTH) {
        return Ok(fast_value(node));
    }
    full_parse(text)
}

/// The full parser (serde-saphyr), for everything outside the fast path's subset.
fn full_parse(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str_with_options::<Node>(text, options())
        .map(|n| n.0)
        .map_err(|e| one_line(&e.to_string()))
}

/// Parse a YAML document that must be a mapping (a values file); empty input gives an empty map.
pub fn parse_map(text: &str) -> Result<Value, String> {
    match parse(text)? {
        Value::Nil => Ok(Value::empty_map()),
        m @ Value::Map(_) => Ok(m),
        other => Err(format!(
            "expected a YAML mapping at the top level, found {}",
            other.kind_name()
        )),
    }
}

/// The first document of a YAML stream: goyaml's `Unmarshal` reads only that one.
pub fn first_document(text: &str) -> &str {
    // Nearly always there is no marker line at all: one memchr-speed search instead of a
    // walk over every line (the walk below costs ~100 instructions per line).
    let b = text.as_bytes();
    let marker_line =
        |m: &[u8]| b.starts_with(m) || memchr::memmem::find(b, &[b"\n", m].concat()).is_some();
    if !marker_line(b"---") && !marker_line(b"...") {
        return text;
    }
    let mut seen_content = false;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let is_marker =
            line.starts_with("---") && line[3..].chars().next().is_none_or(|c| c.is_whitespace());
        let is_end =
            line.starts_with("...") && line[3..].chars().next().is_none_or(|c| c.is_whitespace());
        if seen_content && (is_marker || is_end) {
            return &text[..pos];
        }
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') && !is_marker {
            seen_content = true;
        }
        if is_marker && !seen_content {
            // A leading document marker may carry content on the same line (`--- a: 1`).
            if !line[3..].trim().is_empty() && !line[3..].trim().starts_with('#') {
                seen_content = true;
            }
        }
        pos += line.len();
    }
    text
}

/// True when the text holds nothing but comments, blank lines and document markers.
fn is_blank_yaml(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(v: &Value, k: &str) -> Value {
        match v {
            Value::Map(m) => m.borrow().get(k).cloned().unwrap_or(Value::Nil),
            _ => Value::Nil,
        }
    }

    #[test]
    fn yaml_1_1_scalars_and_numbers() {
        let v = parse("a: yes\nb: on\nc: 0755\nd: 1_000\ne: 1\nf: 1.5\ng: '1'\nh: ~\ni: off\n")
            .unwrap();
        assert!(matches!(get(&v, "a"), Value::Bool(true)));
        assert!(matches!(get(&v, "b"), Value::Bool(true)));
        assert!(matches!(get(&v, "c"), Value::Float(f) if f == 493.0));
        assert!(matches!(get(&v, "d"), Value::Float(f) if f == 1000.0));
        assert!(matches!(get(&v, "e"), Value::Float(f) if f == 1.0));
        assert!(matches!(get(&v, "f"), Value::Float(f) if f == 1.5));
        assert_eq!(get(&v, "g").as_str(), Some("1"));
        assert!(get(&v, "h").is_nil());
        assert!(matches!(get(&v, "i"), Value::Bool(false)));
    }

    #[test]
    fn merge_keys_duplicates_and_odd_keys() {
        let v =
            parse("base: &b {x: 1, z: 2}\nder:\n  <<: *b\n  z: 3\nk: 1\nk: 2\n1: one\n").unwrap();
        let der = get(&v, "der");
        assert!(matches!(get(&der, "x"), Value::Float(f) if f == 1.0));
        assert!(matches!(get(&der, "z"), Value::Float(f) if f == 3.0));
        assert!(matches!(get(&v, "k"), Value::Float(f) if f == 2.0));
        assert_eq!(get(&v, "1").as_str(), Some("one"));
    }

    #[test]
    fn only_the_first_document() {
        assert!(
            matches!(get(&parse("---\na: 1\n---\nb: [").unwrap(), "a"), Value::Float(f) if f == 1.0)
        );
        assert_eq!(
            first_document("a: |\n  ---\n  x\n---\nb: 2\n"),
            "a: |\n  ---\n  x\n"
        );
    }

    /// A structural rendering that tells every variant and number apart.
    fn show(v: &Value) -> String {
        match v {
            Value::Nil => "nil".into(),
            Value::Bool(b) => format!("bool:{b}"),
            Value::Float(f) => format!("float:{:?}", f.to_bits()),
            Value::String(s) => format!("str:{s:?}"),
            Value::List(items) => {
                let inner: Vec<String> = items.iter().map(show).collect();
                format!("[{}]", inner.join(","))
            }
            Value::Map(m) => {
                let inner: Vec<String> = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| format!("{k:?}:{}", show(v)))
                    .collect();
                format!("{{{}}}", inner.join(","))
            }
            _ => "other".into(),
        }
    }

    #[test]
    fn fast_path_builds_the_same_values_as_serde() {
        let docs = [
            "a: yes\nb: 0\nc: -12\nd: 1.5\ne: ~\nf:\ng: 'q'\nh: \"\\u00e9\"\ni: v1.2\n",
            "list:\n- name: x\n  ports: [80, 443]\n- {}\nnested:\n  deep:\n    s: |\n      line\n",
            "a: >-\n  folded\n  text\nz: 2024-04-01\nk: -0.0\n",
            "- 1\n- two\n",
        ];
        for doc in docs {
            let fast = rbac_lens_yaml::parse(doc, FAST_MAX_DEPTH).map(fast_value);
            let fast = fast.unwrap_or_else(|| panic!("fast path declined {doc:?}"));
            assert_eq!(show(&fast), show(&full_parse(doc).unwrap()), "{doc:?}");
        }
        // Outside the subset: the full parser still answers.
        assert!(rbac_lens_yaml::parse("a: 0755\n", FAST_MAX_DEPTH).is_none());
        assert!(matches!(get(&parse("a: 0755\n").unwrap(), "a"), Value::Float(f) if f == 493.0));
    }

    #[test]
    fn empty_and_comment_only() {
        assert!(parse("").unwrap().is_nil());
        assert!(parse("# nothing\n---\n").unwrap().is_nil());
        assert!(matches!(parse_map("# c\n").unwrap(), Value::Map(_)));
        assert!(parse_map("- a").is_err());
        assert!(parse("a: [").is_err());
    }
}
