//! Where scans live. The site generator and the HTTP server read only through [`AtlasRead`];
//! the scanner writes through the concrete stores (SQLite, PostgreSQL).

mod memory;

pub use memory::MemoryStore;

use rbac_lens_report::Report;

use crate::model::ScanSummary;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Backend(String),
    #[error("stored report {id} is not valid report JSON: {message}")]
    BadReport { id: i64, message: String },
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
