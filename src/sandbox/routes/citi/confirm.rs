//! Confirming an email or phone change with its passcode, and applying it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rusqlite::{OptionalExtension, Transaction, params};

use super::contact::{FlowKind, check_emails, check_phones};
use super::{
    CitiHeaders, F, Fail, P_EMAILS_CONFIRM, P_PHONES_CONFIRM, R, bound, customer_on, email_wire,
    fe, parse_body, phone_wire,
};
use crate::api::wire::citi::*;
use crate::domain::phone::national_of;
use crate::domain::validate;
use crate::sandbox::Shared;
use crate::sandbox::auth::{SCOPE_CONTACT_WRITE, secret_eq};
use crate::sandbox::error::ApiError;
use crate::sandbox::idempotency::{Answer, Idem};
use crate::sandbox::passcodes;
use crate::sandbox::routes::idem_key;
use crate::sandbox::store::{CustomerRec, log_write, now, now_unix};

fn invalid_flow() -> ApiError {
    ApiError::new(
        F,
        StatusCode::BAD_REQUEST,
        "controlFlowId is unknown, has expired, was already used, was replaced by a newer change, or belongs to another change",
    )
    .code("invalidControlFlowId")
    .field("controlFlowId")
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
pub(super) async fn confirm_emails(
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
pub(super) async fn confirm_phones(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    body: Bytes,
) -> R<Answer> {
    confirm(&st, &idem, &headers, &body, FlowKind::Phone, |c| Phones {
        phones: c.phones.iter().map(phone_wire).collect(),
    })
}
