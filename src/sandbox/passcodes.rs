//! Limits on passcode flows, per customer, so nobody can flood a customer with SMS or
//! guess a passcode by opening flow after flow.
//!
//! - One open flow per customer and kind: a new email (or phone) change voids the
//!   customer's earlier pending email (or phone) flow, whoever asked for it.
//! - At most [`PasscodeLimits::sent_per_hour`] passcodes per customer in any hour; the
//!   next change is 429 with `Retry-After` (the seconds until the oldest leaves the hour).
//! - At most [`PasscodeLimits::wrong_per_hour`] wrong passcodes per customer in any hour,
//!   over all flows; past it every confirmation for the customer is 429 with
//!   `Retry-After`, even with the right passcode.
//!
//! The numbers are documented in the OpenAPI text of the Citi endpoints (see
//! [`DOC`]); a sandbox can change them through [`super::SandboxConfig::passcodes`].

use axum::http::StatusCode;
use rusqlite::{Connection, params};

use super::error::{ApiError, Family};
use super::store::now_unix;

const HOUR: i64 = 3600;

/// The per-customer passcode limits of a sandbox.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PasscodeLimits {
    /// Passcodes sent to one customer in any hour.
    pub sent_per_hour: u32,
    /// Wrong passcodes for one customer in any hour, over all its flows.
    pub wrong_per_hour: u32,
}

impl Default for PasscodeLimits {
    /// Five changes an hour for one customer is more than a call needs (a typo, a second
    /// thought); a flood hits it at once. Six wrong passcodes is two locked flows.
    fn default() -> Self {
        PasscodeLimits {
            sent_per_hour: 5,
            wrong_per_hour: 6,
        }
    }
}

/// The limits in words, for the OpenAPI text (kept next to the numbers they describe).
pub const DOC: &str = "Passcode limits, per customer: one open flow per kind (a new email \
or phone change voids the customer's earlier pending one of that kind, whose controlFlowId \
is then 400 invalidControlFlowId); at most 5 passcodes in any hour (the next change is 429 \
tooManyRequests with Retry-After); at most 6 wrong passcodes in any hour over all flows \
(past it every confirmation for the customer is 429 with Retry-After, even with the right \
passcode).";

/// Seconds until the oldest of `n` events since `since` leaves the hour.
fn retry_after(oldest: i64, now: i64) -> u64 {
    (oldest + HOUR - now).max(1) as u64
}

fn too_many(family: Family, message: &str, wait: u64) -> ApiError {
    ApiError::new(family, StatusCode::TOO_MANY_REQUESTS, message).retry_after(wait)
}

/// Before a new flow of `kind` for customer `cid`: 429 past the hourly cap, else void
/// the customer's earlier pending flow of that kind. Runs in the write transaction that
/// then inserts the new flow.
pub fn admit(
    tx: &Connection,
    limits: &PasscodeLimits,
    family: Family,
    cid: i64,
    kind: &str,
) -> Result<(), ApiError> {
    let now = now_unix();
    let (sent, oldest): (u32, Option<i64>) = tx
        .prepare_cached(
            "SELECT count(*), min(created_unix) FROM flows WHERE cid = ?1 AND created_unix > ?2",
        )?
        .query_row(params![cid, now - HOUR], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if sent >= limits.sent_per_hour {
        return Err(too_many(
            family,
            &format!(
                "at most {} passcodes an hour may be sent to one customer: try again later",
                limits.sent_per_hour
            ),
            retry_after(oldest.unwrap_or(now), now),
        ));
    }
    tx.prepare_cached(
        "UPDATE flows SET state = 'void' WHERE cid = ?1 AND kind = ?2 AND state = 'pending'",
    )?
    .execute(params![cid, kind])?;
    Ok(())
}

/// Before a passcode of customer `cid` is checked: 429 once the customer's wrong
/// passcodes in the last hour reach the cap.
pub fn check_wrong(
    tx: &Connection,
    limits: &PasscodeLimits,
    family: Family,
    cid: i64,
) -> Result<(), ApiError> {
    let now = now_unix();
    let (wrong, oldest): (u32, Option<i64>) = tx
        .prepare_cached(
            "SELECT count(*), min(at_unix) FROM passcode_failures WHERE cid = ?1 AND at_unix > ?2",
        )?
        .query_row(params![cid, now - HOUR], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if wrong >= limits.wrong_per_hour {
        return Err(too_many(
            family,
            &format!(
                "{} wrong passcodes for this customer in the last hour: confirmations are refused until later",
                limits.wrong_per_hour
            ),
            retry_after(oldest.unwrap_or(now), now),
        ));
    }
    Ok(())
}

/// Remember a wrong passcode for customer `cid` (and forget those past the hour).
pub fn record_wrong(tx: &Connection, cid: i64) -> rusqlite::Result<()> {
    let now = now_unix();
    tx.prepare_cached("DELETE FROM passcode_failures WHERE cid = ?1 AND at_unix <= ?2")?
        .execute(params![cid, now - HOUR])?;
    tx.prepare_cached("INSERT INTO passcode_failures (cid, at_unix) VALUES (?1, ?2)")?
        .execute(params![cid, now])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_numbers_are_the_defaults() {
        let d = PasscodeLimits::default();
        assert!(DOC.contains(&format!("at most {} passcodes", d.sent_per_hour)));
        assert!(DOC.contains(&format!("at most {} wrong passcodes", d.wrong_per_hour)));
    }
}
