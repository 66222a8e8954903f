//! What the read-only views (help, the message log) share: their keys, in the
//! `[viewer]` context, and the hint on their border naming those keys.

use crossterm::event::KeyEvent;

use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Context};

/// How far a view scrolls: to `max` at most, `page` rows at a time (the rows that
/// show).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    pub max: u16,
    pub page: u16,
}

impl Extent {
    /// A view `rows` rows long in a bordered box on a screen `height` rows tall: the
    /// box is as tall as its rows within the screen; what does not show scrolls.
    pub fn of(rows: usize, height: u16) -> Extent {
        let rows = u16::try_from(rows).unwrap_or(u16::MAX);
        let page = rows.min(height.saturating_sub(2));
        Extent {
            max: rows - page,
            page,
        }
    }
}

/// A key in a view opened by `own` (help's key, the message log's). It scrolls
/// within `extent`; the close key or the view's own key closes it (`false`); the other
/// view's key opens that one in its place. Every other key is taken and ignored, so it
/// never reaches the panes behind.
pub fn key(
    app: &mut App,
    own: Action,
    k: KeyEvent,
    scroll: &mut u16,
    extent: Extent,
    fx: &mut Vec<Effect>,
) -> bool {
    let page = extent.page.max(1);
    match app.keymap.action_in(Context::Viewer, &k) {
        Some(Action::Down) => *scroll = scroll.saturating_add(1).min(extent.max),
        Some(Action::Up) => *scroll = scroll.saturating_sub(1),
        Some(Action::PageDown) => *scroll = scroll.saturating_add(page).min(extent.max),
        Some(Action::PageUp) => *scroll = scroll.saturating_sub(page),
        Some(Action::Top) => *scroll = 0,
        Some(Action::Bottom) => *scroll = extent.max,
        Some(Action::Close) => return false,
        Some(a) if a == own => return false,
        Some(other @ (Action::Help | Action::Messages)) => app.on_action(other, fx),
        _ => {}
    }
    true
}

/// "esc or ? closes": the close key (a named key before a letter) and the view's own.
pub fn closes(app: &App, own: Action) -> String {
    let close = app.keymap.keys_in(Context::Viewer, Action::Close);
    let named = close
        .iter()
        .find(|k| k.chars().count() > 1)
        .or(close.first())
        .cloned();
    let own = app.keymap.hint_in(Context::Viewer, own);
    match named {
        Some(c) => format!("{c} or {own} closes"),
        None => format!("{own} closes"),
    }
}

/// The view's key for `a` (scrolling), for its hint.
pub fn hint(app: &App, a: Action) -> String {
    app.keymap.hint_in(Context::Viewer, a)
}
