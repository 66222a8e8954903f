//! Typing never fires commands by surprise, and the status bar's messages: `App::update`
//! driven with the keys and answers the runtime would send.

use crate::tui_fixture::*;

use crossterm::event::KeyCode;
use custdesk::tui::app::{App, Overlay, Pane};
use custdesk::tui::effect::Effect;
use custdesk::tui::messages::{ERROR_FOR, LOG_LEN};
use custdesk::tui::msg::{Msg, Outcome};

/// The status bar (last line but one).
fn status_line(screen: &str) -> String {
    screen.lines().rev().nth(1).unwrap_or("").to_string()
}

/// The results of `quart`, focus in the list (not the box).
fn in_the_list() -> App {
    let mut a = app();
    searched(&mut a);
    a.update(key(KeyCode::Esc));
    assert_eq!(a.focus, Pane::Search);
    assert!(!a.search.editing);
    a
}

fn fail_search(a: &mut App, seq: u64, why: &str) {
    a.update(Msg::Searched {
        seq,
        page: 0,
        outcome: Outcome::err(why, Some("corr-400".into())),
    });
}

#[test]
fn a_name_typed_in_the_results_list_searches_and_runs_no_command() {
    for name in ["quinn", "Sandra", "Edward Daly", "Mary 07700"] {
        let mut a = in_the_list();
        let fx = type_str(&mut a, name);
        assert!(!a.quit, "typing {name:?} quit the console");
        assert!(
            a.overlay.is_none(),
            "typing {name:?} opened {:?}",
            a.overlay
        );
        assert_eq!(
            a.search.input.value(),
            name,
            "the name replaces the old query"
        );
        assert!(a.search.editing);
        assert!(
            fx.iter().all(|e| matches!(e, Effect::Search { .. })),
            "typing {name:?} asked for more than searches: {fx:?}"
        );
        assert!(!searches(&fx).is_empty());
        assert!(a.search.marks.is_empty(), "a letter marked rows");
    }
}

#[test]
fn a_screen_pop_with_no_match_takes_a_typed_name_as_a_search() {
    let mut a = app();
    let fx = a.screen_pop("07700 900999");
    let seq = searches(&fx)[0].0;
    answer_search(&mut a, seq, vec![], 0);
    assert!(!a.search.editing, "a screen-pop lands in the list");
    type_str(&mut a, "Sandra");
    assert!(!a.quit && a.overlay.is_none(), "{:?}", a.overlay);
    assert_eq!(a.search.input.value(), "Sandra");
}

#[test]
fn in_the_list_commands_keep_their_non_letter_keys_and_alt_letters() {
    let mut a = in_the_list();
    a.update(ch(' '));
    assert_eq!(a.search.marks.len(), 1, "space still marks");
    a.update(key(KeyCode::Down));
    assert_eq!(a.search.selected, 2, "arrows still move");
    let fx = a.update(alt('y'));
    assert!(
        fx.contains(&Effect::Copy(customers()[2].id.clone())),
        "{fx:?}"
    );
    a.update(alt('b'));
    assert!(
        matches!(a.overlay, Some(Overlay::Bulk(_))),
        "alt-b opens bulk"
    );
    // The hint line names the keys that work here.
    a.update(key(KeyCode::Esc));
    let s = screen(&mut a, 200, 50);
    let hints = s.lines().last().unwrap_or("");
    assert!(
        hints.contains("alt-s sort") && hints.contains("ctrl-c quit"),
        "{hints}"
    );
    // In the profile, letters are commands as before.
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('v'));
    assert!(matches!(a.overlay, Some(Overlay::Reveal { .. })));
}

#[test]
fn slash_selects_the_old_query_and_is_never_typed_into_it() {
    // From the list: `/` selects the query, typing replaces it.
    let mut a = in_the_list();
    a.update(ch('/'));
    assert!(a.search.editing && a.search.query_selected);
    type_str(&mut a, "Quarterm");
    assert_eq!(a.search.input.value(), "Quarterm");
    // In the box: `/` never lands in the query, it selects it again.
    a.update(ch('/'));
    assert_eq!(a.search.input.value(), "Quarterm");
    assert!(a.search.query_selected);
    let fx = a.update(key(KeyCode::Backspace));
    assert_eq!(
        a.search.input.value(),
        "",
        "backspace clears a selected query"
    );
    assert!(
        searches(&fx).is_empty(),
        "an empty box searches nothing: {fx:?}"
    );
    type_str(&mut a, "/Quarterm");
    assert_eq!(a.search.input.value(), "Quarterm");
    // After a date's digits it is the date's separator.
    a.update(ch('/'));
    type_str(&mut a, "dob:09/03/1984");
    assert_eq!(a.search.input.value(), "dob:09/03/1984");
    a.update(ch('/'));
    type_str(&mut a, "09/03/1984");
    assert_eq!(a.search.input.value(), "09/03/1984");
    // After any other field's digits it is the search key.
    a.update(ch('/'));
    type_str(&mut a, "phone:0/Quar");
    assert_eq!(a.search.input.value(), "Quar");
    // Moving the cursor keeps a selected query (from the list, `/` always selects).
    a.update(key(KeyCode::Esc));
    a.update(ch('/'));
    assert!(a.search.query_selected);
    a.update(key(KeyCode::End));
    type_str(&mut a, "x");
    assert_eq!(a.search.input.value(), "Quarx");
}

#[test]
fn ctrl_c_backs_out_of_a_dialog_and_asks_before_losing_typed_text() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('v'));
    type_str(&mut a, "caller");
    a.update(ctrl('c'));
    assert!(!a.quit);
    assert!(
        matches!(a.overlay, Some(Overlay::Reveal { .. })),
        "asked first"
    );
    let s = screen(&mut a, 200, 50);
    assert!(
        status_line(&s).contains("Ctrl-C again closes the reveal dialog and drops what you typed"),
        "{s}"
    );
    // Any other key goes back to the dialog with the text kept.
    type_str(&mut a, " asked");
    match &a.overlay {
        Some(Overlay::Reveal(r)) => assert_eq!(r.reason.value(), "caller asked"),
        other => panic!("{other:?}"),
    }
    a.update(ctrl('c'));
    a.update(ctrl('c'));
    assert!(a.overlay.is_none(), "the second Ctrl-C closes the dialog");
    assert!(!a.quit);
    assert_eq!(a.focus, Pane::Profile);
    // A dialog with nothing typed closes at once.
    a.update(ch('V'));
    assert!(matches!(a.overlay, Some(Overlay::Verify(_))));
    a.update(ctrl('c'));
    assert!(a.overlay.is_none() && !a.quit);
    // With no dialog open Ctrl-C quits.
    a.update(ctrl('c'));
    assert!(a.quit);
}

#[test]
fn an_error_clears_on_the_next_good_search() {
    let mut a = app();
    let seq = type_search(&mut a, "quartz");
    fail_search(&mut a, seq, "NewDay returned 503 Service Unavailable");
    let s = screen(&mut a, 120, 35);
    assert!(
        status_line(&s).contains("✗ Error: NewDay returned 503 Service Unavailable"),
        "{s}"
    );
    // A new query, answered: the error is gone.
    a.update(ch('/'));
    let seq = type_search(&mut a, "quart");
    answer_search(&mut a, seq, customers(), 6);
    assert_eq!(a.status.last_error, None);
    let s = screen(&mut a, 120, 35);
    assert!(!s.contains("Error"), "{s}");
    // It is in the log, with its correlation id.
    let e = a.messages.log.back().expect("logged");
    assert!(
        e.error && e.text == "NewDay returned 503 Service Unavailable",
        "{e:?}"
    );
    assert_eq!(e.correlation.as_deref(), Some("corr-400"));
}

#[test]
fn an_error_clears_after_a_few_seconds_and_a_newer_outcome_replaces_it() {
    let mut a = app();
    let seq = type_search(&mut a, "quart");
    fail_search(&mut a, seq, "NewDay returned 503");
    a.update(Msg::Tick);
    assert!(a.status.last_error.is_some(), "cleared at once");
    a.clock.advance(ERROR_FOR);
    a.update(Msg::Tick);
    assert_eq!(a.status.last_error, None, "still shown after {ERROR_FOR:?}");
    assert!(!status_line(&screen(&mut a, 120, 35)).contains("Error"));

    // A notice after an error replaces it.
    let mut a = app();
    ada_open(&mut a);
    a.status.last_error = Some("Candescent refused the token".into());
    a.update(ch('y'));
    let s = screen(&mut a, 120, 35);
    assert!(status_line(&s).contains("Copied customer id"), "{s}");
    assert!(!s.contains("Candescent refused"), "{s}");
}

#[test]
fn the_message_log_opens_with_one_key_and_keeps_the_last_fifty() {
    let mut a = app();
    ada_open(&mut a);
    for _ in 0..(LOG_LEN + 5) {
        // The same words twice in a row are one message; alternate them.
        a.update(ch('y'));
        a.update(ch('Y'));
    }
    assert_eq!(a.messages.log.len(), LOG_LEN);
    let seq = {
        a.update(key(KeyCode::Esc));
        a.update(ch('/'));
        type_search(&mut a, "zz")
    };
    fail_search(&mut a, seq, "NewDay returned 500");
    assert_eq!(a.messages.log.len(), LOG_LEN);
    a.update(key(KeyCode::F(2)));
    assert!(matches!(a.overlay, Some(Overlay::Messages { .. })));
    let s = screen(&mut a, 200, 50);
    assert!(s.contains("Messages: the last 50, newest first"), "{s}");
    assert!(s.contains("✗ NewDay returned 500  corr corr-400"), "{s}");
    assert!(s.contains("Copied correlation id"), "{s}");
    // Each line starts with its time of day.
    let line = s
        .lines()
        .find(|l| l.contains("✗ NewDay returned 500"))
        .unwrap_or_default();
    assert!(
        line.split('│').nth(1).is_some_and(|l| {
            let t = l.trim_start();
            t.len() > 8 && t.as_bytes()[2] == b':' && t.as_bytes()[5] == b':'
        }),
        "{line}"
    );
    // The same key closes it (help lists it: help_lists_every_action_from_the_keymap).
    a.update(key(KeyCode::F(2)));
    assert!(a.overlay.is_none());
}

/// The real binary: a name typed in the results list searches; the console stays up
/// with no dialog open, and Ctrl-C then quits.
#[test]
fn the_binary_keeps_running_when_a_name_is_typed_in_the_results_list() {
    use std::time::Duration;
    let mut c = crate::pty::Console::spawn(&["--seed-customers", "50"], 35, 120);
    c.expect("TRAINING SANDBOX");
    c.send("a");
    c.expect("matches");
    c.send("\x1b"); // to the results list
    std::thread::sleep(Duration::from_millis(300));
    for ch in ["q", "u", "i", "n", "n"] {
        c.send(ch);
    }
    c.expect("› quinn");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        c.child.try_wait().unwrap().is_none(),
        "typing quinn quit:\n{}",
        c.text()
    );
    c.send("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    c.send("Sandra");
    c.expect("› Sandra");
    let s = c.text();
    assert!(!s.contains("New customer"), "a letter opened a form:\n{s}");
    assert!(c.child.try_wait().unwrap().is_none(), "{s}");
    c.send("\x03");
    assert!(c.wait_exit().success(), "{}", c.text());
}
