//! Fault injection: `--faults latency=200ms,jitter=100ms,error_rate=0.05,rate_limit=50/s`.

use std::num::NonZeroU32;
use std::time::Duration;

use rand::Rng;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    pub latency: Duration,
    pub jitter: Duration,
    /// Chance of a failed answer; half are raised before the request is applied (503,
    /// or 500) and half after it (500: the write is applied but its answer is lost, so
    /// the client holds it in doubt and settles it by replay with its key). A 503 always
    /// means "not handled", as clients read it.
    pub error_rate: f64,
    /// Requests per second over all clients; beyond it a 429 with `Retry-After`.
    pub rate_limit: Option<f64>,
}

impl Faults {
    pub fn parse(spec: &str) -> Result<Faults, String> {
        let mut f = Faults::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("fault '{part}' needs the form name=value"))?;
            let dur = |v: &str| {
                humantime::parse_duration(v)
                    .map_err(|e| format!("{k}: '{v}' is not a duration like 200ms ({e})"))
            };
            match k {
                "latency" => f.latency = dur(v)?,
                "jitter" => f.jitter = dur(v)?,
                "error_rate" => {
                    let r: f64 = v
                        .parse()
                        .map_err(|_| format!("error_rate: '{v}' is not a number"))?;
                    if !(0.0..=1.0).contains(&r) {
                        return Err(format!("error_rate: {r} must be between 0 and 1"));
                    }
                    f.error_rate = r;
                }
                "rate_limit" => {
                    let n = v.strip_suffix("/s").unwrap_or(v);
                    let r: f64 = n
                        .parse()
                        .map_err(|_| format!("rate_limit: '{v}' is not a rate like 50/s"))?;
                    if r <= 0.0 {
                        return Err("rate_limit must be above 0".into());
                    }
                    f.rate_limit = Some(r);
                }
                other => {
                    return Err(format!(
                        "unknown fault '{other}': use latency, jitter, error_rate or rate_limit"
                    ));
                }
            }
        }
        Ok(f)
    }

    pub fn is_off(&self) -> bool {
        *self == Faults::default()
    }

    pub fn delay(&self) -> Duration {
        if self.jitter.is_zero() {
            self.latency
        } else {
            self.latency + self.jitter.mul_f64(rand::rng().random::<f64>())
        }
    }
}

/// What to do with one request.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Pass,
    FailBefore(u16),
    FailAfter(u16),
}

pub fn roll(f: &Faults) -> Verdict {
    if f.error_rate <= 0.0 {
        return Verdict::Pass;
    }
    let mut rng = rand::rng();
    if rng.random::<f64>() >= f.error_rate {
        return Verdict::Pass;
    }
    if rng.random_bool(0.5) {
        Verdict::FailBefore(if rng.random_bool(0.5) { 500 } else { 503 })
    } else {
        Verdict::FailAfter(500)
    }
}

/// The `rate_limit` fault: a `governor` limiter holding one second's worth of
/// requests, and at least one (a rate under 1/s still lets the first request through).
pub struct Bucket {
    limiter: governor::DefaultDirectRateLimiter,
}

impl Bucket {
    pub fn new(rate: f64) -> Self {
        let period = Duration::from_secs_f64(1.0 / rate.max(1e-6));
        let burst = NonZeroU32::new(rate.max(1.0) as u32).unwrap_or(NonZeroU32::MIN);
        let quota = governor::Quota::with_period(period)
            .unwrap_or_else(|| governor::Quota::per_second(NonZeroU32::MAX))
            .allow_burst(burst);
        Bucket {
            limiter: governor::RateLimiter::direct(quota),
        }
    }
    /// Take one request's place, or say how many whole seconds until one is free.
    pub fn take(&self) -> Result<(), u64> {
        use governor::clock::{Clock, DefaultClock};
        self.limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs_f64().ceil().max(1.0) as u64
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_the_documented_spec() {
        let f =
            Faults::parse("latency=200ms,jitter=100ms,error_rate=0.05,rate_limit=50/s").unwrap();
        assert_eq!(f.latency, Duration::from_millis(200));
        assert_eq!(f.jitter, Duration::from_millis(100));
        assert_eq!(f.error_rate, 0.05);
        assert_eq!(f.rate_limit, Some(50.0));
        assert!(Faults::parse("error_rate=2").is_err());
        assert!(
            Faults::parse("speed=9")
                .unwrap_err()
                .contains("unknown fault")
        );
        assert!(Faults::parse("latency=fast").is_err());
    }

    #[test]
    fn a_slow_bucket_lets_the_first_request_through() {
        let b = Bucket::new(0.5);
        assert_eq!(b.take(), Ok(()));
        assert_eq!(b.take(), Err(2));
    }
}
