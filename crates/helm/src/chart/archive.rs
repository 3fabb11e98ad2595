//! Loading a chart from a `.tgz`, entirely in memory and bounded: compressed size, entry
//! count, per-file and total decompressed size. Entries with absolute paths or `..` are
//! refused; symlinks, hard links and devices are skipped, never followed. The first path
//! component (the chart's directory inside the archive) is stripped, as helm does.

use std::io::Read;
use std::path::Path;

use super::{Chart, ChartFile, Limits, load_files};
use crate::error::Error;

/// Whether `path` looks like a chart archive (`.tgz`/`.tar.gz` file starting with gzip magic).
pub fn is_chart_archive(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !(name.ends_with(".tgz") || name.ends_with(".tar.gz")) || !path.is_file() {
        return false;
    }
    let mut magic = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map(|_| magic == [0x1f, 0x8b])
        .unwrap_or(false)
}

/// Load a chart archive from disk.
pub fn load_archive(path: &Path, limits: &Limits) -> Result<Chart, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let origin = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    if meta.len() > limits.max_archive_bytes {
        return Err(Error::archive(
            origin,
            format!(
                "{} bytes, larger than the limit of {}",
                meta.len(),
                limits.max_archive_bytes
            ),
        ));
    }
    let data = std::fs::read(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    load_archive_bytes(&data, &origin, limits, 0)
}

/// Read the files of a chart archive held in memory.
pub fn archive_files(data: &[u8], origin: &str, limits: &Limits) -> Result<Vec<ChartFile>, Error> {
    if data.len() as u64 > limits.max_archive_bytes {
        return Err(Error::archive(origin, "archive larger than the limit"));
    }
    let gz = flate2::read::GzDecoder::new(data);
    // Bound the decompressed stream as a whole, whatever the headers claim.
    let bounded = gz.take(limits.max_total_bytes + 1024 * 1024);
    let mut tar = tar::Archive::new(bounded);
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut count = 0usize;
    let entries = tar
        .entries()
        .map_err(|e| Error::archive(origin, format!("not a gzipped tar archive: {e}")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| Error::archive(origin, format!("corrupt archive: {e}")))?;
        count += 1;
        if count > limits.max_entries {
            return Err(Error::archive(
                origin,
                format!("more than {} entries", limits.max_entries),
            ));
        }
        let kind = entry.header().entry_type();
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).replace('\\', "/");
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            // Symlinks, hard links, devices, fifos: never followed or created.
            continue;
        }
        if raw_path.starts_with('/') || raw_path.contains(":/") {
            return Err(Error::archive(
                origin,
                format!("chart illegally contains absolute path {raw_path:?}"),
            ));
        }
        let mut parts = raw_path.split('/').filter(|p| !p.is_empty() && *p != ".");
        let top = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        if top == ".." || rest.contains(&"..") {
            return Err(Error::archive(
                origin,
                format!("chart illegally references parent directory: {raw_path:?}"),
            ));
        }
        if rest.is_empty() {
            if top == "Chart.yaml" {
                return Err(Error::archive(origin, "Chart.yaml not in base directory"));
            }
            continue;
        }
        let name = rest.join("/");
        let size = entry.header().size().unwrap_or(0);
        if size > limits.max_file_bytes {
            return Err(Error::archive(
                origin,
                format!(
                    "file {name:?} is {size} bytes, larger than the limit of {}",
                    limits.max_file_bytes
                ),
            ));
        }
        let mut buf = Vec::with_capacity(size.min(1 << 20) as usize);
        (&mut entry)
            .take(limits.max_file_bytes + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::archive(origin, format!("reading {name:?}: {e}")))?;
        if buf.len() as u64 > limits.max_file_bytes {
            return Err(Error::archive(
                origin,
                format!("file {name:?} is larger than the limit"),
            ));
        }
        total += buf.len() as u64;
        if total > limits.max_total_bytes {
            return Err(Error::archive(
                origin,
                format!(
                    "decompressed chart is larger than the limit of {} bytes",
                    limits.max_total_bytes
                ),
            ));
        }
        files.push(ChartFile { name, data: buf });
    }
    if files.is_empty() {
        return Err(Error::archive(origin, "no files in chart archive"));
    }
    Ok(files)
}

/// Load a chart archive held in memory (also used for `charts/*.tgz` dependencies).
pub fn load_archive_bytes(
    data: &[u8],
    origin: &str,
    limits: &Limits,
    depth: usize,
) -> Result<Chart, Error> {
    let files = archive_files(data, origin, limits)?;
    load_files(files, origin, limits, depth)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a gzipped tar by hand so tests can craft hostile entries.
    fn tgz(entries: &[(&str, &[u8], tar::EntryType)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data, kind) in entries {
            let mut h = tar::Header::new_gnu();
            // Write the name bytes directly so `..` and absolute paths survive.
            {
                let gnu = h.as_gnu_mut().unwrap();
                let bytes = name.as_bytes();
                gnu.name[..bytes.len()].copy_from_slice(bytes);
            }
            h.set_size(data.len() as u64);
            h.set_entry_type(*kind);
            h.set_mode(0o644);
            if *kind == tar::EntryType::Symlink {
                h.set_link_name("/etc/passwd").unwrap();
            }
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, &tar).unwrap();
        enc.finish().unwrap()
    }

    const CHART: &[u8] = b"apiVersion: v2\nname: c\nversion: 1.0.0\n";
    const F: tar::EntryType = tar::EntryType::Regular;

    #[test]
    fn loads_a_good_archive() {
        let data = tgz(&[
            ("c/Chart.yaml", CHART, F),
            ("c/values.yaml", b"a: 1\n", F),
            ("c/templates/x.yaml", b"kind: X\n", F),
        ]);
        let c = load_archive_bytes(&data, "c.tgz", &Limits::default(), 0).unwrap();
        assert_eq!(c.name(), "c");
        assert_eq!(c.templates.len(), 1);
        assert_eq!(c.templates[0].name, "templates/x.yaml");
    }

    #[test]
    fn refuses_path_traversal_and_absolute_paths() {
        let data = tgz(&[("c/Chart.yaml", CHART, F), ("c/../../etc/x", b"x", F)]);
        let e = load_archive_bytes(&data, "evil.tgz", &Limits::default(), 0).unwrap_err();
        assert!(e.to_string().contains("parent directory"), "{e}");
        let data = tgz(&[("/etc/passwd", b"x", F)]);
        let e = load_archive_bytes(&data, "evil.tgz", &Limits::default(), 0).unwrap_err();
        assert!(e.to_string().contains("absolute"), "{e}");
    }

    #[test]
    fn skips_symlinks() {
        let data = tgz(&[
            ("c/Chart.yaml", CHART, F),
            ("c/templates/link.yaml", b"", tar::EntryType::Symlink),
        ]);
        let c = load_archive_bytes(&data, "c.tgz", &Limits::default(), 0).unwrap();
        assert!(c.templates.is_empty());
    }

    #[test]
    fn bounds_entry_size_and_count() {
        let big = vec![b'a'; 4096];
        let data = tgz(&[("c/Chart.yaml", CHART, F), ("c/files/big", &big, F)]);
        let limits = Limits {
            max_file_bytes: 1024,
            ..Limits::default()
        };
        let e = load_archive_bytes(&data, "big.tgz", &limits, 0).unwrap_err();
        assert!(e.to_string().contains("larger than the limit"), "{e}");
        let limits = Limits {
            max_entries: 1,
            ..Limits::default()
        };
        let data = tgz(&[("c/Chart.yaml", CHART, F), ("c/a", b"a", F)]);
        let e = load_archive_bytes(&data, "many.tgz", &limits, 0).unwrap_err();
        assert!(e.to_string().contains("entries"), "{e}");
        let e = load_archive_bytes(b"not gzip", "junk.tgz", &Limits::default(), 0).unwrap_err();
        assert!(matches!(e, Error::Archive { .. }));
    }
}
