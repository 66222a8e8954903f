//! Update email / phone dialog: the step line, old and new side by side, the check of
//! the new value, then the confirm, passcode and result steps. The passcode is drawn
//! as bullets only.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::dialogs::draw_box;
use crate::tui::edit::ContactKind;
use crate::tui::edit::contact::{Check, ContactDialog, Step};
use crate::tui::view::{SPINNER, centered, safe};

const WIDTH: u16 = 74;
const COL: usize = 34;

/// `text` cut to `w` columns from the end (the typing end stays visible).
fn tail(text: &str, w: usize) -> String {
    let n = text.chars().count();
    if n <= w {
        text.to_string()
    } else {
        let keep: String = text.chars().skip(n - (w - 1)).collect();
        format!("…{keep}")
    }
}

fn steps(app: &App, current: usize) -> Line<'static> {
    let t = &app.theme;
    let mut spans = Vec::new();
    for (i, name) in ["Edit", "Confirm", "Passcode", "Done"].iter().enumerate() {
        let n = i + 1;
        if i > 0 {
            spans.push(Span::styled(" › ", t.muted));
        }
        if n == current {
            spans.push(Span::styled(format!("[{n} {name}]"), t.accent));
        } else {
            spans.push(Span::styled(format!("{n} {name}"), t.muted));
        }
    }
    Line::from(spans)
}

fn error_lines(app: &App, d: &ContactDialog, lines: &mut Vec<Line<'static>>) {
    if let Some(e) = d.error() {
        lines.push(Line::from(Span::styled(
            format!("✗ Error: {}", safe(&e.message)),
            app.theme.error,
        )));
        if let Some(c) = &e.correlation_id {
            lines.push(Line::from(Span::styled(
                format!("  correlation id {}", safe(c)),
                app.theme.muted,
            )));
        }
    }
}

/// A hint line; its `enter` and `esc` name the keys bound in the dialog's context.
fn hint(app: &App, text: &str) -> Line<'static> {
    use crate::tui::keymap::{Action, Context};
    let key = |a| app.keymap.hint_in(Context::Contact, a);
    let text: Vec<String> = (text.split(" · "))
        .map(|part| match part.split_once(' ') {
            Some(("enter", rest)) => format!("{} {rest}", key(Action::Confirm)),
            Some(("esc", rest)) => format!("{} {rest}", key(Action::Back)),
            _ => part.to_string(),
        })
        .collect();
    Line::from(Span::styled(text.join(" · "), app.theme.muted))
}

pub fn draw(f: &mut Frame, app: &App, d: &ContactDialog) {
    let t = &app.theme;
    let noun = d.kind.noun();
    let spinner = SPINNER[app.status.spinner % SPINNER.len()];
    let mut lines = vec![steps(app, d.step().number()), Line::from("")];
    let mut cursor = None;
    let side_by_side = |lines: &mut Vec<Line<'static>>, new: String, new_style: Style| {
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{:<COL$}",
                    tail(&format!("Current {}", d.target.label), COL)
                ),
                t.muted,
            ),
            Span::styled(format!("New {noun}"), t.muted),
        ]));
        lines.push(Line::from(vec![
            Span::raw(format!("{:<COL$}", tail(&d.target.old_masked, COL - 1))),
            Span::styled(new, new_style),
        ]));
    };
    match &d.step() {
        Step::Editing => {
            let shown = tail(&d.new_shown(), COL);
            cursor = Some((lines.len() as u16 + 1, (COL + shown.chars().count()) as u16));
            side_by_side(&mut lines, shown, t.selection);
            lines.push(Line::from(""));
            let what = match d.kind {
                ContactKind::Email => "address",
                ContactKind::Phone => "number",
            };
            lines.push(match &d.check {
                Check::Empty => hint(
                    app,
                    match d.kind {
                        ContactKind::Email => "Type the new email address.",
                        ContactKind::Phone => "Type the new number, digits only (10 or 11).",
                    },
                ),
                Check::Invalid(m) => Line::from(Span::styled(
                    format!("✗ Invalid {noun}: {}", safe(m)),
                    t.error,
                )),
                Check::Checking => Line::from(Span::styled(
                    format!("{spinner} checking the {what} with NewDay…"),
                    t.muted,
                )),
                Check::Valid => Line::from(Span::styled(
                    format!("✓ Valid: NewDay accepts this {what}"),
                    t.ok,
                )),
                Check::LocalOnly => Line::from(Span::styled(
                    format!("✓ Valid {what} (NewDay checks UK mobiles only)"),
                    t.ok,
                )),
                Check::Rejected(r) => Line::from(Span::styled(
                    format!("✗ Invalid {noun}: NewDay says it {}", safe(r)),
                    t.error,
                )),
                Check::Unavailable(e) => Line::from(Span::styled(
                    format!("✗ Could not check with NewDay: {}", safe(e)),
                    t.error,
                )),
            });
            error_lines(app, d, &mut lines);
            lines.push(Line::from(""));
            lines.push(hint(
                app,
                match &d.check {
                    c if c.accepted() => "enter continue · esc cancel",
                    Check::Unavailable(_) => "enter check again · esc cancel",
                    _ => "esc cancel",
                },
            ));
        }
        Step::Confirming | Step::Requesting => {
            side_by_side(&mut lines, tail(&d.new_shown(), COL), t.accent);
            lines.push(Line::from(""));
            lines.push(Line::from(format!(
                "Change the customer's {}? Citi texts a 6-digit passcode to",
                d.target.label
            )));
            lines.push(Line::from(
                "their registered mobile; it applies when they read it back.",
            ));
            error_lines(app, d, &mut lines);
            lines.push(Line::from(""));
            if d.step() == Step::Requesting {
                lines.push(Line::from(Span::styled(
                    format!("{spinner} sending the change request…  esc abandon"),
                    t.muted,
                )));
            } else if d.error().is_some() {
                lines.push(hint(
                    app,
                    "enter try again (the same request) · esc back to edit",
                ));
            } else {
                lines.push(hint(app, "enter send · esc back to edit"));
            }
        }
        Step::Passcode(p) => {
            side_by_side(&mut lines, tail(&d.new_shown(), COL), t.accent);
            lines.push(Line::from(""));
            lines.push(Line::from(format!(
                "Passcode sent by SMS to {}. Ask the customer to read it out.",
                p.sent_to
            )));
            lines.push(Line::from(""));
            let shown = p.code.shown();
            cursor = Some((lines.len() as u16, 10 + p.code.len() as u16));
            lines.push(Line::from(vec![
                Span::styled("Passcode  ", t.accent),
                Span::styled(shown, t.selection),
                Span::styled("  (shown as dots, never logged)", t.muted),
            ]));
            if let Some(w) = &p.wrong {
                lines.push(Line::from(Span::styled(format!("✗ {w}"), t.error)));
            }
            if let Some(e) = &p.ended {
                cursor = None;
                lines.push(Line::from(Span::styled(format!("✗ {}", safe(e)), t.error)));
            }
            error_lines(app, d, &mut lines);
            if (p.wrong.is_some() || p.ended.is_some())
                && d.error().is_none()
                && let Some(c) = d.correlation_id()
            {
                lines.push(Line::from(Span::styled(
                    format!("  correlation id {}", safe(c)),
                    t.muted,
                )));
            }
            lines.push(Line::from(""));
            lines.push(if p.ended.is_some() {
                hint(app, "enter start again (sends a new passcode) · esc close")
            } else if p.sending() {
                Line::from(Span::styled(
                    format!("{spinner} checking the passcode…"),
                    t.muted,
                ))
            } else if d.error().is_some() {
                hint(app, "enter try again · esc abandon the change")
            } else {
                hint(app, "enter confirm · esc abandon the change")
            });
        }
        Step::Done { new_masked } => {
            lines.push(Line::from(Span::styled(
                format!(
                    "✓ {} updated: {} (was {})",
                    match d.kind {
                        ContactKind::Email => "Email",
                        ContactKind::Phone => "Phone",
                    },
                    new_masked,
                    d.target.old_masked
                ),
                t.ok,
            )));
            if let Some(c) = d.correlation_id() {
                lines.push(Line::from(vec![
                    Span::styled("Correlation id ", t.muted),
                    Span::raw(safe(c)),
                ]));
            }
            lines.push(Line::from(""));
            lines.push(hint(app, "enter close · Y copies the correlation id"));
        }
    }
    let title = match d.kind {
        ContactKind::Email => "Update email",
        ContactKind::Phone => "Update phone",
    };
    let area = centered(f.area(), WIDTH, lines.len() as u16 + 2);
    draw_box(
        f,
        app,
        area,
        format!(" {title} · {} ", d.name),
        t.accent,
        lines,
        cursor,
    );
}
