//! The OpenAPI document enforced before a handler runs.
//!
//! Every operation's `security` (a bearer token with its scope, or the Relay API key) and
//! its declared header parameters (length and pattern) are checked here, from the
//! generated document itself, before anything reads the body: a request without
//! credentials is 401 and one without the scope 403 whatever its body, and a header
//! that breaks its declared pattern is 400 naming it. The handlers keep their own
//! checks (they need the caller, and a handler called directly stays safe); this layer
//! only makes sure they come first.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use regex::Regex;
use serde_json::Value;

use super::Shared;
use super::auth;
use super::error::{ApiError, Family};

/// How an operation authenticates, from its `security` requirement.
#[derive(Debug, Clone, PartialEq)]
enum Security {
    None,
    Bearer(String),
    RelayKey,
}

/// A header parameter's declared constraints.
#[derive(Debug)]
struct HeaderRule {
    name: String,
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<(String, Regex)>,
}

#[derive(Debug)]
struct Operation {
    security: Security,
    headers: Vec<HeaderRule>,
}

/// (method, path template as in the document and the router) -> operation.
type Table = HashMap<(String, String), Operation>;

static TABLE: LazyLock<Table> = LazyLock::new(|| table(&super::openapi::document()));

fn table(doc: &Value) -> Table {
    let mut out = Table::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !matches!(method.as_str(), "get" | "put" | "post" | "patch" | "delete") {
                continue;
            }
            out.insert(
                (method.to_ascii_uppercase(), path.clone()),
                operation(op, item.get("parameters")),
            );
        }
    }
    out
}

fn operation(op: &Value, shared_params: Option<&Value>) -> Operation {
    let security = op["security"]
        .as_array()
        .and_then(|reqs| reqs.first())
        .and_then(Value::as_object)
        .and_then(|req| {
            if let Some(scopes) = req.get("bearer") {
                let scope = scopes[0].as_str().unwrap_or_default().to_string();
                Some(Security::Bearer(scope))
            } else if req.contains_key("relayKey") {
                Some(Security::RelayKey)
            } else {
                None
            }
        })
        .unwrap_or(Security::None);
    let params = op["parameters"]
        .as_array()
        .into_iter()
        .chain(shared_params.and_then(Value::as_array))
        .flatten();
    let headers = params
        .filter(|p| p["in"] == "header")
        .filter_map(|p| {
            let schema = &p["schema"];
            let len = |k: &str| schema[k].as_u64().map(|n| n as usize);
            let pattern = schema["pattern"]
                .as_str()
                .and_then(|s| Regex::new(s).ok().map(|r| (s.to_string(), r)));
            Some(HeaderRule {
                name: p["name"].as_str()?.to_string(),
                min_length: len("minLength"),
                max_length: len("maxLength"),
                pattern,
            })
        })
        .collect();
    Operation { security, headers }
}

/// A present header's value against its rule; a missing one is the handler's to name
/// (Citi checks its token binding before its headers).
fn check_header(rule: &HeaderRule, headers: &HeaderMap, family: Family) -> Result<(), ApiError> {
    let Some(raw) = headers.get(rule.name.as_str()) else {
        return Ok(());
    };
    let bad = |msg: String| ApiError::bad_request(family, rule.name.clone(), msg);
    let Ok(v) = std::str::from_utf8(raw.as_bytes()) else {
        return Err(bad("must be printable ASCII".into()));
    };
    let chars = v.chars().count();
    if let Some(min) = rule.min_length
        && chars < min
    {
        return Err(bad(format!("must be at least {min} characters")));
    }
    if let Some(max) = rule.max_length
        && chars > max
    {
        return Err(bad(format!("must be at most {max} characters")));
    }
    if let Some((text, re)) = &rule.pattern
        && !re.is_match(v)
    {
        let shown = if v.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            "is not in the documented form"
        } else {
            "holds a control character or a character outside printable ASCII"
        };
        return Err(bad(format!("{shown} (pattern {text})")));
    }
    Ok(())
}

/// Check the matched operation's security and headers, then run the handler.
pub async fn layer(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let Some(path) = req.extensions().get::<MatchedPath>() else {
        return next.run(req).await;
    };
    let method = if req.method() == Method::HEAD {
        "GET".to_string()
    } else {
        req.method().as_str().to_string()
    };
    let Some(op) = TABLE.get(&(method, path.as_str().to_string())) else {
        return next.run(req).await;
    };
    let family = Family::from_path(req.uri().path());
    let checked = match &op.security {
        Security::None => Ok(()),
        Security::Bearer(scope) => {
            auth::authorize(&st.tokens, req.headers(), family, scope).map(|_| ())
        }
        Security::RelayKey => auth::relay_tenant(req.headers()).map(|_| ()),
    }
    .and_then(|()| {
        op.headers
            .iter()
            .try_for_each(|rule| check_header(rule, req.headers(), family))
    });
    match checked {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_the_document_is_known() {
        let t = &*TABLE;
        let banking = &t[&(
            "POST".to_string(),
            "/bankingservice/v1/profiles/{profileId}/customers".to_string(),
        )];
        assert_eq!(
            banking.security,
            Security::Bearer(auth::SCOPE_CUSTOMERS_WRITE.into())
        );
        let relay = t
            .iter()
            .find(|((_, p), _)| p.starts_with("/platform/"))
            .expect("relay");
        assert_eq!(relay.1.security, Security::RelayKey);
        let cand = t
            .iter()
            .find(|((_, p), _)| p.starts_with("/digitalbanking/"))
            .expect("candescent");
        let rule = cand
            .1
            .headers
            .iter()
            .find(|h| h.name == "correlationId")
            .expect("correlationId declared");
        let mut h = HeaderMap::new();
        h.insert("correlationid", "abc\tdef".parse().unwrap());
        assert!(check_header(rule, &h, Family::Candescent).is_err());
        h.insert("correlationid", "abc-def".parse().unwrap());
        assert!(check_header(rule, &h, Family::Candescent).is_ok());
    }
}
