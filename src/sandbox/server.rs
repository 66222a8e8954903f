//! The listener: HTTP/1.1 connections served by hyper with the timeouts and the
//! connection cap a server facing slow or idle clients needs (`axum::serve` sets none).
//!
//! - Header read: a request's head must arrive in full within
//!   [`ServerLimits::header_read_timeout`] of the first byte or of the connection going
//!   idle, else the connection is closed. hyper restarts this timer when a kept-alive
//!   connection goes idle after an answer, so it is also the idle keep-alive timeout.
//! - Request: a request (its body read and its answer made) taking longer than
//!   [`ServerLimits::request_timeout`] is answered 503 with `Retry-After` (a write may
//!   have been applied: its client retries with its `Idempotency-Key`).
//! - Connections: at most [`ServerLimits::max_connections`] at once; more wait in the
//!   listen backlog until one closes.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};

use super::Shared;
use super::error::{ApiError, Family};

/// The listener's limits (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServerLimits {
    /// Time for a request's head to arrive, from its first byte or from the connection
    /// going idle (so also the idle keep-alive timeout).
    pub header_read_timeout: Duration,
    /// Time for a whole request, body included, to be answered.
    pub request_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 256,
        }
    }
}

/// Time given to open connections to finish their requests on shutdown.
const DRAIN: Duration = Duration::from_secs(5);

/// Serve `app` on `listener` until `stop` fires, then drain.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    mut stop: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    loop {
        let permit = tokio::select! {
            _ = &mut stop => break,
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (tcp, _) = tokio::select! {
            _ = &mut stop => break,
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let conn = builder.serve_connection(TokioIo::new(tcp), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
}

/// Answer 503 to a request not answered within the request timeout.
pub async fn request_timeout(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let family = Family::from_path(req.uri().path());
    let limit = st.config.server.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::new(
            family,
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request was not answered within {} s: retry it (with the same Idempotency-Key for a write)",
                limit.as_secs()
            ),
        )
        .retry_after(1)
        .into_response(),
    }
}
