//! The reference backend: all five seed API families over one SQLite store.
//!
//! `custdesk sandbox` runs it on its own; the console starts it in-process on loopback;
//! the tests start it on an ephemeral port and talk to it over real HTTP.

pub mod auth;
pub mod body;
pub mod contract;
pub mod error;
pub mod faults;
pub mod idempotency;
pub mod logging;
pub mod openapi;
pub mod passcodes;
pub mod routes;
pub mod server;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;

use error::{ApiError, Family};
use faults::{Bucket, Faults, Verdict};
use store::Store;

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub listen: SocketAddr,
    pub db: PathBuf,
    /// Customers to generate when the database is empty.
    pub seed_customers: u64,
    pub faults: Faults,
    /// Lifetime of client-credentials tokens, seconds.
    pub token_ttl: u64,
    /// Lifetime of customer-bound (exchanged) tokens, seconds.
    pub exchange_ttl: u64,
    /// Lifetime of a passcode flow.
    pub otp_ttl: Duration,
    /// Per-customer caps on passcodes sent and passcodes guessed wrong.
    pub passcodes: passcodes::PasscodeLimits,
    /// Timeouts and the connection cap of the listener.
    pub server: server::ServerLimits,
}

impl SandboxConfig {
    pub fn new(db: PathBuf) -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            db,
            seed_customers: 5_000,
            faults: Faults::default(),
            token_ttl: 3600,
            exchange_ttl: 300,
            otp_ttl: Duration::from_secs(600),
            passcodes: passcodes::PasscodeLimits::default(),
            server: server::ServerLimits::default(),
        }
    }
}

pub struct AppState {
    pub store: Store,
    pub tokens: auth::Tokens,
    /// Failed client authentications, per client id.
    pub client_throttle: auth::ClientThrottle,
    pub config: SandboxConfig,
    bucket: Option<Bucket>,
    /// Idempotency keys whose request is being processed.
    inflight: idempotency::InFlight,
}

pub type Shared = Arc<AppState>;

/// A running sandbox; dropping it (or calling [`RunningSandbox::shutdown`]) stops it.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub state: Shared,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningSandbox {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Open the store (seeding it if empty), bind, and serve in the background.
pub async fn start(config: SandboxConfig) -> color_eyre::Result<RunningSandbox> {
    let db = config.db.clone();
    let seed = config.seed_customers;
    let store = tokio::task::spawn_blocking(move || Store::open(&db, seed)).await??;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let bucket = config.faults.rate_limit.map(Bucket::new);
    let state = Arc::new(AppState {
        store,
        tokens: auth::Tokens::default(),
        client_throttle: auth::ClientThrottle::default(),
        config,
        bucket,
        inflight: idempotency::InFlight::default(),
    });
    let app = router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let limits = state.config.server;
    let task = tokio::spawn(server::serve(listener, app, limits, rx));
    Ok(RunningSandbox {
        addr,
        state,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Every route with its middleware: access log and correlation id outermost, then
/// error shaping, then faults, then the document's security and header checks (before
/// anything reads the body), then idempotency, then the handler. A method a path does
/// not serve is answered 405 outside the idempotency layer (the fallback is set after
/// it), so it is never a stored or conflicting reply.
pub fn router(state: Shared) -> Router {
    routes::all()
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            contract::layer,
        ))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), fault_layer))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            server::request_timeout,
        ))
        .layer(middleware::from_fn(family_errors))
        .layer(middleware::from_fn(observe))
        .layer(axum::extract::DefaultBodyLimit::max(body::MAX_BODY))
        .with_state(state)
}

async fn method_not_allowed() -> StatusCode {
    StatusCode::METHOD_NOT_ALLOWED
}

/// The correlation id a caller sent (`x-correlation-id`, Candescent `correlationId`,
/// Citi `uuid`), or a fresh one.
pub fn correlation_id(headers: &axum::http::HeaderMap) -> String {
    ["x-correlation-id", "correlationid", "uuid"]
        .iter()
        .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

pub use logging::loggable_path;

async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let cid = correlation_id(req.headers());
    let method = req.method().clone();
    let path = loggable_path(req.uri().path());
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&cid) {
        resp.headers_mut().insert("x-correlation-id", v);
    }
    tracing::info!(
        target: "custdesk::sandbox::access",
        correlation_id = %cid,
        %method,
        path = %path,
        status = resp.status().as_u16(),
        latency_us = started.elapsed().as_micros() as u64,
    );
    resp
}

/// Every error answer, whoever raised it, in the family's own body shape.
async fn family_errors(req: Request, next: Next) -> Response {
    let family = Family::from_path(req.uri().path());
    let resp = next.run(req).await;
    error::reshape(family, resp).await
}

fn faults_apply(path: &str) -> bool {
    !(path == "/healthz" || path == "/openapi.json" || path.starts_with("/sandbox/"))
}

async fn fault_layer(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let f = &st.config.faults;
    if f.is_off() || !faults_apply(req.uri().path()) {
        return next.run(req).await;
    }
    let family = Family::from_path(req.uri().path());
    let delay = f.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(bucket) = &st.bucket
        && let Err(wait) = bucket.take()
    {
        return ApiError::new(
            family,
            StatusCode::TOO_MANY_REQUESTS,
            "rate limit exceeded, retry later",
        )
        .retry_after(wait)
        .into_response();
    }
    let injected = |status: u16| {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError::new(family, status, "injected fault").into_response()
    };
    match faults::roll(f) {
        Verdict::Pass => next.run(req).await,
        Verdict::FailBefore(s) => injected(s),
        Verdict::FailAfter(s) => {
            let _ = next.run(req).await;
            injected(s)
        }
    }
}
