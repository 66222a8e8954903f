//! Relay CDM add phone (seed 003) under `/platform/v3/api`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::put;
use rusqlite::{OptionalExtension, params};
use utoipa::OpenApi;

use crate::api::wire::relay::*;
use crate::domain::choice::{Consent, PhoneType};
use crate::domain::phone::{CountryCode, RelayNumber};
use crate::domain::validate;
use crate::sandbox::Shared;
use crate::sandbox::auth::relay_tenant;
use crate::sandbox::body;
use crate::sandbox::error::{ApiError, Family};
use crate::sandbox::idempotency::{Answer, Idem};
use crate::sandbox::routes::idem_key;
use crate::sandbox::store::{log_write, now};

const F: Family = Family::Relay;
pub const MAX_PHONES_PER_CCID: i64 = 50;
pub const MAX_CCIDS_PER_PHONE: i64 = 50;

pub fn routes() -> Router<Shared> {
    Router::new().route(
        "/platform/v3/api/cdm/client/{client_id}/customer/{ccid}/add_phone/{phone_number}",
        put(add_phone),
    )
}

#[derive(OpenApi)]
#[openapi(paths(add_phone), components(schemas(AddPhone, RelayMessage)))]
pub struct Doc;

/// Add a phone number to a customer (ccid). The number is 10 or 11 digits; at most 50
/// phones per ccid and 50 ccids per number; the same number twice on one ccid with the
/// same consent is a 409. Sending a number already on the ccid with a different
/// `consent_type` updates its consent (this is how consent is withdrawn with `stop`).
#[utoipa::path(put, path = "/platform/v3/api/cdm/client/{client_id}/customer/{ccid}/add_phone/{phone_number}", tag = "relay",
    params(
        ("client_id" = String, Path, description = "Client ID (the tenant)"),
        ("ccid" = String, Path, description = "Uniquely identifies a Customer; at most 100 characters", min_length = 1, max_length = 100),
        ("phone_number" = String, Path, description = "10 to 11 digits", pattern = "^[0-9]{10,11}$"),
    ),
    request_body = AddPhone,
    security(("relayKey" = [])),
    responses(
        (status = 200, body = RelayMessage, description = "Added, or consent updated"),
        (status = 400, body = RelayMessage), (status = 401, body = RelayMessage),
        (status = 404, body = RelayMessage),
        (status = 409, body = RelayMessage, description = "Duplicate number, or a 50 limit reached"),
        (status = 413, body = RelayMessage), (status = 415, body = RelayMessage),
        (status = 422, body = RelayMessage), (status = 429, body = RelayMessage),
        (status = 500, body = RelayMessage), (status = 503, body = RelayMessage),
    ))]
async fn add_phone(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    Path((client_id, ccid, phone_number)): Path<(String, String, String)>,
    body::Json(req): body::Json<AddPhone>,
) -> Result<Answer, ApiError> {
    let tenant = relay_tenant(&headers)?;
    if client_id != tenant {
        return Err(ApiError::unauthorized(
            F,
            "Unauthorized: the API key is not valid for this client",
        ));
    }
    if ccid.is_empty() || ccid.chars().count() > 100 {
        return Err(ApiError::bad_request(
            F,
            "ccid",
            "must be 1 to 100 characters",
        ));
    }
    let fe = |e| ApiError::from_field(F, e);
    let number = RelayNumber::parse("phone_number", &phone_number).map_err(fe)?;
    let consent = Consent::parse("consent_type", &req.consent_type)
        .map_err(fe)?
        .as_str();
    let kind = PhoneType::parse("phone_type", &req.phone_type)
        .map_err(fe)?
        .kind()
        .as_str();
    let cc = match &req.country_code {
        None => CountryCode::north_america(),
        Some(c) => CountryCode::parse("country_code", c).map_err(fe)?,
    };
    let source = match &req.client_source {
        None => "internal".to_string(),
        Some(s) => validate::text("client_source", s, 50).map_err(fe)?,
    };
    let national = number.national(&cc);
    let cc = cc.as_str();
    let key = idem_key(&headers).map(str::to_string);
    let path = format!("/platform/v3/api/cdm/client/{client_id}/customer/{ccid}/add_phone");
    st.store.write(|tx| -> Result<Answer, ApiError> {
        let change = || -> Result<String, ApiError> {
            let cid: i64 = tx
                .prepare_cached("SELECT cid FROM customers WHERE id = ?1 AND tenant = ?2")?
                .query_row(params![ccid, tenant], |r| r.get(0))
                .optional()?
                .ok_or_else(|| ApiError::not_found(F, "Not Found: no customer with this ccid"))?;
            let existing: Option<(i64, String)> = tx
                .prepare_cached("SELECT id, consent FROM phones WHERE cid = ?1 AND national = ?2 AND country_code = ?3")?
                .query_row(params![cid, national, cc], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((phone_id, old)) = existing {
                if old == consent {
                    return Err(ApiError::conflict(F, "Conflict: this phone number is already on this customer"));
                }
                tx.prepare_cached(
                    "UPDATE phones SET consent = ?2, activated = ?3, source = ?4 WHERE id = ?1",
                )?
                .execute(params![phone_id, consent, consent != "stop", source])?;
                log_write(tx, &format!("relay:{tenant}"), key.as_deref(), "PUT", &path)?;
                return Ok(format!("Consent for the phone number updated to {consent}"));
            }
            let on_customer: i64 = tx
                .prepare_cached("SELECT count(*) FROM phones WHERE cid = ?1")?
                .query_row([cid], |r| r.get(0))?;
            if on_customer >= MAX_PHONES_PER_CCID {
                return Err(ApiError::conflict(F, "Conflict: this customer already has 50 phone numbers, the most allowed"));
            }
            let customers_with_number: i64 = tx
                .prepare_cached(
                    "SELECT count(DISTINCT p.cid) FROM phones p JOIN customers c ON c.cid = p.cid
                     WHERE p.national = ?1 AND p.country_code = ?2 AND c.tenant = ?3",
                )?
                .query_row(params![national, cc, tenant], |r| r.get(0))?;
            if customers_with_number >= MAX_CCIDS_PER_PHONE {
                return Err(ApiError::conflict(F, "Conflict: this phone number is already on 50 customers, the most allowed"));
            }
            tx.prepare_cached(
                "INSERT INTO phones (cid, kind, country_code, area_code, number, national, consent, source, activated, enrolled)
                 VALUES (?1, ?2, ?3, '', ?4, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![cid, kind, cc, national, consent, source, consent != "stop", now()])?;
            log_write(tx, &format!("relay:{tenant}"), key.as_deref(), "PUT", &path)?;
            Ok("Phone number added to the customer's notification channels".to_string())
        };
        let message = change()?;
        // Stored in the same transaction as the write.
        Ok(idem.json(tx, StatusCode::OK, &RelayMessage { message, field: None })?)
    })
}
