//! The default store: one SQLite file (bundled SQLite), WAL journal so readers (the site,
//! the server) never block the scanner, and one transaction per finished scan so a killed
//! scanner leaves either the whole result or none of it.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use super::{
    AtlasRead, AtlasWrite, Claim, SCHEMA_VERSION, ScanRecord, StoreError, now_secs,
    summary_from_json, summary_json,
};
use crate::model::{ScanKey, ScanSummary};

/// Schema migrations, in order: `MIGRATIONS[i]` brings the store to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: scans (one row per scan key, report JSON beside the summary) and claims.
    "CREATE TABLE scans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key_hash TEXT NOT NULL UNIQUE,
        repo TEXT NOT NULL,
        chart TEXT NOT NULL,
        version TEXT NOT NULL,
        values_digest TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        catalog_version TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT NOT NULL,
        source TEXT NOT NULL,
        scanned_at INTEGER NOT NULL,
        highest TEXT,
        permissions INTEGER NOT NULL,
        reaches_cluster_admin INTEGER NOT NULL,
        summary TEXT NOT NULL,
        report TEXT
    );
    CREATE INDEX scans_chart_version ON scans (repo, chart, version);
    CREATE TABLE claims (
        key_hash TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        lease_until INTEGER NOT NULL
    );",
];

const _: () = assert!(MIGRATIONS.len() as i64 == SCHEMA_VERSION);

/// A SQLite atlas store. `Send + Sync`: one connection behind a mutex (each call is short;
/// the scanner's time goes into analysis, not here).
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("sqlite: {e}"))
}

impl SqliteStore {
    /// Open (creating if needed) the store at `path` and migrate it.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| StoreError::Backend(format!("sqlite {}: {e}", path.display())))?;
        Self::setup(conn, path)
    }

    /// Open a store that must exist already.
    pub fn open_existing(path: &Path) -> Result<SqliteStore, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Backend(format!(
                "no atlas store at {} (create one with `rbac-lens atlas scan --db sqlite://{}`)",
                path.display(),
                path.display()
            )));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Backend(format!("sqlite {}: {e}", path.display())))?;
        Self::setup(conn, path)
    }

    /// A private in-memory store (tests).
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(backend)?;
        Self::setup(conn, Path::new(":memory:"))
    }

    fn setup(mut conn: Connection, path: &Path) -> Result<SqliteStore, StoreError> {
        let ctx =
            |e: rusqlite::Error| StoreError::Backend(format!("sqlite {}: {e}", path.display()));
        // Several scanner processes may share a file: wait for each other's short write
        // transactions instead of failing.
        conn.busy_timeout(Duration::from_secs(60)).map_err(ctx)?;
        // WAL: readers do not block the writer. FULL sync: a committed scan survives even a
        // power loss, and costs one fsync per chart, nothing next to the analysis.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(ctx)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(ctx)?;
        migrate(&mut conn).map_err(|e| match e {
            StoreError::Backend(m) => StoreError::Backend(format!("{}: {m}", path.display())),
            e => e,
        })?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half transaction behind (rusqlite
        // rolls back on drop), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run `PRAGMA integrity_check` (tests, `atlas scan` after a crash).
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(backend)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            applied_at INTEGER NOT NULL
        )",
    )
    .map_err(backend)?;
    let current: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(backend)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql).map_err(backend)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![i as i64 + 1, now_secs()],
        )
        .map_err(backend)?;
    }
    tx.commit().map_err(backend)
}

impl AtlasRead for SqliteStore {
    fn summaries(&self) -> Result<Vec<ScanSummary>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, summary FROM (
                    SELECT id, summary, ROW_NUMBER() OVER (
                        PARTITION BY repo, chart, version ORDER BY scanned_at DESC, id DESC
                    ) AS rn FROM scans
                 ) AS newest WHERE rn = 1 ORDER BY id",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(backend)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, text) = row.map_err(backend)?;
            out.push(summary_from_json(id, &text)?);
        }
        Ok(out)
    }

    fn report_json(&self, id: i64) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row("SELECT report FROM scans WHERE id = ?1", [id], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()
            .map(Option::flatten)
            .map_err(backend)
    }
}

impl AtlasWrite for SqliteStore {
    fn is_done(&self, key: &ScanKey, retry_failed: bool) -> Result<bool, StoreError> {
        self.conn()
            .query_row(
                "SELECT 1 FROM scans WHERE key_hash = ?1 AND (?2 = 0 OR status <> 'failed')",
                params![key.hash(), retry_failed],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(backend)
    }

    fn claim(
        &self,
        key: &ScanKey,
        owner: &str,
        lease: Duration,
        retry_failed: bool,
    ) -> Result<Claim, StoreError> {
        let hash = key.hash();
        let now = now_secs();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let done = tx
            .query_row(
                "SELECT 1 FROM scans WHERE key_hash = ?1 AND (?2 = 0 OR status <> 'failed')",
                params![hash, retry_failed],
                |_| Ok(()),
            )
            .optional()
            .map_err(backend)?
            .is_some();
        if done {
            return Ok(Claim::Done);
        }
        let held: Option<(String, i64)> = tx
            .query_row(
                "SELECT owner, lease_until FROM claims WHERE key_hash = ?1",
                [&hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(backend)?;
        if let Some((other, until)) = held
            && other != owner
            && until > now
            && !super::owner_is_dead(&other)
        {
            return Ok(Claim::Busy);
        }
        tx.execute(
            "INSERT INTO claims (key_hash, owner, lease_until) VALUES (?1, ?2, ?3)
             ON CONFLICT (key_hash) DO UPDATE SET owner = excluded.owner,
                 lease_until = excluded.lease_until",
            params![hash, owner, now + lease.as_secs() as i64],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(Claim::Claimed)
    }

    fn finish(&self, record: &ScanRecord, _owner: &str) -> Result<bool, StoreError> {
        let k = &record.key;
        let s = &record.summary;
        let hash = k.hash();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let inserted = tx
            .execute(
                "INSERT INTO scans (key_hash, repo, chart, version, values_digest, tool_version,
                    catalog_version, status, error, source, scanned_at, highest, permissions,
                    reaches_cluster_admin, summary, report)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                 ON CONFLICT (key_hash) DO UPDATE SET status = excluded.status,
                    error = excluded.error, source = excluded.source,
                    scanned_at = excluded.scanned_at, highest = excluded.highest,
                    permissions = excluded.permissions,
                    reaches_cluster_admin = excluded.reaches_cluster_admin,
                    summary = excluded.summary, report = excluded.report
                 WHERE scans.status = 'failed'",
                params![
                    hash,
                    k.chart.repo,
                    k.chart.chart,
                    k.version,
                    k.values_digest,
                    k.tool_version,
                    k.catalog_version,
                    s.status.as_str(),
                    s.error,
                    s.source,
                    s.scanned_at,
                    s.highest.map(|h| format!("{h:?}")),
                    s.permissions,
                    s.reaches_cluster_admin,
                    summary_json(s),
                    record.report_json,
                ],
            )
            .map_err(backend)?
            == 1;
        tx.execute("DELETE FROM claims WHERE key_hash = ?1", [&hash])
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(inserted)
    }

    fn renew(&self, owner: &str, lease: Duration) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE claims SET lease_until = ?2 WHERE owner = ?1",
                params![owner, now_secs() + lease.as_secs() as i64],
            )
            .map(|_| ())
            .map_err(backend)
    }

    fn release(&self, key: &ScanKey, owner: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "DELETE FROM claims WHERE key_hash = ?1 AND owner = ?2",
                params![key.hash(), owner],
            )
            .map(|_| ())
            .map_err(backend)
    }

    fn scan_count(&self) -> Result<u64, StoreError> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM scans", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(backend)
    }
}
