//! The edit dialogs' behaviour: `App::update` driven with keys and the answers the
//! runtime would send back, checked through state, effects and the screen. No network.

mod tui_fixture;

use crossterm::event::KeyCode;
use custdesk::tui::app::{App, Overlay};
use custdesk::tui::effect::{AuditNote, Effect};
use tui_fixture::*;

fn enter(a: &mut App) -> Vec<Effect> {
    a.update(key(KeyCode::Enter))
}

fn records(fx: &[Effect]) -> Vec<AuditNote> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Record(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// Ada open and the caller verified with date of birth and postcode.
fn verified() -> App {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('V'));
    type_str(&mut a, "1984-03-09");
    enter(&mut a);
    type_str(&mut a, "sw1a 1aa");
    enter(&mut a);
    a.update(key(KeyCode::Esc));
    assert!(a.caller_verified());
    assert!(a.overlay.is_none());
    a
}

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
}
