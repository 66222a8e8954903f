//! The edit dialogs as the agent sees them at 80x24, one snapshot per dialog and state:
//! caller verification, update email / phone (editing, invalid field, confirming,
//! passcode, wrong passcode, success, server error, locked) and add phone. Each test
//! also checks in code what must hold whatever the layout: personal data masked, the
//! passcode never on screen, no control character in a cell.
//!
//! Update with `INSTA_UPDATE=always cargo test --test tui_edit_snapshots` and read the
//! `.snap` files before committing them.

mod tui_fixture;

use crossterm::event::KeyCode;
use custdesk::tui::app::App;
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

fn enter(a: &mut App) {
    a.update(key(KeyCode::Enter));
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
    let s = snap("verify_verified", &mut a);
    assert!(
        s.contains("✓ Caller verified: DOB ✓ last four ✓ — contact edits unlocked"),
        "{s}"
    );
    assert_ada_masked(&s, "verify dialog");

    a.update(key(KeyCode::Esc));
    let s = snap("profile_caller_verified", &mut a);
    assert!(s.contains("Caller verified: DOB ✓ last four ✓"), "{s}");
}
