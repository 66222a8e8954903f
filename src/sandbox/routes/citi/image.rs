//! The customer's profile image: read, replace, delete.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use rusqlite::{Connection, OptionalExtension, params};

use super::{
    CitiHeaders, F, MAX_IMAGE, P_IMAGES, R, bad, bound, customer_on, fe, parse_body, read,
};
use crate::api::wire::citi::*;
use crate::domain::validate;
use crate::sandbox::Shared;
use crate::sandbox::auth::{SCOPE_PROFILE_WRITE, SCOPE_READ};
use crate::sandbox::error::ApiError;
use crate::sandbox::idempotency::{Answer, Idem};
use crate::sandbox::routes::idem_key;
use crate::sandbox::store::{log_write, now};

const IMAGE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif"];

/// Standard base64, padding optional.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The image type the bytes' magic number says they are.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

fn stored_image(c: &Connection, cid: i64) -> rusqlite::Result<Option<StoredImage>> {
    c.prepare_cached(
        "SELECT image_type, image, image_updated FROM customers WHERE cid = ?1 AND image IS NOT NULL",
    )?
    .query_row([cid], |r| {
        Ok(StoredImage {
            image_type: r.get(0)?,
            image: r.get(1)?,
            last_updated: r.get(2)?,
        })
    })
    .optional()
}

fn no_image() -> ApiError {
    ApiError::not_found(F, "the customer has no profile image")
}

/// Retrieve Customer Profile Image
///
/// The customer's profile image: `imageType`, `image` (base64) and `lastUpdated`. 404
/// `resourceNotFound` when there is none.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `customers:read`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client.
#[utoipa::path(get, path = "/citi/v1/customers/profile/images", tag = "citi",
    operation_id = "citiRetrieveCustomerProfileImage",
    params(CitiHeaders),
    security(("bearer" = ["customers:read"])),
    responses(
        (status = 200, body = StoredImage, description = "Successful operation"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured: scope, token not customer-bound, or client_id mismatch"),
        (status = 404, body = CitiError, description = "resourceNotFound: no profile image"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
pub(super) async fn get_image(
    State(st): State<Shared>,
    headers: HeaderMap,
) -> R<Json<StoredImage>> {
    let b = bound(&st, &headers, SCOPE_READ)?;
    let img = read(&st, |c| -> R<Option<StoredImage>> {
        let rec = customer_on(c, &b)?;
        Ok(stored_image(c, rec.cid)?)
    })?;
    img.map(Json).ok_or_else(|| no_image().into())
}

/// Update Customer Profile Image
///
/// Sets the customer's profile image: `imageType` `image/png`, `image/jpeg` or
/// `image/gif` and `image` the base64 of the bytes (standard alphabet, padding
/// optional). `image` that is not base64 is a 400 naming `image`; over 512 KiB decoded
/// is 413 naming `image`; bytes whose magic number is not the declared type are a 400
/// naming `image`. Replaces any earlier image; answers 200 with the stored image.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `profile:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client; then 415 for a body that is not JSON and
/// 400 naming the first bad field.
#[utoipa::path(put, path = "/citi/v1/customers/profile/images", tag = "citi",
    operation_id = "citiUpdateCustomerProfileImage",
    params(CitiHeaders),
    request_body = ProfileImage,
    security(("bearer" = ["profile:write"])),
    responses(
        (status = 200, body = StoredImage, description = "The stored image"),
        (status = 400, body = CitiError, description = "invalidRequest naming the field or header"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured"),
        (status = 404, body = CitiError, description = "resourceNotFound"),
        (status = 409, body = CitiError, description = "Idempotency-Key in flight"),
        (status = 413, body = CitiError, description = "the image is over 512 KiB, or the body over 1 MiB"),
        (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
pub(super) async fn put_image(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
    body: Bytes,
) -> R<Answer> {
    let b = bound(&st, &headers, SCOPE_PROFILE_WRITE)?;
    let req: ProfileImage = parse_body(&headers, &body)?;
    let kind = validate::one_of("imageType", &req.image_type, IMAGE_TYPES).map_err(fe)?;
    if req.image.is_empty() {
        return Err(bad("image", "must not be empty").into());
    }
    let bytes = B64
        .decode(req.image.as_bytes())
        .map_err(|_| bad("image", "must be base64 (standard alphabet)"))?;
    if bytes.len() > MAX_IMAGE {
        return Err(ApiError::new(
            F,
            StatusCode::PAYLOAD_TOO_LARGE,
            "image: must be at most 512 KiB once decoded",
        )
        .field("image")
        .into());
    }
    match sniff(&bytes) {
        Some(t) if t == kind => {}
        Some(t) => {
            return Err(bad("image", format!("holds a {t} image, not {kind}")).into());
        }
        None => {
            return Err(bad("image", format!("is not a {kind} image")).into());
        }
    }
    let image = B64.encode(&bytes);
    let key = idem_key(&headers).map(str::to_string);
    st.store.write(|tx| -> R<Answer> {
        let c = customer_on(tx, &b)?;
        let at = now();
        tx.execute(
            "UPDATE customers SET image_type = ?2, image = ?3, image_updated = ?4 WHERE cid = ?1",
            params![c.cid, kind, image, at],
        )?;
        log_write(tx, &b.caller.client_id, key.as_deref(), "PUT", P_IMAGES)?;
        let stored = StoredImage {
            image_type: kind.clone(),
            image: image.clone(),
            last_updated: at,
        };
        Ok(idem.json(tx, StatusCode::OK, &stored)?)
    })
}

/// Delete Customer Profile Image
///
/// Removes the customer's profile image: 204 with no body, or 404 `resourceNotFound`
/// when there is none.
///
/// Customer-scoped: needs a customer-bound token from RFC 8693 token exchange at
/// `/oauth2/token`. Checks in order: 401 `unAuthorized` without a valid token; 403
/// `accessNotConfigured` without scope `profile:write`; 403 `accessNotConfigured`
/// for a token not bound to a customer; 400 `invalidRequest` when `uuid`, `client_id`
/// or `Accept` is missing (`location` names it); 403 `accessNotConfigured` when
/// `client_id` is not the token's client.
#[utoipa::path(delete, path = "/citi/v1/customers/profile/images", tag = "citi",
    operation_id = "citiDeleteCustomerProfileImage",
    params(CitiHeaders),
    security(("bearer" = ["profile:write"])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = CitiError, description = "invalidRequest: a required header is missing"),
        (status = 401, body = CitiError, description = "unAuthorized"),
        (status = 403, body = CitiError, description = "accessNotConfigured"),
        (status = 404, body = CitiError, description = "resourceNotFound: no profile image"),
        (status = 409, body = CitiError, description = "Idempotency-Key in flight"),
        (status = 413, body = CitiError), (status = 415, body = CitiError),
        (status = 422, body = CitiError, description = "Idempotency-Key reused with another body"),
        (status = 429, body = CitiError), (status = 500, body = CitiError), (status = 503, body = CitiError),
    ))]
pub(super) async fn delete_image(
    State(st): State<Shared>,
    idem: Idem,
    headers: HeaderMap,
) -> R<Answer> {
    let b = bound(&st, &headers, SCOPE_PROFILE_WRITE)?;
    let key = idem_key(&headers).map(str::to_string);
    st.store.write(|tx| -> R<Answer> {
        let c = customer_on(tx, &b)?;
        let n = tx.execute(
            "UPDATE customers SET image_type = NULL, image = NULL, image_updated = NULL
             WHERE cid = ?1 AND image IS NOT NULL",
            [c.cid],
        )?;
        if n == 0 {
            return Err(no_image().into());
        }
        log_write(tx, &b.caller.client_id, key.as_deref(), "DELETE", P_IMAGES)?;
        Ok(idem.empty(tx, StatusCode::NO_CONTENT)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn image_magic() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a.."), Some("image/gif"));
        assert_eq!(sniff(b"<svg"), None);
    }
}
