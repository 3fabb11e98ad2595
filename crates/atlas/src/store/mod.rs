//! Where scans live. The site generator and the HTTP server read only through [`AtlasRead`];
//! the scanner writes through [`AtlasWrite`]. Open a real store by URL with [`open_read`]
//! (site, server) or [`open_store`] (scanner):
//!
//! - `sqlite://PATH` (`sqlite://atlas.db` is relative, `sqlite:///abs/atlas.db` absolute): a
//!   single file with bundled SQLite, nothing to install.
//! - `postgres://user@host/db` (or `postgresql://`): a shared store that several scanners on
//!   several machines write to at once.
//!
//! **Async callers** (the HTTP server): both stores are blocking. The PostgreSQL one drives
//! its own small Tokio runtime inside the `postgres` crate and panics when called from a
//! Tokio worker thread, so call any store method inside `tokio::task::spawn_blocking` (share
//! the store as `Arc<dyn AtlasRead>`; it is `Send + Sync`, calls are serialized on one
//! connection).

mod memory;
pub mod postgres;
pub mod sqlite;

pub use memory::MemoryStore;

use std::path::Path;
use std::time::Duration;

use rbac_lens_report::Report;

use crate::model::{ScanKey, ScanSummary};

/// The newest schema version the stores know. Each store records the version it is at and
/// applies the missing migrations, in order, when opened.
pub const SCHEMA_VERSION: i64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Backend(String),
    #[error("stored report {id} is not valid report JSON: {message}")]
    BadReport { id: i64, message: String },
    #[error("store URL {url:?}: {message}")]
    Url { url: String, message: String },
    #[error(
        "the store is at schema version {found}, newer than this rbac-lens knows ({known}); use a newer rbac-lens"
    )]
    NewerSchema { found: i64, known: i64 },
}

/// The read side of a store: what the site and the API need.
pub trait AtlasRead: Send + Sync {
    /// The current scan of every chart version: for each (repo, chart, version) the newest
    /// scan (latest tool and catalog), failures included. Any order.
    fn summaries(&self) -> Result<Vec<ScanSummary>, StoreError>;

    /// The stored report JSON of a scan (`None`: unknown id or a failed scan).
    fn report_json(&self, id: i64) -> Result<Option<String>, StoreError>;

    /// The parsed report of a scan.
    fn report(&self, id: i64) -> Result<Option<Report>, StoreError> {
        match self.report_json(id)? {
            None => Ok(None),
            Some(text) => {
                serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|e| StoreError::BadReport {
                        id,
                        message: e.to_string(),
                    })
            }
        }
    }
}

/// One finished scan, ready to be stored in one transaction.
#[derive(Clone, Debug)]
pub struct ScanRecord {
    pub key: ScanKey,
    /// Its summary (`id` is ignored: the store assigns it).
    pub summary: ScanSummary,
    /// The full report JSON (`None` for a failed scan).
    pub report_json: Option<String>,
}

/// What [`AtlasWrite::claim`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is ours until the lease ends: scan it, then [`AtlasWrite::finish`].
    Claimed,
    /// A scan with this key is already stored: nothing to do.
    Done,
    /// Another scanner holds a live lease on it: try again later.
    Busy,
}

/// The write side, used by the scanner. Every method is one transaction.
pub trait AtlasWrite: Send + Sync {
    /// Whether a scan with this key is stored (with `retry_failed`, a stored failure does
    /// not count: it is to be scanned again).
    fn is_done(&self, key: &ScanKey, retry_failed: bool) -> Result<bool, StoreError>;

    /// Claim a key for `owner` for `lease`. A claim whose lease has run out (its scanner
    /// crashed) can be taken over. `retry_failed` as for [`AtlasWrite::is_done`].
    fn claim(
        &self,
        key: &ScanKey,
        owner: &str,
        lease: Duration,
        retry_failed: bool,
    ) -> Result<Claim, StoreError>;

    /// Store a finished scan and drop its claim, atomically. Returns false when a scan with
    /// this key was already stored (nothing written twice); a stored failure is replaced
    /// (same id) by the new result.
    fn finish(&self, record: &ScanRecord, owner: &str) -> Result<bool, StoreError>;

    /// Extend every live claim of `owner` to `lease` from now (the scanner's heartbeat, so a
    /// long analysis keeps its claim while a crashed scanner's claims run out soon).
    fn renew(&self, owner: &str, lease: Duration) -> Result<(), StoreError>;

    /// Give a claim up without a result (e.g. the scanner is stopping).
    fn release(&self, key: &ScanKey, owner: &str) -> Result<(), StoreError>;

    /// Number of stored scans (all keys, not only the newest per version).
    fn scan_count(&self) -> Result<u64, StoreError>;
}

/// A store that can be read and written.
pub trait AtlasStore: AtlasRead + AtlasWrite {}
impl<T: AtlasRead + AtlasWrite> AtlasStore for T {}

/// Which kind of store a URL names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl StoreUrl {
    pub fn parse(url: &str) -> Result<StoreUrl, StoreError> {
        let bad = |message: &str| StoreError::Url {
            url: url.to_string(),
            message: message.to_string(),
        };
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(bad("no file path after sqlite://"));
            }
            Ok(StoreUrl::Sqlite(path.into()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(StoreUrl::Postgres(url.to_string()))
        } else {
            Err(bad(
                "expected sqlite://PATH (e.g. sqlite://atlas.db) or postgres://USER@HOST/DB",
            ))
        }
    }
}

/// Open a store for scanning (created, and migrated to the current schema, if needed).
pub fn open_store(url: &str) -> Result<Box<dyn AtlasStore>, StoreError> {
    Ok(match StoreUrl::parse(url)? {
        StoreUrl::Sqlite(path) => Box::new(sqlite::SqliteStore::open(&path)?),
        StoreUrl::Postgres(u) => Box::new(postgres::PostgresStore::connect(&u)?),
    })
}

/// Open an existing store for reading (the site, the server). A SQLite file that does not
/// exist is an error here, not a new empty store.
pub fn open_read(url: &str) -> Result<Box<dyn AtlasRead>, StoreError> {
    Ok(match StoreUrl::parse(url)? {
        StoreUrl::Sqlite(path) => Box::new(sqlite::SqliteStore::open_existing(&path)?),
        StoreUrl::Postgres(u) => Box::new(postgres::PostgresStore::connect(&u)?),
    })
}

/// A scanner's owner id: `host:pid:nonce`, unique per process.
pub fn owner_id() -> String {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}:{}:{nonce:08x}", host_name(), std::process::id())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Whether `owner` (an [`owner_id`]) is a process on this machine that no longer runs: its
/// claims are free at once instead of at the end of their lease (a killed scanner rerun).
pub(crate) fn owner_is_dead(owner: &str) -> bool {
    let mut parts = owner.rsplitn(3, ':');
    let (Some(_nonce), Some(pid), Some(host)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if host != host_name() || pid.parse::<u32>().is_err() {
        return false;
    }
    let proc_dir = Path::new("/proc");
    proc_dir.join("self").exists() && !proc_dir.join(pid).exists()
}

/// Unix seconds now.
pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The summary as stored: JSON without the id (the row's id is the truth).
pub(crate) fn summary_json(s: &ScanSummary) -> String {
    let mut s = s.clone();
    s.id = 0;
    serde_json::to_string(&s).unwrap_or_default()
}

pub(crate) fn summary_from_json(id: i64, text: &str) -> Result<ScanSummary, StoreError> {
    let mut s: ScanSummary = serde_json::from_str(text).map_err(|e| {
        StoreError::Backend(format!("stored summary of scan {id} is unreadable: {e}"))
    })?;
    s.id = id;
    Ok(s)
}
