//! The atlas: many charts and versions scanned into a store, read back for the static site
//! and the HTTP API.
//!
//! - [`model`]: what a stored scan is ([`model::ScanKey`], [`model::ScanSummary`]).
//! - [`store`]: the [`store::AtlasRead`] contract the site and the server read through, and
//!   its implementations (in memory for tests; SQLite and PostgreSQL for real).
//! - [`view`]: derived views over stored scans: chart index, version order, version diffs,
//!   search by permission.

pub mod fetch;
pub mod model;
pub mod projects;
pub mod scan;
pub mod store;
pub mod view;

pub use model::ScanKey;
pub use model::{ChartId, ScanStatus, ScanSummary};
pub use store::{
    AtlasRead, AtlasStore, AtlasWrite, Claim, MemoryStore, ScanRecord, StoreError, open_read,
    open_store,
};
