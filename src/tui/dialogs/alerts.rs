//! Alert subscription dialog: the alerts with their state, then subscribe or
//! unsubscribe, channel and threshold for the selected one; confirm; result.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::domain::choice::Channel;
use crate::tui::app::App;
use crate::tui::dialogs::{box_height, draw_box, submit_lines};
use crate::tui::edit::Phase;
use crate::tui::edit::alerts::{AlertsDialog, Field};
use crate::tui::view::{centered, safe};

pub fn draw(f: &mut Frame, app: &App, d: &AlertsDialog) {
    let t = &app.theme;
    let editing = d.submit.phase == Phase::Editing;
    let label =
        |field: Field, text: &str| super::field_label(app, editing && d.field == field, text, 11);
    let mut lines = Vec::new();
    let mut cursor = None;
    if let Phase::Done(summary) = &d.submit.phase {
        let name = d.alert().map(|a| safe(&a.alert_name)).unwrap_or_default();
        lines.push(Line::from(Span::styled(
            format!("✓ {name}: {} ({summary})", d.describe_new()),
            t.ok,
        )));
    } else {
        for (i, a) in d.alerts.iter().enumerate() {
            let sel = i == d.selected;
            lines.push(Line::from(vec![
                Span::styled(
                    if sel && editing && d.field == Field::Alert {
                        "▶ "
                    } else if sel {
                        "› "
                    } else {
                        "  "
                    },
                    t.accent,
                ),
                Span::styled(
                    format!("{:<24}", safe(&a.alert_name)),
                    if sel { t.selection } else { t.base },
                ),
                Span::styled(
                    safe(&AlertsDialog::describe_now(a)),
                    if a.alert_status == "ENROLLED" {
                        t.ok
                    } else {
                        t.muted
                    },
                ),
            ]));
        }
        lines.push(Line::from(""));
        let radio = |on: bool, text: &str| {
            Span::styled(
                format!("({}) {text}  ", if on { "•" } else { " " }),
                if on { t.accent } else { t.base },
            )
        };
        lines.push(Line::from(vec![
            label(Field::Action, "Action"),
            radio(d.subscribe, "subscribe"),
            radio(!d.subscribe, "unsubscribe"),
        ]));
        let mut ch = vec![label(Field::Channel, "Channel")];
        for (i, c) in Channel::NAMES.iter().enumerate() {
            ch.push(radio(d.channel == i, c));
        }
        if !d.subscribe {
            ch.push(Span::styled("(not used)", t.muted));
        }
        lines.push(Line::from(ch));
        if editing && d.field == Field::Threshold {
            cursor = Some((lines.len() as u16, 13 + d.threshold.visual_cursor() as u16));
        }
        lines.push(Line::from(vec![
            label(Field::Threshold, "Threshold"),
            Span::raw(safe(d.threshold.value())),
            Span::styled(
                match (d.threshold.value().is_empty(), d.takes_threshold()) {
                    (false, _) => "",
                    (true, true) => "  required: an amount, e.g. 50",
                    (true, false) => "  none (amount alerts only)",
                },
                t.muted,
            ),
        ]));
    }
    let question = d
        .alert()
        .map(|a| {
            if d.subscribe {
                format!(
                    "Subscribe the customer to '{}' by {}?",
                    safe(&a.alert_name),
                    d.describe_new()
                )
            } else {
                format!("Unsubscribe the customer from '{}'?", safe(&a.alert_name))
            }
        })
        .unwrap_or_default();
    submit_lines(
        app,
        &d.submit,
        &question,
        "tab field · ↑/↓ alert · ←/→ choose · enter continue · esc cancel",
        &mut lines,
    );
    let area = centered(f.area(), 74, box_height(&lines, 74));
    draw_box(
        f,
        app,
        area,
        format!(" Alerts · {} ", d.name),
        t.accent,
        lines,
        cursor,
    );
}
