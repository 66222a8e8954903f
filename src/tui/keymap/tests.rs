//! The keymap's unit tests: defaults, overrides, contexts and clashes.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

#[test]
fn defaults_and_overrides() {
    let km = Keymap::default();
    let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(km.action(&q), Some(Action::Quit));
    let km = Keymap::with_overrides("[bindings]\nquit = \"x\"\n").unwrap();
    assert_eq!(km.action(&q), None);
    assert_eq!(
        km.action(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)),
        Some(Action::Quit)
    );
    assert_eq!(km.hint(Action::Quit), "x");
}

#[test]
fn no_two_actions_share_a_default_key() {
    let mut seen: BTreeMap<(Context, Chord), Action> = BTreeMap::new();
    for a in Action::ALL {
        for k in a.default_keys() {
            let chord = Chord::parse(k).unwrap();
            for ctx in a.contexts() {
                if let Some(other) = seen.insert((*ctx, chord), *a) {
                    panic!(
                        "'{k}' is the default key of both {} and {}",
                        other.name(),
                        a.name()
                    );
                }
            }
        }
    }
}

#[test]
fn no_default_key_hides_another_where_the_agent_meets_both() {
    // A pane's keys and the global ones are met together: no default key of one may
    // mean another action in the other.
    let km = Keymap::default();
    let all: Vec<_> = km.all().collect();
    for (ctx, chord, action) in &all {
        for seen in bindings::seen_in(*ctx, *chord) {
            for (c, k, other) in &all {
                assert!(
                    !(*c == seen && k == chord && other != action),
                    "'{chord}' means {} in {ctx:?} and {} in {seen:?}",
                    action.name(),
                    other.name()
                );
            }
        }
    }
}

#[test]
fn reports_every_problem() {
    let errs = Keymap::with_overrides("[bindings]\nfly = \"z\"\nquit = \"j\"\nhelp = \"ctrl-\"\n")
        .unwrap_err();
    assert!(
        errs.iter().any(|e| e.contains("unknown action 'fly'")),
        "{errs:?}"
    );
    assert!(
        errs.iter().any(|e| e.contains("'j'") && e.contains("down")),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.contains("help")), "{errs:?}");
    let errs = Keymap::with_overrides("[bindings]\nquit = \"z\"\nhelp = \"z\"\n").unwrap_err();
    assert!(errs.iter().any(|e| e.contains("bound to both")), "{errs:?}");
}

#[test]
fn the_bulk_dialog_has_its_own_keys_and_section() {
    let s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE);
    let w = KeyEvent::new(KeyCode::Char('w'), KeyModifiers::NONE);
    let km = Keymap::default();
    assert_eq!(km.action(&s), Some(Action::Sort));
    assert_eq!(km.action_in(Context::Bulk, &s), Some(Action::SavePlan));
    let km =
        Keymap::with_overrides("[bindings]\nquit = \"Q\"\n[bulk]\nsave_plan = \"w\"\n").unwrap();
    assert_eq!(km.action_in(Context::Bulk, &w), Some(Action::SavePlan));
    assert_eq!(km.action_in(Context::Bulk, &s), None);
    assert_eq!(
        km.action(&s),
        Some(Action::Sort),
        "the global s still sorts"
    );
    assert_eq!(km.hint(Action::SavePlan), "w");
    // A clash within the bulk context names both actions; the same key in two
    // contexts is no clash.
    let errs = Keymap::with_overrides("[bulk]\nsave_plan = \"x\"\n").unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("[bulk]") && e.contains("save_plan") && e.contains("export")),
        "{errs:?}"
    );
    let errs = Keymap::with_overrides("[bulk]\nsave_plan = \"z\"\ncancel = \"z\"\n").unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("[bulk] 'z' is bound to both")
                && e.contains("save_plan")
                && e.contains("cancel")),
        "{errs:?}"
    );
    // A bulk action under [bindings] is not a global action.
    let errs = Keymap::with_overrides("[bindings]\nsave_plan = \"w\"\n").unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("unknown action 'save_plan'")),
        "{errs:?}"
    );
}

#[test]
fn a_shared_dialog_action_is_rebound_in_one_context_only() {
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    let km = Keymap::default();
    for ctx in [
        Context::Verify,
        Context::Contact,
        Context::BulkForm,
        Context::Bulk,
    ] {
        assert_eq!(km.action_in(ctx, &enter), Some(Action::Confirm), "{ctx:?}");
    }
    assert_eq!(km.action(&enter), Some(Action::Open));
    let km = Keymap::with_overrides("[contact]\nconfirm = \"ctrl-s\"\n").unwrap();
    assert_eq!(
        km.action_in(Context::Contact, &ctrl_s),
        Some(Action::Confirm)
    );
    assert_eq!(km.action_in(Context::Contact, &enter), None);
    assert_eq!(km.action_in(Context::Bulk, &enter), Some(Action::Confirm));
    assert_eq!(km.action_in(Context::BulkForm, &ctrl_s), None);
    assert_eq!(km.hint_in(Context::Contact, Action::Confirm), "ctrl-s");
    assert_eq!(km.hint_in(Context::Bulk, Action::Confirm), "enter");
    // back is global too: rebinding it in a dialog leaves esc going back elsewhere.
    let km = Keymap::with_overrides("[bulk_form]\nback = \"ctrl-q\"\n").unwrap();
    assert_eq!(km.hint(Action::Back), "esc");
    assert_eq!(km.hint_in(Context::BulkForm, Action::Back), "ctrl-q");
    assert_eq!(km.hint_in(Context::Contact, Action::Back), "esc");
    // Every context lists its actions, and each of them has a key there.
    for ctx in Context::ALL {
        for a in ctx.actions() {
            assert!(
                !Keymap::default().keys_in(*ctx, a).is_empty(),
                "{a:?} in {ctx:?}"
            );
        }
    }
}

#[test]
fn a_clash_inside_a_dialog_names_both_actions() {
    let errs = Keymap::with_overrides("[contact]\nconfirm = \"esc\"\n").unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("[contact]") && e.contains("confirm") && e.contains("back")),
        "{errs:?}"
    );
    let errs = Keymap::with_overrides("[bulk_form]\nnext_field = \"f9\"\nchoice_next = \"f9\"\n")
        .unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("[bulk_form] 'f9' is bound to both")
                && e.contains("next_field")
                && e.contains("choice_next")),
        "{errs:?}"
    );
    // Not an action of that dialog.
    let errs = Keymap::with_overrides("[contact]\nsave_plan = \"w\"\n").unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("unknown action 'save_plan'")),
        "{errs:?}"
    );
    // The same key in two dialogs is no clash.
    assert!(
        Keymap::with_overrides("[contact]\nconfirm = \"f9\"\n[bulk]\nconfirm = \"f9\"\n").is_ok()
    );
}
