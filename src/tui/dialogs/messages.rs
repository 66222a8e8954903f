//! The message log: the last 50 status messages, newest first, each with its time and
//! the correlation id of the request it came with.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::messages::LOG_LEN;
use crate::tui::view::safe;

/// The widest the log's box grows.
const WIDTH: u16 = 120;

/// Every line of the log, for drawing and for bounding its scroll.
fn lines(app: &App) -> Vec<Line<'static>> {
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
    lines
}

/// How far the log scrolls on a screen `size`: its wrapped rows less those that show.
fn extent(app: &App, (width, height): (u16, u16)) -> super::viewer::Extent {
    let width = super::list_width(width, WIDTH);
    let rows = super::box_height(&lines(app), width).saturating_sub(2);
    super::viewer::Extent::of(usize::from(rows), height)
}

pub fn draw(f: &mut Frame, app: &App, scroll: u16) {
    let hint = format!(
        " {} · {}/{} scroll ",
        super::viewer::closes(app, Action::Messages),
        super::viewer::hint(app, Action::Up),
        super::viewer::hint(app, Action::Down)
    );
    let lines = lines(app);
    super::draw_scrolled(f, app, " Messages ", &hint, WIDTH, lines, scroll, true);
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
        fx: &mut Vec<crate::tui::effect::Effect>,
    ) -> bool {
        let extent = extent(app, app.size);
        super::viewer::key(app, Action::Messages, k, &mut self.scroll, extent, fx)
    }

    fn draw(&self, f: &mut Frame, app: &App) {
        draw(f, app, self.scroll)
    }
}
