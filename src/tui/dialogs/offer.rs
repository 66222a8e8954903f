//! Offer dialog: the offers presented to the customer with their status, accept or
//! decline the selected one, confirm, result; after an accept, the fulfilment with
//! optional remarks, confirm, and its result.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::dialogs::{box_height, draw_box, submit_lines};
use crate::tui::edit::Phase;
use crate::tui::edit::offer::{OfferDialog, REMARKS_MAX, Step};
use crate::tui::view::{centered, safe};

/// The dialog's width at most (borders included).
const WIDTH: u16 = 74;
/// The remarks label, and the column the remarks start at.
const LABEL: &str = "▶ Remarks  ";
const LABEL_COLS: u16 = 11;

pub fn draw(f: &mut Frame, app: &App, d: &OfferDialog) {
    match d.step {
        Step::Respond => draw_respond(f, app, d),
        Step::Fulfil => draw_fulfil(f, app, d),
    }
}

fn draw_respond(f: &mut Frame, app: &App, d: &OfferDialog) {
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
    // An accepted offer is fulfilled from here: enter goes on to it.
    let hint = match d.offer() {
        Some(o) if o.offer_status == "ACCEPTED" && d.accept => {
            "↑/↓ offer · a accept · d decline · enter fulfil it · esc cancel"
        }
        _ => "↑/↓ offer · a accept · d decline · enter continue · esc cancel",
    };
    submit_lines(app, &d.submit, &question, hint, &mut lines);
    boxed(f, app, d, lines, None);
}

fn draw_fulfil(f: &mut Frame, app: &App, d: &OfferDialog) {
    let t = &app.theme;
    let name = d.offer().map(|o| safe(&o.offer_name)).unwrap_or_default();
    let editing = d.fulfil.phase == Phase::Editing;
    let mut lines = Vec::new();
    let mut cursor = None;
    if let Phase::Done(summary) = &d.fulfil.phase {
        lines.push(Line::from(Span::styled(
            format!("✓ {name}: fulfilled"),
            t.ok,
        )));
        match &d.fulfilment {
            Some(done) => {
                lines.push(Line::from(vec![
                    Span::styled("Fulfilment  ", t.muted),
                    Span::raw(safe(&done.fulfillment_id)),
                ]));
                lines.push(Line::from(vec![
                    Span::styled("Offer       ", t.muted),
                    Span::raw(format!(
                        "{} now {}",
                        safe(&done.offer_id),
                        safe(&done.offer_status.to_lowercase())
                    )),
                ]));
            }
            None => lines.push(Line::from(Span::raw(summary.clone()))),
        }
        lines.push(Line::from(vec![
            Span::styled("Remarks     ", t.muted),
            match d.remarks_value() {
                Ok(Some(r)) => Span::raw(one_line(&r, inner_width(f) - 12)),
                _ => Span::styled("none", t.muted),
            },
        ]));
    } else {
        if d.accepted_here {
            lines.push(Line::from(Span::styled(
                format!("✓ {name}: now accepted"),
                t.ok,
            )));
            if let Some(c) = &d.submit.correlation_id {
                lines.push(Line::from(Span::styled(
                    format!("  correlation id {}", safe(c)),
                    t.muted,
                )));
            }
        } else {
            lines.push(Line::from(Span::styled(
                format!("{name} is accepted and not yet fulfilled."),
                t.base,
            )));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Fulfil it now: the customer gets the offer. Remarks are optional.",
            t.accent,
        )));
        let width = inner_width(f).saturating_sub(LABEL_COLS + 1) as usize;
        let scroll = d.remarks.visual_scroll(width);
        let shown: String = safe(d.remarks.value())
            .chars()
            .skip(scroll)
            .take(width)
            .collect();
        if editing {
            cursor = Some((
                lines.len() as u16,
                LABEL_COLS + (d.remarks.visual_cursor() - scroll) as u16,
            ));
        }
        lines.push(Line::from(vec![
            Span::styled(
                if editing { LABEL } else { "  Remarks  " },
                if editing { t.selection } else { t.muted },
            ),
            Span::raw(shown),
        ]));
        let n = d.remarks_len();
        lines.push(Line::from(Span::styled(
            format!("           {n}/{REMARKS_MAX} characters"),
            if n > REMARKS_MAX { t.error } else { t.muted },
        )));
    }
    let question = if d.remarks_value().ok().flatten().is_some() {
        format!("Fulfil '{name}' with these remarks?")
    } else {
        format!("Fulfil '{name}' with no remarks?")
    };
    let hint = if d.accepted_here {
        "type remarks (optional) · enter fulfil · esc close without fulfilling"
    } else {
        "type remarks (optional) · enter fulfil · esc back to the offers"
    };
    submit_lines(app, &d.fulfil, &question, hint, &mut lines);
    boxed(f, app, d, lines, cursor);
}

fn boxed(
    f: &mut Frame,
    app: &App,
    d: &OfferDialog,
    lines: Vec<Line<'static>>,
    cursor: Option<(u16, u16)>,
) {
    let area = centered(f.area(), WIDTH, box_height(&lines, WIDTH));
    draw_box(
        f,
        app,
        area,
        format!(" Offers · {} ", d.name),
        app.theme.accent,
        lines,
        cursor,
    );
}

/// Columns inside the dialog's borders on this screen.
fn inner_width(f: &Frame) -> u16 {
    f.area()
        .width
        .min(WIDTH)
        .saturating_sub(2)
        .max(LABEL_COLS + 2)
}

/// `s` on one line of `width` characters at most, ending in `…` when cut.
fn one_line(s: &str, width: u16) -> String {
    let s = safe(s);
    let width = width.max(2) as usize;
    if s.chars().count() <= width {
        return s;
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
