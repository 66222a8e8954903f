//! Citi Australia Customers API (seed 002) under `/citi`.

use axum::Router;
use utoipa::OpenApi;

use crate::sandbox::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
}

#[derive(OpenApi)]
#[openapi()]
pub struct Doc;
