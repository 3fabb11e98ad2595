//! Loading a chart from a directory: walk it in sorted order, apply `.helmignore`, follow a
//! symlink only when it stays inside the chart, and bound sizes and counts.

use std::path::{Path, PathBuf};

use super::helmignore::HelmIgnore;
use super::{Chart, ChartFile, Limits, load_files};
use crate::error::Error;

/// Whether `path` is a chart directory (holds a `Chart.yaml`).
pub fn is_chart_dir(path: &Path) -> bool {
    path.is_dir() && path.join("Chart.yaml").is_file()
}

/// Load a chart directory.
pub fn load_dir(root: &Path, limits: &Limits) -> Result<Chart, Error> {
    let canon = root.canonicalize().map_err(|e| Error::Io {
        path: root.to_path_buf(),
        source: e,
    })?;
    let mut warnings = Vec::new();
    let ignore = match std::fs::read_to_string(canon.join(".helmignore")) {
        Ok(text) => {
            let (h, w) = HelmIgnore::parse(&text);
            warnings.extend(w);
            h
        }
        Err(_) => HelmIgnore::with_defaults(),
    };
    let mut files = Vec::new();
    let mut total = 0u64;
    let origin = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| root.display().to_string());
    walk(
        &canon,
        &canon,
        "",
        &ignore,
        limits,
        &mut files,
        &mut total,
        &mut warnings,
        &origin,
        0,
    )?;
    let mut chart = load_files(files, &origin, limits, 0)?;
    warnings.append(&mut chart.warnings);
    chart.warnings = warnings;
    Ok(chart)
}

#[allow(clippy::too_many_arguments)]
fn walk(
    root: &Path,
    dir: &Path,
    rel: &str,
    ignore: &HelmIgnore,
    limits: &Limits,
    out: &mut Vec<ChartFile>,
    total: &mut u64,
    warnings: &mut Vec<String>,
    origin: &str,
    depth: usize,
) -> Result<(), Error> {
    if depth > 64 {
        return Err(Error::chart(origin, "directory tree too deep"));
    }
    let io = |p: &Path, e| Error::Io {
        path: p.to_path_buf(),
        source: e,
    };
    // The entry's type comes from the directory listing: no stat per entry, except for
    // symlinks (resolved and checked to stay inside the chart) and files (one fstat).
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|e| e.ok().and_then(|e| Some((e.path(), e.file_type().ok()?))))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, file_type) in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let relpath = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let mut target = path.clone();
        let (mut is_dir, mut is_file) = (file_type.is_dir(), file_type.is_file());
        if file_type.is_symlink() {
            match path.canonicalize() {
                Ok(t) if t.starts_with(root) => {
                    let meta = std::fs::metadata(&t).map_err(|e| io(&t, e))?;
                    (is_dir, is_file) = (meta.is_dir(), meta.is_file());
                    target = t;
                }
                Ok(_) => {
                    warnings.push(format!(
                        "{origin}: symlink {relpath} points outside the chart, ignored"
                    ));
                    continue;
                }
                Err(_) => {
                    warnings.push(format!("{origin}: dangling symlink {relpath}, ignored"));
                    continue;
                }
            }
        }
        if is_dir {
            if ignore.ignored(&relpath, true) {
                continue;
            }
            walk(
                root,
                &target,
                &relpath,
                ignore,
                limits,
                out,
                total,
                warnings,
                origin,
                depth + 1,
            )?;
            continue;
        }
        // Sockets, fifos and devices are not chart files (opening a fifo would block).
        if !is_file || ignore.ignored(&relpath, false) {
            continue;
        }
        let mut file = std::fs::File::open(&target).map_err(|e| io(&target, e))?;
        let meta = file.metadata().map_err(|e| io(&target, e))?;
        if meta.len() > limits.max_file_bytes {
            return Err(Error::chart(
                origin,
                format!(
                    "file {relpath} is {} bytes, larger than the limit of {}",
                    meta.len(),
                    limits.max_file_bytes
                ),
            ));
        }
        *total += meta.len();
        if *total > limits.max_total_bytes {
            return Err(Error::chart(
                origin,
                format!(
                    "chart is larger than the limit of {} bytes",
                    limits.max_total_bytes
                ),
            ));
        }
        if out.len() >= limits.max_entries {
            return Err(Error::chart(
                origin,
                format!("chart has more than {} files", limits.max_entries),
            ));
        }
        let mut data = Vec::with_capacity(meta.len() as usize);
        // The file may grow after the check: never read past the limit.
        std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut file, limits.max_file_bytes + 1),
            &mut data,
        )
        .map_err(|e| io(&target, e))?;
        if data.len() as u64 > limits.max_file_bytes {
            return Err(Error::chart(
                origin,
                format!(
                    "file {relpath} is larger than the limit of {} bytes",
                    limits.max_file_bytes
                ),
            ));
        }
        out.push(ChartFile {
            name: relpath,
            data,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helmignore_and_symlinks() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "host file").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::create_dir_all(root.join("files")).unwrap();
        std::fs::create_dir_all(root.join("ci")).unwrap();
        std::fs::write(
            root.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 1.0.0\n",
        )
        .unwrap();
        std::fs::write(root.join(".helmignore"), "ci/\n*.tmp\n").unwrap();
        std::fs::write(root.join("templates/a.yaml"), "kind: A\n").unwrap();
        std::fs::write(root.join("templates/.hidden.yaml"), "kind: H\n").unwrap();
        std::fs::write(root.join("files/x.tmp"), "tmp").unwrap();
        std::fs::write(root.join("files/real.txt"), "real").unwrap();
        std::fs::write(root.join("ci/values.yaml"), "a: 1").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("secret"), root.join("files/escape"))
                .unwrap();
            std::os::unix::fs::symlink(root.join("files/real.txt"), root.join("files/inside"))
                .unwrap();
            std::os::unix::fs::symlink(outside.path(), root.join("outdir")).unwrap();
        }
        assert!(is_chart_dir(&root));
        let c = load_dir(&root, &Limits::default()).unwrap();
        let names: Vec<&str> = c.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(c.templates.len(), 1);
        assert!(names.contains(&"files/real.txt"));
        assert!(
            !names
                .iter()
                .any(|n| n.ends_with(".tmp") || n.starts_with("ci/"))
        );
        #[cfg(unix)]
        {
            assert!(names.contains(&"files/inside"));
            assert!(!names.contains(&"files/escape"));
            assert!(!names.iter().any(|n| n.starts_with("outdir")));
            assert!(c.warnings.iter().any(|w| w.contains("outside the chart")));
        }
    }

    #[test]
    fn bounds_file_size() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 1\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("big"), vec![b'a'; 4096]).unwrap();
        let limits = Limits {
            max_file_bytes: 1024,
            ..Limits::default()
        };
        let e = load_dir(dir.path(), &limits).unwrap_err();
        assert!(e.to_string().contains("larger than the limit"), "{e}");
    }
}
