//! Bulk edits: a plan built from a CSV file (or from the console's marks), previewed
//! with every customer's old and new value, then applied with bounded concurrency under
//! a journal that makes an interrupted job resumable with nothing lost and nothing
//! applied twice.
//!
//! The pieces:
//! - [`csv`] reads and validates a CSV file into [`Item`]s, reporting bad rows by line
//!   and column;
//! - [`plan`] reads the current values from the backend, builds a [`Plan`] and saves or
//!   loads it as JSON;
//! - [`journal`] is the append-only NDJSON file per job in `<data dir>/jobs/`: a
//!   `sending` record reaches the disk before its request is sent, a `done` or `failed`
//!   record follows each answer;
//! - [`apply`] is the engine: bounded concurrency, pause, cancel, progress events;
//! - [`jobs`] lists the jobs in the data directory and where each stands;
//! - [`cli`] is `custdesk bulk ...`.
//!
//! Exactly once: every item is sent with an `Idempotency-Key` derived from the job id,
//! the item id and a generation ([`item_key`]). An item found `sending` without an
//! answer on resume is sent again with the same key, so the server replays its stored
//! answer instead of applying it again. `retry-failed` sends again, with the same key,
//! only the items whose failure a retry may cure ([`crate::api::Class::retryable`]);
//! an item that failed for good is reported with its reason and never sent again.

pub mod apply;
pub mod cli;
pub mod csv;
pub mod failures;
pub mod jobs;
pub mod journal;
pub mod plan;

use serde::{Deserialize, Serialize};

use crate::api::IdempotencyKey;
use crate::api::ops::{BULK_SOURCE, Write};
use crate::domain::mask;

/// The `format` of a plan file.
pub const PLAN_FORMAT: &str = "custdesk-bulk-plan/1";

/// A plan of more items than this, or with any delete, asks for the count to be typed
/// back before it is applied.
pub const CONFIRM_OVER: usize = 100;

/// One edit of one customer (or one customer to create).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Citi alert subscription: subscribe (or change channel/threshold).
    Subscribe {
        alert_code: String,
        /// `EMAIL`, `SMS` or `PUSH`.
        channel: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        threshold: Option<f64>,
    },
    /// Citi alert subscription: unsubscribe.
    Unsubscribe { alert_code: String },
    /// Relay add phone with a consent choice.
    AddPhone {
        /// 10 or 11 digits, as Relay takes it in the path.
        phone_number: String,
        /// `written`, `express` or `stop`.
        consent_type: String,
        /// `mobile`, `landline` or `unknown`.
        phone_type: String,
        /// Relay's default is `1` when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        country_code: Option<String>,
    },
    /// Relay add phone with consent `stop` for a number (updates the consent of a
    /// number already on file).
    StopConsent {
        phone_number: String,
        phone_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        country_code: Option<String>,
    },
    /// bankingservice update of the preferred email.
    SetEmail { email: String },
    /// bankingservice update of the primary phone: international digits without `+`.
    SetPhone { phone: String },
    /// bankingservice delete.
    Delete,
    /// bankingservice create.
    Create {
        first_name: String,
        last_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phone: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        company: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        date_of_birth: Option<String>,
    },
}

impl Action {
    /// The name used in CSV files, plans and results.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Subscribe { .. } => "subscribe",
            Action::Unsubscribe { .. } => "unsubscribe",
            Action::AddPhone { .. } => "add_phone",
            Action::StopConsent { .. } => "stop_consent",
            Action::SetEmail { .. } => "set_email",
            Action::SetPhone { .. } => "set_phone",
            Action::Delete => "delete",
            Action::Create { .. } => "create",
        }
    }

    /// The consent a Relay add-phone sends: the chosen one, or `stop`.
    pub fn consent(&self) -> Option<&str> {
        match self {
            Action::AddPhone { consent_type, .. } => Some(consent_type),
            Action::StopConsent { .. } => Some("stop"),
            _ => None,
        }
    }

    pub fn is_delete(&self) -> bool {
        matches!(self, Action::Delete)
    }

    /// The write that applies the action to `customer` (ignored by a create), built by
    /// [`crate::api::ops`] like the console's.
    pub fn write(&self, customer: &str) -> Write {
        match self {
            Action::SetEmail { email } => Write::set_email(customer, email),
            Action::SetPhone { phone } => Write::set_phone(customer, phone),
            Action::Delete => Write::DeleteCustomer {
                id: customer.to_string(),
            },
            Action::Create {
                first_name,
                last_name,
                email,
                phone,
                company,
                date_of_birth,
            } => Write::create_customer(
                first_name,
                last_name,
                company.as_deref(),
                email.as_deref(),
                phone.as_deref(),
                date_of_birth.as_deref(),
            ),
            Action::AddPhone {
                phone_number,
                phone_type,
                country_code,
                ..
            }
            | Action::StopConsent {
                phone_number,
                phone_type,
                country_code,
            } => Write::add_phone(
                customer,
                phone_number,
                self.consent().unwrap_or("stop"),
                phone_type,
                country_code.as_deref(),
                Some(BULK_SOURCE),
            ),
            Action::Subscribe {
                alert_code,
                channel,
                threshold,
            } => Write::subscribe(customer, alert_code, channel, *threshold),
            Action::Unsubscribe { alert_code } => Write::unsubscribe(customer, alert_code),
        }
    }

    /// What on the customer the action changes: two items of one plan may not change
    /// the same thing of the same customer (`None`: the whole customer).
    pub fn target(&self) -> Option<String> {
        match self {
            Action::Subscribe { alert_code, .. } | Action::Unsubscribe { alert_code } => {
                Some(format!("alert {alert_code}"))
            }
            Action::AddPhone {
                phone_number,
                country_code,
                ..
            }
            | Action::StopConsent {
                phone_number,
                country_code,
                ..
            } => Some(format!(
                "phone +{} {}",
                country_code.as_deref().unwrap_or("1"),
                relay_national(phone_number, country_code.as_deref())
            )),
            Action::SetEmail { .. } => Some("email".into()),
            Action::SetPhone { .. } => Some("phone".into()),
            Action::Delete | Action::Create { .. } => None,
        }
    }

    /// The new value, masked for display.
    pub fn new_display(&self) -> String {
        match self {
            Action::Subscribe {
                alert_code,
                channel,
                threshold,
            } => match threshold {
                Some(t) => format!("{alert_code} by {channel} (threshold {t})"),
                None => format!("{alert_code} by {channel}"),
            },
            Action::Unsubscribe { alert_code } => format!("{alert_code} not subscribed"),
            Action::AddPhone {
                phone_number,
                consent_type,
                country_code,
                ..
            } => format!(
                "{} consent {consent_type}",
                mask::phone_in(country_code.as_deref().unwrap_or("1"), phone_number)
            ),
            Action::StopConsent {
                phone_number,
                country_code,
                ..
            } => format!(
                "{} consent stop",
                mask::phone_in(country_code.as_deref().unwrap_or("1"), phone_number)
            ),
            Action::SetEmail { email } => mask::email(email),
            Action::SetPhone { phone } => mask::phone_international(phone),
            Action::Delete => "(deleted)".into(),
            Action::Create {
                first_name,
                last_name,
                email,
                ..
            } => match email {
                Some(e) => format!("{first_name} {last_name} {}", mask::email(e)),
                None => format!("{first_name} {last_name}"),
            },
        }
    }
}

/// The national number Relay stores for `number` under `country_code` (its default
/// `1`): a North American 11-digit number loses its leading 1, others their trunk 0s.
pub fn relay_national(number: &str, country_code: Option<&str>) -> String {
    crate::domain::phone::national_of(country_code.unwrap_or("1"), "", number)
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Unique within the job; part of the idempotency key.
    pub id: String,
    /// The CSV line the item came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The customer edited (absent for a create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// The customer's name when the plan was built, for people reading the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub edit: Action,
    /// The current value when the plan was built, masked; absent when not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The new value, masked.
    pub new: String,
    /// The backend already holds the new value: the item is not sent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unchanged: bool,
}

/// Characters of a customer id shown beside a name.
const ID_TAIL: usize = 6;

impl Item {
    /// The customer as people tell them apart: the name with the end of the id beside it
    /// (four "Cooper Martin" in one plan differ there), else the id, else the new
    /// customer's line. The console's preview and results and the exports all use it.
    pub fn who(&self) -> String {
        match (&self.name, &self.customer_id) {
            (Some(n), Some(id)) => {
                let tail = id.len().saturating_sub(ID_TAIL);
                format!("{n} (…{})", id.get(tail..).unwrap_or(id))
            }
            (Some(n), None) => n.clone(),
            (None, Some(id)) => format!("customer {id}"),
            (None, None) => format!("new customer ({})", self.place()),
        }
    }

    /// Where the item came from, for messages: `line 7` or `item 7`.
    pub fn place(&self) -> String {
        match self.line {
            Some(l) => format!("line {l}"),
            None => format!("item {}", self.id),
        }
    }
}

/// A problem with one input row (or with the input as a whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.line, &self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            (None, Some(c)) => write!(f, "column {c}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// A job: what will be sent, checked and previewed, ready to be applied (now, or later
/// by someone else from the saved file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: String,
    /// Part of every item's idempotency key.
    pub job_id: String,
    /// RFC 3339, UTC.
    pub created: String,
    /// The backend the old values were read from (a sandbox-shaped base URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// The client that built the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// The input file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub items: Vec<Item>,
    /// Rows that could not be planned: the plan applies nothing while there are any,
    /// unless told to skip them.
    #[serde(default)]
    pub errors: Vec<PlanError>,
}

impl Plan {
    /// A new, empty plan with a fresh job id.
    pub fn new() -> Plan {
        Plan {
            format: PLAN_FORMAT.into(),
            job_id: uuid::Uuid::new_v4().simple().to_string(),
            created: now(),
            backend: None,
            created_by: None,
            source: None,
            items: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Items that will be sent (not already holding their new value).
    pub fn to_send(&self) -> usize {
        self.items.iter().filter(|i| !i.unchanged).count()
    }

    pub fn deletes(&self) -> usize {
        self.items
            .iter()
            .filter(|i| !i.unchanged && i.edit.is_delete())
            .count()
    }

    /// Whether applying asks for the count to be typed back: over [`CONFIRM_OVER`]
    /// items, or any delete.
    pub fn needs_typed_count(&self) -> bool {
        self.to_send() > CONFIRM_OVER || self.deletes() > 0
    }
}

impl Default for Plan {
    fn default() -> Self {
        Plan::new()
    }
}

/// The `Idempotency-Key` of generation `generation` of an item: generation 0 is
/// `IdempotencyKey::derived(job, item)`. Journals of earlier versions, which sent a
/// refused item again under a new key, may hold later generations; they are kept.
pub fn item_key(job_id: &str, item_id: &str, generation: u32) -> IdempotencyKey {
    if generation == 0 {
        IdempotencyKey::derived(job_id, item_id)
    } else {
        IdempotencyKey::derived(job_id, &format!("{item_id}#{generation}"))
    }
}

/// How one item ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The backend applied it (or had already: a replay, or the state was already so).
    Applied {
        status: u16,
        /// The server replayed its stored answer to this key.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        replayed: bool,
        /// The backend said the state was already as planned (Relay duplicate number
        /// with the same consent, unsubscribing an alert not subscribed).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        already: bool,
        /// A created customer's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        created_id: Option<String>,
        correlation_id: String,
    },
    /// It failed; `transient` failures may have been applied and are retried with the
    /// same key; the others failed for good and are never sent again.
    Failed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// `invalid input`, `server error`, `rate limited`...
        kind: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        reason: String,
        transient: bool,
        /// What trying again can do ([`crate::api::Class`]); absent in journals of
        /// earlier versions, where `transient` alone says it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<crate::api::Class>,
        correlation_id: String,
    },
}

impl Outcome {
    pub fn is_applied(&self) -> bool {
        matches!(self, Outcome::Applied { .. })
    }

    /// Whether a retry sends the item again (with the same key): its failure's
    /// [`crate::api::Class`] says so, or `transient` in journals written before it.
    pub fn retryable(&self) -> bool {
        match self {
            Outcome::Failed {
                transient, class, ..
            } => class.map_or(*transient, crate::api::Class::retryable),
            Outcome::Applied { .. } => false,
        }
    }
}

/// The current time as RFC 3339 with milliseconds, UTC.
pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_of_one_name_are_told_apart_by_their_id() {
        let item = |id: Option<&str>, name: Option<&str>| Item {
            id: "1".into(),
            line: Some(7),
            customer_id: id.map(str::to_string),
            name: name.map(str::to_string),
            edit: Action::Delete,
            old: None,
            new: String::new(),
            unchanged: false,
        };
        let four: Vec<String> = ["a1", "b2", "c3", "d4"]
            .iter()
            .map(|t| {
                item(
                    Some(&format!("0123456789abcdef0123456789ab00{t}")),
                    Some("Cooper Martin"),
                )
                .who()
            })
            .collect();
        assert_eq!(four[0], "Cooper Martin (…ab00a1)");
        let mut unique = four.clone();
        unique.dedup();
        assert_eq!(unique.len(), 4, "{four:?}");
        assert_eq!(item(Some("c1"), None).who(), "customer c1");
        assert_eq!(item(None, None).who(), "new customer (line 7)");
    }

    #[test]
    fn keys_per_generation() {
        assert_eq!(
            item_key("j", "7", 0),
            IdempotencyKey::derived("j", "7"),
            "generation 0 is the documented derived key"
        );
        assert_ne!(item_key("j", "7", 0), item_key("j", "7", 1));
        assert_eq!(item_key("j", "7", 2), item_key("j", "7", 2));
    }

    #[test]
    fn actions_round_trip() {
        let item = Item {
            id: "2".into(),
            line: Some(2),
            customer_id: Some("0123456789abcdef0123456789abcdef".into()),
            name: None,
            edit: Action::Delete,
            old: Some("Ada Quartermaine".into()),
            new: "(deleted)".into(),
            unchanged: false,
        };
        let s = serde_json::to_string(&item).unwrap();
        assert!(s.contains(r#""edit":{"action":"delete"}"#), "{s}");
        assert_eq!(serde_json::from_str::<Item>(&s).unwrap(), item);
        let a = Action::Subscribe {
            alert_code: "LOW_BALANCE".into(),
            channel: "SMS".into(),
            threshold: Some(50.0),
        };
        let s = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Action>(&s).unwrap(), a);
    }

    #[test]
    fn confirmation_rule() {
        let mut p = Plan::new();
        let item = |i: usize, edit: Action| Item {
            id: i.to_string(),
            line: None,
            customer_id: None,
            name: None,
            new: edit.new_display(),
            edit,
            old: None,
            unchanged: false,
        };
        for i in 0..100 {
            p.items.push(item(
                i,
                Action::SetEmail {
                    email: "a@b.com".into(),
                },
            ));
        }
        assert!(!p.needs_typed_count());
        p.items.push(item(100, Action::Delete));
        assert!(p.needs_typed_count());
        p.items.pop();
        p.items.push(item(
            100,
            Action::SetEmail {
                email: "a@b.com".into(),
            },
        ));
        assert!(p.needs_typed_count());
    }

    #[test]
    fn relay_numbers() {
        assert_eq!(relay_national("12125550100", None), "2125550100");
        assert_eq!(relay_national("07700900123", Some("44")), "7700900123");
    }
}
