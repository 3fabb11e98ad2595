//! Bounds on untrusted input. Every byte read and every document parsed is counted against
//! these, so a hostile or broken input ends in a clear error instead of a hang or an OOM.

/// Limits applied while reading and parsing input.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest single input file, in bytes.
    pub max_file_bytes: u64,
    /// Largest total input, in bytes, over all files of one run.
    pub max_total_bytes: u64,
    /// Most documents in one run (after `kind: List` expansion).
    pub max_documents: usize,
    /// Deepest nesting of maps and lists inside one document.
    pub max_depth: usize,
    /// Most files visited while walking directories.
    pub max_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_total_bytes: 2 * 1024 * 1024 * 1024,
            max_documents: 2_000_000,
            max_depth: 64,
            max_files: 200_000,
        }
    }
}
