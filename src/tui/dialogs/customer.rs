//! bankingservice customer dialog: the create / edit form (edit keeps empty fields as
//! they are and shows the current email and phone masked beside them), or the delete
//! confirmation naming the customer, which asks for the family name typed back.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::dialogs::{box_height, draw_box, submit_lines};
use crate::tui::edit::Phase;
use crate::tui::edit::customer::{CustomerDialog, FIELDS, Mode};
use crate::tui::view::{centered, safe};

const LABEL_W: usize = 15;

pub fn draw(f: &mut Frame, app: &App, d: &CustomerDialog) {
    let t = &app.theme;
    let editing = d.submit.phase == Phase::Editing;
    let mut lines = Vec::new();
    let mut cursor = None;
    let (title, question) = match &d.mode {
        Mode::Create => (
            " New customer (bankingservice) ".to_string(),
            "Create this customer?".to_string(),
        ),
        Mode::Edit { .. } => (
            format!(" Edit customer · {} ", d.name),
            format!("Save the changes to {}?", d.name),
        ),
        Mode::Delete { .. } => (
            format!(" Delete customer · {} ", d.name),
            format!("Delete {} for good?", d.name),
        ),
    };
    match (&d.mode, &d.submit.phase) {
        (_, Phase::Done(summary)) => {
            let what = match &d.mode {
                Mode::Create => format!("✓ Customer created: id {summary}"),
                Mode::Edit { .. } => format!("✓ {} updated", d.name),
                Mode::Delete { .. } => format!("✓ {} deleted", d.name),
            };
            lines.push(Line::from(Span::styled(what, t.ok)));
        }
        (
            Mode::Delete {
                family_name,
                reference,
                id,
            },
            _,
        ) => {
            lines.push(Line::from(Span::styled(
                format!(
                    "Delete customer {} ({}, id {})?",
                    d.name,
                    safe(reference),
                    safe(id)
                ),
                t.warning,
            )));
            lines.push(Line::from(
                "Their record, addresses, contact methods and accounts go; this cannot be undone.",
            ));
            lines.push(Line::from(""));
            let typed = safe(d.confirm.value());
            if editing {
                cursor = Some((lines.len() as u16, 24 + d.confirm.visual_cursor() as u16));
            }
            lines.push(Line::from(vec![
                Span::styled("Type the family name: ", t.accent),
                Span::raw("  "),
                Span::raw(typed),
            ]));
            lines.push(Line::from(Span::styled(
                format!(
                    "({} letters, as on the record)",
                    family_name.chars().count()
                ),
                t.muted,
            )));
        }
        (mode, _) => {
            for (i, label) in FIELDS.iter().enumerate() {
                let sel = editing && i == d.field;
                let value = safe(d.inputs[i].value());
                let mut spans = vec![super::field_label(app, sel, label, LABEL_W)];
                if sel {
                    cursor = Some((
                        lines.len() as u16,
                        (2 + LABEL_W + d.inputs[i].visual_cursor()) as u16,
                    ));
                }
                let placeholder = match (mode, i) {
                    (Mode::Edit { email_masked, .. }, 3) => {
                        format!("now {email_masked}; empty keeps it")
                    }
                    (Mode::Edit { phone_masked, .. }, 4) => {
                        format!("now {phone_masked}; empty keeps it")
                    }
                    (Mode::Edit { .. }, _) => "empty keeps it".into(),
                    (_, 0 | 1) => "required".into(),
                    (_, 4) => "international digits, e.g. 447700900123".into(),
                    (_, 5) => "YYYY-MM-DD".into(),
                    _ => "optional".into(),
                };
                if value.is_empty() {
                    spans.push(Span::styled(format!("({placeholder})"), t.muted));
                } else {
                    spans.push(Span::raw(value));
                }
                lines.push(Line::from(spans));
            }
        }
    }
    if let Some((i, why)) = &d.problem {
        let label = match d.mode {
            Mode::Delete { .. } => "Confirmation",
            _ => FIELDS[*i],
        };
        lines.push(Line::from(Span::styled(
            format!("✗ {label}: {}", safe(why)),
            t.error,
        )));
    }
    submit_lines(
        app,
        &d.submit,
        &question,
        match d.mode {
            Mode::Delete { .. } => "enter continue · esc cancel",
            _ => "tab next field · enter continue · esc cancel",
        },
        &mut lines,
    );
    let area = centered(f.area(), 78, box_height(&lines, 78));
    draw_box(
        f,
        app,
        area,
        title,
        if matches!(d.mode, Mode::Delete { .. }) {
            t.warning
        } else {
            t.accent
        },
        lines,
        cursor,
    );
}
