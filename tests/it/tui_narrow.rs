//! At 80x24 nothing the agent needs is cut off without saying so: the quit hint shows,
//! and a status message too long for its line ends in `…`, whole in the message log.

use crossterm::event::KeyCode;
use custdesk::tui::msg::{Msg, Outcome};

use crate::tui_fixture::*;

#[test]
fn at_80x24_the_quit_hint_shows_and_a_long_error_is_cut_with_an_ellipsis_kept_whole_in_the_log() {
    let mut a = app();
    let seq = type_search(&mut a, "quartermaine");
    let long = "NewDay search is unavailable right now because the upstream directory \
                service timed out twice; try again in a minute or call the service desk \
                quoting reference ZEBRA-END";
    a.update(Msg::Searched {
        seq,
        page: 0,
        outcome: Outcome::err(long, Some("c0ffee00-1111-4222-8333-444455556666".into())),
    });
    a.update(key(KeyCode::Esc));
    let shown = screen(&mut a, 80, 24);
    let lines: Vec<&str> = shown.lines().collect();
    let hints = lines.last().expect("a hint line");
    assert!(
        hints.trim_end().ends_with(" quit"),
        "the quit hint is cut: {hints:?}"
    );
    assert!(hints.contains("? help"), "{hints:?}");
    // In the status bar and the search pane's footer alike.
    let cut: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("✗ Error: NewDay search is unavailab"))
        .collect();
    assert_eq!(cut.len(), 2, "{shown}");
    for l in cut {
        assert!(l.trim_end().trim_end_matches('│').ends_with('…'), "{l:?}");
    }
    assert!(!shown.contains("ZEBRA-END"), "{shown}");
    // The message log holds it whole.
    a.update(key(KeyCode::F(2)));
    let log = screen(&mut a, 80, 24);
    assert!(log.contains("ZEBRA-END"), "{log}");
}

#[test]
fn a_profile_cut_off_by_a_small_screen_says_how_much_is_below() {
    let mut a = app();
    ada_open(&mut a);
    let small = screen(&mut a, 80, 24);
    assert!(small.contains("more below"), "{small}");
    // Moving down to the last field scrolls to the end: nothing is left below.
    for _ in 0..40 {
        a.update(key(KeyCode::Down));
    }
    let end = screen(&mut a, 80, 24);
    assert!(!end.contains("more below"), "{end}");
    let big = screen(&mut a, 200, 50);
    assert!(!big.contains("more below"), "{big}");
}

#[test]
fn contact_methods_and_alerts_shown_alone_name_the_customer() {
    let mut a = app();
    ada_open(&mut a);
    a.update(key(KeyCode::Tab));
    let contacts = screen(&mut a, 80, 24);
    assert!(
        contacts.contains("┌ Contact methods · Ada Quartermaine"),
        "{contacts}"
    );
    a.update(key(KeyCode::Tab));
    let alerts = screen(&mut a, 80, 24);
    assert!(alerts.contains("┌ Alerts · Ada Quartermaine"), "{alerts}");
}
