//! Accept or decline an offer presented to the customer (Citi `PUT /v1/offers`). The
//! caller must be verified: an offer changes what the customer gets.

use crossterm::event::KeyEvent;

use super::{Submit, SubmitKey};
use crate::api::wire::citi;
use crate::tui::app::{App, Overlay};
use crate::tui::effect::{AuditNote, Effect, WriteOp};
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::Msg;
use crate::tui::view::safe;

#[derive(Debug, Clone)]
pub struct OfferDialog {
    pub customer: String,
    pub name: String,
    pub offers: Vec<citi::Offer>,
    pub selected: usize,
    /// Accept (true) or decline.
    pub accept: bool,
    pub submit: Submit,
}

impl OfferDialog {
    pub fn offer(&self) -> Option<&citi::Offer> {
        self.offers.get(self.selected)
    }
    pub fn verb(&self) -> &'static str {
        if self.accept { "accept" } else { "decline" }
    }
}

impl App {
    pub(crate) fn open_offers(&mut self) {
        let Some(c) = &self.customer else { return };
        let Some(d) = c.details.ready() else { return };
        let offers = match c.profile.ready_or(
            "Wait for the Citi profile to load",
            "The Citi profile did not load, so offers cannot be changed",
        ) {
            Ok(p) => p.offers.clone(),
            Err(notice) => {
                self.status.notice = Some(notice);
                return;
            }
        };
        if offers.is_empty() {
            self.status.notice = Some("No offers are presented to this customer".into());
            return;
        }
        let selected = offers
            .iter()
            .position(|o| o.offer_status == "AVAILABLE")
            .unwrap_or(0);
        self.overlay = Some(Overlay::Offer(Box::new(OfferDialog {
            customer: c.id.clone(),
            name: safe(&format!("{} {}", d.given_name, d.family_name)),
            offers,
            selected,
            accept: true,
            submit: Submit::default(),
        })));
    }
}

impl crate::tui::dialog::Dialog for OfferDialog {
    fn name(&self) -> &'static str {
        "offer response"
    }

    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        let act = app.keymap.action_in(Context::Offer, &k);
        match self.submit.key(act) {
            SubmitKey::Close => return false,
            SubmitKey::Stay => {}
            SubmitKey::Send => {
                let Some(o) = self.offer().cloned() else {
                    return true;
                };
                let op = WriteOp::offer(&self.customer, &o.offer_id, self.accept);
                let note = AuditNote {
                    customer: self.customer.clone(),
                    action: op.action(),
                    old: Some(format!("{} {}", o.offer_id, o.offer_status.to_lowercase())),
                    new: Some(format!(
                        "{} {}",
                        o.offer_id,
                        if self.accept { "accepted" } else { "declined" }
                    )),
                    ..AuditNote::default()
                };
                app.submit_write(&mut self.submit, op, note, fx);
            }
            SubmitKey::Edit => match act {
                Some(Action::Back) => return false,
                Some(Action::ItemUp) => self.selected = self.selected.saturating_sub(1),
                Some(Action::ItemDown) => {
                    self.selected = (self.selected + 1).min(self.offers.len().saturating_sub(1))
                }
                Some(Action::ChoicePrev | Action::ChoiceNext) => self.accept = !self.accept,
                Some(Action::Accept) => self.accept = true,
                Some(Action::Decline) => self.accept = false,
                Some(Action::Confirm) => match self.offer() {
                    Some(o) if o.offer_status == "FULFILLED" => {
                        self.submit.error = Some(super::Failure::new(
                            "This offer is already fulfilled and cannot change",
                            None,
                        ));
                    }
                    Some(_) => self.submit.ask_confirm(),
                    None => {}
                },
                _ => {}
            },
        }
        true
    }

    fn reply(&mut self, app: &mut App, msg: Msg, fx: &mut Vec<Effect>) -> Option<Msg> {
        let Msg::Written { seq, outcome } = msg else {
            return Some(msg);
        };
        if self.submit.answered(seq, outcome) == Some(true)
            && app.customer.as_ref().is_some_and(|c| c.id == self.customer)
        {
            let id = self.customer.clone();
            app.reload_customer(id, fx);
        }
        None
    }

    fn busy(&self) -> bool {
        self.submit.pending.is_some()
    }

    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::offer::draw(f, app, self)
    }
}
