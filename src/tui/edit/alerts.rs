//! Subscribe to or unsubscribe from an alert, with its channel and threshold (Citi
//! `PUT /v1/communications/alerts/profilesAndSubscriptions`). The caller must be
//! verified: alerts go to the customer's phone and email.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Failure, Phase, Submit, SubmitKey, typed_char};
use crate::api::wire::citi;
use crate::domain::FieldError;
use crate::domain::alert::{self, Threshold};
use crate::domain::choice::Channel;
use crate::tui::app::{App, Overlay};
use crate::tui::effect::{AuditNote, CustomerRead, Effect, WriteOp};
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::Msg;
use crate::tui::view::safe;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Alert,
    Action,
    Channel,
    Threshold,
}

impl Field {
    const ALL: [Field; 4] = [
        Field::Alert,
        Field::Action,
        Field::Channel,
        Field::Threshold,
    ];
    fn step(self, by: isize) -> Field {
        let i = Field::ALL.iter().position(|f| *f == self).unwrap_or(0) as isize;
        Field::ALL[(i + by).rem_euclid(4) as usize]
    }
}

#[derive(Debug, Clone)]
pub struct AlertsDialog {
    pub customer: String,
    pub name: String,
    pub alerts: Vec<citi::Alert>,
    pub selected: usize,
    pub field: Field,
    pub subscribe: bool,
    pub channel: usize,
    /// An amount, or empty for none.
    pub threshold: Input,
    pub submit: Submit,
}

impl AlertsDialog {
    pub fn alert(&self) -> Option<&citi::Alert> {
        self.alerts.get(self.selected)
    }

    /// Start from what the selected alert is now: an enrolled one offers to
    /// unsubscribe, an eligible one to subscribe.
    fn reset_choices(&mut self) {
        let Some(a) = self.alert() else { return };
        let enrolled = a.alert_status == "ENROLLED";
        let channel = a
            .channel
            .as_deref()
            .and_then(|c| Channel::parse("channel", c).ok())
            .unwrap_or(Channel::Sms)
            .index();
        let threshold = a
            .threshold
            .as_ref()
            .map(|t| format!("{:.2}", t.amount))
            .unwrap_or_default();
        self.subscribe = !enrolled;
        self.channel = channel;
        self.threshold = Input::new(threshold);
        self.submit.error = None;
    }

    /// The threshold typed, checked by the rules the server and the CSV planner apply:
    /// an amount more than 0 and at most 1,000,000, required by the alerts that take
    /// one and refused by the others; empty is none. The error names the field
    /// `threshold`.
    pub fn threshold_check(&self) -> Result<Option<f64>, FieldError> {
        let v = self.threshold.value().trim();
        let typed = if v.is_empty() {
            None
        } else {
            Some(Threshold::parse("threshold", v)?)
        };
        let Some(def) = self.alert().and_then(|a| alert::alert(&a.alert_code)) else {
            return Ok(typed.map(Threshold::amount));
        };
        Ok(def
            .check_threshold("threshold", typed)?
            .map(Threshold::amount))
    }

    /// [`Self::threshold_check`] in the dialog's words.
    pub fn threshold_value(&self) -> Result<Option<f64>, String> {
        let v = self.threshold.value().trim();
        if !v.is_empty() && Threshold::parse("threshold", v).is_err() {
            return Err(format!(
                "the threshold is an amount above 0 and at most {:.0}, like 250.00",
                Threshold::MAX
            ));
        }
        self.threshold_check().map_err(|e| e.to_string())
    }

    /// Whether the selected alert needs a threshold.
    pub fn takes_threshold(&self) -> bool {
        self.alert()
            .and_then(|a| alert::alert(&a.alert_code))
            .is_some_and(|a| a.takes_threshold)
    }

    /// The channel chosen.
    pub fn channel(&self) -> Channel {
        Channel::ALL[self.channel]
    }

    /// `SMS 50.00`, `unsubscribed`, `eligible`: for the audit log and the summary.
    pub fn describe_now(a: &citi::Alert) -> String {
        if a.alert_status != "ENROLLED" {
            return "not enrolled".into();
        }
        let mut s = a.channel.clone().unwrap_or_default();
        if let Some(t) = &a.threshold {
            s.push_str(&format!(" {:.2} {}", t.amount, t.currency));
        }
        s
    }

    pub fn describe_new(&self) -> String {
        if !self.subscribe {
            return "unsubscribed".into();
        }
        let mut s = self.channel().as_str().to_string();
        if let Ok(Some(t)) = self.threshold_value() {
            s.push_str(&format!(" {t:.2}"));
        }
        s
    }
}

impl App {
    pub(crate) fn open_alerts(&mut self) {
        let Some(c) = &self.customer else { return };
        let Some(d) = c.details.ready() else { return };
        let alerts = match c.alerts.ready_or(
            "Wait for the alerts to load",
            "The alerts did not load, so they cannot be changed; r reloads",
        ) {
            Ok(a) => a.alerts.clone(),
            Err(notice) => {
                self.status.notice = Some(notice);
                return;
            }
        };
        if alerts.is_empty() {
            self.status.notice = Some("No alerts are offered to this customer".into());
            return;
        }
        let mut dialog = AlertsDialog {
            customer: c.id.clone(),
            name: safe(&format!("{} {}", d.given_name, d.family_name)),
            alerts,
            selected: 0,
            field: Field::Alert,
            subscribe: true,
            channel: 1,
            threshold: Input::default(),
            submit: Submit::default(),
        };
        dialog.reset_choices();
        self.overlay = Some(Overlay::Alerts(Box::new(dialog)));
    }
}

impl crate::tui::dialog::Dialog for AlertsDialog {
    fn name(&self) -> &'static str {
        "alert subscription"
    }

    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        // A character typed into the threshold is text, even one bound to an action.
        let typing = self.field == Field::Threshold
            && self.submit.phase == Phase::Editing
            && typed_char(&k).is_some();
        let act = match typing {
            true => None,
            false => app.keymap.action_in(Context::Alerts, &k),
        };
        match self.submit.key(act) {
            SubmitKey::Close => return false,
            SubmitKey::Stay => {}
            SubmitKey::Send => {
                let Some(a) = self.alert().cloned() else {
                    return true;
                };
                let threshold = self.threshold_value().ok().flatten();
                let op = if self.subscribe {
                    WriteOp::subscribe(
                        &self.customer,
                        &a.alert_code,
                        self.channel().as_str(),
                        threshold,
                    )
                } else {
                    WriteOp::unsubscribe(&self.customer, &a.alert_code)
                };
                let note = AuditNote {
                    customer: self.customer.clone(),
                    action: op.action(),
                    old: Some(format!(
                        "{} {}",
                        a.alert_code,
                        AlertsDialog::describe_now(&a)
                    )),
                    new: Some(format!("{} {}", a.alert_code, self.describe_new())),
                    ..AuditNote::default()
                };
                app.submit_write(&mut self.submit, op, note, fx);
            }
            SubmitKey::Edit => match act {
                Some(Action::Back) => return false,
                Some(Action::NextField) => self.field = self.field.step(1),
                Some(Action::PrevField) => self.field = self.field.step(-1),
                Some(Action::ItemUp) if self.field == Field::Alert => {
                    self.selected = self.selected.saturating_sub(1);
                    self.reset_choices();
                }
                Some(Action::ItemDown) if self.field == Field::Alert => {
                    self.selected = (self.selected + 1).min(self.alerts.len().saturating_sub(1));
                    self.reset_choices();
                }
                Some(Action::ChoicePrev | Action::ChoiceNext) if self.field == Field::Action => {
                    self.subscribe = !self.subscribe;
                }
                Some(Action::ChoicePrev) if self.field == Field::Channel => {
                    self.channel = (self.channel + Channel::ALL.len() - 1) % Channel::ALL.len()
                }
                Some(Action::ChoiceNext) if self.field == Field::Channel => {
                    self.channel = (self.channel + 1) % Channel::ALL.len()
                }
                Some(Action::Confirm) => match self.threshold_value() {
                    Err(why) if self.subscribe => {
                        self.field = Field::Threshold;
                        self.submit.error = Some(Failure::new(why, None));
                    }
                    _ => self.submit.ask_confirm(),
                },
                // Typing the threshold: raw keys (digits and a point; the cursor keys).
                _ if self.field == Field::Threshold => {
                    let ok = match k.code {
                        KeyCode::Char(c) => c.is_ascii_digit() || c == '.',
                        _ => true,
                    };
                    if ok {
                        self.threshold
                            .handle_event(&crossterm::event::Event::Key(k));
                        self.submit.error = None;
                    }
                }
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
            // Only the alerts and their history are read again.
            fx.push(Effect::Reread {
                id: self.customer.clone(),
                parts: vec![CustomerRead::Alerts, CustomerRead::History],
            });
        }
        None
    }

    fn busy(&self) -> bool {
        self.submit.pending.is_some()
    }

    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::alerts::draw(f, app, self)
    }
}
