//! Add phone dialog: the form (number grouped as typed, type and consent as radio
//! choices marked with a dot, country code), the consent wording to read out, then the
//! confirm step and the result. Choices are marked by more than colour.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::domain::choice::{Consent, PhoneType};
use crate::domain::phone::format_typed;
use crate::tui::app::App;
use crate::tui::dialogs::draw_box;
use crate::tui::edit::Phase;
use crate::tui::edit::add_phone::{AddPhoneDialog, Field, MAX_DIGITS, wording};
use crate::tui::view::{SPINNER, centered, safe};

const LABEL_W: usize = 14;

fn radios(app: &App, options: &[&str], chosen: Option<usize>) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (i, o) in options.iter().enumerate() {
        let on = chosen == Some(i);
        spans.push(Span::styled(
            format!("({}) {o}", if on { "•" } else { " " }),
            if on { app.theme.accent } else { app.theme.base },
        ));
        spans.push(Span::raw("  "));
    }
    spans
}

pub fn draw(f: &mut Frame, app: &App, d: &AddPhoneDialog) {
    let t = &app.theme;
    let spinner = SPINNER[app.status.spinner % SPINNER.len()];
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    let editing = d.submit.phase == Phase::Editing;
    let row = |field: Field, value: Vec<Span<'static>>| -> Line<'static> {
        let selected = editing && d.field == field;
        let mut spans = vec![super::field_label(app, selected, field.label(), LABEL_W)];
        spans.extend(value);
        Line::from(spans)
    };
    match &d.submit.phase {
        Phase::Editing | Phase::Confirming | Phase::Sending => {
            let shown = format_typed(&d.number);
            let n = d.number.len();
            let status = if n == 0 {
                Span::styled("  10 or 11 digits".to_string(), t.muted)
            } else if (10..=MAX_DIGITS).contains(&n) {
                Span::styled(format!("  ✓ {n} digits"), t.ok)
            } else {
                Span::styled(format!("  {n} of 10 or 11 digits"), t.muted)
            };
            if editing && d.field == Field::Number {
                cursor = Some((
                    lines.len() as u16,
                    (2 + LABEL_W + shown.chars().count()) as u16,
                ));
            }
            lines.push(row(Field::Number, vec![Span::raw(shown), status]));
            lines.push(row(
                Field::Type,
                radios(app, PhoneType::NAMES, Some(d.phone_type)),
            ));
            let cc = safe(d.country.value());
            if editing && d.field == Field::Country {
                cursor = Some((
                    lines.len() as u16,
                    (2 + LABEL_W + 1 + d.country.visual_cursor()) as u16,
                ));
            }
            lines.push(row(Field::Country, vec![Span::raw(format!("+{cc}"))]));
            let mut consent = radios(app, Consent::NAMES, d.consent);
            if d.consent.is_none() {
                consent.push(Span::styled("required", t.warning));
            }
            lines.push(row(Field::Consent, consent));
            if let Some((field, why)) = &d.problem {
                lines.push(Line::from(Span::styled(
                    format!("✗ {}: {}", field.label(), safe(why)),
                    t.error,
                )));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                if d.consent.is_some() {
                    "Read to the caller:"
                } else {
                    "Consent wording"
                },
                t.accent,
            )));
            lines.push(Line::from(wording(d)));
            if let Some(e) = &d.submit.error {
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
            match d.submit.phase {
                Phase::Editing => lines.push(Line::from(Span::styled(
                    "tab field · ←/→ or initial picks (e express) · enter go on · esc cancel",
                    t.muted,
                ))),
                Phase::Confirming => {
                    lines.push(Line::from(Span::styled(
                        format!("Add {} to this customer?", d.masked()),
                        t.accent,
                    )));
                    lines.push(Line::from(Span::styled(
                        if d.submit.error.is_some() {
                            "enter try again (the same request) · esc back"
                        } else {
                            "enter add · esc back"
                        },
                        t.muted,
                    )));
                }
                _ => lines.push(Line::from(Span::styled(
                    format!("{spinner} adding the phone…"),
                    t.muted,
                ))),
            }
        }
        Phase::Done(message) => {
            lines.push(Line::from(Span::styled(format!("✓ {message}"), t.ok)));
            lines.push(Line::from(format!("  {}", d.masked())));
            if let Some(c) = &d.submit.correlation_id {
                lines.push(Line::from(vec![
                    Span::styled("Correlation id ", t.muted),
                    Span::raw(safe(c)),
                ]));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled("enter close", t.muted)));
        }
    }
    // Wrapped lines (the wording) take more rows than lines.
    let width: u16 = 74;
    let inner_w = (width - 2) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    let area = centered(f.area(), width, rows as u16 + 2);
    draw_box(
        f,
        app,
        area,
        format!(" Add phone (Relay) · {} ", d.name),
        t.accent,
        lines,
        cursor,
    );
}
