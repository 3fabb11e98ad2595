//! Error responses. Every error leaves the server as `{"error": "..."}` with a 4xx status for
//! the client's mistakes and a 5xx status only for ours, whoever produced it: a handler, an
//! axum extractor rejection (bad query, oversized body), the router (unknown path, wrong
//! method) or a caught panic.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error a handler returns; becomes a JSON response.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Extra detail (analysis warnings), when there is some.
    pub details: Vec<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            details: Vec::new(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
    pub fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    details: &'a [String],
}

/// The JSON error response for a status and message.
pub fn json_error(status: StatusCode, message: &str, details: &[String]) -> Response {
    let body = serde_json::to_vec(&ErrorBody {
        error: message,
        details,
    })
    .unwrap_or_else(|_| br#"{"error":"error"}"#.to_vec());
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_error(self.status, &self.message, &self.details)
    }
}

/// Rewrite error responses that are not JSON yet (axum's plain-text rejections, the router's
/// empty 404/405, the static file service's 404) into the JSON error shape, keeping status
/// and headers such as `Allow`.
pub async fn jsonify_errors(resp: Response) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    // Rejection texts are short; anything longer is not worth echoing.
    let text = axum::body::to_bytes(body, 4096)
        .await
        .ok()
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| default_message(status));
    let json = json_error(status, &text, &[]);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, json.into_body())
}

fn default_message(status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => "not found: see /api/v1 routes in docs/openapi.yaml".into(),
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed for this path".into(),
        s => s
            .canonical_reason()
            .map(|r| r.to_ascii_lowercase())
            .unwrap_or_else(|| format!("HTTP {}", s.as_u16())),
    }
}

/// What a caught panic turns into: our bug, so a 500, but still JSON and the server lives on.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error (the server caught a panic while answering; please report it)",
        &[],
    )
}
