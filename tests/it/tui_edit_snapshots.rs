//! The edit dialogs as the agent sees them at 80x24, one snapshot per dialog and state:
//! caller verification, update email / phone (editing, invalid field, confirming,
//! passcode, wrong passcode, success, server error, locked) and add phone. Each test
//! also checks in code what must hold whatever the layout: personal data masked, the
//! passcode never on screen, no control character in a cell.
//!
//! Update with `INSTA_UPDATE=always cargo test --test it tui_edit_snapshots` and read the
//! `.snap` files before committing them.

use crate::edit_fixture;
use crate::tui_fixture;

use crossterm::event::KeyCode;
use custdesk::tui::app::App;
use edit_fixture::*;
use tui_fixture::*;

/// Render at 80x24, check what must always hold, snapshot, and return the text.
fn snap(name: &str, app: &mut App) -> String {
    let terminal = render(app, 80, 24);
    let buf = terminal.backend().buffer();
    assert_eq!(control_cells(buf), vec![], "{name}: control characters");
    let shown = text(buf);
    insta::assert_snapshot!(name, terminal.backend());
    shown
}

/// Ada open, the verification dialog up.
fn verifying() -> App {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('V'));
    a
}

#[test]
fn verify_caller_dialog_states() {
    let mut a = app();
    ada_open(&mut a);
    let s = snap("profile_caller_not_verified", &mut a);
    assert!(
        s.contains("Caller not verified — contact edits locked · V verify"),
        "{s}"
    );
    assert!(s.contains(" V verify ") && s.contains(" e email "), "{s}");

    let mut a = verifying();
    let s = snap("verify_empty", &mut a);
    assert!(s.contains("▶ [ ] Date of birth"), "{s}");
    assert!(s.contains("Caller not verified: 0 of 2 proofs"), "{s}");

    type_str(&mut a, "09/03/1984");
    enter(&mut a);
    type_str(&mut a, "SW1A 9ZZ");
    enter(&mut a);
    let s = snap("verify_one_proved_one_wrong", &mut a);
    assert!(
        s.contains("[✓] Date of birth") && s.contains("matches"),
        "{s}"
    );
    assert!(s.contains("✗ does not match (2 tries left)"), "{s}");
    assert!(s.contains("1 of 2 proofs"), "{s}");

    a.update(key(KeyCode::Tab));
    type_str(&mut a, "7890");
    enter(&mut a);
    // Enough proved: the dialog closes itself, and the profile says what it unlocked.
    assert!(a.overlay.is_none(), "{:?}", a.overlay);
    let s = snap("profile_caller_verified", &mut a);
    assert!(
        s.contains("Caller verified: DOB ✓ last four ✓ — contact edits unlocked"),
        "{s}"
    );
    assert_ada_masked(&s, "verified profile");
}

#[test]
fn update_email_states() {
    let mut a = verified();
    a.update(ch('e'));
    let s = snap("email_empty", &mut a);
    assert!(
        s.contains("[1 Edit] › 2 Confirm › 3 Passcode › 4 Done"),
        "{s}"
    );
    assert!(
        s.contains("Current preferred email") && s.contains("New email"),
        "{s}"
    );
    assert!(s.contains("a•••@e•••.uk"), "{s}");

    // Invalid as typed, by the local rules; NewDay is not asked.
    let fx = type_str(&mut a, "ada.new@");
    assert!(
        !fx.iter()
            .any(|e| matches!(e, custdesk::tui::effect::Effect::Debounce { .. }))
    );
    let s = snap("email_invalid", &mut a);
    assert!(
        s.contains("✗ Invalid email: needs a domain such as example.com"),
        "{s}"
    );

    // Valid locally, waiting for NewDay; then NewDay accepts.
    let fx = type_str(&mut a, "example.org");
    let s = snap("email_checking", &mut a);
    assert!(s.contains("checking the address with NewDay"), "{s}");
    newday_says(&mut a, debounce_seq(&fx), true, None);
    let s = snap("email_editing_valid", &mut a);
    assert!(s.contains("ada.new@example.org"), "{s}");
    assert!(s.contains("✓ Valid: NewDay accepts this address"), "{s}");
    assert!(s.contains("enter continue · esc cancel"), "{s}");

    enter(&mut a);
    let s = snap("email_confirming", &mut a);
    assert!(s.contains("[2 Confirm]"), "{s}");
    assert!(s.contains("enter send · esc back to edit"), "{s}");

    let fx = enter(&mut a);
    let s = snap("email_requesting", &mut a);
    assert!(s.contains("sending the change request"), "{s}");
    requested_err(&mut a, write_seq(&fx), server_error());
    let s = snap("email_server_error", &mut a);
    assert!(
        s.contains("✗ Error: server error (503): the backend is unavailable"),
        "{s}"
    );
    assert!(s.contains(CORR_PUT), "{s}");
    assert!(s.contains("enter try again (the same request)"), "{s}");

    let fx = enter(&mut a);
    requested_ok(&mut a, write_seq(&fx));
    type_str(&mut a, "4821");
    let s = snap("email_passcode", &mut a);
    assert!(s.contains("[3 Passcode]"), "{s}");
    assert!(s.contains("Passcode sent by SMS to •••••••0123"), "{s}");
    assert!(s.contains("Passcode  ••••__"), "{s}");
    assert!(!s.contains("4821"), "the passcode is on screen:\n{s}");

    type_str(&mut a, "73");
    let fx = enter(&mut a);
    let s = snap("email_passcode_sending", &mut a);
    assert!(s.contains("checking the passcode"), "{s}");
    confirmed(&mut a, write_seq(&fx), Err(wrong_otp(2)));
    let s = snap("email_wrong_passcode", &mut a);
    assert!(s.contains("✗ Wrong passcode: 2 attempts left"), "{s}");
    assert!(s.contains("Passcode  ______"), "{s}");
    assert!(!s.contains("482173"), "{s}");

    type_str(&mut a, "482174");
    let fx = enter(&mut a);
    confirmed(&mut a, write_seq(&fx), Ok(()));
    let s = snap("email_success", &mut a);
    assert!(s.contains("[4 Done]"), "{s}");
    assert!(
        s.contains("✓ Email updated: a•••@e•••.org (was a•••@e•••.uk)"),
        "{s}"
    );
    assert!(s.contains(&format!("Correlation id {CORR_CONFIRM}")), "{s}");
    assert!(!s.contains("ada.new@example.org"), "{s}");
    assert_ada_masked(&s, "email success");
}

#[test]
fn update_email_locked_and_rejected() {
    let mut a = at_passcode();
    type_str(&mut a, "000000");
    let fx = enter(&mut a);
    confirmed(&mut a, write_seq(&fx), Err(locked()));
    let s = snap("email_locked", &mut a);
    assert!(
        s.contains("✗ Locked: the passcode was wrong 3 times, so nothing changed"),
        "{s}"
    );
    assert!(
        s.contains("enter start again (sends a new passcode) · esc close"),
        "{s}"
    );

    let mut a = verified();
    a.update(ch('e'));
    let fx = type_str(&mut a, "ada@example.com");
    newday_says(
        &mut a,
        debounce_seq(&fx),
        false,
        Some("is on a blocked domain"),
    );
    let s = snap("email_rejected_by_newday", &mut a);
    assert!(
        s.contains("✗ Invalid email: NewDay says it is on a blocked domain"),
        "{s}"
    );
}

#[test]
fn update_phone_states() {
    let mut a = verified();
    a.update(ch('p'));
    let fx = type_str(&mut a, "07700900999");
    let s = snap("phone_checking", &mut a);
    assert!(s.contains("Current mobile phone"), "{s}");
    assert!(s.contains("+44 ••••••0123"), "{s}");
    assert!(s.contains("07700 900999"), "formatted as typed:\n{s}");
    newday_says(&mut a, debounce_seq(&fx), true, None);
    enter(&mut a);
    let fx = enter(&mut a);
    requested_ok(&mut a, write_seq(&fx));
    type_str(&mut a, "123456");
    let fx = enter(&mut a);
    confirmed(&mut a, write_seq(&fx), Ok(()));
    let s = snap("phone_success", &mut a);
    assert!(
        s.contains("✓ Phone updated: +44 ••••••0999 (was +44 ••••••0123)"),
        "{s}"
    );

    // The home phone: NewDay has no check for landlines; local rules only.
    let mut a = verified();
    citi_home_phone(&mut a);
    a.update(key(KeyCode::Down));
    a.update(ch('p'));
    type_str(&mut a, "0207946");
    let s = snap("phone_invalid", &mut a);
    assert!(s.contains("Current home phone"), "{s}");
    assert!(
        s.contains("✗ Invalid phone: must be 10 to 11 digits"),
        "{s}"
    );
    let fx = type_str(&mut a, "0000");
    assert!(
        !fx.iter()
            .any(|e| matches!(e, custdesk::tui::effect::Effect::Debounce { .. }))
    );
    let s = snap("phone_landline_valid", &mut a);
    assert!(
        s.contains("✓ Valid number (NewDay checks UK mobiles only)"),
        "{s}"
    );
}

#[test]
fn add_phone_states() {
    use custdesk::api::ErrorKind;
    let mut a = verified();
    a.update(ch('a'));
    let s = snap("add_phone_empty", &mut a);
    assert!(s.contains("Add phone (Relay)"), "{s}");
    assert!(
        s.contains("▶ Number") && s.contains("10 or 11 digits"),
        "{s}"
    );
    // The country code comes from her records (a UK mobile), no longer Relay's +1.
    assert!(s.contains("(•) mobile") && s.contains("+44"), "{s}");
    assert!(
        s.contains("( ) written  ( ) express  ( ) stop  required"),
        "{s}"
    );

    type_str(&mut a, "07700900999");
    // No consent chosen: refused locally, the cursor taken to the consent.
    enter(&mut a);
    let s = snap("add_phone_invalid", &mut a);
    assert!(
        s.contains("07700 900999") && s.contains("✓ 11 digits"),
        "{s}"
    );
    assert!(
        s.contains("✗ Consent: choose written, express or stop"),
        "{s}"
    );
    assert!(s.contains("▶ Consent"), "{s}");

    for (k, name, words) in [
        ('w', "written", "signed, written consent"),
        ('s', "stop", "does not consent"),
        ('e', "express", "express verbal consent"),
    ] {
        a.update(ch(k));
        let s = snap(&format!("add_phone_consent_{name}"), &mut a);
        assert!(s.contains(&format!("(•) {name}")), "{s}");
        assert!(
            s.contains("Read to the caller:") && s.contains(words),
            "{s}"
        );
    }
    // Country code 44, landline.
    a.update(key(KeyCode::BackTab));
    a.update(key(KeyCode::Backspace));
    type_str(&mut a, "44");
    a.update(key(KeyCode::BackTab));
    a.update(ch('l'));
    enter(&mut a);
    let s = snap("add_phone_confirming", &mut a);
    assert!(
        s.contains("Add +44 ••••••0999 (landline, consent express) to this customer?"),
        "{s}"
    );

    let fx = enter(&mut a);
    let s = snap("add_phone_sending", &mut a);
    assert!(s.contains("adding the phone"), "{s}");
    added(
        &mut a,
        write_seq(&fx),
        Err(fail(
            ErrorKind::Conflict,
            None,
            "conflict (409): Conflict: this customer already has 50 phone numbers, the most allowed",
        )),
    );
    let s = snap("add_phone_limit", &mut a);
    assert!(
        s.contains("✗ Not added: this customer already has 50 phone numbers, the most"),
        "{s}"
    );
    assert!(
        s.contains("07700 900999") && s.contains("(•) express"),
        "{s}"
    );
    assert!(s.contains(CORR_RELAY), "{s}");

    enter(&mut a);
    let fx = enter(&mut a);
    added(&mut a, write_seq(&fx), Err(server_error()));
    let s = snap("add_phone_server_error", &mut a);
    assert!(s.contains("✗ Error: server error (503)"), "{s}");
    // At confirm, as every dialog's submit: enter sends the same request again.
    assert!(s.contains("enter try again (the same request)"), "{s}");

    let fx = enter(&mut a);
    added(
        &mut a,
        write_seq(&fx),
        Ok("Phone number added to the customer's notification channels"),
    );
    let s = snap("add_phone_success", &mut a);
    assert!(
        s.contains("✓ Phone number added to the customer's notification channels"),
        "{s}"
    );
    assert!(
        s.contains("+44 ••••••0999 (landline, consent express)"),
        "{s}"
    );
    assert!(!s.contains("900999"), "{s}");
}

#[test]
fn offer_states() {
    let mut a = verified();
    a.update(ch('o'));
    let s = snap("offer_editing", &mut a);
    assert!(
        s.contains("▶ available") && s.contains("Balance transfer"),
        "{s}"
    );
    assert!(s.contains("(•) accept  ( ) decline"), "{s}");
    a.update(ch('d'));
    enter(&mut a);
    let s = snap("offer_confirming", &mut a);
    assert!(
        s.contains("Decline 'Balance transfer' for the customer?"),
        "{s}"
    );
    let fx = enter(&mut a);
    written(&mut a, simple_write_seq(&fx), Err(server_error()));
    let s = snap("offer_server_error", &mut a);
    assert!(s.contains("✗ Error: server error (503)"), "{s}");
    assert!(s.contains("enter try again (the same request)"), "{s}");
    let fx = enter(&mut a);
    written(&mut a, simple_write_seq(&fx), Ok(offer_now("DECLINED")));
    let s = snap("offer_success", &mut a);
    assert!(s.contains("✓ Balance transfer: now declined"), "{s}");
    assert!(s.contains(CORR_WRITE), "{s}");
}

#[test]
fn alert_subscription_states() {
    let mut a = verified();
    a.update(ch('A'));
    let s = snap("alerts_editing", &mut a);
    assert!(
        s.contains("▶ Low balance") && s.contains("SMS 50.00 GBP"),
        "{s}"
    );
    assert!(s.contains("( ) subscribe  (•) unsubscribe"), "{s}");
    // The eligible "Payment due": subscribe by email, no threshold.
    a.update(key(KeyCode::Down));
    a.update(key(KeyCode::Down));
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Left));
    a.update(key(KeyCode::Tab));
    type_str(&mut a, "0");
    enter(&mut a);
    let s = snap("alerts_invalid_threshold", &mut a);
    assert!(s.contains("✗ the threshold is an amount above 0"), "{s}");
    a.update(key(KeyCode::Backspace));
    enter(&mut a);
    let s = snap("alerts_confirming", &mut a);
    assert!(
        s.contains("Subscribe the customer to 'Payment due' by EMAIL?"),
        "{s}"
    );
    let fx = enter(&mut a);
    written(
        &mut a,
        simple_write_seq(&fx),
        Err(fail(
            custdesk::api::ErrorKind::Invalid {
                field: Some("subscriptions[0].threshold".into()),
            },
            Some("invalidRequest"),
            "invalid input (400): subscriptions[0].threshold: this alert takes no threshold",
        )),
    );
    let s = snap("alerts_refused", &mut a);
    assert!(s.contains("✗ Error: invalid input (400)"), "{s}");
    assert!(s.contains("(•) EMAIL"), "the choices are kept:\n{s}");
    enter(&mut a);
    let fx = enter(&mut a);
    written(&mut a, simple_write_seq(&fx), Ok(alerts_enrolled(3)));
    let s = snap("alerts_success", &mut a);
    assert!(
        s.contains("✓ Payment due: EMAIL (3 alerts enrolled)"),
        "{s}"
    );
}

#[test]
fn customer_form_states() {
    let mut a = verified();
    as_backoffice(&mut a);
    a.update(ch('n'));
    let s = snap("customer_create_empty", &mut a);
    assert!(s.contains("New customer (bankingservice)"), "{s}");
    assert!(s.contains("(required)"), "{s}");
    type_str(&mut a, "Grace");
    a.update(key(KeyCode::Tab));
    type_str(&mut a, "Hopper");
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Tab));
    type_str(&mut a, "grace@");
    enter(&mut a);
    let s = snap("customer_create_invalid", &mut a);
    assert!(
        s.contains("✗ Email: needs a domain such as example.com"),
        "{s}"
    );
    type_str(&mut a, "example.com");
    enter(&mut a);
    let fx = enter(&mut a);
    written(
        &mut a,
        simple_write_seq(&fx),
        Err(fail(
            custdesk::api::ErrorKind::Forbidden,
            Some("FORBIDDEN"),
            "forbidden (403): the token lacks the scope customers:admin",
        )),
    );
    let s = snap("customer_create_forbidden", &mut a);
    assert!(s.contains("✗ Error: forbidden (403)"), "{s}");
    assert!(
        s.contains("grace@example.com") && s.contains("Hopper"),
        "{s}"
    );
    enter(&mut a);
    let fx = enter(&mut a);
    written(
        &mut a,
        simple_write_seq(&fx),
        Ok(customer_now("0123456789abcdef0123456789abcdef")),
    );
    let s = snap("customer_create_success", &mut a);
    assert!(
        s.contains("✓ Customer created: id 0123456789abcdef0123456789abcdef"),
        "{s}"
    );

    let mut a = verified();
    as_backoffice(&mut a);
    a.update(ch('E'));
    let s = snap("customer_edit", &mut a);
    assert!(s.contains("Edit customer · Ada Quartermaine"), "{s}");
    assert!(s.contains("now a•••@e•••.uk; empty keeps it"), "{s}");
    assert_ada_masked(&s, "edit form");

    let mut a = verified();
    as_backoffice(&mut a);
    a.update(ch('D'));
    let s = snap("customer_delete", &mut a);
    assert!(
        s.contains("Delete customer Ada Quartermaine (CR00000001"),
        "{s}"
    );
    type_str(&mut a, "Quartermain");
    enter(&mut a);
    let s = snap("customer_delete_mistyped", &mut a);
    assert!(
        s.contains("✗ Confirmation: type the customer's family name"),
        "{s}"
    );
    type_str(&mut a, "e");
    enter(&mut a);
    let s = snap("customer_delete_confirming", &mut a);
    assert!(s.contains("Delete Ada Quartermaine for good?"), "{s}");
}
