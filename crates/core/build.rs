//! Converts the embedded YAML data (rule catalog, default cluster policy) to JSON at build
//! time: the binary then reads it with serde_json, which is ~20x faster than parsing YAML on
//! every start (the fixed cost of a run drops from ~50 ms to ~3 ms). A YAML error here is a
//! build error: broken embedded data never reaches a user.

use std::path::Path;

fn convert(src: &Path, out: &Path) {
    println!("cargo:rerun-if-changed={}", src.display());
    let text = std::fs::read_to_string(src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    let mut options = serde_saphyr::Options::default();
    options.budget = None;
    let value: serde_json::Value = serde_saphyr::from_str_with_options(&text, options)
        .unwrap_or_else(|e| panic!("{}: invalid YAML: {e}", src.display()));
    std::fs::write(out, serde_json::to_string(&value).unwrap()).unwrap();
}

fn main() {
    let out_dir = std::env::var("OUT_DIR").unwrap();
    let out = Path::new(&out_dir);
    // The catalog's version hashes the embedded JSON (FNV-1a, in this order, as
    // `catalog::tests::build_time_hash_matches` checks): done here, not on every start.
    let mut hash: u64 = 0xcbf29ce484222325;
    for name in ["1000-1052", "1053-1104", "base"] {
        let json = out.join(format!("catalog-{name}.json"));
        convert(
            &Path::new("catalog/rules").join(format!("{name}.yaml")),
            &json,
        );
        for b in std::fs::read(&json).unwrap() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x100000001b3);
        }
    }
    std::fs::write(out.join("catalog-hash.txt"), format!("{hash:016x}")).unwrap();
    for name in [
        "cluster-roles",
        "controller-roles",
        "namespace-roles",
        "cluster-role-bindings",
        "controller-role-bindings",
        "namespace-role-bindings",
    ] {
        convert(
            &Path::new("data/bootstrap").join(format!("{name}.yaml")),
            &out.join(format!("bootstrap-{name}.json")),
        );
    }
}
