//! Developer aid: for each file given, print the first line at which the fast path gives up
//! (the shortest prefix of whole lines it declines), to see which constructs cost coverage.
//!
//! `cargo run -p rbac-lens-yaml --example bail_line -- FILE...`

fn main() {
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("{path}: unreadable");
            continue;
        };
        if rbac_lens_yaml::parse(&text, 62).is_some() {
            println!("{path}: read");
            continue;
        }
        let ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        // The first line after which no prefix (of the next 60 lines) is read; a prefix ending
        // inside a block scalar's header declines without being the culprit.
        let bails = |k: usize| rbac_lens_yaml::parse(&text[..ends[k]], 62).is_none();
        let first_bad = (0..ends.len()).find(|&k| (k..ends.len().min(k + 60)).all(&bails));
        match first_bad {
            Some(k) => {
                let start = if k == 0 { 0 } else { ends[k - 1] };
                println!("{path}:{}: {:?}", k + 1, &text[start..ends[k]]);
            }
            None => println!("{path}: only the whole text bails"),
        }
    }
}
