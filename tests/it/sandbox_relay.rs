//! Relay CDM add phone (seed 003) over real HTTP: API key, limits of 50, duplicates,
//! consent updates and bad input, checked against the store.

use crate::common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

const KEY: &str = "demo-relay-key";

fn path(client: &str, ccid: &str, number: &str) -> String {
    format!("/platform/v3/api/cdm/client/{client}/customer/{ccid}/add_phone/{number}")
}

async fn add(ts: &TestSandbox, key: Option<&str>, path: &str, body: &Value) -> Answer {
    let mut b = ts.req(Method::PUT, path, None).json(body);
    if let Some(k) = key {
        b = b.header("xx-relay-api-key", k);
    }
    answer(b.send().await.expect("send")).await
}

fn express() -> Value {
    json!({"consent_type": "express", "phone_type": "mobile"})
}

/// A number the generator never produces: US national numbers never start with 1.
fn fresh(n: usize) -> String {
    format!("100555{n:04}")
}

#[tokio::test]
async fn adds_a_phone_that_candescent_then_shows() {
    let ts = start(50).await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let before = ts.phone_count(&ada);
    let a = add(
        &ts,
        Some(KEY),
        &path(DEMO, &ada, "2125550199"),
        &json!({"consent_type": "written", "phone_type": "landline", "country_code": "1", "client_source": "ivr"}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body["message"].as_str().unwrap().contains("added"));
    assert_eq!(ts.phone_count(&ada), before + 1);

    let t = ts.agent().await;
    let cm = answer(
        ts.req(
            Method::GET,
            &format!("/digitalbanking/ux-users/v1/customers/{ada}/contact-methods"),
            Some(&t),
        )
        .header("correlationId", "c1")
        .send()
        .await
        .unwrap(),
    )
    .await;
    let added = cm.body["contactMethods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["contactInfo"] == "2125550199")
        .cloned()
        .expect("the new phone is a contact method");
    assert_eq!(added["telephoneCountryCode"], "1");
    assert_eq!(added["protocol"], "VOICE");
    assert_eq!(added["consentType"], "written");
    assert_eq!(added["clientSource"], "ivr");
    assert_eq!(added["isActivated"], true);
}

#[tokio::test]
async fn country_code_defaults_to_1_and_an_11_digit_nanp_number_is_the_same_number() {
    let ts = start(50).await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let a = add(&ts, Some(KEY), &path(DEMO, &ada, "2125550142"), &express()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let cc: String = ts
        .sb
        .state
        .store
        .read(|c| {
            c.query_row(
                "SELECT country_code FROM phones WHERE national = '2125550142'",
                [],
                |r| r.get(0),
            )
        })
        .unwrap();
    assert_eq!(cc, "1");
    // 1 + the same ten digits is the same number: a repeat.
    let a = add(&ts, Some(KEY), &path(DEMO, &ada, "12125550142"), &express()).await;
    assert_relay_error(&a, 409, None);
}

#[tokio::test]
async fn a_repeated_number_is_409_and_a_new_consent_updates_it() {
    let ts = start(50).await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    // Ada's seeded mobile, written as dialled in the UK.
    let body = json!({"consent_type": "express", "phone_type": "mobile", "country_code": "44"});
    let before = ts.footprint();
    let a = add(&ts, Some(KEY), &path(DEMO, &ada, "07700900123"), &body).await;
    assert_relay_error(&a, 409, None);
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .contains("already on this customer")
    );
    assert_eq!(ts.footprint(), before, "a refused add writes nothing");

    // The same number with consent `stop` withdraws consent instead.
    let stop = json!({"consent_type": "stop", "phone_type": "mobile", "country_code": "44"});
    let a = add(&ts, Some(KEY), &path(DEMO, &ada, "07700900123"), &stop).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body["message"].as_str().unwrap().contains("stop"));
    let (consent, activated): (String, bool) = ts
        .sb
        .state
        .store
        .read(|c| {
            c.query_row(
                "SELECT consent, activated FROM phones WHERE national = '7700900123' AND country_code = '44'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .unwrap();
    assert_eq!(consent, "stop");
    assert!(!activated);
    // Same consent again is a repeat.
    let a = add(&ts, Some(KEY), &path(DEMO, &ada, "07700900123"), &stop).await;
    assert_relay_error(&a, 409, None);
    // And express gives it back.
    let a = add(&ts, Some(KEY), &path(DEMO, &ada, "07700900123"), &body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(ts.footprint()[3], before[3], "consent changes add no phone");
}

#[tokio::test]
async fn the_50th_phone_is_accepted_and_the_51st_refused() {
    let ts = start(50).await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let existing = ts.phone_count(&ada) as usize;
    for n in existing..50 {
        let a = add(&ts, Some(KEY), &path(DEMO, &ada, &fresh(n)), &express()).await;
        assert_eq!(a.status, 200, "phone {}: {}", n + 1, a.text);
    }
    assert_eq!(ts.phone_count(&ada), 50);
    let a = add(&ts, Some(KEY), &path(DEMO, &ada, &fresh(99)), &express()).await;
    assert_relay_error(&a, 409, None);
    let msg = a.body["message"].as_str().unwrap();
    assert!(msg.contains("50 phone numbers"), "{msg}");
    assert_eq!(ts.phone_count(&ada), 50, "the 51st was not written");
    // A consent change on a held number is still allowed at the limit.
    let a = add(
        &ts,
        Some(KEY),
        &path(DEMO, &ada, &fresh(49)),
        &json!({"consent_type": "stop", "phone_type": "mobile"}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn a_number_on_50_customers_is_refused_for_the_51st() {
    let ts = start(60).await;
    let ids = ts.customer_ids(DEMO, 51);
    assert_eq!(ids.len(), 51);
    let number = fresh(7);
    for (i, id) in ids.iter().take(50).enumerate() {
        let a = add(&ts, Some(KEY), &path(DEMO, id, &number), &express()).await;
        assert_eq!(a.status, 200, "customer {}: {}", i + 1, a.text);
    }
    let writes = ts.count("SELECT count(*) FROM write_log");
    let a = add(&ts, Some(KEY), &path(DEMO, &ids[50], &number), &express()).await;
    assert_relay_error(&a, 409, None);
    let msg = a.body["message"].as_str().unwrap();
    assert!(msg.contains("50 customers"), "{msg}");
    assert_eq!(
        ts.count(&format!(
            "SELECT count(*) FROM phones WHERE national = '{number}'"
        )),
        50
    );
    assert_eq!(ts.count("SELECT count(*) FROM write_log"), writes);
    // The rival tenant's customers do not count against ours.
    let rival = ts.customer_ids(RIVAL, 1).remove(0);
    let a = add(
        &ts,
        Some("rival-relay-key"),
        &path(RIVAL, &rival, &number),
        &express(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn api_key_errors_are_401() {
    let ts = start(50).await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let p = path(DEMO, &ada, &fresh(1));
    let before = ts.footprint();
    let a = add(&ts, None, &p, &express()).await;
    assert_relay_error(&a, 401, None);
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .contains("xx-relay-api-key")
    );
    let a = add(&ts, Some("demo-relay-kez"), &p, &express()).await;
    assert_relay_error(&a, 401, None);
    // A bearer token is not a Relay key.
    let t = ts.agent().await;
    let a = answer(
        ts.req(Method::PUT, &p, Some(&t))
            .json(&express())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_relay_error(&a, 401, None);
    // Another tenant's key for our client id.
    let a = add(&ts, Some("rival-relay-key"), &p, &express()).await;
    assert_relay_error(&a, 401, None);
    assert_eq!(ts.footprint(), before);
}

#[tokio::test]
async fn unknown_and_other_tenants_ccids_are_404() {
    let ts = start(50).await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let before = ts.footprint();
    let a = add(
        &ts,
        Some(KEY),
        &path(DEMO, &"0".repeat(32), &fresh(1)),
        &express(),
    )
    .await;
    assert_relay_error(&a, 404, None);
    let a = add(
        &ts,
        Some("rival-relay-key"),
        &path(RIVAL, &ada, &fresh(1)),
        &express(),
    )
    .await;
    assert_relay_error(&a, 404, None);
    assert_eq!(ts.footprint(), before);
}

#[tokio::test]
async fn bad_input_is_400_naming_the_field_and_writes_nothing() {
    let ts = start(50).await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let good = path(DEMO, &ada, &fresh(1));
    let before = ts.footprint();
    let cases: Vec<(String, Value, &str)> = vec![
        // Path: the number.
        (path(DEMO, &ada, "212555019"), express(), "phone_number"),
        (path(DEMO, &ada, "212555019912"), express(), "phone_number"),
        (path(DEMO, &ada, "212-555-0199"), express(), "phone_number"),
        (
            path(
                DEMO,
                &ada,
                "%D9%A0%D9%A1%D9%A2%D9%A3%D9%A4%D9%A5%D9%A6%D9%A7%D9%A8%D9%A9",
            ),
            express(),
            "phone_number",
        ),
        (
            path(DEMO, &ada, "%2B12125550199"),
            express(),
            "phone_number",
        ),
        // Path: the ccid.
        (path(DEMO, &"c".repeat(101), &fresh(1)), express(), "ccid"),
        // Body fields.
        (
            good.clone(),
            json!({"phone_type": "mobile"}),
            "consent_type",
        ),
        (
            good.clone(),
            json!({"consent_type": "yes", "phone_type": "mobile"}),
            "consent_type",
        ),
        (
            good.clone(),
            json!({"consent_type": "", "phone_type": "mobile"}),
            "consent_type",
        ),
        (
            good.clone(),
            json!({"consent_type": "EXPRESS", "phone_type": "mobile"}),
            "consent_type",
        ),
        (
            good.clone(),
            json!({"consent_type": 1, "phone_type": "mobile"}),
            "consent_type",
        ),
        (
            good.clone(),
            json!({"consent_type": "express\u{0}", "phone_type": "mobile"}),
            "consent_type",
        ),
        (
            good.clone(),
            json!({"consent_type": "express"}),
            "phone_type",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "fax"}),
            "phone_type",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": null}),
            "phone_type",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "mobile", "country_code": ""}),
            "country_code",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "mobile", "country_code": "+44"}),
            "country_code",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "mobile", "country_code": "4444"}),
            "country_code",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "mobile", "country_code": 44}),
            "country_code",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "mobile", "country_code": "٤٤"}),
            "country_code",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "mobile", "client_source": ""}),
            "client_source",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "mobile", "client_source": "x".repeat(51)}),
            "client_source",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "mobile", "client_source": "web\u{1b}[31m"}),
            "client_source",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "mobile", "client_source": {"a": 1}}),
            "client_source",
        ),
        (
            good.clone(),
            json!({"consent_type": "express", "phone_type": "mobile", "note": "hi"}),
            "note",
        ),
        (good.clone(), json!(["express", "mobile"]), "body"),
    ];
    for (p, body, field) in cases {
        let a = add(&ts, Some(KEY), &p, &body).await;
        assert_relay_error(&a, 400, Some(field));
    }
    // Unicode in a free-text field is fine.
    let a = add(
        &ts,
        Some(KEY),
        &good,
        &json!({"consent_type": "express", "phone_type": "mobile", "client_source": "app – Zoë"}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let after = ts.footprint();
    assert_eq!(
        after[3],
        before[3] + 1,
        "only the good request added a phone"
    );
    assert_eq!(after[6], before[6] + 1, "only the good request was logged");
}

#[tokio::test]
async fn a_non_json_body_is_415_and_an_oversized_one_413() {
    let ts = start(50).await;
    let ada = ts.customer_ids(DEMO, 1).remove(0);
    let p = path(DEMO, &ada, &fresh(1));
    let before = ts.footprint();
    let a = answer(
        ts.req(Method::PUT, &p, None)
            .header("xx-relay-api-key", KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("consent_type=express&phone_type=mobile")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_relay_error(&a, 415, Some("Content-Type"));
    let huge = json!({"consent_type": "express", "phone_type": "mobile", "client_source": "x".repeat(1024 * 1024)});
    let a = add(&ts, Some(KEY), &p, &huge).await;
    assert_relay_error(&a, 413, None);
    assert_eq!(ts.footprint(), before);
}
