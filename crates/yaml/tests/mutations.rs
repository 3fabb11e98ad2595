//! Mutation test: small edits of real documents (indentation shifts, tabs, quotes, colons,
//! indicators, deleted or duplicated lines, truncation) must either be read exactly like
//! serde-saphyr reads them or be declined; never a different value, never a value where the
//! full parser fails. Seeds: built-in documents plus, when present, the corpus values files
//! and templates.

mod common;

use std::path::Path;

use common::{Outcome, compare, shared_dir, split_docs, yaml_files};

const SEEDS: &[&str] = &[
    "a:\n  b: 1\n  c: [x, 'y']\nlist:\n- name: n\n  value: \"v\\n\"\n- 2\ns: |\n  text\n  more\nf: >-\n  one\n  two\nz: ~\n",
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  labels:\n    app: x\nautomountServiceAccountToken: yes\n",
    "rules:\n- apiGroups:\n  - \"\"\n  resources: [pods, secrets]\n  verbs:\n  - get\n  - list\n",
    "description: long plain\n  text that folds\n\n  here\nq: 'single\n  quoted'\n",
];

const INSERTS: &[&str] = &[
    "'", "\"", ":", ": ", "#", " #", "-", "- ", "|", ">", "[", "{", "]", "}", ",", "&", "*", "!",
    "\\", "%", "?", "~", "0", ".", "\n", "---\n", " ", "y", "+", "\t", "  ", "<<: ", "\r",
];

/// xorshift64*: deterministic, good enough to pick positions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(doc: &str, rng: &mut Rng) -> String {
    let lines: Vec<&str> = doc.split_inclusive('\n').collect();
    let li = rng.below(lines.len());
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match rng.below(7) {
        0 if !out.is_empty() => out[li].insert(0, ' '),
        1 if !out.is_empty() => {
            if out[li].starts_with(' ') {
                out[li].remove(0);
            }
        }
        2 if !out.is_empty() => {
            out.remove(li);
        }
        3 if !out.is_empty() => {
            let l = out[li].clone();
            out.insert(li, l);
        }
        4 if li + 1 < out.len() => out.swap(li, li + 1),
        5 => {
            let cut = boundary(doc, rng.below(doc.len() + 1));
            return doc[..cut].to_string();
        }
        _ => {
            let at = boundary(doc, rng.below(doc.len() + 1));
            let ins = INSERTS[rng.below(INSERTS.len())];
            return format!("{}{ins}{}", &doc[..at], &doc[at..]);
        }
    }
    out.concat()
}

#[test]
fn mutated_documents_are_read_exactly_or_declined() {
    let mut seeds: Vec<String> = SEEDS.iter().map(|s| s.to_string()).collect();
    let shared = shared_dir();
    if shared.join("corpus").is_dir() {
        let mut files = Vec::new();
        yaml_files(&shared.join("corpus"), &mut files);
        // Debug builds are slow: fewer and smaller seeds there.
        let max_len = if cfg!(debug_assertions) {
            8_000
        } else {
            200_000
        };
        let take = if cfg!(debug_assertions) { 60 } else { 600 };
        let picked = files
            .iter()
            .filter(|f| {
                let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name.starts_with("values") || f.components().any(|c| c.as_os_str() == "templates")
            })
            .filter_map(|f| std::fs::read_to_string(Path::new(f)).ok())
            .flat_map(|t| {
                split_docs(&t)
                    .into_iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|d| d.len() <= max_len && rbac_lens_yaml::parse(d, common::DEPTH).is_some());
        seeds.extend(picked.take(take));
    } else {
        common::skipped("mutation test over corpus documents (built-in seeds only)");
    }
    let per_seed = if cfg!(debug_assertions) { 12 } else { 60 };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut same, mut bailed) = (0usize, 0usize);
    let mut failures = Vec::new();
    for seed in &seeds {
        for _ in 0..per_seed {
            let mut m = mutate(seed, &mut rng);
            if rng.below(3) == 0 {
                m = mutate(&m, &mut rng);
            }
            match compare(&m) {
                Outcome::Same => same += 1,
                Outcome::Bailed => bailed += 1,
                Outcome::Differs(msg) => {
                    let mut msg = msg;
                    msg.truncate(400);
                    let mut doc = m.clone();
                    doc.truncate(boundary(&m, 2_000));
                    failures.push(format!("{msg}\n--- input ---\n{doc}"));
                }
            }
        }
    }
    println!(
        "{} seeds, {} mutants: {same} read identically, {bailed} declined, {} different",
        seeds.len(),
        same + bailed + failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{}",
        failures[..failures.len().min(5)].join("\n=====\n")
    );
}
