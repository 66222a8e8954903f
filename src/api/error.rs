//! Typed errors: what went wrong, in the server's own words, with the correlation id of
//! the call so the console can show and copy it.

use std::time::Duration;

use super::Family;
use super::wire::{
    banking::BankingError, candescent::CandescentError, citi::CitiError, newday::Problem,
    oauth::OAuthError, relay::RelayMessage,
};

/// What kind of failure, for the console to decide what to show and do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// 401, or no usable credentials: sign in again.
    Unauthenticated,
    /// 403: signed in, but not allowed (scope, locked passcode flow, plain token
    /// where a customer-bound one is needed).
    Forbidden,
    /// 404: no such customer (or one of another institution), or no such thing.
    NotFound,
    /// 409: a duplicate, a limit reached, or a write still in progress.
    Conflict,
    /// 400, 413, 415, 422 and other refusals of the request itself; `field` names the
    /// field, header or parameter at fault when the server said.
    Invalid { field: Option<String> },
    /// 429: too many requests; `retry_after` is what the server asked for.
    RateLimited { retry_after: Option<Duration> },
    /// 5xx: the backend failed.
    Server,
    /// No complete answer within the configured time.
    Timeout,
    /// The backend could not be reached (connection refused, DNS, reset).
    Unreachable,
    /// An answer arrived but not in the documented shape.
    Decode,
}

impl ErrorKind {
    /// A short label for status lines.
    pub fn label(&self) -> &'static str {
        match self {
            ErrorKind::Unauthenticated => "not signed in",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Invalid { .. } => "invalid input",
            ErrorKind::RateLimited { .. } => "rate limited",
            ErrorKind::Server => "server error",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Unreachable => "backend unreachable",
            ErrorKind::Decode => "unexpected answer",
        }
    }
}

/// A failed call.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub family: Family,
    /// The HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// The server's code (`invalidOtp`, `NOT_FOUND`, `invalid_client`...), when it sent one.
    pub code: Option<String>,
    /// The server's message, or a description of the transport failure.
    pub message: String,
    /// The correlation id sent with every attempt of this call.
    pub correlation_id: String,
    /// Attempts made (1 when not retried).
    pub attempts: u32,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.kind.label())?;
        if let Some(s) = self.status {
            write!(f, " ({s})")?;
        }
        write!(f, ": {}", self.message)?;
        if let ErrorKind::Invalid { field: Some(field) } = &self.kind
            && !self.message.contains(field.as_str())
        {
            write!(f, " [{field}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// A failure without an HTTP answer.
    pub(crate) fn local(
        kind: ErrorKind,
        family: Family,
        correlation_id: &str,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            kind,
            family,
            status: None,
            code: None,
            message: message.into(),
            correlation_id: correlation_id.to_string(),
            attempts: 0,
        }
    }

    /// A success status whose body is not what the endpoint documents.
    pub(crate) fn decode(
        family: Family,
        status: u16,
        message: String,
        correlation_id: &str,
        attempts: u32,
    ) -> Self {
        ApiError {
            kind: ErrorKind::Decode,
            family,
            status: Some(status),
            code: None,
            message,
            correlation_id: correlation_id.to_string(),
            attempts,
        }
    }

    /// The field at fault, for an invalid-input error.
    pub fn field(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Invalid { field } => field.as_deref(),
            _ => None,
        }
    }

    /// What the failure means for trying again: see [`Class`].
    pub fn class(&self) -> Class {
        Class::of(&self.kind, self.status, self.field(), &self.message)
    }

    /// Whether sending the same request again may succeed (the console's "try again",
    /// the client's own retries, bulk `retry-failed`): [`Class::retryable`].
    pub fn is_transient(&self) -> bool {
        self.class().retryable()
    }
}

/// The one classification of a failed call: what trying again can do. The client's
/// retries, the console's dialogs and messages, and the bulk engine's journal and
/// `retry-failed` all decide from this, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Nothing was applied and a later try may work: too many requests, service
    /// unavailable, the backend not reached.
    Transient,
    /// The request may or may not have taken effect (no answer in time, a server error
    /// after the request arrived, an answer in the wrong shape, the same
    /// Idempotency-Key still running): try again with the same key, so the server
    /// replays rather than applies it twice.
    InDoubt,
    /// The request itself is refused (400, 413, 415, 422): sending it again is refused
    /// again. Fix the input.
    Permanent,
    /// Not signed in, or the client lacks the scope or permission (401, 403).
    MissingScope,
    /// The backend's state does not allow it (409: a duplicate, a limit reached).
    Conflict,
    /// No such customer or thing (404).
    NotFound,
}

impl Class {
    /// The class of a failure of kind `kind`. `field` and `message` tell a conflict
    /// with a request still running under the same Idempotency-Key (in doubt) from a
    /// real one.
    pub fn of(kind: &ErrorKind, status: Option<u16>, field: Option<&str>, message: &str) -> Class {
        match kind {
            ErrorKind::RateLimited { .. } | ErrorKind::Unreachable => Class::Transient,
            // 503 says the request was not handled; any other 5xx may follow the write.
            ErrorKind::Server if status == Some(503) => Class::Transient,
            ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Decode => Class::InDoubt,
            ErrorKind::Conflict
                if field == Some("Idempotency-Key") || message.contains("Idempotency-Key") =>
            {
                Class::InDoubt
            }
            ErrorKind::Conflict => Class::Conflict,
            ErrorKind::NotFound => Class::NotFound,
            ErrorKind::Unauthenticated | ErrorKind::Forbidden => Class::MissingScope,
            ErrorKind::Invalid { .. } => Class::Permanent,
        }
    }

    /// Whether the same request may succeed when sent again (with the same key).
    pub fn retryable(self) -> bool {
        matches!(self, Class::Transient | Class::InDoubt)
    }

    /// In words, for results and summaries.
    pub fn label(self) -> &'static str {
        match self {
            Class::Transient => "may succeed later",
            Class::InDoubt => "may have been applied",
            Class::Permanent => "refused",
            Class::MissingScope => "not allowed",
            Class::Conflict => "conflict",
            Class::NotFound => "not found",
        }
    }
}

/// What a family's error body says.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ErrorBody {
    pub message: Option<String>,
    pub field: Option<String>,
    pub code: Option<String>,
}

/// Read an error body in the family's own shape; fall back to any JSON object with the
/// usual keys, then to plain text (a proxy's HTML page is cut short, not shown whole).
/// The text is the server's, unescaped: the console sanitizes before drawing it.
pub(crate) fn parse_error_body(family: Family, body: &[u8]) -> ErrorBody {
    let typed = match family {
        Family::Citi => serde_json::from_slice::<CitiError>(body)
            .ok()
            .map(|e| ErrorBody {
                message: e.details,
                field: e.location,
                code: Some(e.code),
            }),
        Family::NewDay => serde_json::from_slice::<Problem>(body)
            .ok()
            .map(|p| ErrorBody {
                field: p.errors.keys().next().cloned(),
                message: p.detail.or(Some(p.title)),
                code: None,
            }),
        Family::Candescent => serde_json::from_slice::<CandescentError>(body)
            .ok()
            .map(|e| ErrorBody {
                message: Some(e.message),
                field: None,
                code: Some(e.code),
            }),
        Family::Relay => serde_json::from_slice::<RelayMessage>(body)
            .ok()
            .map(|e| ErrorBody {
                message: Some(e.message),
                field: e.field,
                code: None,
            }),
        Family::Banking => serde_json::from_slice::<BankingError>(body)
            .ok()
            .map(|e| ErrorBody {
                message: Some(e.message),
                field: e.field,
                code: Some(e.code),
            }),
        Family::OAuth => serde_json::from_slice::<OAuthError>(body)
            .ok()
            .map(|e| ErrorBody {
                message: e.error_description.or_else(|| Some(e.error.clone())),
                field: None,
                code: Some(e.error),
            }),
        // The sandbox answers as bankingservice does; the usual keys read it.
        Family::Sandbox => None,
    };
    typed.unwrap_or_else(|| loose(body))
}

fn loose(body: &[u8]) -> ErrorBody {
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_slice(body) {
        let s = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_string);
        return ErrorBody {
            message: ["details", "detail", "message", "error_description", "title"]
                .iter()
                .find_map(|k| s(k)),
            field: s("location").or_else(|| s("field")),
            code: s("code").or_else(|| s("error")),
        };
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    ErrorBody {
        message: (!text.is_empty()).then(|| text.chars().take(200).collect()),
        ..ErrorBody::default()
    }
}

/// The kind an HTTP error status means. `retry_after` comes from the header.
pub(crate) fn kind_for(
    family: Family,
    status: u16,
    body: &ErrorBody,
    retry_after: Option<Duration>,
) -> ErrorKind {
    match status {
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimited { retry_after },
        // RFC 8693: an exchange for a customer the institution does not hold.
        400 if family == Family::OAuth && body.code.as_deref() == Some("invalid_target") => {
            ErrorKind::NotFound
        }
        s if s >= 500 => ErrorKind::Server,
        _ => ErrorKind::Invalid {
            field: body.field.clone(),
        },
    }
}

/// `Retry-After` as delta-seconds or an HTTP date.
pub(crate) fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_family_shape() {
        let citi = parse_error_body(
            Family::Citi,
            br#"{"type":"invalid","code":"invalidOtp","details":"otp: wrong passcode, 2 attempts left","location":"otp"}"#,
        );
        assert_eq!(citi.code.as_deref(), Some("invalidOtp"));
        assert_eq!(citi.field.as_deref(), Some("otp"));
        let nd = parse_error_body(
            Family::NewDay,
            br#"{"title":"Bad Request","status":400,"detail":"size: must be between 1 and 100","errors":{"size":["must be between 1 and 100"]}}"#,
        );
        assert_eq!(nd.field.as_deref(), Some("size"));
        assert!(nd.message.unwrap().contains("between"));
        let oauth = parse_error_body(
            Family::OAuth,
            br#"{"error":"invalid_target","error_description":"no such customer"}"#,
        );
        assert_eq!(
            kind_for(Family::OAuth, 400, &oauth, None),
            ErrorKind::NotFound
        );
        let long = format!("<html>{}</html>", "x".repeat(500));
        let html = parse_error_body(Family::Banking, long.as_bytes());
        assert_eq!(html.message.unwrap().chars().count(), 200);
    }

    #[test]
    fn retry_after_both_forms() {
        assert_eq!(parse_retry_after("1"), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
