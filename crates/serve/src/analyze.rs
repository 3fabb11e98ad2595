//! `POST /api/v1/analyze`: analyse what the client sends (YAML or JSON manifests, or a chart
//! `.tgz`) and answer with the report JSON. The body is written to a private temporary
//! directory and handed to the same pipeline the CLI uses; the CPU work runs on the blocking
//! pool, at most `analyze_concurrency` at a time, and the client gets an answer within
//! `analyze_timeout` whether or not the analysis finished.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use rbac_lens_pipeline::{HelmSettings, Options};
use serde::Deserialize;

use crate::api::{AppState, json};
use crate::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AnalyzeQuery {
    /// Namespace for objects without one and the Helm release namespace.
    namespace: Option<String>,
    /// Helm release name (default: the chart name).
    release_name: Option<String>,
}

/// What the body is, from its first bytes (the Content-Type header is not trusted).
#[derive(Debug, PartialEq)]
enum BodyKind {
    Chart,
    Json,
    Yaml,
}

fn sniff(body: &[u8]) -> Result<BodyKind, ApiError> {
    if body.starts_with(&[0x1f, 0x8b]) {
        return Ok(BodyKind::Chart);
    }
    let text = std::str::from_utf8(body).map_err(|e| {
        ApiError::bad_request(format!(
            "body is neither a gzip chart archive (.tgz) nor UTF-8 text ({e})"
        ))
    })?;
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.is_empty() {
        return Err(ApiError::bad_request(
            "empty body: send YAML or JSON manifests, or a chart .tgz",
        ));
    }
    Ok(if start.starts_with('{') || start.starts_with('[') {
        BodyKind::Json
    } else {
        BodyKind::Yaml
    })
}

/// A DNS-1123 label, as Kubernetes requires for namespaces and release names.
fn dns_label(what: &str, v: &str) -> Result<(), ApiError> {
    let ok = !v.is_empty()
        && v.len() <= 63
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !v.starts_with('-')
        && !v.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{what} `{v}`: expected a DNS label (lowercase letters, digits, '-', at most 63)"
        )))
    }
}

pub async fn analyze(
    State(app): State<AppState>,
    q: Result<Query<AnalyzeQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let q = q
        .map(|Query(q)| q)
        .map_err(|e| ApiError::bad_request(format!("bad query string: {}", e.body_text())))?;
    // A rejected body is too large (413) or unreadable (400): keep axum's status.
    let body = body.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
    let kind = sniff(&body)?;
    if let Some(ns) = &q.namespace {
        dns_label("namespace", ns)?;
    }
    if let Some(r) = &q.release_name {
        dns_label("releaseName", r)?;
    }

    let limits = &app.limits;
    let permit = tokio::time::timeout(
        limits.analyze_queue_wait,
        app.analyze_slots.clone().acquire_owned(),
    )
    .await
    .map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many analyses running; retry later",
        )
    })?
    .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "server is shutting down"))?;

    let opts = Options {
        namespace: q.namespace.unwrap_or_else(|| "default".into()),
        helm: HelmSettings {
            release_name: q.release_name,
            ..HelmSettings::default()
        },
        ..Options::default()
    };
    let task = tokio::task::spawn_blocking(move || {
        // Held until the work really ends, even if the client was already answered.
        let _permit = permit;
        run_analysis(&body, kind, &opts)
    });
    let timeout = limits.analyze_timeout;
    match tokio::time::timeout(timeout, task).await {
        Err(_) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "analysis did not finish within {}: the input is too large or too complex",
                human(timeout)
            ),
        )),
        Ok(Err(join)) => Err(ApiError::internal(format!(
            "analysis crashed ({join}); please report this input"
        ))),
        Ok(Ok(result)) => result.map(json),
    }
}

fn human(d: Duration) -> String {
    if d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

fn run_analysis(body: &[u8], kind: BodyKind, opts: &Options) -> Result<Bytes, ApiError> {
    let dir = tempfile::Builder::new()
        .prefix("rbac-lens-analyze-")
        .tempdir()
        .map_err(|e| ApiError::internal(format!("creating a temporary directory: {e}")))?;
    let name = match kind {
        BodyKind::Chart => "chart.tgz",
        BodyKind::Json => "manifests.json",
        BodyKind::Yaml => "manifests.yaml",
    };
    let path = dir.path().join(name);
    std::fs::write(&path, body)
        .map_err(|e| ApiError::internal(format!("writing the body to a temporary file: {e}")))?;
    let input = path.to_string_lossy().into_owned();
    let outcome =
        rbac_lens_pipeline::analyze(&[input], opts, rbac_lens_core::catalog::Catalog::embedded());
    let mut report = outcome.report;
    // The temporary path means nothing to the client.
    let shown = match kind {
        BodyKind::Chart => "request body (chart .tgz)",
        BodyKind::Json => "request body (JSON)",
        BodyKind::Yaml => "request body (YAML)",
    };
    report.metadata.source = shown.into();
    if report.metadata.name == name {
        report.metadata.name = shown.into();
    }
    let warnings: Vec<String> = report
        .metadata
        .extra
        .warnings
        .iter()
        .flatten()
        .map(|w| hide_dir(w, dir.path()))
        .collect();
    // Input errors and nothing usable: the body was not Kubernetes manifests or a chart.
    let nothing_read = report.metadata.extra.manifests.unwrap_or(0) == 0
        || (report.service_account_data.is_empty()
            && report.service_account_permissions.is_empty()
            && report.subject_permissions.is_empty()
            && report.service_account_workloads.is_empty());
    if outcome.input_errors && nothing_read {
        let first = warnings
            .first()
            .cloned()
            .unwrap_or_else(|| "the body could not be read".into());
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("nothing analysed: {first}"),
        )
        .with_details(warnings));
    }
    // Source locations name files under the temporary directory: make them relative.
    Ok(Bytes::from(hide_dir(
        &rbac_lens_report::to_json(&report),
        dir.path(),
    )))
}

/// `text` with the temporary directory's path taken out (it means nothing to the client).
fn hide_dir(text: &str, dir: &std::path::Path) -> String {
    let dir = dir.to_string_lossy();
    text.replace(&format!("{dir}/"), "")
        .replace(dir.as_ref(), "<body>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_body_kinds() {
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0]).unwrap(), BodyKind::Chart);
        assert_eq!(sniff(b"  {\"kind\":\"List\"}").unwrap(), BodyKind::Json);
        assert_eq!(
            sniff(b"apiVersion: v1\nkind: List\n").unwrap(),
            BodyKind::Yaml
        );
        assert_eq!(sniff(b"\n \t").unwrap_err().status, StatusCode::BAD_REQUEST);
        assert_eq!(
            sniff(&[0xff, 0xfe, 0]).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn labels_are_checked() {
        assert!(dns_label("namespace", "kube-system").is_ok());
        for bad in ["", "-a", "a-", "A", "a_b", &"x".repeat(64)] {
            assert!(dns_label("namespace", bad).is_err(), "{bad}");
        }
    }
}
