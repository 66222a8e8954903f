//! When to try a call again, and how long to wait first.
//!
//! Every call the client makes is safe to repeat: reads are GETs (or read-only POSTs:
//! search, verify, token requests), and every write carries an `Idempotency-Key` that
//! stays the same across its attempts, so the server replays rather than re-applies it.
//! That is why the decision below looks only at what came back.

use std::time::Duration;

use rand::Rng;

use super::config::Timeouts;
use super::error::Class;

/// Whether to retry after `attempt` (1-based) failed with `class`, and after how long:
/// only what [`Class::retryable`] says may work again is retried. `retry_after` is the
/// answer's `Retry-After`, honoured when present (a 429, a key still running, a 503).
pub(crate) fn next_delay(
    class: Class,
    retry_after: Option<Duration>,
    attempt: u32,
    policy: &Timeouts,
) -> Option<Duration> {
    if attempt >= policy.max_attempts || !class.retryable() {
        return None;
    }
    honour(retry_after, backoff(attempt, policy), policy)
}

/// Wait what the server asked (plus a little jitter so clients do not return in step),
/// but give up on a wait longer than the configured maximum.
fn honour(after: Option<Duration>, backoff: Duration, policy: &Timeouts) -> Option<Duration> {
    match after {
        None => Some(backoff),
        Some(a) if a > policy.max_retry_after => None,
        Some(a) => {
            let jitter = a
                .mul_f64(rand::rng().random_range(0.0..0.1))
                .max(backoff / 4);
            Some(a + jitter)
        }
    }
}

/// Exponential backoff with "equal jitter": half the step fixed, half random.
pub(crate) fn backoff(attempt: u32, policy: &Timeouts) -> Duration {
    let step = policy
        .backoff_base
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(policy.backoff_max);
    step / 2 + step.mul_f64(rand::rng().random_range(0.0..0.5))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApiError, ErrorKind, Family};

    fn policy() -> Timeouts {
        Timeouts::default()
    }

    /// The class the client gives an answer with `status`, `field` at fault.
    fn status(status: u16, field: Option<&str>) -> Class {
        let kind = match status {
            409 => ErrorKind::Conflict,
            404 => ErrorKind::NotFound,
            s if s >= 500 => ErrorKind::Server,
            _ => ErrorKind::Invalid { field: None },
        };
        let mut e = ApiError::local(kind, Family::Banking, "c", "refused");
        e.status = Some(status);
        if let Some(f) = field {
            e.message = format!("{f}: still being processed");
        }
        e.class()
    }

    #[test]
    fn at_most_max_attempts() {
        let p = policy();
        assert!(next_delay(Class::InDoubt, None, 1, &p).is_some());
        assert!(next_delay(Class::InDoubt, None, 2, &p).is_some());
        assert!(next_delay(Class::InDoubt, None, 3, &p).is_none());
    }

    #[test]
    fn which_answers_are_retried() {
        let p = policy();
        let one = Some(Duration::from_secs(1));
        assert!(next_delay(status(503, None), None, 1, &p).is_some());
        assert!(next_delay(status(500, None), None, 1, &p).is_some());
        assert!(next_delay(status(409, Some("Idempotency-Key")), one, 1, &p).is_some());
        assert!(next_delay(status(409, None), None, 1, &p).is_none());
        assert!(next_delay(status(400, None), None, 1, &p).is_none());
        assert!(next_delay(status(404, None), None, 1, &p).is_none());
        assert!(next_delay(status(422, None), None, 1, &p).is_none());
        assert!(next_delay(Class::Transient, None, 1, &p).is_some());
    }

    #[test]
    fn retry_after_is_a_floor_and_has_a_cap() {
        let p = policy();
        let limited = Class::of(
            &ErrorKind::RateLimited { retry_after: None },
            Some(429),
            None,
            "",
        );
        for _ in 0..100 {
            let d = next_delay(limited, Some(Duration::from_secs(1)), 1, &p).unwrap();
            assert!(
                d >= Duration::from_secs(1) && d <= Duration::from_millis(1100),
                "{d:?}"
            );
        }
        assert!(next_delay(limited, Some(Duration::from_secs(3600)), 1, &p).is_none());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = policy();
        for _ in 0..100 {
            let b1 = backoff(1, &p);
            let b2 = backoff(2, &p);
            assert!(b1 >= Duration::from_millis(50) && b1 < Duration::from_millis(100));
            assert!(b2 >= Duration::from_millis(100) && b2 < Duration::from_millis(200));
            assert!(backoff(30, &p) < p.backoff_max);
        }
    }
}
