//! Update email / update phone through Citi's passcode flow.
//!
//! Steps: **edit** (old and new side by side; local rules from `domain::validate` as
//! the agent types, then NewDay's format check 300 ms after the last keystroke, latest
//! answer wins) → **confirm** → Citi `PUT` answers 202 and texts the customer a
//! passcode → **passcode** (the six digits the customer reads back, shown as bullets,
//! never logged) → **done** with the correlation id, and the customer reloaded.
//!
//! A wrong passcode says how many attempts are left and keeps the dialog open; a flow
//! locked after three wrong passcodes, expired or already used says so and offers to
//! start again (a new request with a fresh Idempotency-Key, so a new passcode). A
//! failure that may or may not have been applied (server error, timeout) keeps the step
//! and its Idempotency-Key, so enter retries the same submission; any other refusal
//! goes back to editing with the typed value kept.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{ContactKind, Failure, Passcode, Phase, Submit, SubmitKey, typed_char};
use crate::api::ops::Answer;
use crate::api::wire::citi;
use crate::domain::email::Email;
use crate::domain::phone::{PartsPhone, RelayNumber};
use crate::domain::{mask, phone};
use crate::tui::app::{App, Overlay};
use crate::tui::effect::{AuditNote, ContactChange, Effect, WriteOp};
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::{Msg, Outcome, WriteError};
use crate::tui::view::safe;

/// Quiet time after the last keystroke before NewDay is asked.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// What is being replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The Citi key of the email or phone replaced; `None` adds one.
    pub key: Option<i64>,
    /// `personal email`, `mobile phone`...
    pub label: String,
    /// The current value, masked (or `none`).
    pub old_masked: String,
    /// The current value normalised (lower-case email, national phone digits), to
    /// refuse "changing" to the same value.
    old_norm: String,
    /// Phones: `MOBILE`, `HOME`, `WORK`, `OTHER` (kept).
    pub phone_type: String,
    /// Phones: the country calling code (kept).
    pub country_code: String,
    /// Emails: the preferred flag (kept; an added email becomes preferred).
    pub preferred: bool,
}

/// How the typed value stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    Empty,
    /// Fails a local rule: the message names what is wrong.
    Invalid(String),
    /// Locally fine; NewDay's answer is awaited.
    Checking,
    /// NewDay accepts it.
    Valid,
    /// Locally fine, and NewDay has no check for it (a landline, a non-UK number).
    LocalOnly,
    /// NewDay says it is not in a supported format.
    Rejected(String),
    /// NewDay could not be asked (the reason); enter asks again.
    Unavailable(String),
}

impl Check {
    pub fn accepted(&self) -> bool {
        matches!(self, Check::Valid | Check::LocalOnly)
    }
}

/// The passcode step.
#[derive(Debug, Clone, PartialEq)]
pub struct PasscodeStep {
    pub flow_id: String,
    /// The masked mobile the passcode went to.
    pub sent_to: String,
    pub code: Passcode,
    /// The last code was wrong: what the server said about attempts left.
    pub wrong: Option<String>,
    /// The flow cannot be confirmed any more (locked, expired, used): why.
    pub ended: Option<String>,
    /// The confirmation: typing the code, sending it, done (the shared submit
    /// machine; typing stays open after a failure, so there is no confirm phase).
    pub confirm: Submit,
}

impl PasscodeStep {
    pub fn sending(&self) -> bool {
        self.confirm.phase == Phase::Sending
    }
}

/// Where the dialog is, derived from its two writes (for drawing and tests).
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Editing,
    Confirming,
    /// The change request is in flight.
    Requesting,
    Passcode(Box<PasscodeStep>),
    Done {
        new_masked: String,
    },
}

impl Step {
    /// 1 to 4, for the step line.
    pub fn number(&self) -> usize {
        match self {
            Step::Editing => 1,
            Step::Confirming | Step::Requesting => 2,
            Step::Passcode(_) => 3,
            Step::Done { .. } => 4,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ContactDialog {
    pub kind: ContactKind,
    pub customer: String,
    pub name: String,
    pub target: Target,
    /// The new value: an email as typed, or a phone's digits.
    pub input: Input,
    pub check: Check,
    /// The latest format check (debounce timer and NewDay call share it).
    pub check_seq: u64,
    /// The change request: edit, confirm, send (the shared submit machine); done once
    /// Citi has sent the passcode.
    pub request: Submit,
    /// Once the request is answered: the passcode the customer reads back.
    pub passcode: Option<PasscodeStep>,
}

impl ContactDialog {
    /// The step the dialog is at.
    pub fn step(&self) -> Step {
        match &self.passcode {
            Some(p) if matches!(p.confirm.phase, Phase::Done(_)) => Step::Done {
                new_masked: self.new_masked(),
            },
            Some(p) => Step::Passcode(Box::new(p.clone())),
            None => match self.request.phase {
                Phase::Editing => Step::Editing,
                Phase::Confirming => Step::Confirming,
                Phase::Sending | Phase::Done(_) => Step::Requesting,
            },
        }
    }

    /// The last failure shown, with its correlation id.
    pub fn error(&self) -> Option<&Failure> {
        match &self.passcode {
            Some(p) => p.confirm.error.as_ref(),
            None => self.request.error.as_ref(),
        }
    }

    /// The correlation id of the last answer (shown on success and failure).
    pub fn correlation_id(&self) -> Option<&String> {
        self.passcode
            .as_ref()
            .and_then(|p| p.confirm.correlation_id.as_ref())
            .or(self.request.correlation_id.as_ref())
    }

    /// The typed value as it will be sent (email trimmed; phone digits).
    pub fn new_value(&self) -> String {
        self.input.value().trim().to_string()
    }

    /// The new value masked, for the audit log and the result.
    pub fn new_masked(&self) -> String {
        match self.kind {
            ContactKind::Email => mask::email(&self.new_value().to_lowercase()),
            ContactKind::Phone => mask::phone_in(&self.target.country_code, &self.new_value()),
        }
    }

    /// The new value as drawn while editing (phones grouped as typed).
    pub fn new_shown(&self) -> String {
        match self.kind {
            ContactKind::Email => safe(self.input.value()),
            ContactKind::Phone => phone::format_typed(self.input.value()),
        }
    }

    fn change(&self) -> ContactChange {
        let t = &self.target;
        match self.kind {
            ContactKind::Email => ContactChange::email(t.key, t.preferred, &self.new_value()),
            ContactKind::Phone => {
                ContactChange::phone(t.key, &t.phone_type, &t.country_code, &self.new_value())
            }
        }
    }

    fn note(&self, stage: &str) -> AuditNote {
        AuditNote {
            customer: self.customer.clone(),
            action: format!("{}.{stage}", self.kind.action()),
            old: Some(self.target.old_masked.clone()),
            new: Some(self.new_masked()),
            ..AuditNote::default()
        }
    }

    /// Local rules; `None` when the value passes them. The pure check the dialog runs
    /// on every keystroke: an email by the rule the server applies; a phone as the
    /// 10 or 11 digits of a full national number the customer reads out, then by the
    /// server's rule for the target's country code.
    pub fn local_problem(&self) -> Option<String> {
        let v = self.new_value();
        match self.kind {
            ContactKind::Email => match Email::parse("email", &v) {
                Err(e) => Some(e.message),
                Ok(norm) if norm.as_str() == self.target.old_norm => {
                    Some("is already this email: type the new address".into())
                }
                Ok(_) => None,
            },
            ContactKind::Phone => {
                let parts = RelayNumber::parse("phone", &v).and_then(|d| {
                    PartsPhone::parse(
                        |f| f.to_string(),
                        &self.target.country_code,
                        "",
                        d.as_str(),
                        "",
                    )
                });
                match parts {
                    Err(e) => Some(e.message),
                    Ok(p) if p.national() == self.target.old_norm => {
                        Some("is already this phone's number: type the new one".into())
                    }
                    Ok(_) => None,
                }
            }
        }
    }

    /// Whether NewDay has a format check for this value (emails always; phones when a
    /// UK mobile).
    fn remote_check(&self) -> bool {
        match self.kind {
            ContactKind::Email => true,
            ContactKind::Phone => {
                self.target.phone_type == "MOBILE" && self.target.country_code == "44"
            }
        }
    }
}

/// "2 attempts left" out of a wrong-passcode message.
pub fn attempts_left(message: &str) -> Option<String> {
    let i = message.find("attempt")?;
    let before = message[..i].trim_end();
    let n: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if n.is_empty() {
        return None;
    }
    let rest: String = message[i..]
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == ' ')
        .collect();
    Some(format!("{n} {}", rest.trim()))
}

impl App {
    /// Open the update dialog for the open customer's selected (or preferred) email or
    /// phone. The caller of this has passed [`App::contact_edit_gate`].
    pub(crate) fn open_contact(&mut self, kind: ContactKind) {
        let Some(c) = &self.customer else { return };
        let Some(d) = c.details.ready() else { return };
        let profile = match c.profile.ready_or(
            "Wait for the Citi profile to load",
            &format!(
                "The Citi profile did not load, so the {} cannot be changed; r reloads",
                kind.noun()
            ),
        ) {
            Ok(p) => p,
            Err(notice) => {
                self.status.notice = Some(notice);
                return;
            }
        };
        // The field under the profile cursor, when it is of this kind.
        let selected = self
            .profile_fields()
            .get(self.profile_cursor)
            .map(|f| f.field.clone())
            .unwrap_or_default();
        // A field the agent picked that Citi does not list is refused rather than
        // silently swapped for another.
        let not_in_citi = |app: &mut App| {
            app.status.notice = Some(format!(
                "The selected {} is not in the Citi profile, so it cannot be changed here",
                kind.noun()
            ));
        };
        let target = match kind {
            ContactKind::Email => {
                let picked = selected
                    .strip_prefix("email:")
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| d.contact.email_addresses.get(i));
                let chosen = match picked {
                    Some(nd) => match profile
                        .emails
                        .iter()
                        .find(|e| e.email_address.eq_ignore_ascii_case(&nd.value))
                    {
                        Some(e) => Some(e),
                        None => return not_in_citi(self),
                    },
                    None => profile
                        .emails
                        .iter()
                        .find(|e| e.preferred_email_flag)
                        .or_else(|| profile.emails.first()),
                };
                match chosen {
                    Some(e) => Target {
                        key: e.email_key,
                        label: if e.preferred_email_flag {
                            "preferred email".into()
                        } else {
                            "email".into()
                        },
                        old_masked: mask::email(&safe(&e.email_address)),
                        old_norm: e.email_address.to_lowercase(),
                        phone_type: String::new(),
                        country_code: String::new(),
                        preferred: e.preferred_email_flag,
                    },
                    None => Target {
                        key: None,
                        label: "email (none yet: adds one)".into(),
                        old_masked: "none".into(),
                        old_norm: String::new(),
                        phone_type: String::new(),
                        country_code: String::new(),
                        preferred: true,
                    },
                }
            }
            ContactKind::Phone => {
                let national_of = |p: &citi::Phone| {
                    phone::national(&format!(
                        "+{}{}{}",
                        p.phone_country_code.trim_start_matches('+'),
                        p.area_code,
                        p.phone_number
                    ))
                };
                let picked = selected
                    .strip_prefix("phone:")
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| d.contact.phone_numbers.get(i));
                let chosen = match picked {
                    Some(nd) => {
                        let n = phone::national(&nd.value);
                        match profile.phones.iter().find(|p| national_of(p) == n) {
                            Some(p) => Some(p),
                            None => return not_in_citi(self),
                        }
                    }
                    None => profile
                        .phones
                        .iter()
                        .find(|p| p.phone_type == "MOBILE")
                        .or_else(|| profile.phones.first()),
                };
                match chosen {
                    Some(p) => Target {
                        key: p.phone_key,
                        label: format!("{} phone", safe(&p.phone_type.to_lowercase())),
                        old_masked: mask::phone_in(
                            &p.phone_country_code,
                            &safe(&format!("{}{}", p.area_code, p.phone_number)),
                        ),
                        old_norm: national_of(p),
                        phone_type: p.phone_type.clone(),
                        country_code: p.phone_country_code.trim_start_matches('+').to_string(),
                        preferred: false,
                    },
                    None => Target {
                        key: None,
                        label: "mobile phone (none yet: adds one)".into(),
                        old_masked: "none".into(),
                        old_norm: String::new(),
                        phone_type: "MOBILE".into(),
                        country_code: "44".into(),
                        preferred: false,
                    },
                }
            }
        };
        let name = safe(&format!("{} {}", d.given_name, d.family_name));
        self.overlay = Some(Overlay::Contact(Box::new(ContactDialog {
            kind,
            customer: c.id.clone(),
            name,
            target,
            input: Input::default(),
            check: Check::Empty,
            check_seq: 0,
            request: Submit::default(),
            passcode: None,
        })));
    }
}

impl ContactDialog {
    /// The value changed: local rules now, NewDay after a quiet spell.
    fn typed_value(&mut self, app: &mut App, fx: &mut Vec<Effect>) {
        self.request.error = None;
        self.check_seq = app.next_seq();
        self.check = if self.new_value().is_empty() {
            Check::Empty
        } else if let Some(p) = self.local_problem() {
            Check::Invalid(p)
        } else if self.remote_check() {
            fx.push(Effect::Debounce {
                seq: self.check_seq,
                after: DEBOUNCE,
            });
            Check::Checking
        } else {
            Check::LocalOnly
        };
    }

    /// A key while the new value is typed.
    fn edit_key(&mut self, app: &mut App, act: Option<Action>, k: KeyEvent, fx: &mut Vec<Effect>) {
        match act {
            Some(Action::Confirm) => match &self.check {
                c if c.accepted() => self.request.ask_confirm(),
                Check::Unavailable(_) => {
                    self.check_seq = app.next_seq();
                    self.check = Check::Checking;
                    fx.push(Effect::VerifyContact {
                        seq: self.check_seq,
                        kind: self.kind,
                        value: self.new_value(),
                    });
                }
                Check::Empty => {
                    self.check = Check::Invalid(format!("type the new {}", self.kind.noun()))
                }
                _ => {}
            },
            _ => {
                let before = self.input.value().to_string();
                match self.kind {
                    ContactKind::Email => {
                        self.input.handle_event(&crossterm::event::Event::Key(k));
                    }
                    ContactKind::Phone => match k.code {
                        KeyCode::Char(c) if c.is_ascii_digit() && before.len() < 11 => {
                            self.input = Input::new(format!("{before}{c}"));
                        }
                        KeyCode::Backspace => {
                            let mut v = before.clone();
                            v.pop();
                            self.input = Input::new(v);
                        }
                        _ => {}
                    },
                }
                if self.input.value() != before {
                    self.typed_value(app, fx);
                }
            }
        }
    }

    /// A key at the passcode step; false closes the dialog.
    fn passcode_key(
        &mut self,
        app: &mut App,
        act: Option<Action>,
        k: KeyEvent,
        fx: &mut Vec<Effect>,
    ) -> bool {
        let Some(p) = &mut self.passcode else {
            return true;
        };
        match act {
            Some(Action::Back) => {
                app.status.notice = Some(format!(
                    "{} change abandoned: the customer's {} is unchanged",
                    capitalised(self.kind.noun()),
                    self.kind.noun()
                ));
                return false;
            }
            Some(Action::Confirm) if p.ended.is_some() => {
                // Start again: a new request, a new key, a new passcode.
                self.passcode = None;
                self.request.key = None;
                self.request.error = None;
                self.send_change(app, fx);
            }
            _ if p.ended.is_some() || p.sending() => {}
            Some(Action::Confirm) if !p.code.complete() => {
                p.wrong = Some(format!(
                    "type all {} digits the customer reads out",
                    Passcode::LEN
                ));
            }
            Some(Action::Confirm) => {
                let op = WriteOp::ConfirmChange {
                    customer: self.customer.clone(),
                    kind: self.kind,
                    flow: p.flow_id.clone(),
                    passcode: p.code.clone(),
                };
                let note = self.note("confirm");
                let Some(p) = &mut self.passcode else {
                    return true;
                };
                // Keyed by the flow and the code: another code is another write.
                let body = (p.flow_id.clone(), p.code.expose().to_string());
                app.submit_write_as(&mut p.confirm, op, note, &body, fx);
            }
            // Typing the passcode: raw keys.
            _ => match k.code {
                KeyCode::Backspace => {
                    p.code.pop();
                    p.confirm.error = None;
                }
                KeyCode::Char(c) if p.code.push(c) => {
                    p.wrong = None;
                    p.confirm.error = None;
                }
                _ => {}
            },
        }
        true
    }

    /// Send the change request: the kept key when this body was sent before and its
    /// outcome is unknown, else a fresh one.
    fn send_change(&mut self, app: &mut App, fx: &mut Vec<Effect>) {
        let op = WriteOp::RequestChange {
            customer: self.customer.clone(),
            change: self.change(),
        };
        let note = self.note("request");
        app.submit_write(&mut self.request, op, note, fx);
    }

    /// NewDay's verdict on the typed value, if it is still the latest.
    fn verified(&mut self, seq: u64, outcome: Outcome<crate::api::wire::newday::Verification>) {
        if self.check_seq != seq || self.step() != Step::Editing {
            return; // an older value's answer
        }
        self.check = match outcome.result {
            Ok(v) if v.is_valid => Check::Valid,
            Ok(v) => Check::Rejected(
                v.reason
                    .unwrap_or_else(|| "not in a supported format".into()),
            ),
            Err(e) => Check::Unavailable(e),
        };
    }

    /// The change request answered: the passcode step, or back where the agent can
    /// fix the value (a failure that may or may not have applied stays at confirm,
    /// where enter sends the same request again).
    fn requested(&mut self, seq: u64, outcome: Outcome<Answer, WriteError>) {
        match self
            .request
            .answered_as(seq, outcome, |e| e.message.clone())
        {
            Some(Ok(Answer::Flow(flow))) => {
                self.passcode = Some(PasscodeStep {
                    flow_id: flow.control_flow_id,
                    sent_to: safe(&flow.otp_sent_to),
                    code: Passcode::default(),
                    wrong: None,
                    ended: None,
                    confirm: Submit::default(),
                });
            }
            Some(Ok(_)) => {
                self.request.phase = Phase::Editing;
                self.request.error = Some(Failure::new(
                    "the answer is not the one this write expects",
                    self.request.correlation_id.clone(),
                ));
            }
            _ => {}
        }
    }

    /// The passcode answered: done, or what went wrong said at the passcode step.
    fn confirmed(
        &mut self,
        app: &mut App,
        seq: u64,
        outcome: Outcome<Answer, WriteError>,
        fx: &mut Vec<Effect>,
    ) {
        let noun = self.kind.noun();
        let new_masked = self.new_masked();
        let Some(p) = &mut self.passcode else {
            return;
        };
        let answer = p.confirm.answered_as(seq, outcome, |e| e.message.clone());
        match answer {
            None => {}
            Some(Ok(_)) => {
                app.status.notice = Some(format!("{} updated: {new_masked}", capitalised(noun)));
                if app.customer.as_ref().is_some_and(|c| c.id == self.customer) {
                    fx.push(Effect::ReloadContacts {
                        id: self.customer.clone(),
                        kind: self.kind,
                    });
                }
            }
            Some(Err(e)) => {
                // Typing stays open: the agent fixes the code or sends it again.
                p.confirm.phase = Phase::Editing;
                if e.is_transient() {
                    return; // same code, same key: enter sends it again
                }
                p.code = Passcode::default();
                p.confirm.error = None;
                match e.code.as_deref() {
                    Some("invalidOtp") => {
                        p.wrong = Some(match attempts_left(&e.message) {
                            Some(left) => format!("Wrong passcode: {left}"),
                            None => "Wrong passcode".into(),
                        });
                    }
                    Some("transactionDenied") => {
                        p.ended = Some(
                            "Locked: the passcode was wrong 3 times, so nothing changed".into(),
                        );
                    }
                    Some("invalidControlFlowId") => {
                        p.ended = Some(
                            "This passcode has expired or was already used; nothing changed".into(),
                        );
                    }
                    _ => p.ended = Some(e.message),
                }
            }
        }
    }
}

impl crate::tui::dialog::Dialog for ContactDialog {
    fn name(&self) -> &'static str {
        "contact change"
    }

    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        let step = self.step();
        // The dialog's actions in its context; while the agent types (the new value, the
        // passcode) a character is text, even one bound to an action.
        let typing = matches!(step, Step::Editing | Step::Passcode(_));
        let act = match typed_char(&k) {
            Some(_) if typing => None,
            _ => app.keymap.action_in(Context::Contact, &k),
        };
        match step {
            Step::Passcode(_) => return self.passcode_key(app, act, k, fx),
            Step::Done { .. } => {
                if matches!(act, Some(Action::Back | Action::Confirm)) {
                    return false;
                }
                if app.keymap.action(&k) == Some(Action::CopyCorrelation)
                    && let Some(c) = self.correlation_id().cloned()
                {
                    app.status.notice = Some(format!("Copied correlation id {c}"));
                    fx.push(Effect::Copy(c));
                }
                return true;
            }
            _ => {}
        }
        match self.request.key(act) {
            SubmitKey::Edit if act == Some(Action::Back) => return false,
            SubmitKey::Edit => self.edit_key(app, act, k, fx),
            SubmitKey::Send => self.send_change(app, fx),
            SubmitKey::Close => {
                app.status.notice = Some(format!(
                    "{} change abandoned; nothing was confirmed",
                    capitalised(self.kind.noun())
                ));
                return false;
            }
            SubmitKey::Stay => {}
        }
        true
    }

    fn paste(&mut self, app: &mut App, text: &str, fx: &mut Vec<Effect>) {
        if self.step() != Step::Editing {
            return;
        }
        let pasted = crate::tui::app::one_line(text);
        let v = match self.kind {
            ContactKind::Email => format!("{}{}", self.input.value(), pasted.trim()),
            ContactKind::Phone => format!(
                "{}{}",
                self.input.value(),
                pasted
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
            )
            .chars()
            .take(11)
            .collect(),
        };
        self.input = Input::new(v);
        self.typed_value(app, fx);
    }

    fn reply(&mut self, app: &mut App, msg: Msg, fx: &mut Vec<Effect>) -> Option<Msg> {
        match msg {
            Msg::Written { seq, outcome } if self.passcode.is_some() => {
                self.confirmed(app, seq, outcome, fx)
            }
            Msg::Written { seq, outcome } => self.requested(seq, outcome),
            // The debounce timer ran out: ask NewDay, if this is still the latest value.
            Msg::Debounced { seq } => {
                if self.check_seq == seq && self.check == Check::Checking {
                    fx.push(Effect::VerifyContact {
                        seq,
                        kind: self.kind,
                        value: self.new_value(),
                    });
                }
            }
            Msg::ContactVerified { seq, outcome } => self.verified(seq, outcome),
            other => return Some(other),
        }
        None
    }

    fn busy(&self) -> bool {
        self.request.pending.is_some()
            || self
                .passcode
                .as_ref()
                .is_some_and(|p| p.confirm.pending.is_some())
            || self.check == Check::Checking
    }

    fn typed(&self) -> bool {
        !self.input.value().is_empty()
    }

    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::contact::draw(f, app, self)
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_left_from_the_message() {
        assert_eq!(
            attempts_left("invalid input (400): the passcode is wrong: 2 attempts left [otp]")
                .as_deref(),
            Some("2 attempts left")
        );
        assert_eq!(
            attempts_left("the passcode is wrong: 1 attempt left").as_deref(),
            Some("1 attempt left")
        );
        assert_eq!(attempts_left("nope"), None);
    }
}
