//! NewDay customer-service (seed 001) over real HTTP: get, get-by-token, search on every
//! filter, the verify endpoints, and every documented error in the NewDay 400 model.

use crate::common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

const SEARCH: &str = "/customer-service/customers/search";
const VERIFY_EMAIL: &str = "/customer-service/customers/supported-formats/email-address";
const VERIFY_PHONE: &str = "/customer-service/customers/supported-formats/phone-number";

fn customer_path(id: &str) -> String {
    format!("/customer-service/customers/{id}")
}

#[tokio::test]
async fn get_customer_returns_contact_details_addresses_and_accounts() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;
    let a = ts.get(&customer_path(&ada), Some(&t)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let c = &a.body;
    assert_eq!(c["id"], ada.as_str());
    assert_eq!(c["customerRef"], "CR00000001");
    assert_eq!(c["givenName"], "Ada");
    assert_eq!(c["familyName"], "Quartermaine");
    assert_eq!(c["dateOfBirth"], "1984-03-09");
    assert_eq!(c["status"], "ACTIVE");
    let phones = c["contact"]["phoneNumbers"].as_array().unwrap();
    assert!(
        phones
            .iter()
            .any(|p| p["type"] == "MOBILE" && p["value"] == "+447700900123"),
        "{phones:?}"
    );
    assert!(
        c["contact"]["emailAddresses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["value"].as_str().unwrap().contains('@'))
    );
    assert_eq!(c["addresses"][0]["postcode"], "SW1A 1AA");
    assert_eq!(c["addresses"][0]["countryCode"], "GB");
    let acc = &c["accounts"][0];
    assert!(acc["accountNumber"].as_str().unwrap().len() >= 8);
    assert!(acc["accountId"].as_str().unwrap().starts_with("ACC"));
    assert!(a.header("x-correlation-id").is_some());
}

#[tokio::test]
async fn get_customer_errors() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;

    // 400: not a customer id, named.
    let a = ts.get(&customer_path("not-an-id"), Some(&t)).await;
    assert_newday_error(&a, 400, Some("customerId"));
    // 404: a well-formed id nobody has.
    let a = ts.get(&customer_path(&"0".repeat(32)), Some(&t)).await;
    assert_newday_error(&a, 404, None);
    // 401: no token, a malformed header, an unknown token.
    let a = ts.get(&customer_path(&ada), None).await;
    assert_newday_error(&a, 401, None);
    assert_eq!(a.header("www-authenticate"), Some("Bearer"));
    let a = answer(
        ts.req(Method::GET, &customer_path(&ada), None)
            .header("Authorization", "Basic YWdlbnQ6YWdlbnQtc2VjcmV0")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_newday_error(&a, 401, None);
    let a = ts.get(&customer_path(&ada), Some("made-up-token")).await;
    assert_newday_error(&a, 401, None);
    // 403: a valid token without customers:read.
    let narrow = ts
        .token_scoped("agent", "agent-secret", "institution-users:read")
        .await;
    let a = ts.get(&customer_path(&ada), Some(&narrow)).await;
    assert_newday_error(&a, 403, None);
    assert!(
        a.body["detail"]
            .as_str()
            .unwrap()
            .contains("customers:read")
    );
}

#[tokio::test]
async fn expired_token_is_401_not_403() {
    let ts = start_with(50, |c| c.token_ttl = 1).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;
    assert_eq!(ts.get(&customer_path(&ada), Some(&t)).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let a = ts.get(&customer_path(&ada), Some(&t)).await;
    assert_newday_error(&a, 401, None);
    assert!(a.body["detail"].as_str().unwrap().contains("expired"));
    let a = ts.search(&t, json!({"familyName": "Quartermaine"})).await;
    assert_newday_error(&a, 401, None);
}

#[tokio::test]
async fn another_tenants_customer_is_404_and_never_found_by_search() {
    let ts = start(50).await;
    let agent = ts.agent().await;
    let ada = ts.ada(&agent).await;
    let rival = ts.rival().await;

    let mine = ts.get(&customer_path(&ada), Some(&rival)).await;
    let nobody = ts.get(&customer_path(&"0".repeat(32)), Some(&rival)).await;
    assert_newday_error(&mine, 404, None);
    assert_newday_error(&nobody, 404, None);
    // Indistinguishable from an id that does not exist, apart from the id itself.
    assert_eq!(
        mine.body["detail"].as_str().unwrap().replace(&ada, "X"),
        nobody.body["detail"]
            .as_str()
            .unwrap()
            .replace(&"0".repeat(32), "X")
    );

    let a = ts
        .search(&rival, json!({"familyName": "Quartermaine"}))
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["count"], 0);
    let a = ts
        .search(&rival, json!({"phoneNumber": "07700900123"}))
        .await;
    assert_eq!(a.body["count"], 0);

    // And the rival sees its own customers.
    let theirs = ts.customer_ids(RIVAL, 1).remove(0);
    assert_eq!(
        ts.get(&customer_path(&theirs), Some(&rival)).await.status,
        200
    );
    assert_newday_error(
        &ts.get(&customer_path(&theirs), Some(&agent)).await,
        404,
        None,
    );
}

#[tokio::test]
async fn get_by_token_needs_a_customer_bound_token() {
    let ts = start(50).await;
    let agent = ts.agent().await;
    let ada = ts.ada(&agent).await;

    let a = ts.get("/customer-service/customers", Some(&agent)).await;
    assert_newday_error(&a, 403, None);
    assert!(
        a.body["detail"]
            .as_str()
            .unwrap()
            .contains("customer-bound")
    );
    assert_newday_error(
        &ts.get("/customer-service/customers", None).await,
        401,
        None,
    );

    let bound = ts.bound(&agent, &ada).await;
    let a = ts.get("/customer-service/customers", Some(&bound)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["id"], ada.as_str());
    assert!(a.header("NoCustomerDetails").is_none());

    // A bound token only reaches its own customer.
    let other = ts.customer_ids(DEMO, 2).remove(1);
    assert_eq!(ts.get(&customer_path(&ada), Some(&bound)).await.status, 200);
    assert_newday_error(
        &ts.get(&customer_path(&other), Some(&bound)).await,
        404,
        None,
    );
}

#[tokio::test]
async fn get_by_token_without_accounts_is_404_with_no_customer_details() {
    let ts = start(50).await;
    let bo = ts.backoffice().await;
    // bankingservice creates customers without any account.
    let created = ts
        .post(
            "/bankingservice/v1/profiles/demo-bank/customers",
            Some(&bo),
            &json!({"first_name": "Nora", "last_name": "Accountless"}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.body["id"].as_str().unwrap();
    let bound = ts.bound(&bo, id).await;
    let a = ts.get("/customer-service/customers", Some(&bound)).await;
    assert_newday_error(&a, 404, None);
    assert_eq!(a.header("NoCustomerDetails"), Some("true"));
}

async fn only_ada(ts: &TestSandbox, t: &str, filter: Value) {
    let a = ts.search(t, filter.clone()).await;
    assert_eq!(a.status, 200, "{filter}: {}", a.text);
    let values = a.body["values"].as_array().unwrap();
    assert!(
        values.iter().any(|v| v["familyName"] == "Quartermaine"),
        "{filter} finds Ada: {}",
        a.text
    );
    assert_eq!(a.body["count"].as_u64().unwrap() as usize, values.len());
}

#[tokio::test]
async fn search_finds_ada_by_every_filter() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;
    let full = ts.get(&customer_path(&ada), Some(&t)).await.body;
    let account = full["accounts"][0]["accountNumber"].as_str().unwrap();
    let email = full["contact"]["emailAddresses"][0]["value"]
        .as_str()
        .unwrap();

    only_ada(&ts, &t, json!({"familyName": "Quartermaine"})).await;
    // Prefix, case- and accent-insensitive.
    only_ada(&ts, &t, json!({"familyName": "quärt"})).await;
    only_ada(&ts, &t, json!({"givenName": "ADA", "familyName": "Q"})).await;
    only_ada(&ts, &t, json!({"postcode": "sw1a1aa"})).await;
    only_ada(&ts, &t, json!({"postcode": "SW1A 1AA"})).await;
    for phone in [
        "07700900123",
        "+44 7700 900123",
        "0044 7700 900123",
        "(07700) 900-123",
    ] {
        only_ada(&ts, &t, json!({"phoneNumber": phone})).await;
    }
    only_ada(&ts, &t, json!({"dateOfBirth": "1984-03-09"})).await;
    only_ada(&ts, &t, json!({"accountNumber": account})).await;
    only_ada(&ts, &t, json!({"customerRef": "CR00000001"})).await;
    only_ada(&ts, &t, json!({"emailAddress": email.to_uppercase()})).await;

    // Filters combine with AND.
    let a = ts
        .search(
            &t,
            json!({"familyName": "Quartermaine", "dateOfBirth": "1984-03-10"}),
        )
        .await;
    assert_eq!(a.body["count"], 0, "{}", a.text);
    // An auditor may search too: it is a read.
    let aud = ts.auditor().await;
    only_ada(&ts, &aud, json!({"familyName": "Quartermaine"})).await;
}

#[tokio::test]
async fn search_pages_and_sorts() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let mut seen = Vec::new();
    // Page through a real prefix.
    let prefix_total = {
        let a = ts.search(&t, json!({"givenName": "a"})).await;
        a.body["count"].as_u64().unwrap()
    };
    // The count is every demo customer whose given name starts with a or A.
    let in_store = ts.count(
        "SELECT count(*) FROM customers WHERE tenant = 'demo-bank' AND lower(substr(given_name, 1, 1)) = 'a'",
    );
    assert_eq!(prefix_total as i64, in_store);
    assert!(prefix_total >= 3, "enough to page through: {prefix_total}");
    for page in 0..=(prefix_total / 2) {
        let a = ts
            .post(
                SEARCH,
                Some(&t),
                &json!({"filter": {"givenName": "a"}, "page": page, "size": 2}),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.body["page"], page);
        assert_eq!(a.body["size"], 2);
        assert_eq!(a.body["count"], prefix_total);
        for v in a.body["values"].as_array().unwrap() {
            seen.push(v["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(
        seen.len() as u64,
        prefix_total,
        "pages cover every match once"
    );
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len() as u64, prefix_total, "no customer on two pages");

    // Default size is 20; sorting by date of birth, descending.
    let a = ts
        .post(
            SEARCH,
            Some(&t),
            &json!({"filter": {"dateOfBirth": "1984-03-09"}}),
        )
        .await;
    assert_eq!(a.body["size"], 20);
    assert_eq!(a.body["page"], 0);
    let a = ts
        .post(
            SEARCH,
            Some(&t),
            &json!({"filter": {"givenName": "a"}, "sort": "-dateOfBirth", "size": 100}),
        )
        .await;
    let dobs: Vec<&str> = a.body["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["dateOfBirth"].as_str().unwrap())
        .collect();
    assert_eq!(dobs.len() as u64, prefix_total);
    let mut sorted = dobs.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dobs, sorted);
    assert_ne!(dobs.first(), dobs.last());
}

#[tokio::test]
async fn search_refuses_bad_input_naming_the_field() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let before = ts.footprint();
    let cases: Vec<(Value, &str)> = vec![
        (json!({"filter": {}}), "filter"),
        (json!({}), "filter"),
        (json!({"filter": {"familyName": 42}}), "filter.familyName"),
        (
            json!({"filter": {"familyName": null, "givenName": "   "}}),
            "filter.givenName",
        ),
        (
            json!({"filter": {"familyName": "x".repeat(101)}}),
            "filter.familyName",
        ),
        (
            json!({"filter": {"familyName": "Quarter\u{1b}[2J"}}),
            "filter.familyName",
        ),
        (
            json!({"filter": {"givenName": ["Ada"]}}),
            "filter.givenName",
        ),
        (
            json!({"filter": {"postcode": "SW1A 1AA EXTRA"}}),
            "filter.postcode",
        ),
        (json!({"filter": {"postcode": "\u{0}"}}), "filter.postcode"),
        (
            json!({"filter": {"phoneNumber": "0770090012x"}}),
            "filter.phoneNumber",
        ),
        (
            json!({"filter": {"phoneNumber": "123"}}),
            "filter.phoneNumber",
        ),
        (
            json!({"filter": {"phoneNumber": "٠٧٧٠٠٩٠٠١٢٣"}}),
            "filter.phoneNumber",
        ),
        (
            json!({"filter": {"phoneNumber": 7700900123u64}}),
            "filter.phoneNumber",
        ),
        (
            json!({"filter": {"dateOfBirth": "09/03/1984"}}),
            "filter.dateOfBirth",
        ),
        (
            json!({"filter": {"dateOfBirth": "1984-02-30"}}),
            "filter.dateOfBirth",
        ),
        (
            json!({"filter": {"dateOfBirth": "2999-01-01"}}),
            "filter.dateOfBirth",
        ),
        (
            json!({"filter": {"dateOfBirth": "1899-12-31"}}),
            "filter.dateOfBirth",
        ),
        (
            json!({"filter": {"accountNumber": "1".repeat(35)}}),
            "filter.accountNumber",
        ),
        (
            json!({"filter": {"customerRef": true}}),
            "filter.customerRef",
        ),
        (
            json!({"filter": {"emailAddress": ""}}),
            "filter.emailAddress",
        ),
        (
            json!({"filter": {"surname": "Quartermaine"}}),
            "filter.surname",
        ),
        (json!({"filter": {"familyName": "Q"}, "extra": 1}), "extra"),
        (json!({"filter": {"familyName": "Q"}, "size": 0}), "size"),
        (json!({"filter": {"familyName": "Q"}, "size": 101}), "size"),
        (json!({"filter": {"familyName": "Q"}, "size": "20"}), "size"),
        (json!({"filter": {"familyName": "Q"}, "page": -1}), "page"),
        (json!({"filter": {"familyName": "Q"}, "page": 1.5}), "page"),
        (
            json!({"filter": {"familyName": "Q"}, "page": 4294967296u64}),
            "page",
        ),
        (
            json!({"filter": {"familyName": "Q"}, "page": 100001}),
            "page",
        ),
        (
            json!({"filter": {"familyName": "Q"}, "sort": "age"}),
            "sort",
        ),
        (json!({"filter": "Quartermaine"}), "filter"),
        (json!([{"familyName": "Quartermaine"}]), "body"),
        (json!("Quartermaine"), "body"),
        (json!(null), "body"),
    ];
    for (body, field) in cases {
        let a = ts.post(SEARCH, Some(&t), &body).await;
        assert_newday_error(&a, 400, Some(field));
        assert!(
            !a.text.contains('\u{1b}'),
            "control characters are not echoed raw"
        );
    }
    // Malformed JSON and trailing garbage.
    for (raw, field) in [
        ("{\"filter\":", "filter"),
        ("{\"filter\":{\"familyName\":\"Q\"}} trailing", "body"),
        ("", "body"),
        ("\u{feff}{}", "body"),
        (
            "{\"filter\":{\"familyName\":\"\\ud800\"}}",
            "filter.familyName",
        ),
    ] {
        let a = answer(
            ts.req(Method::POST, SEARCH, Some(&t))
                .header("content-type", "application/json")
                .body(raw.to_string())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_newday_error(&a, 400, Some(field));
    }
    // Not JSON at all: 415 naming Content-Type.
    let a = answer(
        ts.req(Method::POST, SEARCH, Some(&t))
            .header("content-type", "text/plain")
            .body("{\"filter\":{\"familyName\":\"Q\"}}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_newday_error(&a, 415, Some("Content-Type"));
    assert_eq!(ts.footprint(), before, "a refused search writes nothing");
}

#[tokio::test]
async fn search_unicode_names_are_found_not_refused() {
    let ts = start(50).await;
    let bo = ts.backoffice().await;
    for (first, last) in [
        ("Zoë", "Ó Súilleabháin"),
        ("Jürgen", "Strauß"),
        ("Ayşe", "Yılmaz"),
    ] {
        let a = ts
            .post(
                "/bankingservice/v1/profiles/demo-bank/customers",
                Some(&bo),
                &json!({"first_name": first, "last_name": last}),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        let found = ts
            .search(&bo, json!({"givenName": first, "familyName": last}))
            .await;
        assert_eq!(found.status, 200, "{}", found.text);
        assert!(
            found.body["values"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["familyName"] == last && v["givenName"] == first),
            "{first} {last}: {}",
            found.text
        );
    }
    // Folded spelling finds the accented one.
    let a = ts.search(&bo, json!({"familyName": "STRAUSS"})).await;
    assert!(a.body["count"].as_u64().unwrap() >= 1, "{}", a.text);
}

#[tokio::test]
async fn search_auth_errors() {
    let ts = start(50).await;
    let a = ts.search("nope", json!({"familyName": "Q"})).await;
    assert_newday_error(&a, 401, None);
    let a = ts
        .post(SEARCH, None, &json!({"filter": {"familyName": "Q"}}))
        .await;
    assert_newday_error(&a, 401, None);
    let narrow = ts
        .token_scoped("agent", "agent-secret", "institution-users:read")
        .await;
    let a = ts.search(&narrow, json!({"familyName": "Q"})).await;
    assert_newday_error(&a, 403, None);
}

#[tokio::test]
async fn verify_email_checks_format_only() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ok = ts
        .post(
            VERIFY_EMAIL,
            Some(&t),
            &json!({"emailAddress": "ada@example.com"}),
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, json!({"isValid": true}));
    for bad in [
        "ada",
        "ada@example",
        "a b@example.com",
        "ada@@example.com",
        "ada@-x.com",
    ] {
        let a = ts
            .post(VERIFY_EMAIL, Some(&t), &json!({"emailAddress": bad}))
            .await;
        assert_eq!(a.status, 200, "{bad}: {}", a.text);
        assert_eq!(a.body["isValid"], false, "{bad}");
        assert!(a.body["reason"].as_str().is_some_and(|r| !r.is_empty()));
    }
    let before = ts.footprint();
    for (body, field) in [
        (json!({"emailAddress": ""}), "emailAddress"),
        (json!({"emailAddress": "   "}), "emailAddress"),
        (json!({"emailAddress": 5}), "emailAddress"),
        (
            json!({"emailAddress": format!("{}@example.com", "a".repeat(300))}),
            "emailAddress",
        ),
        (
            json!({"emailAddress": "ada\u{7}@example.com"}),
            "emailAddress",
        ),
        (json!({}), "emailAddress"),
        (
            json!({"emailAddress": "ada@example.com", "phone": "x"}),
            "phone",
        ),
    ] {
        let a = ts.post(VERIFY_EMAIL, Some(&t), &body).await;
        assert_newday_error(&a, 400, Some(field));
    }
    assert_eq!(ts.footprint(), before);
    assert_newday_error(
        &ts.post(VERIFY_EMAIL, None, &json!({"emailAddress": "a@b.com"}))
            .await,
        401,
        None,
    );
    let narrow = ts
        .token_scoped("agent", "agent-secret", "institution-users:read")
        .await;
    assert_newday_error(
        &ts.post(
            VERIFY_EMAIL,
            Some(&narrow),
            &json!({"emailAddress": "a@b.com"}),
        )
        .await,
        403,
        None,
    );
}

#[tokio::test]
async fn verify_phone_accepts_uk_mobiles_only() {
    let ts = start(50).await;
    let t = ts.agent().await;
    for good in [
        "07700900123",
        "+44 7700 900123",
        "0044 7700 900123",
        "07700 900-123",
    ] {
        let a = ts
            .post(VERIFY_PHONE, Some(&t), &json!({"phoneNumber": good}))
            .await;
        assert_eq!(a.status, 200);
        assert_eq!(a.body, json!({"isValid": true}), "{good}");
    }
    for bad in [
        "02079460000",
        "0770090012",
        "+61 412 345 678",
        "0770O900123",
        "+1 212 555 0100",
    ] {
        let a = ts
            .post(VERIFY_PHONE, Some(&t), &json!({"phoneNumber": bad}))
            .await;
        assert_eq!(a.status, 200, "{bad}");
        assert_eq!(a.body["isValid"], false, "{bad}");
        assert!(a.body["reason"].is_string());
    }
    let before = ts.footprint();
    for (body, field) in [
        (json!({"phoneNumber": ""}), "phoneNumber"),
        (json!({"phoneNumber": 7700900123u64}), "phoneNumber"),
        (json!({"phoneNumber": "0".repeat(21)}), "phoneNumber"),
        (json!({"phoneNumber": "07700\n900123"}), "phoneNumber"),
        (json!({"number": "07700900123"}), "number"),
    ] {
        let a = ts.post(VERIFY_PHONE, Some(&t), &body).await;
        assert_newday_error(&a, 400, Some(field));
    }
    // Unicode digits are not a UK mobile, but not a server error either.
    let a = ts
        .post(
            VERIFY_PHONE,
            Some(&t),
            &json!({"phoneNumber": "０７７００９００１２３"}),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["isValid"], false);
    assert_eq!(ts.footprint(), before);
    assert_newday_error(
        &ts.post(
            VERIFY_PHONE,
            Some("bad"),
            &json!({"phoneNumber": "07700900123"}),
        )
        .await,
        401,
        None,
    );
}
