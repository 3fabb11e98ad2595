//! The template files of the Helm chart corpus (`../shared/corpus`, or `$RBAC_LENS_CORPUS`):
//! every file under a `templates/` directory of every chart and unpacked subchart, which is
//! what Helm parses. Shared by the `parse` bench and the `parse_corpus` example.

use std::path::{Path, PathBuf};

/// The corpus directory, or None when it is not there.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("RBAC_LENS_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    dir.is_dir().then_some(dir)
}

/// (path, text) of every UTF-8 template file, in path order.
pub fn template_files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(dir, false, &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, in_templates: bool, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            let is_templates = in_templates || e.file_name() == "templates";
            walk(&path, is_templates, out);
        } else if ft.is_file()
            && in_templates
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            out.push((path.to_string_lossy().into_owned(), text));
        }
    }
}
