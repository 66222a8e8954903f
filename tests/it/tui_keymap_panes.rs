//! The panes' keymap contexts: the search box (`[search]`), the results list
//! (`[results]`) and the customer panes (`[profile]`) each rebind their own keys, fall
//! back to the global ones, and a clash with a key the agent would meet there is
//! reported naming both actions.

use crate::tui_fixture;

use crossterm::event::KeyCode;
use custdesk::tui::app::{Overlay, Pane};
use custdesk::tui::keymap::{Action, Context, Keymap};
use custdesk::tui::keymap_load;
use custdesk::tui::theme::Theme;
use tui_fixture::*;

fn with_keys(text: &str) -> custdesk::tui::app::App {
    let (km, problems) = keymap_load::tolerant(text);
    assert!(problems.is_empty(), "{problems:?}");
    app_with(km, Theme::built_in("default"))
}

/// The help line of `action` under the heading `title`, read from help at 200x130.
fn help_line(app: &mut custdesk::tui::app::App, title: &str, action: &str) -> String {
    app.update(key(KeyCode::F(1)));
    let help = screen(app, 200, 130);
    app.update(key(KeyCode::Esc));
    let from = help
        .lines()
        .position(|l| l.contains(title))
        .unwrap_or_else(|| panic!("no {title} in help:\n{help}"));
    help.lines()
        .skip(from)
        .find(|l| l.contains(&format!(" {action} ")))
        .unwrap_or_else(|| panic!("no {action} under {title}:\n{help}"))
        .to_string()
}

#[test]
fn sort_rebound_in_the_results_list_sorts_there_only_and_shows_in_help_and_hints() {
    let mut a = with_keys("[results]\nsort = \"f6\"\n");
    searched(&mut a);
    a.update(key(KeyCode::Esc));
    assert_eq!(a.focus, Pane::Search);
    assert!(!a.search.editing);
    // alt-s was the letter's command in the list; s is no longer sort's key.
    assert!(searches(&a.update(alt('s'))).is_empty());
    // The list is sorted by name already: sorting it again reverses it.
    let fx = a.update(key(KeyCode::F(6)));
    assert_eq!(
        searches(&fx)
            .into_iter()
            .map(|(_, _, sort)| sort)
            .collect::<Vec<_>>(),
        vec![Some("-familyName".to_string())]
    );
    // The hint line of the results list names the new key.
    let s = screen(&mut a, 200, 50);
    assert!(
        s.lines().last().unwrap().contains(" f6 sort"),
        "{}",
        s.lines().last().unwrap()
    );
    let line = help_line(&mut a, "Results list", "sort");
    assert!(line.contains(" f6 "), "{line}");

    // In the profile F6 means nothing: no search, no dialog.
    let mut a = with_keys("[results]\nsort = \"f6\"\n");
    ada_open(&mut a);
    assert_eq!(a.focus, Pane::Profile);
    assert!(a.update(key(KeyCode::F(6))).is_empty());
    assert!(a.overlay.is_none());
}

#[test]
fn reveal_rebound_in_the_customer_panes_leaves_the_results_list_alone() {
    let mut a = with_keys("[profile]\nreveal = \"ctrl-r\"\n");
    ada_open(&mut a);
    a.update(ch('v'));
    assert!(a.overlay.is_none(), "v still reveals");
    a.update(ctrl('r'));
    assert!(matches!(a.overlay, Some(Overlay::Reveal(_))));
    a.update(key(KeyCode::Esc));
    assert!(a.overlay.is_none());
    let line = help_line(&mut a, "Customer panes", "reveal");
    assert!(line.contains(" ctrl-r "), "{line}");
    // Back to the results list: ctrl-r there is nothing.
    a.update(key(KeyCode::Esc));
    assert_eq!(a.focus, Pane::Search);
    a.update(ctrl('r'));
    assert!(a.overlay.is_none());
}

#[test]
fn the_search_box_keys_are_its_own_and_never_text() {
    let mut a = with_keys("[search]\nback = \"ctrl-g\"\n");
    searched(&mut a);
    assert!(a.search.editing);
    // Esc no longer leaves the box; ctrl-g does, keeping the query.
    a.update(key(KeyCode::Esc));
    assert!(a.search.editing);
    let s = screen(&mut a, 200, 50);
    assert!(
        s.lines().last().unwrap().contains(" ctrl-g back"),
        "{}",
        s.lines().last().unwrap()
    );
    a.update(ctrl('g'));
    assert!(!a.search.editing);
    assert_eq!(a.search.input.value(), "quart");
    let line = help_line(&mut a, "Search box", "back");
    assert!(line.contains(" ctrl-g "), "{line}");

    // A plain character is text in the search box: binding one there is refused in
    // words, and the line keeps its default.
    let (km, problems) = keymap_load::tolerant("[search]\nopen = \"o\"\n");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("[search]")
            && problems[0].contains("'o'")
            && problems[0].contains("open")
            && problems[0].contains("not text"),
        "{problems:?}"
    );
    assert_eq!(
        km.keys_in(Context::SearchInput, Action::Open),
        vec!["enter"]
    );

    // [bindings] rebinds open in the list and the panes; in the search box o is
    // still a letter of the name and enter still opens.
    let mut a = with_keys("[bindings]\nopen = \"f7\"\n");
    type_search(&mut a, "oo");
    assert_eq!(a.search.input.value(), "oo");
    assert_eq!(
        a.keymap.keys_in(Context::Results, Action::Open),
        vec!["f7".to_string()]
    );
    assert_eq!(
        a.keymap.keys_in(Context::SearchInput, Action::Open),
        vec!["enter".to_string()]
    );
}

#[test]
fn a_clash_with_a_key_met_in_a_pane_names_both_actions() {
    let errs = |text: &str| Keymap::with_overrides(text).unwrap_err().join("\n");
    // The results list falls back to the global keys: q there would be both.
    let e = errs("[results]\nsort = \"q\"\n");
    assert!(
        e.contains("[results]") && e.contains("sort") && e.contains("quit"),
        "{e}"
    );
    // The customer panes: e edits the email.
    let e = errs("[profile]\nreveal = \"e\"\n");
    assert!(
        e.contains("[profile]") && e.contains("reveal") && e.contains("edit_email"),
        "{e}"
    );
    // A global key a pane already uses would be hidden there.
    let e = errs("[bindings]\nquit = \"v\"\n");
    assert!(e.contains("quit") && e.contains("reveal"), "{e}");
    // Two actions on one key in one pane's section.
    let e = errs("[results]\nsort = \"f9\"\nmark_all = \"f9\"\n");
    assert!(
        e.contains("[results] 'f9' is bound to both") && e.contains("sort"),
        "{e}"
    );
    // Handing a key over is no clash: quit moves off q, sort takes it.
    let km = Keymap::with_overrides("[results]\nsort = \"q\"\n[bindings]\nquit = \"Q\"\n")
        .expect("a key handed over");
    assert_eq!(km.keys_in(Context::Results, Action::Sort), vec!["q"]);
    assert_eq!(km.keys(Action::Quit), vec!["Q"]);
    // The same key in the results list and the customer panes is no clash: only one
    // of them has focus.
    assert!(
        Keymap::with_overrides("[results]\nsort = \"f9\"\n[profile]\nreveal = \"f9\"\n").is_ok()
    );
}

fn help_scroll(a: &custdesk::tui::app::App) -> u16 {
    match &a.overlay {
        Some(Overlay::Help(h)) => h.scroll,
        other => panic!("help is not open: {other:?}"),
    }
}

#[test]
fn help_and_the_message_log_page_jump_and_hand_over_with_their_own_keys() {
    let mut a = app();
    a.update(custdesk::tui::msg::Msg::Resize(80, 24));
    a.update(key(KeyCode::F(1)));
    let first = screen(&mut a, 80, 24);
    let total: u16 = first
        .split("rows 1-22 of ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no row count:\n{first}"));
    // A page at a time (22 rows show), to the end and back to the top.
    a.update(key(KeyCode::PageDown));
    assert_eq!(help_scroll(&a), 22);
    assert!(screen(&mut a, 80, 24).contains("rows 23-44 of"));
    a.update(ch('G'));
    assert_eq!(help_scroll(&a), total - 22);
    let end = screen(&mut a, 80, 24);
    assert!(
        end.contains(&format!("rows {}-{total} of {total}", total - 21)),
        "{end}"
    );
    // The last section is this one: the views' own keys.
    assert!(
        end.contains("Help and message log (keymap.toml [viewer])"),
        "{end}"
    );
    a.update(key(KeyCode::Home));
    assert_eq!(help_scroll(&a), 0);
    // The message log's key opens it in help's place, and help's key the reverse.
    a.update(ch('!'));
    assert!(
        matches!(a.overlay, Some(Overlay::Messages(_))),
        "{:?}",
        a.overlay
    );
    a.update(ch('?'));
    assert!(
        matches!(a.overlay, Some(Overlay::Help(_))),
        "{:?}",
        a.overlay
    );
    // q closes a view; it never quits the console from one.
    a.update(ch('q'));
    assert!(a.overlay.is_none());
    assert!(!a.quit);
}

#[test]
fn the_message_log_scrolls_no_further_than_its_last_message() {
    let mut a = app();
    a.update(custdesk::tui::msg::Msg::Resize(80, 24));
    a.update(key(KeyCode::F(2)));
    for _ in 0..5 {
        a.update(ch('j'));
    }
    a.update(key(KeyCode::End));
    match &a.overlay {
        Some(Overlay::Messages(m)) => assert_eq!(m.scroll, 0, "an empty log scrolled"),
        other => panic!("the log is not open: {other:?}"),
    }
    assert!(screen(&mut a, 80, 24).contains("No messages yet"));
}

#[test]
fn the_views_close_key_is_rebound_under_viewer() {
    let mut a = with_keys("[viewer]\nclose = \"x\"\n");
    a.update(key(KeyCode::F(2)));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains(" x or ! closes "), "{s}");
    a.update(key(KeyCode::Esc));
    assert!(a.overlay.is_some(), "esc still closes");
    a.update(ch('x'));
    assert!(a.overlay.is_none());
    // A clash inside the views names both actions.
    let e = Keymap::with_overrides("[viewer]\nclose = \"j\"\n")
        .unwrap_err()
        .join("\n");
    assert!(
        e.contains("[viewer]") && e.contains("close") && e.contains("down"),
        "{e}"
    );
}

#[test]
fn a_full_message_log_ends_at_its_oldest_message() {
    let mut a = app();
    a.update(custdesk::tui::msg::Msg::Resize(80, 24));
    let clock = a.clock;
    for i in 0..40 {
        a.messages
            .push(&clock, &format!("message number {i:02}"), false, None);
    }
    a.update(key(KeyCode::F(2)));
    let first = screen(&mut a, 80, 24);
    assert!(
        first.contains("message number 39"),
        "newest first:\n{first}"
    );
    assert!(!first.contains("message number 00"), "{first}");
    a.update(key(KeyCode::End));
    let end = screen(&mut a, 80, 24);
    assert!(
        end.contains("message number 00"),
        "the oldest at the end:\n{end}"
    );
    // The end is the end: one more row down changes nothing.
    a.update(ch('j'));
    assert_eq!(screen(&mut a, 80, 24), end);
    a.update(ch('k'));
    assert_ne!(screen(&mut a, 80, 24), end);
}

#[test]
fn a_key_of_the_other_pane_says_where_it_works() {
    let mut a = app();
    ada_open(&mut a);
    // In the customer panes, the results list's sort key.
    a.update(ch('s'));
    let said = a.status.notice.clone().unwrap_or_default();
    assert!(
        said.contains("sort") && said.contains("results list"),
        "{said}"
    );
    // In the results list, reveal (with Alt: a letter there types a search).
    a.update(key(KeyCode::Esc));
    assert_eq!(a.focus, Pane::Search);
    a.update(alt('v'));
    let said = a.status.notice.clone().unwrap_or_default();
    assert!(
        said.contains("reveal") && said.contains("customer panes"),
        "{said}"
    );
}

#[test]
fn a_key_two_sections_keep_is_a_clash_and_the_views_follow_bindings() {
    // f5 kept by refresh under [bindings] and given to open in [results]: a clash,
    // not a hand-over.
    let e = Keymap::with_overrides(
        "[bindings]\nrefresh = [\"r\", \"f5\"]\n[results]\nopen = [\"enter\", \"f5\"]\n",
    )
    .unwrap_err()
    .join("\n");
    assert!(e.contains("open") && e.contains("refresh"), "{e}");
    // Help's key rebound under [bindings] closes help too.
    let mut a = with_keys("[bindings]\nhelp = \"f9\"\n");
    a.update(key(KeyCode::F(9)));
    assert!(matches!(a.overlay, Some(Overlay::Help(_))));
    a.update(key(KeyCode::F(9)));
    assert!(a.overlay.is_none(), "f9 did not close help");
}

#[test]
fn the_search_key_rebound_to_a_chord_selects_the_query() {
    let mut a = with_keys("[search]\nfocus_search = \"ctrl-f\"\n");
    searched(&mut a);
    assert_eq!(a.search.input.value(), "quart");
    a.update(ctrl('f'));
    // Selected: the next character replaces the query.
    a.update(ch('b'));
    assert_eq!(a.search.input.value(), "b");
}
