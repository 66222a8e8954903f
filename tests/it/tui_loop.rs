//! The whole console loop in process (see `loop_support`): keys in, screens out, the
//! real sandbox behind, checked through its own API.

use crate::common;
use crate::loop_support::Loop;

use crossterm::event::KeyCode;
use custdesk::api::{ApiConfig, Client, IdempotencyKey};
use serde_json::Value;

/// A customer as NewDay serves them now.
async fn customer(ts: &common::TestSandbox, id: &str) -> Value {
    let token = ts.agent().await;
    let v = ts
        .get(&format!("/customer-service/customers/{id}"), Some(&token))
        .await;
    assert_eq!(v.status.as_u16(), 200, "{}", v.text);
    v.body
}

fn emails(customer: &Value) -> Vec<String> {
    customer["contact"]["emailAddresses"]
        .as_array()
        .expect("emailAddresses")
        .iter()
        .map(|e| e["value"].as_str().unwrap().to_string())
        .collect()
}

/// The newest passcode in the sandbox's outbox.
async fn newest_passcode(ts: &common::TestSandbox) -> String {
    ts.outbox().await[0]["otp"]
        .as_str()
        .expect("a passcode in the outbox")
        .to_string()
}

/// Open the email dialog, paste the new address, confirm it: the passcode goes out.
async fn request_email_change(c: &Loop, ts: &common::TestSandbox, new_email: &str) -> usize {
    c.keys("e");
    c.expect("Update email").await;
    c.paste(new_email);
    c.expect("✓ Valid: NewDay accepts this address").await;
    c.enter();
    c.expect("[2 Confirm]").await;
    let sent_before = ts.outbox().await.len();
    c.enter();
    c.expect("Passcode sent by SMS to •••••••0123").await;
    sent_before
}

#[tokio::test(flavor = "multi_thread")]
async fn search_open_verify_then_change_the_email_with_the_passcode_from_the_outbox() {
    let ts = common::start(20).await;
    let id = ts.ada(&ts.agent().await).await;
    let old = emails(&customer(&ts, &id).await);
    let new_email = "ada.inprocess@example.org";
    let c = Loop::start(&ts, "agent", 120, 35);
    c.open_ada_and_verify().await;
    // A wider window mid-call: the console redraws at the new size.
    c.resize(160, 40);
    c.until("a 160-column screen", |s| {
        s.lines().count() == 40 && s.contains("Caller verified: DOB ✓ postcode ✓")
    })
    .await;
    let sent_before = request_email_change(&c, &ts, new_email).await;
    assert_eq!(
        ts.outbox().await.len(),
        sent_before + 1,
        "one passcode sent"
    );
    let otp = newest_passcode(&ts).await;
    c.keys(&otp);
    c.expect("Passcode  ••••••").await;
    assert!(!c.text().contains(&otp), "the passcode is not shown");
    c.enter();
    c.expect("✓ Email updated: a•••@e•••.org").await;
    c.expect("Correlation id ").await;
    c.enter();
    c.expect_gone("Update email").await;
    c.quit("email change").await;

    let now = emails(&customer(&ts, &id).await);
    assert!(now.contains(&new_email.to_string()), "{now:?}");
    assert!(!now.contains(&old[0]), "{now:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn mark_results_plan_a_bulk_subscription_apply_it_and_read_the_results() {
    let ts = common::start(40).await;
    let client =
        Client::new(ApiConfig::sandbox(&ts.base).with_client("backoffice", "backoffice-secret"))
            .unwrap();
    let (initial, _, ids) = common::biggest_initial(&client).await;
    let n = ids.len();
    let c = Loop::start(&ts, "backoffice", 120, 35);
    c.expect("corr").await;
    c.keys(&initial.to_string());
    c.expect(&format!("1 of {n} matches")).await;
    c.esc();
    c.keys("*");
    c.expect(&format!("Marked all {n}")).await;

    // Subscribe every one of them to LOW_BALANCE by SMS over 50 (in the results
    // list a letter types; Alt with it runs its command).
    c.alt('b');
    c.expect("Action").await;
    c.tab();
    c.keys("LOW_BALANCE");
    c.tab();
    c.key(KeyCode::Right);
    c.tab();
    c.keys("50");
    c.enter();
    // The preview names each customer with the value they have now and will have.
    let plan = c
        .until("the plan", |s| {
            s.contains(&format!("enter apply {n} changes"))
        })
        .await;
    assert!(
        plan.contains(&format!("subscribe · {n} customers · {n} to change")),
        "{plan}"
    );
    assert_eq!(
        plan.matches("LOW_BALANCE by SMS (threshold 50)").count(),
        n,
        "{plan}"
    );
    // A plan this small applies without typing its count back.
    c.enter();
    let results = c.until("the results", |s| s.contains("enter close")).await;
    assert!(results.contains(&format!("✓ applied {n}")), "{results}");
    assert!(results.contains("✗ failed 0"), "{results}");
    assert!(results.contains("No failures."), "{results}");
    c.enter();
    c.expect_gone("enter close").await;
    c.quit("bulk plan and apply").await;

    // The backend holds the new subscription for every marked customer.
    for id in &ids {
        let alerts = client.citi().alerts(id, None).await.expect("alerts").value;
        let subs = serde_json::to_string(&alerts).unwrap();
        assert!(
            subs.contains("LOW_BALANCE") && subs.contains("SMS"),
            "{id}: {subs}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_passcode_keeps_the_dialog_open_on_its_step_then_the_right_one_applies() {
    let ts = common::start(20).await;
    let id = ts.ada(&ts.agent().await).await;
    let new_email = "ada.retry@example.net";
    let c = Loop::start(&ts, "agent", 120, 35);
    c.open_ada_and_verify().await;
    request_email_change(&c, &ts, new_email).await;
    let otp = newest_passcode(&ts).await;
    let wrong = format!("{:06}", (otp.parse::<u32>().unwrap() + 1) % 1_000_000);
    c.keys(&wrong);
    c.enter();
    c.expect("✗ Wrong passcode: 2 attempts left").await;
    // Still open, on the passcode step, the code cleared for another try; nothing
    // changed at the bank.
    let screen = c.text();
    assert!(screen.contains("Update email"), "{screen}");
    assert!(screen.contains("Passcode  ______"), "{screen}");
    assert!(!emails(&customer(&ts, &id).await).contains(&new_email.to_string()));
    c.keys(&otp);
    c.enter();
    c.expect("✓ Email updated: a•••@e•••.net").await;
    c.quit("wrong passcode then right").await;
    assert!(emails(&customer(&ts, &id).await).contains(&new_email.to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_email_change_keeps_the_address_typed() {
    let ts = common::start(20).await;
    let id = ts.ada(&ts.agent().await).await;
    let new_email = "ada.refused@example.com";
    let c = Loop::start(&ts, "agent", 120, 35);
    c.open_ada_and_verify().await;
    c.keys("e");
    c.expect("Update email").await;
    c.paste(new_email);
    c.expect("✓ Valid: NewDay accepts this address").await;
    // The customer is closed at the bank while the agent reads the address back.
    let backoffice =
        Client::new(ApiConfig::sandbox(&ts.base).with_client("backoffice", "backoffice-secret"))
            .unwrap();
    backoffice
        .banking()
        .delete(&id, &IdempotencyKey::fresh())
        .await
        .expect("delete");
    c.enter();
    c.expect("[2 Confirm]").await;
    let sent_before = ts.outbox().await.len();
    c.enter();
    let screen = c
        .until("the refusal", |s| s.contains("✗ Error: not found (404)"))
        .await;
    // The dialog is still open, back on the step where the address can be fixed, with
    // the address as typed; no passcode went out.
    assert!(screen.contains("Update email"), "{screen}");
    assert!(screen.contains("[1 Edit]"), "{screen}");
    assert!(screen.contains(new_email), "{screen}");
    assert_eq!(ts.outbox().await.len(), sent_before, "no passcode sent");
    c.quit("refused email change").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pasted_search_survives_shrinking_the_window_from_200x50_to_80x24() {
    let ts = common::start(20).await;
    let c = Loop::start(&ts, "agent", 200, 50);
    c.expect("corr").await;
    c.paste("quartermaine");
    c.expect("1 of 1 matches").await;
    c.resize(80, 24);
    let small = c
        .until("the results redrawn at 80x24", |s| {
            s.contains("1 of 1 matches")
        })
        .await;
    assert_eq!(small.lines().count(), 24, "{small}");
    assert!(small.contains("Quartermaine, Ada"), "{small}");
    c.enter();
    c.expect("Ms Ada Quartermaine").await;
    c.quit("paste and shrink").await;
}
