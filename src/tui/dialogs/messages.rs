//! The message log: the last 50 status messages, newest first, each with its time and
//! the correlation id of the request it came with.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::keymap::Action;
use crate::tui::messages::LOG_LEN;
use crate::tui::view::{centered, safe};

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
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!(
            "esc or {} closes · {}/{} scroll",
            app.keymap.hint(Action::Messages),
            app.keymap.hint(Action::Up),
            app.keymap.hint(Action::Down)
        ),
        t.muted,
    )));
    let area = centered(
        f.area(),
        f.area().width.saturating_sub(4).clamp(20, 120),
        lines.len() as u16 + 2,
    );
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .style(t.base)
            .block(
                Block::new()
                    .borders(Borders::ALL)
                    .title(" Messages ")
                    .border_style(t.accent),
            ),
        area,
    );
}
