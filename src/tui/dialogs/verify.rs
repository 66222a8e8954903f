//! Caller verification dialog: a line per proof with a tick once proved, what the agent
//! typed, why an answer did not match, and whether contact edits are unlocked.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::app::App;
use crate::tui::edit::verify::{CallerCheck, PROOFS_NEEDED, Proof, VerifyDialog};
use crate::tui::view::{centered, safe};

const LABEL_W: usize = 25;

pub fn draw(f: &mut Frame, app: &App, d: &VerifyDialog) {
    let t = &app.theme;
    let check = app
        .caller
        .clone()
        .filter(|c| c.customer == d.customer)
        .unwrap_or_else(|| CallerCheck::new(&d.customer));
    let mut lines = vec![
        Line::from("Ask the caller; type what they say; enter checks it."),
        Line::from(Span::styled(
            format!("{PROOFS_NEEDED} of the 3 proofs unlock contact edits."),
            t.muted,
        )),
        Line::from(""),
    ];
    let mut cursor = None;
    for (i, p) in Proof::ALL.iter().enumerate() {
        let selected = i == d.field;
        let (mark, mark_style) = if check.is_proved(*p) {
            ("[✓]", t.ok)
        } else if check.exhausted(*p) {
            ("[✗]", t.error)
        } else {
            ("[ ]", t.base)
        };
        let typed = safe(d.inputs[i].value());
        let mut spans = vec![
            Span::styled(
                if selected { "▶ " } else { "  " },
                if selected { t.accent } else { t.base },
            ),
            Span::styled(mark, mark_style),
            Span::raw(" "),
            Span::styled(
                format!("{:<LABEL_W$}", p.label()),
                if selected { t.selection } else { t.base },
            ),
            Span::raw(" "),
        ];
        if typed.is_empty() && !check.is_proved(*p) {
            spans.push(Span::styled(format!("({})", p.hint()), t.muted));
        } else {
            spans.push(Span::raw(typed));
        }
        if check.is_proved(*p) {
            spans.push(Span::styled("  matches", t.ok));
        }
        if selected {
            cursor = Some((
                lines.len() as u16,
                (2 + 3 + 1 + LABEL_W + 1) as u16 + d.inputs[i].visual_cursor() as u16,
            ));
        }
        lines.push(Line::from(spans));
        if let Some(m) = &d.messages[i] {
            lines.push(Line::from(Span::styled(
                format!("      ✗ {}", safe(m)),
                t.error,
            )));
        }
    }
    lines.push(Line::from(""));
    if check.verified() {
        lines.push(Line::from(Span::styled(
            format!(
                "✓ Caller verified: {} — contact edits unlocked",
                check.summary()
            ),
            t.ok,
        )));
    } else {
        lines.push(Line::from(Span::styled(
            format!(
                "Caller not verified: {} of {PROOFS_NEEDED} proofs — contact edits locked",
                check.count()
            ),
            t.warning,
        )));
    }
    lines.push(Line::from(Span::styled(
        "tab next · enter check · esc done",
        t.muted,
    )));
    let area = centered(f.area(), 70, lines.len() as u16 + 2);
    f.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(format!(" Verify caller · {} ", d.name))
        .border_style(t.accent)
        .style(t.base);
    let inner = block.inner(area);
    f.render_widget(Paragraph::new(lines).block(block), area);
    if let Some((row, col)) = cursor
        && row < inner.height
        && col < inner.width
        && !check.is_proved(Proof::ALL[d.field])
    {
        f.set_cursor_position((inner.x + col, inner.y + row));
    }
}
