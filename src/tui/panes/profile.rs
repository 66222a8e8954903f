//! Profile pane: particulars, addresses, emails, phones, accounts and offers of the open
//! customer. Phones, emails and account numbers stay masked unless revealed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::cards;
use crate::domain::mask;
use crate::tui::app::{App, Customer, Load, Pane};
use crate::tui::edit::verify::PROOFS_NEEDED;
use crate::tui::keymap::Action;
use crate::tui::msg::Extra;
use crate::tui::tasks::extras::NOT_ALLOWED;
use crate::tui::view::{SPINNER, customer_title, pane_block, safe};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let focused = app.focus == Pane::Profile;
    let title = customer_title(app, "Profile");
    let mut block = pane_block(app, &title, focused);
    let inner = block.inner(area);
    let lines = lines(app, focused);
    // Keep the cursor line on screen.
    let cursor_line = lines.iter().position(|(sel, _)| *sel).unwrap_or(0) as u16;
    let mut scroll = cursor_line.saturating_sub(inner.height.saturating_sub(2));
    // On the last field, what follows it (card addresses) comes into view too,
    let fields = app.profile_fields().len();
    if fields > 0 && app.profile_cursor + 1 >= fields {
        // ...as far as the field itself stays on screen.
        let end = (lines.len() as u16).saturating_sub(inner.height);
        scroll = scroll.max(end.min(cursor_line));
    }
    // A profile taller than the pane says how much is below, on its bottom border.
    let below = (lines.len() as u16).saturating_sub(scroll + inner.height);
    if below > 0 {
        block = block.title_bottom(Span::styled(
            format!(
                " ↓ {below} more below · {} ",
                app.keymap
                    .hint_in(crate::tui::keymap::Context::Profile, Action::Down)
            ),
            app.theme.muted,
        ));
    }
    f.render_widget(block, area);
    let text: Vec<Line> = lines.into_iter().map(|(_, l)| l).collect();
    let picture = (scroll == 0)
        .then(|| picture_area(app, &text, inner))
        .flatten();
    f.render_widget(Paragraph::new(text).scroll((scroll, 0)), inner);
    if let Some((p, at)) = picture {
        f.render_widget(p.widget(), at);
    }
}

/// Narrower panes draw no image.
const IMAGE_MIN_WIDTH: u16 = 60;

/// The customer's image and where it goes: the top right of the pane, beside the
/// particulars, only when the whole of it fits there without covering any text (the
/// top of the profile in view, the lines beside it short enough, a gap of two) and a
/// column from the border.
fn picture_area<'a>(
    app: &'a App,
    text: &[Line],
    inner: Rect,
) -> Option<(&'a crate::tui::graphics::Picture, Rect)> {
    let Some(Load::Ready(Some(p))) = app.customer.as_ref().map(|c| &c.image) else {
        return None;
    };
    let (w, h) = (p.size.width, p.size.height);
    if inner.width < IMAGE_MIN_WIDTH.max(w + 3) || inner.height <= h {
        return None;
    }
    let left = inner.width - w - 1;
    let beside = text.iter().take(usize::from(h)).map(Line::width).max();
    if beside.unwrap_or(0) + 2 > usize::from(left) {
        return None;
    }
    Some((p, Rect::new(inner.x + left, inner.y, w, h)))
}

pub(super) fn heading(app: &App, t: &str) -> (bool, Line<'static>) {
    (
        false,
        Line::from(Span::styled(t.to_string(), app.theme.accent)),
    )
}

fn plain(app: &App, label: &str, value: String) -> (bool, Line<'static>) {
    (
        false,
        Line::from(vec![
            Span::styled(format!("  {label:<14}"), app.theme.muted),
            Span::raw(value),
        ]),
    )
}

/// What NewDay's `GET /customers` with the customer-bound token says, when it is not
/// simply the open customer: bound to another customer, no customer details, or the
/// check failed. Silent while loading, when confirmed and when not available to this
/// client (a 403).
fn token_line(app: &App, c: &Customer) -> Option<Line<'static>> {
    let text = match &c.bound {
        Load::Loading => return None,
        Load::Ready(Extra::Unavailable(why)) if why == NOT_ALLOWED => return None,
        Load::Ready(Extra::Shown(id)) if *id == c.id => return None,
        Load::Ready(Extra::Shown(_)) => "Token bound to another customer".to_string(),
        Load::Ready(Extra::Unavailable(why)) => safe(why),
        Load::Failed(e) => format!("Token check failed: {}", safe(e)),
    };
    Some(Line::from(vec![
        Span::styled(format!("  {:<14}", "Token"), app.theme.muted),
        Span::styled(text, app.theme.warning),
    ]))
}

/// "Caller verified: DOB ✓ postcode ✓ — contact edits unlocked", or why contact edits
/// are locked.
fn caller_line(app: &App) -> Line<'static> {
    let check = app.caller_check();
    if let Some(c) = check.filter(|c| c.verified()) {
        let unlocked = if app.read_only {
            ""
        } else {
            " — contact edits unlocked"
        };
        return Line::from(Span::styled(
            format!("Caller verified: {}{unlocked}", c.summary()),
            app.theme.ok,
        ));
    }
    let mut text = if app.read_only {
        "Caller not verified".to_string()
    } else {
        "Caller not verified — contact edits locked".to_string()
    };
    if let Some(c) = check.filter(|c| c.count() > 0) {
        text.push_str(&format!(
            " ({}; {} of {})",
            c.summary(),
            c.count(),
            PROOFS_NEEDED
        ));
    } else {
        text.push_str(&format!(
            " · {} verify",
            app.keymap.hint(Action::VerifyCaller)
        ));
    }
    Line::from(Span::styled(text, app.theme.warning))
}

fn lines(app: &App, focused: bool) -> Vec<(bool, Line<'static>)> {
    let spinner = SPINNER[app.status.spinner % SPINNER.len()];
    let Some(c) = &app.customer else {
        return vec![(
            false,
            Line::from(Span::styled(
                "No customer open: select one in Search and press enter",
                app.theme.muted,
            )),
        )];
    };
    let mut out = Vec::new();
    let d = match &c.details {
        Load::Loading => return vec![(false, Line::from(format!("{spinner} loading customer…")))],
        Load::Failed(e) => {
            return vec![(
                false,
                Line::from(Span::styled(
                    format!("✗ Error: could not load the customer: {}", safe(e)),
                    app.theme.error,
                )),
            )];
        }
        Load::Ready(d) => d,
    };
    let name = [
        d.title.as_str(),
        &d.given_name,
        &d.middle_name,
        &d.family_name,
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .map(|s| safe(s))
    .collect::<Vec<_>>()
    .join(" ");
    out.push((false, Line::from(Span::styled(name, app.theme.title))));
    out.push((false, caller_line(app)));
    out.push(plain(app, "Customer id", safe(&d.id)));
    if let Some(line) = token_line(app, c) {
        out.push((false, line));
    }
    out.push(plain(app, "Reference", safe(&d.customer_ref)));
    out.push(plain(app, "Born", safe(&d.date_of_birth)));
    out.push(plain(app, "Status", safe(&d.status)));
    match &c.profile {
        Load::Ready(p) => {
            let mut segment = format!("{} · {}", safe(&p.customer_segment), safe(&p.customer_type));
            if let Some(partner) = cards::partner(c) {
                segment.push_str(&format!(" · {partner}"));
            }
            out.push(plain(app, "Segment", segment));
        }
        Load::Loading => out.push(plain(app, "Segment", format!("{spinner} loading…"))),
        Load::Failed(e) => out.push((
            false,
            Line::from(Span::styled(
                format!("  ✗ Error: Citi profile: {}", safe(e)),
                app.theme.error,
            )),
        )),
    }
    // The partner view answers on its own: shown even when the profile failed.
    if let (Load::Failed(_), Some(partner)) = (&c.profile, cards::partner(c)) {
        out.push(plain(app, "Segment", partner));
    }

    let fields = app.profile_fields();
    let field_line = |app: &App, field: &str, label: String, value: &str, masked: String| {
        let idx = fields.iter().position(|f| f.field == field);
        let selected = focused && idx == Some(app.profile_cursor);
        let shown = match reveal_left(app, &c.id, field) {
            Some(secs) => format!("{} (revealed) · hides in {secs} s", safe(value)),
            None => masked,
        };
        let marker = if selected { "▶ " } else { "  " };
        let line = Line::from(vec![
            Span::styled(
                format!("{marker}{label:<14}"),
                if selected {
                    app.theme.selection
                } else {
                    app.theme.muted
                },
            ),
            Span::styled(
                shown,
                if selected {
                    app.theme.selection
                } else {
                    app.theme.base
                },
            ),
        ]);
        (selected, line)
    };

    out.push(heading(app, "Addresses"));
    for a in &d.addresses {
        let lines = [
            &a.address_line1,
            &a.address_line2,
            &a.address_line3,
            &a.address_line4,
            &a.town,
            &a.county,
            &a.postcode,
            &a.country_code,
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| safe(s))
        .collect::<Vec<_>>()
        .join(", ");
        out.push(plain(app, &safe(&a.kind.to_lowercase()), lines));
    }
    if let Load::Ready(p) = &c.profile {
        out.push(heading(app, "Offers"));
        if p.offers.is_empty() {
            out.push(plain(app, "", "none".into()));
        }
        for o in &p.offers {
            out.push(plain(
                app,
                &safe(&o.offer_status.to_lowercase()),
                format!("{} — {}", safe(&o.offer_name), safe(&o.description)),
            ));
        }
    }
    out.push(heading(app, "Phones"));
    if d.contact.phone_numbers.is_empty() {
        out.push(plain(app, "", "none".into()));
    }
    for (i, p) in d.contact.phone_numbers.iter().enumerate() {
        out.push(field_line(
            app,
            &format!("phone:{i}"),
            safe(&p.kind.to_lowercase()),
            &p.value,
            mask::phone(&safe(&p.value)),
        ));
    }
    out.push(heading(app, "Emails"));
    if d.contact.email_addresses.is_empty() {
        out.push(plain(app, "", "none".into()));
    }
    for (i, e) in d.contact.email_addresses.iter().enumerate() {
        out.push(field_line(
            app,
            &format!("email:{i}"),
            safe(&e.kind.to_lowercase()),
            &e.value,
            mask::email(&safe(&e.value)),
        ));
    }
    out.push(heading(app, "Accounts"));
    if d.accounts.is_empty() {
        out.push(plain(app, "", "none".into()));
    }
    for (i, a) in d.accounts.iter().enumerate() {
        let (selected, mut line) = field_line(
            app,
            &format!("account:{i}"),
            safe(&a.account_type.to_lowercase()),
            &a.account_number,
            mask::account(&safe(&a.account_number)),
        );
        line.push_span(Span::styled(
            format!("  {}", safe(&a.product_name)),
            app.theme.muted,
        ));
        out.push((selected, line));
    }
    out.extend(cards::lines(app, c, spinner));
    out
}

/// Whole seconds (rounded up) until the reveal of `field` ends, by the app's clock;
/// `None` when it is not revealed or its time is up (the next tick drops it).
fn reveal_left(app: &App, customer: &str, field: &str) -> Option<u64> {
    let now = app.clock.now();
    app.reveals
        .iter()
        .filter(|(f, _)| f.customer == customer && f.field == field)
        .map(|(_, until)| until.saturating_duration_since(now))
        .filter(|left| !left.is_zero())
        .max()
        .map(|left| left.as_secs() + u64::from(left.subsec_nanos() > 0))
}
