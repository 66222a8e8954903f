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

mod keys;
mod open;

use tui_input::Input;

use super::{ContactKind, Failure, Passcode, Phase, Submit};
use crate::domain::email::Email;
use crate::domain::phone::{PartsPhone, RelayNumber};
use crate::domain::{mask, phone};
use crate::tui::effect::{AuditNote, ContactChange};
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
