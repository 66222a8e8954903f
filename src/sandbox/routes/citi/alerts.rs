//! Alerts: the catalogue with the customer's enrolments, the alert history, and
//! subscribing and unsubscribing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{CitiHeaders, F, P_SUBSCRIPTIONS, R, bad, bound, customer_on, fe, parse_body, read};
use crate::api::wire::citi::*;
use crate::domain::alert::{self, Threshold as Amount};
use crate::domain::choice::Channel;
use crate::domain::validate;
use crate::sandbox::Shared;
use crate::sandbox::auth::{SCOPE_ALERTS_WRITE, SCOPE_READ};
use crate::sandbox::error::ApiError;
use crate::sandbox::idempotency::{Answer, Idem};
use crate::sandbox::routes::idem_key;
use crate::sandbox::store::{CustomerRec, catalog, log_write, now};

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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(super) struct AlertsQuery {
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
pub(super) async fn get_alerts(
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
pub(super) struct HistoryQuery {
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
pub(super) async fn get_alert_history(
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
pub(super) async fn put_subscriptions(
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
