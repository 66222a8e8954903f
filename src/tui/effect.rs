//! What `update` asks the runtime to do. The runtime runs these as background tasks that
//! report back with a [`Msg`](super::msg::Msg); `update` itself does no I/O.

use crate::api::wire::newday::SearchFilter;

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
    /// Load every part of a customer.
    LoadCustomer { id: String },
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
}
