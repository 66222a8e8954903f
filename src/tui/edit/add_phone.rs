//! Add phone (Relay): number (10 or 11 digits, grouped as typed), phone type, country
//! code (default 1) and a required consent choice whose wording is shown for the agent
//! to read to the caller. A confirm step, then the `PUT`; a limit (50 phones per
//! customer, 50 customers per number) or duplicate comes back as a readable message
//! with everything typed kept.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Phase, Submit, SubmitKey, typed_char};
use crate::api::wire::relay;
use crate::domain::choice::{Consent, PhoneType};
use crate::domain::mask;
use crate::domain::phone::{CountryCode, RelayNumber};
use crate::tui::app::{App, Overlay};
use crate::tui::effect::{AuditNote, Effect, WriteOp};
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::{Msg, WriteError};
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
    /// The country code is the default the records suggested: the first key typed
    /// there replaces it (Backspace clears it).
    pub country_default: bool,
    /// A field failing a local rule, shown once the agent tries to go on.
    pub problem: Option<(Field, String)>,
    /// Confirm, send, the answer: the shared submit machine.
    pub submit: Submit,
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
            country_default: true,
            problem: None,
            submit: Submit::default(),
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

    /// `+44 ••••••0999 (mobile, consent express)`: for the audit log and the result.
    pub fn masked(&self) -> String {
        format!(
            "{} ({}, consent {})",
            mask::phone_in(&self.country_code(), &self.number),
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
        let mut dialog = AddPhoneDialog::new(&c.id, &name);
        // The country code the customer's records suggest: their phones' (a mobile's
        // first), else their address's country; Relay's default 1 when neither says.
        let from_phones = c.profile.ready().and_then(|p| {
            p.phones
                .iter()
                .find(|ph| ph.phone_type == "MOBILE")
                .or(p.phones.first())
                .map(|ph| ph.phone_country_code.trim_start_matches('+').to_string())
        });
        let from_address = d
            .addresses
            .first()
            .and_then(|a| calling_code(&a.country_code))
            .map(str::to_string);
        if let Some(cc) = from_phones
            .filter(|cc| CountryCode::parse("country_code", cc).is_ok())
            .or(from_address)
        {
            dialog.country = Input::new(cc);
        }
        self.overlay = Some(Overlay::AddPhone(Box::new(dialog)));
    }
}

/// The calling code of a country the sandbox's customers live in (ISO 3166 alpha-2).
fn calling_code(country: &str) -> Option<&'static str> {
    Some(match country.to_ascii_uppercase().as_str() {
        "GB" | "UK" => "44",
        "IE" => "353",
        "US" | "CA" => "1",
        "FR" => "33",
        "DE" => "49",
        _ => return None,
    })
}

/// The wording for the dialog's consent choice, or a prompt to choose.
pub fn wording(d: &AddPhoneDialog) -> &'static str {
    match d.consent_name() {
        Some(c) => relay::consent_wording(c),
        None => "Choose the consent the customer gives; its wording is shown here to read out.",
    }
}

impl AddPhoneDialog {
    /// A key while the form is being filled in; false closes the dialog.
    fn edit_key(&mut self, act: Option<Action>, k: KeyEvent) -> bool {
        let choice = matches!(self.field, Field::Type | Field::Consent);
        match act {
            Some(Action::Back) => return false,
            Some(Action::NextField | Action::ItemDown) => self.field = self.field.step(1),
            Some(Action::PrevField | Action::ItemUp) => self.field = self.field.step(-1),
            Some(Action::Confirm) => match self.problem_now() {
                Some((f, why)) => {
                    self.field = f;
                    self.problem = Some((f, why));
                }
                None => {
                    self.problem = None;
                    self.submit.ask_confirm();
                }
            },
            Some(Action::ChoicePrev) if choice => self.choose(-1),
            Some(Action::ChoiceNext) if choice => self.choose(1),
            // Typing: digits in the number and the country code, a choice's initial.
            _ => match (self.field, k.code) {
                // The number takes digits only, so a letter there picks the phone type
                // or the consent by its initial (they share none): `e` for express.
                (Field::Number, KeyCode::Char(c)) if c.is_alphabetic() => {
                    if let Some(i) = PhoneType::NAMES.iter().position(|t| t.starts_with(c)) {
                        self.phone_type = i;
                    } else if let Some(i) = Consent::NAMES.iter().position(|t| t.starts_with(c)) {
                        self.consent = Some(i);
                        if self.problem.as_ref().is_some_and(|p| p.0 == Field::Consent) {
                            self.problem = None;
                        }
                    }
                }
                (Field::Type, KeyCode::Char(c)) => {
                    if let Some(i) = PhoneType::NAMES.iter().position(|t| t.starts_with(c)) {
                        self.phone_type = i;
                    }
                }
                (Field::Consent, KeyCode::Char(c)) => {
                    if let Some(i) = Consent::NAMES.iter().position(|t| t.starts_with(c)) {
                        self.consent = Some(i);
                        if self.problem.as_ref().is_some_and(|p| p.0 == Field::Consent) {
                            self.problem = None;
                        }
                    }
                }
                (Field::Number, KeyCode::Char(c))
                    if c.is_ascii_digit() && self.number.len() < MAX_DIGITS =>
                {
                    self.number.push(c);
                    self.submit.error = None;
                    if self.problem.as_ref().is_some_and(|p| p.0 == Field::Number) {
                        self.problem = None;
                    }
                }
                (Field::Number, KeyCode::Backspace) => {
                    self.number.pop();
                    self.submit.error = None;
                }
                (Field::Country, code) => {
                    let digit = matches!(code, KeyCode::Char(c) if c.is_ascii_digit());
                    let erase = matches!(code, KeyCode::Backspace | KeyCode::Delete);
                    // The suggested code goes at the first digit or erase typed.
                    if self.country_default && (digit || erase) {
                        self.country_default = false;
                        self.country = Input::default();
                        if erase {
                            return true;
                        }
                    }
                    let accept = match code {
                        KeyCode::Char(_) => digit && self.country.value().len() < 3,
                        _ => true,
                    };
                    if accept {
                        self.country.handle_event(&crossterm::event::Event::Key(k));
                        if self.problem.as_ref().is_some_and(|p| p.0 == Field::Country) {
                            self.problem = None;
                        }
                    }
                }
                _ => {}
            },
        }
        true
    }

    /// Send the form: the kept key when this body was sent before without a known
    /// outcome, else a fresh one.
    fn send(&mut self, app: &mut App, fx: &mut Vec<Effect>) {
        let write = self.write();
        let note = AuditNote {
            customer: self.customer.clone(),
            action: write.action(),
            new: Some(self.masked()),
            ..AuditNote::default()
        };
        app.submit_write(&mut self.submit, write, note, fx);
    }
}

impl crate::tui::dialog::Dialog for AddPhoneDialog {
    fn name(&self) -> &'static str {
        "add-phone dialog"
    }

    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        // In the number and country code a character is text, even one bound (Space
        // and letters act on a choice field).
        let typing = matches!(self.field, Field::Number | Field::Country)
            && self.submit.phase == Phase::Editing
            && typed_char(&k).is_some();
        let act = match typing {
            true => None,
            false => app.keymap.action_in(Context::AddPhone, &k),
        };
        match self.submit.key(act) {
            SubmitKey::Close => {
                if self.submit.phase == Phase::Sending {
                    app.status.notice = Some(
                        "Closed while adding the phone; its outcome goes to the audit log".into(),
                    );
                }
                false
            }
            SubmitKey::Stay => true,
            SubmitKey::Edit => self.edit_key(act, k),
            SubmitKey::Send => {
                self.send(app, fx);
                true
            }
        }
    }

    fn paste(&mut self, _app: &mut App, text: &str, _fx: &mut Vec<Effect>) {
        if self.submit.phase == Phase::Editing && self.field == Field::Number {
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            self.number = format!("{}{digits}", self.number)
                .chars()
                .take(MAX_DIGITS)
                .collect();
            self.submit.error = None;
        }
    }

    fn reply(&mut self, app: &mut App, msg: Msg, fx: &mut Vec<Effect>) -> Option<Msg> {
        let Msg::Written { seq, outcome } = msg else {
            return Some(msg);
        };
        // A refusal in words an agent can read out; the form keeps everything typed.
        if let Some(Ok(_)) = self.submit.answered_as(seq, outcome, readable) {
            app.status.notice = Some(format!("Phone added: {}", self.masked()));
            // Only what an added phone changes is read again: the phone lists and the
            // contact methods (with their consent), not the whole customer.
            if app.customer.as_ref().is_some_and(|c| c.id == self.customer) {
                fx.push(Effect::Reread {
                    id: self.customer.clone(),
                    parts: crate::tui::effect::CustomerRead::after_contact_change(
                        crate::tui::edit::ContactKind::Phone,
                    ),
                });
            }
        }
        None
    }

    fn busy(&self) -> bool {
        self.submit.pending.is_some()
    }

    fn typed(&self) -> bool {
        !self.number.is_empty()
    }

    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::add_phone::draw(f, app, self)
    }
}
