//! The endpoints the console does not drive yet (issue 12), called through the client
//! against a real in-process sandbox: each answers what the sandbox holds. And the
//! README's endpoint table against the sandbox's own OpenAPI document.

use std::collections::BTreeSet;

use crate::api_support;
use crate::common;

use api_support::*;
use base64::Engine;
use custdesk::api::ops::{Answer, Write};
use custdesk::api::wire::citi::ProfileImage;
use custdesk::api::{BoundCustomer, ErrorKind, IdempotencyKey};

/// A column of Ada's row in the store.
fn ada_column(ts: &common::TestSandbox, column: &'static str) -> String {
    let id = ada(ts);
    ts.sb
        .state
        .store
        .read(|c| {
            c.query_row(
                &format!("SELECT {column} FROM customers WHERE id = ?1"),
                [id],
                |r| r.get(0),
            )
        })
        .expect("Ada is in the store")
}

#[tokio::test]
async fn card_account_addresses_are_the_home_and_mailing_addresses() {
    let ts = common::start(10).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let card = card_of(&c, &ada).await;
    let held = c.citi().addresses(&ada).await.unwrap().value.address_list;
    let home = held.iter().find(|a| a.address_type == "HOME").unwrap();
    let bill = held
        .iter()
        .find(|a| a.address_type == "MAILING")
        .unwrap_or(home);

    let ca = c.citi().card_addresses(&ada, &card).await.unwrap().value;
    assert_eq!(&ca.card_to_address, home);
    assert_eq!(&ca.pin_to_address, home);
    assert_eq!(&ca.bill_to_address, bill);
    assert_eq!(ca.card_to_address.postal_code, "SW1A 1AA");

    // Another kind of account has no card addresses.
    let accounts = accounts_of(&c, &ada).await;
    if let Some((other, _)) = accounts.iter().find(|(_, kind)| kind != "CARD") {
        let e = c.citi().card_addresses(&ada, other).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
    }
}

#[tokio::test]
async fn partner_profile_adds_the_partner_segment() {
    let ts = common::start(10).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let own = c.citi().profile(&ada).await.unwrap().value;
    let partner = c.citi().partner_profile(&ada).await.unwrap().value;
    assert_eq!(
        own.partner_customer_segment, None,
        "only the partner view has it"
    );
    let held = ada_column(&ts, "partner_segment");
    let want = if held.is_empty() { "NONE" } else { &held };
    assert_eq!(partner.partner_customer_segment.as_deref(), Some(want));
    assert_eq!(partner.customer_segment, ada_column(&ts, "segment"));
    assert_eq!(partner.customer_particulars, own.customer_particulars);
}

#[tokio::test]
async fn the_separate_reads_answer_the_profile_parts() {
    let ts = common::start(10).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let citi = c.citi();
    let p = citi.profile(&ada).await.unwrap().value;
    assert_eq!(
        citi.addresses(&ada).await.unwrap().value.address_list,
        p.address_list
    );
    assert_eq!(citi.emails(&ada).await.unwrap().value.emails, p.emails);
    assert_eq!(citi.phones(&ada).await.unwrap().value.phones, p.phones);
    let basic = citi.basic(&ada).await.unwrap().value;
    assert_eq!(basic.customer_particulars, p.customer_particulars);
    assert_eq!(basic.customer_segment, p.customer_segment);
    assert_eq!(basic.customer_particulars.date_of_birth, "1984-03-09");
}

#[tokio::test]
async fn profile_image_round_trip_through_the_write_module() {
    let ts = common::start(10).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let none = c.citi().profile_image(&ada).await.unwrap();
    assert_eq!(none.value, None, "no image yet: a typed none, not an error");

    let jpeg = [b"\xff\xd8\xff\xe0".as_slice(), &[7u8; 64]].concat();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&jpeg);
    let put = Write::PutImage {
        customer: ada.clone(),
        image: ProfileImage {
            image_type: "image/jpeg".into(),
            image: encoded.clone(),
        },
    };
    let stored = match put.send(&c, &IdempotencyKey::fresh()).await.unwrap().value {
        Answer::Image(i) => i,
        other => panic!("a put answers the stored image, not {other:?}"),
    };
    assert_eq!(
        (stored.image_type.as_str(), &stored.image),
        ("image/jpeg", &encoded)
    );
    let got = c.citi().profile_image(&ada).await.unwrap();
    assert_eq!(got.value, Some(stored));

    let del = Write::DeleteImage {
        customer: ada.clone(),
    };
    let answer = del.send(&c, &IdempotencyKey::fresh()).await.unwrap();
    assert_eq!(answer.value, Answer::ImageDeleted);
    let gone = c.citi().profile_image(&ada).await.unwrap();
    assert_eq!((gone.status, gone.value), (404, None));

    // A customer the institution does not hold is still an error, not "no image".
    let e = c.citi().profile_image(&rival(&ts)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn an_accepted_offer_is_fulfilled_through_the_write_module() {
    let ts = common::start(10).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let offers = c.citi().profile(&ada).await.unwrap().value.offers;
    let (first, second) = (&offers[0].offer_id, &offers[1].offer_id);

    let fulfil = Write::fulfil(&ada, first, Some("called in to take it up"));
    assert_eq!(fulfil.action(), "offer.fulfil");
    assert_eq!(fulfil.scope(), Write::offer(&ada, first, true).scope());
    let e = fulfil.send(&c, &IdempotencyKey::fresh()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict, "not accepted yet: {e}");

    Write::offer(&ada, first, true)
        .send(&c, &IdempotencyKey::fresh())
        .await
        .unwrap();
    let done = fulfil.send(&c, &IdempotencyKey::fresh()).await.unwrap();
    assert_eq!(done.status, 201);
    let Answer::Fulfilled(f) = &done.value else {
        panic!("a fulfilment answers the fulfilment, not {:?}", done.value);
    };
    assert_eq!((&f.offer_id, f.offer_status.as_str()), (first, "FULFILLED"));
    assert!(done.value.summary().contains(&f.fulfillment_id));
    let now = c.citi().profile(&ada).await.unwrap().value.offers;
    assert!(
        now.iter()
            .any(|o| &o.offer_id == first && o.offer_status == "FULFILLED")
    );

    // A declined offer is not fulfilled.
    Write::offer(&ada, second, false)
        .send(&c, &IdempotencyKey::fresh())
        .await
        .unwrap();
    let e = Write::fulfil(&ada, second, None)
        .send(&c, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
}

#[tokio::test]
async fn newday_by_token_answers_the_bound_customer() {
    let ts = common::start(10).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let by_id = c.newday().get_customer(&ada).await.unwrap().value;
    let bound = c.newday().get_customer_by_token(&ada).await.unwrap();
    assert_eq!(bound.value, BoundCustomer::Customer(Box::new(by_id)));
    assert!(bound.value.describe().contains(&ada));
    // A customer without an account (`NoCustomerDetails`, a typed answer):
    // api_families::newday_get_customer_by_token.
}

#[tokio::test]
async fn banking_directory_pages_through_the_tenant() {
    let ts = common::start(12).await;
    let bo = backoffice(&ts);
    let want = ids(&ts, 12);
    let first = bo.banking().list(Some(0), Some(5)).await.unwrap().value;
    let second = bo.banking().list(Some(1), Some(5)).await.unwrap().value;
    let last = bo.banking().list(Some(2), Some(5)).await.unwrap().value;
    assert_eq!(
        (second.page, second.size, second.pages, second.count),
        (1, 5, 3, 12)
    );
    let page_ids = |p: &custdesk::api::wire::banking::BsPage| -> Vec<String> {
        p.data.iter().map(|c| c.id.clone()).collect()
    };
    assert_eq!(page_ids(&first), want[0..5]);
    assert_eq!(page_ids(&second), want[5..10]);
    assert_eq!(page_ids(&last), want[10..12]);
    let past = bo.banking().list(Some(3), Some(5)).await.unwrap().value;
    assert!(past.data.is_empty());
}

/// `(METHOD, path)` of every row of the README's endpoint table.
fn readme_rows() -> BTreeSet<(String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // "| GET | `/path` | ..." splits into ["", "GET", "`/path`", ...].
            let method = *cells.get(1)?;
            let path = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            ["GET", "PUT", "POST", "DELETE", "PATCH"]
                .contains(&method)
                .then(|| (method.to_string(), path.to_string()))
        })
        .collect()
}

#[tokio::test]
async fn readme_lists_every_openapi_operation() {
    let ts = common::start(3).await;
    let got = ts.get("/openapi.json", None).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let doc = got.body;
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert!(ops.len() >= 31, "the five seed APIs: {ops:?}");
    let rows = readme_rows();
    let missing: Vec<_> = ops.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the README's endpoint table: {missing:?}"
    );
    let stale: Vec<_> = rows.difference(&ops).collect();
    assert!(
        stale.is_empty(),
        "README rows for operations the sandbox does not serve: {stale:?}"
    );
}
