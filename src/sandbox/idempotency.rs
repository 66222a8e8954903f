//! `Idempotency-Key` on every non-GET (IETF httpapi draft): the same key and payload
//! replays the stored answer; another payload is 422; a key still running is 409.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::Shared;
use super::body::MAX_BODY;
use super::error::{ApiError, Family};
use super::store::now_unix;

/// A running claim older than this is taken to be abandoned.
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

enum Claim {
    New,
    Replay(u16, Option<String>, Vec<u8>),
    Mismatch,
    InFlight,
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
    let (parts, body) = req.into_parts();
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

    let claim = st.store.write(|tx| -> rusqlite::Result<Claim> {
        let row: Option<StoredKey> = tx
            .prepare_cached(
                "SELECT fingerprint, state, status, content_type, body, created_unix FROM idempotency
                 WHERE client = ?1 AND key = ?2",
            )?
            .query_row(params![client, key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .optional()?;
        match row {
            Some((f, _, _, _, _, _)) if f != fp => Ok(Claim::Mismatch),
            Some((_, state, Some(status), ct, body, _)) if state == "done" => {
                Ok(Claim::Replay(status, ct, body.unwrap_or_default()))
            }
            Some((_, _, _, _, _, created)) if now_unix() - created < STALE_SECS => Ok(Claim::InFlight),
            _ => {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO idempotency (client, key, fingerprint, state, created_unix)
                     VALUES (?1, ?2, ?3, 'running', ?4)",
                )?
                .execute(params![client, key, fp, now_unix()])?;
                Ok(Claim::New)
            }
        }
    });
    match claim {
        Err(e) => ApiError::from(e).into_response(),
        Ok(Claim::Mismatch) => ApiError::new(
            family,
            StatusCode::UNPROCESSABLE_ENTITY,
            "this Idempotency-Key was already used with a different request",
        )
        .field("Idempotency-Key")
        .into_response(),
        Ok(Claim::InFlight) => ApiError::conflict(
            family,
            "a request with this Idempotency-Key is still being processed",
        )
        .field("Idempotency-Key")
        .retry_after(1)
        .into_response(),
        Ok(Claim::Replay(status, ct, body)) => {
            let mut resp =
                (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            if let Some(ct) = ct.and_then(|c| HeaderValue::from_str(&c).ok()) {
                resp.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            resp
        }
        Ok(Claim::New) => {
            let resp = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            let (rparts, rbody) = resp.into_parts();
            let rbytes = to_bytes(rbody, usize::MAX).await.unwrap_or_default();
            let status = rparts.status.as_u16();
            let ct = rparts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let saved = st.store.write(|tx| -> rusqlite::Result<()> {
                if status >= 500 {
                    tx.execute("DELETE FROM idempotency WHERE client = ?1 AND key = ?2", params![client, key])?;
                } else {
                    tx.prepare_cached(
                        "UPDATE idempotency SET state = 'done', status = ?3, content_type = ?4, body = ?5
                         WHERE client = ?1 AND key = ?2",
                    )?
                    .execute(params![client, key, status, ct, rbytes.as_ref()])?;
                }
                Ok(())
            });
            if let Err(e) = saved {
                tracing::error!(error = %e, "could not store idempotent response");
            }
            Response::from_parts(rparts, Body::from(rbytes))
        }
    }
}
