//! Where the five API families live and how to sign in to them.
//!
//! A deployment can put each family on its own host: only the base URLs change. The
//! sandbox serves them all under one listener with the prefixes of
//! [`ApiConfig::sandbox`].

use std::time::Duration;

use serde::Deserialize;

/// A credential. It never appears in `Debug` output or logs; use [`Secret::expose`]
/// at the one place it goes on the wire.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

/// One base URL per family, each including its path prefix (no trailing slash needed).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct FamilyBases {
    /// Citi customers, e.g. `https://sandbox.apihub.citi.com/gcb/api` (sandbox: `{base}/citi`).
    pub citi: String,
    /// NewDay customer-service (sandbox: `{base}/customer-service`).
    pub newday: String,
    /// Candescent ux-users (sandbox: `{base}/digitalbanking/ux-users`).
    pub candescent: String,
    /// Relay CDM platform v3 (sandbox: `{base}/platform/v3/api`).
    pub relay: String,
    /// bankingservice.ai (sandbox: `{base}/bankingservice`).
    pub banking: String,
    /// The OAuth2 token endpoint itself (sandbox: `{base}/oauth2/token`).
    pub token_url: String,
}

impl FamilyBases {
    /// The sandbox's prefixes under one base URL such as `http://127.0.0.1:8080`.
    pub fn sandbox(base_url: &str) -> Self {
        let b = base_url.trim_end_matches('/');
        FamilyBases {
            citi: format!("{b}/citi"),
            newday: format!("{b}/customer-service"),
            candescent: format!("{b}/digitalbanking/ux-users"),
            relay: format!("{b}/platform/v3/api"),
            banking: format!("{b}/bankingservice"),
            token_url: format!("{b}/oauth2/token"),
        }
    }
}

/// How the client gets its bearer token.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credentials {
    /// RFC 6749 client credentials at [`FamilyBases::token_url`]; the token is cached
    /// and renewed before it expires.
    ClientSecret {
        secret: Secret,
        /// Space-separated scopes to ask for; all the client's scopes when absent.
        #[serde(default)]
        scope: Option<String>,
    },
    /// A bearer token issued elsewhere, read once from this environment variable
    /// when the client is built. It is never renewed.
    StaticTokenEnv { env_var: String },
    /// A bearer token issued elsewhere, given directly (a sign-in prompt, a test).
    /// It is never renewed.
    StaticToken { token: Secret },
}

/// Connect and total timeouts, and the retry policy.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default)]
pub struct Timeouts {
    /// Time allowed to open a TCP (and TLS) connection.
    #[serde(with = "human")]
    pub connect: Duration,
    /// Time allowed for one attempt, from sending to the end of the response body.
    #[serde(with = "human")]
    pub request: Duration,
    /// Attempts per call, first one included (at least 1).
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles for each later one.
    #[serde(with = "human")]
    pub backoff_base: Duration,
    /// Largest backoff between two attempts.
    #[serde(with = "human")]
    pub backoff_max: Duration,
    /// A `Retry-After` longer than this is not waited for: the call fails as rate
    /// limited and the caller decides.
    #[serde(with = "human")]
    pub max_retry_after: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(3),
            request: Duration::from_secs(10),
            max_attempts: 3,
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

/// Everything the client needs to reach one bank's deployment.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ApiConfig {
    pub bases: FamilyBases,
    /// The OAuth client id; also sent as Citi's `client_id` header.
    pub client_id: String,
    pub credentials: Credentials,
    /// The Relay `xx-relay-api-key`; Relay calls fail as not signed in without it.
    #[serde(default)]
    pub relay_key: Option<Secret>,
    /// The institution: bankingservice `profileId` and Relay `client_id`.
    pub tenant: String,
    #[serde(default)]
    pub timeouts: Timeouts,
}

impl ApiConfig {
    /// The sandbox at `base_url` (e.g. `http://127.0.0.1:8080`), signed in as the demo
    /// `agent` client with the demo Relay key, in tenant `demo-bank`.
    pub fn sandbox(base_url: &str) -> Self {
        ApiConfig {
            bases: FamilyBases::sandbox(base_url),
            client_id: "agent".into(),
            credentials: Credentials::ClientSecret {
                secret: Secret::from("agent-secret"),
                scope: None,
            },
            relay_key: Some(Secret::from("demo-relay-key")),
            tenant: "demo-bank".into(),
            timeouts: Timeouts::default(),
        }
    }

    /// The same deployment, signed in as another client.
    pub fn with_client(mut self, client_id: &str, secret: &str) -> Self {
        self.client_id = client_id.to_string();
        self.credentials = Credentials::ClientSecret {
            secret: Secret::from(secret),
            scope: None,
        };
        self
    }
}

/// Durations written as `250ms`, `3s`, `1m` in config files.
mod human {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_of_debug() {
        let cfg = ApiConfig::sandbox("http://127.0.0.1:1/");
        let dbg = format!("{cfg:?}");
        assert!(!dbg.contains("agent-secret"), "{dbg}");
        assert!(!dbg.contains("demo-relay-key"), "{dbg}");
        assert!(dbg.contains("<redacted>"));
        assert_eq!(cfg.bases.citi, "http://127.0.0.1:1/citi");
        assert_eq!(cfg.bases.token_url, "http://127.0.0.1:1/oauth2/token");
    }

    #[test]
    fn reads_a_config_file() {
        let cfg: ApiConfig = toml::from_str(
            r#"
            client_id = "agent"
            tenant = "demo-bank"
            relay_key = "k"
            [bases]
            citi = "https://citi.example/api"
            newday = "https://nd.example/customer-service"
            candescent = "https://api.candescent.example/digitalbanking/ux-users"
            relay = "https://relay.example/platform/v3/api"
            banking = "https://api.bankingservice.example"
            token_url = "https://auth.example/oauth2/token"
            [credentials]
            kind = "static_token_env"
            env_var = "CUSTDESK_TOKEN"
            [timeouts]
            request = "750ms"
            "#,
        )
        .unwrap();
        assert_eq!(
            cfg.credentials,
            Credentials::StaticTokenEnv {
                env_var: "CUSTDESK_TOKEN".into()
            }
        );
        assert_eq!(cfg.timeouts.request, Duration::from_millis(750));
        assert_eq!(cfg.timeouts.max_attempts, 3);
    }
}
