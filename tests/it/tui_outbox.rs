//! Training passcodes in the console (issue 11): against the embedded sandbox only,
//! once a contact change has sent its passcode the console shows what the customer's
//! phone received (read from the sandbox's outbox), so a trainee finishes the change
//! without leaving the console. Against any other backend nothing is read and nothing
//! is shown.

use custdesk::api::wire::sandbox::OutboxMessage;
use custdesk::tui::app::App;
use custdesk::tui::effect::Effect;
use custdesk::tui::keymap::Keymap;
use custdesk::tui::msg::{Msg, Outcome};
use custdesk::tui::theme::Theme;
use serde_json::Value;

use crate::common;
use crate::edit_fixture::*;
use crate::loop_support::Loop;
use crate::tui_fixture::*;

const RECEIVED: &str = "Training sandbox · the customer's phone received: ";

/// The console as `custdesk` starts it on its embedded sandbox: the training banner on.
fn embedded(ts: &common::TestSandbox, width: u16, height: u16) -> Loop {
    let mut app = App::new(Keymap::default(), Theme::built_in("default"));
    app.status.backend = ts.base.clone();
    app.status.profile = "embedded".into();
    app.banner = Some(" TRAINING SANDBOX · demo customers only · no real data ".into());
    Loop::start_app(ts, "agent", app, width, height, None)
}

/// A customer's emails as NewDay serves them now.
async fn emails(ts: &common::TestSandbox, id: &str) -> Vec<String> {
    let token = ts.agent().await;
    let v = ts
        .get(&format!("/customer-service/customers/{id}"), Some(&token))
        .await;
    assert_eq!(v.status.as_u16(), 200, "{}", v.text);
    v.body["contact"]["emailAddresses"]
        .as_array()
        .expect("emailAddresses")
        .iter()
        .map(|e| e["value"].as_str().unwrap().to_string())
        .collect()
}

/// The six digits after the notice's words on `screen`.
fn shown_passcode(screen: &str) -> String {
    let line = screen
        .lines()
        .find(|l| l.contains(RECEIVED))
        .unwrap_or_else(|| panic!("no training notice:\n{screen}"));
    let after = &line[line.find(RECEIVED).unwrap() + RECEIVED.len()..];
    after.chars().take_while(char::is_ascii_digit).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_training_passcode_shown_in_the_embedded_sandbox_completes_the_email_change() {
    let ts = common::start(20).await;
    let id = ts.ada(&ts.agent().await).await;
    let new_email = "ada.trainee@example.org";
    let c = embedded(&ts, 80, 24);
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
    c.expect("contact edits unlocked").await;
    // Enough proved: the dialog closed itself.
    c.expect_gone("Verify caller").await;
    c.keys("e");
    c.expect("Update email").await;
    c.paste(new_email);
    c.expect("✓ Valid: NewDay accepts this address").await;
    c.enter();
    c.expect("[2 Confirm]").await;
    c.enter();
    c.expect("Passcode sent by SMS to •••••••0123").await;

    // The notice takes the banner's row, above the dialog, with the whole text.
    let s = c
        .until("the training passcode shown", |s| s.contains(RECEIVED))
        .await;
    assert!(s.lines().next().unwrap_or("").contains(RECEIVED), "{s}");
    assert!(s.contains("(SMS: Your custdesk"), "{s}");
    assert!(s.contains("Passcode  ______"), "{s}");
    let shown = shown_passcode(&s);
    assert_eq!(shown.len(), 6, "{s}");
    // The code the sandbox sent, as its own outbox says.
    let outbox: Vec<Value> = ts.outbox().await;
    assert_eq!(outbox[0]["otp"].as_str(), Some(shown.as_str()));

    // Typing it completes the change.
    c.keys(&shown);
    c.expect("Passcode  ••••••").await;
    c.enter();
    let s = c
        .until("the change done", |s| s.contains("✓ Email updated"))
        .await;
    assert!(s.contains("✓ Email updated: a•••@e•••.org"), "{s}");
    assert!(
        !s.contains(RECEIVED),
        "the notice goes with the passcode step:\n{s}"
    );
    assert!(s.contains("TRAINING SANDBOX"), "{s}");
    c.enter();
    c.expect_gone("Update email").await;
    c.quit("training passcode").await;
    assert!(emails(&ts, &id).await.contains(&new_email.to_string()));
}

fn sent(flow: &str, otp: &str) -> OutboxMessage {
    OutboxMessage {
        to: "07700 900123".into(),
        channel: "SMS".into(),
        text: format!("Your custdesk bank passcode is {otp}. Never share it."),
        otp: Some(otp.into()),
        control_flow_id: Some(flow.into()),
        sent_at: "2026-12-03T07:00:00Z".into(),
    }
}

fn outbox(a: &mut App, flow: &str, outcome: Outcome<Option<OutboxMessage>>) -> Vec<Effect> {
    a.update(Msg::Outbox {
        flow: flow.into(),
        outcome,
    })
}

/// Verified, a valid new email typed and confirmed: the request's seq.
fn requesting(a: &mut App) -> u64 {
    a.update(ch('e'));
    type_valid(a, NEW_EMAIL);
    enter(a);
    write_seq(&enter(a))
}

#[test]
fn the_embedded_console_reads_the_outbox_for_the_flow_and_shows_its_passcode() {
    let mut a = verified();
    let seq = requesting(&mut a);
    let fx = requested_ok(&mut a, seq);
    assert_eq!(
        fx,
        vec![Effect::Outbox { flow: FLOW.into() }],
        "read once the passcode is sent"
    );
    // Until the outbox answers the banner stays.
    let s = screen(&mut a, 80, 24);
    assert!(s.starts_with("TRAINING SANDBOX"), "{s}");
    // An answer for another flow is not this change's.
    outbox(
        &mut a,
        "flow-older",
        Outcome::ok(Some(sent("flow-older", "111111")), "c"),
    );
    assert!(!screen(&mut a, 80, 24).contains(RECEIVED));
    outbox(
        &mut a,
        FLOW,
        Outcome::ok(Some(sent(FLOW, "482913")), "c-outbox"),
    );
    let terminal = render(&mut a, 80, 24);
    let s = text(terminal.backend().buffer());
    assert!(
        s.lines()
            .next()
            .unwrap_or("")
            .contains(&format!("{RECEIVED}482913")),
        "{s}"
    );
    // The personal number it went to is not shown; the status bar keeps the bank
    // call's correlation id.
    assert!(!s.contains("900123"), "{s}");
    assert_eq!(a.status.last_correlation.as_deref(), Some(CORR_PUT));
    insta::assert_snapshot!("outbox_passcode_80x24", terminal.backend());
}

#[test]
fn an_outbox_without_the_message_or_unreadable_is_said_in_words() {
    let mut a = verified();
    let seq = requesting(&mut a);
    requested_ok(&mut a, seq);
    outbox(&mut a, FLOW, Outcome::ok(None, "c"));
    let s = screen(&mut a, 200, 50);
    assert!(
        s.contains("Training sandbox · the sandbox's outbox holds no passcode for this change"),
        "{s}"
    );
    let mut a = verified();
    let seq = requesting(&mut a);
    requested_ok(&mut a, seq);
    outbox(
        &mut a,
        FLOW,
        Outcome::err("could not connect: Connection refused (os error 111)", None),
    );
    let s = screen(&mut a, 200, 50);
    assert!(
        s.contains("the sandbox's outbox could not be read: could not connect"),
        "{s}"
    );
    assert_eq!(
        control_cells(render(&mut a, 80, 24).backend().buffer()),
        vec![]
    );
}

#[test]
fn against_a_remote_backend_the_outbox_is_never_read_nor_shown() {
    let mut a = verified();
    // No training banner: the console is not on its embedded sandbox.
    a.banner = None;
    let seq = requesting(&mut a);
    let fx = requested_ok(&mut a, seq);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Outbox { .. })),
        "{fx:?}"
    );
    assert!(a.training.is_none());
    // Even an answer that somehow arrives shows nothing.
    outbox(&mut a, FLOW, Outcome::ok(Some(sent(FLOW, "482913")), "c"));
    let s = screen(&mut a, 200, 50);
    assert!(!s.contains("482913") && !s.contains(RECEIVED), "{s}");
    assert!(s.contains("Passcode sent by SMS"), "{s}");
}
