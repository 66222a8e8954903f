//! When to try a call again, and how long to wait first.
//!
//! Every call the client makes is safe to repeat: reads are GETs (or read-only POSTs:
//! search, verify, token requests), and every write carries an `Idempotency-Key` that
//! stays the same across its attempts, so the server replays rather than re-applies it.
//! That is why the decision below looks only at what came back.

use std::time::Duration;

use rand::Rng;

use super::config::Timeouts;

/// What one attempt ended with, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Outcome {
    /// An HTTP error answer, with its `Retry-After` when present.
    Status(u16, Option<Duration>),
    /// No answer in time.
    Timeout,
    /// Connection refused, reset or otherwise broken.
    Transport,
}

/// Whether to retry after `attempt` (1-based) ended with `outcome`, and after how long.
pub(crate) fn next_delay(outcome: Outcome, attempt: u32, policy: &Timeouts) -> Option<Duration> {
    if attempt >= policy.max_attempts {
        return None;
    }
    let backoff = backoff(attempt, policy);
    match outcome {
        // Too many requests: never applied, so always worth another go once allowed.
        Outcome::Status(429, after) => honour(after, backoff, policy),
        // 409 with Retry-After is "a request with this Idempotency-Key is still running";
        // any other 409 is a real conflict.
        Outcome::Status(409, Some(after)) => honour(Some(after), backoff, policy),
        Outcome::Status(s, after) if s >= 500 => honour(after, backoff, policy),
        Outcome::Status(..) => None,
        Outcome::Timeout | Outcome::Transport => Some(backoff),
    }
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

    fn policy() -> Timeouts {
        Timeouts::default()
    }

    #[test]
    fn at_most_max_attempts() {
        let p = policy();
        assert!(next_delay(Outcome::Timeout, 1, &p).is_some());
        assert!(next_delay(Outcome::Timeout, 2, &p).is_some());
        assert!(next_delay(Outcome::Timeout, 3, &p).is_none());
    }

    #[test]
    fn which_answers_are_retried() {
        let p = policy();
        let one = Some(Duration::from_secs(1));
        assert!(next_delay(Outcome::Status(503, None), 1, &p).is_some());
        assert!(next_delay(Outcome::Status(500, None), 1, &p).is_some());
        assert!(next_delay(Outcome::Status(409, one), 1, &p).is_some());
        assert!(next_delay(Outcome::Status(409, None), 1, &p).is_none());
        assert!(next_delay(Outcome::Status(400, None), 1, &p).is_none());
        assert!(next_delay(Outcome::Status(404, None), 1, &p).is_none());
        assert!(next_delay(Outcome::Status(422, None), 1, &p).is_none());
        assert!(next_delay(Outcome::Transport, 1, &p).is_some());
    }

    #[test]
    fn retry_after_is_a_floor_and_has_a_cap() {
        let p = policy();
        for _ in 0..100 {
            let d = next_delay(Outcome::Status(429, Some(Duration::from_secs(1))), 1, &p).unwrap();
            assert!(
                d >= Duration::from_secs(1) && d <= Duration::from_millis(1100),
                "{d:?}"
            );
        }
        assert!(next_delay(Outcome::Status(429, Some(Duration::from_secs(3600))), 1, &p).is_none());
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
