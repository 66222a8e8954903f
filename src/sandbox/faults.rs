//! Fault injection: `--faults latency=200ms,jitter=100ms,error_rate=0.05,rate_limit=50/s`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    pub latency: Duration,
    pub jitter: Duration,
    /// Chance of a 500/503; half are raised before the request is applied and half after
    /// (the write is applied but its answer is lost), to exercise idempotent retries.
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
    let status = if rng.random_bool(0.5) { 500 } else { 503 };
    if rng.random_bool(0.5) {
        Verdict::FailBefore(status)
    } else {
        Verdict::FailAfter(status)
    }
}

/// A token bucket holding one second's worth of requests.
pub struct Bucket {
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    /// A full bucket: one second's worth, and at least one request (a rate under 1/s
    /// used to refuse the very first request).
    pub fn new(rate: f64) -> Self {
        Bucket {
            state: Mutex::new((rate.max(1.0), Instant::now())),
        }
    }
    /// Take one token, or say how many whole seconds until one is free.
    pub fn take(&self, rate: f64) -> Result<(), u64> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let elapsed = now.duration_since(s.1).as_secs_f64();
        s.0 = (s.0 + elapsed * rate).min(rate.max(1.0));
        s.1 = now;
        if s.0 >= 1.0 {
            s.0 -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - s.0) / rate).ceil().max(1.0) as u64)
        }
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
        assert_eq!(b.take(0.5), Ok(()));
        assert_eq!(b.take(0.5), Err(2));
    }
}
