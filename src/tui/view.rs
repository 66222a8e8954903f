//! Drawing: a pure function of the state, apart from remembering how many rows fit.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::app::{App, Pane};
use super::keymap::Action;
use super::panes;
use crate::domain::sanitize::for_display;

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Backend text made safe to draw.
pub fn safe(s: &str) -> String {
    for_display(s).into_owned()
}

/// The width (in columns) from which an opened customer shows as a 360: particulars,
/// contact methods and alerts at once, beside the results list. `config.toml`'s
/// `customer_360_from` changes it.
pub const CUSTOMER_360_FROM: u16 = 160;
/// Narrower than this the 360's panes cut the masked numbers short: a smaller
/// `customer_360_from` counts as this.
pub const CUSTOMER_360_MIN: u16 = 140;

/// Where each part of the screen goes at `area`: decided from the size alone, before
/// drawing, so the facts drawing needs (how many rows fit) are known first.
pub struct Areas {
    pub banner: Rect,
    pub tabs: Rect,
    pub status: Rect,
    pub hints: Rect,
    /// The search pane, when it shows.
    pub search: Option<Rect>,
    /// The customer panes beside or instead of the search pane, and which each is: one
    /// at a time, or all three in the customer 360.
    pub detail: Vec<(Pane, Rect)>,
    /// The customer 360 is showing (the results list is drawn compact beside it).
    pub three_sixty: bool,
}

pub fn areas(app: &App, area: Rect) -> Areas {
    let banner_h = u16::from(app.banner.is_some() && area.height >= 8);
    let status_h = if area.width >= 140 || area.height < 12 {
        1
    } else {
        2
    };
    let [banner, tabs, body, status, hints] = Layout::vertical([
        Constraint::Length(banner_h),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(status_h),
        Constraint::Length(u16::from(area.height >= 10)),
    ])
    .areas(area);
    let three_sixty = app.customer.is_some()
        && body.width >= app.customer_360_from.max(CUSTOMER_360_MIN)
        && body.height >= 12;
    let (search, detail) = if three_sixty {
        // Results | profile | contact methods over alerts.
        let [left, middle, right] = Layout::horizontal([
            Constraint::Percentage(22),
            Constraint::Percentage(42),
            Constraint::Fill(1),
        ])
        .areas(body);
        // Contact methods take the rows they need (a row each, the header and the
        // borders), at most half; alerts and their history the rest.
        let methods = app
            .customer
            .as_ref()
            .and_then(|c| c.contacts.ready())
            .map_or(1, |m| m.contact_methods.len().max(1)) as u16;
        let [top, bottom] = Layout::vertical([
            Constraint::Length((methods + 3).min(right.height / 2)),
            Constraint::Fill(1),
        ])
        .areas(right);
        (
            Some(left),
            vec![
                (Pane::Profile, middle),
                (Pane::Contacts, top),
                (Pane::Alerts, bottom),
            ],
        )
    } else if body.width >= 140 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(body);
        let detail = if app.focus == Pane::Search {
            Pane::Profile
        } else {
            app.focus
        };
        (Some(left), vec![(detail, right)])
    } else if app.focus == Pane::Search {
        (Some(body), vec![])
    } else {
        (None, vec![(app.focus, body)])
    };
    Areas {
        banner,
        tabs,
        status,
        hints,
        search,
        detail,
        three_sixty,
    }
}

/// Settle what the next frame at `area` needs to know before it is drawn: the rows of
/// results that fit (for paging keys) and the window that keeps the selection in view.
pub fn fit(app: &mut App, area: Rect) {
    // The screen's size as drawn: what the views' scroll bounds and wrapping read.
    app.size = (area.width, area.height);
    if let Some(search) = areas(app, area).search {
        panes::search::fit(app, search);
    }
}

/// Draw the whole screen from the state as it is; drawing changes nothing (see [`fit`]).
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    f.render_widget(Block::new().style(app.theme.base), area);
    let Areas {
        banner,
        tabs,
        status,
        hints,
        search,
        detail,
        three_sixty,
    } = areas(app, area);
    if let Some(b) = &app.banner
        && !panes::training::draw(f, app, banner)
    {
        let mut text = b.clone();
        if app.read_only {
            text.push_str("  ·  READ-ONLY");
        }
        f.render_widget(Paragraph::new(text).style(app.theme.banner), banner);
    }
    draw_tabs(f, app, tabs);
    match search {
        Some(area) if three_sixty => panes::search::draw_compact(f, app, area),
        Some(area) => panes::search::draw(f, app, area),
        None => {}
    }
    for (pane, area) in detail {
        draw_detail(f, app, pane, area);
    }
    panes::status::draw(f, app, status);
    draw_hints(f, app, hints);
    if let Some(open) = &app.overlay {
        open.dialog().draw(f, app);
    }
}

fn draw_detail(f: &mut Frame, app: &App, pane: Pane, area: Rect) {
    match pane {
        Pane::Profile | Pane::Search => panes::profile::draw(f, app, area),
        Pane::Contacts => panes::contacts::draw(f, app, area),
        Pane::Alerts => panes::alerts::draw(f, app, area),
    }
}

fn draw_tabs(f: &mut Frame, app: &App, area: Rect) {
    let mut spans = Vec::new();
    for (i, p) in Pane::ALL.iter().enumerate() {
        let focused = *p == app.focus;
        let label = format!(" {}{} ", if focused { "▶" } else { " " }, p.title());
        spans.push(Span::styled(
            label,
            if focused {
                app.theme.selection
            } else {
                app.theme.muted
            },
        ));
        if i + 1 < Pane::ALL.len() {
            spans.push(Span::styled("│", app.theme.border));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The hint line, generated from the keymap for the focused pane.
fn draw_hints(f: &mut Frame, app: &App, area: Rect) {
    if area.height == 0 {
        return;
    }
    let actions: &[Action] = match app.focus {
        Pane::Search if app.search.editing => {
            &[Action::Open, Action::Back, Action::NextPane, Action::Help]
        }
        Pane::Search if app.read_only => &[
            Action::FocusSearch,
            Action::Open,
            Action::Sort,
            Action::CopyId,
            Action::NextPane,
            Action::Palette,
            Action::Help,
            Action::Quit,
        ],
        Pane::Search => &[
            Action::FocusSearch,
            Action::Open,
            Action::Sort,
            Action::ToggleMark,
            Action::MarkAll,
            Action::Bulk,
            Action::Palette,
            Action::Help,
            Action::Quit,
        ],
        Pane::Profile if app.read_only => &[
            Action::Up,
            Action::Down,
            Action::Reveal,
            Action::CopyId,
            Action::CopyCorrelation,
            Action::Back,
            Action::NextPane,
            Action::Help,
        ],
        Pane::Profile => &[
            Action::Reveal,
            Action::VerifyCaller,
            Action::EditEmail,
            Action::EditPhone,
            Action::AddPhone,
            Action::CopyId,
            Action::Back,
            Action::Help,
        ],
        Pane::Alerts if !app.read_only => &[
            Action::AlertSubscription,
            Action::NextPane,
            Action::PrevPane,
            Action::Refresh,
            Action::Back,
            Action::Help,
            Action::Quit,
        ],
        _ => &[
            Action::NextPane,
            Action::PrevPane,
            Action::Refresh,
            Action::Back,
            Action::Help,
            Action::Quit,
        ],
    };
    let mut hints: Vec<[Span<'static>; 2]> = Vec::new();
    // An action the client lacks the scope for is not offered.
    for a in actions.iter().filter(|a| app.unavailable(**a).is_none()) {
        let key = app.hint_key(*a);
        hints.push([
            Span::styled(format!(" {key} "), app.theme.accent),
            Span::styled(format!("{} ", short(*a)), app.theme.muted),
        ]);
    }
    // Where they do not all fit, the middle ones go: the first (what this pane is
    // for) and the last two (help, quit) always show.
    let width = |h: &[[Span; 2]]| h.iter().flatten().map(Span::width).sum::<usize>();
    while hints.len() > 3 && width(&hints) > usize::from(area.width) {
        hints.remove(hints.len() - 3);
    }
    let mut spans: Vec<Span> = hints.into_iter().flatten().collect();
    if app.pane_context() == crate::tui::keymap::Context::SearchInput {
        spans.push(Span::styled(
            " phone: pc: dob: acct: ref: email: ",
            app.theme.muted,
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn short(a: Action) -> &'static str {
    match a {
        Action::Open => "open",
        Action::Back => "back",
        Action::NextPane => "next pane",
        Action::PrevPane => "prev pane",
        Action::Help => "help",
        Action::Quit => "quit",
        Action::FocusSearch => "search",
        Action::Sort => "sort",
        Action::CopyId => "copy id",
        Action::CopyCorrelation => "copy corr id",
        Action::Palette => "commands",
        Action::Reveal => "reveal",
        Action::Up => "up",
        Action::Down => "down",
        Action::Refresh => "reload",
        Action::VerifyCaller => "verify",
        Action::EditEmail => "email",
        Action::EditPhone => "phone",
        Action::AddPhone => "add phone",
        Action::OfferResponse => "offers",
        Action::AlertSubscription => "subscribe",
        Action::NewCustomer => "new customer",
        Action::EditCustomer => "edit customer",
        Action::DeleteCustomer => "delete customer",
        Action::ToggleMark => "mark",
        Action::MarkRange => "mark range",
        Action::MarkAll => "mark all",
        Action::ClearMarks => "clear marks",
        Action::Bulk => "bulk",
        Action::Messages => "messages",
        other => other.name(),
    }
}

/// A bordered block with the pane's title, highlighted when focused.
/// A customer pane's title with the open customer's name once it is known, so a pane
/// shown alone still says whose data it is: `Alerts · Ada Quartermaine`.
pub fn customer_title(app: &App, pane: &str) -> String {
    let name = app
        .customer
        .as_ref()
        .and_then(|c| c.details.ready())
        .map(|d| safe(format!("{} {}", d.given_name, d.family_name).trim()));
    match name {
        Some(n) if !n.is_empty() => format!("{pane} · {n}"),
        _ => pane.to_string(),
    }
}

pub fn pane_block<'a>(app: &App, title: &'a str, focused: bool) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(
            format!(" {title} "),
            if focused {
                app.theme.accent
            } else {
                app.theme.title
            },
        ))
        .border_style(if focused {
            app.theme.accent
        } else {
            app.theme.border
        })
}

/// Centre a `w` x `h` box in `area`, shrinking to fit.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// `spans` cut to `width` columns: when they do not fit, the last ones are shortened and
/// end with `…` (then `more`, if any), so a narrow screen says where it cut.
pub fn ellipsize(spans: Vec<Span<'static>>, width: usize, more: &str) -> Vec<Span<'static>> {
    use unicode_width::UnicodeWidthChar;
    let total: usize = spans.iter().map(Span::width).sum();
    if total <= width {
        return spans;
    }
    let tail = if more.is_empty() {
        "…".to_string()
    } else {
        format!("… {more}")
    };
    let room = width.saturating_sub(tail.chars().count());
    let mut out = Vec::new();
    let mut used = 0;
    let mut last_style = ratatui::style::Style::default();
    for span in spans {
        last_style = span.style;
        let mut kept = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > room {
                break;
            }
            used += w;
            kept.push(c);
        }
        let full = kept.len() == span.content.len();
        out.push(Span::styled(kept, span.style));
        if !full {
            break;
        }
    }
    out.push(Span::styled(tail, last_style));
    out
}
