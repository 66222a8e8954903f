//! The edit dialogs' behaviour: `App::update` driven with keys and the answers the
//! runtime would send back, checked through state, effects and the screen. No network.

use crate::edit_fixture;
use crate::tui_fixture;

use crossterm::event::KeyCode;
use custdesk::tui::app::{App, Overlay};
use custdesk::tui::effect::{CustomerRead, Effect};
use edit_fixture::*;
use tui_fixture::*;

// ---- caller verification ---------------------------------------------------------------

#[test]
fn contact_edits_stay_locked_until_two_proofs() {
    let mut a = app();
    ada_open(&mut a);
    for (k, action) in [
        ('e', "update_email"),
        ('p', "update_phone"),
        ('a', "add_phone"),
    ] {
        let fx = a.update(ch(k));
        assert!(a.overlay.is_none(), "{k} opened a dialog while locked");
        let n = records(&fx);
        assert_eq!(n.len(), 1, "{fx:?}");
        assert_eq!(n[0].action, action);
        assert_eq!(n[0].customer, ADA_ID);
        assert_eq!(n[0].outcome, "refused: caller not verified (0 of 2 proofs)");
        assert!(
            a.status
                .notice
                .as_deref()
                .unwrap()
                .contains("contact edits are locked"),
            "{:?}",
            a.status.notice
        );
    }

    // One proof is not enough.
    a.update(ch('V'));
    type_str(&mut a, "09/03/1984");
    let fx = enter(&mut a);
    let n = records(&fx);
    assert_eq!(n.len(), 1);
    assert_eq!(
        (
            n[0].action.as_str(),
            n[0].new.as_deref(),
            n[0].outcome.as_str()
        ),
        ("verify_caller", Some("date of birth"), "matched")
    );
    a.update(key(KeyCode::Esc));
    let fx = a.update(ch('e'));
    assert_eq!(
        records(&fx)[0].outcome,
        "refused: caller not verified (1 of 2 proofs)"
    );
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("Caller not verified — contact edits locked (DOB ✓; 1 of 2)"),
        "{s}"
    );

    // The second unlocks; the dialog goes to the next open proof by itself.
    a.update(ch('V'));
    type_str(&mut a, "5412 7512 3456 7890");
    for _ in 0.."5412 7512 3456 7890".len() {
        a.update(key(KeyCode::Backspace));
    }
    a.update(key(KeyCode::Tab));
    type_str(&mut a, "7890");
    let fx = enter(&mut a);
    let n = records(&fx);
    assert_eq!(n[0].outcome, "matched; caller verified (DOB ✓ last four ✓)");
    assert!(a.caller_verified());
    assert_eq!(
        a.status.notice.as_deref(),
        Some("Caller verified: DOB ✓ last four ✓")
    );
    a.update(key(KeyCode::Esc));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("Caller verified: DOB ✓ last four ✓"), "{s}");
}

#[test]
fn what_the_caller_said_never_reaches_the_audit_log() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('V'));
    let mut fx = type_str(&mut a, "1999-12-31");
    fx.extend(enter(&mut a));
    // A wrong answer keeps the cursor on that proof.
    a.update(key(KeyCode::Tab));
    fx.extend(type_str(&mut a, "EC1A 1BB"));
    fx.extend(enter(&mut a));
    let notes = records(&fx);
    assert_eq!(notes.len(), 2, "{fx:?}");
    assert_eq!(notes[0].outcome, "did not match (1 of 3)");
    // The mailing address's postcode counts.
    assert_eq!(notes[1].outcome, "matched");
    let all = format!("{notes:?}");
    for said in ["1999", "EC1A", "1BB"] {
        assert!(!all.contains(said), "{said} in {all}");
    }
}

#[test]
fn three_wrong_answers_use_up_a_proof() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('V'));
    for (i, wrong) in ["1111", "2222", "3333"].iter().enumerate() {
        // Last four is the third field.
        if i == 0 {
            a.update(key(KeyCode::BackTab));
        }
        type_str(&mut a, wrong);
        enter(&mut a);
        for _ in 0..4 {
            a.update(key(KeyCode::Backspace));
        }
    }
    let c = a.caller_check().unwrap().clone();
    assert!(!c.verified() && c.wrong == [0, 0, 3]);
    // Used up: the right answer is no longer taken.
    let fx = type_str(&mut a, "7890");
    assert!(fx.is_empty());
    enter(&mut a);
    assert_eq!(a.caller_check().unwrap().count(), 0);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("[✗] Last four of an account"), "{s}");
    assert!(s.contains("no tries left, ask for another proof"), "{s}");
}

#[test]
fn proofs_belong_to_the_open_customer() {
    let mut a = verified();
    // Reloading the same customer keeps them.
    a.update(ch('r'));
    assert!(a.caller_check().is_some());
    for p in ada_parts() {
        loaded(&mut a, ADA_ID, p);
    }
    assert!(a.caller_verified());
    // Another customer is another caller.
    a.update(key(KeyCode::Esc));
    a.update(key(KeyCode::Down));
    let id = open_selected(&mut a);
    assert_ne!(id, ADA_ID);
    assert!(!a.caller_verified());
    assert!(a.caller.is_none());
}

#[test]
fn verification_waits_for_the_customer_to_load() {
    let mut a = app();
    searched(&mut a);
    open_selected(&mut a);
    a.update(ch('V'));
    assert!(a.overlay.is_none());
    assert!(
        a.status
            .notice
            .as_deref()
            .unwrap()
            .contains("Wait for the customer"),
        "{:?}",
        a.status.notice
    );
}

// ---- read-only ---------------------------------------------------------------------------

#[test]
fn read_only_offers_no_edit_and_refuses_the_keys() {
    let mut a = verified();
    a.read_only = true;
    let s = screen(&mut a, 80, 24);
    let hints = s.lines().last().unwrap();
    for k in [" e email", " p phone", " a add phone"] {
        assert!(!hints.contains(k), "{k} offered in read-only: {hints}");
    }
    assert!(s.contains("Caller verified"), "{s}");
    for (k, action) in [
        ('e', "update_email"),
        ('p', "update_phone"),
        ('a', "add_phone"),
    ] {
        let fx = a.update(ch(k));
        assert!(a.overlay.is_none());
        assert!(!fx.iter().any(Effect::is_write), "{fx:?}");
        let n = records(&fx);
        assert_eq!(
            (n[0].action.as_str(), n[0].outcome.as_str()),
            (action, "refused: read-only")
        );
        assert_eq!(
            a.status.notice.as_deref(),
            Some("Read-only: no edits are offered or sent")
        );
    }
    assert!(!matches!(a.overlay, Some(Overlay::Verify(_))));
    // Neither the palette nor help offers them.
    a.update(ch(':'));
    type_str(&mut a, "edit");
    let s = screen(&mut a, 80, 24);
    assert!(
        !s.contains("edit_email") && !s.contains("edit_phone"),
        "{s}"
    );
    enter(&mut a);
    assert!(a.overlay.is_none());
    a.update(ch(':'));
    type_str(&mut a, "add_phone");
    enter(&mut a);
    assert!(a.overlay.is_none(), "the palette ran an edit in read-only");
    a.update(ch('?'));
    let s = screen(&mut a, 200, 50);
    assert!(
        s.contains("verify_caller") && !s.contains("edit_email"),
        "{s}"
    );
    // Writable, the palette offers them.
    a.update(key(KeyCode::Esc));
    a.read_only = false;
    a.update(ch(':'));
    type_str(&mut a, "edit");
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("edit_email") && s.contains("edit_phone"), "{s}");
}

// ---- update email / phone --------------------------------------------------------------

use custdesk::api::ErrorKind;
use custdesk::api::IdempotencyKey;
use custdesk::api::wire::newday;
use custdesk::tui::edit::contact::{Check, Step};
use custdesk::tui::msg::{Msg, Outcome};

fn contact(a: &App) -> &custdesk::tui::edit::contact::ContactDialog {
    match &a.overlay {
        Some(Overlay::Contact(d)) => d.as_ref(),
        other => panic!("no contact dialog: {other:?}"),
    }
}

fn request_key(fx: &[Effect]) -> IdempotencyKey {
    fx.iter()
        .find_map(|e| match e {
            Effect::Write {
                key,
                op: WriteOp::RequestChange { .. },
                ..
            } => Some(key.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no change request in {fx:?}"))
}

fn confirm_key(fx: &[Effect]) -> IdempotencyKey {
    fx.iter()
        .find_map(|e| match e {
            Effect::Write {
                key,
                op: WriteOp::ConfirmChange { .. },
                ..
            } => Some(key.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no confirmation in {fx:?}"))
}

#[test]
fn typing_checks_locally_then_with_newday_latest_wins() {
    let mut a = verified();
    a.update(ch('e'));
    // Each keystroke of a locally valid value restarts the 300 ms timer.
    let fx = type_str(&mut a, "ada@example.co");
    let timers: Vec<(u64, std::time::Duration)> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Debounce { seq, after } => Some((*seq, *after)),
            _ => None,
        })
        .collect();
    assert!(timers.len() >= 2, "{fx:?}");
    assert!(timers.iter().all(|(_, d)| d.as_millis() == 300));
    assert!(!fx.iter().any(|e| matches!(e, Effect::VerifyContact { .. })));
    let older = timers[timers.len() - 2].0;
    let latest = timers.last().unwrap().0;
    // An older timer running out asks nothing.
    assert!(a.update(Msg::Debounced { seq: older }).is_empty());
    // The latest asks NewDay once, with the value as it stands.
    let fx = a.update(Msg::Debounced { seq: latest });
    match fx.as_slice() {
        [Effect::VerifyContact { seq, value, .. }] => {
            assert_eq!((*seq, value.as_str()), (latest, "ada@example.co"))
        }
        other => panic!("{other:?}"),
    }
    // The agent types on; the answer for the old value arrives late and is dropped.
    let fx = type_str(&mut a, "m");
    let newest = debounce_seq(&fx);
    a.update(Msg::ContactVerified {
        seq: latest,
        outcome: Outcome::ok(
            newday::Verification {
                is_valid: true,
                reason: None,
            },
            CORR_VERIFY,
        ),
    });
    assert_eq!(contact(&a).check, Check::Checking);
    // Enter while checking does not go on.
    enter(&mut a);
    assert_eq!(contact(&a).step(), Step::Editing);
    newday_says(&mut a, newest, true, None);
    assert_eq!(contact(&a).check, Check::Valid);

    // NewDay unreachable: says so; enter asks again at once.
    let fx = type_str(&mut a, "x");
    let seq = debounce_seq(&fx);
    a.update(Msg::Debounced { seq });
    a.update(Msg::ContactVerified {
        seq,
        outcome: Outcome::err("backend unreachable: connection refused", None),
    });
    assert!(matches!(contact(&a).check, Check::Unavailable(_)));
    let fx = enter(&mut a);
    assert!(
        matches!(fx.as_slice(), [Effect::VerifyContact { value, .. }] if value == "ada@example.comx"),
        "{fx:?}"
    );
    assert_eq!(contact(&a).step(), Step::Editing);
}

#[test]
fn the_same_submission_keeps_its_idempotency_key_a_new_one_gets_a_fresh_key() {
    let mut a = verified();
    a.update(ch('e'));
    type_valid(&mut a, NEW_EMAIL);
    enter(&mut a);
    let fx = enter(&mut a);
    let k1 = request_key(&fx);
    // A server error: unknown whether it applied, so enter retries with the same key.
    requested_err(&mut a, write_seq(&fx), server_error());
    assert_eq!(contact(&a).step(), Step::Confirming);
    let fx = enter(&mut a);
    assert_eq!(request_key(&fx), k1, "a retry of the same submission");
    // Back to edit, change the value: another submission, another key.
    requested_err(&mut a, write_seq(&fx), server_error());
    esc(&mut a);
    type_valid(&mut a, "x");
    enter(&mut a);
    let fx = enter(&mut a);
    let k2 = request_key(&fx);
    assert_ne!(k2, k1);
    requested_ok(&mut a, write_seq(&fx));

    // Passcodes: a wrong one answered, the next is a new submission with a new key.
    type_str(&mut a, "111111");
    let fx = enter(&mut a);
    let c1 = confirm_key(&fx);
    confirmed(&mut a, write_seq(&fx), Err(wrong_otp(2)));
    type_str(&mut a, "222222");
    let fx = enter(&mut a);
    let c2 = confirm_key(&fx);
    assert_ne!(c1, c2);
    // A timeout keeps the typed code and the key: enter sends the same again.
    confirmed(
        &mut a,
        write_seq(&fx),
        Err(fail(
            ErrorKind::Timeout,
            None,
            "timed out: no answer in 10 s",
        )),
    );
    match &contact(&a).step() {
        Step::Passcode(p) => assert_eq!(p.code.len(), 6),
        other => panic!("{other:?}"),
    }
    let fx = enter(&mut a);
    assert_eq!(confirm_key(&fx), c2);
    // Locked: start again sends a new request with a fresh key.
    confirmed(&mut a, write_seq(&fx), Err(locked()));
    let fx = enter(&mut a);
    let k3 = request_key(&fx);
    assert!(k3 != k1 && k3 != k2);
    assert_eq!(contact(&a).step(), Step::Requesting);
}

#[test]
fn an_error_never_closes_the_dialog_or_loses_the_typed_value() {
    let mut a = verified();
    a.update(ch('e'));
    type_valid(&mut a, NEW_EMAIL);
    enter(&mut a);
    let fx = enter(&mut a);
    requested_err(
        &mut a,
        write_seq(&fx),
        fail(
            ErrorKind::Conflict,
            Some("conflict"),
            "conflict (409): the customer already has this email address",
        ),
    );
    let d = contact(&a);
    assert_eq!(d.step(), Step::Editing);
    assert_eq!(d.input.value(), NEW_EMAIL);
    assert_eq!(
        d.error().map(|e| e.message.as_str()),
        Some("conflict (409): the customer already has this email address")
    );
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("✗ Error: conflict (409)"), "{s}");
    assert!(s.contains(CORR_PUT), "{s}");

    // Expired flow: offered to start again, dialog open.
    let mut a = at_passcode();
    type_str(&mut a, "123456");
    let fx = enter(&mut a);
    confirmed(&mut a, write_seq(&fx), Err(expired()));
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("This passcode has expired or was already used; nothing changed"),
        "{s}"
    );
    assert!(s.contains("enter start again"), "{s}");
    assert_eq!(contact(&a).input.value(), NEW_EMAIL);
}

#[test]
fn esc_backs_out_one_step_and_late_answers_are_dropped() {
    let mut a = verified();
    a.update(ch('e'));
    type_valid(&mut a, NEW_EMAIL);
    enter(&mut a);
    assert_eq!(contact(&a).step(), Step::Confirming);
    esc(&mut a);
    assert_eq!(contact(&a).step(), Step::Editing);
    assert_eq!(contact(&a).input.value(), NEW_EMAIL);
    enter(&mut a);
    let fx = enter(&mut a);
    let seq = write_seq(&fx);
    // Esc while the request is in flight closes the dialog...
    esc(&mut a);
    assert!(a.overlay.is_none());
    // ...and its answer, arriving later, changes nothing but the last correlation id.
    let fx = requested_ok(&mut a, seq);
    assert!(fx.is_empty());
    assert!(a.overlay.is_none());
    assert_eq!(a.status.last_correlation.as_deref(), Some(CORR_PUT));

    // Esc at the passcode abandons the change.
    let mut a = at_passcode();
    type_str(&mut a, "12");
    esc(&mut a);
    assert!(a.overlay.is_none());
    assert!(
        a.status.notice.as_deref().unwrap().contains("abandoned"),
        "{:?}",
        a.status.notice
    );

    // An answer for another seq is dropped while the dialog waits.
    let mut a = at_passcode();
    type_str(&mut a, "123456");
    let fx = enter(&mut a);
    let seq = write_seq(&fx);
    confirmed(&mut a, seq + 100, Ok(()));
    assert!(matches!(contact(&a).step(), Step::Passcode(_)));
    let fx = confirmed(&mut a, seq, Ok(()));
    assert!(matches!(contact(&a).step(), Step::Done { .. }));
    // Only the emails and the contact methods are read again, for the panes to show
    // the new email.
    assert_eq!(
        fx,
        vec![Effect::Reread {
            id: ADA_ID.into(),
            parts: vec![
                CustomerRead::Emails,
                CustomerRead::ContactMethods,
                CustomerRead::Customer
            ]
        }]
    );
    assert!(a.caller_verified(), "a reload keeps the caller verified");
    esc(&mut a);
    assert!(a.overlay.is_none());
}

#[test]
fn writes_carry_masked_audit_notes_and_never_the_passcode() {
    let mut a = at_passcode();
    type_str(&mut a, "482173");
    let fx = enter(&mut a);
    let printed = format!("{fx:?} {:?}", a.overlay);
    assert!(!printed.contains("482173"), "{printed}");
    match fx.as_slice() {
        [
            Effect::Write {
                note,
                op: WriteOp::ConfirmChange { passcode, .. },
                ..
            },
        ] => {
            assert_eq!(passcode.expose(), "482173");
            assert_eq!(note.action, "update_email.confirm");
            assert_eq!(note.customer, ADA_ID);
            assert_eq!(note.old.as_deref(), Some("a•••@e•••.uk"));
            assert_eq!(note.new.as_deref(), Some("a•••@e•••.org"));
        }
        other => panic!("{other:?}"),
    }
    // The passcode step's state prints no digits either.
    let mut a = at_passcode();
    type_str(&mut a, "9081");
    assert!(!format!("{:?}", a.overlay).contains("9081"));
}

#[test]
fn a_selected_field_missing_from_citi_is_refused_not_swapped() {
    let mut a = verified();
    // The home phone is in NewDay's record but not in the Citi fixture's.
    a.update(key(KeyCode::Down));
    a.update(ch('p'));
    assert!(a.overlay.is_none());
    assert!(
        a.status
            .notice
            .as_deref()
            .unwrap()
            .contains("not in the Citi profile"),
        "{:?}",
        a.status.notice
    );
    citi_home_phone(&mut a);
    a.update(ch('p'));
    assert_eq!(contact(&a).target.phone_type, "HOME");
    assert_eq!(contact(&a).target.key, Some(2));
}

// ---- add phone ----------------------------------------------------------------------------

use custdesk::tui::edit::add_phone::{AddPhoneDialog, Field};

fn add_phone(a: &App) -> &AddPhoneDialog {
    match &a.overlay {
        Some(Overlay::AddPhone(d)) => d.as_ref(),
        other => panic!("no add-phone dialog: {other:?}"),
    }
}

fn add_key(fx: &[Effect]) -> IdempotencyKey {
    fx.iter()
        .find_map(|e| match e {
            Effect::Write {
                key,
                op: WriteOp::AddPhone { .. },
                ..
            } => Some(key.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no add phone in {fx:?}"))
}

/// Verified, `a`, a number typed, express consent chosen, at the confirm step.
fn add_phone_ready(number: &str) -> App {
    let mut a = verified();
    a.update(ch('a'));
    type_str(&mut a, number);
    for _ in 0..3 {
        a.update(key(KeyCode::Tab));
    }
    a.update(ch('e'));
    enter(&mut a);
    a
}

#[test]
fn the_number_takes_digits_only_and_at_most_eleven() {
    let mut a = verified();
    a.update(ch('a'));
    type_str(&mut a, "07a7-00 900 12345");
    assert_eq!(add_phone(&a).number, "07700900123");
    a.update(Msg::Paste("+44 (0) 99".into()));
    assert_eq!(
        add_phone(&a).number,
        "07700900123",
        "full: nothing more taken"
    );
    for _ in 0..5 {
        a.update(key(KeyCode::Backspace));
    }
    a.update(Msg::Paste("90 0999 77".into()));
    assert_eq!(add_phone(&a).number, "07700990099");
    // The country code: digits, at most three.
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Tab));
    assert_eq!(add_phone(&a).field, Field::Country);
    a.update(key(KeyCode::Backspace));
    type_str(&mut a, "4x4 12");
    assert_eq!(add_phone(&a).country_code(), "441");
    // Too short a number is refused locally, the cursor taken to it.
    let mut a = verified();
    a.update(ch('a'));
    type_str(&mut a, "0770090");
    enter(&mut a);
    let d = add_phone(&a);
    assert_eq!(d.field, Field::Number);
    assert_eq!(
        d.problem.as_ref().map(|p| p.1.as_str()),
        Some("must be 10 to 11 digits")
    );
    assert_eq!(d.submit.phase, custdesk::tui::edit::Phase::Editing);
}

#[test]
fn add_phone_sends_the_choices_and_a_masked_audit_note() {
    let mut a = add_phone_ready("2125550100");
    // A US number for a UK customer: the country code (+44 from her records) is typed
    // over with 1.
    esc(&mut a);
    for _ in 0..3 {
        a.update(key(KeyCode::Tab));
    }
    assert_eq!(add_phone(&a).field, Field::Country);
    type_str(&mut a, "1");
    enter(&mut a);
    let fx = enter(&mut a);
    match fx.as_slice() {
        [
            Effect::Write {
                op:
                    WriteOp::AddPhone {
                        customer,
                        number,
                        body,
                    },
                note,
                ..
            },
        ] => {
            assert_eq!((customer.as_str(), number.as_str()), (ADA_ID, "2125550100"));
            assert_eq!(body.consent_type, "express");
            assert_eq!(body.phone_type, "mobile");
            assert_eq!(body.country_code.as_deref(), Some("1"));
            assert_eq!(note.action, "add_phone");
            assert_eq!(
                note.new.as_deref(),
                Some("+1 ••••••0100 (mobile, consent express)")
            );
            assert!(!format!("{note:?}").contains("5550100"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_refused_add_keeps_the_form_and_a_retry_reuses_the_key_only_when_unknown() {
    let mut a = add_phone_ready("07700900999");
    let fx = enter(&mut a);
    let k1 = add_key(&fx);
    added(
        &mut a,
        write_seq(&fx),
        Err(fail(
            ErrorKind::Conflict,
            None,
            "conflict (409): Conflict: this phone number is already on this customer",
        )),
    );
    let d = add_phone(&a);
    assert_eq!(d.number, "07700900999");
    assert_eq!(d.consent_name(), Some("express"));
    assert_eq!(
        d.submit.error.as_ref().unwrap().message,
        "Not added: this phone number is already on this customer"
    );
    // The agent picks another consent and sends: a new write, a new key.
    a.update(ch('w'));
    enter(&mut a);
    let fx = enter(&mut a);
    let k2 = add_key(&fx);
    assert_ne!(k1, k2);
    // A server error: the dialog stays at confirm (every submit machine does), and the
    // same form sent again is the same write.
    added(&mut a, write_seq(&fx), Err(server_error()));
    assert_eq!(
        add_phone(&a).submit.phase,
        custdesk::tui::edit::Phase::Confirming
    );
    let fx = enter(&mut a);
    assert_eq!(add_key(&fx), k2);
    // Success re-reads only the phone lists and the contact methods (the Contact methods
    // pane shows the phone), not the whole customer.
    let fx = added(&mut a, write_seq(&fx), Ok("Phone number added"));
    assert_eq!(
        fx,
        vec![Effect::Reread {
            id: ADA_ID.into(),
            parts: vec![
                CustomerRead::Phones,
                CustomerRead::ContactMethods,
                CustomerRead::Customer
            ]
        }]
    );
    esc(&mut a);
    assert!(a.overlay.is_none());
}

#[test]
fn esc_backs_out_of_add_phone() {
    let mut a = add_phone_ready("07700900999");
    esc(&mut a);
    assert_eq!(
        add_phone(&a).submit.phase,
        custdesk::tui::edit::Phase::Editing
    );
    assert_eq!(add_phone(&a).number, "07700900999");
    enter(&mut a);
    let fx = enter(&mut a);
    esc(&mut a);
    assert!(a.overlay.is_none());
    // The late answer changes nothing but the last correlation id.
    let after = added(&mut a, write_seq(&fx), Ok("Phone number added"));
    assert!(after.is_empty());
    assert_eq!(a.status.last_correlation.as_deref(), Some(CORR_RELAY));
}

// ---- offers, alerts, bankingservice customers ------------------------------------------

use custdesk::tui::effect::WriteOp;

fn write_op(fx: &[Effect]) -> (WriteOp, custdesk::tui::effect::AuditNote) {
    match fx {
        [Effect::Write { op, note, .. }] => (op.clone(), note.clone()),
        other => panic!("one write expected: {other:?}"),
    }
}

#[test]
fn offers_and_alerts_wait_for_the_caller_customers_do_not() {
    let mut a = app();
    ada_open(&mut a);
    for (k, action) in [('o', "offer"), ('A', "alerts")] {
        let fx = a.update(ch(k));
        assert!(a.overlay.is_none());
        assert_eq!(
            records(&fx)[0].outcome,
            "refused: caller not verified (0 of 2 proofs)",
            "{action}"
        );
        assert!(
            a.status
                .notice
                .as_deref()
                .unwrap()
                .contains("edits for the caller are locked"),
            "{:?}",
            a.status.notice
        );
    }
    // Back-office customer maintenance needs no caller.
    as_backoffice(&mut a);
    a.update(ch('E'));
    assert!(matches!(a.overlay, Some(Overlay::Customer(_))));
    esc(&mut a);
    a.read_only = true;
    for k in ['o', 'A', 'n', 'E', 'D'] {
        let fx = a.update(ch(k));
        assert!(a.overlay.is_none(), "{k} opened in read-only");
        assert_eq!(records(&fx)[0].outcome, "refused: read-only");
    }
}

#[test]
fn an_offer_response_names_the_offer_and_reloads_on_success() {
    let mut a = verified();
    a.update(ch('o'));
    a.update(key(KeyCode::Down));
    a.update(ch('d'));
    enter(&mut a);
    let fx = enter(&mut a);
    let (op, note) = write_op(&fx);
    match op {
        WriteOp::Offer { customer, update } => {
            assert_eq!(customer, ADA_ID);
            assert_eq!(
                (update.offer_id.as_str(), update.action.as_str()),
                ("OFR-CB5", "DECLINE")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(note.action, "offer.decline");
    assert_eq!(note.old.as_deref(), Some("OFR-CB5 accepted"));
    assert_eq!(note.new.as_deref(), Some("OFR-CB5 declined"));
    let fx = written(&mut a, simple_write_seq(&fx), Ok(offer_now("DECLINED")));
    // Only Citi's profile (the offers are in it) is read again.
    assert_eq!(
        fx,
        vec![Effect::Reread {
            id: ADA_ID.into(),
            parts: vec![CustomerRead::Profile]
        }]
    );
}

#[test]
fn an_alert_subscription_carries_channel_and_threshold() {
    let mut a = verified();
    a.update(ch('A'));
    // Low balance: enrolled by SMS at 50; subscribe again by PUSH at 75.
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Right));
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Right));
    a.update(key(KeyCode::Tab));
    for _ in 0..5 {
        a.update(key(KeyCode::Backspace));
    }
    type_str(&mut a, "75");
    enter(&mut a);
    let fx = enter(&mut a);
    let (op, note) = write_op(&fx);
    match op {
        WriteOp::Alerts {
            customer,
            subscriptions,
        } => {
            assert_eq!(customer, ADA_ID);
            let s = &subscriptions.subscriptions[0];
            assert_eq!(s.alert_code, "LOW_BAL");
            assert_eq!(s.action, "SUBSCRIBE");
            assert_eq!(s.channel.as_deref(), Some("PUSH"));
            assert_eq!(s.threshold, Some(75.0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(note.action, "alerts.subscribe");
    assert_eq!(note.old.as_deref(), Some("LOW_BAL SMS 50.00 GBP"));
    assert_eq!(note.new.as_deref(), Some("LOW_BAL PUSH 75.00"));
}

#[test]
fn editing_a_customer_sends_only_what_changed_and_delete_closes_it() {
    let mut a = verified();
    as_backoffice(&mut a);
    a.update(ch('E'));
    // Nothing changed: refused locally.
    enter(&mut a);
    match &a.overlay {
        Some(Overlay::Customer(d)) => assert!(d.problem.is_some()),
        other => panic!("{other:?}"),
    }
    for _ in 0..3 {
        a.update(key(KeyCode::Tab));
    }
    type_str(&mut a, "ada@example.net");
    enter(&mut a);
    let fx = enter(&mut a);
    let (op, note) = write_op(&fx);
    match op {
        WriteOp::UpdateCustomer { id, input } => {
            assert_eq!(id, ADA_ID);
            assert_eq!(input.email.as_deref(), Some("ada@example.net"));
            assert_eq!(
                (input.first_name, input.last_name, input.phone),
                (None, None, None)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(note.new.as_deref(), Some("email a•••@e•••.net"));
    let fx = written(&mut a, simple_write_seq(&fx), Ok(customer_now(ADA_ID)));
    assert_eq!(fx, vec![Effect::LoadCustomer { id: ADA_ID.into() }]);
    esc(&mut a);
    for p in ada_parts() {
        loaded(&mut a, ADA_ID, p);
    }

    a.update(ch('D'));
    type_str(&mut a, "quartermaine");
    enter(&mut a);
    let fx = enter(&mut a);
    let (op, note) = write_op(&fx);
    assert_eq!(op, WriteOp::DeleteCustomer { id: ADA_ID.into() });
    assert_eq!(note.old.as_deref(), Some("Ada Quartermaine (CR00000001)"));
    written(&mut a, simple_write_seq(&fx), Ok(customer_now(ADA_ID)));
    assert!(a.customer.is_none() && a.caller.is_none());
    assert!(!a.search.rows.iter().any(|r| r.id == ADA_ID));
    esc(&mut a);
    assert!(a.overlay.is_none());
}

#[test]
fn dialogs_spin_while_waiting_and_keep_pastes_from_the_search_box() {
    let mut a = verified();
    a.update(ch('o'));
    let before = a.search.input.value().to_string();
    let fx = a.update(Msg::Paste("quartz".into()));
    assert!(fx.is_empty());
    assert_eq!(a.search.input.value(), before);
    assert!(!a.busy());
    enter(&mut a);
    let fx = enter(&mut a);
    assert!(a.busy(), "a write in flight turns the spinner");
    written(&mut a, simple_write_seq(&fx), Ok(offer_now("ACCEPTED")));
    // Answered (the customer reloads, so still busy until it has).
    for p in ada_parts() {
        loaded(&mut a, ADA_ID, p);
    }
    assert!(!a.busy());
    // The customer form takes pastes into the field under the cursor.
    esc(&mut a);
    as_backoffice(&mut a);
    a.update(ch('n'));
    a.update(Msg::Paste("Grace".into()));
    match &a.overlay {
        Some(Overlay::Customer(d)) => assert_eq!(d.inputs[0].value(), "Grace"),
        other => panic!("{other:?}"),
    }
}

// ---- scopes ------------------------------------------------------------------------------

/// The console signed in to a real sandbox as `client`: the scopes the sandbox granted,
/// as the runtime hands them to `update`.
async fn signed_in_as(client: &str, secret: &str) -> App {
    use custdesk::api::{ApiConfig, Client};
    use custdesk::tui::msg::{Msg, Outcome};
    let ts = crate::common::start(5).await;
    let c = Client::new(ApiConfig::sandbox(&ts.base).with_client(client, secret)).unwrap();
    let scopes = c.sign_in().await.expect("sign in");
    let mut a = app();
    a.status.agent = client.into();
    a.update(Msg::SignedIn(Outcome::ok(scopes, "c0ffee00")));
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_agent_back_office_forms_open_nothing_and_say_which_scope_is_missing() {
    let mut a = signed_in_as("agent", "agent-secret").await;
    assert!(
        !a.status.scopes.iter().any(|s| s == "customers:write"),
        "{:?}",
        a.status.scopes
    );
    ada_open(&mut a);
    for (k, action) in [
        ('n', "new_customer"),
        ('E', "edit_customer"),
        ('D', "delete_customer"),
    ] {
        a.status.notice = None;
        let fx = a.update(ch(k));
        assert!(a.overlay.is_none(), "{k} opened a form");
        let n = records(&fx);
        assert_eq!(fx.len(), 1, "only the refusal is audited: {fx:?}");
        assert_eq!(n[0].action, action);
        assert_eq!(n[0].outcome, "refused: missing scope customers:write");
        let notice = a.status.notice.clone().unwrap_or_default();
        assert!(
            notice.contains("needs the customers:write scope, which agent does not have"),
            "{notice}"
        );
        let shown = screen(&mut a, 120, 35);
        assert!(
            shown
                .lines()
                .rev()
                .take(3)
                .any(|l| l.contains("needs the customers:write scope")),
            "the status says so: {shown}"
        );
    }
    // Help and the palette show them as unavailable, with the scope they need.
    a.update(ch('?'));
    let help = screen(&mut a, 200, 50);
    let line = help
        .lines()
        .find(|l| l.contains("new_customer"))
        .unwrap_or_else(|| panic!("{help}"));
    assert!(
        line.contains("unavailable: needs customers:write"),
        "{line}"
    );
    let other = help.lines().find(|l| l.contains("edit_email")).unwrap();
    assert!(!other.contains("unavailable"), "{other}");
    a.update(key(KeyCode::Esc));
    a.update(ch(':'));
    type_str(&mut a, "delete_c");
    let palette = screen(&mut a, 120, 35);
    assert!(
        palette.contains("delete_customer")
            && palette.contains("unavailable: needs customers:write"),
        "{palette}"
    );
    let fx = enter(&mut a);
    assert!(a.overlay.is_none(), "the palette runs nothing it may not");
    assert_eq!(
        records(&fx)[0].outcome,
        "refused: missing scope customers:write"
    );
    // The agent's own edits are still offered.
    a.update(ch('?'));
    let help = screen(&mut a, 200, 50);
    assert!(
        !help
            .lines()
            .any(|l| l.contains("alert_subscription") && l.contains("unavailable"))
    );
}

/// Verify the open customer's caller with date of birth and postcode.
fn verify_caller(a: &mut App) {
    a.update(ch('V'));
    type_str(a, "1984-03-09");
    enter(a);
    type_str(a, "sw1a 1aa");
    enter(a);
    // Enough proved: the dialog closed itself.
    assert!(a.overlay.is_none());
    assert!(a.caller_verified());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_auditor_no_edit_opens_and_each_says_which_scope_is_missing() {
    let mut a = signed_in_as("auditor", "auditor-secret").await;
    assert_eq!(
        a.status.scopes,
        ["customers:read", "institution-users:read"],
        "the sandbox grants the auditor reading only"
    );
    ada_open(&mut a);
    verify_caller(&mut a);
    for (k, action, scope) in [
        ('e', "edit_email", "contact:write"),
        ('p', "edit_phone", "contact:write"),
        ('a', "add_phone", "contact:write"),
        ('o', "offer_response", "offers:write"),
        ('A', "alert_subscription", "alerts:write"),
        ('n', "new_customer", "customers:write"),
        ('E', "edit_customer", "customers:write"),
        ('D', "delete_customer", "customers:write"),
    ] {
        a.status.notice = None;
        let fx = a.update(ch(k));
        assert!(a.overlay.is_none(), "{k} opened a form: {:?}", a.overlay);
        assert!(!fx.iter().any(Effect::is_write), "{fx:?}");
        let n = records(&fx);
        assert_eq!(fx.len(), 1, "only the refusal is audited: {fx:?}");
        assert_eq!(n[0].action, action);
        assert_eq!(n[0].outcome, format!("refused: missing scope {scope}"));
        let notice = a.status.notice.clone().unwrap_or_default();
        assert!(
            notice.contains(&format!(
                "needs the {scope} scope, which auditor does not have"
            )),
            "{notice}"
        );
        // The scope leads, so even an 80-column status line says which one is missing.
        let shown = screen(&mut a, 80, 24);
        assert!(
            shown
                .lines()
                .rev()
                .take(3)
                .any(|l| l.contains(&format!("{scope} missing"))),
            "{k}: the status says so:\n{shown}"
        );
    }
    // The hint line offers what the auditor can do, and none of the edits.
    let shown = screen(&mut a, 120, 35);
    let hints = shown.lines().last().unwrap_or("");
    assert!(hints.contains("v reveal"), "{hints}");
    for offered in [" e email", " p phone", " a add phone"] {
        assert!(!hints.contains(offered), "{offered} offered: {hints}");
    }
    // Help lists every edit as unavailable, with the scope it needs.
    a.update(ch('?'));
    let help = screen(&mut a, 200, 50);
    for (action, scope) in [
        ("edit_email", "contact:write"),
        ("add_phone", "contact:write"),
        ("offer_response", "offers:write"),
        ("alert_subscription", "alerts:write"),
        ("delete_customer", "customers:write"),
    ] {
        let line = help
            .lines()
            .find(|l| l.contains(action))
            .unwrap_or_else(|| panic!("{help}"));
        assert!(
            line.contains(&format!("unavailable: needs {scope}")),
            "{line}"
        );
    }
    let reading = help.lines().find(|l| l.contains("reveal")).unwrap();
    assert!(!reading.contains("unavailable"), "{reading}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_agent_the_caller_edits_still_open() {
    let mut a = signed_in_as("agent", "agent-secret").await;
    ada_open(&mut a);
    verify_caller(&mut a);
    for k in ['e', 'p', 'a', 'o', 'A'] {
        let fx = a.update(ch(k));
        assert!(
            a.overlay.is_some(),
            "{k} opened nothing: {:?} {fx:?}",
            a.status.notice
        );
        assert!(records(&fx).is_empty(), "{k}: {fx:?}");
        esc(&mut a);
        assert!(a.overlay.is_none(), "{k}: esc closes the form");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_backoffice_the_same_keys_open_the_forms() {
    let mut a = signed_in_as("backoffice", "backoffice-secret").await;
    ada_open(&mut a);
    a.update(ch('n'));
    assert!(
        matches!(a.overlay, Some(Overlay::Customer(_))),
        "{:?}",
        a.status.notice
    );
    a.update(key(KeyCode::Esc));
    a.update(ch('?'));
    assert!(!screen(&mut a, 200, 50).contains("unavailable"));
    a.update(key(KeyCode::Esc));

    // Where the write is issued the scope is checked again: a delete confirmed after
    // the client changed to one without customers:write sends nothing and says why.
    a.update(ch('D'));
    type_str(&mut a, "quartermaine");
    enter(&mut a);
    a.status.scopes.retain(|s| s != "customers:write");
    let fx = enter(&mut a);
    assert!(!fx.iter().any(Effect::is_write), "{fx:?}");
    match &a.overlay {
        Some(Overlay::Customer(d)) => {
            let e = d.submit.error.as_ref().expect("an error shown");
            assert!(
                e.message.contains("needs the customers:write scope"),
                "{}",
                e.message
            );
        }
        other => panic!("{other:?}"),
    }
}
