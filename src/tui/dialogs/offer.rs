//! Offer dialog: the offers presented to the customer with their status, accept or
//! decline the selected one, confirm, result.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::dialogs::{box_height, draw_box, submit_lines};
use crate::tui::edit::Phase;
use crate::tui::edit::offer::OfferDialog;
use crate::tui::view::{centered, safe};

pub fn draw(f: &mut Frame, app: &App, d: &OfferDialog) {
    let t = &app.theme;
    let mut lines = Vec::new();
    if let Phase::Done(status) = &d.submit.phase {
        let o = d.offer().map(|o| safe(&o.offer_name)).unwrap_or_default();
        lines.push(Line::from(Span::styled(
            format!("✓ {o}: now {status}"),
            t.ok,
        )));
    } else {
        for (i, o) in d.offers.iter().enumerate() {
            let sel = i == d.selected;
            lines.push(Line::from(vec![
                Span::styled(if sel { "▶ " } else { "  " }, t.accent),
                Span::styled(format!("{:<10} ", o.offer_status.to_lowercase()), t.muted),
                Span::styled(
                    format!("{} — {}", safe(&o.offer_name), safe(&o.description)),
                    if sel { t.selection } else { t.base },
                ),
            ]));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::styled("Response  ", t.accent),
            Span::styled(
                format!("({}) accept", if d.accept { "•" } else { " " }),
                if d.accept { t.accent } else { t.base },
            ),
            Span::raw("  "),
            Span::styled(
                format!("({}) decline", if d.accept { " " } else { "•" }),
                if d.accept { t.base } else { t.accent },
            ),
        ]));
    }
    let question = d
        .offer()
        .map(|o| {
            format!(
                "{} '{}' for the customer?",
                capital(d.verb()),
                safe(&o.offer_name)
            )
        })
        .unwrap_or_default();
    submit_lines(
        app,
        &d.submit,
        &question,
        "↑/↓ offer · a accept · d decline · enter continue · esc cancel",
        &mut lines,
    );
    let area = centered(f.area(), 74, box_height(&lines, 74));
    draw_box(
        f,
        app,
        area,
        format!(" Offers · {} ", d.name),
        t.accent,
        lines,
        None,
    );
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
