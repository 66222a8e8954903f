//! The one message enum: terminal input, timers and finished background calls all
//! arrive here, on one queue.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::api::wire::{candescent::ContactMethods, citi, newday};

/// A finished call: its value or the error in words, with the correlation id either way.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<T> {
    pub result: Result<T, String>,
    pub correlation_id: Option<String>,
}

impl<T> Outcome<T> {
    pub fn ok(value: T, correlation_id: impl Into<String>) -> Self {
        Outcome {
            result: Ok(value),
            correlation_id: Some(correlation_id.into()),
        }
    }
    pub fn err(message: impl Into<String>, correlation_id: Option<String>) -> Self {
        Outcome {
            result: Err(message.into()),
            correlation_id,
        }
    }
}

/// One part of a customer, loaded on its own so one failure leaves the others working.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Customer(Outcome<newday::Customer>),
    Profile(Outcome<citi::Profile>),
    Contacts(Outcome<ContactMethods>),
    Alerts(Outcome<citi::Alerts>),
    History(Outcome<citi::AlertHistory>),
}

// Messages move once through the queue; boxing the larger answers would only add an
// allocation per call.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Paste from the terminal (bracketed paste).
    Paste(String),
    /// Spinner frames and timed reveals expiring.
    Tick,
    Searched {
        seq: u64,
        page: u32,
        outcome: Outcome<newday::SearchResponse>,
    },
    Loaded {
        customer_id: String,
        part: Part,
    },
    /// Sign-in finished: the granted scopes, or why it failed.
    SignedIn(Outcome<Vec<String>>),
    /// SIGTERM, SIGHUP or the input stream ending.
    Quit,
}
