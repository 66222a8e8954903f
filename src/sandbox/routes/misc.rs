//! `/healthz`, `/openapi.json` and the sandbox-only `/sandbox/outbox`.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use rusqlite::params;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use crate::api::wire::banking::BankingError;
use crate::api::wire::sandbox::{Health, Outbox, OutboxMessage};
use crate::sandbox::Shared;
use crate::sandbox::auth::{SCOPE_READ, authorize};
use crate::sandbox::error::{ApiError, Family};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .route("/sandbox/outbox", get(outbox))
}

#[derive(OpenApi)]
#[openapi(
    paths(healthz, openapi, outbox),
    components(schemas(Health, Outbox, OutboxMessage))
)]
pub struct Doc;

/// Liveness and the number of customers in the store.
#[utoipa::path(get, path = "/healthz", tag = "sandbox", responses((status = 200, body = Health),
    (status = 503, body = BankingError, description = "the customer store is unavailable")))]
async fn healthz(State(st): State<Shared>) -> Result<Json<Health>, ApiError> {
    Ok(Json(Health {
        status: "ok".into(),
        customers: st.store.customer_count()?,
    }))
}

/// This document: OpenAPI 3.1, generated from the handlers' annotations.
#[utoipa::path(get, path = "/openapi.json", tag = "sandbox",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
async fn openapi() -> Json<serde_json::Value> {
    Json(crate::sandbox::openapi::document())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OutboxQuery {
    /// Only messages sent to this address or number (as shown in the message).
    to: Option<String>,
}

/// Messages the sandbox "sent" (one-time passcodes, SMS) to the caller's tenant's
/// customers, newest first. Needs a bearer token with `customers:read`; another tenant's
/// messages never show. Sandbox only: real deployments have no such endpoint.
#[utoipa::path(get, path = "/sandbox/outbox", tag = "sandbox", params(OutboxQuery),
    security(("bearer" = ["customers:read"])),
    responses((status = 200, body = Outbox), (status = 400, body = BankingError),
        (status = 401, body = BankingError), (status = 403, body = BankingError),
        (status = 503, body = BankingError, description = "the customer store is unavailable")))]
async fn outbox(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<OutboxQuery>,
) -> Result<Json<Outbox>, ApiError> {
    let caller = authorize(&st.tokens, &headers, Family::Sandbox, SCOPE_READ)?;
    let messages = st.store.read(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT to_addr, channel, text, otp, flow_id, sent_at FROM outbox
             WHERE tenant = ?2 AND (?1 IS NULL OR to_addr = ?1) ORDER BY id DESC LIMIT 200",
        )?;
        stmt.query_map(params![q.to, caller.tenant], |r| {
            Ok(OutboxMessage {
                to: r.get(0)?,
                channel: r.get(1)?,
                text: r.get(2)?,
                otp: r.get(3)?,
                control_flow_id: r.get(4)?,
                sent_at: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(Json(Outbox { messages }))
}
