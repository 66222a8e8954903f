//! The one message enum: terminal input, timers and finished background calls all
//! arrive here, on one queue.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::api::ops::Answer;
use crate::api::wire::{candescent::ContactMethods, citi, newday};
use crate::api::{ApiError, Class, ErrorKind};

/// A finished call: its value or the error in words, with the correlation id either way.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<T, E = String> {
    pub result: Result<T, E>,
    pub correlation_id: Option<String>,
}

/// Why a write failed: the words to show, and what kind of failure it was so a dialog
/// can decide what to offer (try again, start again, fix the field).
#[derive(Debug, Clone, PartialEq)]
pub struct WriteError {
    pub message: String,
    pub kind: ErrorKind,
    /// The server's code (`invalidOtp`, `transactionDenied`, `invalidControlFlowId`...).
    pub code: Option<String>,
    /// What trying again can do.
    pub class: Class,
}

impl WriteError {
    pub fn new(kind: ErrorKind, code: Option<&str>, message: impl Into<String>) -> Self {
        let message = message.into();
        WriteError {
            class: Class::of(&kind, None, None, &message),
            message,
            kind,
            code: code.map(str::to_string),
        }
    }

    /// A failure another try of the same request may cure (the write may or may not
    /// have been applied, so the retry keeps its Idempotency-Key): [`Class::retryable`].
    pub fn is_transient(&self) -> bool {
        self.class.retryable()
    }
}

impl From<&ApiError> for WriteError {
    fn from(e: &ApiError) -> Self {
        WriteError {
            message: e.to_string(),
            kind: e.kind.clone(),
            code: e.code.clone(),
            class: e.class(),
        }
    }
}

impl<T> Outcome<T, WriteError> {
    pub fn written(value: T, correlation_id: impl Into<String>) -> Self {
        Outcome {
            result: Ok(value),
            correlation_id: Some(correlation_id.into()),
        }
    }
    pub fn failed(e: WriteError, correlation_id: Option<String>) -> Self {
        Outcome {
            result: Err(e),
            correlation_id,
        }
    }
}

impl Outcome<Answer, WriteError> {
    /// The part of a write's answer a dialog wants (a write answers in the shape its
    /// request asks for); another shape is a failure in words.
    pub fn pick<T>(self, part: impl FnOnce(Answer) -> Option<T>) -> Outcome<T, WriteError> {
        let correlation_id = self.correlation_id;
        let result = match self.result {
            Ok(a) => part(a).ok_or_else(|| {
                WriteError::new(
                    ErrorKind::Decode,
                    None,
                    "the answer is not the one this write expects",
                )
            }),
            Err(e) => Err(e),
        };
        Outcome {
            result,
            correlation_id,
        }
    }
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
    /// A partial reload: the profile's emails, or its phones.
    Emails(Outcome<citi::Emails>),
    Phones(Outcome<citi::Phones>),
    Alerts(Outcome<citi::Alerts>),
    History(Outcome<citi::AlertHistory>),
    /// Each card account with its card-to, bill-to and pin-to addresses; read after
    /// the customer's account list arrives.
    Cards(Outcome<Vec<CardAccount>>),
    /// What the partner view of the profile adds: its segment.
    Partner(Outcome<Extra<String>>),
    /// The id of the customer NewDay's `GET /customers` says the customer-bound token
    /// is bound to, or why it is not shown (no customer details, not allowed).
    Bound(Outcome<Extra<String>>),
    /// The profile image, ready to draw; none when the customer has none or images are
    /// off.
    Image(Outcome<Option<crate::tui::graphics::Picture>>),
}

/// A read this client may not be allowed (403) or that has nothing to answer (404):
/// the value, or a short plain line saying why it is not shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Extra<T> {
    Shown(T),
    Unavailable(String),
}

/// One card account of the open customer and its addresses.
#[derive(Debug, Clone, PartialEq)]
pub struct CardAccount {
    /// NewDay's `accounts[].accountId`.
    pub account_id: String,
    pub account_number: String,
    pub product_name: String,
    /// The addresses, a short line why they are not shown, or the error in words.
    pub addresses: Result<Extra<citi::CardAddresses>, String>,
}

/// The first card whose addresses failed to load (not merely unavailable), for the
/// status bar.
pub fn first_card_failure(cards: &Outcome<Vec<CardAccount>>) -> Option<String> {
    let cards = cards.result.as_ref().ok()?;
    cards
        .iter()
        .find_map(|c| c.addresses.as_ref().err().cloned())
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
    /// A debounce timer asked for with `Effect::Debounce` ran out.
    Debounced {
        seq: u64,
    },
    /// NewDay's verdict on a typed email or mobile.
    ContactVerified {
        seq: u64,
        outcome: Outcome<newday::Verification>,
    },
    /// Every id of search `seq` (mark all).
    MarkedAll {
        seq: u64,
        outcome: Outcome<Vec<String>>,
    },
    BulkPlanProgress {
        seq: u64,
        done: usize,
        total: usize,
    },
    BulkPlanned {
        seq: u64,
        result: Result<crate::bulk::Plan, String>,
    },
    /// The engine's progress; `elapsed` since the run started.
    BulkEvent {
        seq: u64,
        event: crate::bulk::apply::Event,
        elapsed: std::time::Duration,
    },
    BulkFinished {
        seq: u64,
        result: Result<(crate::bulk::apply::Summary, crate::bulk::journal::JobState), String>,
    },
    /// A saved plan or exported results, in words.
    BulkNotice(String),
    /// A write (`Effect::Write` with the same `seq`) answered: what the backend
    /// answered, or why not.
    Written {
        seq: u64,
        outcome: Outcome<Answer, WriteError>,
    },
    /// The embedded sandbox's outbox, read for passcode flow `flow`: the message that
    /// flow sent to the customer's phone, if the outbox holds one.
    Outbox {
        flow: String,
        outcome: Outcome<Option<crate::api::wire::sandbox::OutboxMessage>>,
    },
    /// SIGTERM, SIGHUP or the input stream ending.
    Quit,
}
