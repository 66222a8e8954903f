//! `GET /openapi.json`: OpenAPI 3.1 generated from the handlers' annotations.

use utoipa::OpenApi;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, Required, Type};

use super::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "custdesk reference backend",
        description = "All five seed customer-data APIs over one SQLite store: Citi customers (/citi), \
NewDay customer-service (/customer-service), Candescent ux-users (/digitalbanking/ux-users), \
Relay CDM (/platform/v3/api) and bankingservice.ai (/bankingservice). Every non-GET accepts \
Idempotency-Key: the same key with the same payload replays the stored answer (header \
Idempotent-Replayed: true), another payload is 422, a key still running is 409 with Retry-After. \
Every answer carries x-correlation-id. Bodies over 1 MiB are 413.",
        version = "1.0.0"
    ),
    tags(
        (name = "oauth", description = "Tokens"),
        (name = "citi", description = "Citi Australia Customers API (customer-bound tokens)"),
        (name = "newday", description = "NewDay customer-service"),
        (name = "candescent", description = "Candescent digital banking ux-users"),
        (name = "relay", description = "Relay CDM"),
        (name = "bankingservice", description = "bankingservice.ai customers"),
        (name = "sandbox", description = "Sandbox only"),
    )
)]
struct Base;

/// The whole document.
pub fn document() -> serde_json::Value {
    let mut doc = Base::openapi();
    doc.merge(routes::oauth::Doc::openapi());
    doc.merge(routes::misc::Doc::openapi());
    doc.merge(routes::citi::Doc::openapi());
    doc.merge(routes::newday::Doc::openapi());
    doc.merge(routes::candescent::Doc::openapi());
    doc.merge(routes::relay::Doc::openapi());
    doc.merge(routes::banking::Doc::openapi());
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(
            "Access token from POST /oauth2/token. Citi endpoints and NewDay GET /customers need a customer-bound token (token exchange).",
        )).build()),
    );
    components.add_security_scheme(
        "relayKey",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("xx-relay-api-key"))),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        if path.starts_with("/oauth2/") {
            continue;
        }
        if path.starts_with("/citi/v1/customers/profiles/")
            && (path.ends_with("/emails")
                || path.ends_with("/phoneNumbers")
                || path.ends_with("/confirmation"))
        {
            for op in [&mut item.put, &mut item.post].into_iter().flatten() {
                let d = op.description.get_or_insert_with(String::new);
                d.push_str("\n\n");
                d.push_str(super::passcodes::DOC);
            }
        }
        for op in [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            op.parameters
                .get_or_insert_with(Vec::new)
                .push(idempotency_key().into());
        }
    }
    serde_json::to_value(&doc).unwrap_or_default()
}

/// The optional `Idempotency-Key` header every non-GET accepts.
fn idempotency_key() -> Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "1 to 255 printable ASCII characters, scoped to the client. The same key with the \
same request replays the stored answer (Idempotent-Replayed: true); with another request 422; \
while the first is still running 409.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]{1,255}$")),
        ))
        .build()
}
