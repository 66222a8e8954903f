//! Candescent ux-users contact methods (seed 000) over real HTTP.

use crate::common;

use common::*;
use reqwest::Method;

fn path(id: &str) -> String {
    format!("/digitalbanking/ux-users/v1/customers/{id}/contact-methods")
}

async fn contact_methods(
    ts: &TestSandbox,
    token: Option<&str>,
    id: &str,
    query: &str,
    correlation: Option<&str>,
) -> Answer {
    let mut b = ts.req(Method::GET, &format!("{}{query}", path(id)), token);
    if let Some(c) = correlation {
        b = b.header("correlationId", c);
    }
    answer(b.send().await.expect("send")).await
}

#[tokio::test]
async fn lists_every_phone_and_email_as_a_contact_method() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;
    let cid = "f8187c63-678f-4f0c-9263-46723794661a";
    let a = contact_methods(&ts, Some(&t), &ada, "", Some(cid)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    // The caller's correlation id comes back.
    assert_eq!(a.header("x-correlation-id"), Some(cid));
    assert_eq!(a.body["customerId"], ada.as_str());
    let methods = a.body["contactMethods"].as_array().unwrap();
    let mobile = methods
        .iter()
        .find(|m| m["protocol"] == "SMS")
        .expect("Ada's mobile");
    // Strings, so the trunk zero survives.
    assert_eq!(mobile["contactInfo"], "07700900123");
    assert_eq!(mobile["telephoneCountryCode"], "44");
    assert_eq!(mobile["isActivated"], true);
    assert!(mobile["id"].is_i64());
    assert!(mobile["enrolledDateTime"].as_str().unwrap().ends_with('Z'));
    let email = methods
        .iter()
        .find(|m| m["protocol"] == "EMAIL")
        .expect("Ada's email");
    assert!(email["contactInfo"].as_str().unwrap().contains('@'));
    assert!(email.get("telephoneCountryCode").is_none());

    // As many methods as phones and emails in the store.
    let stored = ts.phone_count(&ada)
        + ts.count(&format!(
            "SELECT count(*) FROM emails e JOIN customers c ON c.cid = e.cid WHERE c.id = '{ada}'"
        ));
    assert_eq!(methods.len() as i64, stored);
}

#[tokio::test]
async fn login_id_looks_up_by_customer_reference() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;
    let a = contact_methods(
        &ts,
        Some(&t),
        "CR00000001",
        "?userIdType=LOGIN_ID",
        Some("c1"),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["customerId"], ada.as_str());
    let a = contact_methods(&ts, Some(&t), &ada, "?userIdType=CUSTOMER_ID", Some("c1")).await;
    assert_eq!(a.status, 200);
    let a = contact_methods(
        &ts,
        Some(&t),
        "CR99999999",
        "?userIdType=LOGIN_ID",
        Some("c1"),
    )
    .await;
    assert_candescent_error(&a, 404, None);
    // The rival tenant's reference is not ours.
    let rival_ref = ts.count("SELECT min(cid) FROM customers WHERE tenant = 'rival-bank'");
    let a = contact_methods(
        &ts,
        Some(&t),
        &format!("CR{rival_ref:08}"),
        "?userIdType=LOGIN_ID",
        Some("c1"),
    )
    .await;
    assert_candescent_error(&a, 404, None);
}

#[tokio::test]
async fn missing_correlation_id_is_400_naming_it() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;
    let a = contact_methods(&ts, Some(&t), &ada, "", None).await;
    assert_candescent_error(&a, 400, Some("correlationId"));
    let a = contact_methods(&ts, Some(&t), &ada, "", Some("  ")).await;
    assert_candescent_error(&a, 400, Some("correlationId"));
    assert_eq!(a.body["code"], "INVALID_REQUEST");
}

#[tokio::test]
async fn bad_user_id_type_is_400_naming_it() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;
    for q in [
        "?userIdType=EMAIL",
        "?userIdType=",
        "?userIdType=customer_id",
        "?userIdType=%1B%5B2J",
    ] {
        let a = contact_methods(&ts, Some(&t), &ada, q, Some("c1")).await;
        assert_candescent_error(&a, 400, Some("userIdType"));
    }
    let a = contact_methods(
        &ts,
        Some(&t),
        &ada,
        "?userIdType=A&userIdType=B",
        Some("c1"),
    )
    .await;
    assert_candescent_error(&a, 400, Some("userIdType"));
}

#[tokio::test]
async fn auth_errors_401_and_403() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;
    let a = contact_methods(&ts, None, &ada, "", Some("c1")).await;
    assert_candescent_error(&a, 401, None);
    assert_eq!(a.body["code"], "UNAUTHORIZED");
    let a = contact_methods(&ts, Some("forged"), &ada, "", Some("c1")).await;
    assert_candescent_error(&a, 401, None);
    // customers:read alone is not institution-users:read.
    let narrow = ts
        .token_scoped("agent", "agent-secret", "customers:read")
        .await;
    let a = contact_methods(&ts, Some(&narrow), &ada, "", Some("c1")).await;
    assert_candescent_error(&a, 403, Some("institution-users:read"));
    assert_eq!(a.body["code"], "FORBIDDEN");
    // The auditor reads.
    let aud = ts.auditor().await;
    let a = contact_methods(&ts, Some(&aud), &ada, "", Some("c1")).await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn expired_token_is_401() {
    let ts = start_with(50, |c| c.token_ttl = 1).await;
    let t = ts.agent().await;
    let ada = ts.ada(&t).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let a = contact_methods(&ts, Some(&t), &ada, "", Some("c1")).await;
    assert_candescent_error(&a, 401, None);
}

#[tokio::test]
async fn unknown_and_other_tenants_customers_are_404() {
    let ts = start(50).await;
    let t = ts.agent().await;
    let rival = ts.rival().await;
    let ada = ts.ada(&t).await;
    let a = contact_methods(&ts, Some(&rival), &ada, "", Some("c1")).await;
    assert_candescent_error(&a, 404, None);
    let a = contact_methods(&ts, Some(&t), &"f".repeat(32), "", Some("c1")).await;
    assert_candescent_error(&a, 404, None);
    // Odd ids are a 404, never a 500.
    for odd in [
        "%E2%80%AE",
        "x".repeat(500).as_str(),
        "%20",
        "..%2F..%2Fhealthz",
    ] {
        let a = contact_methods(&ts, Some(&t), odd, "", Some("c1")).await;
        assert_candescent_error(&a, 404, None);
    }
    // Malformed percent-encoding is a 400 in the Candescent shape.
    let a = contact_methods(&ts, Some(&t), "%FF", "", Some("c1")).await;
    assert_candescent_error(&a, 400, Some("customerId"));
}
