//! `?` help, generated from the keymap: every action, its keys and what it does.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::domain::query::{FREE_TEXT, PREFIXES};
use crate::tui::app::App;
use crate::tui::keymap::Context;

pub fn draw(f: &mut Frame, app: &App, scroll: u16) {
    let t = &app.theme;
    let mut lines = Vec::new();
    // By context: the console's keys, then each dialog's (its own `[section]`).
    for ctx in Context::ALL {
        let title = match ctx {
            Context::Global => format!("{} (change them in keymap.toml)", ctx.title()),
            other => format!("{} (keymap.toml [{}])", other.title(), other.section()),
        };
        if *ctx != Context::Global {
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(title, t.accent)));
        for a in ctx.actions().filter(|a| !(app.read_only && a.is_edit())) {
            let keys = app.keymap.keys(a);
            let keys = if keys.is_empty() {
                format!(":{}", a.name())
            } else {
                keys.join(", ")
            };
            // An action the client lacks the scope for says so first, so it is never cut.
            let what = match app.unavailable(a) {
                Some(scope) => Span::styled(
                    format!("unavailable: needs {scope} · {}", a.description()),
                    t.muted,
                ),
                None => Span::raw(a.description()),
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {keys:<18} "), t.accent),
                Span::styled(format!("{:<18} ", a.name()), t.muted),
                what,
            ]));
        }
    }
    // No blank line before this heading, so at 200x50 the search fields still show.
    lines.push(Line::from(Span::styled("Search fields", t.accent)));
    lines.push(Line::from(format!("  free text      {FREE_TEXT}")));
    for (p, d) in PREFIXES {
        lines.push(Line::from(format!("  {p:<14} {d}")));
    }
    // As tall as the list (the edit actions made it longer than 40 rows), within the
    // screen; j/k scroll what does not fit.
    super::draw_scrolled(
        f,
        app,
        " Help ",
        " esc or ? closes · j/k scroll ",
        110,
        lines,
        scroll,
        false,
    );
}
