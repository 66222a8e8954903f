//! Demo clients, scopes, tenants and the in-memory token table.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use rand::RngCore;

use super::error::{ApiError, Family};
use super::store::seed::{DEMO_TENANT, RIVAL_TENANT};

pub const SCOPE_READ: &str = "customers:read";
pub const SCOPE_INSTITUTION_READ: &str = "institution-users:read";
pub const SCOPE_CONTACT_WRITE: &str = "contact:write";
pub const SCOPE_ALERTS_WRITE: &str = "alerts:write";
pub const SCOPE_OFFERS_WRITE: &str = "offers:write";
pub const SCOPE_PROFILE_WRITE: &str = "profile:write";
pub const SCOPE_CUSTOMERS_WRITE: &str = "customers:write";
pub const SCOPE_BULK: &str = "bulk";

const AGENT_SCOPES: &[&str] = &[
    SCOPE_READ,
    SCOPE_INSTITUTION_READ,
    SCOPE_CONTACT_WRITE,
    SCOPE_ALERTS_WRITE,
    SCOPE_OFFERS_WRITE,
    SCOPE_PROFILE_WRITE,
];
const BACKOFFICE_SCOPES: &[&str] = &[
    SCOPE_READ,
    SCOPE_INSTITUTION_READ,
    SCOPE_CONTACT_WRITE,
    SCOPE_ALERTS_WRITE,
    SCOPE_OFFERS_WRITE,
    SCOPE_PROFILE_WRITE,
    SCOPE_CUSTOMERS_WRITE,
    SCOPE_BULK,
];
const AUDITOR_SCOPES: &[&str] = &[SCOPE_READ, SCOPE_INSTITUTION_READ];

pub struct DemoClient {
    pub id: &'static str,
    pub secret: &'static str,
    pub tenant: &'static str,
    pub scopes: &'static [&'static str],
}

/// The demo clients, as documented in the README.
pub const CLIENTS: &[DemoClient] = &[
    DemoClient {
        id: "agent",
        secret: "agent-secret",
        tenant: DEMO_TENANT,
        scopes: AGENT_SCOPES,
    },
    DemoClient {
        id: "backoffice",
        secret: "backoffice-secret",
        tenant: DEMO_TENANT,
        scopes: BACKOFFICE_SCOPES,
    },
    DemoClient {
        id: "auditor",
        secret: "auditor-secret",
        tenant: DEMO_TENANT,
        scopes: AUDITOR_SCOPES,
    },
    DemoClient {
        id: "rival-agent",
        secret: "rival-secret",
        tenant: RIVAL_TENANT,
        scopes: AGENT_SCOPES,
    },
];

/// Relay API keys, one per tenant.
pub const RELAY_KEYS: &[(&str, &str)] = &[
    ("demo-relay-key", DEMO_TENANT),
    ("rival-relay-key", RIVAL_TENANT),
];

pub fn client(id: &str) -> Option<&'static DemoClient> {
    CLIENTS.iter().find(|c| c.id == id)
}

/// Compare secrets in constant time (no early exit on the first differing byte).
pub fn secret_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Failed client authentications allowed per client id before the token endpoint
/// refuses that client for a while: a burst of [`CLIENT_FAILURE_BURST`], then one more
/// every [`CLIENT_FAILURE_PERIOD`].
pub const CLIENT_FAILURE_BURST: u32 = 10;
pub const CLIENT_FAILURE_PERIOD: Duration = Duration::from_secs(6);

/// Throttles guessing a client's secret: failures per client id are counted by a
/// `governor` limiter; when one is over the quota the client id is refused (whatever
/// secret is sent, so a guess cannot tell) until the limiter would take it again.
pub struct ClientThrottle {
    failures: governor::DefaultKeyedRateLimiter<&'static str>,
    blocked: std::sync::Mutex<HashMap<&'static str, Instant>>,
}

impl Default for ClientThrottle {
    fn default() -> Self {
        let burst =
            std::num::NonZeroU32::new(CLIENT_FAILURE_BURST).unwrap_or(std::num::NonZeroU32::MIN);
        let quota = governor::Quota::with_period(CLIENT_FAILURE_PERIOD)
            .unwrap_or_else(|| governor::Quota::per_second(std::num::NonZeroU32::MIN))
            .allow_burst(burst);
        ClientThrottle {
            failures: governor::RateLimiter::keyed(quota),
            blocked: std::sync::Mutex::new(HashMap::new()),
        }
    }
}

impl ClientThrottle {
    /// Seconds to wait when `client` is refused for now.
    pub fn refused(&self, client: &'static str) -> Option<u64> {
        let blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        let until = blocked.get(client)?;
        let wait = until.saturating_duration_since(Instant::now());
        (!wait.is_zero()).then(|| wait.as_secs_f64().ceil().max(1.0) as u64)
    }

    /// Count a failed authentication of `client`; past the quota, refuse it for a while.
    pub fn failed(&self, client: &'static str) {
        use governor::clock::{Clock, DefaultClock};
        if let Err(not_until) = self.failures.check_key(&client) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            self.blocked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(client, Instant::now() + wait);
        }
    }
}

/// Who is calling, from a valid bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub client_id: String,
    pub tenant: String,
    pub scopes: Vec<String>,
    /// Set on customer-bound tokens from a token exchange.
    pub customer: Option<String>,
    pub expires: Instant,
}

impl Caller {
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Default)]
pub struct Tokens {
    map: RwLock<HashMap<String, Caller>>,
}

impl Tokens {
    pub fn issue(&self, caller: Caller) -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token =
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes);
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            let now = Instant::now();
            map.retain(|_, c| c.expires > now);
        }
        map.insert(token.clone(), caller);
        token
    }

    pub fn lookup(&self, token: &str) -> Option<Caller> {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(token)
            .filter(|c| c.expires > Instant::now())
            .cloned()
    }
}

/// The bearer token in `Authorization`, if well-formed.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = v.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// Authenticate a bearer call and check its scope: 401 without a valid token, 403
/// without the scope.
pub fn authorize(
    tokens: &Tokens,
    headers: &HeaderMap,
    family: Family,
    scope: &str,
) -> Result<Caller, ApiError> {
    let Some(token) = bearer(headers) else {
        return Err(ApiError::unauthorized(
            family,
            "Authorization credentials are missing or invalid: send 'Authorization: Bearer <token>'",
        ));
    };
    let Some(caller) = tokens.lookup(token) else {
        return Err(ApiError::unauthorized(
            family,
            "the access token is unknown or has expired",
        ));
    };
    if !caller.has(scope) {
        return Err(ApiError::forbidden(
            family,
            format!("the token lacks the scope {scope}"),
        ));
    }
    Ok(caller)
}

/// The tenant a Relay API key belongs to: 401 when missing or unknown.
pub fn relay_tenant(headers: &HeaderMap) -> Result<&'static str, ApiError> {
    let key = headers
        .get("xx-relay-api-key")
        .and_then(|v| v.to_str().ok());
    match key {
        None => Err(ApiError::unauthorized(
            Family::Relay,
            "Unauthorized: the xx-relay-api-key header is missing",
        )),
        Some(k) => RELAY_KEYS
            .iter()
            .find(|(key, _)| secret_eq(key, k))
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                ApiError::unauthorized(Family::Relay, "Unauthorized: the API key is not valid")
            }),
    }
}

pub fn ttl(secs: u64) -> Instant {
    Instant::now() + Duration::from_secs(secs)
}
