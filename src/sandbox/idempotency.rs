//! `Idempotency-Key` on every non-GET (IETF httpapi draft): the same key and payload
//! replays the stored answer; another payload is 422; a key still running is 409.
//!
//! A keyed write costs one write transaction. [`layer`] claims the key in memory (the
//! sandbox is one process, so a set of keys in flight is enough to answer 409 to a
//! concurrent duplicate), looks for a stored answer, and hands the key to the handler
//! as a request extension. A handler that writes renders its answer inside its own
//! write transaction and stores it there ([`Idem::json`]), so the edit, its
//! `write_log` row and its stored answer commit together or not at all: a crash can
//! never leave an applied edit whose retry would apply it again. An answer the handler
//! did not store (a refusal raised before anything was written, an endpoint that only
//! reads) is stored by [`layer`] once the handler has answered.

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::Mutex;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Shared;
use super::body::MAX_BODY;
use super::error::{ApiError, Family};
use super::store::now_unix;

/// A `running` row older than this is taken to be abandoned. Keys are no longer claimed
/// in the database, but a row left `running` (by an older sandbox on this database) is
/// still honoured.
const STALE_SECS: i64 = 60;

/// An `idempotency` row: fingerprint, state, status, content type, body, created.
type StoredKey = (
    String,
    String,
    Option<u16>,
    Option<String>,
    Option<Vec<u8>>,
    i64,
);

enum Found {
    Nothing,
    Replay(u16, Option<String>, Vec<u8>),
    Mismatch,
    InFlight,
}

/// The (client, key) pairs whose request is being processed now.
#[derive(Default)]
pub struct InFlight(Mutex<HashSet<(String, String)>>);

/// A claim on a key: released when dropped, however the request ends (answered,
/// failed, or abandoned by a client that hung up).
struct Claimed<'a> {
    set: &'a InFlight,
    id: Option<(String, String)>,
}

impl InFlight {
    fn claim(&self, client: &str, key: &str) -> Option<Claimed<'_>> {
        let id = (client.to_string(), key.to_string());
        let mut set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(id.clone()).then_some(Claimed {
            set: self,
            id: Some(id),
        })
    }
}

impl Drop for Claimed<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.set
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&id);
        }
    }
}

/// The key a request runs under, put in its extensions by [`layer`].
#[derive(Debug, Clone)]
pub struct Keyed {
    client: String,
    key: String,
    fingerprint: String,
}

/// A handler's view of its request's key: `Idem(None)` without one.
#[derive(Debug, Clone, Default)]
pub struct Idem(pub Option<Keyed>);

impl<S: Send + Sync> FromRequestParts<S> for Idem {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Idem(parts.extensions.get::<Keyed>().cloned()))
    }
}

/// Marks a response whose answer the handler already stored with its write.
#[derive(Debug, Clone, Copy)]
struct StoredWithWrite;

/// An answer rendered inside a write transaction, and stored in it when keyed.
#[derive(Debug)]
pub struct Answer {
    status: StatusCode,
    json: bool,
    body: Vec<u8>,
    stored: bool,
}

impl Idem {
    /// Render `value` as the JSON answer (what `axum::Json` would send) with `status`
    /// and, when the request carries a key, store it in `tx`, the transaction of the
    /// write it answers.
    pub fn json<T: Serialize>(
        &self,
        tx: &Connection,
        status: StatusCode,
        value: &T,
    ) -> rusqlite::Result<Answer> {
        let body = serde_json::to_vec(value)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        self.store(tx, status, true, body)
    }

    /// An answer with no body (a 204), stored in `tx` when keyed.
    pub fn empty(&self, tx: &Connection, status: StatusCode) -> rusqlite::Result<Answer> {
        self.store(tx, status, false, Vec::new())
    }

    /// A refusal decided after something was written (a wrong passcode counted), as
    /// the error's family renders it, stored in `tx` when keyed.
    pub fn error(&self, tx: &Connection, e: &ApiError) -> rusqlite::Result<Answer> {
        self.store(tx, e.status, true, e.body())
    }

    fn store(
        &self,
        tx: &Connection,
        status: StatusCode,
        json: bool,
        body: Vec<u8>,
    ) -> rusqlite::Result<Answer> {
        let stored = match &self.0 {
            Some(k) if !status.is_server_error() => {
                let ct = json.then_some("application/json");
                save(tx, k, status.as_u16(), ct, &body)?;
                true
            }
            _ => false,
        };
        Ok(Answer {
            status,
            json,
            body,
            stored,
        })
    }
}

/// Store (or replace an abandoned claim with) the answer to `k`.
fn save(
    c: &Connection,
    k: &Keyed,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT OR REPLACE INTO idempotency
         (client, key, fingerprint, state, status, content_type, body, created_unix)
         VALUES (?1, ?2, ?3, 'done', ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        k.client,
        k.key,
        k.fingerprint,
        status,
        content_type,
        body,
        now_unix()
    ])?;
    Ok(())
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut resp = (self.status, self.body).into_response();
        if self.json {
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        if self.stored {
            resp.extensions_mut().insert(StoredWithWrite);
        }
        resp
    }
}

/// The client a key is scoped to: the Relay key's tenant on Relay paths, the token's
/// client elsewhere, as each family authenticates. None when the call will be refused
/// as unauthenticated, so the 401 is answered rather than a stored or conflicting reply.
fn client_of(st: &Shared, family: Family, headers: &axum::http::HeaderMap) -> Option<String> {
    if family == Family::Relay {
        return super::auth::relay_tenant(headers)
            .ok()
            .map(|t| format!("relay:{t}"));
    }
    let t = super::auth::bearer(headers)?;
    st.tokens.lookup(t).map(|c| c.client_id)
}

/// What the store holds for a key, read on the writer connection (see
/// [`super::store::Store::read_on_writer`]).
fn lookup(st: &Shared, client: &str, key: &str, fp: &str) -> rusqlite::Result<Found> {
    let row: Option<StoredKey> = st.store.read_on_writer(|c| {
        c.prepare_cached(
            "SELECT fingerprint, state, status, content_type, body, created_unix FROM idempotency
             WHERE client = ?1 AND key = ?2",
        )?
        .query_row(params![client, key], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()
    })?;
    Ok(match row {
        None => Found::Nothing,
        Some((f, _, _, _, _, _)) if f != fp => Found::Mismatch,
        Some((_, state, Some(status), ct, body, _)) if state == "done" => {
            Found::Replay(status, ct, body.unwrap_or_default())
        }
        Some((_, _, _, _, _, created)) if now_unix() - created < STALE_SECS => Found::InFlight,
        Some(_) => Found::Nothing,
    })
}

fn in_flight(family: Family) -> Response {
    ApiError::conflict(
        family,
        "a request with this Idempotency-Key is still being processed",
    )
    .field("Idempotency-Key")
    .retry_after(1)
    .into_response()
}

pub async fn layer(State(st): State<Shared>, req: Request, next: Next) -> Response {
    // Only writes take a key; other methods (TRACE...) go on to the router's 405. Token
    // requests are not replayed: a stored answer would keep a live access token in the
    // database, and RFC 6749 forbids caching token answers.
    if !matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) || req.uri().path().starts_with("/oauth2/")
    {
        return next.run(req).await;
    }
    let family = Family::from_path(req.uri().path());
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ApiError::new(
            family,
            StatusCode::PAYLOAD_TOO_LARGE,
            "the body is over 1 MiB",
        )
        .field("body")
        .into_response();
    };
    let Some(client) = client_of(&st, family, &parts.headers) else {
        // Unauthenticated: the handler answers 401 whatever the key says.
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    let key = match parts.headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(k))
            if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Some(k.to_string())
        }
        Some(_) => {
            return ApiError::bad_request(
                family,
                "Idempotency-Key",
                "must be 1 to 255 printable ASCII characters",
            )
            .into_response();
        }
    };
    let Some(key) = key else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or(""));
    h.update(&bytes);
    let fp = format!("{:x}", h.finalize());

    // Held until the answer is stored: a duplicate arriving meanwhile is a 409, one
    // arriving after finds the stored answer.
    let Some(_claim) = st.inflight.claim(&client, &key) else {
        return in_flight(family);
    };
    match lookup(&st, &client, &key, &fp) {
        Err(e) => return ApiError::from(e).into_response(),
        Ok(Found::Mismatch) => {
            return ApiError::new(
                family,
                StatusCode::UNPROCESSABLE_ENTITY,
                "this Idempotency-Key was already used with a different request",
            )
            .field("Idempotency-Key")
            .into_response();
        }
        Ok(Found::InFlight) => return in_flight(family),
        Ok(Found::Replay(status, ct, body)) => {
            let mut resp =
                (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            if let Some(ct) = ct.and_then(|c| HeaderValue::from_str(&c).ok()) {
                resp.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return resp;
        }
        Ok(Found::Nothing) => {}
    }
    let keyed = Keyed {
        client,
        key,
        fingerprint: fp,
    };
    parts.extensions.insert(keyed.clone());
    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if resp.extensions().get::<StoredWithWrite>().is_some()
        || resp.status().is_server_error()
        || resp.status() == StatusCode::TOO_MANY_REQUESTS
    {
        // Stored with the write, or (5xx, 429: try again later) not to be stored: a
        // retry runs again.
        return resp;
    }
    let (rparts, rbody) = resp.into_parts();
    let rbytes = to_bytes(rbody, usize::MAX).await.unwrap_or_default();
    let ct = rparts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let saved = st
        .store
        .write(|tx| save(tx, &keyed, rparts.status.as_u16(), ct, &rbytes));
    if let Err(e) = saved {
        tracing::error!(error = %e, "could not store idempotent response");
    }
    Response::from_parts(rparts, Body::from(rbytes))
}
