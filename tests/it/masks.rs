//! One mask per kind of value wherever it shows (issue 11): Ada's mobile, +44 7700
//! 900123, masks as `+44 ••••••0123` in the profile, the contact methods pane, the
//! update-phone and add-phone dialogs, the audit note of the add, and a bulk plan's
//! preview; a revealed value counts down to when it hides, by the app's clock.

use std::time::Duration;

use crate::edit_fixture::*;
use crate::tui_fixture::*;

use crossterm::event::KeyCode;
use custdesk::bulk::Action;
use custdesk::tui::app::{Overlay, Pane};
use custdesk::tui::effect::Effect;
use custdesk::tui::msg::Msg;

const MASKED: &str = "+44 ••••••0123";

fn line_with<'a>(s: &'a str, needle: &str) -> &'a str {
    s.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}:\n{s}"))
}

#[test]
fn the_same_phone_masks_alike_everywhere() {
    // The profile.
    let mut a = app();
    ada_open(&mut a);
    let s = screen(&mut a, 80, 24);
    assert!(line_with(&s, "▶ mobile").contains(MASKED), "{s}");

    // The contact methods pane (its Cc column says +44 again).
    a.update(key(KeyCode::Tab));
    assert_eq!(a.focus, Pane::Contacts);
    let s = screen(&mut a, 80, 24);
    assert!(line_with(&s, "SMS").contains(MASKED), "{s}");

    // The update-phone dialog's current value.
    let mut a = verified();
    a.update(ch('p'));
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("Current mobile phone") && s.contains(MASKED),
        "{s}"
    );

    // The add-phone dialog's confirm line, typed nationally with the country code 44
    // from her records, and the audit note the add writes.
    let mut a = verified();
    a.update(ch('a'));
    type_str(&mut a, "07700900123");
    for _ in 0..3 {
        a.update(key(KeyCode::Tab));
    }
    a.update(ch('e'));
    enter(&mut a);
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains(&format!("Add {MASKED} (mobile, consent express)")),
        "{s}"
    );
    assert!(matches!(a.overlay, Some(Overlay::AddPhone(_))));
    let fx = enter(&mut a);
    let note = fx
        .iter()
        .find_map(|e| match e {
            Effect::Write { note, .. } => Some(note.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no write: {fx:?}"));
    assert_eq!(
        note.new.as_deref(),
        Some(&*format!("{MASKED} (mobile, consent express)"))
    );

    // A bulk plan's preview of the same add, and of a primary phone set in
    // bankingservice's international digits.
    let add = Action::AddPhone {
        phone_number: "07700900123".into(),
        consent_type: "express".into(),
        phone_type: "mobile".into(),
        country_code: Some("44".into()),
    };
    assert_eq!(add.new_display(), format!("{MASKED} consent express"));
    let set = Action::SetPhone {
        phone: "447700900123".into(),
    };
    assert_eq!(set.new_display(), MASKED);
}

#[test]
fn a_revealed_value_counts_down_by_the_app_clock() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('v'));
    type_str(&mut a, "caller disputes the number");
    a.update(key(KeyCode::Enter));
    let s = screen(&mut a, 80, 24);
    assert!(
        line_with(&s, "▶ mobile").contains("+447700900123 (revealed) · hides in 30 s"),
        "{s}"
    );

    a.clock.advance(Duration::from_secs(7));
    let s = screen(&mut a, 80, 24);
    assert!(line_with(&s, "▶ mobile").contains("hides in 23 s"), "{s}");
    // A tick keeps it, and asks for a redraw so the count moves on screen.
    a.dirty = false;
    a.update(Msg::Tick);
    assert!(a.dirty && a.reveals.len() == 1);

    // Past the 30 s: drawn masked at once (drawing changes nothing), dropped at the
    // next tick.
    a.clock.advance(Duration::from_secs(24));
    let s = screen(&mut a, 80, 24);
    assert!(line_with(&s, "▶ mobile").contains(MASKED), "{s}");
    assert!(!s.contains("hides in") && !s.contains(ADA_MOBILE), "{s}");
    assert_eq!(a.reveals.len(), 1, "drawing wrote state");
    a.update(Msg::Tick);
    assert!(a.reveals.is_empty());
}
