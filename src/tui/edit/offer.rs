//! Accept or decline an offer presented to the customer (Citi `PUT /v1/offers`). The
//! caller must be verified: an offer changes what the customer gets.

use crossterm::event::{KeyCode, KeyEvent};

use super::{Phase, Submit, SubmitKey};
use crate::api::ops::Answer;
use crate::api::wire::citi;
use crate::tui::app::{App, Overlay};
use crate::tui::effect::{AuditNote, Effect, WriteOp};
use crate::tui::msg::{Msg, Outcome, WriteError};
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

    pub(crate) fn offer_key(
        &mut self,
        d: &mut OfferDialog,
        k: KeyEvent,
        fx: &mut Vec<Effect>,
    ) -> bool {
        match d.submit.key(k.code) {
            SubmitKey::Close => return false,
            SubmitKey::Stay => {}
            SubmitKey::Send => {
                let Some(o) = d.offer().cloned() else {
                    return true;
                };
                let op = WriteOp::offer(&d.customer, &o.offer_id, d.accept);
                let note = AuditNote {
                    customer: d.customer.clone(),
                    action: op.action(),
                    old: Some(format!("{} {}", o.offer_id, o.offer_status.to_lowercase())),
                    new: Some(format!(
                        "{} {}",
                        o.offer_id,
                        if d.accept { "accepted" } else { "declined" }
                    )),
                    ..AuditNote::default()
                };
                self.submit_write(&mut d.submit, op, note, fx);
            }
            SubmitKey::Edit => match k.code {
                KeyCode::Esc => return false,
                KeyCode::Up => d.selected = d.selected.saturating_sub(1),
                KeyCode::Down => {
                    d.selected = (d.selected + 1).min(d.offers.len().saturating_sub(1))
                }
                KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') => d.accept = !d.accept,
                KeyCode::Char('a') => d.accept = true,
                KeyCode::Char('d') => d.accept = false,
                KeyCode::Enter => match d.offer() {
                    Some(o) if o.offer_status == "FULFILLED" => {
                        d.submit.error = Some(super::Failure::new(
                            "This offer is already fulfilled and cannot change",
                            None,
                        ));
                    }
                    Some(_) => {
                        d.submit.error = None;
                        d.submit.phase = Phase::Confirming;
                    }
                    None => {}
                },
                _ => {}
            },
        }
        true
    }

    pub(crate) fn offer_written(
        &mut self,
        d: &mut OfferDialog,
        seq: u64,
        outcome: Outcome<Answer, WriteError>,
        fx: &mut Vec<Effect>,
    ) {
        if d.submit.answered(seq, outcome) == Some(true)
            && self.customer.as_ref().is_some_and(|c| c.id == d.customer)
        {
            let id = d.customer.clone();
            self.reload_customer(id, fx);
        }
    }
}

impl crate::tui::dialog::Dialog for OfferDialog {
    fn name(&self) -> &'static str {
        "offer response"
    }
    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        app.offer_key(self, k, fx)
    }
    fn reply(&mut self, app: &mut App, msg: Msg, fx: &mut Vec<Effect>) -> Option<Msg> {
        let Msg::Written { seq, outcome } = msg else {
            return Some(msg);
        };
        app.offer_written(self, seq, outcome, fx);
        None
    }
    fn busy(&self) -> bool {
        self.submit.pending.is_some()
    }
    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::offer::draw(f, app, self)
    }
}
