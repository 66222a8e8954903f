//! Status bar: backend and profile, agent and scopes, last correlation id, spinner,
//! and the last error in words (or the latest notice).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::tui::app::App;
use crate::tui::view::{SPINNER, ellipsize, safe};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let sep = Span::styled(" │ ", t.border);
    let s = &app.status;
    let mut spans = vec![
        Span::styled(
            if app.busy() {
                SPINNER[s.spinner % SPINNER.len()]
            } else {
                "●"
            },
            t.accent,
        ),
        Span::raw(" "),
        // Narrow terminals keep the correlation id whole and shorten the backend.
        Span::raw(if area.width < 110 {
            safe(s.backend.split_whitespace().next().unwrap_or(""))
        } else {
            safe(&s.backend)
        }),
    ];
    if !s.profile.is_empty() && area.width >= 110 {
        spans.push(Span::styled(format!(" ({})", safe(&s.profile)), t.muted));
    }
    spans.push(sep.clone());
    spans.push(Span::raw(safe(&s.agent)));
    let mut tail = Vec::new();
    if area.height < 2 {
        tail.push(sep.clone());
    }
    tail.push(Span::styled("corr ", t.muted));
    tail.push(Span::raw(
        s.last_correlation
            .as_deref()
            .map(safe)
            .unwrap_or_else(|| "—".into()),
    ));
    if let Some(e) = &s.last_error {
        tail.push(sep.clone());
        tail.push(Span::styled(format!("✗ Error: {}", safe(e)), t.error));
    } else if let Some(n) = &s.notice {
        tail.push(sep);
        tail.push(Span::styled(safe(n), t.ok));
    }
    let read_only = app.read_only.then(|| Span::styled(" READ-ONLY", t.warning));
    // The scopes by name only where they fit beside everything else on their line,
    // else their count: the correlation id and the message are never pushed off.
    if !s.scopes.is_empty() {
        let named = format!(" [{}]", safe(&s.scopes.join(" ")));
        let width = |v: &[Span]| v.iter().map(Span::width).sum::<usize>();
        let mut used = width(&spans) + read_only.as_ref().map_or(0, Span::width);
        if area.height < 2 {
            used += width(&tail);
        }
        let shown = if used + named.width() <= usize::from(area.width) {
            named
        } else {
            format!(" [{} scopes]", s.scopes.len())
        };
        spans.push(Span::styled(shown, t.muted));
    }
    spans.extend(read_only);
    // Narrow terminals put the correlation id and the last error on a second line,
    // so neither is cut off.
    // A message longer than its line ends in `…`; the message log (F2) holds it whole.
    let width = usize::from(area.width);
    let lines = if area.height < 2 {
        spans.extend(tail);
        vec![Line::from(ellipsize(spans, width, ""))]
    } else {
        vec![Line::from(spans), Line::from(ellipsize(tail, width, ""))]
    };
    f.render_widget(Paragraph::new(lines), area);
}
