//! Reads of the customer's profile: personal details (also as the partner sees them),
//! particulars, addresses, emails, phones, and a card account's addresses.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;

use super::offers::offers;
use super::{
    Bound, CitiHeaders, F, R, address_wire, bound, customer_on, email_wire, load, phone_wire, read,
};
use crate::api::wire::citi::*;
use crate::domain::sanitize;
use crate::sandbox::Shared;
use crate::sandbox::auth::SCOPE_READ;
use crate::sandbox::error::ApiError;
use crate::sandbox::store::CustomerRec;

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
pub(super) async fn get_profile(State(st): State<Shared>, headers: HeaderMap) -> R<Json<Profile>> {
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
pub(super) async fn get_partner_profile(
    State(st): State<Shared>,
    headers: HeaderMap,
) -> R<Json<Profile>> {
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
pub(super) async fn get_addresses(
    State(st): State<Shared>,
    headers: HeaderMap,
) -> R<Json<AddressList>> {
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
pub(super) async fn get_basic(
    State(st): State<Shared>,
    headers: HeaderMap,
) -> R<Json<BasicProfile>> {
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
pub(super) async fn get_emails(State(st): State<Shared>, headers: HeaderMap) -> R<Json<Emails>> {
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
pub(super) async fn get_phones(State(st): State<Shared>, headers: HeaderMap) -> R<Json<Phones>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    let c = load(&st, &b)?;
    Ok(Json(Phones {
        phones: c.phones.iter().map(phone_wire).collect(),
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
pub(super) async fn get_card_addresses(
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
