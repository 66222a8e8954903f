//! Candescent digital banking ux-users (seed 000) under `/digitalbanking/ux-users`.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use crate::api::wire::candescent::*;
use crate::sandbox::Shared;
use crate::sandbox::auth::{SCOPE_INSTITUTION_READ, authorize};
use crate::sandbox::error::{ApiError, Family};
use crate::sandbox::routes::{load_customer, require_header};
use crate::sandbox::store::CustomerRec;

const F: Family = Family::Candescent;

pub fn routes() -> Router<Shared> {
    Router::new().route(
        "/digitalbanking/ux-users/v1/customers/{customerId}/contact-methods",
        get(contact_methods),
    )
}

#[derive(OpenApi)]
#[openapi(
    paths(contact_methods),
    components(schemas(CandescentError, ContactMethod, ContactMethods, NumOrString))
)]
pub struct Doc;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
struct ContactQuery {
    /// `CUSTOMER_ID` (default): the path holds the customer id; `LOGIN_ID`: it holds the
    /// customer reference.
    #[param(pattern = "^(CUSTOMER_ID|LOGIN_ID)$")]
    user_id_type: Option<String>,
}

/// The contact-method view over a customer's phones and emails.
pub fn to_wire(c: &CustomerRec) -> ContactMethods {
    let phones = c.phones.iter().map(|p| ContactMethod {
        id: p.key,
        telephone_country_code: Some(NumOrString::Str(p.country_code.clone())),
        contact_info: NumOrString::Str(p.national_display()),
        protocol: if p.kind == "MOBILE" { "SMS" } else { "VOICE" }.into(),
        is_activated: p.activated,
        enrolled_date_time: p.enrolled.clone(),
        consent_type: Some(p.consent.clone()),
        client_source: Some(p.source.clone()),
    });
    let emails = c.emails.iter().map(|e| ContactMethod {
        id: e.key,
        telephone_country_code: None,
        contact_info: NumOrString::Str(e.address.clone()),
        protocol: "EMAIL".into(),
        is_activated: e.activated,
        enrolled_date_time: e.enrolled.clone(),
        consent_type: None,
        client_source: None,
    });
    ContactMethods {
        customer_id: c.id.clone(),
        contact_methods: phones.chain(emails).collect(),
    }
}

/// Fetch the contact methods for a customer: each phone (with its Relay consent and
/// source) and each email. Needs scope `institution-users:read` and a `correlationId`
/// header. `telephoneCountryCode` and `contactInfo` are sent as strings so leading
/// zeros survive.
#[utoipa::path(get, path = "/digitalbanking/ux-users/v1/customers/{customerId}/contact-methods", tag = "candescent",
    params(
        ("customerId" = String, Path, description = "Unique identifier of financial institution customer"),
        ("correlationId" = String, Header, description = "UUID that uniquely identifies the request", min_length = 1, pattern = "^[!-~]([ -~]*[!-~])?$"),
        ContactQuery,
    ),
    security(("bearer" = ["institution-users:read"])),
    responses(
        (status = 200, body = ContactMethods),
        (status = 400, body = CandescentError), (status = 401, body = CandescentError),
        (status = 403, body = CandescentError), (status = 404, body = CandescentError),
        (status = 429, body = CandescentError), (status = 500, body = CandescentError),
        (status = 503, body = CandescentError),
    ))]
async fn contact_methods(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(customer_id): Path<String>,
    query: Result<Query<ContactQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ContactMethods>, ApiError> {
    let caller = authorize(&st.tokens, &headers, F, SCOPE_INSTITUTION_READ)?;
    require_header(&headers, "correlationId", F)?;
    let Query(q) = query.map_err(|e| ApiError::bad_request(F, "query", e.body_text()))?;
    let id = match q.user_id_type.as_deref().unwrap_or("CUSTOMER_ID") {
        "CUSTOMER_ID" => customer_id,
        "LOGIN_ID" => {
            let found: Option<String> = st.store.read(|c| {
                use rusqlite::OptionalExtension;
                c.prepare_cached(
                    "SELECT id FROM customers WHERE customer_ref = ?1 AND tenant = ?2",
                )?
                .query_row([&customer_id, &caller.tenant], |r| r.get(0))
                .optional()
            })?;
            found.ok_or_else(|| ApiError::not_found(F, "customer not found"))?
        }
        _ => {
            return Err(ApiError::bad_request(
                F,
                "userIdType",
                "must be CUSTOMER_ID or LOGIN_ID",
            ));
        }
    };
    Ok(Json(to_wire(&load_customer(&st, F, &caller.tenant, &id)?)))
}
