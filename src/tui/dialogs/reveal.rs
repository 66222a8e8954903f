//! Reveal dialog: showing a masked field asks for a reason, which goes to the audit log.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use tui_input::Input;

use crate::tui::app::{App, FieldRef, REVEAL_FOR};
use crate::tui::view::{centered, safe};

pub fn draw(f: &mut Frame, app: &App, field: &FieldRef, reason: &Input, error: Option<&str>) {
    let t = &app.theme;
    let area = centered(f.area(), 60, 9);
    f.render_widget(Clear, area);
    let mut lines = vec![
        Line::from(format!(
            "Reveal the {} for {} seconds?",
            safe(&field.label),
            REVEAL_FOR.as_secs()
        )),
        Line::from(Span::styled(
            "The reason is written to the audit log with your name.",
            t.muted,
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled("Reason: ", t.accent),
            Span::raw(safe(reason.value())),
        ]),
    ];
    if let Some(e) = error {
        lines.push(Line::from(Span::styled(format!("✗ {e}"), t.error)));
    }
    lines.push(Line::from(Span::styled(
        "enter reveal · esc cancel",
        t.muted,
    )));
    let block = Block::new()
        .borders(Borders::ALL)
        .title(" Reveal ")
        .border_style(t.warning)
        .style(t.base);
    let inner = block.inner(area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
    if inner.height > 3 {
        f.set_cursor_position((inner.x + 8 + reason.visual_cursor() as u16, inner.y + 3));
    }
}
