//! Offers: their status for a customer, answering one, and fulfilling an accepted one.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rusqlite::{Connection, OptionalExtension, params};

use super::{CitiHeaders, F, P_FULFILLMENTS, P_OFFERS, R, bound, customer_on, fe, parse_body};
use crate::api::wire::citi::*;
use crate::domain::{sanitize, validate};
use crate::sandbox::Shared;
use crate::sandbox::auth::SCOPE_OFFERS_WRITE;
use crate::sandbox::error::ApiError;
use crate::sandbox::idempotency::{Answer, Idem};
use crate::sandbox::routes::idem_key;
use crate::sandbox::store::{CustomerRec, catalog, log_write, now};

/// The status of one of the customer's offers: FULFILLED once a fulfilment exists,
/// else the recorded response, else AVAILABLE.
fn offer_status(c: &Connection, cid: i64, offer_id: &str) -> rusqlite::Result<String> {
    let fulfilled: i64 = c
        .prepare_cached("SELECT count(*) FROM fulfillments WHERE cid = ?1 AND offer_id = ?2")?
        .query_row(params![cid, offer_id], |r| r.get(0))?;
    if fulfilled > 0 {
        return Ok("FULFILLED".into());
    }
    Ok(
        c.prepare_cached("SELECT status FROM offer_responses WHERE cid = ?1 AND offer_id = ?2")?
            .query_row(params![cid, offer_id], |r| r.get(0))
            .optional()?
            .unwrap_or_else(|| "AVAILABLE".to_string()),
    )
}

fn offer_wire(c: &Connection, cid: i64, def: &catalog::OfferDef) -> rusqlite::Result<Offer> {
    Ok(Offer {
        offer_id: def.id.into(),
        offer_name: def.name.into(),
        description: def.description.into(),
        offer_status: offer_status(c, cid, def.id)?,
    })
}

pub(super) fn offers(c: &Connection, cid: i64) -> rusqlite::Result<Vec<Offer>> {
    catalog::offers_for(cid)
        .iter()
        .map(|d| offer_wire(c, cid, d))
        .collect()
}

fn customer_offer(c: &CustomerRec, field: &str, offer_id: &str) -> R<&'static catalog::OfferDef> {
    catalog::offers_for(c.cid)
        .into_iter()
        .find(|d| d.id == offer_id)
        .ok_or_else(|| {
            ApiError::not_found(
                F,
                format!(
                    "offer {} is not presented to this customer",
                    sanitize::for_display(offer_id)
                ),
            )
            .field(field)
            .into()
        })
}

/// Update Generic Offer
///
/// Records the customer's answer to one of the two offers presented to them (as listed
/// in `GET /v1/customers/profiles`): `action` `ACCEPT` or `DECLINE` (else 400). Any
/// other offer is 404. The answer can be changed until the offer is fulfilled; a
/// `FULFILLED` offer is 409. Answers 200 with the offer and its new status
/// (`ACCEPTED` or `DECLINED`).
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `offers:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client; then 415 for a body that is not JSON and
/// 400 naming the first bad field.
#[utoipa::path(put, path = "/citi/v1/offers", tag = "citi",
    operation_id = "citiUpdateGenericOffer",
    params(CitiHeaders),
    request_body = OfferUpdate,
    security(("bearer" = ["offers:write"])),
    responses(
        (status = 200, body = Offer, description = "The offer with its new status"),
        (status = 400, body = CitiError, description = "invalidRequest naming the field or header"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured"),
        (status = 404, body = CitiError, description = "resourceNotFound: not one of the customer's offers"),
        (status = 409, body = CitiError, description = "conflict: the offer is already fulfilled, or Idempotency-Key in flight"),
        (status = 413, body = CitiError), (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
pub(super) async fn put_offer(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    body: Bytes,
) -> R<Answer> {
    let b = bound(&st, &headers, SCOPE_OFFERS_WRITE)?;
    let req: OfferUpdate = parse_body(&headers, &body)?;
    let offer_id = validate::text("offerId", &req.offer_id, 64).map_err(fe)?;
    let action = validate::one_of("action", &req.action, &["ACCEPT", "DECLINE"]).map_err(fe)?;
    let status = if action == "ACCEPT" {
        "ACCEPTED"
    } else {
        "DECLINED"
    };
    let key = idem_key(&headers).map(str::to_string);
    st.store.write(|tx| -> R<Answer> {
        let c = customer_on(tx, &b)?;
        let def = customer_offer(&c, "offerId", &offer_id)?;
        if offer_status(tx, c.cid, def.id)? == "FULFILLED" {
            return Err(ApiError::conflict(
                F,
                format!(
                    "offer {} is already fulfilled and can no longer change",
                    def.id
                ),
            )
            .field("offerId")
            .into());
        }
        tx.execute(
            "INSERT INTO offer_responses (cid, offer_id, status) VALUES (?1, ?2, ?3)
             ON CONFLICT (cid, offer_id) DO UPDATE SET status = excluded.status",
            params![c.cid, def.id, status],
        )?;
        log_write(tx, &b.caller.client_id, key.as_deref(), "PUT", P_OFFERS)?;
        let offer = offer_wire(tx, c.cid, def)?;
        Ok(idem.json(tx, StatusCode::OK, &offer)?)
    })
}

/// Fulfill Offer Processing
///
/// Fulfils an offer the customer has accepted: `{offerId, remarks?}` (`remarks` free
/// text up to 500 characters). The offer must be one of the customer's two (else 404)
/// and `ACCEPTED` (else 409 saying its status); a second fulfilment of the same offer
/// is 409. Answers 201 with the new `fulfillmentId` (`FUL-` and 32 hex digits) and the
/// offer status `FULFILLED`, which it keeps from then on.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `offers:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client; then 415 for a body that is not JSON and
/// 400 naming the first bad field.
#[utoipa::path(post, path = "/citi/v1/sales/customers/offers/fulfillments", tag = "citi",
    operation_id = "citiFulfillOffer",
    params(CitiHeaders),
    request_body = FulfillmentRequest,
    security(("bearer" = ["offers:write"])),
    responses(
        (status = 201, body = Fulfillment, description = "Fulfilled"),
        (status = 400, body = CitiError, description = "invalidRequest naming the field or header"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured"),
        (status = 404, body = CitiError, description = "resourceNotFound: not one of the customer's offers"),
        (status = 409, body = CitiError, description = "conflict: the offer is not accepted or already fulfilled, or Idempotency-Key in flight"),
        (status = 413, body = CitiError), (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
pub(super) async fn fulfill_offer(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    body: Bytes,
) -> R<Answer> {
    let b = bound(&st, &headers, SCOPE_OFFERS_WRITE)?;
    let req: FulfillmentRequest = parse_body(&headers, &body)?;
    let offer_id = validate::text("offerId", &req.offer_id, 64).map_err(fe)?;
    let remarks = match &req.remarks {
        Some(r) => validate::optional_text("remarks", r, 500).map_err(fe)?,
        None => String::new(),
    };
    let key = idem_key(&headers).map(str::to_string);
    st.store.write(|tx| -> R<Answer> {
        let c = customer_on(tx, &b)?;
        let def = customer_offer(&c, "offerId", &offer_id)?;
        let status = offer_status(tx, c.cid, def.id)?;
        if status == "FULFILLED" {
            return Err(ApiError::conflict(F, format!("offer {} is already fulfilled", def.id))
                .field("offerId")
                .into());
        }
        if status != "ACCEPTED" {
            return Err(ApiError::conflict(
                F,
                format!(
                    "offer {} is {status}: the customer must accept it (PUT /v1/offers) before it can be fulfilled",
                    def.id
                ),
            )
            .field("offerId")
            .into());
        }
        let id = format!("FUL-{}", uuid::Uuid::new_v4().simple());
        tx.execute(
            "INSERT INTO fulfillments (id, cid, offer_id, remarks, created) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, c.cid, def.id, remarks, now()],
        )?;
        tx.execute(
            "INSERT INTO offer_responses (cid, offer_id, status) VALUES (?1, ?2, 'FULFILLED')
             ON CONFLICT (cid, offer_id) DO UPDATE SET status = excluded.status",
            params![c.cid, def.id],
        )?;
        log_write(tx, &b.caller.client_id, key.as_deref(), "POST", P_FULFILLMENTS)?;
        let done = Fulfillment {
            fulfillment_id: id,
            offer_id: def.id.into(),
            offer_status: "FULFILLED".into(),
        };
        Ok(idem.json(tx, StatusCode::CREATED, &done)?)
    })
}
