//! How the console behaves: `App::update` driven with the messages the runtime would
//! send (keys, finished calls, ticks), checked through the effects it asks for, its
//! state and what it draws. No network: answers are built from the wire types.

use crate::tui_fixture;

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use custdesk::api::wire::newday::Customer;
use custdesk::tui::app::{App, Load, Overlay, PAGE_SIZE, Pane, REVEAL_FOR};
use custdesk::tui::effect::Effect;
use custdesk::tui::keymap::{Action, Keymap};
use custdesk::tui::msg::{Msg, Outcome, Part};
use custdesk::tui::theme::Theme;
use tui_fixture::*;

fn copies(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Copy(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn bernard_id() -> String {
    customers()[1].id.clone()
}

/// The status bar (last line but one).
fn status_line(screen: &str) -> String {
    screen.lines().rev().nth(1).unwrap_or("").to_string()
}

// ---- search ------------------------------------------------------------------------------

#[test]
fn each_keystroke_searches_and_the_latest_answer_wins() {
    let mut a = app();
    let fx = type_str(&mut a, "quar");
    let mut last = 0;
    let mut prefixes = Vec::new();
    for e in &fx {
        match e {
            Effect::Search {
                seq,
                filter,
                page,
                size,
                sort,
            } => {
                assert!(*seq > last, "seq must increase: {fx:?}");
                last = *seq;
                assert_eq!((*page, *size), (0, PAGE_SIZE));
                assert_eq!(sort.as_deref(), Some("familyName"));
                prefixes.push(filter.family_name.clone().unwrap_or_default());
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(prefixes, ["q", "qu", "qua", "quar"]);
    let seqs: Vec<u64> = searches(&fx).into_iter().map(|s| s.0).collect();

    // The answer to "qu" arrives after "quar" was typed: dropped.
    answer_search(&mut a, seqs[1], filler(0, 3), 3);
    assert!(a.search.rows.is_empty(), "a stale answer was shown");
    assert_eq!(
        a.status.last_correlation, None,
        "a stale answer set the correlation id"
    );
    assert!(screen(&mut a, 80, 24).contains("searching…"));

    // The latest answer is shown.
    answer_search(&mut a, seqs[3], customers(), 6);
    assert_eq!(a.search.rows.len(), 6);
    let s = screen(&mut a, 200, 50);
    assert!(
        s.contains("▶ Quartermaine") && s.contains("1 of 6 matches"),
        "{s}"
    );

    // An even older answer arriving late changes nothing.
    answer_search(&mut a, seqs[2], filler(0, 9), 9);
    assert_eq!(a.search.rows[0].id, ADA_ID);
    assert_eq!(a.search.count, 6);
    assert!(!screen(&mut a, 200, 50).contains("Quarto0000"));
}

#[test]
fn clearing_the_box_clears_results_without_a_search() {
    let mut a = app();
    searched(&mut a);
    let fx: Vec<Effect> = (0..5)
        .flat_map(|_| a.update(key(KeyCode::Backspace)))
        .collect();
    // Four shorter prefixes are searched; the empty box is not.
    assert_eq!(searches(&fx).len(), 4, "{fx:?}");
    assert!(a.search.rows.is_empty());
    let s = screen(&mut a, 80, 24);
    assert!(!s.contains("Quartermaine"), "{s}");
}

#[test]
fn a_failed_search_says_why() {
    let mut a = app();
    let seq = type_search(&mut a, "quart");
    a.update(Msg::Searched {
        seq,
        page: 0,
        outcome: Outcome::err(
            "NewDay returned 429 Too Many Requests",
            Some("corr-429".into()),
        ),
    });
    assert_eq!(
        a.search.error.as_deref(),
        Some("NewDay returned 429 Too Many Requests")
    );
    assert_eq!(
        a.status.last_error.as_deref(),
        Some("NewDay returned 429 Too Many Requests")
    );
    assert_eq!(a.status.last_correlation.as_deref(), Some("corr-429"));
    assert!(!a.busy(), "spinner keeps going after a failed search");
    let s = screen(&mut a, 200, 50);
    assert!(
        s.contains("✗ Error: NewDay returned 429 Too Many Requests"),
        "{s}"
    );
}

#[test]
fn scrolling_near_the_end_fetches_the_next_page_once_and_appends() {
    let mut a = app();
    let seq = type_search(&mut a, "quart");
    let mut rows = customers();
    rows.extend(filler(6, 94));
    answer_search(&mut a, seq, rows, 250);
    a.update(key(KeyCode::Esc)); // leave the box, keys now move the selection

    // One step down from the top: far from the end, nothing fetched.
    assert_eq!(searches(&a.update(key(KeyCode::Down))), vec![]);

    // To the last loaded row: page 1 is asked for, once.
    let fx = a.update(key(KeyCode::End));
    assert_eq!(a.search.selected, 99);
    assert_eq!(searches(&fx), vec![(seq, 1, Some("familyName".into()))]);
    let more: Vec<Effect> = [
        key(KeyCode::Up),
        key(KeyCode::Down),
        key(KeyCode::PageDown),
        key(KeyCode::End),
    ]
    .into_iter()
    .flat_map(|k| a.update(k))
    .collect();
    assert_eq!(searches(&more), vec![], "asked twice for the same page");
    assert!(screen(&mut a, 80, 24).contains("loading more"));

    // Page 1 arrives: appended, selection kept.
    let fx = a.update(Msg::Searched {
        seq,
        page: 1,
        outcome: Outcome::ok(search_response(filler(100, 100), 1, 250), CORR_SEARCH),
    });
    assert!(fx.is_empty());
    assert_eq!(a.search.rows.len(), 200);
    assert_eq!(a.search.selected, 99);
    assert_eq!(a.search.rows[100].family_name, "Quarto0100");
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("100 of 250 matches · 200 loaded"), "{s}");

    // The last page, then nothing more to fetch.
    let fx = a.update(key(KeyCode::End));
    assert_eq!(searches(&fx), vec![(seq, 2, Some("familyName".into()))]);
    a.update(Msg::Searched {
        seq,
        page: 2,
        outcome: Outcome::ok(search_response(filler(200, 50), 2, 250), CORR_SEARCH),
    });
    assert_eq!(a.search.rows.len(), 250);
    let fx = a.update(key(KeyCode::End));
    assert_eq!(a.search.selected, 249);
    assert_eq!(searches(&fx), vec![], "fetched past the last match");
    assert!(screen(&mut a, 80, 24).contains("250 of 250 matches · 250 loaded"));
}

#[test]
fn a_page_for_an_old_query_is_dropped() {
    let mut a = app();
    let seq = type_search(&mut a, "quart");
    let mut rows = customers();
    rows.extend(filler(6, 94));
    answer_search(&mut a, seq, rows, 250);
    a.update(key(KeyCode::Esc));
    assert_eq!(searches(&a.update(key(KeyCode::End))).len(), 1);
    // The agent refines the search before page 1 lands.
    a.update(ch('/'));
    let new_seq = type_search(&mut a, "e");
    a.update(Msg::Searched {
        seq,
        page: 1,
        outcome: Outcome::ok(search_response(filler(100, 100), 1, 250), CORR_SEARCH),
    });
    assert_eq!(
        a.search.rows.len(),
        100,
        "old page appended to a new search"
    );
    answer_search(&mut a, new_seq, vec![ada()], 1);
    assert_eq!(a.search.rows.len(), 1);
}

#[test]
fn sort_key_cycles_and_searches_again() {
    let mut a = app();
    searched(&mut a);
    a.update(key(KeyCode::Esc));
    let before = a.search.seq;

    let fx = a.update(alt('s'));
    let s = searches(&fx);
    assert_eq!(s.len(), 1, "{fx:?}");
    assert_eq!((s[0].1, s[0].2.as_deref()), (0, Some("-familyName")));
    assert!(s[0].0 > before, "a re-sort must not reuse the old seq");
    assert!(screen(&mut a, 200, 50).contains("Name ▼"));
    // The answer to the re-sort replaces the rows.
    let mut reversed = customers();
    reversed.reverse();
    answer_search(&mut a, s[0].0, reversed, 6);
    assert_eq!(a.search.rows[0].family_name, "Quartz");

    let s = searches(&a.update(alt('s')));
    assert_eq!(s[0].2.as_deref(), Some("familyName"));
    assert!(screen(&mut a, 200, 50).contains("Name ▲"));

    // Another column: ascending first.
    a.update(key(KeyCode::Right));
    let s = searches(&a.update(alt('s')));
    assert_eq!(s[0].2.as_deref(), Some("dateOfBirth"));
    let s = searches(&a.update(alt('s')));
    assert_eq!(s[0].2.as_deref(), Some("-dateOfBirth"));

    // A column the backend cannot sort by says so and sends nothing.
    for _ in 0..2 {
        a.update(key(KeyCode::Right));
    }
    let fx = a.update(alt('s'));
    assert_eq!(searches(&fx), vec![]);
    let s = screen(&mut a, 200, 50);
    assert!(
        status_line(&s).contains("Phone cannot be sorted by the backend"),
        "{s}"
    );
}

// ---- opening a customer ------------------------------------------------------------------

#[test]
fn enter_opens_the_selected_customer_in_the_profile() {
    let mut a = app();
    searched(&mut a);
    a.update(key(KeyCode::Esc));
    a.update(key(KeyCode::Down));
    let fx = a.update(key(KeyCode::Enter));
    assert_eq!(fx, vec![Effect::LoadCustomer { id: bernard_id() }]);
    assert_eq!(a.focus, Pane::Profile);
    assert!(screen(&mut a, 80, 24).contains("loading customer…"));

    // Straight from the search box too.
    let mut a = app();
    searched(&mut a);
    assert!(a.search.editing);
    let fx = a.update(key(KeyCode::Enter));
    assert_eq!(fx, vec![Effect::LoadCustomer { id: ADA_ID.into() }]);
    assert_eq!(a.focus, Pane::Profile);
    assert!(!a.search.editing);
}

#[test]
fn an_answer_for_a_customer_no_longer_open_is_ignored() {
    let mut a = app();
    searched(&mut a);
    let ada_id = open_selected(&mut a);
    a.update(key(KeyCode::Esc)); // back to search
    assert_eq!(a.focus, Pane::Search);
    a.update(key(KeyCode::Down));
    let fx = a.update(key(KeyCode::Enter));
    assert_eq!(fx, vec![Effect::LoadCustomer { id: bernard_id() }]);

    // Ada's calls finish late.
    for p in ada_parts() {
        assert!(loaded(&mut a, &ada_id, p).is_empty());
    }
    let c = a.customer.as_ref().expect("a customer open");
    assert_eq!(c.id, bernard_id());
    assert_eq!(c.details, Load::Loading);
    assert_eq!(c.profile, Load::Loading);
    assert_eq!(a.status.last_correlation.as_deref(), Some(CORR_SEARCH));
    let s = screen(&mut a, 80, 24);
    assert!(
        !s.contains("Ada Beatrice"),
        "Ada's data shown while Bernard is open:\n{s}"
    );
    assert!(s.contains("loading customer…"), "{s}");
}

#[test]
fn a_failed_part_shows_its_error_and_the_rest_stays() {
    let mut a = app();
    searched(&mut a);
    let id = open_selected(&mut a);
    let mut parts = ada_parts();
    parts[2] = Part::Contacts(Outcome::err(
        "Candescent is unavailable (503)",
        Some("corr-contacts-503".into()),
    ));
    for p in parts {
        loaded(&mut a, &id, p);
    }
    let c = a.customer.as_ref().unwrap();
    assert_eq!(
        c.contacts,
        Load::Failed("Candescent is unavailable (503)".into())
    );
    assert!(c.details.ready().is_some() && c.profile.ready().is_some());
    assert!(c.alerts.ready().is_some() && c.history.ready().is_some());
    assert_eq!(
        a.status.last_error.as_deref(),
        Some("Candescent is unavailable (503)")
    );
    assert!(!a.busy());

    // The profile still shows; the status bar carries the error.
    let s = screen(&mut a, 200, 50);
    assert!(s.contains("Ms Ada Beatrice Quartermaine"), "{s}");
    assert!(
        status_line(&s).contains("✗ Error: Candescent is unavailable (503)"),
        "{s}"
    );
    a.update(key(KeyCode::Tab));
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("✗ Error: could not load contact methods: Candescent is unavailable"),
        "{s}"
    );
    a.update(key(KeyCode::Tab));
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("Low balance") && s.contains("Balance below GBP 50.00"),
        "{s}"
    );
}

// ---- panes and keys ------------------------------------------------------------------------

#[test]
fn tab_and_shift_tab_cycle_the_panes() {
    let mut a = app();
    searched(&mut a);
    // Tab from the search box opens the selected customer on the way.
    let fx = a.update(key(KeyCode::Tab));
    assert_eq!(fx, vec![Effect::LoadCustomer { id: ADA_ID.into() }]);
    let mut seen = vec![a.focus];
    for _ in 0..4 {
        let fx = a.update(key(KeyCode::Tab));
        assert!(fx.is_empty(), "re-loaded on every Tab: {fx:?}");
        seen.push(a.focus);
    }
    assert_eq!(
        seen,
        [
            Pane::Profile,
            Pane::Contacts,
            Pane::Alerts,
            Pane::Search,
            Pane::Profile
        ]
    );
    let mut back = Vec::new();
    for _ in 0..4 {
        a.update(backtab());
        back.push(a.focus);
    }
    assert_eq!(
        back,
        [Pane::Search, Pane::Alerts, Pane::Contacts, Pane::Profile]
    );
    a.update(backtab());
    let s = screen(&mut a, 80, 24);
    assert!(s.lines().nth(1).unwrap().contains("▶Search"), "{s}");
    a.update(backtab());
    let s = screen(&mut a, 80, 24);
    assert!(s.lines().nth(1).unwrap().contains("▶Alerts"), "{s}");
    assert!(s.contains("┌ Alerts"), "{s}");
}

#[test]
fn help_lists_every_action_from_the_keymap() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('?'));
    assert!(matches!(a.overlay, Some(Overlay::Help { .. })));
    // At 80x24 the list scrolls; gather what j reveals (the dialogs' keys come last).
    // 95 rows since the search box, results list and customer panes have their own
    // sections: j reaches the last (22 show).
    let mut seen = String::new();
    for _ in 0..80 {
        seen.push_str(&screen(&mut a, 80, 24));
        a.update(ch('j'));
    }
    for act in Action::ALL {
        assert!(
            seen.contains(act.name()),
            "help does not list {}",
            act.name()
        );
    }
    assert!(seen.contains("esc or ? closes"), "{seen}");
    a.update(key(KeyCode::Esc));
    assert!(a.overlay.is_none());

    // Generated from the keymap in use: a rebinding shows.
    let km =
        Keymap::with_overrides("[bindings]\nquit = \"x\"\nreveal = [\"v\", \"ctrl-r\"]\n").unwrap();
    let mut a = app_with(km, Theme::built_in("default"));
    a.update(key(KeyCode::Esc));
    a.update(ch('?'));
    let s = screen(&mut a, 200, 50);
    let quit = s
        .lines()
        .find(|l| l.contains("Quit custdesk"))
        .expect("quit in help");
    assert!(
        quit.contains("│ x ") && !quit.contains("ctrl-c") && !quit.contains(", q"),
        "{quit}"
    );
    let reveal = s
        .lines()
        .find(|l| l.contains("reveal "))
        .expect("reveal in help");
    assert!(reveal.contains("v, ctrl-r"), "{reveal}");
    // `?` closes it again.
    a.update(ch('?'));
    assert!(a.overlay.is_none());
}

#[test]
fn palette_completes_with_tab_and_runs_with_enter() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch(':'));
    type_str(&mut a, "copy_c");
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("▶ copy_correlation") && !s.contains("copy_id"),
        "{s}"
    );
    assert!(a.update(key(KeyCode::Tab)).is_empty());
    match &a.overlay {
        Some(Overlay::Palette(p)) => assert_eq!(p.input.value(), "copy_correlation"),
        other => panic!("palette closed: {other:?}"),
    }
    let fx = a.update(key(KeyCode::Enter));
    assert_eq!(copies(&fx), vec![CORR_HISTORY.to_string()]);
    assert!(a.overlay.is_none());

    // Down picks the second match; Tab completes that one.
    a.update(ch(':'));
    type_str(&mut a, "co");
    a.update(key(KeyCode::Down));
    a.update(key(KeyCode::Tab));
    match &a.overlay {
        Some(Overlay::Palette(p)) => assert_eq!(p.input.value(), "copy_correlation"),
        other => panic!("palette closed: {other:?}"),
    }
    a.update(key(KeyCode::Esc));
    assert!(a.overlay.is_none());

    // The first match runs on Enter.
    a.update(ch(':'));
    type_str(&mut a, "copy");
    let fx = a.update(key(KeyCode::Enter));
    assert_eq!(copies(&fx), vec![ADA_ID.to_string()]);

    // Nothing matching: said so, nothing run.
    a.update(ch(':'));
    type_str(&mut a, "zzz");
    assert!(screen(&mut a, 80, 24).contains("no command matches 'zzz'"));
    let fx = a.update(key(KeyCode::Enter));
    assert!(fx.is_empty() && !a.quit);
    assert!(status_line(&screen(&mut a, 200, 50)).contains("no command matches 'zzz'"));
}

#[test]
fn palette_tab_completes_the_highlighted_entry_after_overshooting() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch(':'));
    type_str(&mut a, "copy");
    for _ in 0..5 {
        a.update(key(KeyCode::Down));
    }
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("▶ copy_correlation"), "{s}");
    a.update(key(KeyCode::Tab));
    match &a.overlay {
        Some(Overlay::Palette(p)) => assert_eq!(p.input.value(), "copy_correlation"),
        other => panic!("palette closed: {other:?}"),
    }
    // Completion narrows the list to the completed name; Enter runs it.
    let fx = a.update(key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [custdesk::tui::effect::Effect::Copy(_)]),
        "{fx:?}"
    );
}

// ---- reveal --------------------------------------------------------------------------------

#[test]
fn reveal_asks_a_reason_logs_it_and_shows_the_field_for_a_while() {
    let mut a = app();
    ada_open(&mut a);
    assert!(!screen(&mut a, 80, 24).contains(ADA_MOBILE));
    assert!(a.update(ch('v')).is_empty());
    match &a.overlay {
        Some(Overlay::Reveal(r)) => {
            assert_eq!(
                (r.field.customer.as_str(), r.field.field.as_str()),
                (ADA_ID, "phone:0")
            );
        }
        other => panic!("no reveal dialog: {other:?}"),
    }

    // Too short: refused, the dialog stays with what was typed.
    type_str(&mut a, "ok");
    let fx = a.update(key(KeyCode::Enter));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(matches!(&a.overlay, Some(Overlay::Reveal(r)) if r.error.is_some()));
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("Reason: ok") && s.contains("at least 4 characters"),
        "{s}"
    );
    assert!(a.reveals.is_empty());

    // A real reason: audited, shown, for REVEAL_FOR.
    type_str(&mut a, " caller disputes the number");
    let asked = Instant::now();
    let fx = a.update(key(KeyCode::Enter));
    match fx.as_slice() {
        [
            Effect::Audit {
                customer,
                action,
                detail,
            },
        ] => {
            assert_eq!(customer, ADA_ID);
            assert_eq!(action, "reveal");
            assert!(
                detail.contains("mobile phone") && detail.contains("ok caller disputes the number"),
                "{detail}"
            );
            assert!(
                !detail.contains("900123"),
                "the audit line holds the number: {detail}"
            );
        }
        other => panic!("expected one audit: {other:?}"),
    }
    assert!(a.overlay.is_none());
    assert_eq!(REVEAL_FOR, Duration::from_secs(30));
    assert_eq!(a.reveals.len(), 1);
    let until = a.reveals[0].1;
    assert!(
        until >= asked + Duration::from_secs(29)
            && until <= Instant::now() + Duration::from_secs(30),
        "expiry not ~30 s ahead"
    );
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("+447700900123 (revealed)"), "{s}");
    assert!(
        s.contains("••••••0018") && !s.contains(ADA_HOME_PHONE),
        "only the chosen field: {s}"
    );

    // A tick before expiry keeps it.
    a.update(Msg::Tick);
    assert!(screen(&mut a, 80, 24).contains("+447700900123 (revealed)"));

    // Once the expiry has passed, the next tick masks it again and asks for a redraw.
    a.reveals[0].1 = Instant::now();
    a.dirty = false;
    a.update(Msg::Tick);
    assert!(a.reveals.is_empty());
    assert!(a.dirty, "expiry does not redraw");
    let s = screen(&mut a, 80, 24);
    assert!(
        !s.contains(ADA_MOBILE) && s.contains("+44 ••••••0123"),
        "{s}"
    );
}

#[test]
fn reveal_follows_the_cursor_and_esc_cancels() {
    let mut a = app();
    ada_open(&mut a);
    // Down to the card account: phones (2), emails (2), then accounts.
    for _ in 0..4 {
        a.update(ch('j'));
    }
    a.update(ch('v'));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("Reveal the card account for 30 seconds?"), "{s}");
    type_str(&mut a, "customer asked");
    let fx = a.update(key(KeyCode::Esc));
    assert!(fx.is_empty() && a.overlay.is_none() && a.reveals.is_empty());
    assert!(!screen(&mut a, 80, 24).contains(ADA_CARD));

    a.update(ch('v'));
    type_str(&mut a, "card dispute");
    let fx = a.update(key(KeyCode::Enter));
    assert_eq!(fx.len(), 1);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("5412751234567890 (revealed)"), "{s}");
    assert!(s.contains("+44 ••••••0123"), "{s}");

    // Outside the profile, reveal explains where to go.
    a.update(key(KeyCode::Tab));
    assert!(a.update(ch('v')).is_empty());
    assert!(a.overlay.is_none());
    assert!(status_line(&screen(&mut a, 200, 50)).contains("Open the profile pane"));
}

// ---- copy, keymap, quit --------------------------------------------------------------------

#[test]
fn copy_puts_the_right_id_on_the_clipboard() {
    let mut a = app();
    // Nothing to copy yet.
    a.update(key(KeyCode::Esc));
    assert_eq!(copies(&a.update(alt('Y'))), Vec::<String>::new());
    assert!(status_line(&screen(&mut a, 200, 50)).contains("No call made yet"));
    assert_eq!(copies(&a.update(alt('y'))), Vec::<String>::new());

    a.update(ch('/'));
    searched(&mut a);
    // In the search box, y is just a letter.
    let fx = a.update(ch('y'));
    assert_eq!(copies(&fx), Vec::<String>::new());
    assert_eq!(searches(&fx).len(), 1);
    a.update(key(KeyCode::Backspace));
    let seq = a.search.seq;
    answer_search(&mut a, seq, customers(), 6);
    a.update(key(KeyCode::Esc));

    a.update(key(KeyCode::Down));
    assert_eq!(copies(&a.update(alt('y'))), vec![bernard_id()]);
    assert!(
        status_line(&screen(&mut a, 200, 50))
            .contains(&format!("Copied customer id {}", bernard_id()))
    );
    assert_eq!(copies(&a.update(alt('Y'))), vec![CORR_SEARCH.to_string()]);

    // In the profile: the open customer, and the latest call's correlation id.
    a.update(key(KeyCode::Up));
    a.update(key(KeyCode::Enter));
    for p in ada_parts() {
        loaded(&mut a, ADA_ID, p);
    }
    assert_eq!(copies(&a.update(ch('y'))), vec![ADA_ID.to_string()]);
    assert_eq!(copies(&a.update(ch('Y'))), vec![CORR_HISTORY.to_string()]);
}

#[test]
fn a_keymap_file_remaps_quit() {
    let km = Keymap::with_overrides("[bindings]\nquit = \"x\"\n").expect("valid keymap");
    let mut a = app_with(km, Theme::built_in("default"));
    searched(&mut a);
    a.update(key(KeyCode::Esc));
    a.update(ch('q'));
    assert!(!a.quit, "q still quits after rebinding quit to x");
    a.update(key(KeyCode::Esc)); // q typed into the search: back to the list
    let s = screen(&mut a, 200, 50);
    assert!(
        s.lines().last().unwrap().contains(" alt-x quit"),
        "hint line not from the keymap:\n{s}"
    );
    a.update(alt('x'));
    assert!(a.quit);

    // A clash with a default key is reported, not silently applied.
    let errs = Keymap::with_overrides("[bindings]\nquit = \"j\"\n").unwrap_err();
    assert!(errs.iter().any(|e| e.contains("down")), "{errs:?}");
}

/// A named way to bring the console into some state.
type Setup = (&'static str, Box<dyn Fn(&mut App)>);

#[test]
fn ctrl_c_quits_from_the_panes_and_backs_out_of_dialogs() {
    let remapped = || Keymap::with_overrides("[bindings]\nquit = \"x\"\n").unwrap();
    let places: Vec<Setup> = vec![
        ("search box", Box::new(|_| {})),
        (
            "search results",
            Box::new(|a| {
                searched(a);
                a.update(key(KeyCode::Esc));
            }),
        ),
        ("profile", Box::new(ada_open)),
        (
            "alerts",
            Box::new(|a| {
                ada_open(a);
                a.update(key(KeyCode::Tab));
                a.update(key(KeyCode::Tab));
            }),
        ),
        (
            "help",
            Box::new(|a| {
                a.update(key(KeyCode::Esc));
                a.update(ch('?'));
            }),
        ),
        (
            "palette",
            Box::new(|a| {
                a.update(key(KeyCode::Esc));
                a.update(ch(':'));
                type_str(a, "co");
            }),
        ),
        (
            "reveal dialog",
            Box::new(|a| {
                ada_open(a);
                a.update(ch('v'));
                type_str(a, "why");
            }),
        ),
    ];
    // Ctrl-C backs out of a dialog (asking first when it holds typed text) and quits
    // from the panes: the Ctrl-Cs each place takes to quit.
    let presses = |where_: &str| match where_ {
        "help" => 2,
        "palette" | "reveal dialog" => 3,
        _ => 1,
    };
    for (where_, setup) in &places {
        for km in [Keymap::default(), remapped()] {
            let mut a = app_with(km, Theme::built_in("default"));
            setup(&mut a);
            assert!(!a.quit, "{where_}: quit too early");
            let n = presses(where_);
            for i in 1..=n {
                let fx = a.update(ctrl('c'));
                assert!(fx.is_empty());
                if i < n {
                    assert!(!a.quit, "ctrl-c quit from inside the {where_}");
                }
                if i == n - 1 {
                    assert!(a.overlay.is_none(), "ctrl-c left the {where_} open");
                }
            }
            assert!(a.quit, "ctrl-c did not quit from the {where_}");
        }
    }
}

#[test]
fn idle_ticks_do_not_redraw_but_work_in_flight_spins() {
    let mut a = app();
    ada_open(&mut a);
    let _ = screen(&mut a, 80, 24);
    assert!(!a.dirty);
    a.update(Msg::Tick);
    assert!(!a.dirty, "an idle tick asks for a redraw");
    let before = a.status.spinner;
    a.update(ch('r'));
    assert!(a.busy());
    a.dirty = false;
    a.update(Msg::Tick);
    assert!(
        a.dirty && a.status.spinner != before,
        "no spinner while loading"
    );
}

// ---- hostile text --------------------------------------------------------------------------

const OSC52: &str = "\x1b]52;c;aGk=\x07";
const OSC0: &str = "\x1b]0;pwned\x07";
const OSC8: &str = "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07";
const CSI_CLEAR: &str = "\x1b[2J";
const RIS: &str = "\x1bc";
const C1_CSI: &str = "\u{9b}31m";

fn hostile() -> Customer {
    let mut c = ada();
    c.given_name = format!("Ada{OSC52}");
    c.middle_name = format!("B{OSC8}");
    c.family_name = format!("Quartermaine{OSC0}");
    c.addresses[0].address_line1 = format!("10 Downing Street{CSI_CLEAR}");
    c.addresses[0].address_line2 = format!("{RIS}Flat 1");
    c.addresses[0].town = format!("London{C1_CSI}");
    c.customer_ref = format!("CR00000001{RIS}");
    c
}

/// What `for_display` must turn each sequence into.
const SHOWN: &[&str] = &[
    "Ada\\x1b]52;c;aGk=\\x07",
    "Quartermaine\\x1b]0;pwned\\x07",
    "\\x1b]8;;https://evil.example/\\x07click\\x1b]8;;\\x07",
    "10 Downing Street\\x1b[2J",
    "\\x1bcFlat 1",
    "London\\x9b31m",
    "CR00000001\\x1bc",
];

#[test]
fn hostile_text_is_shown_escaped_never_sent_raw() {
    let mut a = app();
    let seq = type_search(&mut a, "quart");
    answer_search(&mut a, seq, vec![hostile(), customers()[1].clone()], 2);
    // Search results.
    let t = render(&mut a, 300, 40);
    let buf = t.backend().buffer();
    assert_eq!(control_cells(buf), vec![], "control characters in cells");
    let s = text(buf);
    assert!(s.contains("Ada\\x1b]52;c;aGk=\\x07"), "{s}");
    assert!(s.contains("Quartermaine\\x1b]0;pwned\\x07"), "{s}");
    assert!(
        s.contains("London\\x9b31m") || s.contains("SW1A 1AA"),
        "{s}"
    );

    // Profile, wide enough that nothing wraps.
    let id = open_selected(&mut a);
    loaded(
        &mut a,
        &id,
        Part::Customer(Outcome::ok(hostile(), CORR_CUSTOMER)),
    );
    let t = render(&mut a, 400, 60);
    let buf = t.backend().buffer();
    assert_eq!(control_cells(buf), vec![], "control characters in cells");
    let s = text(buf);
    for shown in SHOWN {
        assert!(s.contains(shown), "{shown} not shown escaped:\n{s}");
    }

    // Other parts and the status bar carry backend text too.
    let mut cm = contacts();
    cm.contact_methods[0].client_source = Some(format!("branch{OSC52}"));
    cm.contact_methods[0].consent_type = Some(CSI_CLEAR.to_string());
    let mut al = alerts();
    al.alerts[0].alert_name = format!("Low balance{OSC0}");
    let mut hi = history();
    hi.alert_history[0].message = format!("Balance low{OSC8}");
    loaded(&mut a, &id, Part::Contacts(Outcome::ok(cm, CORR_CONTACTS)));
    loaded(&mut a, &id, Part::Alerts(Outcome::ok(al, CORR_ALERTS)));
    loaded(
        &mut a,
        &id,
        Part::History(Outcome::ok(hi, format!("corr{RIS}"))),
    );
    loaded(
        &mut a,
        &id,
        Part::Profile(Outcome::err(format!("Citi says{CSI_CLEAR} no"), None)),
    );
    for (pane, expect) in [
        (Pane::Profile, vec!["Citi says\\x1b[2J no"]),
        (
            Pane::Contacts,
            vec!["branch\\x1b]52;c;aGk=\\x07", "\\x1b[2J"],
        ),
        (
            Pane::Alerts,
            vec![
                "Low balance\\x1b]0;pwned\\x07",
                "Balance low\\x1b]8;;https://evil.example/\\x07click",
            ],
        ),
    ] {
        a.focus = pane;
        let t = render(&mut a, 400, 60);
        let buf = t.backend().buffer();
        assert_eq!(
            control_cells(buf),
            vec![],
            "{pane:?}: control characters in cells"
        );
        let s = text(buf);
        for e in expect {
            assert!(s.contains(e), "{pane:?}: {e} not shown escaped:\n{s}");
        }
        let status = status_line(&s);
        assert!(
            status.contains("corr corr\\x1bc") && status.contains("Citi says\\x1b[2J no"),
            "{status}"
        );
    }

    // Pasted text is flattened to one line of printable characters.
    let mut a = app();
    let fx = a.update(Msg::Paste(format!("quart{CSI_CLEAR}\n")));
    assert_eq!(searches(&fx).len(), 1);
    assert!(
        !a.search.input.value().chars().any(char::is_control),
        "{:?}",
        a.search.input.value()
    );
    assert_eq!(
        control_cells(render(&mut a, 80, 24).backend().buffer()),
        vec![]
    );
}

#[test]
fn hostile_phone_and_account_in_search_rows_are_shown_escaped() {
    let mut a = app();
    let mut c = ada();
    c.contact.phone_numbers[0].value = format!("+44{OSC52}7700900123");
    c.accounts[0].account_number = format!("{RIS}5412751234567890");
    let seq = type_search(&mut a, "quart");
    answer_search(&mut a, seq, vec![c], 1);
    let t = render(&mut a, 300, 40);
    let s = text(t.backend().buffer());
    let row = s
        .lines()
        .find(|l| l.contains("▶ Quartermaine"))
        .expect("row");
    // The compact masks keep only the last four digits, so the hostile bytes are
    // dropped before masking rather than shown; none reaches a cell.
    assert!(
        row.contains("••••0123") && row.contains("••••7890"),
        "{row}"
    );
    assert_eq!(control_cells(t.backend().buffer()), vec![]);
}
