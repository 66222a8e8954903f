//! The client on a bad network, against real sandboxes with injected faults: retries,
//! Retry-After, timeouts, an unreachable backend, cancellation, token renewal, and no
//! write applied twice. No HTTP mocks.

use crate::api_support;
use crate::common;

use std::time::{Duration, Instant};

use api_support::*;
use custdesk::api::wire::banking::BsCustomerInput;
use custdesk::api::wire::citi::{AlertSubscriptions, Subscription};
use custdesk::api::wire::relay::AddPhone;
use custdesk::api::{Client, ErrorKind, Family, IdempotencyKey};
use custdesk::sandbox::faults::Faults;
use futures::StreamExt;

fn faulty(spec: &str) -> impl FnOnce(&mut custdesk::sandbox::SandboxConfig) {
    let f = Faults::parse(spec).expect("fault spec");
    move |cfg| cfg.faults = f
}

enum Op {
    Read(String),
    Update(String, IdempotencyKey),
    AddPhone(String, String, IdempotencyKey),
    Subscribe(String, IdempotencyKey),
}

#[tokio::test]
async fn under_error_rate_0_3_every_call_ends_typed_and_no_write_applies_twice() {
    let ts = common::start_with(40, faulty("error_rate=0.3")).await;
    let bo = backoffice(&ts);
    let ids = ids(&ts, 40);
    let mut ops = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        ops.push(Op::Read(id.clone()));
        ops.push(Op::Update(id.clone(), IdempotencyKey::fresh()));
        ops.push(Op::AddPhone(
            id.clone(),
            format!("77009{:05}", 10_000 + i),
            IdempotencyKey::fresh(),
        ));
        ops.push(Op::Subscribe(id.clone(), IdempotencyKey::fresh()));
    }
    let calls = ops.len();
    let results: Vec<(Option<IdempotencyKey>, Result<u32, custdesk::api::ApiError>)> =
        futures::stream::iter(ops)
            .map(|op| {
                let bo = bo.clone();
                async move {
                    match op {
                        Op::Read(id) => (
                            None,
                            bo.newday().get_customer(&id).await.map(|r| r.attempts),
                        ),
                        Op::Update(id, key) => {
                            let input = BsCustomerInput {
                                company: Some(format!("Firm {}", &id[..6])),
                                ..Default::default()
                            };
                            let r = bo.banking().update(&id, &input, &key).await;
                            (Some(key), r.map(|r| r.attempts))
                        }
                        Op::AddPhone(id, number, key) => {
                            let body = AddPhone {
                                consent_type: "express".into(),
                                phone_type: "mobile".into(),
                                country_code: Some("44".into()),
                                client_source: None,
                            };
                            let r = bo.relay().add_phone(&id, &number, &body, &key).await;
                            (Some(key), r.map(|r| r.attempts))
                        }
                        Op::Subscribe(id, key) => {
                            let body = AlertSubscriptions {
                                alert_profile: None,
                                subscriptions: vec![Subscription {
                                    alert_code: "PAYMENT_DUE".into(),
                                    action: "SUBSCRIBE".into(),
                                    channel: Some("SMS".into()),
                                    threshold: None,
                                }],
                            };
                            let r = bo.citi().update_alert_subscriptions(&id, &body, &key).await;
                            (Some(key), r.map(|r| r.attempts))
                        }
                    }
                }
            })
            .buffer_unordered(8)
            .collect()
            .await;

    let mut attempts = 0;
    let mut failed = 0;
    for (key, r) in &results {
        match r {
            Ok(n) => {
                attempts += n;
                if let Some(k) = key {
                    assert_eq!(
                        applied(&ts, k.as_str()),
                        1,
                        "a successful write applies once"
                    );
                }
            }
            Err(e) => {
                failed += 1;
                attempts += e.attempts.max(1);
                // Injected faults are 500/503: a typed server error after three tries.
                assert_eq!(e.kind, ErrorKind::Server, "{e}");
                assert_eq!(e.attempts, 3, "{e}");
                assert!(is_uuid(&e.correlation_id));
                if let Some(k) = key {
                    assert!(applied(&ts, k.as_str()) <= 1);
                }
            }
        }
    }
    let twice: i64 = ts
        .sb
        .state
        .store
        .read(|c| {
            c.query_row(
                "SELECT count(*) FROM (SELECT 1 FROM write_log WHERE idem_key IS NOT NULL
                 GROUP BY client, idem_key HAVING count(*) > 1)",
                [],
                |r| r.get(0),
            )
        })
        .unwrap();
    assert_eq!(twice, 0, "no idempotency key was applied twice");
    assert!(
        attempts as usize > calls,
        "faults were live: {attempts} attempts for {calls} calls"
    );
    // 0.3^3 = 2.7% of calls fail all three tries; a third would mean retries are broken.
    assert!(failed < calls / 8, "{failed} of {calls} failed");
    eprintln!("{calls} calls, {attempts} attempts, {failed} typed failures");
}

#[tokio::test]
async fn a_429_with_retry_after_1_is_retried_no_sooner_than_a_second_later() {
    let ts = common::start_with(10, faulty("rate_limit=1/s")).await;
    let ada = ada(&ts);
    let c = agent(&ts);
    c.sign_in().await.unwrap(); // takes the bucket's only token
    let started = Instant::now();
    let r = c.newday().get_customer(&ada).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(r.attempts, 2, "the first attempt was refused with 429");
    assert!(
        elapsed >= Duration::from_secs(1),
        "retried after {elapsed:?}"
    );
    assert!(r.elapsed >= Duration::from_secs(1));
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_reported_not_waited() {
    let ts = common::start_with(10, faulty("rate_limit=0.2/s")).await;
    let mut cfg = config(&ts.base);
    cfg.timeouts.max_retry_after = Duration::from_secs(2);
    // The bucket holds one request: the first call takes it, and the next would have to
    // wait 5 s for another, beyond the 2 s cap.
    let c = with_token(cfg, &mint(&ts, "agent"));
    let customer = ada(&ts);
    c.newday().get_customer(&customer).await.unwrap();
    let started = Instant::now();
    let e = c.newday().get_customer(&customer).await.unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(5))
        }
    );
    assert_eq!(
        (e.status, e.attempts, e.family),
        (Some(429), 1, Family::NewDay)
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(e.is_transient());
}

#[tokio::test]
async fn server_errors_are_tried_three_times_then_reported() {
    let ts = common::start_with(10, faulty("error_rate=1.0")).await;
    let c = with_token(config(&ts.base), &mint(&ts, "backoffice"));
    let e = c.newday().get_customer(&ada(&ts)).await.unwrap_err();
    assert_eq!((e.kind.clone(), e.attempts), (ErrorKind::Server, 3));
    assert!(matches!(e.status, Some(500 | 503)), "{e:?}");
    assert_eq!(e.message, "injected fault");
    // A client made with other attempts tries that many times.
    for n in [1, 5] {
        let e = c
            .with_attempts(n)
            .newday()
            .get_customer(&ada(&ts))
            .await
            .unwrap_err();
        assert_eq!((e.kind, e.attempts), (ErrorKind::Server, n));
    }

    // A keyed write whose every answer is lost: reported, and applied at most once.
    let key = IdempotencyKey::fresh();
    let input = BsCustomerInput {
        company: Some("Lost Answers Ltd".into()),
        ..Default::default()
    };
    let e = c
        .banking()
        .update(&ada(&ts), &input, &key)
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.attempts), (ErrorKind::Server, 3));
    assert_eq!(e.code.as_deref(), Some("SERVER_ERROR"));
    assert!(applied(&ts, key.as_str()) <= 1);

    // Through the token endpoint too.
    let e = agent(&ts).sign_in().await.unwrap_err();
    assert_eq!((e.kind, e.family), (ErrorKind::Server, Family::OAuth));
}

#[tokio::test]
async fn a_slow_backend_times_out() {
    let ts = common::start_with(10, faulty("latency=400ms")).await;
    let mut cfg = config(&ts.base);
    cfg.timeouts.request = Duration::from_millis(100);
    let c = with_token(cfg, &mint(&ts, "agent"));
    let started = Instant::now();
    let e = c.newday().get_customer(&ada(&ts)).await.unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.status, e.attempts),
        (ErrorKind::Timeout, None, 3)
    );
    assert_eq!(e.family, Family::NewDay);
    assert!(is_uuid(&e.correlation_id));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert!(e.is_transient());
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let base = closed_port().await;
    let c = Client::new(config(&base)).unwrap();
    let e = c.sign_in().await.unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.family, e.attempts),
        (ErrorKind::Unreachable, Family::OAuth, 3)
    );
    assert!(e.message.contains("could not connect"), "{}", e.message);
    let e = c
        .newday()
        .get_customer("0123456789abcdef0123456789abcdef")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unreachable);
    // With a token in hand, the resource call itself is what fails.
    let c = with_token(config(&base), "t");
    let e = c
        .relay()
        .add_phone(
            "0123456789abcdef0123456789abcdef",
            "7700900123",
            &AddPhone {
                consent_type: "express".into(),
                phone_type: "mobile".into(),
                country_code: None,
                client_source: None,
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.family, e.attempts),
        (ErrorKind::Unreachable, Family::Relay, 3)
    );
    // The phone number in the path stays out of the message.
    assert!(!e.message.contains("7700900123"), "{}", e.message);
}

#[tokio::test]
async fn dropping_a_call_cancels_it_and_the_client_carries_on() {
    let ts = common::start_with(10, faulty("latency=300ms")).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    // Dropped while fetching the agent's token (holding the token lock).
    let cut = tokio::time::timeout(Duration::from_millis(50), c.newday().get_customer(&ada)).await;
    assert!(cut.is_err());
    let r = tokio::time::timeout(Duration::from_secs(3), c.newday().get_customer(&ada))
        .await
        .expect("the token lock was released")
        .unwrap();
    assert_eq!(r.value.id, ada);

    // Dropped while a keyed write waits for its answer: the server never ran it, and
    // the same logical write sent again applies exactly once.
    let bo = with_token(config(&ts.base), &mint(&ts, "backoffice"));
    let key = IdempotencyKey::fresh();
    let input = BsCustomerInput {
        company: Some("Cancelled Co".into()),
        ..Default::default()
    };
    let cut = tokio::time::timeout(
        Duration::from_millis(100),
        bo.banking().update(&ada, &input, &key),
    )
    .await;
    assert!(cut.is_err());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(applied(&ts, key.as_str()), 0);
    let r = bo.banking().update(&ada, &input, &key).await.unwrap();
    assert_eq!(r.value.company.as_deref(), Some("Cancelled Co"));
    assert_eq!(applied(&ts, key.as_str()), 1);
}

#[tokio::test]
async fn tokens_are_cached_renewed_before_expiry_and_exchanged_once_per_customer() {
    let (logs, _guard) = Logs::capture();
    let ts = common::start_with(10, |cfg| cfg.token_ttl = 2).await;
    let c = agent(&ts);
    let ids = ids(&ts, 2);
    // Concurrent first calls share one token request.
    let calls: Vec<_> = (0..10).map(|_| c.newday().get_customer(&ids[0])).collect();
    for r in futures::future::join_all(calls).await {
        assert_eq!(r.unwrap().attempts, 1);
    }
    assert_eq!(logs.served("/oauth2/token"), 1);

    // A customer-bound token per customer, reused.
    c.newday().get_customer_by_token(&ids[0]).await.unwrap();
    c.newday().get_customer_by_token(&ids[0]).await.unwrap();
    c.newday().get_customer_by_token(&ids[1]).await.unwrap();
    assert_eq!(logs.served("/oauth2/token"), 3);
    // A client made from it with other attempts shares its tokens.
    let patient = c.with_attempts(6);
    patient.sign_in().await.unwrap();
    patient
        .newday()
        .get_customer_by_token(&ids[1])
        .await
        .unwrap();
    assert_eq!(logs.served("/oauth2/token"), 3);

    // The 2 s token is renewed 0.2 s before it expires, without a refused call.
    tokio::time::sleep(Duration::from_millis(1900)).await;
    let r = c.newday().get_customer(&ids[0]).await.unwrap();
    assert_eq!(r.attempts, 1);
    assert_eq!(logs.served("/oauth2/token"), 4);
    assert_eq!(logs.text().matches("status=401").count(), 0);
}

#[tokio::test]
async fn a_refused_token_is_dropped_and_the_call_retried_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = custdesk::sandbox::SandboxConfig::new(dir.path().join("sandbox.db"));
    cfg.seed_customers = 10;
    let first = custdesk::sandbox::start(cfg.clone()).await.unwrap();
    let base = first.base_url();
    let c = Client::new(config(&base)).unwrap();
    let page = c.banking().list(None, Some(1)).await.unwrap();
    let id = page.value.data[0].id.clone();
    c.newday().get_customer_by_token(&id).await.unwrap();

    // The backend restarts and forgets every token it issued.
    cfg.listen = first.addr;
    first.shutdown().await;
    let _second = custdesk::sandbox::start(cfg).await.unwrap();

    let r = c.newday().get_customer(&id).await.unwrap();
    assert_eq!(
        r.attempts, 2,
        "one refused attempt, then one with a new token"
    );
    // The cached customer-bound token is refused, and so is the agent token it would be
    // exchanged from: both are renewed.
    let r = c.newday().get_customer_by_token(&id).await.unwrap();
    let bound_to = r.value.customer().map(|c| c.id.as_str());
    assert_eq!((r.attempts, bound_to), (2, Some(id.as_str())));
}

#[tokio::test]
async fn secrets_stay_out_of_logs_and_debug_output() {
    let (logs, _guard) = Logs::capture();
    let ts = common::start_with(10, faulty("error_rate=0.5")).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let _ = c.sign_in().await;
    let got = c.newday().get_customer(&ada).await;
    let bound = c.newday().get_customer_by_token(&ada).await;
    let body = AddPhone {
        consent_type: "express".into(),
        phone_type: "mobile".into(),
        country_code: Some("44".into()),
        client_source: None,
    };
    let added = c
        .relay()
        .add_phone(&ada, "7700900444", &body, &IdempotencyKey::fresh())
        .await;
    let debug = format!("{c:?} {got:?} {bound:?} {added:?} {:?}", config(&ts.base));
    let text = logs.text();
    assert!(
        text.contains("custdesk::api"),
        "the client logged nothing:\n{text}"
    );
    for secret in ["agent-secret", "demo-relay-key", "Bearer ", "7700900444"] {
        assert!(!text.contains(secret), "{secret} in the logs:\n{text}");
        assert!(
            !debug.contains(secret),
            "{secret} in Debug output:\n{debug}"
        );
    }
}
