//! `POST /oauth2/token`: client credentials (RFC 6749) and token exchange for a
//! customer-bound token (RFC 8693).

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use utoipa::OpenApi;

use crate::api::wire::oauth::*;
use crate::sandbox::Shared;
use crate::sandbox::auth::{self, Caller};
use crate::sandbox::error::{ApiError, Family};

pub fn routes() -> Router<Shared> {
    Router::new().route("/oauth2/token", post(token))
}

#[derive(OpenApi)]
#[openapi(
    paths(token),
    components(schemas(TokenRequest, TokenResponse, OAuthError))
)]
pub struct Doc;

/// A token answer, never to be cached (RFC 6749 section 5.1).
fn no_store(t: TokenResponse) -> impl IntoResponse {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(t),
    )
}

fn err(status: StatusCode, code: &str, message: &str) -> ApiError {
    ApiError::new(Family::OAuth, status, message).code(code)
}

/// Client id and secret from HTTP Basic, if sent that way.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let b64 = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (id, secret) = s.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Issue an access token. `client_credentials` takes `client_id` and `client_secret`
/// (form fields or HTTP Basic) and an optional space-separated `scope` narrowing the
/// client's scopes. Token exchange takes the agent's token as `subject_token` and the
/// customer id as `resource`, and returns a short-lived token bound to that customer,
/// carrying the agent's identity and scopes; it is what the Citi endpoints and NewDay
/// `GET /customers` require.
///
/// Failed client authentication is throttled per client id: after 10 failures, one
/// more is allowed every 6 seconds, and meanwhile every request for that client id,
/// even with the right secret, is 429 `temporarily_unavailable` with `Retry-After`.
#[utoipa::path(post, path = "/oauth2/token", tag = "oauth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = OAuthError, description = "invalid_request, unsupported_grant_type, invalid_scope, invalid_target"),
        (status = 401, body = OAuthError, description = "invalid_client or an invalid subject_token"),
        (status = 413, body = OAuthError),
        (status = 415, body = OAuthError),
        (status = 429, body = OAuthError),
        (status = 500, body = OAuthError),
        (status = 503, body = OAuthError),
    ))]
async fn token(
    State(st): State<Shared>,
    headers: HeaderMap,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Form(req) = form.map_err(|e| {
        let status = match e.status() {
            s @ (StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::PAYLOAD_TOO_LARGE) => s,
            _ => StatusCode::BAD_REQUEST,
        };
        err(
            status,
            "invalid_request",
            &format!("the body must be a form with grant_type: {e}"),
        )
    })?;
    match req.grant_type.as_str() {
        GRANT_CLIENT_CREDENTIALS => {
            let (id, secret) = match (req.client_id.clone(), req.client_secret.clone()) {
                (Some(i), Some(s)) => (i, s),
                _ => basic(&headers).ok_or_else(|| {
                    err(
                        StatusCode::UNAUTHORIZED,
                        "invalid_client",
                        "client_id and client_secret are required",
                    )
                })?,
            };
            let wrong = || {
                err(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "unknown client or wrong secret",
                )
            };
            let client = auth::client(&id).ok_or_else(wrong)?;
            if let Some(wait) = st.client_throttle.refused(client.id) {
                return Err(err(
                    StatusCode::TOO_MANY_REQUESTS,
                    "temporarily_unavailable",
                    "too many failed authentications for this client: try again later",
                )
                .retry_after(wait));
            }
            if !auth::secret_eq(client.secret, &secret) {
                st.client_throttle.failed(client.id);
                return Err(wrong());
            }
            let scopes: Vec<String> = match req
                .scope
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                None => client.scopes.iter().map(|s| s.to_string()).collect(),
                Some(asked) => {
                    let asked: Vec<String> = asked.split_whitespace().map(str::to_string).collect();
                    if let Some(bad) = asked.iter().find(|s| !client.scopes.contains(&s.as_str())) {
                        return Err(err(
                            StatusCode::BAD_REQUEST,
                            "invalid_scope",
                            &format!(
                                "scope {} is not granted to this client",
                                crate::domain::sanitize::for_display(bad)
                            ),
                        ));
                    }
                    asked
                }
            };
            let ttl = st.config.token_ttl;
            let scope = scopes.join(" ");
            let access_token = st.tokens.issue(Caller {
                client_id: client.id.to_string(),
                tenant: client.tenant.to_string(),
                scopes,
                customer: None,
                expires: auth::ttl(ttl),
            });
            Ok(no_store(TokenResponse {
                access_token,
                token_type: "Bearer".into(),
                expires_in: ttl,
                scope,
                issued_token_type: None,
            }))
        }
        GRANT_TOKEN_EXCHANGE => {
            let subject = req.subject_token.as_deref().ok_or_else(|| {
                err(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "subject_token is required",
                )
            })?;
            if let Some(t) = req.subject_token_type.as_deref()
                && t != TOKEN_TYPE_ACCESS
            {
                return Err(err(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "subject_token_type must be an access token",
                ));
            }
            let agent = st.tokens.lookup(subject).ok_or_else(|| {
                err(
                    StatusCode::UNAUTHORIZED,
                    "invalid_grant",
                    "the subject_token is unknown or has expired",
                )
            })?;
            if agent.customer.is_some() {
                return Err(err(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "the subject_token is already customer-bound",
                ));
            }
            let resource = req.resource.as_deref().ok_or_else(|| {
                err(
                    StatusCode::BAD_REQUEST,
                    "invalid_target",
                    "resource (the customer id) is required",
                )
            })?;
            let known = st
                .store
                .read(|c| crate::sandbox::store::customer_by_id(c, &agent.tenant, resource))?
                .is_some();
            if !known {
                return Err(err(
                    StatusCode::BAD_REQUEST,
                    "invalid_target",
                    "no such customer",
                ));
            }
            let ttl = st.config.exchange_ttl.min(
                agent
                    .expires
                    .saturating_duration_since(std::time::Instant::now())
                    .as_secs(),
            );
            let scope = agent.scopes.join(" ");
            let access_token = st.tokens.issue(Caller {
                customer: Some(resource.to_string()),
                expires: auth::ttl(ttl),
                ..agent
            });
            Ok(no_store(TokenResponse {
                access_token,
                token_type: "Bearer".into(),
                expires_in: ttl,
                scope,
                issued_token_type: Some(TOKEN_TYPE_ACCESS.into()),
            }))
        }
        other => Err(err(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!(
                "grant_type {} is not supported",
                crate::domain::sanitize::for_display(other)
            ),
        )),
    }
}
