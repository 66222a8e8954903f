//! Routes, one module per API family. Each module exposes `routes()` and an OpenAPI
//! `Doc` generated from its handlers' annotations.

pub mod banking;
pub mod candescent;
pub mod citi;
pub mod misc;
pub mod newday;
pub mod oauth;
pub mod relay;

use axum::Router;
use axum::http::HeaderMap;

use super::Shared;
use super::error::{ApiError, Family};
use super::store::{self, CustomerRec};

pub fn all() -> Router<Shared> {
    Router::new()
        .merge(oauth::routes())
        .merge(misc::routes())
        .merge(citi::routes())
        .merge(newday::routes())
        .merge(candescent::routes())
        .merge(relay::routes())
        .merge(banking::routes())
}

/// A customer of `tenant`, or 404: another tenant's customer is indistinguishable from
/// one that does not exist.
pub fn load_customer(
    st: &Shared,
    family: Family,
    tenant: &str,
    id: &str,
) -> Result<CustomerRec, ApiError> {
    st.store
        .read(|c| store::customer_by_id(c, tenant, id))?
        .ok_or_else(|| {
            ApiError::not_found(
                family,
                format!(
                    "customer {} not found",
                    crate::domain::sanitize::for_display(id)
                ),
            )
        })
}

/// A header that must be present and non-empty: 400 naming it.
pub fn require_header<'a>(
    headers: &'a HeaderMap,
    name: &str,
    family: Family,
) -> Result<&'a str, ApiError> {
    match headers.get(name).map(|v| v.to_str()) {
        Some(Ok(v)) if !v.trim().is_empty() => Ok(v),
        Some(Ok(_)) => Err(ApiError::bad_request(family, name, "must not be empty")),
        Some(Err(_)) => Err(ApiError::bad_request(
            family,
            name,
            "must be printable ASCII",
        )),
        None => Err(ApiError::bad_request(
            family,
            name,
            "required header is missing",
        )),
    }
}

/// The `Idempotency-Key` of a write, if any (already validated by the middleware).
pub fn idem_key(headers: &HeaderMap) -> Option<&str> {
    headers.get("idempotency-key").and_then(|v| v.to_str().ok())
}

/// Convert a store error inside a write closure.
pub fn db(e: rusqlite::Error) -> ApiError {
    ApiError::from(e)
}
