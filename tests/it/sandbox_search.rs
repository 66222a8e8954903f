//! A search that forgives, over real HTTP: each form a caller says (a bare phone
//! number, a date, a postcode's first half, an account's last four, names in either
//! order) goes through the console's own parser and filter to a real sandbox and finds
//! Ada Quartermaine; the sandbox's extension filters refuse bad values in the NewDay 400
//! model and are documented in the OpenAPI text.

use crate::common;

use common::*;
use custdesk::api::wire::newday::SearchFilter;
use custdesk::domain::query;
use serde_json::{Value, json};

/// Ada's first account number, read over HTTP.
async fn ada_account(ts: &TestSandbox, t: &str) -> String {
    let ada = ts.ada(t).await;
    let full = ts
        .get(&format!("/customer-service/customers/{ada}"), Some(t))
        .await
        .body;
    full["accounts"][0]["accountNumber"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Search as the search box would for `typed`, asking for up to 100 rows.
async fn search_as_typed(ts: &TestSandbox, t: &str, typed: &str) -> Answer {
    let q = query::parse(typed)
        .unwrap_or_else(|e| panic!("{typed}: {e}"))
        .unwrap_or_else(|| panic!("{typed}: nothing to search"));
    let filter = serde_json::to_value(SearchFilter::from(q)).unwrap();
    ts.post(
        "/customer-service/customers/search",
        Some(t),
        &json!({"filter": filter, "size": 100}),
    )
    .await
}

fn finds_ada(typed: &str, a: &Answer) {
    assert_eq!(a.status, 200, "{typed}: {}", a.text);
    let values = a.body["values"].as_array().unwrap();
    assert!(
        values
            .iter()
            .any(|v| v["familyName"] == "Quartermaine" && v["givenName"] == "Ada"),
        "{typed} finds Ada: {}",
        a.text
    );
    assert_eq!(a.body["count"].as_u64().unwrap() as usize, values.len());
}

#[tokio::test]
async fn every_spoken_search_form_finds_ada() {
    let ts = start(300).await;
    let t = ts.agent().await;
    let account = ada_account(&ts, &t).await;
    let last_four = &account[account.len() - 4..];
    let mut forms: Vec<String> = [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "(0)7700-900123",
        "+44 (0)7700 900123",
        "0044 7700 900 123",
        "09/03/1984",
        "9/3/1984",
        "9 March 1984",
        "1984-03-09",
        "dob:9 Mar 1984",
        "SW1A",
        "sw1a",
        "SW1A 1AA",
        "pc:SW1A 1",
        "pc:SW1A",
        "Quartermaine Ada",
        "Ada Quartermaine",
        "quart ada",
        "ADA QUÄRT",
        "Quartermaine",
    ]
    .map(String::from)
    .to_vec();
    forms.push(format!("acct:{last_four}"));
    forms.push(format!("acct:{account}"));
    for typed in &forms {
        finds_ada(typed, &search_as_typed(&ts, &t, typed).await);
    }
}

#[tokio::test]
async fn names_match_in_either_order_and_no_more() {
    let ts = start(300).await;
    let t = ts.agent().await;
    let count = |a: &Answer| a.body["count"].as_u64().unwrap();
    let one = ts
        .search(&t, json!({"nameWords": ["ada", "quartermaine"]}))
        .await;
    let other = ts
        .search(&t, json!({"nameWords": ["Quartermaine", "Ada"]}))
        .await;
    assert_eq!(count(&one), count(&other), "{} / {}", one.text, other.text);
    assert_eq!(one.body["values"], other.body["values"]);
    // Both words must match: one a given name, the other a family name.
    let none = ts
        .search(&t, json!({"nameWords": ["quartermaine", "quartermaine"]}))
        .await;
    assert_eq!(count(&none), 0, "{}", none.text);
    // Either order is the sum of both orders (no name starts with both `q` and `ada`).
    let pair = ts.search(&t, json!({"nameWords": ["q", "ada"]})).await;
    let given_first = ts
        .search(&t, json!({"givenName": "ada", "familyName": "q"}))
        .await;
    let family_first = ts
        .search(&t, json!({"givenName": "q", "familyName": "ada"}))
        .await;
    assert!(count(&pair) >= 1, "{}", pair.text);
    assert_eq!(count(&pair), count(&given_first) + count(&family_first));
}

#[tokio::test]
async fn postcode_prefix_and_last_four_narrow_like_the_full_value() {
    let ts = start(300).await;
    let t = ts.agent().await;
    let count = |a: &Answer| a.body["count"].as_u64().unwrap();
    let whole = ts.search(&t, json!({"postcode": "SW1A 1AA"})).await;
    let outward = ts.search(&t, json!({"postcodePrefix": "sw1a"})).await;
    let area = ts.search(&t, json!({"postcodePrefix": "S W"})).await;
    assert!(count(&whole) >= 1, "{}", whole.text);
    assert!(count(&outward) >= count(&whole), "{}", outward.text);
    assert!(count(&area) >= count(&outward), "{}", area.text);
    // Every customer found by the prefix has an address that starts with it.
    for v in area.body["values"].as_array().unwrap() {
        assert!(
            v["addresses"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["postcode"].as_str().unwrap().starts_with("SW")),
            "{v}"
        );
    }
    let account = ada_account(&ts, &t).await;
    let four = &account[account.len() - 4..];
    let by_four = ts.search(&t, json!({"accountLastFour": four})).await;
    for v in by_four.body["values"].as_array().unwrap() {
        assert!(
            v["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["accountNumber"].as_str().unwrap().ends_with(four)),
            "{v}"
        );
    }
    finds_ada("accountLastFour", &by_four);
}

#[tokio::test]
async fn extension_filters_refuse_bad_values_by_name() {
    let ts = start(50).await;
    let t = ts.agent().await;
    for (filter, field) in [
        (json!({"postcodePrefix": "S"}), "filter.postcodePrefix"),
        (
            json!({"postcodePrefix": "S".repeat(11)}),
            "filter.postcodePrefix",
        ),
        (json!({"accountLastFour": "12a4"}), "filter.accountLastFour"),
        (
            json!({"accountLastFour": "12345"}),
            "filter.accountLastFour",
        ),
        (json!({"nameWords": ["ada"]}), "filter.nameWords"),
        (json!({"nameWords": ["ada", " "]}), "filter.nameWords"),
        (json!({"nameWords": ["a", "b", "c"]}), "filter.nameWords"),
        (json!({"phoneNumber": "0"}), "filter.phoneNumber"),
    ] {
        let a = ts.search(&t, filter.clone()).await;
        assert_newday_error(&a, 400, Some(field));
        // What the console makes of it is a sentence naming the field in words.
        let said = query::refusal(a.body["detail"].as_str().unwrap());
        assert!(
            said.starts_with("The backend refused this search"),
            "{said}"
        );
        assert!(!said.contains("filter."), "{filter}: {said}");
    }
}

#[tokio::test]
async fn openapi_documents_the_extension_filters() {
    let ts = start(10).await;
    let doc: Value = ts.get("/openapi.json", None).await.body;
    let props = &doc["components"]["schemas"]["SearchFilter"]["properties"];
    for field in ["nameWords", "postcodePrefix", "accountLastFour"] {
        let d = props[field]["description"].as_str().unwrap_or("");
        assert!(d.contains("Sandbox extension"), "{field}: {props}");
    }
}
