//! The profile's card accounts, each with its card-to, bill-to and pin-to addresses
//! (Citi), and the partner view's segment. Addresses are shown as the profile shows
//! the customer's own addresses: in full.

use ratatui::text::{Line, Span};

use super::profile::heading;
use crate::api::wire::citi;
use crate::domain::mask;
use crate::tui::app::{App, Customer, Load};
use crate::tui::msg::Extra;
use crate::tui::view::safe;

/// One address on one line.
fn address(a: &citi::Address) -> String {
    [
        &a.address_line1,
        &a.address_line2,
        &a.address_line3,
        &a.address_line4,
        &a.city,
        &a.state,
        &a.postal_code,
        &a.country_name,
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .map(|s| safe(s))
    .collect::<Vec<_>>()
    .join(", ")
}

fn muted(app: &App, text: String) -> (bool, Line<'static>) {
    (false, Line::from(Span::styled(text, app.theme.muted)))
}

/// The "Card addresses" section: every card account, then its three addresses.
pub fn lines(app: &App, c: &Customer, spinner: &str) -> Vec<(bool, Line<'static>)> {
    let mut out = vec![heading(app, "Card addresses")];
    let cards = match &c.cards {
        Load::Loading => {
            out.push(muted(app, format!("  {spinner} loading…")));
            return out;
        }
        Load::Failed(e) => {
            out.push(muted(app, format!("  not shown: {}", safe(e))));
            return out;
        }
        Load::Ready(cards) => cards,
    };
    if cards.is_empty() {
        out.push(muted(app, "  no card accounts".into()));
    }
    for card in cards {
        out.push((
            false,
            Line::from(vec![
                Span::raw(format!("  {}", mask::account(&safe(&card.account_number)))),
                Span::styled(format!("  {}", safe(&card.product_name)), app.theme.muted),
            ]),
        ));
        match &card.addresses {
            Ok(Extra::Shown(a)) => {
                for (label, a) in [
                    ("card to", &a.card_to_address),
                    ("bill to", &a.bill_to_address),
                    ("pin to", &a.pin_to_address),
                ] {
                    out.push((
                        false,
                        Line::from(vec![
                            Span::styled(format!("    {label:<12}"), app.theme.muted),
                            Span::raw(address(a)),
                        ]),
                    ));
                }
            }
            Ok(Extra::Unavailable(why)) => out.push(muted(app, format!("    {}", safe(why)))),
            Err(e) => out.push((
                false,
                Line::from(Span::styled(
                    format!("    ✗ Error: card addresses: {}", safe(e)),
                    app.theme.error,
                )),
            )),
        }
    }
    out
}

/// What the partner view adds to the segment line: `partner PARTNER_PLUS`, or why it
/// is not shown. Nothing while it loads, nor when the partner segment is `NONE` (the
/// partner view then adds nothing).
pub fn partner(c: &Customer) -> Option<String> {
    match &c.partner {
        Load::Loading => None,
        Load::Ready(Extra::Shown(s)) if s == "NONE" => None,
        Load::Ready(Extra::Shown(s)) => Some(format!("partner {}", safe(s))),
        Load::Ready(Extra::Unavailable(why)) => Some(format!("partner view {}", safe(why))),
        Load::Failed(e) => Some(format!("partner view failed: {}", safe(e))),
    }
}
