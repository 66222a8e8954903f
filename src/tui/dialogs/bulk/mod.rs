//! Bulk dialog: the action and its values, the plan preview (every customer's old and
//! new value), the typed-count confirmation, the progress gauge and the results.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::edit::bulk::{BulkDialog, Kind, Step, thousands};
use crate::tui::keymap::Action;
use crate::tui::view::{SPINNER, centered, safe};

mod lists;
use lists::{plan_headline, preview, preview_frame, results, results_frame};

/// The furthest the preview or results list scrolls on a screen this size: its last
/// screenful's first row. Decided from the size, as drawing does.
pub fn scroll_bound(app: &App, d: &BulkDialog, screen: Rect) -> usize {
    let inner = list_rect(screen).inner(ratatui::layout::Margin::new(1, 1));
    match d.step {
        Step::Preview => preview_frame(app, d, inner).map_or(0, |p| p.last_start),
        Step::Results => results_frame(app, d, inner).last_start,
        _ => 0,
    }
}

/// Where the preview and the results go: nearly the whole screen.
fn list_rect(area: Rect) -> Rect {
    centered(
        area,
        area.width.saturating_sub(4).min(110),
        area.height.saturating_sub(2),
    )
}

pub fn draw(f: &mut Frame, app: &App, d: &BulkDialog) {
    let t = &app.theme;
    let area = f.area();
    // The preview and the results take nearly the whole screen (`list_rect`).
    let w = area.width.saturating_sub(4).min(80);
    let title = match &d.step {
        Step::Choose | Step::Planning { .. } => format!(" Bulk edit · {} ", d.target_words()),
        Step::Preview | Step::TypeCount { .. } => " Bulk edit · plan ".to_string(),
        Step::Applying => " Bulk edit · applying ".to_string(),
        Step::Results => " Bulk edit · results ".to_string(),
        Step::Resume => " Interrupted bulk job ".to_string(),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(safe(&title))
        .border_style(t.accent)
        .style(t.base);
    match &d.step {
        Step::Preview | Step::Results => {
            let rect = list_rect(area);
            f.render_widget(Clear, rect);
            let inner = block.inner(rect);
            f.render_widget(block, rect);
            if let Step::Preview = d.step {
                preview(f, app, d, inner);
            } else {
                results(f, app, d, inner);
            }
        }
        Step::Applying => {
            let lines = applying_lines(app, d);
            let rect = centered(area, w, lines.len() as u16 + 3);
            f.render_widget(Clear, rect);
            let inner = block.inner(rect);
            f.render_widget(block, rect);
            let [gauge, text] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
            let p = &d.progress;
            let ratio = if p.to_send == 0 {
                1.0
            } else {
                (p.answered as f64 / p.to_send as f64).clamp(0.0, 1.0)
            };
            f.render_widget(
                Gauge::default()
                    .gauge_style(t.accent)
                    .ratio(ratio)
                    .label(format!(
                        "{} of {}",
                        thousands(p.answered as u64),
                        thousands(p.to_send as u64)
                    )),
                gauge,
            );
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
        }
        _ => {
            let lines = match &d.step {
                Step::Choose => choose_lines(app, d),
                Step::Planning { done, total } => {
                    let spin = SPINNER[app.status.spinner % SPINNER.len()];
                    let mut l = vec![Line::from(Span::styled(
                        if *total > 0 {
                            format!(
                                "{spin} Reading every customer's current value… {} of {}",
                                thousands(*done as u64),
                                thousands(*total as u64)
                            )
                        } else {
                            format!("{spin} Reading the file and the current values…")
                        },
                        t.muted,
                    ))];
                    l.push(Line::from(""));
                    l.push(Line::from(Span::styled(
                        "Nothing is sent until you have seen the plan · esc back",
                        t.muted,
                    )));
                    l
                }
                Step::TypeCount { input, error } => type_count_lines(app, d, input.value(), error),
                Step::Resume => resume_lines(app, d),
                _ => Vec::new(),
            };
            let rect = centered(area, w, super::box_height(&lines, w));
            super::draw_box(f, app, rect, safe(&title), t.accent, lines, None);
        }
    }
}

/// Rows `lines` take wrapped at `width`.
fn wrapped(lines: &[Line], width: u16) -> u16 {
    let w = width.max(1) as usize;
    lines
        .iter()
        .map(|l| l.width().div_ceil(w).max(1) as u16)
        .sum()
}

fn error_lines(app: &App, d: &BulkDialog, lines: &mut Vec<Line<'static>>) {
    let t = &app.theme;
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(
            format!("✗ Error: {}", safe(e)),
            t.error,
        )));
    }
    if let Some(n) = &d.notice {
        lines.push(Line::from(Span::styled(format!("✓ {}", safe(n)), t.ok)));
    }
}

fn choose_lines(app: &App, d: &BulkDialog) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = vec![Line::from(Span::styled("Action", t.title))];
    for k in Kind::ALL {
        if !k.uses_targets() || !d.targets.is_empty() {
            let on = k == d.kind;
            let style = match (on, d.field == 0) {
                (true, true) => t.selection,
                (true, false) => t.accent,
                _ => t.base,
            };
            lines.push(Line::from(vec![
                Span::styled(if on { "▶ " } else { "  " }, t.accent),
                Span::styled(k.label().to_string(), style),
            ]));
        }
    }
    if !d.kind.fields().is_empty() {
        lines.push(Line::from(""));
    }
    for (i, (spec, input)) in d.kind.fields().iter().zip(&d.inputs).enumerate() {
        let focused = d.field == i + 1;
        let label = Span::styled(
            format!("{}{:<14}", if focused { "▶ " } else { "  " }, spec.label),
            if focused { t.accent } else { t.muted },
        );
        let value = if !spec.choices.is_empty() {
            let mut spans = Vec::new();
            for c in spec.choices {
                let on = *c == input.value();
                spans.push(Span::styled(
                    format!("({}) {c}  ", if on { "•" } else { " " }),
                    if on { t.accent } else { t.base },
                ));
            }
            spans
        } else if input.value().is_empty() {
            vec![Span::styled(spec.placeholder.to_string(), t.muted)]
        } else {
            vec![Span::raw(safe(input.value()))]
        };
        let mut spans = vec![label];
        spans.extend(value);
        if focused && spec.choices.is_empty() {
            spans.push(Span::styled("▏", t.accent));
        }
        lines.push(Line::from(spans));
    }
    if d.kind == Kind::Delete {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!(
                "Deletes {}: the plan names each one, and the count is typed back before anything is sent.",
                d.target_words()
            ),
            t.error,
        )));
    }
    if d.kind == Kind::AddPhone {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Consent: written = signed agreement on file; express = the customer said yes; stop = the customer withdrew it.",
            t.muted,
        )));
    }
    if !d.errors.is_empty() || d.error.is_some() || d.notice.is_some() {
        lines.push(Line::from(""));
    }
    ending(
        app,
        d,
        &d.errors,
        "↑/↓ action · tab next field · ←/→ choose · enter preview the plan · esc cancel",
        &mut lines,
    );
    lines
}

/// A dialog's last lines: its problems, the dialog's own error or notice, then what the
/// keys do.
fn ending(
    app: &App,
    d: &BulkDialog,
    problems: &[String],
    keys: &str,
    lines: &mut Vec<Line<'static>>,
) {
    let t = &app.theme;
    for e in problems {
        lines.push(Line::from(Span::styled(format!("✗ {}", safe(e)), t.error)));
    }
    error_lines(app, d, lines);
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(keys.to_string(), t.muted)));
}

fn type_count_lines(
    app: &App,
    d: &BulkDialog,
    typed: &str,
    error: &Option<String>,
) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(p) = &d.plan else { return vec![] };
    let n = p.to_send();
    let mut lines = vec![Line::from(Span::styled(
        if p.deletes() > 0 {
            format!(
                "This plan changes {} customers and deletes {} of them.",
                thousands(n as u64),
                thousands(p.deletes() as u64)
            )
        } else {
            format!(
                "This plan changes {} customer{}.",
                thousands(n as u64),
                if n == 1 { "" } else { "s" }
            )
        },
        t.error,
    ))];
    lines.push(Line::from(format!("Type {n} to apply it:")));
    lines.push(Line::from(vec![
        Span::styled("› ", t.accent),
        Span::raw(safe(typed)),
        Span::styled("▏", t.accent),
    ]));
    let problems: Vec<String> = error.iter().cloned().collect();
    ending(
        app,
        d,
        &problems,
        "enter apply · esc back to the plan",
        &mut lines,
    );
    lines
}

fn applying_lines(app: &App, d: &BulkDialog) -> Vec<Line<'static>> {
    let t = &app.theme;
    let p = &d.progress;
    let mut speed = String::new();
    if let Some(rate) = p.rate() {
        speed = format!(" · {:.0}/s", rate);
        if let Some(left) = p.left().filter(|_| !p.paused) {
            speed.push_str(&format!(" · {} s left", left.as_secs_f64().ceil() as u64));
        }
    }
    let (pause, cancel) = (
        app.keymap.hint(Action::PauseJob),
        app.keymap.hint(Action::CancelJob),
    );
    let c = &p.counts;
    let mut lines = vec![
        Line::from(format!(
            "{} of {} sent{speed}",
            thousands(p.answered as u64),
            thousands(p.to_send as u64)
        )),
        Line::from(Span::styled(
            format!(
                "applied {} · failed {} · pending {} · already so {}",
                thousands(c.applied as u64),
                thousands(c.failed as u64),
                thousands((c.pending + c.in_doubt) as u64),
                thousands(c.unchanged as u64)
            ),
            t.muted,
        )),
    ];
    if p.cancelling {
        lines.push(Line::from(Span::styled(
            "Cancelling: items in flight finish, the rest stay pending…",
            t.error,
        )));
    } else if p.paused {
        lines.push(Line::from(Span::styled(
            format!(
                "Paused: items in flight finish, nothing new is sent · {pause} go on · {cancel} cancel"
            ),
            t.accent,
        )));
    } else {
        lines.push(Line::from(Span::styled(
            format!(
                "{pause} pause · {cancel} cancel (items in flight finish, the rest stay pending)"
            ),
            t.muted,
        )));
    }
    lines
}

fn resume_lines(app: &App, d: &BulkDialog) -> Vec<Line<'static>> {
    let t = &app.theme;
    let (Some(u), Some(p)) = (&d.unfinished, &d.plan) else {
        return vec![];
    };
    let c = &u.counts;
    let mut lines = vec![
        Line::from(format!(
            "A bulk job was {} with {} of {} items left.",
            u.state,
            thousands(c.left() as u64),
            thousands(c.total as u64)
        )),
        Line::from(Span::styled(
            format!(
                "{} · from {} · created {}",
                plan_headline(p),
                safe(p.source.as_deref().unwrap_or("a plan file")),
                safe(&p.created)
            ),
            t.muted,
        )),
        Line::from(Span::styled(
            format!(
                "applied {} · failed {} · in doubt {} (sent again with the same key: never applied twice)",
                thousands(c.applied as u64),
                thousands(c.failed as u64),
                thousands(c.in_doubt as u64)
            ),
            t.muted,
        )),
    ];
    ending(
        app,
        d,
        &[],
        "enter resume it now · esc later (`custdesk bulk resume`)",
        &mut lines,
    );
    lines
}
