//! Citi Australia Customers API (seed 002) under `/citi`.
//!
//! Every endpoint is customer-scoped: the customer comes from a customer-bound token
//! (RFC 8693 token exchange at `/oauth2/token`). The checks run in one order on every
//! endpoint, see [`bound`].

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use rand::Rng;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::{IntoParams, OpenApi};

use crate::api::wire::citi::*;
use crate::domain::alert::{self, Threshold as Amount};
use crate::domain::choice::{Channel, PhoneKind};
use crate::domain::email::Email as EmailAddress;
use crate::domain::phone::{PartsPhone, national_of};
use crate::domain::{FieldError, mask, sanitize, validate};
use crate::sandbox::Shared;
use crate::sandbox::auth::{
    Caller, SCOPE_ALERTS_WRITE, SCOPE_CONTACT_WRITE, SCOPE_OFFERS_WRITE, SCOPE_PROFILE_WRITE,
    SCOPE_READ, authorize, secret_eq,
};
use crate::sandbox::body;
use crate::sandbox::error::{ApiError, Family};
use crate::sandbox::idempotency::{Answer, Idem};
use crate::sandbox::passcodes;
use crate::sandbox::routes::{idem_key, require_header};
use crate::sandbox::store::{self, CustomerRec, catalog, log_write, now, now_unix, seed};

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
        .route("/citi/v1/customers/profiles", get(get_profile))
        .route("/citi/v1/customers/profiles/addresses", get(get_addresses))
        .route("/citi/v1/customers/profiles/basic", get(get_basic))
        .route(P_EMAILS, get(get_emails).put(put_emails))
        .route(P_PHONES, get(get_phones).put(put_phones))
        .route("/citi/v1/customers/alerts", get(get_alerts))
        .route("/citi/v1/customers/alerts/history", get(get_alert_history))
        .route(
            "/citi/partner/v1/customers/profiles",
            get(get_partner_profile),
        )
        .route(P_PHONES_CONFIRM, post(confirm_phones))
        .route(P_EMAILS_CONFIRM, post(confirm_emails))
        .route(P_IMAGES, get(get_image).put(put_image).delete(delete_image))
        .route(P_OFFERS, put(put_offer))
        .route(P_FULFILLMENTS, post(fulfill_offer))
        .route(P_SUBSCRIPTIONS, put(put_subscriptions))
        .route(
            "/citi/v1/cards/accounts/{accountId}/addresses",
            get(get_card_addresses),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(
        get_profile,
        get_addresses,
        get_basic,
        get_emails,
        put_emails,
        get_phones,
        put_phones,
        get_alerts,
        get_alert_history,
        get_partner_profile,
        confirm_phones,
        confirm_emails,
        delete_image,
        put_image,
        get_image,
        put_offer,
        fulfill_offer,
        put_subscriptions,
        get_card_addresses,
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

fn invalid_flow() -> ApiError {
    ApiError::new(
        F,
        StatusCode::BAD_REQUEST,
        "controlFlowId is unknown, has expired, was already used, was replaced by a newer change, or belongs to another change",
    )
    .code("invalidControlFlowId")
    .field("controlFlowId")
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

fn particulars(c: &CustomerRec) -> CustomerParticulars {
    CustomerParticulars {
        names: vec![Name {
            name_type: "LOCAL".into(),
            given_name: c.given_name.clone(),
            middle_name: c.middle_name.clone(),
            surname: c.family_name.clone(),
        }],
        prefix: c.prefix.clone(),
        suffix: c.suffix.clone(),
        date_of_birth: c.date_of_birth.clone(),
    }
}

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

fn offers(c: &Connection, cid: i64) -> rusqlite::Result<Vec<Offer>> {
    catalog::offers_for(cid)
        .iter()
        .map(|d| offer_wire(c, cid, d))
        .collect()
}

fn profile_wire(c: &CustomerRec, offers: Vec<Offer>, partner: bool) -> Profile {
    Profile {
        emails: c.emails.iter().map(email_wire).collect(),
        customer_type: c.customer_type.clone(),
        customer_particulars: particulars(c),
        customer_segment: c.segment.clone(),
        partner_customer_segment: partner.then(|| partner_segment(c)),
        address_list: c.addresses.iter().map(address_wire).collect(),
        phones: c.phones.iter().map(phone_wire).collect(),
        offers,
    }
}

fn partner_segment(c: &CustomerRec) -> String {
    if c.partner_segment.is_empty() {
        "NONE".into()
    } else {
        c.partner_segment.clone()
    }
}

/// The currency alert thresholds are in: that of the customer's first address.
fn currency(c: &CustomerRec) -> &'static str {
    match c.addresses.first().map(|a| a.country.as_str()) {
        Some("GB") => "GBP",
        Some("US") => "USD",
        Some("NL" | "IE" | "DE" | "FR" | "ES" | "IT" | "BE" | "AT" | "PT" | "FI") => "EUR",
        Some("NZ") => "NZD",
        _ => "AUD",
    }
}

/// Every catalogue alert for the customer, ENROLLED (with channel and threshold) or
/// ELIGIBLE, in catalogue order.
fn alerts(c: &Connection, rec: &CustomerRec) -> rusqlite::Result<Vec<Alert>> {
    let mut stmt = c.prepare_cached(
        "SELECT alert_code, channel, threshold FROM alert_enrolments WHERE cid = ?1",
    )?;
    let enrolled: Vec<(String, String, Option<f64>)> = stmt
        .query_map([rec.cid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(catalog::ALERTS
        .iter()
        .map(|def| {
            let e = enrolled.iter().find(|(code, _, _)| code == def.code);
            Alert {
                alert_code: def.code.into(),
                alert_name: def.name.into(),
                description: def.description.into(),
                alert_status: if e.is_some() { "ENROLLED" } else { "ELIGIBLE" }.into(),
                channel: e.map(|(_, ch, _)| ch.clone()),
                threshold: e.and_then(|(_, _, t)| *t).map(|amount| Threshold {
                    amount,
                    currency: currency(rec).into(),
                }),
            }
        })
        .collect())
}

// ---------------------------------------------------------------------------
// Reads

/// Retrieve Customer Personal Details
///
/// The bound customer's particulars (one `LOCAL` name; prefix, suffix, date of birth),
/// customer type and segment, addresses (`countryName` is the country's full name),
/// emails, phones (`phoneNumber` is the number as stored, without the area code) and
/// the two offers presented to the customer with their status (`AVAILABLE`,
/// `ACCEPTED`, `DECLINED`, `FULFILLED`). `partnerCustomerSegment` is only in the
/// partner variant.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client. 404 `resourceNotFound` when the bound
/// customer no longer exists.
#[utoipa::path(get, path = "/citi/v1/customers/profiles", tag = "citi",
    operation_id = "citiRetrieveCustomerPersonalDetails",
    params(CitiHeaders),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = Profile, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn get_profile(State(st): State<Shared>, headers: HeaderMap) -> R<Json<Profile>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    profile(&st, &b, false).map(Json)
}

fn profile(st: &Shared, b: &Bound, partner: bool) -> R<Profile> {
    read(st, |c| -> R<Profile> {
        let rec = customer_on(c, b)?;
        let offers = offers(c, rec.cid)?;
        Ok(profile_wire(&rec, offers, partner))
    })
}

/// Retrieve Customer Personal Details from Partner
///
/// As `GET /v1/customers/profiles`, plus `partnerCustomerSegment` (`NONE` when the
/// customer has no partner segment).
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client. 404 `resourceNotFound` when the bound
/// customer no longer exists.
#[utoipa::path(get, path = "/citi/partner/v1/customers/profiles", tag = "citi",
    operation_id = "citiRetrieveCustomerPersonalDetailsFromPartner",
    params(CitiHeaders),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = Profile, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn get_partner_profile(State(st): State<Shared>, headers: HeaderMap) -> R<Json<Profile>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    profile(&st, &b, true).map(Json)
}

/// Retrieve Customer Address Details
///
/// The bound customer's addresses (`HOME`, `MAILING`, `WORK`), oldest first, each with
/// its `addressKey` and the country's full name in `countryName`.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client. 404 `resourceNotFound` when the bound
/// customer no longer exists.
#[utoipa::path(get, path = "/citi/v1/customers/profiles/addresses", tag = "citi",
    operation_id = "citiRetrieveCustomerAddressDetails",
    params(CitiHeaders),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = AddressList, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn get_addresses(State(st): State<Shared>, headers: HeaderMap) -> R<Json<AddressList>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    let c = load(&st, &b)?;
    Ok(Json(AddressList {
        address_list: c.addresses.iter().map(address_wire).collect(),
    }))
}

/// Retrieve Customer Particulars
///
/// Name (one `LOCAL` entry with given, middle and surname), prefix, suffix, date of
/// birth, customer type and segment. `partnerCustomerSegment` is present only when the
/// customer has one.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client. 404 `resourceNotFound` when the bound
/// customer no longer exists.
#[utoipa::path(get, path = "/citi/v1/customers/profiles/basic", tag = "citi",
    operation_id = "citiRetrieveCustomerParticulars",
    params(CitiHeaders),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = BasicProfile, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn get_basic(State(st): State<Shared>, headers: HeaderMap) -> R<Json<BasicProfile>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    let c = load(&st, &b)?;
    Ok(Json(BasicProfile {
        customer_type: c.customer_type.clone(),
        customer_particulars: particulars(&c),
        customer_segment: c.segment.clone(),
        partner_customer_segment: (!c.partner_segment.is_empty())
            .then(|| c.partner_segment.clone()),
    }))
}

/// Retrieve Customer Email
///
/// The bound customer's email addresses, oldest first, with `emailKey` and
/// `preferredEmailFlag`.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client. 404 `resourceNotFound` when the bound
/// customer no longer exists.
#[utoipa::path(get, path = "/citi/v1/customers/profiles/emails", tag = "citi",
    operation_id = "citiRetrieveCustomerEmail",
    params(CitiHeaders),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = Emails, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn get_emails(State(st): State<Shared>, headers: HeaderMap) -> R<Json<Emails>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    let c = load(&st, &b)?;
    Ok(Json(Emails {
        emails: c.emails.iter().map(email_wire).collect(),
    }))
}

/// Retrieve Customer Phone Number
///
/// The bound customer's phones, oldest first: `phoneKey`, `phoneType` (`MOBILE`,
/// `HOME`, `WORK`, `OTHER`), `phoneCountryCode` (digits, no `+`), `areaCode`,
/// `phoneNumber` (the stored number, without area code or trunk `0`) and `extension`.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client. 404 `resourceNotFound` when the bound
/// customer no longer exists.
#[utoipa::path(get, path = "/citi/v1/customers/profiles/phoneNumbers", tag = "citi",
    operation_id = "citiRetrieveCustomerPhoneNumber",
    params(CitiHeaders),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = Phones, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn get_phones(State(st): State<Shared>, headers: HeaderMap) -> R<Json<Phones>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    let c = load(&st, &b)?;
    Ok(Json(Phones {
        phones: c.phones.iter().map(phone_wire).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
struct AlertsQuery {
    /// `ENROLLED` or `ELIGIBLE`: only alerts in that status. Anything else is a 400
    /// naming `alertStatus`.
    alert_status: Option<String>,
}

/// Retrieve Enrolled or Eligible Alerts for Customer
///
/// Every alert in the catalogue, in catalogue order: `ENROLLED` (with its `channel`,
/// and `threshold` for alerts that take one, in the currency of the customer's first
/// address) or `ELIGIBLE`. The optional query `alertStatus=ENROLLED|ELIGIBLE` keeps
/// only one status; any other value is a 400 naming `alertStatus`.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client. 404 `resourceNotFound` when the bound
/// customer no longer exists.
#[utoipa::path(get, path = "/citi/v1/customers/alerts", tag = "citi",
    operation_id = "citiRetrieveAlerts",
    params(CitiHeaders, AlertsQuery),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = Alerts, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing, or a bad alertStatus"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn get_alerts(
    State(st): State<Shared>,
    headers: HeaderMap,
    q: Result<Query<AlertsQuery>, axum::extract::rejection::QueryRejection>,
) -> R<Json<Alerts>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    let Query(q) = q.map_err(|e| bad("query", e.body_text()))?;
    let status = q
        .alert_status
        .as_deref()
        .map(|s| validate::one_of("alertStatus", s, &["ENROLLED", "ELIGIBLE"]).map_err(fe))
        .transpose()?;
    let mut list = read(&st, |c| -> R<Vec<Alert>> {
        let rec = customer_on(c, &b)?;
        Ok(alerts(c, &rec)?)
    })?;
    if let Some(s) = status {
        list.retain(|a| a.alert_status == s);
    }
    Ok(Json(Alerts { alerts: list }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
struct HistoryQuery {
    /// Zero-based index of the first record to return; default 0.
    #[param(value_type = Option<u32>)]
    next_start_index: Option<String>,
    /// Records per page, 1 to 100; default 20.
    #[param(value_type = Option<u32>)]
    request_size: Option<String>,
}

fn number_param(field: &str, v: Option<&str>, default: i64, min: i64, max: i64) -> R<i64> {
    let Some(v) = v else { return Ok(default) };
    match v.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(bad(field, format!("must be a whole number from {min} to {max}")).into()),
    }
}

/// Retrieve Alert History for Customer
///
/// Alerts sent to the customer and changes to their subscriptions, newest first, paged:
/// `nextStartIndex` (zero-based, default 0) and `requestSize` (1 to 100, default 20);
/// out-of-range or non-numeric values are a 400 naming the parameter. The answer holds
/// `totalRecords` and, when more records follow, the `nextStartIndex` to ask for next.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client. 404 `resourceNotFound` when the bound
/// customer no longer exists.
#[utoipa::path(get, path = "/citi/v1/customers/alerts/history", tag = "citi",
    operation_id = "citiRetrieveAlertHistory",
    params(CitiHeaders, HistoryQuery),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = AlertHistory, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing, or a bad paging parameter"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn get_alert_history(
    State(st): State<Shared>,
    headers: HeaderMap,
    q: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> R<Json<AlertHistory>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    let Query(q) = q.map_err(|e| bad("query", e.body_text()))?;
    let start = number_param(
        "nextStartIndex",
        q.next_start_index.as_deref(),
        0,
        0,
        i64::from(i32::MAX),
    )?;
    let size = number_param("requestSize", q.request_size.as_deref(), 20, 1, 100)?;
    let (total, items) = read(&st, |c| -> R<(i64, Vec<AlertHistoryItem>)> {
        let rec = customer_on(c, &b)?;
        let total: i64 = c
            .prepare_cached("SELECT count(*) FROM alert_history WHERE cid = ?1")?
            .query_row([rec.cid], |r| r.get(0))?;
        let items = c
            .prepare_cached(
                "SELECT alert_code, channel, message, sent_at FROM alert_history WHERE cid = ?1
                 ORDER BY sent_at DESC, id DESC LIMIT ?2 OFFSET ?3",
            )?
            .query_map(params![rec.cid, size, start], |r| {
                Ok(AlertHistoryItem {
                    alert_code: r.get(0)?,
                    channel: r.get(1)?,
                    message: r.get(2)?,
                    sent_date_time: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((total, items))
    })?;
    let next = start + items.len() as i64;
    Ok(Json(AlertHistory {
        alert_history: items,
        total_records: total,
        next_start_index: (next < total).then_some(next),
    }))
}

/// This API is used for card to get the Card to, Bill to, Pin to address
///
/// The addresses of a card account of the bound customer: `cardToAddress` is the first
/// `HOME` address, `billToAddress` the first `MAILING` address if there is one else
/// the `HOME` one, `pinToAddress` the `HOME` one. A customer without a `HOME` address
/// uses their first address for all three. `accountId` must be a `CARD` account of the
/// bound customer: any other account (another customer's, another tenant's, or a
/// current account) is 404 `resourceNotFound`, as is a customer with no address.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client.
#[utoipa::path(get, path = "/citi/v1/cards/accounts/{accountId}/addresses", tag = "citi",
    operation_id = "citiRetrieveCardAddresses",
    params(
        ("accountId" = String, Path, description = "The card account's id (as in NewDay `accounts[].accountId`)"),
        CitiHeaders,
    ),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = CardAddresses, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound: not a card account of this customer, or no address"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn get_card_addresses(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(account_id): Path<String>,
) -> R<Json<CardAddresses>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    let c = load(&st, &b)?;
    if !c
        .accounts
        .iter()
        .any(|a| a.account_id == account_id && a.kind == "CARD")
    {
        return Err(ApiError::not_found(
            F,
            format!(
                "no card account {} for this customer",
                sanitize::for_display(&account_id)
            ),
        )
        .field("accountId")
        .into());
    }
    let home = c
        .addresses
        .iter()
        .find(|a| a.kind == "HOME")
        .or(c.addresses.first())
        .ok_or_else(|| ApiError::not_found(F, "the customer has no address on file"))?;
    let bill = c
        .addresses
        .iter()
        .find(|a| a.kind == "MAILING")
        .unwrap_or(home);
    Ok(Json(CardAddresses {
        card_to_address: address_wire(home),
        bill_to_address: address_wire(bill),
        pin_to_address: address_wire(home),
    }))
}

// ---------------------------------------------------------------------------
// Email and phone updates with a passcode

#[derive(Debug, Clone, Copy, PartialEq)]
enum FlowKind {
    Email,
    Phone,
}

impl FlowKind {
    fn as_str(self) -> &'static str {
        match self {
            FlowKind::Email => "email",
            FlowKind::Phone => "phone",
        }
    }
}

fn list_len(field: &str, n: usize) -> R<()> {
    if n == 0 || n > MAX_ITEMS {
        return Err(bad(field, format!("must hold 1 to {MAX_ITEMS} items")).into());
    }
    Ok(())
}

/// Validate and normalise an email update (format, duplicates, one preferred).
fn clean_emails(items: &[Email]) -> R<Vec<Email>> {
    list_len("emails", items.len())?;
    let mut out: Vec<Email> = Vec::with_capacity(items.len());
    for (i, e) in items.iter().enumerate() {
        let address = String::from(
            EmailAddress::parse(&format!("emails[{i}].emailAddress"), &e.email_address)
                .map_err(fe)?,
        );
        if let Some(j) = out.iter().position(|o| o.email_address == address) {
            return Err(bad(
                format!("emails[{i}].emailAddress"),
                format!("repeats emails[{j}].emailAddress"),
            )
            .into());
        }
        if let Some(k) = e.email_key
            && let Some(j) = out.iter().position(|o| o.email_key == Some(k))
        {
            return Err(bad(
                format!("emails[{i}].emailKey"),
                format!("repeats emails[{j}].emailKey"),
            )
            .into());
        }
        if e.preferred_email_flag && out.iter().any(|o| o.preferred_email_flag) {
            return Err(bad(
                format!("emails[{i}].preferredEmailFlag"),
                "only one email may be preferred",
            )
            .into());
        }
        out.push(Email {
            email_key: e.email_key,
            email_address: address,
            preferred_email_flag: e.preferred_email_flag,
        });
    }
    Ok(out)
}

/// Validate and normalise a phone update: types, digits, lengths, duplicates. The
/// stored area code and number never carry a trunk `0`, so area code + number is the
/// national number the store searches on.
fn clean_phones(items: &[Phone]) -> R<Vec<Phone>> {
    list_len("phones", items.len())?;
    let mut out: Vec<Phone> = Vec::with_capacity(items.len());
    for (i, p) in items.iter().enumerate() {
        let f = |name: &str| format!("phones[{i}].{name}");
        let kind = PhoneKind::parse(&f("phoneType"), &p.phone_type).map_err(fe)?;
        let parts = PartsPhone::parse(
            f,
            &p.phone_country_code,
            &p.area_code,
            &p.phone_number,
            &p.extension,
        )
        .map_err(fe)?;
        let national = parts.national();
        let cc = parts.country_code.clone();
        if let Some(j) = out.iter().position(|o| {
            o.phone_country_code == cc
                && national_of(&cc, &o.area_code, &o.phone_number) == national
        }) {
            return Err(bad(f("phoneNumber"), format!("repeats phones[{j}]")).into());
        }
        if let Some(k) = p.phone_key
            && let Some(j) = out.iter().position(|o| o.phone_key == Some(k))
        {
            return Err(bad(f("phoneKey"), format!("repeats phones[{j}].phoneKey")).into());
        }
        out.push(Phone {
            phone_key: p.phone_key,
            phone_type: kind.as_str().to_string(),
            phone_country_code: cc,
            area_code: parts.area_code,
            phone_number: parts.number,
            extension: parts.extension,
        });
    }
    Ok(out)
}

/// Check a cleaned email update against the customer's emails: keys must be theirs,
/// an address may not already be on another of their emails, and the total stays
/// within [`MAX_CONTACTS`].
fn check_emails(c: &CustomerRec, items: &[Email]) -> R<()> {
    for (i, e) in items.iter().enumerate() {
        if let Some(k) = e.email_key
            && !c.emails.iter().any(|x| x.key == k)
        {
            return Err(bad(
                format!("emails[{i}].emailKey"),
                "is not one of this customer's email keys",
            )
            .into());
        }
        let replaced: Vec<i64> = items.iter().filter_map(|x| x.email_key).collect();
        if c.emails
            .iter()
            .any(|x| !replaced.contains(&x.key) && x.address.eq_ignore_ascii_case(&e.email_address))
        {
            return Err(
                ApiError::conflict(F, "the customer already has this email address")
                    .field(format!("emails[{i}].emailAddress"))
                    .into(),
            );
        }
    }
    let added = items.iter().filter(|e| e.email_key.is_none()).count();
    if c.emails.len() + added > MAX_CONTACTS {
        return Err(ApiError::conflict(
            F,
            format!("a customer may hold at most {MAX_CONTACTS} email addresses"),
        )
        .field("emails")
        .into());
    }
    Ok(())
}

fn check_phones(c: &CustomerRec, items: &[Phone]) -> R<()> {
    let replaced: Vec<i64> = items.iter().filter_map(|x| x.phone_key).collect();
    for (i, p) in items.iter().enumerate() {
        if let Some(k) = p.phone_key
            && !c.phones.iter().any(|x| x.key == k)
        {
            return Err(bad(
                format!("phones[{i}].phoneKey"),
                "is not one of this customer's phone keys",
            )
            .into());
        }
        let national = national_of(&p.phone_country_code, &p.area_code, &p.phone_number);
        if c.phones.iter().any(|x| {
            !replaced.contains(&x.key)
                && x.country_code == p.phone_country_code
                && x.national == national
        }) {
            return Err(
                ApiError::conflict(F, "the customer already has this phone number")
                    .field(format!("phones[{i}].phoneNumber"))
                    .into(),
            );
        }
    }
    let added = items.iter().filter(|p| p.phone_key.is_none()).count();
    if c.phones.len() + added > MAX_CONTACTS {
        return Err(ApiError::conflict(
            F,
            format!("a customer may hold at most {MAX_CONTACTS} phone numbers"),
        )
        .field("phones")
        .into());
    }
    Ok(())
}

/// Record a pending flow and "send" its passcode to the customer's registered mobile.
/// 403 `mfaRequired` when the customer has no mobile.
fn start_flow(
    tx: &Transaction,
    b: &Bound,
    c: &CustomerRec,
    kind: FlowKind,
    payload: &str,
) -> R<ControlFlow> {
    let Some(mobile) = c.mobile() else {
        return Err(ApiError::forbidden(
            F,
            "the customer has no registered mobile to send a passcode to: the change cannot be confirmed",
        )
        .code("mfaRequired")
        .into());
    };
    let to = mobile.national_display();
    let id = uuid::Uuid::new_v4().to_string();
    let otp = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    tx.prepare_cached(
        "INSERT INTO flows (id, cid, client, kind, payload, otp, attempts_left, state, created_unix)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)",
    )?
    .execute(params![
        id,
        c.cid,
        b.caller.client_id,
        kind.as_str(),
        payload,
        otp,
        OTP_ATTEMPTS,
        now_unix()
    ])?;
    tx.prepare_cached(
        "INSERT INTO outbox (to_addr, channel, text, otp, flow_id, sent_at, tenant) VALUES (?1, 'SMS', ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        to,
        format!("Your custdesk bank passcode is {otp}. Never share it."),
        otp,
        id,
        now(),
        b.caller.tenant
    ])?;
    Ok(ControlFlow {
        control_flow_id: id,
        otp_sent_to: mask::digits(&to),
    })
}

/// Update Customer Email
///
/// Asks to change the customer's emails; nothing changes until the passcode is
/// confirmed at `POST /v1/customers/profiles/emails/confirmation`. An item without
/// `emailKey` is added; an item with one replaces that email (address and preferred
/// flag). The whole body is validated first: 1 to 10 items; each `emailAddress` a
/// valid address (stored lower-case); keys must be this customer's (else 400 naming
/// `emails[i].emailKey`); no address or key twice; at most one preferred (a preferred
/// email clears the flag on the others when applied). An address the customer already
/// has on another email, or more than 50 emails in all, is 409. A 6-digit passcode is
/// sent by SMS to the customer's registered mobile (see `GET /sandbox/outbox`); 403
/// `mfaRequired` when there is none. Answers 202 with the `controlFlowId` and the
/// masked mobile. The flow lasts 10 minutes and allows 3 wrong passcodes. With the same
/// `Idempotency-Key` and body, a retry replays the same `controlFlowId` and sends no
/// second passcode.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `contact:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client; then 415 for a body that is not JSON and
/// 400 naming the first bad field.
#[utoipa::path(put, path = "/citi/v1/customers/profiles/emails", tag = "citi",
    operation_id = "citiUpdateCustomerEmail",
    params(CitiHeaders),
    request_body = Emails,
    security(("bearer" = ["contact:write"])),
    responses(
        (status = 202, body = ControlFlow, description = "Passcode sent; confirm to apply"),
        (status = 400, body = CitiError, description = "invalidRequest naming the field or header"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured; mfaRequired when the customer has no registered mobile"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 409, body = CitiError, description = "conflict: address already held, too many emails, or Idempotency-Key in flight"),
        (status = 413, body = CitiError), (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn put_emails(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    body: Bytes,
) -> R<Answer> {
    let b = bound(&st, &headers, SCOPE_CONTACT_WRITE)?;
    let req: Emails = parse_body(&headers, &body)?;
    let items = clean_emails(&req.emails)?;
    let payload = serde_json::to_string(&items).unwrap_or_default();
    let key = idem_key(&headers).map(str::to_string);
    st.store.write(|tx| -> R<Answer> {
        let c = customer_on(tx, &b)?;
        check_emails(&c, &items)?;
        passcodes::admit(tx, &st.config.passcodes, F, c.cid, FlowKind::Email.as_str())?;
        let flow = start_flow(tx, &b, &c, FlowKind::Email, &payload)?;
        log_write(tx, &b.caller.client_id, key.as_deref(), "PUT", P_EMAILS)?;
        Ok(idem.json(tx, StatusCode::ACCEPTED, &flow)?)
    })
}

/// Update Customer Phone Number
///
/// Asks to change the customer's phones; nothing changes until the passcode is
/// confirmed at `POST /v1/customers/profiles/phoneNumbers/confirmation`. An item
/// without `phoneKey` is added; an item with one replaces that phone. The whole body
/// is validated first: 1 to 10 items; `phoneType` one of `MOBILE`, `HOME`, `WORK`,
/// `OTHER`; `phoneCountryCode` 1 to 3 digits (a leading `+` is dropped); `areaCode`
/// up to 6 digits and `phoneNumber` digits, together 6 to 14 digits once a trunk `0`
/// is dropped (a US `1` prefix is dropped too); `extension` up to 6 digits; keys must
/// be this customer's (else 400 naming `phones[i].phoneKey`); no number or key twice.
/// A number the customer already has on another phone, or more than 50 phones in all,
/// is 409. The passcode goes by SMS to the customer's registered mobile as it is
/// before the change (see `GET /sandbox/outbox`); 403 `mfaRequired` when there is
/// none. Answers 202 with the `controlFlowId` and the masked mobile. The flow lasts 10
/// minutes and allows 3 wrong passcodes. With the same `Idempotency-Key` and body, a
/// retry replays the same `controlFlowId` and sends no second passcode.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `contact:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client; then 415 for a body that is not JSON and
/// 400 naming the first bad field.
#[utoipa::path(put, path = "/citi/v1/customers/profiles/phoneNumbers", tag = "citi",
    operation_id = "citiUpdateCustomerPhoneNumber",
    params(CitiHeaders),
    request_body = Phones,
    security(("bearer" = ["contact:write"])),
    responses(
        (status = 202, body = ControlFlow, description = "Passcode sent; confirm to apply"),
        (status = 400, body = CitiError, description = "invalidRequest naming the field or header"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured; mfaRequired when the customer has no registered mobile"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 409, body = CitiError, description = "conflict: number already held, too many phones, or Idempotency-Key in flight"),
        (status = 413, body = CitiError), (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn put_phones(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    body: Bytes,
) -> R<Answer> {
    let b = bound(&st, &headers, SCOPE_CONTACT_WRITE)?;
    let req: Phones = parse_body(&headers, &body)?;
    let items = clean_phones(&req.phones)?;
    let payload = serde_json::to_string(&items).unwrap_or_default();
    let key = idem_key(&headers).map(str::to_string);
    st.store.write(|tx| -> R<Answer> {
        let c = customer_on(tx, &b)?;
        check_phones(&c, &items)?;
        passcodes::admit(tx, &st.config.passcodes, F, c.cid, FlowKind::Phone.as_str())?;
        let flow = start_flow(tx, &b, &c, FlowKind::Phone, &payload)?;
        log_write(tx, &b.caller.client_id, key.as_deref(), "PUT", P_PHONES)?;
        Ok(idem.json(tx, StatusCode::ACCEPTED, &flow)?)
    })
}

fn changed_since(e: Fail) -> Fail {
    let mut err = e.0;
    if err.status == StatusCode::BAD_REQUEST || err.status == StatusCode::CONFLICT {
        err = ApiError::conflict(
            F,
            format!(
                "the customer's details changed since this update was requested ({}); start a new update",
                err.message
            ),
        )
        .field(err.field.unwrap_or_default());
    }
    Fail(err)
}

fn apply_emails(tx: &Transaction, c: &CustomerRec, items: &[Email]) -> R<()> {
    check_emails(c, items).map_err(changed_since)?;
    for e in items {
        let key = match e.email_key {
            Some(k) => {
                tx.execute(
                    "UPDATE emails SET address = ?3, preferred = ?4 WHERE id = ?1 AND cid = ?2",
                    params![k, c.cid, e.email_address, e.preferred_email_flag],
                )?;
                k
            }
            None => {
                tx.execute(
                    "INSERT INTO emails (cid, kind, address, preferred, enrolled) VALUES (?1, 'PERSONAL', ?2, ?3, ?4)",
                    params![c.cid, e.email_address, e.preferred_email_flag, now()],
                )?;
                tx.last_insert_rowid()
            }
        };
        if e.preferred_email_flag {
            tx.execute(
                "UPDATE emails SET preferred = 0 WHERE cid = ?1 AND id != ?2",
                params![c.cid, key],
            )?;
        }
    }
    Ok(())
}

fn apply_phones(tx: &Transaction, c: &CustomerRec, items: &[Phone]) -> R<()> {
    check_phones(c, items).map_err(changed_since)?;
    for p in items {
        let national = national_of(&p.phone_country_code, &p.area_code, &p.phone_number);
        match p.phone_key {
            Some(k) => tx.execute(
                "UPDATE phones SET kind = ?3, country_code = ?4, area_code = ?5, number = ?6, extension = ?7,
                 national = ?8 WHERE id = ?1 AND cid = ?2",
                params![
                    k,
                    c.cid,
                    p.phone_type,
                    p.phone_country_code,
                    p.area_code,
                    p.phone_number,
                    p.extension,
                    national
                ],
            )?,
            None => tx.execute(
                "INSERT INTO phones (cid, kind, country_code, area_code, number, extension, national, enrolled)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    c.cid,
                    p.phone_type,
                    p.phone_country_code,
                    p.area_code,
                    p.phone_number,
                    p.extension,
                    national,
                    now()
                ],
            )?,
        };
    }
    Ok(())
}

/// Check a passcode and, when right, apply the flow's change, all in one transaction
/// with the answer (`render` of the updated customer, or the wrong passcode's refusal),
/// which is stored there under an Idempotency-Key.
fn confirm<T: serde::Serialize>(
    st: &Shared,
    idem: &Idem,
    headers: &HeaderMap,
    body: &[u8],
    kind: FlowKind,
    render: impl FnOnce(&CustomerRec) -> T,
) -> R<Answer> {
    let b = bound(st, headers, SCOPE_CONTACT_WRITE)?;
    let req: Confirmation = parse_body(headers, body)?;
    let flow_id = validate::text("controlFlowId", &req.control_flow_id, 64).map_err(fe)?;
    let otp = validate::digits("otp", &req.otp, 6, 6).map_err(fe)?;
    let key = idem_key(headers).map(str::to_string);
    let path = match kind {
        FlowKind::Email => P_EMAILS_CONFIRM,
        FlowKind::Phone => P_PHONES_CONFIRM,
    };
    let ttl = i64::try_from(st.config.otp_ttl.as_secs()).unwrap_or(i64::MAX);
    st.store.write(|tx| -> R<Answer> {
        let c = customer_on(tx, &b)?;
        type FlowRow = (i64, String, String, String, String, i64, String, i64);
        let row: Option<FlowRow> = tx
            .prepare_cached(
                "SELECT cid, client, kind, payload, otp, attempts_left, state, created_unix FROM flows WHERE id = ?1",
            )?
            .query_row([&flow_id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .optional()?;
        let Some((cid, client, fkind, payload, right, left, state, created)) = row else {
            return Err(invalid_flow().into());
        };
        if cid != c.cid || client != b.caller.client_id || fkind != kind.as_str() {
            return Err(invalid_flow().into());
        }
        match state.as_str() {
            "pending" => {}
            "locked" => {
                return Err(ApiError::forbidden(
                    F,
                    "this change is locked after 3 wrong passcodes; start a new update",
                )
                .code("transactionDenied")
                .field("controlFlowId")
                .into());
            }
            _ => return Err(invalid_flow().into()),
        }
        if now_unix() - created >= ttl {
            return Err(invalid_flow().into());
        }
        passcodes::check_wrong(tx, &st.config.passcodes, F, cid)?;
        if !secret_eq(&right, &otp) {
            passcodes::record_wrong(tx, cid)?;
            let left = left - 1;
            let new_state = if left <= 0 { "locked" } else { "pending" };
            tx.execute(
                "UPDATE flows SET attempts_left = ?2, state = ?3 WHERE id = ?1",
                params![flow_id, left, new_state],
            )?;
            log_write(tx, &b.caller.client_id, key.as_deref(), "POST", path)?;
            // Refused, but the attempt counts: committed with its stored answer.
            let refusal = if left <= 0 {
                ApiError::forbidden(
                    F,
                    "the passcode was wrong 3 times: this change is locked; start a new update",
                )
                .code("transactionDenied")
                .field("otp")
            } else {
                ApiError::new(
                    F,
                    StatusCode::BAD_REQUEST,
                    format!(
                        "the passcode is wrong: {left} attempt{} left",
                        if left == 1 { "" } else { "s" }
                    ),
                )
                .code("invalidOtp")
                .field("otp")
            };
            return Ok(idem.error(tx, &refusal)?);
        }
        match kind {
            FlowKind::Email => {
                let items: Vec<Email> = serde_json::from_str(&payload)
                    .map_err(|_| ApiError::internal(F, "stored change is unreadable"))?;
                apply_emails(tx, &c, &items)?;
            }
            FlowKind::Phone => {
                let items: Vec<Phone> = serde_json::from_str(&payload)
                    .map_err(|_| ApiError::internal(F, "stored change is unreadable"))?;
                apply_phones(tx, &c, &items)?;
            }
        }
        tx.execute("UPDATE flows SET state = 'done' WHERE id = ?1", [&flow_id])?;
        log_write(tx, &b.caller.client_id, key.as_deref(), "POST", path)?;
        let updated = customer_on(tx, &b)?;
        Ok(idem.json(tx, StatusCode::OK, &render(&updated))?)
    })
}

/// Confirm Customer Email Update
///
/// Applies an email update with the passcode sent for it: `{controlFlowId, otp}`
/// (`otp` is 6 digits, else 400 naming `otp`). Right passcode: the change is applied
/// in one transaction and the answer is the customer's updated email list. Wrong
/// passcode: 400 `invalidOtp` with the attempts left in `details` ("2 attempts left");
/// the third wrong one locks the flow: 403 `transactionDenied`, as is any later
/// attempt on it. 400 `invalidControlFlowId` when the id is unknown, belongs to
/// another customer or client, is a phone flow, has expired (10 minutes) or was
/// already applied. 409 when the customer's emails changed since the update was asked
/// for so that it no longer applies.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `contact:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client; then 415 for a body that is not JSON and
/// 400 naming the first bad field.
#[utoipa::path(post, path = "/citi/v1/customers/profiles/emails/confirmation", tag = "citi",
    operation_id = "citiConfirmCustomerEmailUpdate",
    params(CitiHeaders),
    request_body = Confirmation,
    security(("bearer" = ["contact:write"])),
    responses(
        (status = 200, body = Emails, description = "Applied: the updated emails"),
        (status = 400, body = CitiError, description = "invalidOtp (attempts left), invalidControlFlowId, or invalidRequest naming the field or header"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "transactionDenied (locked after 3 wrong passcodes) or accessNotConfigured"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 409, body = CitiError, description = "conflict: the emails changed meanwhile, or Idempotency-Key in flight"),
        (status = 413, body = CitiError), (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn confirm_emails(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    body: Bytes,
) -> R<Answer> {
    confirm(&st, &idem, &headers, &body, FlowKind::Email, |c| Emails {
        emails: c.emails.iter().map(email_wire).collect(),
    })
}

/// Confirm Customer Phone Number Update
///
/// Applies a phone update with the passcode sent for it: `{controlFlowId, otp}`
/// (`otp` is 6 digits, else 400 naming `otp`). Right passcode: the change is applied
/// in one transaction and the answer is the customer's updated phone list. Wrong
/// passcode: 400 `invalidOtp` with the attempts left in `details` ("2 attempts left");
/// the third wrong one locks the flow: 403 `transactionDenied`, as is any later
/// attempt on it. 400 `invalidControlFlowId` when the id is unknown, belongs to
/// another customer or client, is an email flow, has expired (10 minutes) or was
/// already applied. 409 when the customer's phones changed since the update was asked
/// for so that it no longer applies.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `contact:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client; then 415 for a body that is not JSON and
/// 400 naming the first bad field.
#[utoipa::path(post, path = "/citi/v1/customers/profiles/phoneNumbers/confirmation", tag = "citi",
    operation_id = "citiConfirmCustomerPhoneNumberUpdate",
    params(CitiHeaders),
    request_body = Confirmation,
    security(("bearer" = ["contact:write"])),
    responses(
        (status = 200, body = Phones, description = "Applied: the updated phones"),
        (status = 400, body = CitiError, description = "invalidOtp (attempts left), invalidControlFlowId, or invalidRequest naming the field or header"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "transactionDenied (locked after 3 wrong passcodes) or accessNotConfigured"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 409, body = CitiError, description = "conflict: the phones changed meanwhile, or Idempotency-Key in flight"),
        (status = 413, body = CitiError), (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn confirm_phones(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    body: Bytes,
) -> R<Answer> {
    confirm(&st, &idem, &headers, &body, FlowKind::Phone, |c| Phones {
        phones: c.phones.iter().map(phone_wire).collect(),
    })
}

// ---------------------------------------------------------------------------
// Alert subscriptions

/// A validated subscription change.
struct Change {
    index: usize,
    def: &'static catalog::AlertDef,
    /// `None` to unsubscribe.
    subscribe: Option<(String, Option<f64>)>,
}

fn clean_subscriptions(req: &AlertSubscriptions) -> R<Vec<Change>> {
    let default_channel = match &req.alert_profile {
        Some(p) => Some(
            Channel::parse("alertProfile.preferredChannel", &p.preferred_channel)
                .map_err(fe)?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    if req.subscriptions.is_empty() || req.subscriptions.len() > catalog::ALERTS.len() {
        return Err(bad(
            "subscriptions",
            format!("must hold 1 to {} items", catalog::ALERTS.len()),
        )
        .into());
    }
    let mut out: Vec<Change> = Vec::with_capacity(req.subscriptions.len());
    for (i, s) in req.subscriptions.iter().enumerate() {
        let f = |name: &str| format!("subscriptions[{i}].{name}");
        let def = alert::parse(&f("alertCode"), &s.alert_code).map_err(fe)?;
        if let Some(j) = out.iter().position(|c| c.def.code == def.code) {
            return Err(bad(f("alertCode"), format!("repeats subscriptions[{j}]")).into());
        }
        let action =
            validate::one_of(&f("action"), &s.action, &["SUBSCRIBE", "UNSUBSCRIBE"]).map_err(fe)?;
        let subscribe = if action == "SUBSCRIBE" {
            let channel = match (&s.channel, &default_channel) {
                (Some(c), _) => Channel::parse(&f("channel"), c)
                    .map_err(fe)?
                    .as_str()
                    .to_string(),
                (None, Some(c)) => c.clone(),
                (None, None) => {
                    return Err(bad(
                        f("channel"),
                        "is required to subscribe (EMAIL, SMS or PUSH), or send alertProfile.preferredChannel",
                    )
                    .into());
                }
            };
            let threshold = s
                .threshold
                .map(|t| Amount::new(&f("threshold"), t))
                .transpose()
                .and_then(|t| def.check_threshold(&f("threshold"), t))
                .map_err(fe)?
                .map(Amount::amount);
            Some((channel, threshold))
        } else {
            if s.channel.is_some() {
                return Err(bad(f("channel"), "must not be sent to unsubscribe").into());
            }
            if s.threshold.is_some() {
                return Err(bad(f("threshold"), "must not be sent to unsubscribe").into());
            }
            None
        };
        out.push(Change {
            index: i,
            def,
            subscribe,
        });
    }
    Ok(out)
}

/// Manage Customer Alerts Profile and Alerts Subscriptions
///
/// Subscribes to or unsubscribes from alerts, all or nothing: every item is validated
/// before any is applied. Each item names a catalogue `alertCode` (else 400) and an
/// `action`: `SUBSCRIBE` needs a `channel` (`EMAIL`, `SMS`, `PUSH`), its own or
/// `alertProfile.preferredChannel` (which is used only as that default and is not
/// stored); alerts that take one need a `threshold` more than 0 and at most 1,000,000
/// (in the currency of the customer's first address), others must not send one.
/// Subscribing to an enrolled alert changes its channel and threshold. `UNSUBSCRIBE`
/// takes neither; unsubscribing from an alert that is not enrolled is 409. An alert
/// may appear once per request. Every change adds an alert history record
/// ("Subscribed to Low balance by SMS"). Answers 200 with every alert, as
/// `GET /v1/customers/alerts`.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `alerts:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client; then 415 for a body that is not JSON and
/// 400 naming the first bad field.
#[utoipa::path(put, path = "/citi/v1/communications/alerts/profilesAndSubscriptions", tag = "citi",
    operation_id = "citiManageAlertsProfileAndSubscriptions",
    params(CitiHeaders),
    request_body = AlertSubscriptions,
    security(("bearer" = ["alerts:write"])),
    responses(
        (status = 200, body = Alerts, description = "Applied: every alert with its status"),
        (status = 400, body = CitiError, description = "invalidRequest naming the field or header"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 409, body = CitiError, description = "conflict: unsubscribing from an alert not enrolled, or Idempotency-Key in flight"),
        (status = 413, body = CitiError), (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn put_subscriptions(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    body: Bytes,
) -> R<Answer> {
    let b = bound(&st, &headers, SCOPE_ALERTS_WRITE)?;
    let req: AlertSubscriptions = parse_body(&headers, &body)?;
    let changes = clean_subscriptions(&req)?;
    let key = idem_key(&headers).map(str::to_string);
    st.store.write(|tx| -> R<Answer> {
        let c = customer_on(tx, &b)?;
        let cur = currency(&c);
        let enrolled = |code: &str| -> rusqlite::Result<Option<(String, Option<f64>)>> {
            tx.prepare_cached(
                "SELECT channel, threshold FROM alert_enrolments WHERE cid = ?1 AND alert_code = ?2",
            )?
            .query_row(params![c.cid, code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
        };
        // Check every item against the store before writing any.
        let mut current = Vec::with_capacity(changes.len());
        for ch in &changes {
            let now_enrolled = enrolled(ch.def.code)?;
            if ch.subscribe.is_none() && now_enrolled.is_none() {
                return Err(ApiError::conflict(
                    F,
                    format!("the customer is not subscribed to {}", ch.def.code),
                )
                .field(format!("subscriptions[{}].alertCode", ch.index))
                .into());
            }
            current.push(now_enrolled);
        }
        for (ch, was) in changes.iter().zip(current) {
            let (channel, message) = match (&ch.subscribe, was) {
                (Some((channel, threshold)), was) => {
                    if was.as_ref() == Some(&(channel.clone(), *threshold)) {
                        continue;
                    }
                    tx.execute(
                        "INSERT INTO alert_enrolments (cid, alert_code, channel, threshold) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (cid, alert_code) DO UPDATE SET channel = excluded.channel, threshold = excluded.threshold",
                        params![c.cid, ch.def.code, channel, threshold],
                    )?;
                    let verb = if was.is_some() {
                        "Changed subscription to"
                    } else {
                        "Subscribed to"
                    };
                    let tail = threshold
                        .map(|t| format!(" (threshold {t:.2} {cur})"))
                        .unwrap_or_default();
                    (
                        channel.clone(),
                        format!("{verb} {} by {channel}{tail}", ch.def.name),
                    )
                }
                (None, Some((old_channel, _))) => {
                    tx.execute(
                        "DELETE FROM alert_enrolments WHERE cid = ?1 AND alert_code = ?2",
                        params![c.cid, ch.def.code],
                    )?;
                    (old_channel, format!("Unsubscribed from {}", ch.def.name))
                }
                (None, None) => continue,
            };
            tx.execute(
                "INSERT INTO alert_history (cid, alert_code, channel, message, sent_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![c.cid, ch.def.code, channel, message, now()],
            )?;
        }
        log_write(tx, &b.caller.client_id, key.as_deref(), "PUT", P_SUBSCRIPTIONS)?;
        let list = alerts(tx, &c)?;
        Ok(idem.json(tx, StatusCode::OK, &Alerts { alerts: list })?)
    })
}

// ---------------------------------------------------------------------------
// Offers

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
async fn put_offer(
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
async fn fulfill_offer(
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

// ---------------------------------------------------------------------------
// Profile image

const IMAGE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif"];

/// Standard base64, padding optional.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The image type the bytes' magic number says they are.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

fn stored_image(c: &Connection, cid: i64) -> rusqlite::Result<Option<StoredImage>> {
    c.prepare_cached(
        "SELECT image_type, image, image_updated FROM customers WHERE cid = ?1 AND image IS NOT NULL",
    )?
    .query_row([cid], |r| {
        Ok(StoredImage {
            image_type: r.get(0)?,
            image: r.get(1)?,
            last_updated: r.get(2)?,
        })
    })
    .optional()
}

fn no_image() -> ApiError {
    ApiError::not_found(F, "the customer has no profile image")
}

/// Retrieve Customer Profile Image
///
/// The customer's profile image: `imageType`, `image` (base64) and `lastUpdated`. 404
/// `resourceNotFound` when there is none.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client.
#[utoipa::path(get, path = "/citi/v1/customers/profile/images", tag = "citi",
    operation_id = "citiRetrieveCustomerProfileImage",
    params(CitiHeaders),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = StoredImage, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound: no profile image"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn get_image(State(st): State<Shared>, headers: HeaderMap) -> R<Json<StoredImage>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    let img = read(&st, |c| -> R<Option<StoredImage>> {
        let rec = customer_on(c, &b)?;
        Ok(stored_image(c, rec.cid)?)
    })?;
    img.map(Json).ok_or_else(|| no_image().into())
}

/// Update Customer Profile Image
///
/// Sets the customer's profile image: `imageType` `image/png`, `image/jpeg` or
/// `image/gif` and `image` the base64 of the bytes (standard alphabet, padding
/// optional). `image` that is not base64 is a 400 naming `image`; over 512 KiB decoded
/// is 413 naming `image`; bytes whose magic number is not the declared type are a 400
/// naming `image`. Replaces any earlier image; answers 200 with the stored image.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `profile:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client; then 415 for a body that is not JSON and
/// 400 naming the first bad field.
#[utoipa::path(put, path = "/citi/v1/customers/profile/images", tag = "citi",
    operation_id = "citiUpdateCustomerProfileImage",
    params(CitiHeaders),
    request_body = ProfileImage,
    security(("bearer" = ["profile:write"])),
    responses(
        (status = 200, body = StoredImage, description = "The stored image"),
        (status = 400, body = CitiError, description = "invalidRequest naming the field or header"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 409, body = CitiError, description = "Idempotency-Key in flight"),
        (status = 413, body = CitiError, description = "the image is over 512 KiB, or the body over 1 MiB"),
        (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn put_image(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    body: Bytes,
) -> R<Answer> {
    let b = bound(&st, &headers, SCOPE_PROFILE_WRITE)?;
    let req: ProfileImage = parse_body(&headers, &body)?;
    let kind = validate::one_of("imageType", &req.image_type, IMAGE_TYPES).map_err(fe)?;
    if req.image.is_empty() {
        return Err(bad("image", "must not be empty").into());
    }
    let bytes = B64
        .decode(req.image.as_bytes())
        .map_err(|_| bad("image", "must be base64 (standard alphabet)"))?;
    if bytes.len() > MAX_IMAGE {
        return Err(ApiError::new(
            F,
            StatusCode::PAYLOAD_TOO_LARGE,
            "image: must be at most 512 KiB once decoded",
        )
        .field("image")
        .into());
    }
    match sniff(&bytes) {
        Some(t) if t == kind => {}
        Some(t) => {
            return Err(bad("image", format!("holds a {t} image, not {kind}")).into());
        }
        None => {
            return Err(bad("image", format!("is not a {kind} image")).into());
        }
    }
    let image = B64.encode(&bytes);
    let key = idem_key(&headers).map(str::to_string);
    st.store.write(|tx| -> R<Answer> {
        let c = customer_on(tx, &b)?;
        let at = now();
        tx.execute(
            "UPDATE customers SET image_type = ?2, image = ?3, image_updated = ?4 WHERE cid = ?1",
            params![c.cid, kind, image, at],
        )?;
        log_write(tx, &b.caller.client_id, key.as_deref(), "PUT", P_IMAGES)?;
        let stored = StoredImage {
            image_type: kind.clone(),
            image: image.clone(),
            last_updated: at,
        };
        Ok(idem.json(tx, StatusCode::OK, &stored)?)
    })
}

/// Delete Customer Profile Image
///
/// Removes the customer's profile image: 204 with no body, or 404 `resourceNotFound`
/// when there is none.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `profile:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client.
#[utoipa::path(delete, path = "/citi/v1/customers/profile/images", tag = "citi",
    operation_id = "citiDeleteCustomerProfileImage",
    params(CitiHeaders),
    security(("bearer" = ["profile:write"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured"),
        (status = 404, body = CitiError, description = "resourceNotFound: no profile image"),
        (status = 409, body = CitiError, description = "Idempotency-Key in flight"),
        (status = 413, body = CitiError), (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
async fn delete_image(State(st): State<Shared>, idem: Idem, headers: HeaderMap) -> R<Answer> {
    let b = bound(&st, &headers, SCOPE_PROFILE_WRITE)?;
    let key = idem_key(&headers).map(str::to_string);
    st.store.write(|tx| -> R<Answer> {
        let c = customer_on(tx, &b)?;
        let n = tx.execute(
            "UPDATE customers SET image_type = NULL, image = NULL, image_updated = NULL
             WHERE cid = ?1 AND image IS NOT NULL",
            [c.cid],
        )?;
        if n == 0 {
            return Err(no_image().into());
        }
        log_write(tx, &b.caller.client_id, key.as_deref(), "DELETE", P_IMAGES)?;
        Ok(idem.empty(tx, StatusCode::NO_CONTENT)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(cc: &str, area: &str, number: &str) -> Phone {
        Phone {
            phone_key: None,
            phone_type: "MOBILE".into(),
            phone_country_code: cc.into(),
            area_code: area.into(),
            phone_number: number.into(),
            extension: String::new(),
        }
    }

    #[test]
    fn phones_normalise_like_the_store() {
        let p = clean_phones(&[phone("44", "", "07700900123")]).unwrap();
        assert_eq!(p[0].phone_number, "7700900123");
        assert_eq!(
            national_of("44", &p[0].area_code, &p[0].phone_number),
            "7700900123"
        );
        let p = clean_phones(&[phone("+44", "07700", "900123")]).unwrap();
        assert_eq!(
            (p[0].phone_country_code.as_str(), p[0].area_code.as_str()),
            ("44", "7700")
        );
        assert_eq!(
            national_of("44", &p[0].area_code, &p[0].phone_number),
            "7700900123"
        );
        let p = clean_phones(&[phone("1", "", "12125550100")]).unwrap();
        assert_eq!(p[0].phone_number, "2125550100");
        for bad in [
            phone("44", "", "0770"),
            phone("0044", "", "7700900123"),
            phone("44", "", "7700 900123"),
            phone("44", "x", "7700900123"),
            phone("999", "", "1234567890123"),
        ] {
            assert!(clean_phones(std::slice::from_ref(&bad)).is_err(), "{bad:?}");
        }
        let twice = clean_phones(&[
            phone("44", "", "07700900123"),
            phone("44", "7700", "900123"),
        ]);
        assert_eq!(
            twice.unwrap_err().0.field.as_deref(),
            Some("phones[1].phoneNumber")
        );
    }

    #[test]
    fn image_magic() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a.."), Some("image/gif"));
        assert_eq!(sniff(b"<svg"), None);
    }
}
