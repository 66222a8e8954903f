//! The whole console loop in process (see `loop_support`): keys in, screens out, the
//! real sandbox behind, checked through its own API.

use crate::common;
use crate::loop_support::Loop;

use crossterm::event::KeyCode;
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

/// Find Ada, open her, verify the caller with date of birth and postcode.
async fn open_ada_and_verify(c: &Loop) {
    c.expect("corr").await;
    c.keys("quartermaine");
    c.expect("1 of 1 matches").await;
    c.enter();
    c.expect("Caller not verified — contact edits locked").await;
    c.keys("V");
    c.expect("Verify caller").await;
    c.keys("09/03/1984");
    c.enter();
    c.expect("1 of 2 proofs").await;
    c.keys("SW1A 1AA");
    c.enter();
    c.expect("Caller verified: DOB ✓ postcode ✓ — contact edits unlocked")
        .await;
    c.esc();
    c.expect_gone("Verify caller").await;
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
    open_ada_and_verify(&c).await;
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
