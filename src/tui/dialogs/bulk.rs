//! Bulk dialog: the action and its values, the plan preview (every customer's old and
//! new value), the typed-count confirmation, the progress gauge and the results.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Gauge, Paragraph, Row, Table, Wrap};

use crate::bulk::{Item, Outcome, Plan};
use crate::tui::app::App;
use crate::tui::edit::bulk::{BulkDialog, Kind, Step, thousands};
use crate::tui::keymap::Action;
use crate::tui::view::{SPINNER, centered, safe};

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

/// Most lines one preview cell wraps onto.
const PREVIEW_LINES: usize = 3;

/// `text` wrapped at spaces into lines of at most `width` columns (a word longer than
/// that is split), at most `max` lines; a cut last line ends with `…`.
fn wrap_cell(text: &str, width: u16, max: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let width = width.max(1) as usize;
    let mut lines: Vec<String> = textwrap::wrap(text, textwrap::Options::new(width))
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    if lines.len() > max {
        lines.truncate(max);
        let last = &mut lines[max - 1];
        while !last.is_empty()
            && last.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>() + 1 > width
        {
            last.pop();
        }
        last.push('…');
    }
    lines
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

/// The customer an item is about: name (or id), for the preview and results.
fn who(item: &Item) -> String {
    safe(&item.who())
}

fn plan_headline(p: &Plan) -> String {
    let action = p.items.first().map(|i| i.edit.name()).unwrap_or("nothing");
    let unchanged = p.items.len() - p.to_send();
    let n = p.items.len();
    let mut s = format!(
        "{} · {} customer{} · {} to change",
        action,
        thousands(n as u64),
        if n == 1 { "" } else { "s" },
        thousands(p.to_send() as u64)
    );
    if unchanged > 0 {
        s.push_str(&format!(" · {} already so", thousands(unchanged as u64)));
    }
    if p.deletes() > 0 {
        s.push_str(&format!(" · {} DELETES", thousands(p.deletes() as u64)));
    }
    if !p.errors.is_empty() {
        s.push_str(&format!(
            " · {} not planned",
            thousands(p.errors.len() as u64)
        ));
    }
    s
}

/// The preview's parts in `area`: its foot lines, where the headline, table and foot
/// go, the table's column widths, and the first row of its last screenful (how far it
/// scrolls). Drawing and scrolling both ask, so drawing writes nothing.
struct PreviewFrame {
    foot: Vec<Line<'static>>,
    head: Rect,
    table: Rect,
    foot_area: Rect,
    cols: [u16; 3],
    last_start: usize,
}

fn preview_frame(app: &App, d: &BulkDialog, area: Rect) -> Option<PreviewFrame> {
    let t = &app.theme;
    let p = d.plan.as_ref()?;
    let mut foot: Vec<Line> = Vec::new();
    for e in p.errors.iter().take(3) {
        foot.push(Line::from(Span::styled(
            format!("✗ {}", safe(&e.to_string())),
            t.error,
        )));
    }
    if p.errors.len() > 3 {
        foot.push(Line::from(Span::styled(
            format!("✗ … and {} more not planned", p.errors.len() - 3),
            t.error,
        )));
    }
    error_lines(app, d, &mut foot);
    let save = app.keymap.hint(Action::SavePlan);
    let hint = if p.to_send() == 0 {
        format!("nothing to change · {save} save plan · esc back")
    } else {
        format!(
            "enter apply {} change{}{} · {save} save plan · ↑/↓ scroll · esc back",
            thousands(p.to_send() as u64),
            if p.to_send() == 1 { "" } else { "s" },
            if p.errors.is_empty() {
                ""
            } else {
                ", skipping what is not planned"
            }
        )
    };
    foot.push(Line::from(Span::styled(hint, t.muted)));
    let [head, table, foot_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(wrapped(&foot, area.width)),
    ])
    .areas(area);
    // Values too long for their column wrap onto a second (and third) line rather than
    // being cut: on an 80-column terminal the end of a value is often the part that
    // matters ("… (threshold 50)").
    let cols: [u16; 3] = Layout::horizontal([
        Constraint::Percentage(28),
        Constraint::Percentage(36),
        Constraint::Percentage(36),
    ])
    .spacing(1)
    .areas::<3>(table)
    .map(|r| r.width);
    let avail = table.height.saturating_sub(1) as usize;
    // The last screenful starts where the items from the end stop fitting.
    let mut last_start = p.items.len();
    let mut used = 0;
    while last_start > 0 {
        let (_, h) = row_cells(&p.items[last_start - 1], cols);
        if used + h > avail {
            break;
        }
        used += h;
        last_start -= 1;
    }
    Some(PreviewFrame {
        foot,
        head,
        table,
        foot_area,
        cols,
        last_start,
    })
}

/// One preview row's cells, each wrapped to its column, and the row's height.
fn row_cells(i: &Item, cols: [u16; 3]) -> ([Vec<String>; 3], usize) {
    let old = i.old.as_deref().map(safe).unwrap_or_else(|| "—".into());
    let new = if i.unchanged {
        format!("{} (already so)", safe(&i.new))
    } else {
        safe(&i.new)
    };
    let cells = [
        wrap_cell(&who(i), cols[0], PREVIEW_LINES),
        wrap_cell(&old, cols[1], PREVIEW_LINES),
        wrap_cell(&new, cols[2], PREVIEW_LINES),
    ];
    let height = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    (cells, height)
}

fn preview(f: &mut Frame, app: &App, d: &BulkDialog, area: Rect) {
    let t = &app.theme;
    let Some(p) = &d.plan else { return };
    let Some(PreviewFrame {
        foot,
        head,
        table,
        foot_area,
        cols,
        last_start,
    }) = preview_frame(app, d, area)
    else {
        return;
    };
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(plan_headline(p), t.title))),
        head,
    );
    let widths = cols.map(Constraint::Length);
    let row_of = |i: &Item| row_cells(i, cols);
    let avail = table.height.saturating_sub(1) as usize;
    let first = d.scroll.min(last_start);
    let mut used = 0;
    let mut rows = Vec::new();
    for i in &p.items[first..] {
        let (cells, h) = row_of(i);
        if used + h > avail {
            break;
        }
        used += h;
        let style = if i.edit.is_delete() { t.error } else { t.base };
        let [name, old, new] = cells;
        rows.push(
            Row::new(vec![
                Cell::from(name.join("\n")),
                Cell::from(old.join("\n")),
                Cell::from(new.join("\n")).style(style),
            ])
            .height(h as u16),
        );
    }
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(vec!["Customer", "Old", "New"]).style(t.title))
            .column_spacing(1),
        table,
    );
    f.render_widget(Paragraph::new(foot).wrap(Wrap { trim: false }), foot_area);
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

fn reason(o: &Outcome) -> String {
    match o {
        Outcome::Failed { .. } => safe(&o.why()),
        Outcome::Applied { .. } => "applied".into(),
    }
}

/// The results' parts in `area` (as [`PreviewFrame`] for the preview).
struct ResultsFrame {
    head: Vec<Line<'static>>,
    foot: Vec<Line<'static>>,
    areas: [Rect; 3],
    visible: usize,
    last_start: usize,
}

fn results_frame(app: &App, d: &BulkDialog, area: Rect) -> ResultsFrame {
    let t = &app.theme;
    let c = &d.progress.counts;
    let mut head = vec![Line::from(vec![
        Span::styled(format!("✓ applied {}", thousands(c.applied as u64)), t.ok),
        Span::raw(" · "),
        Span::styled(
            format!("✗ failed {}", thousands(c.failed as u64)),
            if c.failed > 0 { t.error } else { t.base },
        ),
        Span::raw(format!(
            " · already so {} · not sent {}",
            thousands(c.unchanged as u64),
            thousands((c.pending + c.in_doubt) as u64)
        )),
    ])];
    if let Some(s) = &d.summary {
        let how = if s.cancelled {
            format!(
                "Cancelled after {} answer{} in {:.1} s: the rest stay pending",
                thousands(s.sent as u64),
                if s.sent == 1 { "" } else { "s" },
                s.elapsed.as_secs_f64()
            )
        } else {
            format!(
                "{} answer{} in {:.1} s",
                thousands(s.sent as u64),
                if s.sent == 1 { "" } else { "s" },
                s.elapsed.as_secs_f64()
            )
        };
        head.push(Line::from(Span::styled(how, t.muted)));
    }
    if let Some(p) = &d.plan {
        head.push(Line::from(Span::styled(
            format!("Job {}", safe(&p.job_id)),
            t.muted,
        )));
    }
    let mut foot: Vec<Line> = Vec::new();
    error_lines(app, d, &mut foot);
    let left = c.pending + c.in_doubt;
    let failed = d.failure_summary();
    if let Some(why) = failed.for_good_in_words() {
        foot.push(Line::from(Span::styled(safe(&why), t.error)));
    }
    let retry = app.keymap.hint(Action::RetryFailed);
    let redo = match (left, failed.retryable) {
        (0, 0) => String::new(),
        (0, f) => format!("{retry} retry the {} failed · ", thousands(f as u64)),
        (l, 0) => format!("{retry} send the {} not sent · ", thousands(l as u64)),
        (l, f) => format!(
            "{retry} send the {} not sent and retry the {} failed · ",
            thousands(l as u64),
            thousands(f as u64)
        ),
    };
    foot.push(Line::from(Span::styled(
        format!(
            "{redo}{} export results to CSV · ↑/↓ scroll · enter close",
            app.keymap.hint(Action::ExportResults)
        ),
        t.muted,
    )));
    let [h, list, fa] = Layout::vertical([
        Constraint::Length(wrapped(&head, area.width) + 1),
        Constraint::Min(1),
        Constraint::Length(wrapped(&foot, area.width)),
    ])
    .areas(area);
    let visible = list.height.saturating_sub(1) as usize;
    ResultsFrame {
        head,
        foot,
        areas: [h, list, fa],
        visible,
        last_start: d.failures.len().saturating_sub(visible),
    }
}

fn results(f: &mut Frame, app: &App, d: &BulkDialog, area: Rect) {
    let t = &app.theme;
    let ResultsFrame {
        head,
        foot,
        areas: [h, list, fa],
        visible,
        last_start,
    } = results_frame(app, d, area);
    f.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), h);
    let first = d.scroll.min(last_start);
    let items = d.plan.as_ref().map(|p| &p.items[..]).unwrap_or(&[]);
    let rows = d
        .failures
        .iter()
        .skip(first)
        .take(visible)
        .filter_map(|(i, o)| {
            let item = items.get(*i)?;
            Some(Row::new(vec![
                Cell::from(item.place()),
                Cell::from(who(item)),
                Cell::from(reason(o)).style(t.error),
            ]))
        });
    if d.failures.is_empty() {
        f.render_widget(
            Paragraph::new(Line::from(Span::styled("No failures.", t.ok))),
            list,
        );
        f.render_widget(Paragraph::new(foot).wrap(Wrap { trim: false }), fa);
        return;
    }
    let header = "Failures";
    f.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(10),
                Constraint::Percentage(30),
                Constraint::Fill(1),
            ],
        )
        .header(Row::new(vec![header, "Customer", "Reason"]).style(t.title))
        .column_spacing(1),
        list,
    );
    f.render_widget(Paragraph::new(foot).wrap(Wrap { trim: false }), fa);
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
