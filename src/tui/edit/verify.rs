//! Caller verification: the agent asks the caller for their date of birth, postcode and
//! the last four digits of one of their accounts, types what the caller says, and the
//! console checks each answer against the loaded NewDay customer.
//!
//! Decision: contact edits (email, phone, add phone) unlock once **two of the three**
//! are proved ([`PROOFS_NEEDED`]). Each proof allows [`MAX_TRIES`] wrong answers; after
//! that it stays failed for this customer and the agent must use the other proofs.
//! Proofs belong to the open customer: reloading keeps them, opening another customer
//! (another caller) starts again. Every check goes to the audit log (which proof, and
//! whether it matched), never what the caller said.

use crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::api::wire::newday;
use crate::domain::person::DateOfBirth;
use crate::domain::text::postcode_key;
use crate::tui::app::{App, Overlay};
use crate::tui::effect::{AuditNote, Effect};
use crate::tui::keymap::{Action, Context};

/// Proofs needed before contact edits unlock.
pub const PROOFS_NEEDED: usize = 2;
/// Wrong answers allowed per proof.
pub const MAX_TRIES: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    DateOfBirth,
    Postcode,
    LastFour,
}

impl Proof {
    pub const ALL: [Proof; 3] = [Proof::DateOfBirth, Proof::Postcode, Proof::LastFour];
    pub fn label(self) -> &'static str {
        match self {
            Proof::DateOfBirth => "Date of birth",
            Proof::Postcode => "Postcode",
            Proof::LastFour => "Last four of an account",
        }
    }
    /// As the profile pane lists it.
    pub fn short(self) -> &'static str {
        match self {
            Proof::DateOfBirth => "DOB",
            Proof::Postcode => "postcode",
            Proof::LastFour => "last four",
        }
    }
    pub fn hint(self) -> &'static str {
        match self {
            Proof::DateOfBirth => "YYYY-MM-DD or DD/MM/YYYY",
            Proof::Postcode => "as the caller says it",
            Proof::LastFour => "4 digits",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// What the caller has proved for one customer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallerCheck {
    pub customer: String,
    pub proved: [bool; 3],
    pub wrong: [u8; 3],
}

impl CallerCheck {
    pub fn new(customer: &str) -> CallerCheck {
        CallerCheck {
            customer: customer.to_string(),
            ..CallerCheck::default()
        }
    }
    pub fn count(&self) -> usize {
        self.proved.iter().filter(|p| **p).count()
    }
    pub fn verified(&self) -> bool {
        self.count() >= PROOFS_NEEDED
    }
    pub fn is_proved(&self, p: Proof) -> bool {
        self.proved[p.index()]
    }
    pub fn wrong(&self, p: Proof) -> u8 {
        self.wrong[p.index()]
    }
    pub fn exhausted(&self, p: Proof) -> bool {
        !self.is_proved(p) && self.wrong(p) >= MAX_TRIES
    }
    /// `DOB ✓ postcode ✓`: the proofs given so far.
    pub fn summary(&self) -> String {
        Proof::ALL
            .iter()
            .filter(|p| self.is_proved(**p))
            .map(|p| format!("{} ✓", p.short()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The dialog: one input per proof, the one with the cursor, and the last answer to
/// each check.
#[derive(Debug, Clone)]
pub struct VerifyDialog {
    pub customer: String,
    pub name: String,
    pub field: usize,
    pub inputs: [Input; 3],
    /// Why the last answer to each proof did not match (or could not be checked).
    pub messages: [Option<String>; 3],
    /// The answer in each field was wrong: the next character typed replaces it.
    pub stale: [bool; 3],
}

/// Does `said` prove `p` for customer `c`?
pub fn matches(p: Proof, said: &str, c: &newday::Customer) -> Result<bool, String> {
    let said = said.trim();
    if said.is_empty() {
        return Err("type what the caller says first".into());
    }
    match p {
        Proof::DateOfBirth => {
            let Some(d) = DateOfBirth::spoken(said) else {
                return Err("not a date: type it as YYYY-MM-DD or DD/MM/YYYY".into());
            };
            Ok(
                chrono::NaiveDate::parse_from_str(&c.date_of_birth, "%Y-%m-%d")
                    .is_ok_and(|dob| dob == d),
            )
        }
        Proof::Postcode => {
            let norm = |s: &str| -> String {
                postcode_key(
                    &s.chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .collect::<String>(),
                )
            };
            let n = norm(said);
            if n.len() < 3 {
                return Err("a postcode has at least 3 letters or digits".into());
            }
            Ok(c.addresses.iter().any(|a| norm(&a.postcode) == n))
        }
        Proof::LastFour => {
            if said.len() != 4 || !said.chars().all(|c| c.is_ascii_digit()) {
                return Err("type the 4 digits the caller says".into());
            }
            Ok(c.accounts.iter().any(|a| {
                let digits: String = a
                    .account_number
                    .chars()
                    .filter(|c| c.is_ascii_digit())
                    .collect();
                digits.len() >= 4 && digits.ends_with(said)
            }))
        }
    }
}

impl App {
    /// The caller check of the open customer, if any proof was asked for.
    pub fn caller_check(&self) -> Option<&CallerCheck> {
        let c = self.customer.as_ref()?;
        self.caller.as_ref().filter(|k| k.customer == c.id)
    }

    pub fn caller_verified(&self) -> bool {
        self.caller_check().is_some_and(CallerCheck::verified)
    }

    /// Whether a contact edit (`action`, as the audit log names it) may start on the open
    /// customer: not in read-only mode, a customer loaded, the caller verified. When
    /// not, the agent is told why and the refusal is audited.
    pub(crate) fn contact_edit_gate(&mut self, action: &str, fx: &mut Vec<Effect>) -> bool {
        self.edit_gate(action, true, fx)
    }

    /// Whether an edit may start on the open customer: not in read-only mode, the
    /// customer loaded and, when `needs_caller`, the caller verified.
    pub(crate) fn edit_gate(
        &mut self,
        action: &str,
        needs_caller: bool,
        fx: &mut Vec<Effect>,
    ) -> bool {
        let customer = self.customer.as_ref().map(|c| c.id.clone());
        let refuse = |app: &mut App, fx: &mut Vec<Effect>, notice: String, why: String| {
            app.status.notice = Some(notice);
            fx.push(Effect::Record(AuditNote {
                customer: customer.clone().unwrap_or_default(),
                action: action.to_string(),
                outcome: format!("refused: {why}"),
                ..AuditNote::default()
            }));
            false
        };
        if self.read_only {
            return refuse(
                self,
                fx,
                "Read-only: no edits are offered or sent".into(),
                "read-only".into(),
            );
        }
        let Some(c) = &self.customer else {
            self.status.notice = Some("Open a customer first".into());
            return false;
        };
        if c.details.ready().is_none() {
            self.status.notice = Some("Wait for the customer to load".into());
            return false;
        }
        if needs_caller && !self.caller_verified() {
            let n = self.caller_check().map_or(0, CallerCheck::count);
            let key = self.keymap.hint(crate::tui::keymap::Action::VerifyCaller);
            return refuse(
                self,
                fx,
                format!(
                    "Caller not verified ({n} of {PROOFS_NEEDED} proofs): {} are locked; {key} verifies",
                    if action.contains("email") || action.contains("phone") {
                        "contact edits"
                    } else {
                        "edits for the caller"
                    }
                ),
                format!("caller not verified ({n} of {PROOFS_NEEDED} proofs)"),
            );
        }
        true
    }

    pub(crate) fn open_verify(&mut self) {
        let Some(c) = &self.customer else {
            self.status.notice = Some("Open a customer first".into());
            return;
        };
        let Some(d) = c.details.ready() else {
            self.status.notice =
                Some("Wait for the customer to load before verifying the caller".into());
            return;
        };
        let name = crate::tui::view::safe(&format!("{} {}", d.given_name, d.family_name));
        let id = c.id.clone();
        if self.caller.as_ref().is_none_or(|k| k.customer != id) {
            self.caller = Some(CallerCheck::new(&id));
        }
        let check = self.caller.clone().unwrap_or_default();
        let field = Proof::ALL
            .iter()
            .position(|p| !check.is_proved(*p) && !check.exhausted(*p))
            .unwrap_or(0);
        self.overlay = Some(Overlay::Verify(VerifyDialog {
            customer: id,
            name,
            field,
            inputs: Default::default(),
            messages: Default::default(),
            stale: Default::default(),
        }));
    }
}

impl crate::tui::dialog::Dialog for VerifyDialog {
    fn name(&self) -> &'static str {
        "verification dialog"
    }

    /// A key in the verification dialog; false closes it.
    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        let n = Proof::ALL.len();
        // Every field is typed in: a character is text, even one bound to an action.
        let act = match super::typed_char(&k) {
            Some(_) => None,
            None => app.keymap.action_in(Context::Verify, &k),
        };
        match act {
            Some(Action::Back) => return false,
            Some(Action::NextField | Action::ItemDown) => self.field = (self.field + 1) % n,
            Some(Action::PrevField | Action::ItemUp) => self.field = (self.field + n - 1) % n,
            Some(Action::Confirm) => {
                let p = Proof::ALL[self.field];
                let check = app
                    .caller
                    .clone()
                    .filter(|c| c.customer == self.customer)
                    .unwrap_or_else(|| CallerCheck::new(&self.customer));
                if check.is_proved(p) || check.exhausted(p) {
                    if check.verified() {
                        return false;
                    }
                    self.field = (self.field + 1) % n;
                    return true;
                }
                let Some(details) = app
                    .customer
                    .as_ref()
                    .filter(|c| c.id == self.customer)
                    .and_then(|c| c.details.ready())
                else {
                    self.messages[self.field] = Some("the customer is not loaded".into());
                    return true;
                };
                match matches(p, self.inputs[self.field].value(), details) {
                    Err(why) => self.messages[self.field] = Some(why),
                    Ok(ok) => {
                        let mut check = check;
                        let before = check.verified();
                        let outcome = if ok {
                            check.proved[p.index()] = true;
                            self.messages[self.field] = None;
                            "matched".to_string()
                        } else {
                            check.wrong[p.index()] += 1;
                            let left = MAX_TRIES.saturating_sub(check.wrong(p));
                            self.messages[self.field] = Some(if left == 0 {
                                "does not match; no tries left, ask for another proof".to_string()
                            } else {
                                format!(
                                    "does not match ({left} {} left)",
                                    if left == 1 { "try" } else { "tries" }
                                )
                            });
                            format!("did not match ({} of {MAX_TRIES})", check.wrong(p))
                        };
                        fx.push(Effect::Record(AuditNote {
                            customer: self.customer.clone(),
                            action: "verify_caller".into(),
                            new: Some(p.label().to_lowercase()),
                            outcome: if check.verified() && !before {
                                format!("{outcome}; caller verified ({})", check.summary())
                            } else {
                                outcome
                            },
                            ..AuditNote::default()
                        }));
                        let now_verified = check.verified() && !before;
                        if now_verified {
                            app.status.notice =
                                Some(format!("Caller verified: {}", check.summary()));
                        }
                        app.caller = Some(check.clone());
                        // Enough is proved: the dialog closes itself.
                        if now_verified {
                            return false;
                        }
                        self.stale[self.field] = !ok;
                        // On to the next proof still open.
                        if ok
                            && let Some(next) = (1..n).map(|i| (self.field + i) % n).find(|i| {
                                !check.is_proved(Proof::ALL[*i]) && !check.exhausted(Proof::ALL[*i])
                            })
                        {
                            self.field = next;
                        }
                    }
                }
            }
            _ => {
                let p = Proof::ALL[self.field];
                let locked = app
                    .caller
                    .as_ref()
                    .filter(|c| c.customer == self.customer)
                    .is_some_and(|c| c.is_proved(p) || c.exhausted(p));
                if !locked {
                    // A wrong answer is replaced by what is typed next, not added to.
                    if std::mem::take(&mut self.stale[self.field]) {
                        self.inputs[self.field] = Input::default();
                    }
                    self.inputs[self.field].handle_event(&crossterm::event::Event::Key(k));
                    self.messages[self.field] = None;
                }
            }
        }
        true
    }

    fn paste(&mut self, _app: &mut App, text: &str, _fx: &mut Vec<Effect>) {
        let i = self.field;
        if std::mem::take(&mut self.stale[i]) {
            self.inputs[i] = Input::default();
        }
        crate::tui::app::paste_into(&mut self.inputs[i], text);
        self.messages[i] = None;
    }
    fn typed(&self) -> bool {
        self.inputs.iter().any(|i| !i.value().is_empty())
    }
    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::verify::draw(f, app, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> newday::Customer {
        serde_json::from_value(serde_json::json!({
            "id": "a", "customerRef": "CR1", "status": "ACTIVE", "givenName": "Ada",
            "familyName": "Quartermaine", "dateOfBirth": "1984-03-09",
            "contact": {"phoneNumbers": [], "emailAddresses": []},
            "addresses": [{"type": "HOME", "addressLine1": "1", "town": "London",
                           "postcode": "SW1A 1AA", "countryCode": "GB"}],
            "accounts": [{"accountId": "x", "accountNumber": "5412 7512 3456 7890",
                          "accountType": "CARD", "productName": "P", "status": "ACTIVE"}]
        }))
        .unwrap()
    }

    #[test]
    fn answers_are_checked_against_the_profile() {
        let a = ada();
        assert_eq!(matches(Proof::DateOfBirth, "1984-03-09", &a), Ok(true));
        assert_eq!(matches(Proof::DateOfBirth, "09/03/1984", &a), Ok(true));
        assert_eq!(matches(Proof::DateOfBirth, "03/09/1984", &a), Ok(false));
        assert!(matches(Proof::DateOfBirth, "March", &a).is_err());
        assert_eq!(matches(Proof::Postcode, "sw1a1aa", &a), Ok(true));
        assert_eq!(matches(Proof::Postcode, "SW1A 1AB", &a), Ok(false));
        assert_eq!(matches(Proof::LastFour, "7890", &a), Ok(true));
        assert_eq!(matches(Proof::LastFour, "7891", &a), Ok(false));
        assert!(matches(Proof::LastFour, "890", &a).is_err());
        assert!(matches(Proof::Postcode, "  ", &a).is_err());
    }
}
