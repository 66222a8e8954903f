//! bankingservice customers: create (`n`), edit the open customer (`E`) and delete it
//! (`D`, confirmed by typing the family name). Back-office work, so no caller
//! verification; it needs the `backoffice` client's scopes, and a refusal (403 for the
//! demo agent) comes back in words with the form kept.

use crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Phase, Submit, SubmitKey, typed_char};
use crate::api::wire::banking::BsCustomerInput;
use crate::domain::email::Email;
use crate::domain::person::{self, DateOfBirth, PersonName};
use crate::domain::phone::InternationalPhone;
use crate::domain::{FieldError, mask};
use crate::tui::app::{App, Overlay, Pane};
use crate::tui::effect::{AuditNote, Effect, WriteOp};
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::Msg;
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
            parts.push(format!("phone {}", mask::phone_international(p)));
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

impl CustomerDialog {
    /// The write this form describes, with what the audit log says it changes; `None`
    /// when the form no longer checks out.
    fn write(&self) -> Option<(WriteOp, Option<String>, Option<String>)> {
        Some(match &self.mode {
            Mode::Delete { id, reference, .. } => (
                WriteOp::DeleteCustomer { id: id.clone() },
                Some(format!("{} ({})", self.name, safe(reference))),
                None,
            ),
            mode => {
                let input = self.input().ok()?;
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
        })
    }

    /// A key while the form is being filled in; false closes the dialog.
    fn edit_key(&mut self, act: Option<Action>, k: KeyEvent) -> bool {
        if let Mode::Delete { family_name, .. } = &self.mode {
            match act {
                Some(Action::Back) => return false,
                Some(Action::Confirm) => {
                    if self
                        .confirm
                        .value()
                        .trim()
                        .eq_ignore_ascii_case(family_name.trim())
                    {
                        self.problem = None;
                        self.submit.ask_confirm();
                    } else {
                        self.problem = Some((
                            0,
                            "type the customer's family name exactly to confirm".into(),
                        ));
                    }
                }
                _ => {
                    self.confirm.handle_event(&crossterm::event::Event::Key(k));
                    self.problem = None;
                }
            }
            return true;
        }
        let n = FIELDS.len();
        match act {
            Some(Action::Back) => return false,
            Some(Action::NextField | Action::ItemDown) => self.field = (self.field + 1) % n,
            Some(Action::PrevField | Action::ItemUp) => self.field = (self.field + n - 1) % n,
            Some(Action::Confirm) => match self.input() {
                Err((f, why)) => {
                    self.field = f;
                    self.problem = Some((f, why));
                }
                Ok(_) => {
                    self.problem = None;
                    self.submit.ask_confirm();
                }
            },
            _ => {
                self.inputs[self.field].handle_event(&crossterm::event::Event::Key(k));
                if self.problem.as_ref().is_some_and(|p| p.0 == self.field) {
                    self.problem = None;
                }
            }
        }
        true
    }
}

impl crate::tui::dialog::Dialog for CustomerDialog {
    fn name(&self) -> &'static str {
        "customer form"
    }

    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        // Every field is text: a character typed is text, even one bound to an action.
        let act = match self.submit.phase == Phase::Editing && typed_char(&k).is_some() {
            true => None,
            false => app.keymap.action_in(Context::Customer, &k),
        };
        match self.submit.key(act) {
            SubmitKey::Close => false,
            SubmitKey::Stay => true,
            SubmitKey::Edit => self.edit_key(act, k),
            SubmitKey::Send => {
                let Some((op, old, new)) = self.write() else {
                    self.submit.phase = Phase::Editing;
                    return true;
                };
                let note = AuditNote {
                    customer: op.customer().to_string(),
                    action: op.action(),
                    old,
                    new,
                    ..AuditNote::default()
                };
                app.submit_write(&mut self.submit, op, note, fx);
                true
            }
        }
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
        if self.submit.answered(seq, outcome) != Some(true) {
            return None;
        }
        match &self.mode {
            Mode::Edit { id, .. } if app.customer.as_ref().is_some_and(|c| &c.id == id) => {
                let id = id.clone();
                app.reload_customer(id, fx);
            }
            Mode::Delete { id, .. } => {
                if app.customer.as_ref().is_some_and(|c| &c.id == id) {
                    app.customer = None;
                    app.caller = None;
                    app.focus = Pane::Search;
                }
                app.search.rows.retain(|r| &r.id != id);
                app.status.notice = Some(format!("Customer {} deleted", self.name));
            }
            _ => {}
        }
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
