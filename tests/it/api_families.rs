//! The client against a real in-process sandbox: every NewDay, Candescent, Relay and
//! bankingservice method, with the error kinds each can answer. No HTTP mocks.

use crate::api_support;
use crate::common;

use api_support::*;
use custdesk::api::wire::{banking::*, newday::*, relay::AddPhone};
use custdesk::api::{BoundCustomer, ErrorKind, Family, IdempotencyKey, UserIdType};

#[tokio::test]
async fn newday_get_customer_and_its_errors() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ada = ada(&ts);

    let r = c.newday().get_customer(&ada).await.unwrap();
    assert_eq!(r.value.family_name, "Quartermaine");
    assert_eq!(r.value.date_of_birth, "1984-03-09");
    assert_eq!((r.status, r.attempts, r.replayed), (200, 1, false));
    assert!(is_uuid(&r.correlation_id));
    let again = c.newday().get_customer(&ada).await.unwrap();
    assert_ne!(again.correlation_id, r.correlation_id, "one id per call");

    let e = c
        .newday()
        .get_customer("0123456789abcdef0123456789abcdef")
        .await
        .unwrap_err();
    assert_eq!((e.kind.clone(), e.status), (ErrorKind::NotFound, Some(404)));
    assert_eq!(e.family, Family::NewDay);
    assert!(is_uuid(&e.correlation_id));
    assert_eq!(e.attempts, 1, "a 404 is not retried");

    // Another institution's customer is indistinguishable from a missing one.
    let e = c.newday().get_customer(&rival(&ts)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);

    let e = c.newday().get_customer("not-an-id").await.unwrap_err();
    assert_eq!(e.kind, invalid("customerId"));
    assert_eq!(e.field(), Some("customerId"));
    assert!(e.to_string().contains("customerId"), "{e}");

    // A path parameter cannot climb out of its route.
    let e = c.newday().get_customer("..").await.unwrap_err();
    assert_eq!((e.kind, e.status), (invalid("customerId"), None));
}

#[tokio::test]
async fn newday_get_customer_by_token() {
    let ts = common::start(30).await;
    let bo = backoffice(&ts);
    let ada = ada(&ts);
    let r = bo.newday().get_customer_by_token(&ada).await.unwrap();
    assert_eq!(
        r.value.customer().map(|c| c.id.as_str()),
        Some(ada.as_str())
    );

    // A customer without any account: 404 with NoCustomerDetails.
    let input = BsCustomerInput {
        first_name: Some("Noah".into()),
        last_name: Some("Accountless".into()),
        ..Default::default()
    };
    let created = bo
        .banking()
        .create(&input, &IdempotencyKey::fresh())
        .await
        .unwrap();
    let r = bo
        .newday()
        .get_customer_by_token(&created.value.id)
        .await
        .unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(r.value, BoundCustomer::NoCustomerDetails);
    assert!(
        r.value.describe().contains("no account"),
        "{}",
        r.value.describe()
    );

    // The exchange for a customer the institution does not hold.
    let e = bo
        .newday()
        .get_customer_by_token(&rival(&ts))
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.family), (ErrorKind::NotFound, Family::OAuth));
    assert_eq!(e.code.as_deref(), Some("invalid_target"));
}

#[tokio::test]
async fn newday_search_and_verify() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let req = SearchRequest {
        filter: SearchFilter {
            family_name: Some("quarter".into()),
            postcode: Some("sw1a1aa".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let r = c.newday().search(&req).await.unwrap();
    assert_eq!(r.value.count, 1);
    assert_eq!(r.value.values[0].given_name, "Ada");

    let e = c
        .newday()
        .search(&SearchRequest::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, invalid("filter"));
    let e = c
        .newday()
        .search(&SearchRequest {
            size: Some(500),
            ..req.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind, invalid("size"));
    assert!(e.message.contains("between 1 and 100"), "{}", e.message);

    let ok = c.newday().verify_email("ada@example.com").await.unwrap();
    assert!(ok.value.is_valid);
    let bad = c.newday().verify_email("ada@").await.unwrap();
    assert!(!bad.value.is_valid && bad.value.reason.is_some());
    assert!(
        c.newday()
            .verify_phone("07700 900123")
            .await
            .unwrap()
            .value
            .is_valid
    );
    assert!(
        !c.newday()
            .verify_phone("02079460000")
            .await
            .unwrap()
            .value
            .is_valid
    );
    let e = c.newday().verify_phone("").await.unwrap_err();
    assert_eq!(e.kind, invalid("phoneNumber"));
}

#[tokio::test]
async fn candescent_contact_methods() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let r = c
        .candescent()
        .contact_methods(&ada, UserIdType::CustomerId)
        .await
        .unwrap();
    assert_eq!(r.value.customer_id, ada);
    assert!(
        r.value
            .contact_methods
            .iter()
            .any(|m| m.contact_info.to_string() == "07700900123" && m.protocol == "SMS")
    );
    // By login id (the customer reference in the sandbox).
    let by_login = c
        .candescent()
        .contact_methods("CR00000001", UserIdType::LoginId)
        .await
        .unwrap();
    assert_eq!(by_login.value.customer_id, ada);
    let e = c
        .candescent()
        .contact_methods("CR99999999", UserIdType::LoginId)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.family),
        (ErrorKind::NotFound, Family::Candescent)
    );
    assert_eq!(e.code.as_deref(), Some("NOT_FOUND"));
}

fn add(consent: &str) -> AddPhone {
    AddPhone {
        consent_type: consent.into(),
        phone_type: "mobile".into(),
        country_code: Some("44".into()),
        client_source: Some("custdesk".into()),
    }
}

#[tokio::test]
async fn relay_add_phone_and_its_errors() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let key = IdempotencyKey::fresh();
    let r = c
        .relay()
        .add_phone(&ada, "7700900555", &add("express"), &key)
        .await
        .unwrap();
    assert!(r.value.message.contains("added"), "{}", r.value.message);
    assert!(!r.replayed);
    // The same logical write again (same key, same body): replayed, not re-applied.
    let again = c
        .relay()
        .add_phone(&ada, "7700900555", &add("express"), &key)
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.value, r.value);
    assert_eq!(applied(&ts, key.as_str()), 1);

    // A new write of the same number: a conflict.
    let e = c
        .relay()
        .add_phone(
            &ada,
            "7700900555",
            &add("express"),
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.family),
        (ErrorKind::Conflict, Family::Relay)
    );
    assert!(
        e.message.contains("already on this customer"),
        "{}",
        e.message
    );
    assert_eq!(e.attempts, 1, "a 409 without Retry-After is not retried");

    // The same key with another body.
    let e = c
        .relay()
        .add_phone(&ada, "7700900555", &add("written"), &key)
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.status), (invalid("Idempotency-Key"), Some(422)));

    let e = c
        .relay()
        .add_phone(&ada, "123", &add("express"), &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(e.kind, invalid("phone_number"));
    let e = c
        .relay()
        .add_phone(&ada, "7700900556", &add("maybe"), &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(e.kind, invalid("consent_type"));
    let e = c
        .relay()
        .add_phone(
            &rival(&ts),
            "7700900556",
            &add("express"),
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);

    // Signed in with the wrong key, or with none.
    let mut cfg = config(&ts.base);
    cfg.relay_key = Some("not-the-key".into());
    let wrong = custdesk::api::Client::new(cfg.clone()).unwrap();
    let e = wrong
        .relay()
        .add_phone(
            &ada,
            "7700900556",
            &add("express"),
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Unauthenticated, Some(401)));
    cfg.relay_key = None;
    let none = custdesk::api::Client::new(cfg).unwrap();
    let e = none
        .relay()
        .add_phone(
            &ada,
            "7700900556",
            &add("express"),
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Unauthenticated, None));
    assert!(is_uuid(&e.correlation_id));
}

#[tokio::test]
async fn banking_crud_and_its_errors() {
    let ts = common::start(30).await;
    let bo = backoffice(&ts);

    let page = bo.banking().list(Some(0), Some(5)).await.unwrap();
    assert_eq!((page.value.page, page.value.size), (0, 5));
    assert_eq!(page.value.data.len(), 5);
    assert_eq!(page.value.count, 30);
    assert_eq!(page.value.data[0].last_name, "Quartermaine");
    let e = bo.banking().list(None, Some(0)).await.unwrap_err();
    assert_eq!(e.kind, invalid("size"));

    let input = BsCustomerInput {
        first_name: Some("Grace".into()),
        last_name: Some("Hopper".into()),
        email: Some("grace@example.com".into()),
        phone: Some("447700900777".into()),
        ..Default::default()
    };
    let create_key = IdempotencyKey::fresh();
    let created = bo.banking().create(&input, &create_key).await.unwrap();
    let id = created.value.id.clone();
    assert_eq!(created.value.email.as_deref(), Some("grace@example.com"));
    // A resent create with the same key returns the same customer: no twin.
    let twin = bo.banking().create(&input, &create_key).await.unwrap();
    assert!(twin.replayed);
    assert_eq!(twin.value.id, id);
    assert_eq!(applied(&ts, create_key.as_str()), 1);

    assert_eq!(
        bo.banking().get(&id).await.unwrap().value.first_name,
        "Grace"
    );
    let upd = BsCustomerInput {
        company: Some("Navy".into()),
        ..Default::default()
    };
    let updated = bo
        .banking()
        .update(&id, &upd, &IdempotencyKey::fresh())
        .await
        .unwrap();
    assert_eq!(updated.value.company.as_deref(), Some("Navy"));
    assert_eq!(updated.value.last_name, "Hopper");

    let bad = BsCustomerInput {
        email: Some("not an email".into()),
        ..Default::default()
    };
    let e = bo
        .banking()
        .update(&id, &bad, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.family),
        (invalid("email"), Family::Banking)
    );
    let e = bo
        .banking()
        .create(
            &BsCustomerInput {
                first_name: Some("Solo".into()),
                ..Default::default()
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, invalid("last_name"));

    let deleted = bo
        .banking()
        .delete(&id, &IdempotencyKey::fresh())
        .await
        .unwrap();
    assert_eq!(deleted.value.id, id);
    let e = bo.banking().get(&id).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = bo
        .banking()
        .delete(&id, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn forbidden_and_unauthenticated() {
    let ts = common::start(30).await;
    // The agent may read but not create customers.
    let e = agent(&ts)
        .banking()
        .create(
            &BsCustomerInput {
                first_name: Some("A".into()),
                last_name: Some("B".into()),
                ..Default::default()
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.status),
        (ErrorKind::Forbidden, Some(403))
    );
    assert!(e.message.contains("customers:write"), "{}", e.message);
    assert_eq!(e.code.as_deref(), Some("FORBIDDEN"));

    // The auditor may only read.
    let auditor = as_client(&ts, "auditor", "auditor-secret");
    let scopes = auditor.sign_in().await.unwrap();
    assert!(scopes.iter().any(|s| s == "customers:read"));
    assert!(!scopes.iter().any(|s| s == "contact:write"));

    // A wrong secret: the token endpoint refuses, and every call says so.
    let wrong = as_client(&ts, "agent", "guess");
    let e = wrong.sign_in().await.unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.family),
        (ErrorKind::Unauthenticated, Family::OAuth)
    );
    assert_eq!(e.code.as_deref(), Some("invalid_client"));
    let e = wrong.newday().get_customer(&ada(&ts)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthenticated);
    assert!(is_uuid(&e.correlation_id));

    // A token the server never issued.
    let bogus = with_token(config(&ts.base), "bogus");
    let e = bogus.banking().list(None, None).await.unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Unauthenticated, Some(401)));
    assert_eq!(
        e.attempts, 1,
        "a static token cannot be renewed, so no retry"
    );
}

#[tokio::test]
async fn a_base_pointed_at_the_wrong_service_is_a_decode_error() {
    let ts = common::start(30).await;
    let mut cfg = config(&ts.base);
    // bankingservice's customer resource where NewDay's should be.
    cfg.bases.newday = format!("{}/bankingservice/v1/profiles/demo-bank", ts.base);
    let c = custdesk::api::Client::new(cfg).unwrap();
    let e = c.newday().get_customer(&ada(&ts)).await.unwrap_err();
    assert_eq!((e.kind.clone(), e.status), (ErrorKind::Decode, Some(200)));
    assert!(e.message.contains("newday.get_customer"), "{}", e.message);
    assert_eq!(e.attempts, 1);
}

#[tokio::test]
async fn bad_configuration_is_refused_up_front() {
    let mut cfg = config("http://127.0.0.1:9");
    cfg.bases.citi = "ftp://example.com/citi".into();
    let e = custdesk::api::Client::new(cfg).unwrap_err();
    assert!(e.to_string().contains("Citi"), "{e}");
    let mut cfg = config("http://127.0.0.1:9");
    cfg.credentials = custdesk::api::Credentials::StaticTokenEnv {
        env_var: "CUSTDESK_TEST_SURELY_UNSET_9F2C".into(),
    };
    assert_eq!(
        custdesk::api::Client::new(cfg).unwrap_err(),
        custdesk::api::ClientBuildError::MissingTokenEnv("CUSTDESK_TEST_SURELY_UNSET_9F2C".into())
    );
}

#[tokio::test]
async fn the_client_is_cheap_to_share_across_tasks() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ids = ids(&ts, 20);
    let tasks: Vec<_> = ids
        .iter()
        .cloned()
        .map(|id| {
            let c = c.clone();
            tokio::spawn(async move { c.newday().get_customer(&id).await })
        })
        .collect();
    for (t, id) in tasks.into_iter().zip(&ids) {
        assert_eq!(&t.await.unwrap().unwrap().value.id, id);
    }
}
