//! The bulk dialog's two lists: the plan's preview (customer, old, new) and the job's
//! results (failures with their reasons). Each is laid out by a frame function that
//! both drawing and scrolling ask, so drawing writes nothing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use super::{error_lines, wrapped};
use crate::bulk::{Item, Outcome, Plan};
use crate::tui::app::App;
use crate::tui::edit::bulk::{BulkDialog, thousands};
use crate::tui::keymap::Action;
use crate::tui::view::safe;

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

/// The customer an item is about: name (or id), for the preview and results.
pub(super) fn who(item: &Item) -> String {
    safe(&item.who())
}

pub(super) fn plan_headline(p: &Plan) -> String {
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
pub(super) struct PreviewFrame {
    foot: Vec<Line<'static>>,
    head: Rect,
    table: Rect,
    foot_area: Rect,
    cols: [u16; 3],
    pub(super) last_start: usize,
}

pub(super) fn preview_frame(app: &App, d: &BulkDialog, area: Rect) -> Option<PreviewFrame> {
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

pub(super) fn preview(f: &mut Frame, app: &App, d: &BulkDialog, area: Rect) {
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

fn reason(o: &Outcome) -> String {
    match o {
        Outcome::Failed { .. } => safe(&o.why()),
        Outcome::Applied { .. } => "applied".into(),
    }
}

/// The results' parts in `area` (as [`PreviewFrame`] for the preview).
pub(super) struct ResultsFrame {
    head: Vec<Line<'static>>,
    foot: Vec<Line<'static>>,
    areas: [Rect; 3],
    visible: usize,
    pub(super) last_start: usize,
}

pub(super) fn results_frame(app: &App, d: &BulkDialog, area: Rect) -> ResultsFrame {
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

pub(super) fn results(f: &mut Frame, app: &App, d: &BulkDialog, area: Rect) {
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
