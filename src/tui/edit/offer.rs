//! Accept or decline an offer presented to the customer (Citi `PUT /v1/offers`), then
//! fulfil an accepted one (Citi `POST /v1/sales/customers/offers/fulfillments`) with
//! the agent's optional remarks. The caller must be verified: an offer changes what the
//! customer gets.
//!
//! Steps: the offer list (accept or decline, confirm, send); after an accept, the
//! fulfilment (remarks, confirm, send, result), a second write with its own
//! [`Submit`]. A declined offer is done there. An offer already accepted goes straight
//! to the fulfilment on enter (no second accept is sent).

use crossterm::event::KeyEvent;
use tui_input::backend::crossterm::EventHandler;
use tui_input::{Input, InputRequest};

use super::{Failure, Phase, Submit, SubmitKey, typed_char};
use crate::api::ops::Answer;
use crate::api::wire::citi;
use crate::tui::app::{App, Overlay};
use crate::tui::effect::{AuditNote, CustomerRead, Effect, WriteOp};
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::Msg;
use crate::tui::view::safe;

/// The most characters of remarks Citi takes with a fulfilment.
pub const REMARKS_MAX: usize = 500;

/// Where the offer dialog is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    /// The offers, accept or decline the selected one.
    #[default]
    Respond,
    /// Fulfil the selected (accepted) offer, with optional remarks.
    Fulfil,
}

#[derive(Debug, Clone)]
pub struct OfferDialog {
    pub customer: String,
    pub name: String,
    pub offers: Vec<citi::Offer>,
    pub selected: usize,
    /// Accept (true) or decline.
    pub accept: bool,
    /// The accept or decline.
    pub submit: Submit,
    pub step: Step,
    /// The offer was accepted in this dialog: Esc from the fulfilment then closes
    /// (saying the offer is accepted and not fulfilled) rather than going back.
    pub accepted_here: bool,
    /// The agent's remarks for the fulfilment (optional).
    pub remarks: Input,
    /// The fulfilment.
    pub fulfil: Submit,
    /// What the fulfilment answered.
    pub fulfilment: Option<citi::Fulfillment>,
}

impl OfferDialog {
    pub fn new(customer: String, name: String, offers: Vec<citi::Offer>) -> OfferDialog {
        // Something to do first: an offer to answer, else one accepted to fulfil.
        let selected = ["AVAILABLE", "ACCEPTED"]
            .iter()
            .find_map(|s| offers.iter().position(|o| o.offer_status == *s))
            .unwrap_or(0);
        OfferDialog {
            customer,
            name,
            offers,
            selected,
            accept: true,
            submit: Submit::default(),
            step: Step::Respond,
            accepted_here: false,
            remarks: Input::default(),
            fulfil: Submit::default(),
            fulfilment: None,
        }
    }

    pub fn offer(&self) -> Option<&citi::Offer> {
        self.offers.get(self.selected)
    }
    pub fn verb(&self) -> &'static str {
        if self.accept { "accept" } else { "decline" }
    }

    /// The remarks as they will be sent: trimmed, `None` when empty; checked by the
    /// server's rule (at most [`REMARKS_MAX`] characters, no control characters). The
    /// error is in words for the dialog.
    pub fn remarks_value(&self) -> Result<Option<String>, String> {
        match crate::domain::validate::optional_text("remarks", self.remarks.value(), REMARKS_MAX) {
            Ok(v) if v.is_empty() => Ok(None),
            Ok(v) => Ok(Some(v)),
            Err(e) => Err(format!("The remarks {}", e.message)),
        }
    }

    /// The remarks' length in characters, as the limit counts them.
    pub fn remarks_len(&self) -> usize {
        self.remarks.value().trim().chars().count()
    }

    /// Go to the fulfilment of the selected offer (what was typed before is kept).
    fn start_fulfil(&mut self, accepted_here: bool) {
        self.step = Step::Fulfil;
        self.accepted_here = accepted_here;
        self.fulfil = Submit::default();
        self.fulfilment = None;
    }

    fn set_status(&mut self, status: &str) {
        if let Some(o) = self.offers.get_mut(self.selected) {
            o.offer_status = status.to_string();
        }
    }

    fn respond_key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
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
                // A refusal named the offer it was about: moving on clears it.
                Some(Action::ItemUp) => {
                    self.selected = self.selected.saturating_sub(1);
                    self.submit.error = None;
                }
                Some(Action::ItemDown) => {
                    self.selected = (self.selected + 1).min(self.offers.len().saturating_sub(1));
                    self.submit.error = None;
                }
                Some(Action::ChoicePrev | Action::ChoiceNext) => self.accept = !self.accept,
                Some(Action::Accept) => self.accept = true,
                Some(Action::Decline) => self.accept = false,
                Some(Action::Confirm) => match self.offer() {
                    Some(o) if o.offer_status == "FULFILLED" => {
                        self.submit.error = Some(Failure::new(
                            "This offer is already fulfilled and cannot change",
                            None,
                        ));
                    }
                    // Already accepted: on to its fulfilment, no second accept.
                    Some(o) if o.offer_status == "ACCEPTED" && self.accept => {
                        self.submit.error = None;
                        self.start_fulfil(false);
                    }
                    Some(_) => self.submit.ask_confirm(),
                    None => {}
                },
                _ => {}
            },
        }
        true
    }

    fn fulfil_key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        // A character typed into the remarks is text, even one bound to an action.
        let typing = self.fulfil.phase == Phase::Editing && typed_char(&k).is_some();
        let act = match typing {
            true => None,
            false => app.keymap.action_in(Context::Offer, &k),
        };
        match self.fulfil.key(act) {
            SubmitKey::Close => return false,
            SubmitKey::Stay => {}
            SubmitKey::Send => {
                let Some(o) = self.offer().cloned() else {
                    return true;
                };
                let remarks = match self.remarks_value() {
                    Ok(r) => r,
                    Err(why) => {
                        self.fulfil.error = Some(Failure::new(why, None));
                        self.fulfil.phase = Phase::Editing;
                        return true;
                    }
                };
                let op = WriteOp::fulfil(&self.customer, &o.offer_id, remarks.as_deref());
                let note = AuditNote {
                    customer: self.customer.clone(),
                    action: op.action(),
                    old: Some(format!("{} {}", o.offer_id, o.offer_status.to_lowercase())),
                    new: Some(match &remarks {
                        // Free text: masked as the log masks any (emails, long digit runs).
                        Some(r) => format!(
                            "{} fulfilled, remarks: {}",
                            o.offer_id,
                            crate::audit::scrub(&safe(r))
                        ),
                        None => format!("{} fulfilled, no remarks", o.offer_id),
                    }),
                    ..AuditNote::default()
                };
                app.submit_write(&mut self.fulfil, op, note, fx);
            }
            SubmitKey::Edit => match act {
                Some(Action::Back) if self.accepted_here => {
                    app.status.notice = Some(
                        "Offer accepted; not fulfilled (o, then enter on it, fulfils it later)"
                            .into(),
                    );
                    return false;
                }
                Some(Action::Back) => {
                    self.fulfil.error = None;
                    self.step = Step::Respond;
                }
                Some(Action::Confirm) => match self.remarks_value() {
                    Err(why) => self.fulfil.error = Some(Failure::new(why, None)),
                    Ok(_) => self.fulfil.ask_confirm(),
                },
                // Typing the remarks: raw keys (characters, the cursor keys, deleting).
                _ => {
                    if self
                        .remarks
                        .handle_event(&crossterm::event::Event::Key(k))
                        .is_some_and(|c| c.value)
                    {
                        self.fulfil.error = None;
                    }
                }
            },
        }
        true
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
        self.overlay = Some(Overlay::Offer(Box::new(OfferDialog::new(
            c.id.clone(),
            safe(&format!("{} {}", d.given_name, d.family_name)),
            offers,
        ))));
    }
}

impl crate::tui::dialog::Dialog for OfferDialog {
    fn name(&self) -> &'static str {
        "offer response"
    }

    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        match self.step {
            Step::Respond => self.respond_key(app, k, fx),
            Step::Fulfil => self.fulfil_key(app, k, fx),
        }
    }

    /// Pasted text goes into the remarks (line breaks and tabs become spaces).
    fn paste(&mut self, _app: &mut App, text: &str, _fx: &mut Vec<Effect>) {
        if self.step != Step::Fulfil || self.fulfil.phase != Phase::Editing {
            return;
        }
        for c in text.chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if !c.is_control() {
                self.remarks.handle(InputRequest::InsertChar(c));
            }
        }
        self.fulfil.error = None;
    }

    fn reply(&mut self, app: &mut App, msg: Msg, fx: &mut Vec<Effect>) -> Option<Msg> {
        let Msg::Written { seq, outcome } = msg else {
            return Some(msg);
        };
        let written = if self.submit.pending == Some(seq) {
            let now = match &outcome.result {
                Ok(Answer::Offer(o)) => Some(o.offer_status.clone()),
                _ => None,
            };
            let ok = self.submit.answered(seq, outcome) == Some(true);
            if ok {
                let now =
                    now.unwrap_or_else(|| if self.accept { "ACCEPTED" } else { "DECLINED" }.into());
                self.set_status(&now);
                if self.accept && now == "ACCEPTED" {
                    self.start_fulfil(true);
                }
            }
            ok
        } else if self.fulfil.pending == Some(seq) {
            let done = match &outcome.result {
                Ok(Answer::Fulfilled(f)) => Some(f.clone()),
                _ => None,
            };
            let ok = self.fulfil.answered(seq, outcome) == Some(true);
            if ok {
                self.set_status(
                    done.as_ref()
                        .map(|f| f.offer_status.as_str())
                        .unwrap_or("FULFILLED"),
                );
                self.fulfilment = done;
            }
            ok
        } else {
            false
        };
        if written && app.customer.as_ref().is_some_and(|c| c.id == self.customer) {
            // The offers are in Citi's profile: only it is read again.
            fx.push(Effect::Reread {
                id: self.customer.clone(),
                parts: vec![CustomerRead::Profile],
            });
        }
        None
    }

    fn busy(&self) -> bool {
        self.submit.pending.is_some() || self.fulfil.pending.is_some()
    }

    fn typed(&self) -> bool {
        self.step == Step::Fulfil
            && !matches!(self.fulfil.phase, Phase::Done(_))
            && !self.remarks.value().trim().is_empty()
    }

    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::offer::draw(f, app, self)
    }
}
