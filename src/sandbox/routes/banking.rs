//! bankingservice.ai customers (seed 004) under `/bankingservice`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use crate::api::wire::banking::*;
use crate::domain::email::Email;
use crate::domain::person::{self, DateOfBirth, PersonName};
use crate::domain::phone::InternationalPhone;
use crate::domain::{address, text};
use crate::sandbox::Shared;
use crate::sandbox::auth::{Caller, SCOPE_CUSTOMERS_WRITE, SCOPE_READ, authorize};
use crate::sandbox::body;
use crate::sandbox::error::{ApiError, Family};
use crate::sandbox::idempotency::{Answer, Idem};
use crate::sandbox::routes::{idem_key, load_customer};
use crate::sandbox::store::{self, CustomerRec, log_write, now};

const F: Family = Family::Banking;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/bankingservice/v1/profiles/{profileId}/customers",
            get(list).post(create),
        )
        .route(
            "/bankingservice/v1/profiles/{profileId}/customers/{customerId}",
            get(read).put(update).delete(delete),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, read, update, delete),
    components(schemas(BankingError, BsAddress, BsCustomer, BsCustomerInput, BsPage))
)]
pub struct Doc;

/// `58 Kingsway` -> (`58`, `Kingsway`).
fn split_premise(line1: &str) -> (Option<String>, Option<String>) {
    match line1.split_once(' ') {
        Some((n, rest)) if n.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
            (Some(n.to_string()), Some(rest.to_string()))
        }
        _ if line1.is_empty() => (None, None),
        _ => (None, Some(line1.to_string())),
    }
}

pub fn to_wire(c: &CustomerRec) -> BsCustomer {
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    BsCustomer {
        id: c.id.clone(),
        company: non_empty(&c.company),
        first_name: c.given_name.clone(),
        last_name: c.family_name.clone(),
        email: c.preferred_email().map(|e| e.address.clone()),
        phone: c.primary_phone().map(|p| p.international()),
        address: c.addresses.first().map(|a| {
            let (premise, thoroughfare) = split_premise(&a.line1);
            BsAddress {
                premise,
                sub_premise: non_empty(&a.line2),
                building: non_empty(&a.line3),
                postal_code: non_empty(&a.postcode),
                thoroughfare,
                locality: non_empty(&a.city),
                state: non_empty(&a.state),
                country: non_empty(&a.country),
            }
        }),
        created: c.created.clone(),
    }
}

fn profile(caller: &Caller, profile_id: &str) -> Result<(), ApiError> {
    if caller.tenant == profile_id {
        Ok(())
    } else {
        Err(ApiError::not_found(F, "profile not found"))
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// Zero-based page, default 0.
    #[param(minimum = 0, maximum = 1000000)]
    page: Option<u32>,
    /// Page size, default 20, at most 100.
    #[param(minimum = 1, maximum = 100)]
    size: Option<u32>,
}

/// Returns a paged list of the profile's customers, oldest first.
#[utoipa::path(get, path = "/bankingservice/v1/profiles/{profileId}/customers", tag = "bankingservice",
    params(("profileId" = String, Path, description = "The id of the profile (tenant)"), PageQuery),
    security(("bearer" = ["customers:read"])),
    responses((status = 200, body = BsPage), (status = 400, body = BankingError), (status = 401, body = BankingError),
        (status = 403, body = BankingError), (status = 404, body = BankingError), (status = 429, body = BankingError),
        (status = 500, body = BankingError), (status = 503, body = BankingError)))]
async fn list(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(profile_id): Path<String>,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<BsPage>, ApiError> {
    let caller = authorize(&st.tokens, &headers, F, SCOPE_READ)?;
    profile(&caller, &profile_id)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request(F, "query", e.body_text()))?;
    let size = q.size.unwrap_or(20);
    if !(1..=100).contains(&size) {
        return Err(ApiError::bad_request(
            F,
            "size",
            "must be between 1 and 100",
        ));
    }
    let page = q.page.unwrap_or(0);
    if page > 1_000_000 {
        return Err(ApiError::bad_request(F, "page", "must be at most 1000000"));
    }
    let (count, rows) = st
        .store
        .read(|c| store::list_page(c, &caller.tenant, page, size))?;
    Ok(Json(BsPage {
        page,
        pages: count.div_ceil(u64::from(size)) as u32,
        size,
        count,
        data: rows.iter().map(to_wire).collect(),
    }))
}

/// Validated, normalised input.
struct Clean {
    company: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    /// (country code, national number)
    phone: Option<(String, String)>,
    address: Option<BsAddress>,
    date_of_birth: Option<String>,
}

fn clean(input: &BsCustomerInput) -> Result<Clean, ApiError> {
    let fe = |e| ApiError::from_field(F, e);
    let opt = |field: &str, v: &Option<String>, max: usize| -> Result<Option<String>, ApiError> {
        v.as_deref()
            .map(|s| address::line(field, s, max).map_err(fe))
            .transpose()
    };
    let address = match &input.address {
        None => None,
        Some(a) => Some(BsAddress {
            premise: opt("address.premise", &a.premise, address::MAX_PREMISE)?,
            sub_premise: opt(
                "address.sub_premise",
                &a.sub_premise,
                address::MAX_SUB_PREMISE,
            )?,
            building: opt("address.building", &a.building, address::MAX_LINE)?,
            postal_code: a
                .postal_code
                .as_deref()
                .map(|p| address::postcode("address.postal_code", p))
                .transpose()
                .map_err(fe)?,
            thoroughfare: opt("address.thoroughfare", &a.thoroughfare, address::MAX_LINE)?,
            locality: opt("address.locality", &a.locality, address::MAX_LINE)?,
            state: opt("address.state", &a.state, address::MAX_LINE)?,
            country: a
                .country
                .as_deref()
                .map(|c| address::country("address.country", c))
                .transpose()
                .map_err(fe)?,
        }),
    };
    let name = |field: &str, v: &Option<String>| {
        v.as_deref()
            .map(|v| PersonName::parse(field, v).map(String::from))
            .transpose()
            .map_err(fe)
    };
    Ok(Clean {
        company: input
            .company
            .as_deref()
            .map(|v| person::company("company", v))
            .transpose()
            .map_err(fe)?,
        first_name: name("first_name", &input.first_name)?,
        last_name: name("last_name", &input.last_name)?,
        email: input
            .email
            .as_deref()
            .map(|v| Email::parse("email", v).map(String::from))
            .transpose()
            .map_err(fe)?,
        phone: input
            .phone
            .as_deref()
            .map(|v| InternationalPhone::parse("phone", v).map(|p| p.split()))
            .transpose()
            .map_err(fe)?,
        address,
        date_of_birth: input
            .date_of_birth
            .as_deref()
            .map(|v| {
                DateOfBirth::parse("date_of_birth", v, chrono::Utc::now().date_naive())
                    .map(String::from)
            })
            .transpose()
            .map_err(fe)?,
    })
}

/// Apply the cleaned fields to customer `cid` (absent fields stay as they are).
fn apply(tx: &Transaction, cid: i64, c: &Clean) -> Result<(), ApiError> {
    if let Some(v) = &c.first_name {
        tx.prepare_cached("UPDATE customers SET given_name = ?2, given_norm = ?3 WHERE cid = ?1")?
            .execute(params![cid, v, text::fold(v)])?;
    }
    if let Some(v) = &c.last_name {
        tx.prepare_cached(
            "UPDATE customers SET family_name = ?2, family_norm = ?3 WHERE cid = ?1",
        )?
        .execute(params![cid, v, text::fold(v)])?;
    }
    if let Some(v) = &c.company {
        tx.prepare_cached("UPDATE customers SET company = ?2 WHERE cid = ?1")?
            .execute(params![cid, v])?;
    }
    if let Some(v) = &c.date_of_birth {
        tx.prepare_cached("UPDATE customers SET date_of_birth = ?2 WHERE cid = ?1")?
            .execute(params![cid, v])?;
    }
    if let Some(v) = &c.email {
        let key: Option<i64> = tx
            .prepare_cached(
                "SELECT id FROM emails WHERE cid = ?1 ORDER BY preferred DESC, id LIMIT 1",
            )?
            .query_row([cid], |r| r.get(0))
            .optional()?;
        match key {
            Some(k) => tx
                .prepare_cached("UPDATE emails SET address = ?2 WHERE id = ?1")?
                .execute(params![k, v])?,
            None => tx
                .prepare_cached(
                    "INSERT INTO emails (cid, kind, address, preferred, enrolled) VALUES (?1, 'PERSONAL', ?2, 1, ?3)",
                )?
                .execute(params![cid, v, now()])?,
        };
    }
    if let Some((cc, national)) = &c.phone {
        let key: Option<i64> = tx
            .prepare_cached(
                "SELECT id FROM phones WHERE cid = ?1 ORDER BY (kind = 'MOBILE' AND consent != 'stop') DESC, kind = 'MOBILE' DESC, id LIMIT 1",
            )?
            .query_row([cid], |r| r.get(0))
            .optional()?;
        match key {
            Some(k) => tx
                .prepare_cached(
                    "UPDATE phones SET country_code = ?2, area_code = '', number = ?3, national = ?3 WHERE id = ?1",
                )?
                .execute(params![k, cc, national])?,
            None => tx
                .prepare_cached(
                    "INSERT INTO phones (cid, kind, country_code, number, national, enrolled) VALUES (?1, 'MOBILE', ?2, ?3, ?3, ?4)",
                )?
                .execute(params![cid, cc, national, now()])?,
        };
    }
    if let Some(a) = &c.address {
        let line1 = [a.premise.as_deref(), a.thoroughfare.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let key: Option<i64> = tx
            .prepare_cached("SELECT id FROM addresses WHERE cid = ?1 ORDER BY id LIMIT 1")?
            .query_row([cid], |r| r.get(0))
            .optional()?;
        let postcode = a.postal_code.clone().unwrap_or_default();
        let vals = params![
            key.unwrap_or(cid),
            line1,
            a.sub_premise.clone().unwrap_or_default(),
            a.building.clone().unwrap_or_default(),
            a.locality.clone().unwrap_or_default(),
            a.state.clone().unwrap_or_default(),
            postcode,
            text::postcode_key(&postcode),
            a.country.clone().unwrap_or_default()
        ];
        match key {
            Some(_) => tx
                .prepare_cached(
                    "UPDATE addresses SET line1 = ?2, line2 = ?3, line3 = ?4, city = ?5, state = ?6, postcode = ?7, postcode_norm = ?8, country = ?9 WHERE id = ?1",
                )?
                .execute(vals)?,
            None => tx
                .prepare_cached(
                    "INSERT INTO addresses (cid, kind, line1, line2, line3, city, state, postcode, postcode_norm, country) VALUES (?1, 'HOME', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(vals)?,
        };
    }
    Ok(())
}

/// Creates a customer. `first_name` and `last_name` are required; every field is
/// validated (a 400 names the first bad one) and nothing is written on error.
#[utoipa::path(post, path = "/bankingservice/v1/profiles/{profileId}/customers", tag = "bankingservice",
    params(("profileId" = String, Path, description = "The id of the profile (tenant)")),
    request_body = BsCustomerInput,
    security(("bearer" = ["customers:write"])),
    responses((status = 200, body = BsCustomer), (status = 400, body = BankingError), (status = 401, body = BankingError),
        (status = 403, body = BankingError), (status = 404, body = BankingError), (status = 409, body = BankingError),
        (status = 413, body = BankingError), (status = 415, body = BankingError), (status = 422, body = BankingError),
        (status = 429, body = BankingError), (status = 500, body = BankingError), (status = 503, body = BankingError)))]
async fn create(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    Path(profile_id): Path<String>,
    body::Json(input): body::Json<BsCustomerInput>,
) -> Result<Answer, ApiError> {
    let caller = authorize(&st.tokens, &headers, F, SCOPE_CUSTOMERS_WRITE)?;
    profile(&caller, &profile_id)?;
    let c = clean(&input)?;
    let (Some(first), Some(last)) = (&c.first_name, &c.last_name) else {
        let missing = if c.first_name.is_none() {
            "first_name"
        } else {
            "last_name"
        };
        return Err(ApiError::bad_request(F, missing, "is required"));
    };
    let id = uuid::Uuid::new_v4().simple().to_string();
    let key = idem_key(&headers).map(str::to_string);
    let path = format!("/bankingservice/v1/profiles/{profile_id}/customers");
    st.store.write(|tx| -> Result<Answer, ApiError> {
        let next: i64 = tx
            .prepare_cached("SELECT coalesce(max(cid), 0) + 1 FROM customers")?
            .query_row([], |r| r.get(0))?;
        tx.prepare_cached(
            "INSERT INTO customers (cid, id, tenant, customer_ref, given_name, family_name, given_norm, family_norm,
             customer_type, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
                next,
                id,
                caller.tenant,
                format!("CR{next:08}"),
                first,
                last,
                text::fold(first),
                text::fold(last),
                if c.company.as_deref().is_some_and(|s| !s.is_empty()) { "SOLE_TRADER" } else { "INDIVIDUAL" },
                now()
            ])?;
        apply(tx, next, &c)?;
        log_write(tx, &caller.client_id, key.as_deref(), "POST", &path)?;
        // The answer is read and stored in the same transaction as the write.
        let rec = store::customers_by_cid(tx, &[next])?;
        let rec = rec.first().ok_or_else(|| ApiError::internal(F, "created customer vanished"))?;
        Ok(idem.json(tx, StatusCode::OK, &to_wire(rec))?)
    })
}

/// Returns the data of the customer.
#[utoipa::path(get, path = "/bankingservice/v1/profiles/{profileId}/customers/{customerId}", tag = "bankingservice",
    params(("profileId" = String, Path, description = "The id of the profile (tenant)"), ("customerId" = String, Path, description = "The id of the customer")),
    security(("bearer" = ["customers:read"])),
    responses((status = 200, body = BsCustomer), (status = 400, body = BankingError), (status = 401, body = BankingError), (status = 403, body = BankingError),
        (status = 404, body = BankingError), (status = 429, body = BankingError), (status = 500, body = BankingError), (status = 503, body = BankingError)))]
async fn read(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path((profile_id, customer_id)): Path<(String, String)>,
) -> Result<Json<BsCustomer>, ApiError> {
    let caller = authorize(&st.tokens, &headers, F, SCOPE_READ)?;
    profile(&caller, &profile_id)?;
    Ok(Json(to_wire(&load_customer(
        &st,
        F,
        &caller.tenant,
        &customer_id,
    )?)))
}

/// Updates a customer: fields present in the body replace the stored ones (email: the
/// preferred address; phone: the primary number; address: the first address); absent
/// fields are left as they are.
#[utoipa::path(put, path = "/bankingservice/v1/profiles/{profileId}/customers/{customerId}", tag = "bankingservice",
    params(("profileId" = String, Path, description = "The id of the profile (tenant)"), ("customerId" = String, Path, description = "The id of the customer")),
    request_body = BsCustomerInput,
    security(("bearer" = ["customers:write"])),
    responses((status = 200, body = BsCustomer), (status = 400, body = BankingError), (status = 401, body = BankingError),
        (status = 403, body = BankingError), (status = 404, body = BankingError), (status = 409, body = BankingError),
        (status = 413, body = BankingError), (status = 415, body = BankingError), (status = 422, body = BankingError),
        (status = 429, body = BankingError), (status = 500, body = BankingError), (status = 503, body = BankingError)))]
async fn update(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    Path((profile_id, customer_id)): Path<(String, String)>,
    body::Json(input): body::Json<BsCustomerInput>,
) -> Result<Answer, ApiError> {
    let caller = authorize(&st.tokens, &headers, F, SCOPE_CUSTOMERS_WRITE)?;
    profile(&caller, &profile_id)?;
    let c = clean(&input)?;
    let key = idem_key(&headers).map(str::to_string);
    let path = format!("/bankingservice/v1/profiles/{profile_id}/customers/{customer_id}");
    st.store.write(|tx| -> Result<Answer, ApiError> {
        let cid: i64 = tx
            .prepare_cached("SELECT cid FROM customers WHERE id = ?1 AND tenant = ?2")?
            .query_row(params![customer_id, caller.tenant], |r| r.get(0))
            .optional()?
            .ok_or_else(|| ApiError::not_found(F, "customer not found"))?;
        apply(tx, cid, &c)?;
        log_write(tx, &caller.client_id, key.as_deref(), "PUT", &path)?;
        // The answer is read and stored in the same transaction as the write.
        let rec = store::customer_by_id(tx, &caller.tenant, &customer_id)?
            .ok_or_else(|| ApiError::internal(F, "updated customer vanished"))?;
        Ok(idem.json(tx, StatusCode::OK, &to_wire(&rec))?)
    })
}

/// Deletes the customer with everything held for them, answering the deleted record.
#[utoipa::path(delete, path = "/bankingservice/v1/profiles/{profileId}/customers/{customerId}", tag = "bankingservice",
    params(("profileId" = String, Path, description = "The id of the profile (tenant)"), ("customerId" = String, Path, description = "The id of the customer")),
    security(("bearer" = ["customers:write"])),
    responses((status = 200, body = BsCustomer), (status = 400, body = BankingError), (status = 401, body = BankingError),
        (status = 403, body = BankingError), (status = 404, body = BankingError), (status = 409, body = BankingError),
        (status = 422, body = BankingError), (status = 429, body = BankingError), (status = 500, body = BankingError),
        (status = 503, body = BankingError)))]
async fn delete(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    Path((profile_id, customer_id)): Path<(String, String)>,
) -> Result<Answer, ApiError> {
    let caller = authorize(&st.tokens, &headers, F, SCOPE_CUSTOMERS_WRITE)?;
    profile(&caller, &profile_id)?;
    let key = idem_key(&headers).map(str::to_string);
    let path = format!("/bankingservice/v1/profiles/{profile_id}/customers/{customer_id}");
    st.store.write(|tx| -> Result<Answer, ApiError> {
        let rec = store::customer_by_id(tx, &caller.tenant, &customer_id)?
            .ok_or_else(|| ApiError::not_found(F, "customer not found"))?;
        tx.prepare_cached("DELETE FROM customers WHERE cid = ?1")?
            .execute([rec.cid])?;
        log_write(tx, &caller.client_id, key.as_deref(), "DELETE", &path)?;
        Ok(idem.json(tx, StatusCode::OK, &to_wire(&rec))?)
    })
}
