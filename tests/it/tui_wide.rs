//! The customer 360 (issue 11): from `customer_360_from` columns (160 unless
//! `config.toml` says otherwise) an opened customer shows particulars, contact methods
//! with consent and alerts at once, the results list compact beside them and one key
//! (esc) away; narrower terminals show one pane at a time. Every pane names the
//! customer. Checked against the real sandbox in process, and kept as snapshots of the
//! fixture customer in every theme at 200x50 and 80x24.

use crossterm::event::KeyCode;
use custdesk::tui::app::{App, Pane};
use custdesk::tui::theme::Theme;
use ratatui::buffer::Buffer;

use crate::common;
use crate::loop_support::Loop;
use crate::tui_fixture::*;

const SEARCH: &str = "┌ Search ";
const PROFILE: &str = "┌ Profile · Ada Quartermaine ";
const CONTACTS: &str = "┌ Contact methods · Ada Quartermaine ";
const ALERTS: &str = "┌ Alerts · Ada Quartermaine ";

/// How many of the three customer panes show on `screen`.
fn customer_panes(screen: &str) -> usize {
    [PROFILE, CONTACTS, ALERTS]
        .iter()
        .filter(|t| screen.contains(*t))
        .count()
}

/// Wait until the tab line shows `pane` focused; answers the screen.
async fn focused(c: &Loop, pane: &str) -> String {
    let marked = format!("▶{pane}");
    c.until(&marked, |s| s.contains(&marked)).await
}

/// Find Ada in the console and open her.
async fn open_ada(c: &Loop) {
    c.expect("corr").await;
    c.keys("quartermaine");
    c.expect("1 of 1 matches").await;
    c.enter();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_360_screen_at_200x50_shows_particulars_contacts_with_consent_and_alerts_at_once() {
    let ts = common::start(20).await;
    let c = Loop::start(&ts, "agent", 200, 50);
    open_ada(&c).await;
    let s = c
        .until("Ada's particulars, contact methods and alerts", |s| {
            s.contains("Reference     CR00000001")
                && s.contains("Consent")
                && s.contains("Low balance")
                && s.contains("History")
        })
        .await;
    // Side by side: the results, her particulars and her contact methods on one row,
    // her alerts below the contact methods; each pane titled with her name.
    assert!(
        s.lines()
            .any(|l| l.contains(SEARCH) && l.contains(PROFILE) && l.contains(CONTACTS)),
        "{s}"
    );
    assert!(s.contains(ALERTS), "{s}");
    assert!(s.contains("Born          1984-03-09"), "{s}");
    // Her mobile with the consent she gave, masked to its last four.
    assert!(
        s.lines()
            .any(|l| l.contains("SMS") && l.contains("0123") && l.contains("express")),
        "{s}"
    );
    assert!(
        s.contains("▶ Quartermaine, Ada"),
        "the results stay beside her:\n{s}"
    );

    // Tab moves the focus between the panes on screen; the 360 stays.
    c.tab();
    let s = focused(&c, "Contact methods").await;
    assert_eq!(customer_panes(&s), 3, "{s}");
    c.tab();
    let s = focused(&c, "Alerts").await;
    assert_eq!(customer_panes(&s), 3, "{s}");
    // One key back to the results list, and enter opens the selected customer again.
    c.esc();
    let s = focused(&c, "Search").await;
    assert!(s.contains("/ search  enter open"), "{s}");
    assert_eq!(customer_panes(&s), 3, "{s}");
    c.enter();
    focused(&c, "Profile").await;
    c.until("the 360 again, each pane named once she has loaded", |s| {
        customer_panes(s) == 3
    })
    .await;
    c.quit("360 at 200x50").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_single_pane_at_80x24_shows_one_customer_pane_at_a_time_each_named() {
    let ts = common::start(20).await;
    let c = Loop::start(&ts, "agent", 80, 24);
    open_ada(&c).await;
    let s = c
        .until("Ada's particulars", |s| {
            s.contains("Reference     CR00000001")
        })
        .await;
    assert!(s.contains(PROFILE), "{s}");
    assert_eq!(customer_panes(&s), 1, "{s}");
    assert!(!s.contains(SEARCH), "{s}");
    c.tab();
    let s = c
        .until("her contact methods", |s| s.contains("express"))
        .await;
    assert!(s.contains(CONTACTS), "{s}");
    assert_eq!(customer_panes(&s), 1, "{s}");
    c.tab();
    let s = c.until("her alerts", |s| s.contains("Low balance")).await;
    assert!(s.contains(ALERTS), "{s}");
    assert_eq!(customer_panes(&s), 1, "{s}");
    c.esc();
    let s = c.until("the results", |s| s.contains(SEARCH)).await;
    assert_eq!(customer_panes(&s), 0, "{s}");
    c.quit("single pane at 80x24").await;
}

/// The colour of the top-left corner of the pane titled `title`.
fn corner_fg(buf: &Buffer, screen: &str, title: &str) -> Option<ratatui::style::Color> {
    screen.lines().enumerate().find_map(|(y, line)| {
        let at = line.find(title)?;
        let x = line[..at].chars().count() as u16;
        buf[(x, y as u16)].style().fg
    })
}

#[test]
fn tab_cycles_the_visible_panes_and_the_focused_one_is_highlighted() {
    // A theme whose accent and border colours differ.
    let mut a = app_with(
        custdesk::tui::keymap::Keymap::default(),
        Theme::built_in("light"),
    );
    ada_open(&mut a);
    for (focus, title) in [
        (Pane::Profile, PROFILE),
        (Pane::Contacts, CONTACTS),
        (Pane::Alerts, ALERTS),
        (Pane::Search, SEARCH),
    ] {
        assert_eq!(a.focus, focus);
        let t = render(&mut a, 200, 50);
        let s = text(t.backend().buffer());
        assert_eq!(customer_panes(&s), 3, "{focus:?}:\n{s}");
        assert!(s.contains(SEARCH), "{s}");
        let accent = a.theme.accent.fg;
        for other in [SEARCH, PROFILE, CONTACTS, ALERTS] {
            let fg = corner_fg(t.backend().buffer(), &s, other);
            assert_eq!(
                fg == accent,
                other == title,
                "{other} highlighted wrongly with {focus:?} focused"
            );
        }
        a.update(key(KeyCode::Tab));
    }
    // Back round to the profile; esc from any customer pane is the results list.
    assert_eq!(a.focus, Pane::Profile);
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Esc));
    assert_eq!(a.focus, Pane::Search);
}

#[test]
fn the_width_of_the_360_is_configurable() {
    let shown = |a: &mut App, w, h| customer_panes(&screen(a, w, h));
    let mut a = app();
    ada_open(&mut a);
    assert_eq!(a.customer_360_from, 160, "the default");
    assert_eq!(shown(&mut a, 160, 40), 3);
    assert_eq!(shown(&mut a, 159, 40), 1);
    a.customer_360_from = 220;
    assert_eq!(shown(&mut a, 200, 50), 1);
    a.customer_360_from = 140;
    let s = screen(&mut a, 140, 35);
    assert_eq!(customer_panes(&s), 3, "{s}");
    // The compact results keep the name readable, the contact methods the last four
    // of each number and the consent.
    assert!(s.contains("▶ Quartermaine, Ada"), "{s}");
    assert!(
        s.contains("••••••0123") && s.contains("••••••0018") && s.contains("express"),
        "{s}"
    );
    assert_ada_masked(&s, "360 at 140x35");
    // Below 140 columns the panes would cut the numbers: the 360 starts at 140.
    a.customer_360_from = 100;
    assert_eq!(shown(&mut a, 139, 35), 1);
    assert_eq!(shown(&mut a, 140, 35), 3);
    // Without an open customer there is no 360.
    let mut a = app();
    searched(&mut a);
    assert_eq!(shown(&mut a, 200, 50), 0);

    let cfg: custdesk::config::ConsoleConfig =
        toml::from_str("customer_360_from = 180\n").expect("a valid config.toml");
    assert_eq!(cfg.customer_360_from, Some(180));
}

/// The built-in themes and the default one on a light background.
fn themes() -> Vec<(&'static str, Theme)> {
    let mut out: Vec<(&'static str, Theme)> = ["default", "light", "high-contrast", "16-color"]
        .into_iter()
        .map(|n| (n, Theme::built_in(n)))
        .collect();
    out.push(("default-light", Theme::default_light(false)));
    out
}

/// Ada open, her contact methods focused: the 360 at 200x50 and the single pane at
/// 80x24, in each theme, with the styles kept so the colours are reviewed.
#[test]
fn snapshots_of_the_360_and_the_single_pane_in_each_theme() {
    for (name, theme) in themes() {
        let mut a = app();
        a.theme = theme;
        ada_open(&mut a);
        a.update(key(KeyCode::Tab));
        for (w, h) in [(200, 50), (80, 24)] {
            let t = render(&mut a, w, h);
            let buf = t.backend().buffer();
            assert_eq!(control_cells(buf), vec![], "{name} at {w}x{h}");
            let s = text(buf);
            assert_ada_masked(&s, name);
            assert!(s.contains(CONTACTS) && s.contains("written"), "{s}");
            let panes = if w == 200 { 3 } else { 1 };
            assert_eq!(customer_panes(&s), panes, "{name} at {w}x{h}:\n{s}");
            insta::assert_snapshot!(format!("wide_360_{name}_{w}x{h}"), format!("{buf:?}"));
        }
    }
}

#[test]
fn wide_screens_of_any_height_draw_without_panic() {
    let mut a = app();
    ada_open(&mut a);
    for focus in 0..4 {
        for w in (140..=300).step_by(9) {
            for h in (1..=60).step_by(4) {
                let t = render(&mut a, w, h);
                assert_eq!(control_cells(t.backend().buffer()), vec![], "{w}x{h}");
            }
        }
        if focus == 0 {
            // And a customer still loading.
            a = app();
            searched(&mut a);
            let _ = open_selected(&mut a);
        }
        a.update(key(KeyCode::Tab));
    }
}
