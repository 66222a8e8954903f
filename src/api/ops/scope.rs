//! The kinds of write and the one table of the scope each needs
//! ([`WriteKind::scope`]).

/// The kinds of write, for permissions: what the console offers, and what it may send,
/// depends on the scopes the signed-in client was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteKind {
    ContactChange,
    AddPhone,
    Offer,
    Alerts,
    CreateCustomer,
    UpdateCustomer,
    DeleteCustomer,
    Image,
}

/// Citi emails and phones, and Relay's add phone with consent.
pub const CONTACT_WRITE: &str = "contact:write";
pub const ALERTS_WRITE: &str = "alerts:write";
pub const OFFERS_WRITE: &str = "offers:write";
pub const PROFILE_WRITE: &str = "profile:write";
/// bankingservice customers: back-office work.
pub const CUSTOMERS_WRITE: &str = "customers:write";

impl WriteKind {
    /// The one table of the scope the console checks before it offers or sends a write
    /// of this kind. Every write needs one: Citi asks for `contact:write`,
    /// `alerts:write`, `offers:write` and `profile:write`; bankingservice customers are
    /// back-office work (`customers:write`). Relay authenticates by its API key alone,
    /// but adding a phone is a contact change made for the signed-in client, so the
    /// console asks the same `contact:write` of it: a read-only client adds nothing.
    pub fn scope(self) -> &'static str {
        match self {
            WriteKind::ContactChange | WriteKind::AddPhone => CONTACT_WRITE,
            WriteKind::Alerts => ALERTS_WRITE,
            WriteKind::Offer => OFFERS_WRITE,
            WriteKind::Image => PROFILE_WRITE,
            WriteKind::CreateCustomer | WriteKind::UpdateCustomer | WriteKind::DeleteCustomer => {
                CUSTOMERS_WRITE
            }
        }
    }

    /// Whether a client granted `scopes` may make this write. An empty list means the
    /// scopes are not known (a static token that did not say): the backend decides.
    pub fn allowed(self, scopes: &[String]) -> bool {
        scopes.is_empty() || scopes.iter().any(|s| s == self.scope())
    }
}
