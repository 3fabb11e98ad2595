//! The shared store: a PostgreSQL database several scanners (on several machines) write to
//! at once. Work is claimed per scan key on a `claims` table with row locks taken with
//! `FOR UPDATE SKIP LOCKED` and a lease in server time, so two scanners never scan the
//! same key at once and a crashed scanner's claim runs out.
//!
//! Blocking client (the `postgres` crate runs a private Tokio runtime): from async code call
//! it inside `tokio::task::spawn_blocking`, never on a Tokio worker thread.

use std::sync::Mutex;
use std::time::Duration;

use postgres::{Client, NoTls};

use super::{
    AtlasRead, AtlasWrite, Claim, SCHEMA_VERSION, ScanRecord, StoreError, summary_from_json,
    summary_json,
};
use crate::model::{ScanKey, ScanSummary};

/// `MIGRATIONS[i]` brings the store to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: scans (one row per scan key, report JSON beside the summary) and claims.
    "CREATE TABLE scans (
        id BIGSERIAL PRIMARY KEY,
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
        scanned_at BIGINT NOT NULL,
        highest TEXT,
        permissions BIGINT NOT NULL,
        reaches_cluster_admin BOOLEAN NOT NULL,
        summary TEXT NOT NULL,
        report TEXT
    );
    CREATE INDEX scans_chart_version ON scans (repo, chart, version);
    CREATE TABLE claims (
        key_hash TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        lease_until TIMESTAMPTZ NOT NULL
    );",
];

const _: () = assert!(MIGRATIONS.len() as i64 == SCHEMA_VERSION);

/// Any constant: the advisory lock that serializes migrations of concurrent openers.
const MIGRATION_LOCK: i64 = 0x7262_6163_6174_6c73;

/// A PostgreSQL atlas store: one connection behind a mutex, reopened when it drops.
pub struct PostgresStore {
    url: String,
    client: Mutex<Option<Client>>,
}

fn backend(e: postgres::Error) -> StoreError {
    // The server's message (or the client's cause) is in the source, not in `e` itself.
    match std::error::Error::source(&e) {
        Some(cause) => StoreError::Backend(format!("postgres: {e}: {cause}")),
        None => StoreError::Backend(format!("postgres: {e}")),
    }
}

impl PostgresStore {
    /// Connect (no TLS: loopback, a local socket or a private network) and migrate.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let mut client = Self::open_client(url)?;
        migrate(&mut client)?;
        Ok(PostgresStore {
            url: url.to_string(),
            client: Mutex::new(Some(client)),
        })
    }

    fn open_client(url: &str) -> Result<Client, StoreError> {
        Client::connect(url, NoTls).map_err(|e| {
            StoreError::Backend(format!("postgres: cannot connect to {}: {e}", redact(url)))
        })
    }

    /// Run `f` on the connection, reconnecting first if the last one was closed.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut guard = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_none_or(|c| c.is_closed()) {
            *guard = Some(Self::open_client(&self.url)?);
        }
        let client = guard.as_mut().expect("just connected");
        f(client).map_err(backend)
    }
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction().map_err(backend)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(backend)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )
    .map_err(backend)?;
    let current: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .map_err(backend)?
        .get(0);
    if current > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.batch_execute(sql).map_err(backend)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&(i as i64 + 1)],
        )
        .map_err(backend)?;
    }
    tx.commit().map_err(backend)
}

impl AtlasRead for PostgresStore {
    fn summaries(&self) -> Result<Vec<ScanSummary>, StoreError> {
        let rows = self.with(|c| {
            c.query(
                "SELECT id, summary FROM (
                    SELECT id, summary, ROW_NUMBER() OVER (
                        PARTITION BY repo, chart, version ORDER BY scanned_at DESC, id DESC
                    ) AS rn FROM scans
                 ) AS newest WHERE rn = 1 ORDER BY id",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| summary_from_json(r.get(0), r.get(1)))
            .collect()
    }

    fn report_json(&self, id: i64) -> Result<Option<String>, StoreError> {
        let row = self.with(|c| c.query_opt("SELECT report FROM scans WHERE id = $1", &[&id]))?;
        Ok(row.and_then(|r| r.get::<_, Option<String>>(0)))
    }
}

impl AtlasWrite for PostgresStore {
    fn is_done(&self, key: &ScanKey, retry_failed: bool) -> Result<bool, StoreError> {
        let hash = key.hash();
        self.with(|c| {
            c.query_opt(
                "SELECT 1 FROM scans WHERE key_hash = $1 AND (NOT $2 OR status <> 'failed')",
                &[&hash, &retry_failed],
            )
        })
        .map(|r| r.is_some())
    }

    fn claim(
        &self,
        key: &ScanKey,
        owner: &str,
        lease: Duration,
        retry_failed: bool,
    ) -> Result<Claim, StoreError> {
        let hash = key.hash();
        let lease = lease.as_secs_f64();
        self.with(|c| {
            let mut tx = c.transaction()?;
            // Make sure a claim row exists, then lock it, skipping it when another scanner
            // is deciding about the same key right now.
            tx.execute(
                "INSERT INTO claims (key_hash, owner, lease_until) VALUES ($1, '', '-infinity')
                 ON CONFLICT (key_hash) DO NOTHING",
                &[&hash],
            )?;
            let Some(row) = tx.query_opt(
                "SELECT owner, lease_until > now() FROM claims WHERE key_hash = $1
                 FOR UPDATE SKIP LOCKED",
                &[&hash],
            )?
            else {
                return Ok(Claim::Busy);
            };
            // Checked only under the row lock: a scanner finishing this key deletes the
            // claim row in the same transaction as it stores the scan, so either its scan
            // is visible now or it waits for us.
            if tx
                .query_opt(
                    "SELECT 1 FROM scans WHERE key_hash = $1 AND (NOT $2 OR status <> 'failed')",
                    &[&hash, &retry_failed],
                )?
                .is_some()
            {
                tx.execute(
                    "DELETE FROM claims WHERE key_hash = $1 AND owner = ''",
                    &[&hash],
                )?;
                tx.commit()?;
                return Ok(Claim::Done);
            }
            let holder: String = row.get(0);
            let live: bool = row.get(1);
            if live && holder != owner && !super::owner_is_dead(&holder) {
                return Ok(Claim::Busy);
            }
            tx.execute(
                "UPDATE claims SET owner = $2, lease_until = now() + $3 * interval '1 second'
                 WHERE key_hash = $1",
                &[&hash, &owner, &lease],
            )?;
            tx.commit()?;
            Ok(Claim::Claimed)
        })
    }

    fn finish(&self, record: &ScanRecord, _owner: &str) -> Result<bool, StoreError> {
        let k = &record.key;
        let s = &record.summary;
        let hash = k.hash();
        let highest = s.highest.map(|h| format!("{h:?}"));
        let permissions = i64::from(s.permissions);
        let summary = summary_json(s);
        self.with(|c| {
            let mut tx = c.transaction()?;
            let n = tx.execute(
                "INSERT INTO scans (key_hash, repo, chart, version, values_digest, tool_version,
                    catalog_version, status, error, source, scanned_at, highest, permissions,
                    reaches_cluster_admin, summary, report)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 ON CONFLICT (key_hash) DO UPDATE SET status = excluded.status,
                    error = excluded.error, source = excluded.source,
                    scanned_at = excluded.scanned_at, highest = excluded.highest,
                    permissions = excluded.permissions,
                    reaches_cluster_admin = excluded.reaches_cluster_admin,
                    summary = excluded.summary, report = excluded.report
                 WHERE scans.status = 'failed'",
                &[
                    &hash,
                    &k.chart.repo,
                    &k.chart.chart,
                    &k.version,
                    &k.values_digest,
                    &k.tool_version,
                    &k.catalog_version,
                    &s.status.as_str(),
                    &s.error,
                    &s.source,
                    &s.scanned_at,
                    &highest,
                    &permissions,
                    &s.reaches_cluster_admin,
                    &summary,
                    &record.report_json,
                ],
            )?;
            tx.execute("DELETE FROM claims WHERE key_hash = $1", &[&hash])?;
            tx.commit()?;
            Ok(n == 1)
        })
    }

    fn renew(&self, owner: &str, lease: Duration) -> Result<(), StoreError> {
        let lease = lease.as_secs_f64();
        self.with(|c| {
            c.execute(
                "UPDATE claims SET lease_until = now() + $2 * interval '1 second' WHERE owner = $1",
                &[&owner, &lease],
            )
        })
        .map(|_| ())
    }

    fn release(&self, key: &ScanKey, owner: &str) -> Result<(), StoreError> {
        let hash = key.hash();
        self.with(|c| {
            c.execute(
                "DELETE FROM claims WHERE key_hash = $1 AND owner = $2",
                &[&hash, &owner],
            )
        })
        .map(|_| ())
    }

    fn scan_count(&self) -> Result<u64, StoreError> {
        self.with(|c| c.query_one("SELECT COUNT(*) FROM scans", &[]))
            .map(|r| r.get::<_, i64>(0) as u64)
    }
}

/// Create a new empty database `name` on the server of `url` and return the URL of that
/// database. For tests and scripts that need an isolated store on a shared server.
#[doc(hidden)]
pub fn create_database(url: &str, name: &str) -> Result<String, StoreError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Backend(format!("bad database name {name:?}")));
    }
    let mut client = PostgresStore::open_client(url)?;
    client
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .map_err(backend)?;
    // Replace the path (the database) of the URL, keeping any query.
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = head.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match head[after_scheme..].find('/') {
        Some(i) => &head[..after_scheme + i],
        None => head,
    };
    Ok(format!("{base}/{name}{query}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_password() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
