//! bankingservice customers: create (`n`), edit the open customer (`E`) and delete it
//! (`D`, confirmed by typing the family name). Back-office work, so no caller
//! verification; it needs the `backoffice` client's scopes, and a refusal (403 for the
//! demo agent) comes back in words with the form kept.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Phase, Submit, SubmitKey};
use crate::api::ops::Answer;
use crate::api::wire::banking::BsCustomerInput;
use crate::domain::email::Email;
use crate::domain::person::{self, DateOfBirth, PersonName};
use crate::domain::phone::InternationalPhone;
use crate::domain::{FieldError, mask};
use crate::tui::app::{App, Overlay, Pane};
use crate::tui::effect::{AuditNote, Effect, WriteOp};
use crate::tui::msg::{Msg, Outcome, WriteError};
use crate::tui::view::safe;

pub const FIELDS: [&str; 6] = [
    "First name",
    "Last name",
    "Company",
    "Email",
    "Phone",
    "Date of birth",
];
/// Each field's name in bankingservice's body and in a bulk CSV file (the server and
/// the planner name a bad field so).
pub const COLUMNS: [&str; 6] = [
    "first_name",
    "last_name",
    "company",
    "email",
    "phone",
    "date_of_birth",
];
const FIRST: usize = 0;
const LAST: usize = 1;
const COMPANY: usize = 2;
const EMAIL: usize = 3;
const PHONE: usize = 4;
const DOB: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Create,
    /// Edit the open customer; empty fields stay as they are.
    Edit {
        id: String,
        /// What the fields held when opened: only changes are sent.
        initial: Vec<String>,
        /// The current email and phone, masked, shown beside their empty fields.
        email_masked: String,
        phone_masked: String,
    },
    /// Delete the open customer once the family name is typed back.
    Delete {
        id: String,
        family_name: String,
        reference: String,
    },
}

#[derive(Debug, Clone)]
pub struct CustomerDialog {
    pub mode: Mode,
    pub name: String,
    pub field: usize,
    pub inputs: Vec<Input>,
    /// Delete: the family name typed back.
    pub confirm: Input,
    pub problem: Option<(usize, String)>,
    pub submit: Submit,
}

impl CustomerDialog {
    fn value(&self, i: usize) -> String {
        self.inputs[i].value().trim().to_string()
    }

    /// The body to send, or the first field that breaks a local rule.
    pub fn input(&self) -> Result<BsCustomerInput, (usize, String)> {
        let today = chrono::Utc::now().date_naive();
        let initial = match &self.mode {
            Mode::Edit { initial, .. } => Some(initial),
            _ => None,
        };
        // Edit sends only what changed; create needs both names.
        let changed = |i: usize| -> bool { initial.is_none_or(|init| init[i] != self.value(i)) };
        let wanted = |i: usize| -> Option<String> {
            let v = self.value(i);
            (changed(i) && !v.is_empty()).then_some(v)
        };
        let e = |i: usize, f: FieldError| (i, f.message);
        let mut out = BsCustomerInput::default();
        if initial.is_none() || changed(FIRST) {
            out.first_name = Some(
                PersonName::parse(COLUMNS[FIRST], &self.value(FIRST))
                    .map_err(|x| e(FIRST, x))?
                    .into(),
            );
        }
        if initial.is_none() || changed(LAST) {
            out.last_name = Some(
                PersonName::parse(COLUMNS[LAST], &self.value(LAST))
                    .map_err(|x| e(LAST, x))?
                    .into(),
            );
        }
        if let Some(v) = wanted(COMPANY) {
            out.company = Some(person::company(COLUMNS[COMPANY], &v).map_err(|x| e(COMPANY, x))?);
        }
        if let Some(v) = wanted(EMAIL) {
            out.email = Some(
                Email::parse(COLUMNS[EMAIL], &v)
                    .map_err(|x| e(EMAIL, x))?
                    .into(),
            );
        }
        if let Some(v) = wanted(PHONE) {
            out.phone = Some(
                InternationalPhone::typed(COLUMNS[PHONE], &v)
                    .map_err(|x| e(PHONE, x))?
                    .into(),
            );
        }
        if let Some(v) = wanted(DOB) {
            out.date_of_birth = Some(
                DateOfBirth::parse(COLUMNS[DOB], &v, today)
                    .map_err(|x| e(DOB, x))?
                    .into(),
            );
        }
        if initial.is_some() && out == BsCustomerInput::default() {
            return Err((FIRST, "nothing changed: type the new values".into()));
        }
        Ok(out)
    }

    /// What the audit log records of a create or edit: names, and masked contact.
    fn described(input: &BsCustomerInput) -> String {
        let mut parts = Vec::new();
        if input.first_name.is_some() || input.last_name.is_some() {
            parts.push(format!(
                "name {} {}",
                input.first_name.as_deref().unwrap_or("…"),
                input.last_name.as_deref().unwrap_or("…")
            ));
        }
        if let Some(c) = &input.company {
            parts.push(format!("company {c}"));
        }
        if let Some(m) = &input.email {
            parts.push(format!("email {}", mask::email(m)));
        }
        if let Some(p) = &input.phone {
            parts.push(format!("phone {}", mask::phone(p)));
        }
        if input.date_of_birth.is_some() {
            parts.push("date of birth set".into());
        }
        parts.join("; ")
    }
}

impl App {
    pub(crate) fn open_customer_form(&mut self, create: bool) {
        let mut inputs: Vec<Input> = FIELDS.iter().map(|_| Input::default()).collect();
        let (mode, name) = if create {
            (Mode::Create, "new customer".to_string())
        } else {
            let Some(c) = &self.customer else { return };
            let Some(d) = c.details.ready() else { return };
            inputs[FIRST] = Input::new(d.given_name.clone());
            inputs[LAST] = Input::new(d.family_name.clone());
            let initial = inputs
                .iter()
                .map(|i| i.value().trim().to_string())
                .collect();
            (
                Mode::Edit {
                    id: c.id.clone(),
                    initial,
                    email_masked: d
                        .contact
                        .email_addresses
                        .first()
                        .map(|e| mask::email(&safe(&e.value)))
                        .unwrap_or_else(|| "none".into()),
                    phone_masked: d
                        .contact
                        .phone_numbers
                        .first()
                        .map(|p| mask::phone(&safe(&p.value)))
                        .unwrap_or_else(|| "none".into()),
                },
                safe(&format!("{} {}", d.given_name, d.family_name)),
            )
        };
        self.overlay = Some(Overlay::Customer(Box::new(CustomerDialog {
            mode,
            name,
            field: 0,
            inputs,
            confirm: Input::default(),
            problem: None,
            submit: Submit::default(),
        })));
    }

    pub(crate) fn open_customer_delete(&mut self) {
        let Some(c) = &self.customer else { return };
        let Some(d) = c.details.ready() else { return };
        self.overlay = Some(Overlay::Customer(Box::new(CustomerDialog {
            mode: Mode::Delete {
                id: c.id.clone(),
                family_name: d.family_name.clone(),
                reference: d.customer_ref.clone(),
            },
            name: safe(&format!("{} {}", d.given_name, d.family_name)),
            field: 0,
            inputs: Vec::new(),
            confirm: Input::default(),
            problem: None,
            submit: Submit::default(),
        })));
    }

    pub(crate) fn customer_key(
        &mut self,
        d: &mut CustomerDialog,
        k: KeyEvent,
        fx: &mut Vec<Effect>,
    ) -> bool {
        match d.submit.key(k.code) {
            SubmitKey::Close => return false,
            SubmitKey::Stay => {}
            SubmitKey::Send => {
                let (op, old, new) = match &d.mode {
                    Mode::Delete { id, reference, .. } => (
                        WriteOp::DeleteCustomer { id: id.clone() },
                        Some(format!("{} ({})", d.name, safe(reference))),
                        None,
                    ),
                    mode => {
                        let Ok(input) = d.input() else {
                            d.submit.phase = Phase::Editing;
                            return true;
                        };
                        let new = Some(CustomerDialog::described(&input));
                        let op = match mode {
                            Mode::Edit { id, .. } => WriteOp::UpdateCustomer {
                                id: id.clone(),
                                input,
                            },
                            _ => WriteOp::CreateCustomer(input),
                        };
                        (op, None, new)
                    }
                };
                let note = AuditNote {
                    customer: op.customer().to_string(),
                    action: op.action(),
                    old,
                    new,
                    ..AuditNote::default()
                };
                self.submit_write(&mut d.submit, op, note, fx);
            }
            SubmitKey::Edit => {
                if let Mode::Delete { family_name, .. } = &d.mode {
                    match k.code {
                        KeyCode::Esc => return false,
                        KeyCode::Enter => {
                            if d.confirm
                                .value()
                                .trim()
                                .eq_ignore_ascii_case(family_name.trim())
                            {
                                d.problem = None;
                                d.submit.error = None;
                                d.submit.phase = Phase::Confirming;
                            } else {
                                d.problem = Some((
                                    0,
                                    "type the customer's family name exactly to confirm".into(),
                                ));
                            }
                        }
                        _ => {
                            d.confirm.handle_event(&crossterm::event::Event::Key(k));
                            d.problem = None;
                        }
                    }
                    return true;
                }
                let n = FIELDS.len();
                match k.code {
                    KeyCode::Esc => return false,
                    KeyCode::Tab | KeyCode::Down => d.field = (d.field + 1) % n,
                    KeyCode::BackTab | KeyCode::Up => d.field = (d.field + n - 1) % n,
                    KeyCode::Enter => match d.input() {
                        Err((f, why)) => {
                            d.field = f;
                            d.problem = Some((f, why));
                        }
                        Ok(_) => {
                            d.problem = None;
                            d.submit.error = None;
                            d.submit.phase = Phase::Confirming;
                        }
                    },
                    _ => {
                        d.inputs[d.field].handle_event(&crossterm::event::Event::Key(k));
                        if d.problem.as_ref().is_some_and(|p| p.0 == d.field) {
                            d.problem = None;
                        }
                    }
                }
            }
        }
        true
    }

    pub(crate) fn customer_written(
        &mut self,
        d: &mut CustomerDialog,
        seq: u64,
        outcome: Outcome<Answer, WriteError>,
        fx: &mut Vec<Effect>,
    ) {
        if d.submit.answered(seq, outcome) != Some(true) {
            return;
        }
        match &d.mode {
            Mode::Edit { id, .. } if self.customer.as_ref().is_some_and(|c| &c.id == id) => {
                let id = id.clone();
                self.reload_customer(id, fx);
            }
            Mode::Delete { id, .. } => {
                if self.customer.as_ref().is_some_and(|c| &c.id == id) {
                    self.customer = None;
                    self.caller = None;
                    self.focus = Pane::Search;
                }
                self.search.rows.retain(|r| &r.id != id);
                self.status.notice = Some(format!("Customer {} deleted", d.name));
            }
            _ => {}
        }
    }

    /// Refuse in words (and audit) a customer write when it cannot start.
    pub(crate) fn customer_gate(
        &mut self,
        action: &str,
        needs_customer: bool,
        fx: &mut Vec<Effect>,
    ) -> bool {
        if needs_customer {
            return self.edit_gate(action, false, fx);
        }
        if self.read_only {
            self.status.notice = Some("Read-only: no edits are offered or sent".into());
            fx.push(Effect::Record(AuditNote {
                action: action.into(),
                outcome: "refused: read-only".into(),
                ..AuditNote::default()
            }));
            return false;
        }
        true
    }
}

impl crate::tui::dialog::Dialog for CustomerDialog {
    fn name(&self) -> &'static str {
        "customer form"
    }
    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        app.customer_key(self, k, fx)
    }
    fn paste(&mut self, _app: &mut App, text: &str, _fx: &mut Vec<Effect>) {
        if self.submit.phase == Phase::Editing {
            let input = if self.inputs.is_empty() {
                &mut self.confirm
            } else {
                &mut self.inputs[self.field]
            };
            crate::tui::app::paste_into(input, text);
        }
    }
    fn reply(&mut self, app: &mut App, msg: Msg, fx: &mut Vec<Effect>) -> Option<Msg> {
        let Msg::Written { seq, outcome } = msg else {
            return Some(msg);
        };
        app.customer_written(self, seq, outcome, fx);
        None
    }
    fn busy(&self) -> bool {
        self.submit.pending.is_some()
    }
    fn typed(&self) -> bool {
        self.inputs.iter().any(|i| !i.value().is_empty()) || !self.confirm.value().is_empty()
    }
    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::customer::draw(f, app, self)
    }
}
