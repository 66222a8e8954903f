//! The parts of a Citi contact change: which kind it is, the body that asks for it, and
//! the passcode that confirms it.

use serde::Serialize;

use crate::api::wire::citi;

/// Email or phone, for the Citi passcode flow and NewDay's format check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ContactKind {
    Email,
    Phone,
}

impl ContactKind {
    pub fn noun(self) -> &'static str {
        match self {
            ContactKind::Email => "email",
            ContactKind::Phone => "phone",
        }
    }
    /// The audit action for this kind of change.
    pub fn action(self) -> &'static str {
        match self {
            ContactKind::Email => "update_email",
            ContactKind::Phone => "update_phone",
        }
    }
}

/// A one-time passcode as typed: up to six digits. Never in `Debug` output, never
/// drawn (only as bullets), never written to any log, never serialized.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Passcode(String);

impl Passcode {
    pub const LEN: usize = 6;

    pub fn new(digits: &str) -> Passcode {
        Passcode(digits.to_string())
    }
    /// Add a typed character; anything but a digit, or a seventh digit, is ignored.
    pub fn push(&mut self, c: char) -> bool {
        if c.is_ascii_digit() && self.0.len() < Self::LEN {
            self.0.push(c);
            true
        } else {
            false
        }
    }
    pub fn pop(&mut self) {
        self.0.pop();
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn complete(&self) -> bool {
        self.0.len() == Self::LEN
    }
    /// The digits, for the one place they go: the confirmation body.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// What the screen shows: a bullet per digit typed, a line per digit to come.
    pub fn shown(&self) -> String {
        let typed = self.0.len();
        format!(
            "{}{}",
            "•".repeat(typed),
            "_".repeat(Self::LEN.saturating_sub(typed))
        )
    }
}

impl std::fmt::Debug for Passcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Passcode(<{} digits>)", self.0.len())
    }
}

/// The body of a Citi contact change (the 202 passcode flow).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ContactChange {
    Emails(citi::Emails),
    Phones(citi::Phones),
}

impl ContactChange {
    /// Change the email `key` (none: add one) to `address`; `preferred` keeps it the
    /// preferred email (a new one is preferred).
    pub fn email(key: Option<i64>, preferred: bool, address: &str) -> ContactChange {
        ContactChange::Emails(citi::Emails {
            emails: vec![citi::Email {
                email_key: key,
                email_address: address.to_string(),
                preferred_email_flag: preferred || key.is_none(),
            }],
        })
    }

    /// Change the phone `key` (none: add one) to `number`, keeping its type and
    /// country code.
    pub fn phone(key: Option<i64>, phone_type: &str, country_code: &str, number: &str) -> Self {
        ContactChange::Phones(citi::Phones {
            phones: vec![citi::Phone {
                phone_key: key,
                phone_type: phone_type.to_string(),
                phone_country_code: country_code.to_string(),
                area_code: String::new(),
                phone_number: number.to_string(),
                extension: String::new(),
            }],
        })
    }

    pub fn kind(&self) -> ContactKind {
        match self {
            ContactChange::Emails(_) => ContactKind::Email,
            ContactChange::Phones(_) => ContactKind::Phone,
        }
    }
}
