//! One async client for the five API families: a typed method per endpoint, the
//! headers each family requires, a correlation id per call, retries and typed errors.
//!
//! Every call is reached through a family: `client.citi().emails(customer_id)`,
//! `client.newday().search(&request)`, `client.relay().add_phone(..)`. The client is
//! cheap to clone (one `Arc`), `Send + Sync`, and a call's future may be dropped at any
//! point: the request is abandoned and the client stays usable.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::auth::{Auth, AuthBy};
use super::config::{ApiConfig, Timeouts};
use super::error::{ApiError, ErrorKind, kind_for, parse_error_body, parse_retry_after};
use super::families::{Banking, Candescent, Citi, NewDay, Relay};
use super::retry::next_delay;
use super::{Family, IdempotencyKey, Reply};

const JSON: HeaderValue = HeaderValue::from_static("application/json");
const X_CORRELATION_ID: HeaderName = HeaderName::from_static("x-correlation-id");
const CITI_UUID: HeaderName = HeaderName::from_static("uuid");
const CITI_CLIENT_ID: HeaderName = HeaderName::from_static("client_id");
const CANDESCENT_CORRELATION_ID: HeaderName = HeaderName::from_static("correlationid");
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Why a client could not be built from its configuration.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ClientBuildError {
    #[error("the {family} base URL '{url}' is not an http(s) URL: {reason}")]
    BadUrl {
        family: &'static str,
        url: String,
        reason: String,
    },
    #[error("the environment variable {0} that should hold the bearer token is not set")]
    MissingTokenEnv(String),
    #[error("{0} holds characters that cannot go in an HTTP header")]
    BadHeader(&'static str),
    #[error("the HTTP client could not be built: {0}")]
    Http(String),
}

/// The backend client. Clone it freely: clones share connections and token caches.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Bases {
    citi: Url,
    newday: Url,
    candescent: Url,
    relay: Url,
    banking: Url,
    token: Url,
    /// The sandbox's own endpoints, at the root of the token endpoint's host.
    sandbox: Url,
}

pub(crate) struct Inner {
    http: reqwest::Client,
    bases: Bases,
    pub(super) client_id: String,
    client_id_header: HeaderValue,
    pub(super) tenant: String,
    timeouts: Timeouts,
    /// Shared by every client made with [`Client::with_attempts`] from this one.
    pub(super) auth: Arc<Auth>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("client_id", &i.client_id)
            .field("tenant", &i.tenant)
            .field("citi", &i.bases.citi.as_str())
            .field("newday", &i.bases.newday.as_str())
            .field("candescent", &i.bases.candescent.as_str())
            .field("relay", &i.bases.relay.as_str())
            .field("banking", &i.bases.banking.as_str())
            .field("token_url", &i.bases.token.as_str())
            .field("auth", &i.auth)
            .field("timeouts", &i.timeouts)
            .finish()
    }
}

fn base(family: &'static str, url: &str) -> Result<Url, ClientBuildError> {
    let bad = |reason: String| ClientBuildError::BadUrl {
        family,
        url: url.to_string(),
        reason,
    };
    let u = Url::parse(url).map_err(|e| bad(e.to_string()))?;
    if !matches!(u.scheme(), "http" | "https") || u.cannot_be_a_base() {
        return Err(bad("use http:// or https://".into()));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(bad("a base URL has no query or fragment".into()));
    }
    Ok(u)
}

impl Client {
    /// Build a client. Nothing is sent until the first call.
    pub fn new(config: ApiConfig) -> Result<Client, ClientBuildError> {
        let b = &config.bases;
        let token = base("token", &b.token_url)?;
        let sandbox = token.join("/sandbox").unwrap_or_else(|_| token.clone());
        let bases = Bases {
            citi: base("Citi", &b.citi)?,
            newday: base("NewDay", &b.newday)?,
            candescent: base("Candescent", &b.candescent)?,
            relay: base("Relay", &b.relay)?,
            banking: base("bankingservice", &b.banking)?,
            token,
            sandbox,
        };
        let t = &config.timeouts;
        let http = reqwest::Client::builder()
            .connect_timeout(t.connect)
            .timeout(t.request)
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64)
            .user_agent(concat!("custdesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientBuildError::Http(e.to_string()))?;
        let client_id_header = HeaderValue::from_str(&config.client_id)
            .map_err(|_| ClientBuildError::BadHeader("client_id"))?;
        let auth = Auth::new(&config)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                bases,
                client_id: config.client_id,
                client_id_header,
                tenant: config.tenant,
                timeouts: config.timeouts,
                auth: Arc::new(auth),
            }),
        })
    }

    /// The same client (connections and token caches shared) making up to `attempts`
    /// attempts per call: a bulk job sends its items with the attempts it was given,
    /// and reads, which cost nothing to repeat, with more.
    pub fn with_attempts(&self, attempts: u32) -> Client {
        let i = &self.inner;
        Client {
            inner: Arc::new(Inner {
                http: i.http.clone(),
                bases: i.bases.clone(),
                client_id: i.client_id.clone(),
                client_id_header: i.client_id_header.clone(),
                tenant: i.tenant.clone(),
                timeouts: Timeouts {
                    max_attempts: attempts.max(1),
                    ..i.timeouts.clone()
                },
                auth: i.auth.clone(),
            }),
        }
    }

    /// The institution this client works in (bankingservice profile, Relay client).
    pub fn tenant(&self) -> &str {
        &self.inner.tenant
    }

    /// The OAuth client id the client signs in as.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// Get (or reuse) the agent's token now, so sign-in problems show at start-up rather
    /// than on the first screen. Answers the granted scopes (empty for a static token,
    /// whose scopes are unknown).
    pub async fn sign_in(&self) -> Result<Vec<String>, ApiError> {
        let cid = new_correlation_id();
        self.inner.sign_in(&cid).await
    }

    /// Citi customers: profile, contact details with passcode confirmation, alerts,
    /// offers, profile image, card addresses. Every call is made with a token bound to
    /// the customer (RFC 8693 exchange, cached per customer).
    pub fn citi(&self) -> Citi<'_> {
        Citi(&self.inner)
    }
    /// NewDay customer-service: get, search, verify.
    pub fn newday(&self) -> NewDay<'_> {
        NewDay(&self.inner)
    }
    /// Candescent ux-users: contact methods.
    pub fn candescent(&self) -> Candescent<'_> {
        Candescent(&self.inner)
    }
    /// Relay CDM: add a phone with its consent.
    pub fn relay(&self) -> Relay<'_> {
        Relay(&self.inner)
    }
    /// bankingservice.ai: create, read, update, delete, list customers.
    pub fn banking(&self) -> Banking<'_> {
        Banking(&self.inner)
    }
    /// The training sandbox's outbox (sandbox only).
    pub fn sandbox(&self) -> super::Sandbox<'_> {
        super::Sandbox(&self.inner)
    }
}

pub(crate) fn new_correlation_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// One piece of a path below a family's base.
enum Seg<'a> {
    Lit(&'static str),
    /// A caller-supplied value (percent-encoded on the way out) and its parameter name.
    Param(&'static str, &'a str),
}

pub(crate) enum Body {
    None,
    Json(Vec<u8>),
    Form(Vec<(&'static str, String)>),
}

/// One logical call, before it is sent (possibly several times).
pub(crate) struct Req<'a> {
    op: &'static str,
    family: Family,
    method: Method,
    segs: Vec<Seg<'a>>,
    query: Vec<(&'static str, String)>,
    auth: AuthBy<'a>,
    body: Body,
    key: Option<&'a IdempotencyKey>,
    /// Set when the body could not be serialised; reported before sending.
    body_error: Option<String>,
}

impl<'a> Req<'a> {
    pub(super) fn new(family: Family, method: Method, op: &'static str) -> Self {
        Req {
            op,
            family,
            method,
            segs: Vec::new(),
            query: Vec::new(),
            auth: match family {
                Family::Relay => AuthBy::Relay,
                Family::OAuth => AuthBy::None,
                _ => AuthBy::Agent,
            },
            body: Body::None,
            key: None,
            body_error: None,
        }
    }
    pub(super) fn get(family: Family, op: &'static str) -> Self {
        Self::new(family, Method::GET, op)
    }
    pub(super) fn path(mut self, p: &'static str) -> Self {
        self.segs.extend(p.split('/').map(Seg::Lit));
        self
    }
    pub(super) fn param(mut self, name: &'static str, value: &'a str) -> Self {
        self.segs.push(Seg::Param(name, value));
        self
    }
    pub(super) fn query(mut self, name: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(v) = value {
            self.query.push((name, v.to_string()));
        }
        self
    }
    pub(super) fn json(mut self, body: &impl Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(v) => self.body = Body::Json(v),
            Err(e) => self.body_error = Some(e.to_string()),
        }
        self
    }
    pub(super) fn keyed(mut self, key: &'a IdempotencyKey) -> Self {
        self.key = Some(key);
        self
    }
    pub(super) fn for_customer(mut self, customer_id: &'a str) -> Self {
        self.auth = AuthBy::Customer(customer_id);
        self
    }
    /// A token request to the token endpoint.
    pub(super) fn token(form: Vec<(&'static str, String)>) -> Self {
        let mut r = Self::new(Family::OAuth, Method::POST, "oauth.token");
        r.body = Body::Form(form);
        r
    }
}

/// The answer to one attempt.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    replayed: bool,
    no_customer_details: bool,
    body: Vec<u8>,
}

/// A short description of a transport failure without the URL (which may hold a
/// phone number): the innermost cause, e.g. "Connection refused (os error 111)".
fn transport_message(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let root = cause.to_string();
    if e.is_connect() {
        format!("could not connect: {root}")
    } else if e.is_timeout() {
        "no answer in time".to_string()
    } else {
        format!("the connection failed: {root}")
    }
}

impl Inner {
    fn base_for(&self, family: Family) -> &Url {
        match family {
            Family::Citi => &self.bases.citi,
            Family::NewDay => &self.bases.newday,
            Family::Candescent => &self.bases.candescent,
            Family::Relay => &self.bases.relay,
            Family::Banking => &self.bases.banking,
            Family::OAuth => &self.bases.token,
            Family::Sandbox => &self.bases.sandbox,
        }
    }

    /// The full URL, or the name of the parameter that cannot be a path segment.
    fn url(&self, req: &Req<'_>) -> Result<Url, &'static str> {
        let mut url = self.base_for(req.family).clone();
        {
            let mut segs = url
                .path_segments_mut()
                .expect("checked when the client was built: bases are http(s) URLs");
            segs.pop_if_empty();
            for s in &req.segs {
                match s {
                    Seg::Lit(l) => segs.push(l),
                    // "." and ".." would be swallowed by URL normalisation and name
                    // another resource; an empty segment changes the route.
                    Seg::Param(name, v) if v.is_empty() || *v == "." || *v == ".." => {
                        return Err(name);
                    }
                    Seg::Param(_, v) => segs.push(v),
                };
            }
        }
        if !req.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&req.query);
        }
        Ok(url)
    }

    /// Make a call with a fresh correlation id.
    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        req: Req<'_>,
    ) -> Result<Reply<T>, ApiError> {
        let cid = new_correlation_id();
        self.send(&req, &cid).await
    }

    /// Make a call, retrying as [`super::retry`] decides, every attempt carrying `cid`.
    pub(super) async fn send<T: DeserializeOwned>(
        &self,
        req: &Req<'_>,
        cid: &str,
    ) -> Result<Reply<T>, ApiError> {
        let started = Instant::now();
        let local = |kind, msg: String| ApiError::local(kind, req.family, cid, msg);
        if let Some(e) = &req.body_error {
            return Err(local(
                ErrorKind::Invalid {
                    field: Some("body".into()),
                },
                format!("the request body could not be written: {e}"),
            ));
        }
        let url = self.url(req).map_err(|name| {
            local(
                ErrorKind::Invalid {
                    field: Some(name.into()),
                },
                format!("{name}: must not be empty, '.' or '..'"),
            )
        })?;
        let cid_header = HeaderValue::from_str(cid).expect("a UUID is a valid header value");
        let mut attempt = 0;
        let mut reauthenticated = false;
        loop {
            attempt += 1;
            let credential = self.credential(&req.auth, cid).await?;
            let sent = Instant::now();
            let result = self
                .attempt(req, url.clone(), &cid_header, credential.as_ref())
                .await;
            let (retry_after, err) = match result {
                Ok(a) => {
                    tracing::debug!(target: "custdesk::api", op = req.op, correlation_id = cid,
                        attempt, status = a.status, latency_us = sent.elapsed().as_micros() as u64);
                    if (200..300).contains(&a.status) {
                        let body: &[u8] = if a.body.is_empty() { b"null" } else { &a.body };
                        return match serde_json::from_slice::<T>(body) {
                            Ok(value) => Ok(Reply {
                                value,
                                correlation_id: cid.to_string(),
                                status: a.status,
                                attempts: attempt,
                                elapsed: started.elapsed(),
                                replayed: a.replayed,
                            }),
                            Err(e) => Err(ApiError::decode(
                                req.family,
                                a.status,
                                format!(
                                    "the {} answer to {} is not in the documented shape: {e}",
                                    req.family.name(),
                                    req.op
                                ),
                                cid,
                                attempt,
                            )),
                        };
                    }
                    if a.status == 401
                        && !reauthenticated
                        && attempt < self.timeouts.max_attempts
                        && let Some(c) = &credential
                        && self.forget(&req.auth, &c.1).await
                    {
                        reauthenticated = true;
                        continue;
                    }
                    let parsed = parse_error_body(req.family, &a.body);
                    let kind = kind_for(req.family, a.status, &parsed, a.retry_after);
                    let code = if a.no_customer_details {
                        Some("NoCustomerDetails".to_string())
                    } else {
                        parsed.code
                    };
                    let message = parsed.message.unwrap_or_else(|| {
                        reqwest::StatusCode::from_u16(a.status)
                            .ok()
                            .and_then(|s| s.canonical_reason())
                            .unwrap_or("error")
                            .to_string()
                    });
                    (
                        a.retry_after,
                        ApiError {
                            kind,
                            family: req.family,
                            status: Some(a.status),
                            code,
                            message,
                            correlation_id: cid.to_string(),
                            attempts: attempt,
                        },
                    )
                }
                Err(e) => {
                    // A connect timeout means the host never answered: unreachable.
                    let kind = if e.is_timeout() && !e.is_connect() {
                        ErrorKind::Timeout
                    } else {
                        ErrorKind::Unreachable
                    };
                    let message = transport_message(&e);
                    tracing::debug!(target: "custdesk::api", op = req.op, correlation_id = cid,
                        attempt, error = %message);
                    let mut err = local(kind, message);
                    err.attempts = attempt;
                    (None, err)
                }
            };
            match next_delay(err.class(), retry_after, attempt, &self.timeouts) {
                Some(wait) => {
                    tracing::info!(target: "custdesk::api", op = req.op, correlation_id = cid,
                        attempt, error = %err, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                }
                None => {
                    tracing::warn!(target: "custdesk::api", op = req.op, correlation_id = cid,
                        attempt, error = %err, "failed");
                    return Err(err);
                }
            }
        }
    }

    /// Send one attempt and read its whole answer.
    async fn attempt(
        &self,
        req: &Req<'_>,
        url: Url,
        cid: &HeaderValue,
        credential: Option<&(HeaderName, HeaderValue)>,
    ) -> Result<Answer, reqwest::Error> {
        let mut rb = self
            .http
            .request(req.method.clone(), url)
            .header(ACCEPT, JSON)
            .header(X_CORRELATION_ID, cid.clone());
        match req.family {
            Family::Citi => {
                rb = rb
                    .header(CITI_UUID, cid.clone())
                    .header(CITI_CLIENT_ID, self.client_id_header.clone());
            }
            Family::Candescent => rb = rb.header(CANDESCENT_CORRELATION_ID, cid.clone()),
            _ => {}
        }
        if let Some((name, value)) = credential {
            rb = rb.header(name, value.clone());
        }
        if let Some(k) = req.key {
            rb = rb.header(IDEMPOTENCY_KEY, k.as_str());
        }
        rb = match &req.body {
            Body::None => rb,
            Body::Json(b) => rb.header(CONTENT_TYPE, JSON).body(b.clone()),
            Body::Form(f) => rb.form(f),
        };
        let resp = rb.send().await?;
        let h = resp.headers();
        let flag = |name: &str| {
            h.get(name)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"))
        };
        let status = resp.status().as_u16();
        let retry_after = h
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let replayed = flag("idempotent-replayed");
        let no_customer_details = flag("nocustomerdetails");
        let body = resp.bytes().await?.to_vec();
        Ok(Answer {
            status,
            retry_after,
            replayed,
            no_customer_details,
            body,
        })
    }
}
