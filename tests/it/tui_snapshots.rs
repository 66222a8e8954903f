//! What the agent sees: every pane, overlay and state of the console rendered over
//! ratatui's `TestBackend` at 80x24 and 200x50 and kept as insta snapshots. Each test
//! also checks, in code, the things that must hold whatever the layout: the training
//! banner is there, personal data is masked, and no control character reaches a cell.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test it tui_snapshots` and
//! read the `.snap` files before committing them.

use crate::tui_fixture;

use crossterm::event::KeyCode;
use custdesk::tui::app::{App, Overlay, Pane};
use custdesk::tui::msg::{Msg, Outcome, Part};
use custdesk::tui::theme::Theme;
use custdesk::tui::view::SPINNER;
use tui_fixture::*;

/// Render `app` at `w` x `h`, check what must always hold, snapshot the screen as text
/// and return it for further checks.
fn snap(name: &str, app: &mut App, w: u16, h: u16) -> String {
    let terminal = render(app, w, h);
    let buf = terminal.backend().buffer();
    assert_eq!(
        control_cells(buf),
        vec![],
        "{name}: control characters in cells"
    );
    let shown = text(buf);
    // The banner is on top unless the help overlay (full height at 80x24) covers it.
    if h >= 8 && !matches!(app.overlay, Some(Overlay::Help { .. })) {
        assert!(
            shown.lines().next().unwrap_or("").contains(BANNER),
            "{name}: no training banner:\n{shown}"
        );
    }
    insta::assert_snapshot!(name, terminal.backend());
    shown
}

/// Both sizes the console is designed for.
fn snap_both(name: &str, app: &mut App) -> (String, String) {
    let small = snap(&format!("{name}_80x24"), app, 80, 24);
    let wide = snap(&format!("{name}_200x50"), app, 200, 50);
    (small, wide)
}

#[test]
fn start_screen() {
    let mut a = app();
    let (small, _) = snap_both("start", &mut a);
    assert!(
        small.contains("name, or phone: pc: dob: acct: ref: email:"),
        "{small}"
    );
}

#[test]
fn search_with_results() {
    let mut a = app();
    searched(&mut a);
    let (small, wide) = snap_both("search_results", &mut a);
    for s in [&small, &wide] {
        assert!(s.contains("› quart"), "{s}");
        for name in [
            "Ada", "Bernard", "Priya", "Hugo", "Siobhan", "Mei", "Quartley", "Quartz",
        ] {
            assert!(s.contains(name), "{name} missing:\n{s}");
        }
        assert!(s.contains("1984-03-09") && s.contains("SW1A 1AA"), "{s}");
        assert!(s.contains("DORMANT") && s.contains("CLOSED"), "{s}");
        assert!(s.contains("1 of 6 matches · 6 loaded"), "{s}");
        // Ada's mobile, masked to its last four.
        assert!(s.contains("••••0123"), "{s}");
        assert_ada_masked(s, "search results");
        // The selected row is marked by more than colour.
        assert!(s.contains("▶ Quarterma"), "{s}");
    }
    for name in ["▶ Quartermaine", "Quarterman,", "Quartermass"] {
        assert!(wide.contains(name), "{name} missing:\n{wide}");
    }
    assert!(wide.contains("Name ▲"), "sort marker:\n{wide}");
}

#[test]
fn search_in_flight_shows_spinner() {
    let mut a = app();
    type_search(&mut a, "quart");
    a.update(Msg::Tick);
    a.update(Msg::Tick);
    let (small, _) = snap_both("search_loading", &mut a);
    assert!(
        small.contains(&format!("{} searching…", SPINNER[2])),
        "{small}"
    );
    // The status bar spins too.
    assert!(small.lines().any(|l| l.starts_with(SPINNER[2])), "{small}");
}

#[test]
fn profile_pane() {
    let mut a = app();
    ada_open(&mut a);
    assert_eq!(a.focus, Pane::Profile);
    let (small, wide) = snap_both("profile", &mut a);
    for s in [&small, &wide] {
        assert!(s.contains("Ms Ada Beatrice Quartermaine"), "{s}");
        assert!(s.contains("CR00000001") && s.contains("1984-03-09"), "{s}");
        assert!(
            s.contains("▶ mobile") && s.contains("+44 ••••••0123"),
            "{s}"
        );
        assert!(s.contains("••••••0018"), "{s}");
        assert_ada_masked(s, "profile");
    }
    // Emails sit below the caller-verification line and the phones: on screen at
    // 200x50, one cursor move away at 80x24.
    assert!(wide.contains("a•••@e•••.uk"), "{wide}");
    // Accounts sit below addresses and offers: on screen at 200x50, reached by
    // moving the cursor at 80x24.
    assert!(
        wide.contains("••••7890") && wide.contains("••••6819"),
        "{wide}"
    );
    for _ in 0..4 {
        a.update(key(KeyCode::Char('j')));
    }
    let moved = screen(&mut a, 80, 24);
    assert!(
        moved.contains("▶ card") && moved.contains("••••7890"),
        "{moved}"
    );
    assert!(
        wide.contains("10 Downing Street, London, SW1A 1AA, GB"),
        "{wide}"
    );
    assert!(
        wide.contains("Balance transfer — 0% for 18 months"),
        "{wide}"
    );
    // Wide: search and detail side by side.
    assert!(
        wide.lines()
            .any(|l| l.contains("┌ Search ") && l.contains("┌ Profile ")),
        "{wide}"
    );
    assert!(
        wide.lines()
            .any(|l| l.contains("▶ Quartermaine") && l.contains("Customer id   9f2c4e1a")),
        "{wide}"
    );
}

#[test]
fn contact_methods_pane() {
    let mut a = app();
    ada_open(&mut a);
    a.update(key(KeyCode::Tab));
    assert_eq!(a.focus, Pane::Contacts);
    let (small, wide) = snap_both("contacts", &mut a);
    for s in [&small, &wide] {
        assert!(
            s.contains("SMS") && s.contains("VOICE") && s.contains("EMAIL"),
            "{s}"
        );
        assert!(s.contains("••••••0123") && s.contains("••••••0018"), "{s}");
        assert!(
            s.contains("written") && s.contains("express") && s.contains("branch"),
            "{s}"
        );
        assert!(s.contains("+44"), "{s}");
        assert_ada_masked(s, "contacts");
    }
}

#[test]
fn alerts_pane_with_history() {
    let mut a = app();
    ada_open(&mut a);
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Tab));
    assert_eq!(a.focus, Pane::Alerts);
    let (small, wide) = snap_both("alerts", &mut a);
    for s in [&small, &wide] {
        assert!(
            s.contains("Low balance") && s.contains("✓ enrolled") && s.contains("eligible"),
            "{s}"
        );
        assert!(s.contains("50.00 GBP"), "{s}");
        assert!(s.contains("History"), "{s}");
        assert!(
            s.contains("2025-05-14T09:12") && s.contains("Balance below GBP 50.00"),
            "{s}"
        );
    }
}

#[test]
fn help_overlay() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('?'));
    let (small, wide) = snap_both("help", &mut a);
    assert!(
        small.contains(" Help ") && small.contains("Keys (change them in keymap.toml)"),
        "{small}"
    );
    assert!(
        wide.contains("phone:") && wide.contains("esc or ? closes"),
        "{wide}"
    );
}

#[test]
fn palette_filtered_by_typed_text() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch(':'));
    type_str(&mut a, "co");
    let (small, _) = snap_both("palette_co", &mut a);
    assert!(small.contains(":co"), "{small}");
    assert!(small.contains("▶ copy_id"), "{small}");
    assert!(small.contains("copy_correlation"), "{small}");
    // Filtered: an action matching neither by name nor description is gone.
    assert!(!small.contains("page_down"), "{small}");
}

#[test]
fn reveal_dialog() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('v'));
    type_str(&mut a, "caller asked");
    let (small, _) = snap_both("reveal_dialog", &mut a);
    assert!(
        small.contains("Reveal the mobile phone for 30 seconds?"),
        "{small}"
    );
    assert!(small.contains("Reason: caller asked"), "{small}");
    assert_ada_masked(&small, "reveal dialog");
}

#[test]
fn reveal_dialog_rejects_short_reason() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('v'));
    type_str(&mut a, "ok");
    a.update(key(KeyCode::Enter));
    let s = snap("reveal_reason_too_short_80x24", &mut a, 80, 24);
    assert!(
        s.contains("✗ Give a reason of at least 4 characters"),
        "{s}"
    );
}

#[test]
fn profile_with_revealed_phone() {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('v'));
    type_str(&mut a, "caller disputes the number");
    a.update(key(KeyCode::Enter));
    let s = snap("profile_revealed_80x24", &mut a, 80, 24);
    assert!(s.contains("+447700900123 (revealed)"), "{s}");
    // Only that field.
    assert!(s.contains("••••••0018"), "{s}");
    let wide = snap("profile_revealed_200x50", &mut a, 200, 50);
    assert!(wide.contains("a•••@e•••.uk"), "{wide}");
    assert!(wide.contains("+447700900123 (revealed)"), "{wide}");
    assert!(wide.contains("mobile phone revealed for 30 s"), "{wide}");
}

#[test]
fn status_bar_with_error() {
    let mut a = app();
    let seq = type_search(&mut a, "quart");
    a.update(Msg::Searched {
        seq,
        page: 0,
        outcome: Outcome::err(
            "NewDay search is unavailable (503); try again in a moment",
            Some("6a0e2f1d-93c4-4b7e-8f5a-2d1c0b9e8a77".into()),
        ),
    });
    let (small, wide) = snap_both("status_error", &mut a);
    assert!(
        small.contains("✗ Error: NewDay search is unavailable (503)"),
        "{small}"
    );
    let status = wide.lines().rev().nth(1).unwrap_or("");
    assert!(
        status.contains("corr 6a0e2f1d-93c4-4b7e-8f5a-2d1c0b9e8a77"),
        "{wide}"
    );
    assert!(
        status.contains("✗ Error: NewDay search is unavailable (503); try again in a moment"),
        "{wide}"
    );
}

#[test]
fn status_bar_with_correlation_id() {
    let mut a = app();
    searched(&mut a);
    // Off the search box so the status line is about the results.
    a.update(key(KeyCode::Esc));
    let (small, wide) = snap_both("status_correlation", &mut a);
    // At 80 columns the status bar takes two lines: who, then the correlation id whole.
    let bottom: Vec<&str> = small.lines().rev().take(3).collect();
    assert!(bottom[2].contains("demo.agent"), "{small}");
    assert!(
        bottom[1].contains(&format!("corr {CORR_SEARCH}")),
        "{small}"
    );
    let status = wide.lines().rev().nth(1).unwrap_or("");
    assert!(status.contains("demo.agent"), "{wide}");
    assert!(status.contains(&format!("corr {CORR_SEARCH}")), "{wide}");
    assert!(
        wide.contains(
            "[customers:read institution-users:read contact:write alerts:write offers:write profile:write]"
        ),
        "{wide}"
    );
}

#[test]
fn customer_loading_shows_spinners() {
    let mut a = app();
    searched(&mut a);
    let _ = open_selected(&mut a);
    for _ in 0..3 {
        a.update(Msg::Tick);
    }
    let spin = SPINNER[3];
    let (small, wide) = snap_both("profile_loading", &mut a);
    assert!(
        small.contains(&format!("{spin} loading customer…")),
        "{small}"
    );
    assert!(
        wide.contains("▶ Quartermaine"),
        "wide keeps the results beside the detail:\n{wide}"
    );
    a.update(key(KeyCode::Tab));
    let s = snap("contacts_loading_80x24", &mut a, 80, 24);
    assert!(
        s.contains(&format!("{spin} loading contact methods…")),
        "{s}"
    );
    a.update(key(KeyCode::Tab));
    let s = snap("alerts_loading_80x24", &mut a, 80, 24);
    assert!(
        s.contains(&format!("{spin} loading alerts…"))
            && s.contains(&format!("{spin} loading history…")),
        "{s}"
    );
}

/// Ada open with the profile and contacts calls failed and the history still loading.
fn ada_partly_failed() -> App {
    let mut a = app();
    searched(&mut a);
    let id = open_selected(&mut a);
    loaded(
        &mut a,
        &id,
        Part::Customer(Outcome::ok(ada(), CORR_CUSTOMER)),
    );
    loaded(
        &mut a,
        &id,
        Part::Profile(Outcome::err(
            "Citi timed out after 10 s",
            Some("77e1c0de-0b5e-4f00-9a1b-3c2d1e0f9a8b".into()),
        )),
    );
    loaded(
        &mut a,
        &id,
        Part::Contacts(Outcome::err(
            "Candescent refused the token (401 unAuthorized)",
            Some("88f2d1ef-1c6f-4a11-8b2c-4d3e2f1a0b9c".into()),
        )),
    );
    loaded(
        &mut a,
        &id,
        Part::Alerts(Outcome::ok(alerts(), CORR_ALERTS)),
    );
    a
}

#[test]
fn one_pane_failed_others_show_data() {
    let mut a = ada_partly_failed();
    let (small, wide) = snap_both("profile_part_failed", &mut a);
    for s in [&small, &wide] {
        assert!(
            s.contains("✗ Error: Citi profile: Citi timed out after 10 s"),
            "{s}"
        );
        assert!(
            s.contains("Ms Ada Beatrice Quartermaine") && s.contains("+44 ••••••0123"),
            "{s}"
        );
        assert_ada_masked(s, "profile with a failed part");
    }
    a.update(key(KeyCode::Tab));
    let (small, _) = snap_both("contacts_failed", &mut a);
    assert!(
        small.contains("✗ Error: could not load contact methods: Candescent refused the token"),
        "{small}"
    );
    a.update(key(KeyCode::Tab));
    let (small, _) = snap_both("alerts_history_loading", &mut a);
    assert!(
        small.contains("Low balance") && small.contains("loading history…"),
        "{small}"
    );
}

/// Each built-in theme, with the styles in the snapshot so the colours are reviewed.
#[test]
fn built_in_themes() {
    for name in ["default", "light", "high-contrast", "16-color"] {
        let theme = Theme::built_in(name);
        assert_eq!(theme.name, name, "built-in theme {name} did not load");
        let mut a = ada_partly_failed();
        a.theme = theme;
        let terminal = render(&mut a, 80, 24);
        let buf = terminal.backend().buffer();
        assert_eq!(control_cells(buf), vec![]);
        insta::assert_snapshot!(format!("theme_{name}_80x24"), format!("{buf:?}"));
    }
}

#[test]
fn theme_colours_differ() {
    let mut debug = Vec::new();
    for name in ["default", "light", "high-contrast", "16-color"] {
        let mut a = ada_partly_failed();
        a.theme = Theme::built_in(name);
        let terminal = render(&mut a, 80, 24);
        debug.push(format!("{:?}", terminal.backend().buffer()));
    }
    for i in 0..debug.len() {
        for j in i + 1..debug.len() {
            assert_ne!(debug[i], debug[j], "themes {i} and {j} render identically");
        }
    }
}

/// The states worth drawing at odd sizes.
fn states() -> Vec<(&'static str, App)> {
    let mut out = Vec::new();
    out.push(("start", app()));
    let mut a = app();
    searched(&mut a);
    out.push(("search", a));
    let mut a = app();
    ada_open(&mut a);
    out.push(("profile", a));
    for (name, keys) in [
        ("contacts", vec![key(KeyCode::Tab)]),
        ("alerts", vec![key(KeyCode::Tab), key(KeyCode::Tab)]),
        ("help", vec![ch('?')]),
        ("palette", vec![ch(':'), ch('c'), ch('o')]),
        ("reveal", vec![ch('v'), ch('x'), key(KeyCode::Enter)]),
    ] {
        let mut a = app();
        ada_open(&mut a);
        for k in keys {
            a.update(k);
        }
        out.push((name, a));
    }
    out.push(("part_failed", ada_partly_failed()));
    let mut a = app();
    searched(&mut a);
    let _ = open_selected(&mut a);
    out.push(("loading", a));
    out
}

#[test]
fn small_sizes_snapshots() {
    for (name, mut a) in states() {
        if ["profile", "search", "help", "reveal"].contains(&name) {
            let terminal = render(&mut a, 40, 12);
            insta::assert_snapshot!(format!("small_{name}_40x12"), terminal.backend());
            let terminal = render(&mut a, 20, 5);
            insta::assert_snapshot!(format!("small_{name}_20x5"), terminal.backend());
        }
    }
}

#[test]
fn any_size_draws_without_panic() {
    let mut sizes = vec![
        (1, 1),
        (20, 5),
        (40, 12),
        (0, 0),
        (1, 24),
        (80, 1),
        (2, 2),
        (3, 9),
        (79, 23),
    ];
    for w in (1..=90).step_by(7) {
        for h in (1..=30).step_by(3) {
            sizes.push((w, h));
        }
    }
    for (name, mut a) in states() {
        for &(w, h) in &sizes {
            let terminal = render(&mut a, w, h);
            assert_eq!(
                control_cells(terminal.backend().buffer()),
                vec![],
                "{name} at {w}x{h}"
            );
        }
        // Resizing through `update` as the runtime does.
        a.update(Msg::Resize(1, 1));
        let _ = render(&mut a, 1, 1);
    }
}

// ---- Regressions found while reading the snapshots ------------

/// Last non-empty line but one: the status bar.
fn status_line(screen: &str) -> &str {
    screen.lines().rev().nth(1).unwrap_or("")
}

#[test]
fn search_family_names_readable_at_80x24() {
    let mut a = app();
    searched(&mut a);
    let s = screen(&mut a, 80, 24);
    for name in [
        "Quartermaine, Ada",
        "Quarterman, Priya",
        "Quartermass, Hugo",
        "Born",
    ] {
        assert!(s.contains(name), "{name} cut off:\n{s}");
    }
}

#[test]
fn search_masked_columns_keep_last_four() {
    let mut a = app();
    searched(&mut a);
    for (w, h) in [(80, 24), (200, 50)] {
        let s = screen(&mut a, w, h);
        // Ada's card ends 7890, Hugo's card 6666 and his phone 0321.
        for tail in ["7890", "6666", "••0321"] {
            assert!(s.contains(tail), "{tail} not visible at {w}x{h}:\n{s}");
        }
    }
}

#[test]
fn status_bar_fits_80_columns() {
    let mut a = app();
    searched(&mut a);
    a.update(key(KeyCode::Esc));
    let s = screen(&mut a, 80, 24);
    assert!(
        status_line(&s).contains(CORR_SEARCH),
        "correlation id cut:\n{s}"
    );
    let mut a = ada_partly_failed();
    let s = screen(&mut a, 80, 24);
    assert!(
        status_line(&s).contains("Error"),
        "last error not on the status bar:\n{s}"
    );
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('y'));
    let s = screen(&mut a, 80, 24);
    assert!(
        status_line(&s).contains("Copied customer id"),
        "notice not on the status bar:\n{s}"
    );
}

#[test]
fn profile_offers_reachable_at_80x24() {
    let mut a = app();
    ada_open(&mut a);
    let mut seen = false;
    for _ in 0..30 {
        let s = screen(&mut a, 80, 24);
        seen |= s.contains("Offers") && s.contains("Balance transfer");
        a.update(ch('j'));
    }
    assert!(seen, "Offers never shown at 80x24");
}

#[test]
fn profile_account_label_separate_from_number() {
    let mut a = app();
    ada_open(&mut a);
    let s = screen(&mut a, 80, 24);
    assert!(!s.contains("Rewards•"), "label runs into the number:\n{s}");
    assert!(!s.contains("Current•"), "label runs into the number:\n{s}");
}

#[test]
fn help_keys_separate_from_action_names() {
    let mut a = app();
    a.update(key(KeyCode::Esc));
    a.update(ch('?'));
    let s = screen(&mut a, 200, 50);
    assert!(s.contains("page_down"), "{s}");
    assert!(!s.contains("pagedownpage_down"), "{s}");
}

#[test]
fn help_descriptions_not_cut_at_200x50() {
    let mut a = app();
    a.update(key(KeyCode::Esc));
    a.update(ch('?'));
    let s = screen(&mut a, 200, 50);
    for d in [
        "Sort by the selected column (again to reverse)",
        "Reveal the selected masked field (asks a reason)",
        "Reload the current customer or search",
    ] {
        assert!(s.contains(d), "{d} cut:\n{s}");
    }
}

#[test]
fn pane_errors_not_cut_at_80x24() {
    let mut a = ada_partly_failed();
    a.update(key(KeyCode::Tab));
    let s = screen(&mut a, 80, 24);
    let joined: String = s
        .lines()
        .map(|l| l.trim_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(joined.contains("(401 unAuthorized)"), "{s}");
}

#[test]
fn profile_cursor_visible_when_lines_wrap() {
    let mut a = app();
    ada_open(&mut a);
    for _ in 0..5 {
        a.update(ch('j'));
    }
    let s = screen(&mut a, 40, 12);
    assert!(s.contains("▶ current"), "selected field off screen:\n{s}");
}
