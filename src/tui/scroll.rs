//! Scrolling the results with the terminal's own scroll region (issue 11): when the
//! results window moved by a few rows, the terminal moves the rows it already shows
//! ([`sequence`]) and only what is new is written.
//!
//! ratatui draws by diffing each frame against the one before, which it believes the
//! terminal shows. A region scroll changes what the terminal shows behind ratatui's back,
//! so the frame before is shifted the same way ([`shift`]) and put in as the previous
//! buffer: the diff then writes the rows that scrolled in, the selection and the counter,
//! and repairs whatever else the scroll moved (the region spans the whole width, so the
//! pane beside the results moves too). Each way is priced in the bytes it would write
//! ([`best`]): a region ending at the body's far edge, or just before it (the selection's
//! row while the list moves under it, where only digits change), starting at the row
//! that saves most (below a pane beside the results that holds text), or no scroll at
//! all; a scroll is never sent when it costs more than drawing the rows again.

use std::ops::Range;
use std::sync::atomic::Ordering;

use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::widgets::{Block, Borders};

use super::app::App;
use super::panes::search;
use super::term::Counting;
use super::view;

/// What the last frame drew: the frame itself and where the results window stood.
pub struct Last {
    pub buffer: Buffer,
    pub offset: usize,
    pub rows: Option<Range<u16>>,
}

/// The screen rows of the results table's body (below its header) on a screen of
/// `area`, when the search pane shows.
pub fn body(app: &App, area: Rect) -> Option<Range<u16>> {
    let pane = view::areas(app, area).search?;
    let inner = Block::new().borders(Borders::ALL).inner(pane);
    let [_, table, _] = search::parts(inner);
    let top = table.y.saturating_add(1);
    (table.bottom() > top).then_some(top..table.bottom())
}

/// The scroll the next frame could use after `last`: the body rows and how far the
/// window moved (positive: down the list, so the rows move up). None when the screen,
/// the layout or nothing moved, or when it moved a whole body or more.
pub fn candidate(last: &Last, app: &App, area: Rect) -> Option<(Range<u16>, i32)> {
    if last.buffer.area != area {
        return None;
    }
    let rows = body(app, area)?;
    if last.rows.as_ref() != Some(&rows) {
        return None;
    }
    let by = i64::try_from(app.search.offset).ok()? - i64::try_from(last.offset).ok()?;
    let height = i64::from(rows.end - rows.start);
    (by != 0 && by.abs() < height).then_some((rows, by as i32))
}

/// `buf` with rows `rows` scrolled by `by` as a terminal scrolls a region: up when
/// positive (the top `by` rows leave, blank rows enter at the bottom), down when
/// negative. Rows outside `rows` stay.
pub fn shift(buf: &mut Buffer, rows: Range<u16>, by: i32) {
    let area = buf.area;
    let width = usize::from(area.width);
    let (top, bottom) = (
        rows.start.max(area.y).min(area.bottom()),
        rows.end.max(area.y).min(area.bottom()),
    );
    let start = usize::from(top - area.y) * width;
    let end = usize::from(bottom - area.y) * width;
    let region = &mut buf.content[start..end];
    let moved = (by.unsigned_abs() as usize * width).min(region.len());
    if by > 0 {
        region.rotate_left(moved);
        let len = region.len();
        region[len - moved..].fill(Cell::EMPTY);
    } else {
        region.rotate_right(moved);
        region[..moved].fill(Cell::EMPTY);
    }
}

/// The bytes ratatui's crossterm backend writes to turn `shown` into `next`.
fn draw_cost(shown: &Buffer, next: &Buffer) -> usize {
    let counting = Counting::new(std::io::sink());
    let count = counting.count.clone();
    match CrosstermBackend::new(counting).draw(shown.diff_iter(next)) {
        Ok(()) => count.load(Ordering::Relaxed) as usize,
        Err(_) => usize::MAX,
    }
}

/// The cheapest way from `last` to `next` when the results moved by `by` over the body
/// `rows`: the rows to scroll and `last` scrolled as the terminal will show it, or None
/// when drawing without a scroll writes no more.
///
/// Candidate regions end at the body's far edge or just before it (the selection's row
/// while the list moves under it, where only digits change) and start at the body's near
/// edge or at the row from which scrolling saves most (below a pane beside the results
/// that holds text); they are weighed with [`row_cost`], and the best is priced exactly
/// against drawing without a scroll.
pub fn best(
    last: &Buffer,
    next: &Buffer,
    rows: Range<u16>,
    by: i32,
) -> Option<(Range<u16>, Buffer)> {
    let k = u16::try_from(by.unsigned_abs()).ok()?;
    let (lo, hi) = (rows.start, rows.end);
    if hi.saturating_sub(lo) <= k {
        return None;
    }
    let at = |r: u16| usize::from(r - lo);
    // Per body row, bytes saved when it shows the row that scrolls into it, or a blank.
    let plain: Vec<isize> = rows
        .clone()
        .map(|r| row_cost(last, Some(r), next, r))
        .collect();
    let from_moved: Vec<isize> = rows
        .clone()
        .map(|r| {
            let source = if by > 0 { r + k } else { r.saturating_sub(k) };
            if (lo..hi).contains(&source) && (by > 0 || r >= lo + k) {
                plain[at(r)] - row_cost(last, Some(source), next, r)
            } else {
                0
            }
        })
        .collect();
    let from_blank: Vec<isize> = rows
        .clone()
        .map(|r| plain[at(r)] - row_cost(last, None, next, r))
        .collect();
    // The saving of region [s, e): moved rows, then the k that come in blank.
    let saving = |s: u16, e: u16| -> isize {
        let (moved, blank) = if by > 0 {
            (s..e - k, e - k..e)
        } else {
            (s + k..e, s..s + k)
        };
        moved.map(|r| from_moved[at(r)]).sum::<isize>()
            + blank.map(|r| from_blank[at(r)]).sum::<isize>()
    };
    let mut regions = Vec::new();
    if by > 0 {
        for e in [hi, hi - 1] {
            regions.push(lo..e);
            // The start that saves most: the best suffix of the moved rows.
            let (mut sum, mut most, mut start) = (0, isize::MIN, lo);
            for r in (lo..e.saturating_sub(k)).rev() {
                sum += from_moved[at(r)];
                if sum > most {
                    (most, start) = (sum, r);
                }
            }
            regions.push(start..e);
        }
    } else {
        for s in [lo, lo + 1] {
            regions.push(s..hi);
            let (mut sum, mut most, mut end) = (0, isize::MIN, hi);
            for r in s + k..hi {
                sum += from_moved[at(r)];
                if sum > most {
                    (most, end) = (sum, r + 1);
                }
            }
            regions.push(s..end);
        }
    }
    let region = regions
        .into_iter()
        .filter(|r| r.end.saturating_sub(r.start) > k)
        .max_by_key(|r| saving(r.start, r.end))?;
    if saving(region.start, region.end) <= sequence(&region, by).len() as isize {
        return None;
    }
    let mut shifted = last.clone();
    shift(&mut shifted, region.clone(), by);
    bridge(&mut shifted, next);
    let cost = sequence(&region, by).len() + draw_cost(&shifted, next);
    (cost < draw_cost(last, next)).then_some((region, shifted))
}

/// About the bytes drawing row `b` of `y` over row `a` of `x` (a blank row when None)
/// writes: each changed cell, and a cursor move where a run of them starts (a short
/// gap is bridged, as [`bridge`] does).
fn row_cost(x: &Buffer, a: Option<u16>, y: &Buffer, b: u16) -> isize {
    const MOVE: usize = 8;
    let w = usize::from(y.area.width);
    let at = |buf: &Buffer, r: u16| usize::from(r - buf.area.y) * w;
    let theirs = &y.content[at(y, b)..at(y, b) + w];
    let mut cost = 0;
    let mut prev: Option<usize> = None;
    for (i, q) in theirs.iter().enumerate() {
        let same = match a {
            Some(a) => x.content[at(x, a) + i] == *q,
            None => *q == Cell::EMPTY,
        };
        if same {
            continue;
        }
        cost += q.symbol().len();
        cost += match prev {
            Some(p) if i - p <= MOVE => i - p - 1,
            _ => MOVE,
        };
        prev = Some(i);
    }
    cost as isize
}

/// A cell unlike `c` (hidden toggled), so the diff takes `c`.
fn unlike(c: &Cell) -> Cell {
    let mut u = c.clone();
    u.modifier.toggle(Modifier::HIDDEN);
    u
}

/// Where a row's changes have a short gap of unchanged cells in the style of the cell
/// before it (the space between two columns), mark the gap as changed in `shown`, so
/// it is written (a byte or two) instead of jumped over with a cursor move (6 to 9
/// bytes). Only cells `next` draws anyway are marked, so the screen ends the same.
fn bridge(shown: &mut Buffer, next: &Buffer) {
    const SHORT: usize = 5;
    let area = next.area;
    let width = usize::from(area.width);
    for row in 0..usize::from(area.height) {
        let at = row * width;
        let mut last_changed: Option<usize> = None;
        for x in 0..width {
            let i = at + x;
            if shown.content[i] == next.content[i] {
                continue;
            }
            if let Some(prev) = last_changed
                && x - prev > 1
                && x - prev <= SHORT + 1
            {
                let style = next.content[at + prev].style();
                let gap = at + prev + 1..i;
                let plain = next.content[gap.clone()]
                    .iter()
                    .all(|c| c.symbol().len() == 1 && c.style() == style);
                if plain {
                    for i in gap {
                        shown.content[i] = unlike(&next.content[i]);
                    }
                }
            }
            last_changed = Some(x);
        }
    }
}

/// The bytes that scroll screen rows `rows` (0-based, end excluded) by `by` (up when
/// positive), then put the region back to the whole screen: a scroll region
/// (DECSTBM), and line feeds at its bottom row or reverse indexes (`ESC M`) at its top,
/// which every VT100-like terminal has (the Linux console has no `CSI n S`). The rows
/// that come in are blank in the terminal's default colours, as [`shift`] assumes:
/// ratatui ends every frame with the attributes reset, and the scroll comes before any
/// drawing.
pub fn sequence(rows: &Range<u16>, by: i32) -> String {
    let (top, bottom) = (u32::from(rows.start) + 1, u32::from(rows.end));
    let n = by.unsigned_abs() as usize;
    let (row, step) = if by > 0 {
        (bottom, "\n".repeat(n))
    } else {
        (top, "\x1bM".repeat(n))
    };
    format!("\x1b[{top};{bottom}r\x1b[{row};1H{step}\x1b[r")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(buf: &Buffer) -> Vec<String> {
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn shift_moves_the_region_as_a_terminal_does() {
        let rows = ["aa", "bb", "cc", "dd", "ee"];
        let mut up = Buffer::with_lines(rows);
        shift(&mut up, 1..4, 2);
        assert_eq!(lines(&up), ["aa", "dd", "  ", "  ", "ee"]);
        let mut down = Buffer::with_lines(rows);
        shift(&mut down, 1..4, -1);
        assert_eq!(lines(&down), ["aa", "  ", "bb", "cc", "ee"]);
        let mut all = Buffer::with_lines(rows);
        shift(&mut all, 0..5, 9);
        assert_eq!(lines(&all), ["  "; 5]);
    }

    #[test]
    fn the_sequence_names_one_based_rows() {
        assert_eq!(sequence(&(4..45), 1), "\x1b[5;45r\x1b[45;1H\n\x1b[r");
        assert_eq!(
            sequence(&(4..45), -3),
            "\x1b[5;45r\x1b[5;1H\x1bM\x1bM\x1bM\x1b[r"
        );
    }
}
