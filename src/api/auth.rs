//! Credentials: the agent's token (client credentials, cached and renewed before it
//! expires, or a static token), customer-bound tokens by RFC 8693 exchange (cached per
//! customer), and the Relay API key.
//!
//! Tokens live in sensitive `HeaderValue`s and [`Secret`]s, so they never show in
//! `Debug` output; nothing here logs a token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use super::client::{ClientBuildError, Inner, Req};
use super::config::{ApiConfig, Credentials, Secret};
use super::error::{ApiError, ErrorKind};
use super::wire::oauth::{
    GRANT_CLIENT_CREDENTIALS, GRANT_TOKEN_EXCHANGE, TOKEN_TYPE_ACCESS, TokenResponse,
};
use super::{Family, Reply};

const RELAY_KEY: HeaderName = HeaderName::from_static("xx-relay-api-key");
/// Renew this long before expiry at most (and 10% of the lifetime at least).
const RENEW_MARGIN: Duration = Duration::from_secs(30);
/// Customer-bound tokens kept before expired ones are swept out.
const BOUND_CACHE_SWEEP: usize = 512;

/// Which credential a call carries.
pub(crate) enum AuthBy<'a> {
    None,
    /// The agent's own token.
    Agent,
    /// A token bound to this customer id.
    Customer(&'a str),
    /// The Relay API key.
    Relay,
}

#[derive(Clone)]
pub(crate) struct Token {
    /// `Bearer <token>`, marked sensitive.
    header: HeaderValue,
    token: Secret,
    scope: String,
    /// When to fetch a new one; `None` for a static token.
    renew_at: Option<Instant>,
}

impl Token {
    fn fresh(&self) -> bool {
        self.renew_at.is_none_or(|t| Instant::now() < t)
    }

    fn bearer(token: &str) -> Option<HeaderValue> {
        let mut h = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
        h.set_sensitive(true);
        Some(h)
    }

    fn fixed(token: &str) -> Result<Token, ClientBuildError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(ClientBuildError::BadHeader("the static token (empty)"));
        }
        Ok(Token {
            header: Self::bearer(token).ok_or(ClientBuildError::BadHeader("the static token"))?,
            token: Secret::new(token),
            scope: String::new(),
            renew_at: None,
        })
    }

    fn issued(r: &TokenResponse) -> Option<Token> {
        let life = Duration::from_secs(r.expires_in);
        let margin = RENEW_MARGIN.min(life / 10);
        Some(Token {
            header: Self::bearer(&r.access_token)?,
            token: Secret::new(r.access_token.clone()),
            scope: r.scope.clone(),
            renew_at: Some(Instant::now() + life - margin),
        })
    }
}

enum Source {
    ClientSecret {
        secret: Secret,
        scope: Option<String>,
    },
    Static(Token),
}

type Slot = Arc<tokio::sync::Mutex<Option<Token>>>;

pub(crate) struct Auth {
    source: Source,
    /// The agent's token. The async lock is held while fetching, so concurrent calls
    /// wait for one token request instead of each making their own.
    agent: tokio::sync::Mutex<Option<Token>>,
    /// Customer id to its bound token, each behind its own lock for the same reason.
    bound: Mutex<HashMap<String, Slot>>,
    relay: Option<HeaderValue>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::ClientSecret { .. } => "client credentials",
            Source::Static(_) => "static token",
        };
        f.debug_struct("Auth")
            .field("source", &source)
            .field("relay_key", &self.relay.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Auth {
    pub(crate) fn new(config: &ApiConfig) -> Result<Auth, ClientBuildError> {
        let source = match &config.credentials {
            Credentials::ClientSecret { secret, scope } => Source::ClientSecret {
                secret: secret.clone(),
                scope: scope.clone(),
            },
            Credentials::StaticTokenEnv { env_var } => {
                let token = std::env::var(env_var)
                    .map_err(|_| ClientBuildError::MissingTokenEnv(env_var.clone()))?;
                Source::Static(Token::fixed(&token)?)
            }
            Credentials::StaticToken { token } => Source::Static(Token::fixed(token.expose())?),
        };
        let relay = match &config.relay_key {
            None => None,
            Some(k) => {
                let mut h = HeaderValue::from_str(k.expose())
                    .map_err(|_| ClientBuildError::BadHeader("relay_key"))?;
                h.set_sensitive(true);
                Some(h)
            }
        };
        Ok(Auth {
            source,
            agent: tokio::sync::Mutex::new(None),
            bound: Mutex::new(HashMap::new()),
            relay,
        })
    }

    fn slot(&self, customer_id: &str) -> Slot {
        let mut map = self.bound.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= BOUND_CACHE_SWEEP && !map.contains_key(customer_id) {
            // Keep slots in use (locked or shared) and tokens still fresh.
            map.retain(|_, slot| {
                Arc::strong_count(slot) > 1
                    || slot
                        .try_lock()
                        .map_or(true, |t| t.as_ref().is_some_and(Token::fresh))
            });
        }
        map.entry(customer_id.to_string()).or_default().clone()
    }
}

impl Inner {
    /// The header a call authenticates with.
    pub(super) async fn credential(
        &self,
        by: &AuthBy<'_>,
        cid: &str,
    ) -> Result<Option<(HeaderName, HeaderValue)>, ApiError> {
        Ok(match by {
            AuthBy::None => None,
            AuthBy::Agent => Some((AUTHORIZATION, self.agent_token(cid).await?.header)),
            AuthBy::Customer(id) => {
                Some((AUTHORIZATION, self.customer_token(id, cid).await?.header))
            }
            AuthBy::Relay => match &self.auth.relay {
                Some(k) => Some((RELAY_KEY, k.clone())),
                None => {
                    return Err(ApiError::local(
                        ErrorKind::Unauthenticated,
                        Family::Relay,
                        cid,
                        "no Relay API key is configured (relay_key)",
                    ));
                }
            },
        })
    }

    /// After a 401: drop the cached token that was refused, if a new one can be had.
    /// Answers whether a retry with a new token makes sense.
    pub(super) async fn forget(&self, by: &AuthBy<'_>, refused: &HeaderValue) -> bool {
        fn clear(slot: &mut Option<Token>, refused: &HeaderValue) {
            if slot.as_ref().is_some_and(|t| t.header == *refused) {
                *slot = None;
            }
        }
        match by {
            AuthBy::Agent if matches!(self.auth.source, Source::ClientSecret { .. }) => {
                clear(&mut *self.auth.agent.lock().await, refused);
                true
            }
            AuthBy::Customer(id) => {
                let slot = self.auth.slot(id);
                clear(&mut *slot.lock().await, refused);
                true
            }
            _ => false,
        }
    }

    pub(super) async fn sign_in(&self, cid: &str) -> Result<Vec<String>, ApiError> {
        let t = self.agent_token(cid).await?;
        Ok(t.scope.split_whitespace().map(str::to_string).collect())
    }

    async fn agent_token(&self, cid: &str) -> Result<Token, ApiError> {
        let (secret, scope) = match &self.auth.source {
            Source::Static(t) => return Ok(t.clone()),
            Source::ClientSecret { secret, scope } => (secret, scope),
        };
        let mut slot = self.auth.agent.lock().await;
        if let Some(t) = slot.as_ref().filter(|t| t.fresh()) {
            return Ok(t.clone());
        }
        let mut form = vec![
            ("grant_type", GRANT_CLIENT_CREDENTIALS.to_string()),
            ("client_id", self.client_id.clone()),
            ("client_secret", secret.expose().to_string()),
        ];
        if let Some(s) = scope {
            form.push(("scope", s.clone()));
        }
        let t = self.fetch_token(form, cid).await?;
        *slot = Some(t.clone());
        Ok(t)
    }

    async fn customer_token(&self, customer_id: &str, cid: &str) -> Result<Token, ApiError> {
        let slot = self.auth.slot(customer_id);
        let mut slot = slot.lock().await;
        if let Some(t) = slot.as_ref().filter(|t| t.fresh()) {
            return Ok(t.clone());
        }
        let mut renewed_agent = false;
        loop {
            let agent = self.agent_token(cid).await?;
            let mut form = vec![
                ("grant_type", GRANT_TOKEN_EXCHANGE.to_string()),
                ("subject_token", agent.token.expose().to_string()),
                ("subject_token_type", TOKEN_TYPE_ACCESS.to_string()),
                ("resource", customer_id.to_string()),
            ];
            if let Source::ClientSecret { secret, .. } = &self.auth.source {
                form.push(("client_id", self.client_id.clone()));
                form.push(("client_secret", secret.expose().to_string()));
            }
            match self.fetch_token(form, cid).await {
                Ok(t) => {
                    *slot = Some(t.clone());
                    return Ok(t);
                }
                // The agent's token was refused as the subject: renew it once.
                Err(e) if e.kind == ErrorKind::Unauthenticated && !renewed_agent => {
                    renewed_agent = true;
                    if !self.forget(&AuthBy::Agent, &agent.header).await {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// POST a token request. Boxed: the token request goes through the same send loop
    /// that asked for the token.
    fn fetch_token<'a>(
        &'a self,
        form: Vec<(&'static str, String)>,
        cid: &'a str,
    ) -> BoxFuture<'a, Result<Token, ApiError>> {
        Box::pin(async move {
            let reply: Reply<TokenResponse> = self.send(&Req::token(form), cid).await?;
            Token::issued(&reply.value).ok_or_else(|| {
                ApiError::decode(
                    Family::OAuth,
                    reply.status,
                    "the token endpoint issued a token that cannot go in a header".into(),
                    cid,
                    reply.attempts,
                )
            })
        })
    }
}
