//! The message log: the last 50 status messages, newest first, each with its time and
//! the correlation id of the request it came with.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::messages::LOG_LEN;
use crate::tui::view::safe;

pub fn draw(f: &mut Frame, app: &App, scroll: u16) {
    let t = &app.theme;
    let log = &app.messages.log;
    let mut lines = vec![Line::from(Span::styled(
        format!("Messages: the last {LOG_LEN}, newest first"),
        t.accent,
    ))];
    if log.is_empty() {
        lines.push(Line::from(Span::styled("No messages yet", t.muted)));
    }
    for e in log.iter().rev() {
        let mut spans = vec![Span::styled(format!("{} ", e.time), t.muted)];
        if e.error {
            spans.push(Span::styled(format!("✗ {}", safe(&e.text)), t.error));
        } else {
            spans.push(Span::raw(safe(&e.text)));
        }
        if let Some(c) = &e.correlation {
            spans.push(Span::styled(format!("  corr {}", safe(c)), t.muted));
        }
        lines.push(Line::from(spans));
    }
    let hint = format!(
        " esc or {} closes · {}/{} scroll ",
        app.keymap.hint(Action::Messages),
        app.keymap.hint(Action::Up),
        app.keymap.hint(Action::Down)
    );
    super::draw_scrolled(f, app, " Messages ", &hint, 120, lines, scroll, true);
}

/// The message log, scrolled this far.
#[derive(Debug, Clone, Default)]
pub struct MessageLog {
    pub scroll: u16,
}

impl crate::tui::dialog::Dialog for MessageLog {
    fn name(&self) -> &'static str {
        "message log"
    }

    fn key(
        &mut self,
        app: &mut App,
        k: crossterm::event::KeyEvent,
        _fx: &mut Vec<crate::tui::effect::Effect>,
    ) -> bool {
        match app.keymap.action(&k) {
            Some(Action::Down) => self.scroll = self.scroll.saturating_add(1),
            Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(Action::Messages | Action::Quit) => return false,
            _ => return k.code != crossterm::event::KeyCode::Esc,
        }
        true
    }

    fn draw(&self, f: &mut Frame, app: &App) {
        draw(f, app, self.scroll)
    }
}
