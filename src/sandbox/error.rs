//! Errors rendered in each family's own body shape.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::api::wire::{
    banking::BankingError, candescent::CandescentError, citi::CitiError, newday::Problem,
    oauth::OAuthError, relay::RelayMessage,
};

/// Which API family a path belongs to, deciding the error body shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Citi,
    NewDay,
    Candescent,
    Relay,
    Banking,
    OAuth,
    Sandbox,
}

impl Family {
    pub fn from_path(path: &str) -> Family {
        if path.starts_with("/citi") {
            Family::Citi
        } else if path.starts_with("/customer-service") {
            Family::NewDay
        } else if path.starts_with("/digitalbanking") {
            Family::Candescent
        } else if path.starts_with("/platform") {
            Family::Relay
        } else if path.starts_with("/bankingservice") {
            Family::Banking
        } else if path.starts_with("/oauth2") {
            Family::OAuth
        } else {
            Family::Sandbox
        }
    }
}

/// An error answer: status, a machine code, words, and the field or header at fault.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub family: Family,
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(family: Family, status: StatusCode, message: impl Into<String>) -> Self {
        let code = default_code(family, status).to_string();
        ApiError {
            family,
            status,
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = code.into();
        self
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }
    pub fn bad_request(
        family: Family,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let field = field.into();
        let message = message.into();
        Self::new(
            family,
            StatusCode::BAD_REQUEST,
            format!("{field}: {message}"),
        )
        .field(field)
    }
    pub fn unauthorized(family: Family, message: impl Into<String>) -> Self {
        Self::new(family, StatusCode::UNAUTHORIZED, message)
    }
    pub fn forbidden(family: Family, message: impl Into<String>) -> Self {
        Self::new(family, StatusCode::FORBIDDEN, message)
    }
    pub fn not_found(family: Family, message: impl Into<String>) -> Self {
        Self::new(family, StatusCode::NOT_FOUND, message)
    }
    pub fn conflict(family: Family, message: impl Into<String>) -> Self {
        Self::new(family, StatusCode::CONFLICT, message)
    }
    pub fn internal(family: Family, message: impl Into<String>) -> Self {
        Self::new(family, StatusCode::INTERNAL_SERVER_ERROR, message)
    }
    pub fn from_field(family: Family, e: crate::domain::FieldError) -> Self {
        Self::bad_request(family, e.field, e.message)
    }
}

fn default_code(family: Family, status: StatusCode) -> &'static str {
    match family {
        Family::Citi => match status.as_u16() {
            400 => "invalidRequest",
            401 => "unAuthorized",
            403 => "accessNotConfigured",
            404 => "resourceNotFound",
            405 => "methodNotAllowed",
            409 => "conflict",
            413 => "payloadTooLarge",
            415 => "unsupportedMediaType",
            422 => "idempotencyKeyReused",
            429 => "tooManyRequests",
            _ => "serverUnavailable",
        },
        Family::OAuth => match status.as_u16() {
            401 => "invalid_client",
            403 => "unauthorized_client",
            429 => "temporarily_unavailable",
            500..=599 => "server_error",
            _ => "invalid_request",
        },
        _ => match status.as_u16() {
            400 => "INVALID_REQUEST",
            401 => "UNAUTHORIZED",
            403 => "FORBIDDEN",
            404 => "NOT_FOUND",
            405 => "METHOD_NOT_ALLOWED",
            409 => "CONFLICT",
            413 => "PAYLOAD_TOO_LARGE",
            415 => "UNSUPPORTED_MEDIA_TYPE",
            422 => "IDEMPOTENCY_KEY_REUSED",
            429 => "TOO_MANY_REQUESTS",
            _ => "SERVER_ERROR",
        },
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "store error");
        ApiError::new(
            Family::Sandbox,
            StatusCode::SERVICE_UNAVAILABLE,
            "the customer store is unavailable",
        )
    }
}

/// Attached to the response of an error raised without knowing its family (a store
/// failure), so [`reshape`] can render it again in the family of the path.
#[derive(Debug, Clone)]
pub struct Unshaped(pub ApiError);

/// Render again in `family`'s shape an error answer that is not in it: axum's own plain
/// text rejections (unknown path 404, 405, a malformed path segment or query string) and
/// store failures raised as [`Family::Sandbox`]. Other answers pass through unchanged.
pub async fn reshape(family: Family, resp: Response) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    if let Some(Unshaped(e)) = resp.extensions().get::<Unshaped>() {
        if family == Family::Sandbox {
            return resp;
        }
        let mut again = ApiError::new(family, e.status, e.message.clone());
        again.field = e.field.clone();
        again.retry_after = e.retry_after;
        return again.into_response();
    }
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    let message = match (status.as_u16(), text.is_empty()) {
        (_, false) => text,
        (404, true) => "no such endpoint: see /openapi.json".to_string(),
        (405, true) => "method not allowed on this endpoint".to_string(),
        (_, true) => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let mut e = ApiError::new(family, status, message.clone());
    // axum names the offending parameter in backticks: "Invalid UTF-8 in `customerId`".
    if let Some(name) = message.split('`').nth(1).filter(|n| !n.is_empty()) {
        e = e.field(name);
    }
    let mut out = e.into_response();
    for h in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&h) {
            out.headers_mut().insert(h, v.clone());
        }
    }
    out
}

impl ApiError {
    /// The JSON body of this error in its family's shape.
    pub fn body(&self) -> Vec<u8> {
        let status = self.status;
        let (code, message, field) = (self.code.clone(), self.message.clone(), self.field.clone());
        match self.family {
            Family::Citi => serde_json::to_vec(&CitiError {
                kind: match status.as_u16() {
                    400 | 413 | 415 | 422 => "invalid",
                    500..=599 => "fatal",
                    _ => "error",
                }
                .into(),
                code,
                details: Some(message),
                location: field,
                more_info: None,
            }),
            Family::NewDay => {
                let mut errors = std::collections::BTreeMap::new();
                if let Some(f) = field {
                    errors.insert(f, vec![message.clone()]);
                }
                serde_json::to_vec(&Problem {
                    title: status.canonical_reason().unwrap_or("Error").to_string(),
                    status: status.as_u16(),
                    detail: Some(message),
                    errors,
                })
            }
            Family::Candescent => serde_json::to_vec(&CandescentError {
                status: status.as_u16(),
                message,
                code,
            }),
            Family::Relay => serde_json::to_vec(&RelayMessage { message, field }),
            Family::Banking | Family::Sandbox => serde_json::to_vec(&BankingError {
                message,
                code,
                field,
            }),
            Family::OAuth => serde_json::to_vec(&OAuthError {
                error: code,
                error_description: Some(message),
            }),
        }
        .unwrap_or_default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unshaped = (self.family == Family::Sandbox).then(|| Unshaped(self.clone()));
        let status = self.status;
        let body = self.body();
        let mut resp = (status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(s) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(u) = unshaped {
            resp.extensions_mut().insert(u);
        }
        resp
    }
}
