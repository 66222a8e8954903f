//! Search pane: the typeahead box and the results table. Only the visible rows are
//! turned into widgets, so 100,000 loaded results draw as fast as 20.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use crate::api::wire::newday::Customer;
use crate::domain::mask;
use crate::tui::app::{App, Column, Pane};
use crate::tui::view::{SPINNER, ellipsize, pane_block, safe};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    draw_columns(f, app, area, &Column::ALL);
}

/// The results list beside a customer 360: name, born (where there is room) and
/// postcode, and the column chosen for sorting when it is another, so the names keep
/// their room.
pub fn draw_compact(f: &mut Frame, app: &App, area: Rect) {
    let mut cols = vec![Column::Name, Column::DateOfBirth, Column::Postcode];
    if area.width < 44 {
        cols.remove(1);
    }
    if !cols.contains(&app.search.column) {
        cols.push(app.search.column);
    }
    draw_columns(f, app, area, &cols);
}

fn column_width(c: Column) -> Constraint {
    match c {
        Column::Name => Constraint::Fill(1),
        Column::DateOfBirth => Constraint::Length(10),
        Column::Postcode => Constraint::Length(9),
        // `+44 ••••••0123`: the phone's one mask (see `domain::mask`).
        Column::Phone => Constraint::Length(PHONE_WIDTH as u16),
        Column::Account => Constraint::Length(8),
        Column::Status => Constraint::Length(7),
    }
}

fn draw_columns(f: &mut Frame, app: &App, area: Rect, cols: &[Column]) {
    let focused = app.focus == Pane::Search;
    // The same table lists the back-office directory (`dir:`).
    let name = if app.search.directory {
        "Directory"
    } else {
        "Search"
    };
    let title = match app.search.marks.len() {
        0 => name.to_string(),
        n => format!(
            "{name} · {} marked",
            crate::tui::edit::bulk::thousands(n as u64)
        ),
    };
    let block = pane_block(app, &title, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let [input_area, table_area, footer] = parts(inner);

    // The input line, with the cursor when editing.
    let prompt = "› ";
    let value = safe(app.search.input.value());
    let width = input_area.width.saturating_sub(prompt.len() as u16 + 1) as usize;
    let scroll = app.search.input.visual_scroll(width);
    let shown: String = value.chars().skip(scroll).collect();
    let input_line = if value.is_empty() && !app.search.editing {
        Line::from(vec![
            Span::styled(prompt, app.theme.accent),
            Span::styled("press / to search", app.theme.muted),
        ])
    } else if value.is_empty() {
        Line::from(vec![
            Span::styled(prompt, app.theme.accent),
            Span::styled(
                "name, or phone: pc: dob: acct: ref: email:",
                app.theme.muted,
            ),
        ])
    } else {
        Line::from(vec![
            Span::styled(prompt, app.theme.accent),
            // A selected query (after `/`) shows reversed: typing replaces it.
            if app.search.query_selected {
                Span::styled(shown, app.theme.base.add_modifier(Modifier::REVERSED))
            } else {
                Span::raw(shown)
            },
        ])
    };
    f.render_widget(Paragraph::new(input_line), input_area);
    if focused && app.search.editing && app.overlay.is_none() {
        let x = input_area.x
            + prompt.chars().count() as u16
            + (app.search.input.visual_cursor().saturating_sub(scroll)) as u16;
        f.set_cursor_position((x.min(input_area.right().saturating_sub(1)), input_area.y));
    }

    // The results table: header plus the visible window.
    // `fit` settled the window before this frame; a selection outside it still shows.
    let visible = table_area.height.saturating_sub(1) as usize;
    let s = &app.search;
    let offset = window(s.offset, s.selected, visible);
    let end = (offset + visible).min(s.rows.len());
    let widths: Vec<Constraint> = cols.iter().map(|c| column_width(*c)).collect();
    let header = Row::new(cols.iter().map(|c| {
        let mut t = c.title().to_string();
        // The directory comes oldest first: no column is sorted.
        if *c == s.sort && c.sort_key().is_some() && !s.directory {
            t.push_str(if s.descending { " ▼" } else { " ▲" });
        }
        let style = if *c == s.column && focused && !s.editing {
            app.theme.accent
        } else {
            app.theme.title
        };
        Cell::from(t).style(style)
    }));
    let rows = s.rows[offset.min(end)..end]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let selected = offset + i == s.selected;
            let mark = match (s.marks.is_empty(), s.marks.contains(&c.id)) {
                (true, _) => "",
                (false, true) => "✓ ",
                (false, false) => "  ",
            };
            row_cells(c, selected, mark, &app.theme, cols)
        });
    f.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        table_area,
    );

    // Footer: counts, paging, errors, spinner.
    if footer.height > 0 {
        let spinner = SPINNER[app.status.spinner % SPINNER.len()];
        let text = if let Some(e) = &s.error {
            // Cut with `…` where it does not fit; the message log holds it whole.
            Line::from(ellipsize(
                vec![Span::styled(
                    format!("✗ Error: {}", safe(e)),
                    app.theme.error,
                )],
                usize::from(footer.width),
                "",
            ))
        } else if s.loading {
            let doing = if s.directory {
                "listing the directory"
            } else {
                "searching"
            };
            Line::from(Span::styled(format!("{spinner} {doing}…"), app.theme.muted))
        } else if s.directory && s.rows.is_empty() {
            Line::from(Span::styled(
                "The directory has no customers".to_string(),
                app.theme.muted,
            ))
        } else if s.filter.is_some() && s.rows.is_empty() {
            Line::from(Span::styled(
                "No customer matches".to_string(),
                app.theme.muted,
            ))
        } else if s.count > 0 {
            let more = if s.fetching_page.is_some() {
                format!("  {spinner} loading more")
            } else {
                String::new()
            };
            let what = if s.directory {
                "customers, oldest first"
            } else {
                "matches"
            };
            Line::from(Span::styled(
                format!(
                    "{} of {} {what} · {} loaded{more}",
                    s.selected + 1,
                    s.count,
                    s.rows.len()
                ),
                app.theme.muted,
            ))
        } else {
            Line::from(Span::styled(
                "Search by name, or phone: pc: dob: acct: ref: email:".to_string(),
                app.theme.muted,
            ))
        };
        f.render_widget(Paragraph::new(text), footer);
    }
}

/// The input line, the table (header and rows) and the footer of the pane's inside.
pub(crate) fn parts(inner: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(u16::from(inner.height >= 4)),
    ])
    .areas(inner)
}

/// The first row shown of a table `visible` rows tall that was showing from `offset`,
/// moved as little as keeps `selected` in view.
fn window(offset: usize, selected: usize, visible: usize) -> usize {
    if selected < offset {
        selected
    } else if visible > 0 && selected >= offset + visible {
        selected + 1 - visible
    } else {
        offset
    }
}

/// Before a frame: how many result rows fit in the pane at `area` (paging keys move by
/// that many) and which rows show, so the selection stays in view.
pub fn fit(app: &mut App, area: Rect) {
    let inner = Block::new().borders(Borders::ALL).inner(area);
    let [_, table, _] = parts(inner);
    let visible = table.height.saturating_sub(1) as usize;
    app.visible_rows = visible.max(1);
    app.search.offset = window(app.search.offset, app.search.selected, visible);
}

/// `mark`: the marked column, empty while nothing is marked.
fn row_cells(
    c: &Customer,
    selected: bool,
    mark: &str,
    theme: &crate::tui::theme::Theme,
    cols: &[Column],
) -> Row<'static> {
    // Escape first, then mask: hostile bytes never reach a cell either way.
    let phone = c
        .contact
        .phone_numbers
        .first()
        .map(|p| fit_bullets(mask::phone(&safe(&p.value)), PHONE_WIDTH))
        .unwrap_or_default();
    let account = c
        .accounts
        .first()
        .map(|a| mask::account(&safe(&a.account_number)))
        .unwrap_or_default();
    let postcode = c
        .addresses
        .first()
        .map(|a| safe(&a.postcode))
        .unwrap_or_default();
    let marker = if selected { "▶ " } else { "  " };
    let name = format!(
        "{marker}{mark}{}, {}",
        safe(&c.family_name),
        safe(&c.given_name)
    );
    // Only the name cell carries the selection style, so moving the selection rewrites
    // two short runs of cells rather than two whole rows.
    let name = if selected {
        Cell::from(name).style(theme.selection)
    } else {
        Cell::from(name)
    };
    let mut cells = [
        Some(name),
        Some(Cell::from(safe(&c.date_of_birth))),
        Some(Cell::from(postcode)),
        Some(Cell::from(phone)),
        Some(Cell::from(account)),
        Some(Cell::from(safe(&c.status))),
    ];
    Row::new(cols.iter().filter_map(|col| {
        let i = Column::ALL.iter().position(|a| a == col)?;
        cells[i].take()
    }))
}

/// The phone column's width: `+44 ••••••0123`.
const PHONE_WIDTH: usize = 14;

/// A mask longer than its column loses bullets (never the country code or the last
/// four), so an overlong number still shows how it ends.
fn fit_bullets(masked: String, width: usize) -> String {
    let mut chars: Vec<char> = masked.chars().collect();
    while chars.len() > width {
        match chars.iter().position(|c| *c == '•') {
            Some(i) => {
                chars.remove(i);
            }
            None => break,
        }
    }
    chars.into_iter().collect()
}
