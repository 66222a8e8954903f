//! Overlays and dialogs, one file each.

pub mod add_phone;
pub mod alerts;
pub mod bulk;
pub mod contact;
pub mod customer;
pub mod help;
pub mod image;
pub mod messages;
pub mod offer;
pub mod palette;
pub mod reveal;
pub mod verify;
pub mod viewer;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::edit::{Phase, Submit};
use crate::tui::view::{SPINNER, safe};

/// Draw a dialog over whatever is behind it: `area` cleared, a bordered box titled
/// `title`, the `lines` wrapped inside, and the terminal cursor at `(row, col)` of the
/// box's inside when it falls within it.
pub fn draw_box(
    f: &mut Frame,
    app: &App,
    area: Rect,
    title: String,
    border: Style,
    lines: Vec<Line<'static>>,
    cursor: Option<(u16, u16)>,
) {
    f.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title)
        .border_style(border)
        .style(app.theme.base);
    let inner = block.inner(area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
    if let Some((row, col)) = cursor
        && row < inner.height
        && col < inner.width
    {
        f.set_cursor_position((inner.x + col, inner.y + row));
    }
}

/// A list overlay (help, the message log): centred, at most `max_width` wide and as
/// tall as its lines within the screen, scrolled by `scroll` rows, with `hint` on the
/// bottom border so it shows however far the list scrolls.
#[allow(clippy::too_many_arguments)]
pub fn draw_scrolled(
    f: &mut Frame,
    app: &App,
    title: &str,
    hint: &str,
    max_width: u16,
    lines: Vec<Line<'static>>,
    scroll: u16,
    wrap: bool,
) {
    let t = &app.theme;
    let width = list_width(f.area().width, max_width);
    // Wrapped lines take the rows they wrap to, so a long message shows whole.
    let height = if wrap {
        box_height(&lines, width)
    } else {
        lines.len() as u16 + 2
    };
    let area = crate::tui::view::centered(f.area(), width, height);
    f.render_widget(Clear, area);
    let mut p = Paragraph::new(lines).scroll((scroll, 0)).style(t.base);
    if wrap {
        p = p.wrap(Wrap { trim: false });
    }
    f.render_widget(
        p.block(
            Block::new()
                .borders(Borders::ALL)
                .title(title.to_string())
                .title_bottom(Span::styled(hint.to_string(), t.muted))
                .border_style(t.accent),
        ),
        area,
    );
}

/// Rows `lines` take, wrapped in a box `width` wide (borders included), plus borders:
/// word-wrapped as drawing wraps them (a word that does not fit moves to the next row).
pub fn box_height(lines: &[Line], width: u16) -> u16 {
    let inner = width.saturating_sub(2).max(1);
    let rows = Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: false })
        .line_count(inner);
    u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(2)
}

/// A form field's label, `width` columns wide after its marker: `▶` and the selection
/// colour on the field being edited, muted on the others.
pub fn field_label(app: &App, on: bool, text: &str, width: usize) -> Span<'static> {
    let t = &app.theme;
    Span::styled(
        format!("{}{text:<width$}", if on { "▶ " } else { "  " }),
        if on { t.selection } else { t.muted },
    )
}

/// How wide a list overlay (help, the message log) is on a screen `screen` columns
/// wide: four columns of margin, at least 20, at most `max`.
pub fn list_width(screen: u16, max: u16) -> u16 {
    screen.saturating_sub(4).clamp(20, max)
}

/// The lines every simple write dialog ends with: the error (with its correlation id),
/// then what enter and esc do in the current phase, or the result.
pub fn submit_lines(
    app: &App,
    s: &Submit,
    question: &str,
    editing_hint: &str,
    lines: &mut Vec<Line<'static>>,
) {
    let t = &app.theme;
    if let Some(e) = &s.error {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!("✗ {}", safe(&e.message)),
            t.error,
        )));
        if let Some(c) = &e.correlation_id {
            lines.push(Line::from(Span::styled(
                format!("  correlation id {}", safe(c)),
                t.muted,
            )));
        }
    }
    lines.push(Line::from(""));
    match &s.phase {
        Phase::Editing => lines.push(Line::from(Span::styled(editing_hint.to_string(), t.muted))),
        Phase::Confirming => {
            lines.push(Line::from(Span::styled(question.to_string(), t.accent)));
            lines.push(Line::from(Span::styled(
                if s.error.is_some() {
                    "enter try again (the same request) · esc back"
                } else {
                    "enter send · esc back"
                },
                t.muted,
            )));
        }
        Phase::Sending => lines.push(Line::from(Span::styled(
            format!("{} sending…", SPINNER[app.status.spinner % SPINNER.len()]),
            t.muted,
        ))),
        Phase::Done(_) => {
            if let Some(c) = &s.correlation_id {
                lines.push(Line::from(vec![
                    Span::styled("Correlation id ", t.muted),
                    Span::raw(safe(c)),
                ]));
            }
            lines.push(Line::from(Span::styled("enter close", t.muted)));
        }
    }
}
