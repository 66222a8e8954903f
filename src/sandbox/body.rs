//! JSON bodies whose errors name the field, in the family's error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::{ApiError, Family};

/// Largest body accepted on any endpoint.
pub const MAX_BODY: usize = 1024 * 1024;

/// A JSON body. Wrong types, unknown fields and malformed JSON become a 400 naming the
/// field (`emails[0].emailAddress`) in the family's error shape.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let family = Family::from_path(req.uri().path());
        let ct_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let v = v.to_ascii_lowercase();
                v.starts_with("application/json")
                    || (v.starts_with("application/") && v.contains("+json"))
            })
            .unwrap_or(false);
        if !ct_ok {
            return Err(ApiError::new(
                family,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type: send the body as application/json",
            )
            .field("Content-Type"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            ApiError::new(
                family,
                StatusCode::PAYLOAD_TOO_LARGE,
                "the body is over 1 MiB",
            )
            .field("body")
        })?;
        parse(family, &bytes).map(Json)
    }
}

/// Parse JSON, naming the failing field.
pub fn parse<T: DeserializeOwned>(family: Family, bytes: &[u8]) -> Result<T, ApiError> {
    // Every body of every family is an object; serde would otherwise take a struct from
    // a JSON array of its fields in order.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::bad_request(
            family,
            "body",
            "must be a JSON object, not an array",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        // serde names unknown and missing fields in its message, not its path.
        // serde_path_to_error's path already ends with an unknown field's name, but
        // stops at the parent of a missing one.
        let field = match extract_quoted(&msg, "missing field `") {
            Some(f) if path == "." => f,
            Some(f) => format!("{path}.{f}"),
            None if path == "." => "body".to_string(),
            None => path,
        };
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        ApiError::bad_request(family, field, msg)
    })?;
    // Only whitespace may follow the value (serde_json::from_slice checks this; a bare
    // Deserializer does not).
    de.end().map_err(|_| {
        ApiError::bad_request(family, "body", "unexpected characters after the JSON value")
    })?;
    Ok(value)
}

fn extract_quoted(msg: &str, marker: &str) -> Option<String> {
    let rest = msg.split(marker).nth(1)?;
    Some(rest.split('`').next()?.to_string())
}
