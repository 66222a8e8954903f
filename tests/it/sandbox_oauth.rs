//! `POST /oauth2/token` over real HTTP: client credentials by form and HTTP Basic, scope
//! narrowing, RFC 8693 token exchange, and RFC 6749 error bodies.

use crate::common;

use common::*;
use reqwest::Method;

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";

fn cc(client: &'static str, secret: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", client),
        ("client_secret", secret),
    ]
}

#[tokio::test]
async fn client_credentials_by_form_for_every_demo_client() {
    let ts = start(50).await;
    for (client, secret, has_write) in [
        ("agent", "agent-secret", false),
        ("backoffice", "backoffice-secret", true),
        ("auditor", "auditor-secret", false),
        ("rival-agent", "rival-secret", false),
    ] {
        let a = ts.token_form(&cc(client, secret)).await;
        assert_eq!(a.status, 200, "{client}: {}", a.text);
        assert_eq!(a.body["token_type"], "Bearer");
        assert_eq!(a.body["expires_in"], 3600);
        let scope = a.body["scope"].as_str().unwrap();
        assert!(scope.split(' ').any(|s| s == "customers:read"), "{scope}");
        assert_eq!(
            scope.split(' ').any(|s| s == "customers:write"),
            has_write,
            "{client}"
        );
        let token = a.body["access_token"].as_str().unwrap();
        assert!(token.len() >= 32);
        // The token works.
        let r = ts
            .search(token, serde_json::json!({"familyName": "a"}))
            .await;
        assert_eq!(r.status, 200);
    }
    // Tokens are not reused.
    let a = ts.token_form(&cc("agent", "agent-secret")).await;
    let b = ts.token_form(&cc("agent", "agent-secret")).await;
    assert_ne!(a.body["access_token"], b.body["access_token"]);
}

#[tokio::test]
async fn client_credentials_by_http_basic() {
    let ts = start(50).await;
    let a = answer(
        ts.http
            .post(ts.url("/oauth2/token"))
            .basic_auth("backoffice", Some("backoffice-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(
        a.body["scope"]
            .as_str()
            .unwrap()
            .contains("customers:write")
    );
    let a = answer(
        ts.http
            .post(ts.url("/oauth2/token"))
            .basic_auth("backoffice", Some("agent-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_oauth_error(&a, 401, "invalid_client");
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_401_invalid_client() {
    let ts = start(50).await;
    for form in [
        cc("agent", "backoffice-secret"),
        cc("agent", ""),
        cc("agent", "agent-secret "),
        cc("nobody", "agent-secret"),
        cc("AGENT", "agent-secret"),
        vec![("grant_type", "client_credentials"), ("client_id", "agent")],
        vec![("grant_type", "client_credentials")],
    ] {
        let a = ts.token_form(&form).await;
        assert_oauth_error(&a, 401, "invalid_client");
        assert!(!a.text.contains("agent-secret"), "never echoes a secret");
    }
}

#[tokio::test]
async fn scope_narrows_and_cannot_widen() {
    let ts = start(50).await;
    let mut form = cc("agent", "agent-secret");
    form.push(("scope", "customers:read"));
    let a = ts.token_form(&form).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["scope"], "customers:read");
    let narrow = a.body["access_token"].as_str().unwrap().to_string();
    // It reads NewDay, but not Candescent's institution-users:read.
    let ada = ts.ada(&narrow).await;
    let cm = answer(
        ts.req(
            Method::GET,
            &format!("/digitalbanking/ux-users/v1/customers/{ada}/contact-methods"),
            Some(&narrow),
        )
        .header("correlationId", "c")
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_candescent_error(&cm, 403, None);

    let mut form = cc("agent", "agent-secret");
    form.push(("scope", "customers:read customers:write"));
    let a = ts.token_form(&form).await;
    assert_oauth_error(&a, 400, "invalid_scope");
    assert!(
        a.body["error_description"]
            .as_str()
            .unwrap()
            .contains("customers:write")
    );
    let mut form = cc("auditor", "auditor-secret");
    form.push(("scope", "bulk"));
    assert_oauth_error(&ts.token_form(&form).await, 400, "invalid_scope");
    // An empty scope is the client's whole set.
    let mut form = cc("auditor", "auditor-secret");
    form.push(("scope", " "));
    let a = ts.token_form(&form).await;
    assert_eq!(a.body["scope"], "customers:read institution-users:read");
    // Control characters in a scope are not echoed raw.
    let mut form = cc("agent", "agent-secret");
    form.push(("scope", "x\u{1b}[2J"));
    let a = ts.token_form(&form).await;
    assert_oauth_error(&a, 400, "invalid_scope");
    assert!(!a.text.contains('\u{1b}'));
}

#[tokio::test]
async fn bad_requests() {
    let ts = start(50).await;
    assert_oauth_error(
        &ts.token_form(&[("grant_type", "password")]).await,
        400,
        "unsupported_grant_type",
    );
    assert_oauth_error(
        &ts.token_form(&[("grant_type", "")]).await,
        400,
        "unsupported_grant_type",
    );
    assert_oauth_error(
        &ts.token_form(&[("client_id", "agent"), ("client_secret", "agent-secret")])
            .await,
        400,
        "invalid_request",
    );
    // JSON is not a form.
    let a = answer(
        ts.http
            .post(ts.url("/oauth2/token"))
            .json(&serde_json::json!({"grant_type": "client_credentials", "client_id": "agent", "client_secret": "agent-secret"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_oauth_error(&a, 415, "invalid_request");
    // Nor is a GET a token request.
    let a = ts.get("/oauth2/token", None).await;
    assert_eq!(a.status, 405);
    assert_eq!(a.header("allow"), Some("POST"));
    assert!(a.body["error"].is_string(), "{}", a.text);
    // An oversized form.
    let big = "x".repeat(1024 * 1024 + 10);
    let a = ts
        .token_form(&[("grant_type", "client_credentials"), ("scope", &big)])
        .await;
    assert_oauth_error(&a, 413, "invalid_request");
}

#[tokio::test]
async fn token_exchange_binds_a_customer_and_keeps_the_agents_identity() {
    let ts = start(50).await;
    let agent = ts.agent().await;
    let ada = ts.ada(&agent).await;
    let a = ts
        .token_form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", &agent),
            ("subject_token_type", ACCESS),
            ("resource", &ada),
        ])
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["token_type"], "Bearer");
    assert_eq!(a.body["issued_token_type"], ACCESS);
    // Short-lived, with the agent's scopes.
    assert_eq!(a.body["expires_in"], 300);
    let agent_scope = ts.token_form(&cc("agent", "agent-secret")).await.body["scope"].clone();
    assert_eq!(a.body["scope"], agent_scope);
    let bound = a.body["access_token"].as_str().unwrap();
    let me = ts.get("/customer-service/customers", Some(bound)).await;
    assert_eq!(me.body["id"], ada.as_str());

    // subject_token_type may be left out; a narrowed agent passes on its narrow scope.
    let narrow = ts
        .token_scoped("agent", "agent-secret", "customers:read")
        .await;
    let a = ts
        .token_form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", &narrow),
            ("resource", &ada),
        ])
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["scope"], "customers:read");

    // A bound token cannot be exchanged again.
    let a = ts
        .token_form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", bound),
            ("resource", &ada),
        ])
        .await;
    assert_oauth_error(&a, 400, "invalid_request");
}

#[tokio::test]
async fn token_exchange_errors() {
    let ts = start(50).await;
    let agent = ts.agent().await;
    let ada = ts.ada(&agent).await;
    // subject_token is required.
    let a = ts
        .token_form(&[("grant_type", EXCHANGE), ("resource", &ada)])
        .await;
    assert_oauth_error(&a, 400, "invalid_request");
    assert!(
        a.body["error_description"]
            .as_str()
            .unwrap()
            .contains("subject_token")
    );
    // resource is required.
    let a = ts
        .token_form(&[("grant_type", EXCHANGE), ("subject_token", &agent)])
        .await;
    assert_oauth_error(&a, 400, "invalid_target");
    assert!(
        a.body["error_description"]
            .as_str()
            .unwrap()
            .contains("resource")
    );
    // An unknown customer, and another tenant's: the same answer.
    let unknown = ts
        .token_form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", &agent),
            ("resource", &"0".repeat(32)),
        ])
        .await;
    assert_oauth_error(&unknown, 400, "invalid_target");
    let rival = ts.rival().await;
    let other = ts
        .token_form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", &rival),
            ("resource", &ada),
        ])
        .await;
    assert_oauth_error(&other, 400, "invalid_target");
    assert_eq!(unknown.body, other.body);
    // An unknown subject token.
    let a = ts
        .token_form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", "forged"),
            ("resource", &ada),
        ])
        .await;
    assert_eq!(a.status, 401, "{}", a.text);
    assert!(a.body["error"].is_string());
    // A subject token of another type.
    let a = ts
        .token_form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", &agent),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
            ("resource", &ada),
        ])
        .await;
    assert_oauth_error(&a, 400, "invalid_request");
}

#[tokio::test]
async fn exchanged_token_never_outlives_the_agents() {
    let ts = start_with(50, |c| {
        c.token_ttl = 2;
        c.exchange_ttl = 300;
    })
    .await;
    let agent = ts.agent().await;
    let ada = ts.ada(&agent).await;
    let a = ts
        .token_form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", &agent),
            ("resource", &ada),
        ])
        .await;
    assert_eq!(a.status, 200);
    assert!(a.body["expires_in"].as_u64().unwrap() <= 2, "{}", a.text);
    let bound = a.body["access_token"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_newday_error(
        &ts.get("/customer-service/customers", Some(&bound)).await,
        401,
        None,
    );
    // And an expired agent token cannot be exchanged.
    let a = ts
        .token_form(&[
            ("grant_type", EXCHANGE),
            ("subject_token", &agent),
            ("resource", &ada),
        ])
        .await;
    assert_eq!(a.status, 401);
}

#[tokio::test]
async fn token_answers_are_never_stored_or_replayed() {
    let ts = start(50).await;
    let agent = ts.agent().await;
    let send = || async {
        answer(
            ts.http
                .post(ts.url("/oauth2/token"))
                // Even with a bearer token naming a client, and a key.
                .bearer_auth(&agent)
                .header("Idempotency-Key", "token-1")
                .form(&cc("agent", "agent-secret"))
                .send()
                .await
                .unwrap(),
        )
        .await
    };
    let a = send().await;
    let b = send().await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(b.status, 200, "{}", b.text);
    assert!(b.header("idempotent-replayed").is_none());
    assert_ne!(a.body["access_token"], b.body["access_token"]);
    assert_eq!(a.header("cache-control"), Some("no-store"));
    assert_eq!(a.header("pragma"), Some("no-cache"));
    assert_eq!(
        ts.count("SELECT count(*) FROM idempotency"),
        0,
        "no token kept in the store"
    );
}
