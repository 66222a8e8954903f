//! Add phone (Relay): number (10 or 11 digits, grouped as typed), phone type, country
//! code (default 1) and a required consent choice whose wording is shown for the agent
//! to read to the caller. A confirm step, then the `PUT`; a limit (50 phones per
//! customer, 50 customers per number) or duplicate comes back as a readable message
//! with everything typed kept.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Failure, KeyedWrite};
use crate::api::ops::Answer;
use crate::api::wire::relay;
use crate::domain::choice::{Consent, PhoneType};
use crate::domain::mask;
use crate::domain::phone::{CountryCode, RelayNumber};
use crate::tui::app::{App, Overlay};
use crate::tui::effect::{AuditNote, Effect, WriteOp};
use crate::tui::msg::{Msg, Outcome, WriteError};
use crate::tui::view::safe;

pub const MAX_DIGITS: usize = RelayNumber::MAX_DIGITS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Number,
    Type,
    Country,
    Consent,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Number, Field::Type, Field::Country, Field::Consent];
    pub fn label(self) -> &'static str {
        match self {
            Field::Number => "Number",
            Field::Type => "Phone type",
            Field::Country => "Country code",
            Field::Consent => "Consent",
        }
    }
    /// The field's name in Relay's request and in a bulk CSV file.
    pub fn column(self) -> &'static str {
        match self {
            Field::Number => "phone_number",
            Field::Type => "phone_type",
            Field::Country => "country_code",
            Field::Consent => "consent_type",
        }
    }
    fn step(self, by: isize) -> Field {
        let i = Field::ALL.iter().position(|f| *f == self).unwrap_or(0) as isize;
        let n = Field::ALL.len() as isize;
        Field::ALL[((i + by).rem_euclid(n)) as usize]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Editing,
    Confirming,
    Sending,
    Done { message: String },
}

#[derive(Debug, Clone)]
pub struct AddPhoneDialog {
    pub customer: String,
    pub name: String,
    pub field: Field,
    /// Digits only; drawn grouped with `domain::phone::format_typed`.
    pub number: String,
    pub phone_type: usize,
    pub country: Input,
    pub consent: Option<usize>,
    pub step: Step,
    /// A field failing a local rule, shown once the agent tries to go on.
    pub problem: Option<(Field, String)>,
    /// What the backend answered, in words, with its correlation id.
    pub error: Option<Failure>,
    pub pending: Option<u64>,
    pub key: Option<KeyedWrite>,
    pub correlation_id: Option<String>,
}

impl AddPhoneDialog {
    pub fn new(customer: &str, name: &str) -> AddPhoneDialog {
        AddPhoneDialog {
            customer: customer.to_string(),
            name: name.to_string(),
            field: Field::Number,
            number: String::new(),
            phone_type: 0,
            country: Input::new("1".into()),
            consent: None,
            step: Step::Editing,
            problem: None,
            error: None,
            pending: None,
            key: None,
            correlation_id: None,
        }
    }

    pub fn consent_name(&self) -> Option<&'static str> {
        self.consent.map(|i| Consent::ALL[i].as_str())
    }

    pub fn phone_type_name(&self) -> &'static str {
        PhoneType::ALL[self.phone_type].as_str()
    }

    pub fn country_code(&self) -> String {
        self.country.value().trim().to_string()
    }

    /// The first local rule broken, by field: the rules Relay's server and the CSV
    /// planner apply.
    pub fn problem_now(&self) -> Option<(Field, String)> {
        if let Err(e) = RelayNumber::parse(Field::Number.column(), &self.number) {
            return Some((Field::Number, e.message));
        }
        if let Err(e) = CountryCode::parse(Field::Country.column(), &self.country_code()) {
            return Some((Field::Country, e.message));
        }
        if self.consent.is_none() {
            return Some((
                Field::Consent,
                format!(
                    "choose {} or {}: the customer's consent is required",
                    Consent::NAMES[..Consent::NAMES.len() - 1].join(", "),
                    Consent::NAMES[Consent::NAMES.len() - 1]
                ),
            ));
        }
        None
    }

    /// The write the form describes.
    pub fn write(&self) -> WriteOp {
        WriteOp::add_phone(
            &self.customer,
            &self.number,
            self.consent_name().unwrap_or_default(),
            self.phone_type_name(),
            Some(&self.country_code()),
            None,
        )
    }

    /// `+44 •••••••0999 (mobile, consent express)`: for the audit log and the result.
    pub fn masked(&self) -> String {
        format!(
            "+{} {} ({}, consent {})",
            self.country_code(),
            mask::phone(&self.number),
            self.phone_type_name(),
            self.consent_name().unwrap_or("none")
        )
    }

    fn choose(&mut self, by: isize) {
        match self.field {
            Field::Type => {
                let n = PhoneType::ALL.len() as isize;
                self.phone_type = (self.phone_type as isize + by).rem_euclid(n) as usize;
            }
            Field::Consent => {
                let n = Consent::ALL.len();
                self.consent = Some(match self.consent {
                    None if by < 0 => n - 1,
                    None => 0,
                    Some(i) => (i as isize + by).rem_euclid(n as isize) as usize,
                });
            }
            _ => {}
        }
    }
}

/// A Relay refusal in words an agent can read out: the limit and duplicate conflicts
/// without the status prefix.
pub fn readable(e: &WriteError) -> String {
    match e.message.split_once("Conflict: ") {
        Some((_, rest)) => format!("Not added: {rest}"),
        None => format!("Error: {}", e.message),
    }
}

impl App {
    /// Open the add-phone dialog on the open customer. The caller of this has passed
    /// [`App::contact_edit_gate`].
    pub(crate) fn open_add_phone(&mut self) {
        let Some(c) = &self.customer else { return };
        let Some(d) = c.details.ready() else { return };
        let name = safe(&format!("{} {}", d.given_name, d.family_name));
        self.overlay = Some(Overlay::AddPhone(Box::new(AddPhoneDialog::new(
            &c.id, &name,
        ))));
    }

    /// A key in the add-phone dialog; false closes it.
    pub(crate) fn add_phone_key(
        &mut self,
        d: &mut AddPhoneDialog,
        k: KeyEvent,
        fx: &mut Vec<Effect>,
    ) -> bool {
        match d.step {
            Step::Editing => match k.code {
                KeyCode::Esc => return false,
                KeyCode::Tab | KeyCode::Down => d.field = d.field.step(1),
                KeyCode::BackTab | KeyCode::Up => d.field = d.field.step(-1),
                KeyCode::Enter => match d.problem_now() {
                    Some((f, why)) => {
                        d.field = f;
                        d.problem = Some((f, why));
                    }
                    None => {
                        d.problem = None;
                        d.error = None;
                        d.step = Step::Confirming;
                    }
                },
                KeyCode::Left if matches!(d.field, Field::Type | Field::Consent) => d.choose(-1),
                KeyCode::Right | KeyCode::Char(' ')
                    if matches!(d.field, Field::Type | Field::Consent) =>
                {
                    d.choose(1)
                }
                KeyCode::Char(c) if d.field == Field::Type => {
                    if let Some(i) = PhoneType::NAMES.iter().position(|t| t.starts_with(c)) {
                        d.phone_type = i;
                    }
                }
                KeyCode::Char(c) if d.field == Field::Consent => {
                    if let Some(i) = Consent::NAMES.iter().position(|t| t.starts_with(c)) {
                        d.consent = Some(i);
                        if d.problem.as_ref().is_some_and(|p| p.0 == Field::Consent) {
                            d.problem = None;
                        }
                    }
                }
                KeyCode::Char(c)
                    if d.field == Field::Number
                        && c.is_ascii_digit()
                        && d.number.len() < MAX_DIGITS =>
                {
                    d.number.push(c);
                    d.error = None;
                    if d.problem.as_ref().is_some_and(|p| p.0 == Field::Number) {
                        d.problem = None;
                    }
                }
                KeyCode::Backspace if d.field == Field::Number => {
                    d.number.pop();
                    d.error = None;
                }
                _ if d.field == Field::Country => {
                    let accept = match k.code {
                        KeyCode::Char(c) => c.is_ascii_digit() && d.country.value().len() < 3,
                        _ => true,
                    };
                    if accept {
                        d.country.handle_event(&crossterm::event::Event::Key(k));
                        if d.problem.as_ref().is_some_and(|p| p.0 == Field::Country) {
                            d.problem = None;
                        }
                    }
                }
                _ => {}
            },
            Step::Confirming => match k.code {
                KeyCode::Esc => d.step = Step::Editing,
                KeyCode::Enter => self.send_add_phone(d, fx),
                _ => {}
            },
            Step::Sending => {
                if k.code == KeyCode::Esc {
                    self.status.notice = Some(
                        "Closed while adding the phone; its outcome goes to the audit log".into(),
                    );
                    return false;
                }
            }
            Step::Done { .. } => {
                if matches!(k.code, KeyCode::Esc | KeyCode::Enter) {
                    return false;
                }
            }
        }
        true
    }

    fn send_add_phone(&mut self, d: &mut AddPhoneDialog, fx: &mut Vec<Effect>) {
        let write = d.write();
        if let Err(why) = self.may_send(&write) {
            d.error = Some(Failure::new(why, None));
            d.step = Step::Editing;
            return;
        }
        let WriteOp::AddPhone { number, body, .. } = &write else {
            return;
        };
        let key = KeyedWrite::for_body(&mut d.key, &(number, body));
        let seq = self.next_seq();
        d.pending = Some(seq);
        d.error = None;
        d.step = Step::Sending;
        let note = AuditNote {
            customer: d.customer.clone(),
            action: write.action(),
            new: Some(d.masked()),
            ..AuditNote::default()
        };
        fx.push(Effect::Write {
            seq,
            op: write,
            key,
            note,
        });
    }

    pub(crate) fn phone_added(
        &mut self,
        d: &mut AddPhoneDialog,
        seq: u64,
        outcome: Outcome<Answer, WriteError>,
        fx: &mut Vec<Effect>,
    ) {
        if d.pending != Some(seq) {
            return;
        }
        let outcome = outcome.pick(|a| match a {
            Answer::Phone(m) => Some(m),
            _ => None,
        });
        d.pending = None;
        d.correlation_id = outcome.correlation_id.clone();
        match outcome.result {
            Ok(m) => {
                d.key = None;
                self.status.notice = Some(format!("Phone added: {}", d.masked()));
                d.step = Step::Done {
                    message: safe(&m.message),
                };
                if self.customer.as_ref().is_some_and(|c| c.id == d.customer) {
                    let id = d.customer.clone();
                    self.reload_customer(id, fx);
                }
            }
            Err(e) => {
                if !e.is_transient() {
                    d.key = None;
                }
                d.error = Some(Failure::new(readable(&e), outcome.correlation_id));
                // Back to the form with everything typed kept; a transient failure
                // keeps the key, so sending the same again is the same write.
                d.step = Step::Editing;
            }
        }
    }
}

/// The wording for the dialog's consent choice, or a prompt to choose.
pub fn wording(d: &AddPhoneDialog) -> &'static str {
    match d.consent_name() {
        Some(c) => relay::consent_wording(c),
        None => "Choose the consent the customer gives; its wording is shown here to read out.",
    }
}

impl crate::tui::dialog::Dialog for AddPhoneDialog {
    fn name(&self) -> &'static str {
        "add-phone dialog"
    }
    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        app.add_phone_key(self, k, fx)
    }
    fn paste(&mut self, _app: &mut App, text: &str, _fx: &mut Vec<Effect>) {
        if self.step == Step::Editing && self.field == Field::Number {
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            self.number = format!("{}{digits}", self.number)
                .chars()
                .take(MAX_DIGITS)
                .collect();
            self.error = None;
        }
    }
    fn reply(&mut self, app: &mut App, msg: Msg, fx: &mut Vec<Effect>) -> Option<Msg> {
        let Msg::Written { seq, outcome } = msg else {
            return Some(msg);
        };
        app.phone_added(self, seq, outcome, fx);
        None
    }
    fn busy(&self) -> bool {
        self.pending.is_some()
    }
    fn typed(&self) -> bool {
        !self.number.is_empty()
    }
    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::add_phone::draw(f, app, self)
    }
}
