//! NewDay customer-service (seed 001) under `/customer-service`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::api::wire::newday::*;
use crate::domain::email::Email;
use crate::domain::person::DateOfBirth;
use crate::domain::{phone, query, text, validate};
use crate::sandbox::Shared;
use crate::sandbox::auth::{SCOPE_READ, authorize};
use crate::sandbox::body;
use crate::sandbox::error::{ApiError, Family};
use crate::sandbox::routes::load_customer;
use crate::sandbox::store::{self, CustomerRec, Search, SortKey};

const F: Family = Family::NewDay;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/customer-service/customers", get(get_by_token))
        .route(
            "/customer-service/customers/{customerId}",
            get(get_customer),
        )
        .route("/customer-service/customers/search", post(search))
        .route(
            "/customer-service/customers/supported-formats/email-address",
            post(verify_email),
        )
        .route(
            "/customer-service/customers/supported-formats/phone-number",
            post(verify_phone),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(get_customer, get_by_token, search, verify_email, verify_phone),
    components(schemas(
        Problem,
        Customer,
        Contact,
        TypedValue,
        CustomerAddress,
        Account,
        SearchFilter,
        SearchRequest,
        SearchResponse,
        VerifyEmail,
        VerifyPhone,
        Verification
    ))
)]
pub struct Doc;

/// The NewDay view of a stored customer.
pub fn to_wire(c: &CustomerRec) -> Customer {
    Customer {
        id: c.id.clone(),
        customer_ref: c.customer_ref.clone(),
        status: c.status.clone(),
        title: c.prefix.clone(),
        given_name: c.given_name.clone(),
        middle_name: c.middle_name.clone(),
        family_name: c.family_name.clone(),
        date_of_birth: c.date_of_birth.clone(),
        contact: Contact {
            phone_numbers: c
                .phones
                .iter()
                .map(|p| TypedValue {
                    kind: p.kind.clone(),
                    value: format!("+{}", p.international()),
                })
                .collect(),
            email_addresses: c
                .emails
                .iter()
                .map(|e| TypedValue {
                    kind: e.kind.clone(),
                    value: e.address.clone(),
                })
                .collect(),
        },
        addresses: c
            .addresses
            .iter()
            .map(|a| CustomerAddress {
                kind: a.kind.clone(),
                address_line1: a.line1.clone(),
                address_line2: a.line2.clone(),
                address_line3: a.line3.clone(),
                address_line4: a.line4.clone(),
                town: a.city.clone(),
                county: a.state.clone(),
                postcode: a.postcode.clone(),
                country_code: a.country.clone(),
            })
            .collect(),
        accounts: c
            .accounts
            .iter()
            .map(|a| Account {
                account_id: a.account_id.clone(),
                account_number: a.number.clone(),
                account_type: a.kind.clone(),
                product_name: a.product.clone(),
                status: a.status.clone(),
            })
            .collect(),
    }
}

/// Retrieve a customer by id with contact details and accounts. A customer of another
/// tenant answers 404, as does an unknown id.
#[utoipa::path(get, path = "/customer-service/customers/{customerId}", tag = "newday",
    params(("customerId" = String, Path, description = "32 lower-case hex characters", pattern = "^[0-9a-f]{32}$")),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = Customer),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 429, body = Problem), (status = 500, body = Problem),
        (status = 503, body = Problem),
    ))]
async fn get_customer(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Customer>, ApiError> {
    let caller = authorize(&st.tokens, &headers, F, SCOPE_READ)?;
    validate::customer_id("customerId", &id).map_err(|e| ApiError::from_field(F, e))?;
    if caller.customer.as_deref().is_some_and(|bound| bound != id) {
        return Err(ApiError::not_found(F, "customer not found"));
    }
    Ok(Json(to_wire(&load_customer(&st, F, &caller.tenant, &id)?)))
}

/// Retrieve the customer the (customer-bound) access token belongs to. When the
/// customer holds no account, answers 404 with the header `NoCustomerDetails: true`.
#[utoipa::path(get, path = "/customer-service/customers", tag = "newday",
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = Customer),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "the token is not customer-bound"),
        (status = 404, body = Problem, headers(("NoCustomerDetails" = String, description = "true when the customer has no account"))),
        (status = 429, body = Problem), (status = 500, body = Problem), (status = 503, body = Problem),
    ))]
async fn get_by_token(State(st): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    let caller = authorize(&st.tokens, &headers, F, SCOPE_READ)?;
    let Some(id) = caller.customer.as_deref() else {
        return Err(ApiError::forbidden(
            F,
            "this endpoint needs a customer-bound token (token exchange with resource=<customer id>)",
        ));
    };
    let c = load_customer(&st, F, &caller.tenant, id)?;
    if c.accounts.is_empty() {
        let mut r = ApiError::not_found(F, "no account is held for this customer").into_response();
        r.headers_mut()
            .insert("NoCustomerDetails", HeaderValue::from_static("true"));
        return Ok(r);
    }
    Ok(Json(to_wire(&c)).into_response())
}

fn filter_text(field: &str, v: &Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    v.as_deref()
        .map(|s| {
            validate::text(&format!("filter.{field}"), s, max)
                .map_err(|e| ApiError::from_field(F, e))
        })
        .transpose()
}

/// Search customers by given name and family name (case- and accent-insensitive
/// prefix), phone number (any common format), date of birth, postcode (ignoring case
/// and spaces), account number, customer reference or email; sandbox extensions:
/// `nameWords` (two name prefixes in either order), `postcodePrefix` (at least 2
/// characters) and `accountLastFour`. Filters combine with AND; at least one is required. Paged (`page` zero-based, `size` 1 to 100, default 20).
#[utoipa::path(post, path = "/customer-service/customers/search", tag = "newday",
    request_body = SearchRequest,
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = SearchResponse),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem), (status = 500, body = Problem),
        (status = 503, body = Problem),
    ))]
async fn search(
    State(st): State<Shared>,
    headers: HeaderMap,
    body::Json(req): body::Json<SearchRequest>,
) -> Result<Json<SearchResponse>, ApiError> {
    let caller = authorize(&st.tokens, &headers, F, SCOPE_READ)?;
    let f = &req.filter;
    let today = chrono::Utc::now().date_naive();
    let mut s = Search {
        tenant: caller.tenant.clone(),
        given_prefix: filter_text("givenName", &f.given_name, 100)?.map(|v| text::fold(&v)),
        family_prefix: filter_text("familyName", &f.family_name, 100)?.map(|v| text::fold(&v)),
        postcode: filter_text("postcode", &f.postcode, 10)?.map(|v| text::postcode_key(&v)),
        customer_ref: filter_text("customerRef", &f.customer_ref, 20)?,
        account_number: filter_text("accountNumber", &f.account_number, 34)?,
        email: filter_text("emailAddress", &f.email_address, 254)?.map(|v| v.to_lowercase()),
        ..Search::default()
    };
    if let Some(p) = &f.phone_number {
        let p =
            validate::text("filter.phoneNumber", p, 20).map_err(|e| ApiError::from_field(F, e))?;
        s.phone_national = Some(query::phone_key(&p).map_err(|_| {
            ApiError::bad_request(
                F,
                "filter.phoneNumber",
                "must be a phone number of 6 to 15 digits",
            )
        })?);
    }
    if let Some(p) = filter_text("postcodePrefix", &f.postcode_prefix, 10)? {
        s.postcode_prefix = Some(query::postcode_prefix_key(&p).map_err(|_| {
            ApiError::bad_request(
                F,
                "filter.postcodePrefix",
                format!("must be at least {} characters", query::POSTCODE_PREFIX_MIN),
            )
        })?);
    }
    if let Some(v) = &f.account_last_four {
        if !query::is_last_four(v) {
            return Err(ApiError::bad_request(
                F,
                "filter.accountLastFour",
                "must be 4 digits",
            ));
        }
        s.account_last_four = Some(v.clone());
    }
    if let Some(words) = &f.name_words {
        let folded = words
            .iter()
            .map(|w| {
                validate::text("filter.nameWords", w, 100)
                    .map(|w| text::fold(&w))
                    .map_err(|e| ApiError::from_field(F, e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        match <[String; 2]>::try_from(folded) {
            Ok(pair) if pair.iter().all(|w| !w.is_empty()) => s.name_words = Some(pair),
            _ => {
                return Err(ApiError::bad_request(
                    F,
                    "filter.nameWords",
                    "must be two words",
                ));
            }
        }
    }
    if let Some(d) = &f.date_of_birth {
        s.date_of_birth = Some(
            DateOfBirth::parse("filter.dateOfBirth", d, today)
                .map(String::from)
                .map_err(|e| ApiError::from_field(F, e))?,
        );
    }
    if s.given_prefix.is_none()
        && s.family_prefix.is_none()
        && s.postcode.is_none()
        && s.phone_national.is_none()
        && s.date_of_birth.is_none()
        && s.account_number.is_none()
        && s.customer_ref.is_none()
        && s.email.is_none()
        && s.postcode_prefix.is_none()
        && s.account_last_four.is_none()
        && s.name_words.is_none()
    {
        return Err(ApiError::bad_request(
            F,
            "filter",
            "give at least one filter",
        ));
    }
    let size = req.size.unwrap_or(20);
    if !(1..=100).contains(&size) {
        return Err(ApiError::bad_request(
            F,
            "size",
            "must be between 1 and 100",
        ));
    }
    let page = req.page.unwrap_or(0);
    if page > 100_000 {
        return Err(ApiError::bad_request(F, "page", "must be at most 100000"));
    }
    if let Some(sort) = req.sort.as_deref() {
        let (desc, key) = match sort.strip_prefix('-') {
            Some(k) => (true, k),
            None => (false, sort),
        };
        s.descending = desc;
        s.sort = match key {
            "familyName" => SortKey::FamilyName,
            "givenName" => SortKey::GivenName,
            "dateOfBirth" => SortKey::DateOfBirth,
            "postcode" => SortKey::Postcode,
            _ => {
                return Err(ApiError::bad_request(
                    F,
                    "sort",
                    "must be familyName, givenName, dateOfBirth or postcode, optionally prefixed with -",
                ));
            }
        };
    }
    s.page = page;
    s.size = size;
    let (count, rows) = st.store.read(|c| store::search(c, &s))?;
    Ok(Json(SearchResponse {
        values: rows.iter().map(to_wire).collect(),
        page,
        size,
        count,
    }))
}

/// Check an email address's format (not possession). Malformed input (empty, too long,
/// control characters, wrong type) is a 400; a well-formed but unusable address is
/// `isValid: false` with a reason.
#[utoipa::path(post, path = "/customer-service/customers/supported-formats/email-address", tag = "newday",
    request_body = VerifyEmail,
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = Verification),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem), (status = 500, body = Problem),
        (status = 503, body = Problem),
    ))]
async fn verify_email(
    State(st): State<Shared>,
    headers: HeaderMap,
    body::Json(req): body::Json<VerifyEmail>,
) -> Result<Json<Verification>, ApiError> {
    authorize(&st.tokens, &headers, F, SCOPE_READ)?;
    validate::text("emailAddress", &req.email_address, 254)
        .map_err(|e| ApiError::from_field(F, e))?;
    Ok(Json(
        match Email::parse("emailAddress", &req.email_address) {
            Ok(_) => Verification {
                is_valid: true,
                reason: None,
            },
            Err(e) => Verification {
                is_valid: false,
                reason: Some(e.message),
            },
        },
    ))
}

/// Check a UK mobile number's format (not possession): `07xxx xxxxxx`, `+44 7xxx` or
/// `0044 7xxx`.
#[utoipa::path(post, path = "/customer-service/customers/supported-formats/phone-number", tag = "newday",
    request_body = VerifyPhone,
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = Verification),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem), (status = 500, body = Problem),
        (status = 503, body = Problem),
    ))]
async fn verify_phone(
    State(st): State<Shared>,
    headers: HeaderMap,
    body::Json(req): body::Json<VerifyPhone>,
) -> Result<Json<Verification>, ApiError> {
    authorize(&st.tokens, &headers, F, SCOPE_READ)?;
    let p = validate::text("phoneNumber", &req.phone_number, 20)
        .map_err(|e| ApiError::from_field(F, e))?;
    Ok(Json(uk_mobile(&p)))
}

/// Whether `p` is a UK mobile number.
pub fn uk_mobile(p: &str) -> Verification {
    match phone::uk_mobile(p) {
        Ok(()) => Verification {
            is_valid: true,
            reason: None,
        },
        Err(reason) => Verification {
            is_valid: false,
            reason: Some(reason.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uk_mobiles() {
        assert!(super::uk_mobile("07700900123").is_valid);
        assert!(super::uk_mobile("+44 7700 900123").is_valid);
        assert!(super::uk_mobile("0044 7700 900123").is_valid);
        assert!(!super::uk_mobile("02079460000").is_valid);
        assert!(!super::uk_mobile("0770090012").is_valid);
        assert!(!super::uk_mobile("+61 412 345 678").is_valid);
        assert!(!super::uk_mobile("0770O900123").is_valid);
    }
}
