//! `?` help, generated from the keymap: every action, its keys and what it does, by
//! context (the console's keys, then each dialog's). Taller than the screen, it scrolls
//! within its content and its border says which rows show.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::domain::query::{FREE_TEXT, PREFIXES};
use crate::tui::app::App;
use crate::tui::keymap::Context;

use super::viewer::Extent;

/// The widest the help box grows.
const WIDTH: u16 = 110;

/// How help starts the line of a context's actions whose keys are those listed above.
const AS_ABOVE: &str = " keys as above: ";

/// Every line of help, for drawing and for bounding its scroll.
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    // By context: the console's keys, the results list's, the customer panes', the
    // search fields and the search box's keys, then each dialog's (its own `[section]`). A
    // dialog that writes is not offered in read-only mode, nor are its keys. An action
    // shared by several contexts is listed again only where its keys differ, so help
    // stays short (at 80x24 it scrolls).
    let mut listed: Vec<(crate::tui::keymap::Action, Vec<String>)> = Vec::new();
    for ctx in Context::ALL
        .iter()
        .filter(|c| !(app.read_only && c.writes()))
    {
        // What the search box understands, then its keys.
        if *ctx == Context::SearchInput {
            lines.push(Line::from(Span::styled("Search fields", t.accent)));
            lines.push(Line::from(format!("  free text      {FREE_TEXT}")));
            for (p, d) in PREFIXES {
                lines.push(Line::from(format!("  {p:<14} {d}")));
            }
        }
        let title = match ctx {
            Context::Global => format!("{} (change them in keymap.toml)", ctx.title()),
            other => format!("{} (keymap.toml [{}])", other.title(), other.section()),
        };
        lines.push(Line::from(Span::styled(title, t.accent)));
        let mut as_above = Vec::new();
        for a in ctx.actions().filter(|a| !(app.read_only && a.is_edit())) {
            let keys = app.keymap.keys_in(*ctx, a);
            if listed.contains(&(a, keys.clone())) {
                as_above.push(a.name());
                continue;
            }
            listed.push((a, keys.clone()));
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
        // Wrapped to the help box (the panes and dialogs share many actions); on a
        // screen narrower than 80 columns help is cut anyway, so it wraps as at 80.
        let inner = usize::from(super::list_width(app.size.0, WIDTH)) - 2;
        let budget = inner.saturating_sub(AS_ABOVE.len()).max(58);
        let mut rest = as_above.as_slice();
        while !rest.is_empty() {
            let n = (1..=rest.len())
                .take_while(|n| rest[..*n].join(", ").len() < budget)
                .last()
                .unwrap_or(1);
            let (names, more) = rest.split_at(n);
            let lead = if rest.len() == as_above.len() {
                AS_ABOVE
            } else {
                "                "
            };
            let tail = if more.is_empty() { "" } else { "," };
            lines.push(Line::from(Span::styled(
                format!("{lead}{}{tail}", names.join(", ")),
                t.muted,
            )));
            rest = more;
        }
    }
    lines
}

/// How far help scrolls on a screen `height` rows tall: its last row at the bottom.
pub fn extent(app: &App, height: u16) -> Extent {
    Extent::of(lines(app).len(), height)
}

pub fn draw(f: &mut Frame, app: &App, scroll: u16) {
    let lines = lines(app);
    let total = lines.len();
    let extent = Extent::of(total, f.area().height);
    let (shown, scroll) = (usize::from(extent.page), scroll.min(extent.max));
    // What does not fit scrolls; the border says which rows show and that more follow.
    use crate::tui::keymap::Action;
    let closes = super::viewer::closes(app, Action::Help);
    let keys = format!(
        "{}/{}",
        super::viewer::hint(app, Action::Down),
        super::viewer::hint(app, Action::Up)
    );
    let hint = if shown >= total {
        format!(" {closes} · {keys} scroll ")
    } else {
        let first = scroll as usize + 1;
        let last = scroll as usize + shown;
        let more = if last < total { " ↓ more" } else { "" };
        format!(" rows {first}-{last} of {total}{more} · {closes} · {keys} ")
    };
    // As tall as the list, within the screen.
    super::draw_scrolled(f, app, " Help ", &hint, WIDTH, lines, scroll, false);
}

/// Help, scrolled this far.
#[derive(Debug, Clone, Default)]
pub struct Help {
    pub scroll: u16,
}

impl crate::tui::dialog::Dialog for Help {
    fn name(&self) -> &'static str {
        "help"
    }

    fn key(
        &mut self,
        app: &mut App,
        k: crossterm::event::KeyEvent,
        fx: &mut Vec<crate::tui::effect::Effect>,
    ) -> bool {
        let extent = extent(app, app.size.1);
        let own = crate::tui::keymap::Action::Help;
        super::viewer::key(app, own, k, &mut self.scroll, extent, fx)
    }

    fn draw(&self, f: &mut Frame, app: &App) {
        draw(f, app, self.scroll)
    }
}
