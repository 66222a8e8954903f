//! What every family shares, over real HTTP: Idempotency-Key, fault injection, body
//! limits, error shapes for unknown paths and store failures, correlation ids, the
//! health check, the outbox and the OpenAPI document.

use crate::common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::*;
use custdesk::sandbox::auth::{CLIENTS, Caller};
use custdesk::sandbox::faults::Faults;
use reqwest::Method;
use serde_json::{Value, json};

const BS_LIST: &str = "/bankingservice/v1/profiles/demo-bank/customers";

fn relay_path(ccid: &str, number: &str) -> String {
    format!("/platform/v3/api/cdm/client/demo-bank/customer/{ccid}/add_phone/{number}")
}

async fn with_key(
    ts: &TestSandbox,
    method: Method,
    path: &str,
    token: Option<&str>,
    key: &str,
    body: &Value,
) -> Answer {
    answer(
        ts.req(method, path, token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("send"),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Idempotency-Key

#[tokio::test]
async fn idempotent_replay_returns_the_same_answer_and_writes_once() {
    let ts = start(50).await;
    let bo = ts.backoffice().await;
    let body = json!({"first_name": "Ida", "last_name": "Empotent"});
    let customers = ts.count("SELECT count(*) FROM customers");

    let first = with_key(&ts, Method::POST, BS_LIST, Some(&bo), "create-ida-1", &body).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(first.header("idempotent-replayed").is_none());
    let second = with_key(&ts, Method::POST, BS_LIST, Some(&bo), "create-ida-1", &body).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.text, first.text, "the stored answer, byte for byte");
    assert!(
        second
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(ts.writes_with_key("create-ida-1"), 1);
    assert_eq!(ts.count("SELECT count(*) FROM customers"), customers + 1);

    // A fresh token of the same client shares the key.
    let bo2 = ts.backoffice().await;
    let third = with_key(
        &ts,
        Method::POST,
        BS_LIST,
        Some(&bo2),
        "create-ida-1",
        &body,
    )
    .await;
    assert_eq!(third.header("idempotent-replayed"), Some("true"));
    assert_eq!(third.text, first.text);

    // Without a key the same body creates again.
    let again = ts.post(BS_LIST, Some(&bo), &body).await;
    assert_eq!(again.status, 200);
    assert_ne!(again.body["id"], first.body["id"]);
    assert_eq!(ts.count("SELECT count(*) FROM customers"), customers + 2);
}

#[tokio::test]
async fn idempotent_replay_on_update_delete_and_relay() {
    let ts = start(50).await;
    let bo = ts.backoffice().await;
    let ids = ts.customer_ids(DEMO, 3);
    let put = format!("{BS_LIST}/{}", ids[1]);
    let b = json!({"last_name": "Once"});
    let a = with_key(&ts, Method::PUT, &put, Some(&bo), "upd-1", &b).await;
    let r = with_key(&ts, Method::PUT, &put, Some(&bo), "upd-1", &b).await;
    assert_eq!(a.status, 200);
    assert_eq!(r.header("idempotent-replayed"), Some("true"));
    assert_eq!(r.text, a.text);
    assert_eq!(ts.writes_with_key("upd-1"), 1);

    let del = format!("{BS_LIST}/{}", ids[2]);
    let a = answer(
        ts.req(Method::DELETE, &del, Some(&bo))
            .header("Idempotency-Key", "del-1")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let r = answer(
        ts.req(Method::DELETE, &del, Some(&bo))
            .header("Idempotency-Key", "del-1")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, 200);
    // The retry gets the deleted record again, not a 404.
    assert_eq!(r.status, 200);
    assert_eq!(r.header("idempotent-replayed"), Some("true"));
    assert_eq!(r.text, a.text);
    assert_eq!(ts.writes_with_key("del-1"), 1);

    // Relay keys are scoped to the API key's tenant.
    let p = relay_path(&ids[0], "1005550001");
    let body = json!({"consent_type": "express", "phone_type": "mobile"});
    let phones = ts.phone_count(&ids[0]);
    let send = || async {
        answer(
            ts.req(Method::PUT, &p, None)
                .header("xx-relay-api-key", "demo-relay-key")
                .header("Idempotency-Key", "relay-1")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    };
    let a = send().await;
    let r = send().await;
    assert_eq!(a.status, 200, "{}", a.text);
    // Without the key, the repeat would have been a 409.
    assert_eq!(r.status, 200);
    assert_eq!(r.header("idempotent-replayed"), Some("true"));
    assert_eq!(ts.phone_count(&ids[0]), phones + 1);
    assert_eq!(ts.writes_with_key("relay-1"), 1);
    // The same key for another number: 422 in Relay's shape, nothing added.
    let a = answer(
        ts.req(Method::PUT, &relay_path(&ids[0], "1005550002"), None)
            .header("xx-relay-api-key", "demo-relay-key")
            .header("Idempotency-Key", "relay-1")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_relay_error(&a, 422, Some("Idempotency-Key"));
    assert_eq!(ts.phone_count(&ids[0]), phones + 1);
}

#[tokio::test]
async fn same_key_with_another_payload_is_422_and_writes_nothing() {
    let ts = start(50).await;
    let bo = ts.backoffice().await;
    let a = with_key(
        &ts,
        Method::POST,
        BS_LIST,
        Some(&bo),
        "k",
        &json!({"first_name": "A", "last_name": "B"}),
    )
    .await;
    assert_eq!(a.status, 200);
    let before = ts.footprint();
    let b = with_key(
        &ts,
        Method::POST,
        BS_LIST,
        Some(&bo),
        "k",
        &json!({"first_name": "A", "last_name": "C"}),
    )
    .await;
    assert_banking_error(&b, 422, Some("Idempotency-Key"));
    // Another endpoint with the same key is another request too, in that family's shape.
    let t = ts.agent().await;
    let c = with_key(
        &ts,
        Method::POST,
        "/customer-service/customers/search",
        Some(&bo),
        "k",
        &json!({"filter": {"familyName": "B"}}),
    )
    .await;
    assert_newday_error(&c, 422, Some("Idempotency-Key"));
    assert_eq!(ts.footprint(), before);
    assert_eq!(ts.writes_with_key("k"), 1);
    // Keys are scoped to the client: the agent's "k" is its own.
    let d = with_key(
        &ts,
        Method::POST,
        "/customer-service/customers/search",
        Some(&t),
        "k",
        &json!({"filter": {"familyName": "B"}}),
    )
    .await;
    assert_eq!(d.status, 200, "{}", d.text);
    assert!(d.header("idempotent-replayed").is_none());
}

#[tokio::test]
async fn a_key_still_running_is_409_until_abandoned() {
    let ts = start(50).await;
    let bo = ts.backoffice().await;
    let body = json!({"first_name": "Run", "last_name": "Ning"});
    let a = with_key(&ts, Method::POST, BS_LIST, Some(&bo), "busy", &body).await;
    assert_eq!(a.status, 200);
    // Make it look as if that first request were still being processed.
    ts.sb
        .state
        .store
        .write(|tx| {
            tx.execute(
                "UPDATE idempotency SET state = 'running', status = NULL, body = NULL WHERE key = 'busy'",
                [],
            )
        })
        .unwrap();
    let before = ts.footprint();
    let b = with_key(&ts, Method::POST, BS_LIST, Some(&bo), "busy", &body).await;
    assert_banking_error(&b, 409, Some("Idempotency-Key"));
    assert_eq!(b.header("retry-after"), Some("1"));
    assert_eq!(ts.footprint(), before);

    // A claim left running for over a minute is taken over.
    ts.sb
        .state
        .store
        .write(|tx| {
            tx.execute(
                "UPDATE idempotency SET created_unix = created_unix - 120 WHERE key = 'busy'",
                [],
            )
        })
        .unwrap();
    let c = with_key(&ts, Method::POST, BS_LIST, Some(&bo), "busy", &body).await;
    assert_eq!(c.status, 200, "{}", c.text);
    assert!(c.header("idempotent-replayed").is_none());
    assert_eq!(ts.writes_with_key("busy"), 2);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_write_once() {
    let ts = start(50).await;
    let bo = ts.backoffice().await;
    let body = json!({"first_name": "Con", "last_name": "Current"});
    let customers = ts.count("SELECT count(*) FROM customers");
    let answers = futures::future::join_all(
        (0..8).map(|_| with_key(&ts, Method::POST, BS_LIST, Some(&bo), "race", &body)),
    )
    .await;
    let ok: Vec<&Answer> = answers.iter().filter(|a| a.status == 200).collect();
    assert!(!ok.is_empty());
    for a in &answers {
        assert!(
            a.status == 200 || a.status == 409,
            "{} {}",
            a.status,
            a.text
        );
    }
    assert!(
        ok.iter().all(|a| a.body["id"] == ok[0].body["id"]),
        "one customer"
    );
    assert_eq!(ts.writes_with_key("race"), 1);
    assert_eq!(ts.count("SELECT count(*) FROM customers"), customers + 1);
}

#[tokio::test]
async fn a_malformed_key_is_400_naming_it() {
    let ts = start(50).await;
    let bo = ts.backoffice().await;
    let before = ts.footprint();
    let body = json!({"first_name": "Bad", "last_name": "Key"});
    for key in [
        String::new(),
        "k".repeat(256),
        "with space".into(),
        "tab\tkey".into(),
    ] {
        let a = with_key(&ts, Method::POST, BS_LIST, Some(&bo), &key, &body).await;
        assert_banking_error(&a, 400, Some("Idempotency-Key"));
    }
    let a = answer(
        ts.req(
            Method::POST,
            "/customer-service/customers/search",
            Some(&bo),
        )
        .header(
            "Idempotency-Key",
            reqwest::header::HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap(),
        )
        .json(&json!({"filter": {"familyName": "Q"}}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_newday_error(&a, 400, Some("Idempotency-Key"));
    assert_eq!(ts.footprint(), before);
    // 255 printable characters are fine.
    let a = with_key(
        &ts,
        Method::POST,
        BS_LIST,
        Some(&bo),
        &"k".repeat(255),
        &body,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn idempotency_never_hides_a_401_or_a_405() {
    let ts = start(50).await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let one = format!("{BS_LIST}/{ada}");
    let body = json!({"last_name": "Keyed"});
    // A Relay key is no credential for bankingservice: 401 every time, nothing stored,
    // even after a Relay call used the same key.
    let relay = answer(
        ts.req(Method::PUT, &relay_path(&ada, "1005550009"), None)
            .header("xx-relay-api-key", "demo-relay-key")
            .header("Idempotency-Key", "shared")
            .json(&json!({"consent_type": "express", "phone_type": "mobile"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(relay.status, 200, "{}", relay.text);
    for _ in 0..2 {
        let a = answer(
            ts.req(Method::PUT, &one, None)
                .header("xx-relay-api-key", "demo-relay-key")
                .header("Idempotency-Key", "shared")
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_banking_error(&a, 401, None);
    }
    // Unauthenticated with a malformed key: still the 401.
    let a = answer(
        ts.req(Method::PUT, &one, None)
            .header("Idempotency-Key", "not ok")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_banking_error(&a, 401, None);
    // A method the route does not serve is a 405 whatever the key.
    let bo = ts.backoffice().await;
    for _ in 0..2 {
        let a = answer(
            ts.req(Method::TRACE, BS_LIST, Some(&bo))
                .header("Idempotency-Key", "trace")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(a.status, 405, "{}", a.text);
    }
    // Nor a method that other routes serve: PUT on a POST-only path.
    for _ in 0..2 {
        let a = with_key(
            &ts,
            Method::PUT,
            "/customer-service/customers/search",
            Some(&bo),
            "put-on-post",
            &json!({"filter": {"familyName": "Q"}}),
        )
        .await;
        assert_newday_error(&a, 405, None);
    }
    assert_eq!(
        ts.count(
            "SELECT count(*) FROM idempotency WHERE key IN ('trace', 'not ok', 'put-on-post')"
        ),
        0
    );
    assert_eq!(
        ts.count("SELECT count(*) FROM idempotency WHERE key = 'shared'"),
        1,
        "only the Relay call's"
    );
}

// ---------------------------------------------------------------------------------------
// Faults

#[test]
fn fault_spec_errors_say_what_is_wrong() {
    let cases = [
        ("latency", "name=value"),
        ("latency=fast", "200ms"),
        ("jitter=-5ms", "jitter"),
        ("error_rate=lots", "not a number"),
        ("error_rate=1.5", "between 0 and 1"),
        ("error_rate=-0.1", "between 0 and 1"),
        ("rate_limit=0/s", "above 0"),
        ("rate_limit=fast", "50/s"),
        ("speed=9", "unknown fault 'speed'"),
    ];
    for (spec, says) in cases {
        let e = Faults::parse(spec).expect_err(spec);
        assert!(e.contains(says), "{spec}: {e}");
    }
    assert_eq!(Faults::parse("").unwrap(), Faults::default());
    assert!(Faults::parse(" , ").unwrap().is_off());
    let f = Faults::parse(" latency=1s , rate_limit=2.5 ").unwrap();
    assert_eq!(f.latency, Duration::from_secs(1));
    assert_eq!(f.rate_limit, Some(2.5));
}

#[test]
fn the_command_line_refuses_a_bad_fault_spec() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_custdesk"))
        .args([
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--seed-customers",
            "1",
            "--faults",
            "error_rate=7",
        ])
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--faults") && err.contains("between 0 and 1"),
        "{err}"
    );
}

/// A token issued directly, since the token endpoint is itself subject to faults.
fn issue(ts: &TestSandbox, client: &str) -> String {
    let c = CLIENTS.iter().find(|c| c.id == client).unwrap();
    ts.sb.state.tokens.issue(Caller {
        client_id: c.id.into(),
        tenant: c.tenant.into(),
        scopes: c.scopes.iter().map(|s| s.to_string()).collect(),
        customer: None,
        expires: Instant::now() + Duration::from_secs(600),
    })
}

#[tokio::test]
async fn error_rate_1_fails_every_family_call_in_its_shape() {
    let ts = start_with(50, |c| c.faults = Faults::parse("error_rate=1.0").unwrap()).await;
    let bo = issue(&ts, "backoffice");
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let is_fault = |a: &Answer| a.status == 500 || a.status == 503;

    let a = ts
        .get(&format!("/customer-service/customers/{ada}"), Some(&bo))
        .await;
    assert!(is_fault(&a), "{}", a.status);
    assert_newday_error(&a, a.status.as_u16(), None);
    let a = ts.search(&bo, json!({"familyName": "Q"})).await;
    assert_newday_error(&a, a.status.as_u16(), None);
    assert!(is_fault(&a));

    let a = answer(
        ts.req(
            Method::GET,
            &format!("/digitalbanking/ux-users/v1/customers/{ada}/contact-methods"),
            Some(&bo),
        )
        .header("correlationId", "c")
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert!(is_fault(&a));
    assert_candescent_error(&a, a.status.as_u16(), None);
    assert_eq!(a.body["code"], "SERVER_ERROR");

    let a = answer(
        ts.req(Method::PUT, &relay_path(&ada, "1005550002"), None)
            .header("xx-relay-api-key", "demo-relay-key")
            .json(&json!({"consent_type": "express", "phone_type": "mobile"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(is_fault(&a));
    assert_relay_error(&a, a.status.as_u16(), None);

    let a = ts.get(BS_LIST, Some(&bo)).await;
    assert!(is_fault(&a));
    assert_banking_error(&a, a.status.as_u16(), None);

    let a = ts
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "agent"),
            ("client_secret", "agent-secret"),
        ])
        .await;
    assert!(is_fault(&a));
    assert_oauth_error(&a, a.status.as_u16(), "server_error");

    // The sandbox's own endpoints are never faulted.
    assert_eq!(ts.get("/healthz", None).await.status, 200);
    assert_eq!(ts.get("/openapi.json", None).await.status, 200);
    let agent = ts.issued_token("agent");
    assert_eq!(ts.get("/sandbox/outbox", Some(&agent)).await.status, 200);
}

#[tokio::test]
async fn lost_answers_with_an_idempotency_key_still_write_exactly_once() {
    // Half the injected failures happen after the write is applied: a client retrying
    // with the same key must not create twice.
    let ts = start_with(50, |c| c.faults = Faults::parse("error_rate=1").unwrap()).await;
    let bo = issue(&ts, "backoffice");
    let customers = ts.count("SELECT count(*) FROM customers");
    let body = json!({"first_name": "Lossy", "last_name": "Network"});
    for _ in 0..20 {
        let a = with_key(&ts, Method::POST, BS_LIST, Some(&bo), "retry-me", &body).await;
        assert!(a.status == 500 || a.status == 503, "{}", a.status);
    }
    // 20 tries: the chance that none was applied is one in a million.
    assert_eq!(ts.writes_with_key("retry-me"), 1);
    assert_eq!(ts.count("SELECT count(*) FROM customers"), customers + 1);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_in_the_family_shape() {
    // 0.5/s: a token every two seconds, so the burst below is refused unless the
    // machine stalls for seconds.
    let ts = start_with(50, |c| {
        c.faults = Faults::parse("rate_limit=0.5/s").unwrap()
    })
    .await;
    let t = issue(&ts, "agent");
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let mut limited = Vec::new();
    for _ in 0..5 {
        let a = ts
            .get(&format!("/customer-service/customers/{ada}"), Some(&t))
            .await;
        if a.status == 429 {
            limited.push(a);
        } else {
            assert_eq!(a.status, 200);
        }
    }
    assert!(
        limited.len() >= 3,
        "5 calls at once against 0.5/s: {} refused",
        limited.len()
    );
    for a in &limited {
        assert_newday_error(a, 429, None);
        let secs: u64 = a
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!((1..=2).contains(&secs), "{secs}");
    }
    let a = ts.get(BS_LIST, Some(&t)).await;
    assert_banking_error(&a, 429, None);
    assert!(a.header("retry-after").is_some());
    let a = answer(
        ts.req(Method::PUT, &relay_path(&ada, "1005550003"), None)
            .header("xx-relay-api-key", "demo-relay-key")
            .json(&json!({"consent_type": "express", "phone_type": "mobile"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_relay_error(&a, 429, None);
    assert!(a.header("retry-after").is_some());
    let a = ts
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "agent"),
            ("client_secret", "agent-secret"),
        ])
        .await;
    assert_oauth_error(&a, 429, "temporarily_unavailable");
    assert!(a.header("retry-after").is_some());
    // After waiting as told, calls go through again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let a = ts
        .get(&format!("/customer-service/customers/{ada}"), Some(&t))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn latency_delays_family_calls() {
    let ts = start_with(50, |c| {
        c.faults = Faults::parse("latency=150ms,jitter=10ms").unwrap()
    })
    .await;
    let t = issue(&ts, "agent");
    let started = Instant::now();
    let a = ts.get(BS_LIST, Some(&t)).await;
    assert_eq!(a.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

// ---------------------------------------------------------------------------------------
// Limits and error shapes

#[tokio::test]
async fn bodies_over_1_mib_are_413_in_every_family() {
    let ts = start(50).await;
    let bo = ts.backoffice().await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let before = ts.footprint();
    let pad = "x".repeat(1024 * 1024);
    let a = ts
        .post(
            "/customer-service/customers/search",
            Some(&bo),
            &json!({"filter": {"familyName": pad}}),
        )
        .await;
    assert_newday_error(&a, 413, None);
    let a = ts
        .post(
            "/customer-service/customers/supported-formats/email-address",
            Some(&bo),
            &json!({"emailAddress": pad}),
        )
        .await;
    assert_newday_error(&a, 413, None);
    let a = ts
        .post(BS_LIST, Some(&bo), &json!({"first_name": pad}))
        .await;
    assert_banking_error(&a, 413, None);
    let a = answer(
        ts.req(Method::PUT, &relay_path(&ada, "1005550004"), None)
            .header("xx-relay-api-key", "demo-relay-key")
            .json(&json!({"consent_type": pad, "phone_type": "mobile"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_relay_error(&a, 413, None);
    // Exactly 1 MiB is still accepted (and then refused for what it says).
    let exact = {
        let mut s = String::from("{\"filter\":{\"familyName\":\"");
        let tail = "\"}}";
        s.push_str(&"y".repeat(1024 * 1024 - s.len() - tail.len()));
        s.push_str(tail);
        s
    };
    assert_eq!(exact.len(), 1024 * 1024);
    let a = answer(
        ts.req(
            Method::POST,
            "/customer-service/customers/search",
            Some(&bo),
        )
        .header("content-type", "application/json")
        .body(exact)
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_newday_error(&a, 400, Some("filter.familyName"));
    assert_eq!(ts.footprint(), before);
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_the_family_shape() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let a = ts.get("/customer-service/nothing-here", Some(&t)).await;
    assert_newday_error(&a, 404, None);
    let a = ts
        .get("/digitalbanking/ux-users/v2/whatever", Some(&t))
        .await;
    assert_candescent_error(&a, 404, None);
    let a = ts.get("/platform/v3/api/cdm/nothing", None).await;
    assert_relay_error(&a, 404, None);
    let a = ts.get("/bankingservice/v2/profiles", Some(&t)).await;
    assert_banking_error(&a, 404, None);
    let a = ts.get("/no/such/thing", None).await;
    assert_banking_error(&a, 404, None);
    // Wrong method: 405 with Allow.
    let a = answer(
        ts.req(
            Method::DELETE,
            "/customer-service/customers/search",
            Some(&t),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_newday_error(&a, 405, None);
    assert_eq!(a.header("allow"), Some("POST"));
    let a = answer(
        ts.req(Method::PATCH, BS_LIST, Some(&t))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_banking_error(&a, 405, None);
    assert_eq!(a.body["code"], "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn a_failing_store_is_503_in_the_family_shape() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    ts.sb
        .state
        .store
        .write(|tx| tx.execute_batch("DROP TABLE accounts"))
        .unwrap();
    let a = ts
        .get(&format!("/customer-service/customers/{ada}"), Some(&t))
        .await;
    assert_newday_error(&a, 503, None);
    assert!(
        !a.text.contains("accounts"),
        "no SQL detail leaks: {}",
        a.text
    );
    let a = ts.get(BS_LIST, Some(&t)).await;
    assert_banking_error(&a, 503, None);
    let a = answer(
        ts.req(
            Method::GET,
            &format!("/digitalbanking/ux-users/v1/customers/{ada}/contact-methods"),
            Some(&t),
        )
        .header("correlationId", "c")
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_candescent_error(&a, 503, None);
}

#[tokio::test]
async fn correlation_ids_come_back_on_every_answer() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    for (path, token) in [
        (
            format!("/customer-service/customers/{ada}"),
            Some(t.as_str()),
        ),
        (
            "/customer-service/customers/zzz".to_string(),
            Some(t.as_str()),
        ),
        (BS_LIST.to_string(), None),
        ("/healthz".to_string(), None),
    ] {
        let a = answer(
            ts.req(Method::GET, &path, token)
                .header("x-correlation-id", "trace-123")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(a.header("x-correlation-id"), Some("trace-123"), "{path}");
    }
    // Without one, or with an unusable one, a fresh id is made.
    let a = ts.get("/healthz", None).await;
    let fresh = a.header("x-correlation-id").unwrap();
    assert_eq!(fresh.len(), 36);
    let a = answer(
        ts.req(Method::GET, "/healthz", None)
            .header("x-correlation-id", "x".repeat(129))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.header("x-correlation-id").unwrap().len(), 36);
}

#[test]
fn logged_paths_hide_phone_numbers() {
    let p = custdesk::sandbox::loggable_path(
        "/platform/v3/api/cdm/client/demo-bank/customer/abc/add_phone/12125550199",
    );
    assert!(!p.contains("12125550199"), "{p}");
    assert!(p.ends_with("0199"), "{p}");
    assert!(p.contains("/v3/"), "short digit runs stay: {p}");
}

// ---------------------------------------------------------------------------------------
// Health, outbox

#[tokio::test]
async fn healthz_counts_customers() {
    let ts = start(50).await;
    let a = ts.get("/healthz", None).await;
    assert_eq!(a.status, 200);
    // 50 demo customers and the rival bank's 10.
    assert_eq!(a.body, json!({"status": "ok", "customers": 60}));
}

#[tokio::test]
async fn outbox_lists_messages_newest_first_and_filters_by_recipient() {
    let ts = start(50).await;
    let agent = ts.agent().await;
    let a = ts.get("/sandbox/outbox", Some(&agent)).await;
    assert_eq!(a.body, json!({"messages": []}));
    ts.sb
        .state
        .store
        .write(|tx| {
            tx.execute_batch(
                "INSERT INTO outbox (to_addr, channel, text, otp, flow_id, sent_at, tenant) VALUES
                 ('+447700900123', 'SMS', 'Your code is 123456', '123456', 'flow-1', '2026-01-01T10:00:00.000Z', 'demo-bank'),
                 ('ada@example.com', 'EMAIL', 'Hello', NULL, NULL, '2026-01-01T10:01:00.000Z', 'demo-bank'),
                 ('+15550100', 'SMS', 'Your code is 654321', '654321', 'flow-r', '2026-01-01T10:02:00.000Z', 'rival-bank')",
            )
        })
        .unwrap();
    let a = ts.get("/sandbox/outbox", Some(&agent)).await;
    let m = a.body["messages"].as_array().unwrap();
    assert_eq!(m.len(), 2, "the rival bank's message stays out of sight");
    assert_eq!(m[0]["to"], "ada@example.com");
    assert!(m[0].get("otp").is_none());
    assert_eq!(m[1]["otp"], "123456");
    assert_eq!(m[1]["controlFlowId"], "flow-1");
    let a = ts
        .get("/sandbox/outbox?to=%2B447700900123", Some(&agent))
        .await;
    let m = a.body["messages"].as_array().unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["channel"], "SMS");
    let a = ts.get("/sandbox/outbox?to=a&to=b", Some(&agent)).await;
    assert_banking_error(&a, 400, Some("to"));

    // Without a token: 401, whatever is asked; the rival sees only its own message.
    assert_banking_error(&ts.get("/sandbox/outbox", None).await, 401, None);
    let rival = ts.rival().await;
    let a = ts.get("/sandbox/outbox", Some(&rival)).await;
    assert_eq!(
        a.body["messages"].as_array().unwrap().len(),
        1,
        "{}",
        a.text
    );
    assert_eq!(a.body["messages"][0]["otp"], "654321");
}

// ---------------------------------------------------------------------------------------
// OpenAPI

/// Every non-Citi route the router serves: (method, path, error statuses it must document).
const ROUTES: &[(&str, &str, &[u16])] = &[
    (
        "post",
        "/oauth2/token",
        &[400, 401, 413, 415, 429, 500, 503],
    ),
    ("get", "/healthz", &[]),
    ("get", "/openapi.json", &[]),
    ("get", "/sandbox/outbox", &[400]),
    (
        "get",
        "/customer-service/customers",
        &[401, 403, 404, 429, 500, 503],
    ),
    (
        "get",
        "/customer-service/customers/{customerId}",
        &[400, 401, 403, 404, 429, 500, 503],
    ),
    (
        "post",
        "/customer-service/customers/search",
        &[400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
    ),
    (
        "post",
        "/customer-service/customers/supported-formats/email-address",
        &[400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
    ),
    (
        "post",
        "/customer-service/customers/supported-formats/phone-number",
        &[400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
    ),
    (
        "get",
        "/digitalbanking/ux-users/v1/customers/{customerId}/contact-methods",
        &[400, 401, 403, 404, 429, 500, 503],
    ),
    (
        "put",
        "/platform/v3/api/cdm/client/{client_id}/customer/{ccid}/add_phone/{phone_number}",
        &[400, 401, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    (
        "get",
        "/bankingservice/v1/profiles/{profileId}/customers",
        &[400, 401, 403, 404, 429, 500, 503],
    ),
    (
        "post",
        "/bankingservice/v1/profiles/{profileId}/customers",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    (
        "get",
        "/bankingservice/v1/profiles/{profileId}/customers/{customerId}",
        &[400, 401, 403, 404, 429, 500, 503],
    ),
    (
        "put",
        "/bankingservice/v1/profiles/{profileId}/customers/{customerId}",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    (
        "delete",
        "/bankingservice/v1/profiles/{profileId}/customers/{customerId}",
        &[400, 401, 403, 404, 409, 422, 429, 500, 503],
    ),
];

fn error_schema(path: &str) -> &'static str {
    match path {
        p if p.starts_with("/customer-service") => "Problem",
        p if p.starts_with("/digitalbanking") => "CandescentError",
        p if p.starts_with("/platform") => "RelayMessage",
        p if p.starts_with("/oauth2") => "OAuthError",
        p if p.starts_with("/citi") => "CitiError",
        _ => "BankingError",
    }
}

/// Resolve a `$ref` into `#/components/schemas`.
fn schema_name(v: &Value) -> Option<&str> {
    v["$ref"].as_str()?.strip_prefix("#/components/schemas/")
}

#[tokio::test]
async fn openapi_documents_every_route_with_its_parameters_and_errors() {
    let ts = start(50).await;
    let a = ts.get("/openapi.json", None).await;
    assert_eq!(a.status, 200);
    let doc = &a.body;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "Problem",
        "CandescentError",
        "RelayMessage",
        "BankingError",
        "OAuthError",
    ] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    for scheme in ["bearer", "relayKey"] {
        assert!(
            doc["components"]["securitySchemes"].get(scheme).is_some(),
            "{scheme}"
        );
    }

    for (method, path, errors) in ROUTES {
        let op = &paths
            .get(*path)
            .unwrap_or_else(|| panic!("{path} is documented"))[*method];
        assert!(op.is_object(), "{method} {path} is documented");
        let params: Vec<(String, String, bool)> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .map(|p| {
                        (
                            p["name"].as_str().unwrap().to_string(),
                            p["in"].as_str().unwrap().to_string(),
                            p["required"].as_bool().unwrap_or(false),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Each `{name}` in the path is a required path parameter.
        for seg in path.split('/').filter(|s| s.starts_with('{')) {
            let name = seg.trim_matches(|c| c == '{' || c == '}');
            assert!(
                params
                    .iter()
                    .any(|(n, i, r)| n == name && i == "path" && *r),
                "{method} {path}: path parameter {name}"
            );
        }
        if *method != "get" && !path.starts_with("/oauth2/") {
            assert!(
                params
                    .iter()
                    .any(|(n, i, r)| n == "Idempotency-Key" && i == "header" && !r),
                "{method} {path}: Idempotency-Key header"
            );
        }
        let responses = op["responses"].as_object().unwrap();
        let success = responses
            .keys()
            .find(|k| k.starts_with('2'))
            .unwrap_or_else(|| panic!("{method} {path}: a success answer"));
        assert!(
            responses[success]["content"]["application/json"]["schema"].is_object(),
            "{method} {path}: success body"
        );
        for status in *errors {
            let r = responses
                .get(&status.to_string())
                .unwrap_or_else(|| panic!("{method} {path}: documents {status}"));
            let schema = &r["content"]["application/json"]["schema"];
            assert_eq!(
                schema_name(schema),
                Some(error_schema(path)),
                "{method} {path} {status}: the family's error body"
            );
        }
    }
    // Candescent's required header and query parameter.
    let cm = &paths["/digitalbanking/ux-users/v1/customers/{customerId}/contact-methods"]["get"];
    let ps = cm["parameters"].as_array().unwrap();
    assert!(
        ps.iter()
            .any(|p| p["name"] == "correlationId" && p["in"] == "header" && p["required"] == true)
    );
    assert!(
        ps.iter()
            .any(|p| p["name"] == "userIdType" && p["in"] == "query")
    );
    // The token endpoint takes a form.
    assert!(
        paths["/oauth2/token"]["post"]["requestBody"]["content"]
            .get("application/x-www-form-urlencoded")
            .is_some()
    );

    // Every documented operation is served (not the unknown-path fallback), Citi's too
    // once it is there; and nothing non-Citi is documented that is not in the list.
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    for (path, item) in paths {
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_none() {
                continue;
            }
            if !path.starts_with("/citi") {
                assert!(
                    listed.contains(&(method.to_string(), path.clone())),
                    "{method} {path} is documented but not in the test's route list"
                );
            }
            let concrete = path
                .split('/')
                .map(|s| if s.starts_with('{') { "0123456789" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let a = answer(ts.req(m, &concrete, None).send().await.unwrap()).await;
            assert_ne!(a.status, 405, "{method} {path} is routed");
            assert!(
                !(a.status == 404 && a.text.contains("no such endpoint")),
                "{method} {path} is served: {}",
                a.text
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Seed

/// Everything the generator wrote, as one string.
fn dump(store: &custdesk::sandbox::store::Store) -> String {
    store
        .read(|c| {
            let mut out = String::new();
            for sql in [
                "SELECT id || tenant || customer_ref || given_name || family_name || date_of_birth || created FROM customers ORDER BY cid",
                "SELECT cid || kind || line1 || line2 || city || postcode || country FROM addresses ORDER BY id",
                "SELECT cid || address FROM emails ORDER BY id",
                "SELECT cid || kind || country_code || national || consent FROM phones ORDER BY id",
                "SELECT cid || account_id || account_number FROM accounts ORDER BY id",
                "SELECT cid || alert_code || channel FROM alert_enrolments ORDER BY cid",
            ] {
                let mut st = c.prepare(sql)?;
                let rows = st.query_map([], |r| r.get::<_, String>(0))?;
                for r in rows {
                    out.push_str(&r?);
                    out.push('\n');
                }
            }
            Ok(out)
        })
        .unwrap()
}

#[test]
fn the_seed_is_the_same_every_time() {
    use custdesk::sandbox::store::Store;
    let dir = tempfile::tempdir().unwrap();
    let a = Store::open(&dir.path().join("a.db"), 300).unwrap();
    let b = Store::open(&dir.path().join("b.db"), 300).unwrap();
    let (da, db) = (dump(&a), dump(&b));
    assert!(da.lines().count() > 1000, "a real seed");
    assert_eq!(da, db);
    assert_eq!(a.customer_count().unwrap(), 310);
    // A bigger seed starts with the same customers.
    let c = Store::open(&dir.path().join("c.db"), 600).unwrap();
    let first = |s: &Store| {
        s.read(|c| {
            c.query_row(
                "SELECT group_concat(id, ',') FROM (SELECT id FROM customers ORDER BY cid LIMIT 300)",
                [],
                |r| r.get::<_, String>(0),
            )
        })
        .unwrap()
    };
    assert_eq!(first(&a), first(&c));
}

/// A keyed write and its stored answer commit together: a failure storing the answer
/// (as a crash between the two would be) leaves neither, so a retry applies it once.
#[tokio::test]
async fn a_keyed_write_and_its_stored_answer_commit_together() {
    let ts = start(50).await;
    let bo = ts.backoffice().await;
    let put = format!("{BS_LIST}/{}", ts.customer_ids(DEMO, 1)[0]);
    let body = json!({"email": "atomic@example.com"});
    // Storing the answer fails (TEMP triggers live on the writer connection, which
    // every write uses).
    ts.sb
        .state
        .store
        .write(|tx| {
            tx.execute_batch(
                "CREATE TEMP TRIGGER no_answer_i BEFORE INSERT ON idempotency WHEN NEW.state = 'done'
                   BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;
                 CREATE TEMP TRIGGER no_answer_u BEFORE UPDATE ON idempotency WHEN NEW.state = 'done'
                   BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;",
            )
        })
        .unwrap();
    let before = ts.footprint();
    let a = with_key(&ts, Method::PUT, &put, Some(&bo), "atomic-1", &body).await;
    assert_eq!(a.status, 503, "{}", a.text);
    assert_eq!(
        ts.footprint(),
        before,
        "neither the edit nor its write_log row"
    );
    assert_eq!(
        ts.count("SELECT count(*) FROM emails WHERE address = 'atomic@example.com'"),
        0
    );
    ts.sb
        .state
        .store
        .write(|tx| {
            tx.execute_batch("DROP TRIGGER temp.no_answer_i; DROP TRIGGER temp.no_answer_u;")
        })
        .unwrap();
    let b = with_key(&ts, Method::PUT, &put, Some(&bo), "atomic-1", &body).await;
    assert_eq!(b.status, 200, "{}", b.text);
    assert!(b.header("idempotent-replayed").is_none());
    let c = with_key(&ts, Method::PUT, &put, Some(&bo), "atomic-1", &body).await;
    assert_eq!(c.header("idempotent-replayed"), Some("true"));
    assert_eq!(c.text, b.text);
    assert_eq!(ts.writes_with_key("atomic-1"), 1);
}
