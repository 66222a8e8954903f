//! Contact methods pane: the Candescent view plus each phone's consent and source.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::domain::mask;
use crate::tui::app::{App, Load, Pane};
use crate::tui::view::{SPINNER, customer_title, pane_block, safe};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let title = customer_title(app, "Contact methods");
    let block = pane_block(app, &title, app.focus == Pane::Contacts);
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
    let cm = match &c.contacts {
        Load::Loading => {
            f.render_widget(
                Paragraph::new(format!("{spinner} loading contact methods…")),
                inner,
            );
            return;
        }
        Load::Failed(e) => {
            f.render_widget(
                Paragraph::new(Line::from(Span::styled(
                    format!("✗ Error: could not load contact methods: {}", safe(e)),
                    app.theme.error,
                )))
                .wrap(ratatui::widgets::Wrap { trim: false }),
                inner,
            );
            return;
        }
        Load::Ready(cm) => cm,
    };
    // Where the pane is narrow (beside others in the customer 360) the enrolment date
    // goes first, so the contact keeps its last four and the consent shows whole.
    let dated = inner.width >= 64;
    let titles = [
        "Channel", "Contact", "Cc", "Active", "Consent", "Source", "Enrolled",
    ];
    let header = Row::new(
        titles[..if dated { 7 } else { 6 }]
            .iter()
            .map(|h| Cell::from(*h).style(app.theme.title)),
    );
    let rows = cm.contact_methods.iter().map(|m| {
        let info = m.contact_info.to_string();
        let shown = if m.protocol == "EMAIL" {
            mask::email(&safe(&info))
        } else {
            mask::phone_in(
                &m.telephone_country_code
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                &safe(&info),
            )
        };
        let mut cells = vec![
            Cell::from(safe(&m.protocol)),
            Cell::from(shown),
            Cell::from(
                m.telephone_country_code
                    .as_ref()
                    .map(|c| format!("+{}", safe(&c.to_string())))
                    .unwrap_or_default(),
            ),
            Cell::from(if m.is_activated { "yes" } else { "no" }),
            Cell::from(
                m.consent_type
                    .as_deref()
                    .map(safe)
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::from(
                m.client_source
                    .as_deref()
                    .map(safe)
                    .unwrap_or_else(|| "—".into()),
            ),
        ];
        if dated {
            cells.push(Cell::from(safe(
                m.enrolled_date_time
                    .get(..10)
                    .unwrap_or(&m.enrolled_date_time),
            )));
        }
        Row::new(cells)
    });
    let mut widths = vec![
        Constraint::Length(7),
        Constraint::Fill(2),
        Constraint::Length(5),
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Fill(1),
    ];
    if dated {
        widths.push(Constraint::Length(10));
    }
    f.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}
