//! Alerts pane: enrolled and eligible alerts, then the alert history.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::tui::app::{App, Load, Pane};
use crate::tui::view::{SPINNER, customer_title, pane_block, safe};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let title = customer_title(app, "Alerts");
    let block = pane_block(app, &title, app.focus == Pane::Alerts);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let spinner = SPINNER[app.status.spinner % SPINNER.len()];
    let Some(c) = &app.customer else {
        f.render_widget(
            Paragraph::new(Span::styled("No customer open", app.theme.muted)),
            inner,
        );
        return;
    };
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(inner);
    match &c.alerts {
        Load::Loading => f.render_widget(Paragraph::new(format!("{spinner} loading alerts…")), top),
        Load::Failed(e) => f.render_widget(
            Paragraph::new(Line::from(Span::styled(
                format!("✗ Error: could not load alerts: {}", safe(e)),
                app.theme.error,
            )))
            .wrap(ratatui::widgets::Wrap { trim: false }),
            top,
        ),
        Load::Ready(a) => {
            let header = Row::new(
                ["Alert", "Status", "Channel", "Threshold"]
                    .map(|h| Cell::from(h).style(app.theme.title)),
            );
            let rows = a.alerts.iter().map(|al| {
                let enrolled = al.alert_status == "ENROLLED";
                Row::new(vec![
                    Cell::from(safe(&al.alert_name)),
                    Cell::from(if enrolled {
                        "✓ enrolled"
                    } else {
                        "  eligible"
                    }),
                    Cell::from(al.channel.as_deref().map(safe).unwrap_or_default()),
                    Cell::from(
                        al.threshold
                            .as_ref()
                            .map(|t| format!("{:.2} {}", t.amount, safe(&t.currency)))
                            .unwrap_or_default(),
                    ),
                ])
                .style(if enrolled {
                    app.theme.ok
                } else {
                    app.theme.base
                })
            });
            let widths = [
                Constraint::Fill(2),
                Constraint::Length(10),
                Constraint::Length(7),
                Constraint::Fill(1),
            ];
            f.render_widget(
                Table::new(rows, widths).header(header).column_spacing(1),
                top,
            );
        }
    }
    let mut lines = vec![Line::from(Span::styled("History", app.theme.accent))];
    match &c.history {
        Load::Loading => lines.push(Line::from(format!("{spinner} loading history…"))),
        Load::Failed(e) => lines.push(Line::from(Span::styled(
            format!("✗ Error: could not load alert history: {}", safe(e)),
            app.theme.error,
        ))),
        Load::Ready(h) if h.alert_history.is_empty() => {
            lines.push(Line::from(Span::styled("no alerts sent", app.theme.muted)))
        }
        Load::Ready(h) => {
            for item in &h.alert_history {
                lines.push(Line::from(format!(
                    "{}  {:<6} {}",
                    safe(
                        item.sent_date_time
                            .get(..16)
                            .unwrap_or(&item.sent_date_time)
                    ),
                    safe(&item.channel),
                    safe(&item.message)
                )));
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
        bottom,
    );
}
