//! Shared by the benchmarks: generated inputs, cached under `target/bench-inputs/`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `scripts/gen-manifests.py N` output (deterministic), generated once and cached.
pub fn input(n: usize) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir: PathBuf = root.join("target/bench-inputs");
    let path = dir.join(format!("objects-{n}.yaml"));
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("python3")
            .arg(root.join("scripts/gen-manifests.py"))
            .arg(n.to_string())
            .output()
            .expect("python3 runs scripts/gen-manifests.py");
        assert!(out.status.success(), "generator failed");
        std::fs::write(&path, out.stdout).unwrap();
    }
    std::fs::read_to_string(path).unwrap()
}
