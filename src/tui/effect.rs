//! What `update` asks the runtime to do. The runtime runs these as background tasks that
//! report back with a [`Msg`](super::msg::Msg); `update` itself does no I/O.

use std::time::Duration;

use crate::api::IdempotencyKey;
use crate::api::wire::newday::SearchFilter;

use super::edit::ContactKind;

/// One part of the open customer the console reads (each its own call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerRead {
    /// Citi's email list.
    Emails,
    /// Citi's phone list.
    Phones,
    /// Candescent's contact methods with their consent.
    ContactMethods,
    /// NewDay's customer (the profile pane's names, contacts and accounts).
    Customer,
    /// Citi's profile, its offers among it.
    Profile,
    /// Citi's alerts.
    Alerts,
    /// Citi's alert history.
    History,
    /// Citi's profile image.
    Image,
}

impl CustomerRead {
    /// What a confirmed email or phone change (or an added phone) touches: that Citi
    /// list, the contact methods (the Contact methods pane joins the two) and NewDay's
    /// customer (whose contact lists the profile pane shows); not the offers and alerts.
    pub fn after_contact_change(kind: ContactKind) -> Vec<CustomerRead> {
        let list = match kind {
            ContactKind::Email => CustomerRead::Emails,
            ContactKind::Phone => CustomerRead::Phones,
        };
        vec![list, CustomerRead::ContactMethods, CustomerRead::Customer]
    }
}

/// One audit line as the console decides it: personal values already masked, never a
/// passcode or token. The runner adds the time and the agent; for a write it fills in
/// the correlation id and the outcome when the call ends.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuditNote {
    pub customer: String,
    pub action: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub correlation_id: Option<String>,
    pub outcome: String,
}

pub use crate::api::ops::ContactChange;
/// A write with a plain answer (offers, alert subscriptions, bankingservice
/// customers), built by [`crate::api::ops`].
pub use crate::api::ops::Write as WriteOp;

// Effects move once from `update` to the runner; boxing the larger ones would only add
// an allocation per write.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Search; a newer search cancels an older one (latest keystroke wins).
    Search {
        seq: u64,
        filter: SearchFilter,
        page: u32,
        size: u32,
        sort: Option<String>,
    },
    /// A page of the back-office directory (bankingservice's customer list), answered
    /// as `Msg::Searched` like a search page; a newer search or listing cancels it.
    Directory { seq: u64, page: u32, size: u32 },
    /// Every id in the directory (mark all), answered as `Msg::MarkedAll`.
    DirectoryIds { seq: u64, count: u64 },
    /// Load every part of a customer.
    LoadCustomer { id: String },
    /// Re-read only the parts of the open customer a write changed; the rest stays on
    /// screen as it is (nothing shows "loading").
    Reread {
        id: String,
        parts: Vec<CustomerRead>,
    },
    /// Put text on the clipboard via OSC 52.
    Copy(String),
    /// Switch mouse capture.
    Mouse(bool),
    /// Append to the audit log.
    Audit {
        customer: String,
        action: String,
        detail: String,
    },
    /// Append a prepared line to the audit log (refusals, caller verification).
    Record(AuditNote),
    /// Send `Msg::Debounced { seq }` after `after`; a newer one replaces it.
    Debounce { seq: u64, after: Duration },
    /// Ask NewDay whether an email or UK mobile is in a supported format; a newer
    /// check replaces an older one.
    VerifyContact {
        seq: u64,
        kind: ContactKind,
        value: String,
    },
    /// Every write the console makes (contact changes and their passcodes, phones,
    /// offers, alerts, bankingservice customers), built by [`crate::api::ops`].
    /// Audited when it ends, without a passcode; answers `Msg::Written` with the same
    /// `seq`.
    Write {
        seq: u64,
        op: WriteOp,
        key: IdempotencyKey,
        note: AuditNote,
    },
    /// Fetch every id of a search (mark all), answered as `Msg::MarkedAll`.
    MarkAll {
        seq: u64,
        filter: SearchFilter,
        count: u64,
    },
    /// Read the targets' current values into a plan (`Msg::BulkPlanned`).
    BulkPlan {
        seq: u64,
        items: Vec<crate::bulk::Item>,
        errors: Vec<crate::bulk::PlanError>,
        source: String,
    },
    /// Read a CSV file of customers to create into a plan.
    BulkPlanCsv { seq: u64, path: std::path::PathBuf },
    /// Apply a plan through the journaled engine (`Msg::BulkEvent`, `Msg::BulkFinished`).
    BulkApply {
        seq: u64,
        plan: Box<crate::bulk::Plan>,
        retry_failed: bool,
    },
    /// Pause, go on with, or cancel the running job.
    BulkControl(crate::bulk::apply::Control),
    /// Save a plan to the plans directory, to apply later (`custdesk bulk apply`).
    BulkSavePlan { plan: Box<crate::bulk::Plan> },
    /// Write a job's results as CSV beside its journal.
    BulkExport { job_id: String },
    /// Embedded sandbox only: read its outbox for what passcode flow `flow` sent to
    /// the customer's phone (`Msg::Outbox`), for a trainee to read out.
    Outbox { flow: String },
}

impl Effect {
    /// Whether this effect changes data at the backend (refused in read-only mode).
    pub fn is_write(&self) -> bool {
        matches!(self, Effect::Write { .. } | Effect::BulkApply { .. })
    }
}
