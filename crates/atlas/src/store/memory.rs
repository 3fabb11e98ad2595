//! An in-memory store: for tests of the site and the server, and for `atlas site` straight
//! from report files.

use std::collections::HashMap;

use rbac_lens_report::Report;

use super::{AtlasRead, StoreError};
use crate::model::{ChartId, ScanSummary};

#[derive(Default)]
pub struct MemoryStore {
    summaries: Vec<ScanSummary>,
    reports: HashMap<i64, String>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a scan with its report; returns its id.
    pub fn add_report(&mut self, chart: ChartId, source: &str, report: &Report) -> i64 {
        let id = self.summaries.len() as i64 + 1;
        self.summaries
            .push(ScanSummary::from_report(id, chart, source, report));
        let json = serde_json::to_string(report).expect("a report always serializes");
        self.reports.insert(id, json);
        id
    }

    /// Add a failed scan; returns its id.
    pub fn add_failure(&mut self, chart: ChartId, version: &str, source: &str, error: &str) -> i64 {
        let id = self.summaries.len() as i64 + 1;
        self.summaries
            .push(ScanSummary::failed(id, chart, version, source, error));
        id
    }

    /// Change a stored summary (extra keywords, app version, ...).
    pub fn summary_mut(&mut self, id: i64) -> Option<&mut ScanSummary> {
        self.summaries.iter_mut().find(|s| s.id == id)
    }
}

impl AtlasRead for MemoryStore {
    fn summaries(&self) -> Result<Vec<ScanSummary>, StoreError> {
        Ok(self.summaries.clone())
    }

    fn report_json(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self.reports.get(&id).cloned())
    }
}
