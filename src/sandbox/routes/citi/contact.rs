//! Asking to change emails or phones: the update is validated, checked against the
//! customer's contacts and held in a flow whose passcode goes to the customer's mobile.
//! It is applied in [`super::confirm`].

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use rand::Rng;
use rusqlite::{Transaction, params};

use super::{
    Bound, CitiHeaders, F, MAX_CONTACTS, MAX_ITEMS, OTP_ATTEMPTS, P_EMAILS, P_PHONES, R, bad,
    bound, customer_on, fe, parse_body,
};
use crate::api::wire::citi::*;
use crate::domain::choice::PhoneKind;
use crate::domain::email::Email as EmailAddress;
use crate::domain::mask;
use crate::domain::phone::{PartsPhone, national_of};
use crate::sandbox::Shared;
use crate::sandbox::auth::SCOPE_CONTACT_WRITE;
use crate::sandbox::error::ApiError;
use crate::sandbox::idempotency::{Answer, Idem};
use crate::sandbox::passcodes;
use crate::sandbox::routes::idem_key;
use crate::sandbox::store::{CustomerRec, log_write, now, now_unix};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum FlowKind {
    Email,
    Phone,
}

impl FlowKind {
    pub(super) fn as_str(self) -> &'static str {
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
pub(super) fn check_emails(c: &CustomerRec, items: &[Email]) -> R<()> {
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

pub(super) fn check_phones(c: &CustomerRec, items: &[Phone]) -> R<()> {
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
pub(super) async fn put_emails(
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
pub(super) async fn put_phones(
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
}
