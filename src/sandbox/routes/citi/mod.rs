//! Citi Australia Customers API (seed 002) under `/citi`.
//!
//! Every endpoint is customer-scoped: the customer comes from a customer-bound token
//! (RFC 8693 token exchange at `/oauth2/token`). The checks run in one order on every
//! endpoint, see [`bound`]. This module holds the routes, the OpenAPI document, those
//! checks and what the endpoints share (errors, body parsing, wire views); each group of
//! endpoints has a module of its own.

mod alerts;
mod confirm;
mod contact;
mod image;
mod offers;
mod reads;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use utoipa::{IntoParams, OpenApi};

use crate::api::wire::citi::*;
use crate::domain::FieldError;
use crate::sandbox::Shared;
use crate::sandbox::auth::{Caller, authorize};
use crate::sandbox::body;
use crate::sandbox::error::{ApiError, Family};
use crate::sandbox::routes::require_header;
use crate::sandbox::store::{self, CustomerRec, seed};

const F: Family = Family::Citi;

/// Most items in one email or phone update.
pub const MAX_ITEMS: usize = 10;
/// Most emails, and most phones, one customer may hold (the Relay per-ccid limit).
pub const MAX_CONTACTS: usize = 50;
/// Wrong passcodes allowed before a flow locks.
pub const OTP_ATTEMPTS: i64 = 3;
/// Largest profile image, decoded.
pub const MAX_IMAGE: usize = 512 * 1024;
/// Largest alert threshold amount.
pub const MAX_THRESHOLD: f64 = 1_000_000.0;

const P_EMAILS: &str = "/citi/v1/customers/profiles/emails";
const P_PHONES: &str = "/citi/v1/customers/profiles/phoneNumbers";
const P_EMAILS_CONFIRM: &str = "/citi/v1/customers/profiles/emails/confirmation";
const P_PHONES_CONFIRM: &str = "/citi/v1/customers/profiles/phoneNumbers/confirmation";
const P_IMAGES: &str = "/citi/v1/customers/profile/images";
const P_OFFERS: &str = "/citi/v1/offers";
const P_FULFILLMENTS: &str = "/citi/v1/sales/customers/offers/fulfillments";
const P_SUBSCRIPTIONS: &str = "/citi/v1/communications/alerts/profilesAndSubscriptions";

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/citi/v1/customers/profiles", get(reads::get_profile))
        .route(
            "/citi/v1/customers/profiles/addresses",
            get(reads::get_addresses),
        )
        .route("/citi/v1/customers/profiles/basic", get(reads::get_basic))
        .route(P_EMAILS, get(reads::get_emails).put(contact::put_emails))
        .route(P_PHONES, get(reads::get_phones).put(contact::put_phones))
        .route("/citi/v1/customers/alerts", get(alerts::get_alerts))
        .route(
            "/citi/v1/customers/alerts/history",
            get(alerts::get_alert_history),
        )
        .route(
            "/citi/partner/v1/customers/profiles",
            get(reads::get_partner_profile),
        )
        .route(P_PHONES_CONFIRM, post(confirm::confirm_phones))
        .route(P_EMAILS_CONFIRM, post(confirm::confirm_emails))
        .route(
            P_IMAGES,
            get(image::get_image)
                .put(image::put_image)
                .delete(image::delete_image),
        )
        .route(P_OFFERS, put(offers::put_offer))
        .route(P_FULFILLMENTS, post(offers::fulfill_offer))
        .route(P_SUBSCRIPTIONS, put(alerts::put_subscriptions))
        .route(
            "/citi/v1/cards/accounts/{accountId}/addresses",
            get(reads::get_card_addresses),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(
        reads::get_profile,
        reads::get_addresses,
        reads::get_basic,
        reads::get_emails,
        contact::put_emails,
        reads::get_phones,
        contact::put_phones,
        alerts::get_alerts,
        alerts::get_alert_history,
        reads::get_partner_profile,
        confirm::confirm_phones,
        confirm::confirm_emails,
        image::delete_image,
        image::put_image,
        image::get_image,
        offers::put_offer,
        offers::fulfill_offer,
        alerts::put_subscriptions,
        reads::get_card_addresses,
    ),
    components(schemas(
        CitiError,
        Email,
        Emails,
        Phone,
        Phones,
        Address,
        AddressList,
        Name,
        CustomerParticulars,
        BasicProfile,
        Offer,
        Profile,
        ControlFlow,
        Confirmation,
        Threshold,
        Alert,
        Alerts,
        AlertHistoryItem,
        AlertHistory,
        Subscription,
        AlertProfile,
        AlertSubscriptions,
        ProfileImage,
        StoredImage,
        OfferUpdate,
        FulfillmentRequest,
        Fulfillment,
        CardAddresses,
    ))
)]
pub struct Doc;

/// The headers every Citi call carries (besides `Authorization`).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct CitiHeaders {
    /// 128 bit UUID you generate for every request. Required (400 `invalidRequest`,
    /// location `uuid`, when missing); any non-empty printable value is accepted and is
    /// echoed back as `x-correlation-id`.
    uuid: String,
    /// Client ID generated during application registration. Required (400 when
    /// missing); must be the client the access token was issued to (else 403
    /// `accessNotConfigured`, location `client_id`).
    client_id: String,
    /// Content types acceptable for the response. Required (400 when missing); the
    /// answer is always `application/json`.
    #[param(rename = "Accept")]
    accept: String,
}

// ---------------------------------------------------------------------------
// Errors

/// An error rendered in the Citi shape. Store errors (which `ApiError` renders in the
/// sandbox shape) are re-homed into the Citi family.
#[derive(Debug)]
struct Fail(ApiError);

type R<T> = Result<T, Fail>;

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        if e.family == F {
            return Fail(e);
        }
        let mut out = ApiError::new(F, e.status, e.message);
        out.field = e.field;
        out.retry_after = e.retry_after;
        Fail(out)
    }
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail::from(ApiError::from(e))
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

fn fe(e: FieldError) -> ApiError {
    ApiError::from_field(F, e)
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> ApiError {
    ApiError::bad_request(F, field, message)
}

fn access_not_configured(message: impl Into<String>) -> ApiError {
    ApiError::forbidden(F, message).code("accessNotConfigured")
}

// ---------------------------------------------------------------------------
// Access

/// The checked caller of a Citi endpoint and the customer its token is bound to.
struct Bound {
    caller: Caller,
    customer: String,
}

/// The checks every Citi endpoint runs, in this order: a valid bearer token (401
/// `unAuthorized`) with the endpoint's scope (403 `accessNotConfigured`); a
/// customer-bound token (403 `accessNotConfigured`); the `uuid`, `client_id` and
/// `Accept` headers present (400 `invalidRequest`, `location` naming the header);
/// `client_id` equal to the token's client (403 `accessNotConfigured`).
fn bound(st: &Shared, headers: &HeaderMap, scope: &str) -> R<Bound> {
    let caller = authorize(&st.tokens, headers, F, scope)?;
    let Some(customer) = caller.customer.clone() else {
        return Err(access_not_configured(
            "this endpoint needs a customer-bound token: exchange the agent token at /oauth2/token \
             (grant_type=urn:ietf:params:oauth:grant-type:token-exchange, resource=<customer id>)",
        )
        .into());
    };
    require_header(headers, "uuid", F)?;
    let client_id = require_header(headers, "client_id", F)?;
    require_header(headers, "Accept", F)?;
    if client_id.trim() != caller.client_id {
        return Err(access_not_configured(
            "the client_id header does not match the client the access token was issued to",
        )
        .field("client_id")
        .into());
    }
    Ok(Bound { caller, customer })
}

fn not_found_customer() -> ApiError {
    ApiError::not_found(F, "the customer of this token no longer exists")
}

/// The bound customer, read inside a transaction or on a read connection.
fn customer_on(c: &Connection, b: &Bound) -> R<CustomerRec> {
    Ok(store::customer_by_id(c, &b.caller.tenant, &b.customer)?.ok_or_else(not_found_customer)?)
}

/// Run `f` on a pooled read connection, keeping Citi errors.
fn read<T>(st: &Shared, f: impl FnOnce(&Connection) -> R<T>) -> R<T> {
    st.store.read(|c| Ok(f(c)))?
}

fn load(st: &Shared, b: &Bound) -> R<CustomerRec> {
    st.store
        .read(|c| store::customer_by_id(c, &b.caller.tenant, &b.customer))?
        .ok_or_else(|| not_found_customer().into())
}

/// A JSON body, parsed after the access checks so that 401/403 come before 400/415.
fn parse_body<T: DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> R<T> {
    let ct_ok = headers
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
            F,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type: send the body as application/json",
        )
        .field("Content-Type")
        .into());
    }
    Ok(body::parse(F, bytes)?)
}

// ---------------------------------------------------------------------------
// Views

fn country_name(code: &str) -> String {
    match seed::country_name(code) {
        "" => code.to_string(),
        name => name.to_string(),
    }
}

fn address_wire(a: &store::AddressRec) -> Address {
    Address {
        address_key: a.key,
        address_type: a.kind.clone(),
        address_line1: a.line1.clone(),
        address_line2: a.line2.clone(),
        address_line3: a.line3.clone(),
        address_line4: a.line4.clone(),
        city: a.city.clone(),
        state: a.state.clone(),
        postal_code: a.postcode.clone(),
        country_name: country_name(&a.country),
    }
}

fn email_wire(e: &store::EmailRec) -> Email {
    Email {
        email_key: Some(e.key),
        email_address: e.address.clone(),
        preferred_email_flag: e.preferred,
    }
}

fn phone_wire(p: &store::PhoneRec) -> Phone {
    Phone {
        phone_key: Some(p.key),
        phone_type: p.kind.clone(),
        phone_country_code: p.country_code.clone(),
        area_code: p.area_code.clone(),
        phone_number: p.number.clone(),
        extension: p.extension.clone(),
    }
}
