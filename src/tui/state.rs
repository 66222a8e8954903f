//! The console's state types: panes, the results table's columns, the open customer's
//! parts as they load, the search and the status line.

use std::time::Duration;

use tui_input::Input;

use super::msg::{CardAccount, Extra, Outcome};
use crate::api::wire::{candescent::ContactMethods, citi, newday};

/// Rows fetched per search page.
pub const PAGE_SIZE: u32 = 100;
/// How long a revealed field stays visible.
pub const REVEAL_FOR: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Search,
    Profile,
    Contacts,
    Alerts,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Search, Pane::Profile, Pane::Contacts, Pane::Alerts];
    pub fn title(self) -> &'static str {
        match self {
            Pane::Search => "Search",
            Pane::Profile => "Profile",
            Pane::Contacts => "Contact methods",
            Pane::Alerts => "Alerts",
        }
    }
}

/// The search results' sortable columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Name,
    DateOfBirth,
    Postcode,
    Phone,
    Account,
    Status,
}

impl Column {
    pub const ALL: [Column; 6] = [
        Column::Name,
        Column::DateOfBirth,
        Column::Postcode,
        Column::Phone,
        Column::Account,
        Column::Status,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::DateOfBirth => "Born",
            Column::Postcode => "Postcode",
            Column::Phone => "Phone",
            Column::Account => "Account",
            Column::Status => "Status",
        }
    }
    /// The backend sort key, for columns the backend can sort by.
    pub fn sort_key(self) -> Option<&'static str> {
        match self {
            Column::Name => Some("familyName"),
            Column::DateOfBirth => Some("dateOfBirth"),
            Column::Postcode => Some("postcode"),
            _ => None,
        }
    }
}

/// A part of the open customer.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(String),
}

impl<T> Load<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Ready(v) => Some(v),
            _ => None,
        }
    }
    /// The loaded value, or the notice that says why it cannot be used yet.
    pub(crate) fn ready_or(&self, loading: &str, failed: &str) -> Result<&T, String> {
        match self {
            Load::Ready(v) => Ok(v),
            Load::Loading => Err(loading.to_string()),
            Load::Failed(_) => Err(failed.to_string()),
        }
    }
    /// Store a finished call's outcome here; answer its correlation id and error for
    /// the status bar.
    pub(crate) fn settle(&mut self, o: Outcome<T>) -> (Option<String>, Option<String>) {
        let err = o.result.as_ref().err().cloned();
        *self = match o.result {
            Ok(v) => Load::Ready(v),
            Err(e) => Load::Failed(e),
        };
        (o.correlation_id, err)
    }
    /// Fold a partial reload into a loaded value (a failed one leaves it as it was);
    /// answer its correlation id and error for the status bar.
    pub(crate) fn patch<U>(
        &mut self,
        o: Outcome<U>,
        apply: impl FnOnce(&mut T, U),
    ) -> (Option<String>, Option<String>) {
        let err = o.result.as_ref().err().cloned();
        if let (Load::Ready(v), Ok(part)) = (&mut *self, o.result) {
            apply(v, part);
        }
        (o.correlation_id, err)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub id: String,
    pub details: Load<newday::Customer>,
    pub profile: Load<citi::Profile>,
    pub contacts: Load<ContactMethods>,
    pub alerts: Load<citi::Alerts>,
    pub history: Load<citi::AlertHistory>,
    pub cards: Load<Vec<CardAccount>>,
    pub partner: Load<Extra<String>>,
    /// Whom the customer-bound token is bound to (an id), or why that is not shown.
    pub bound: Load<Extra<String>>,
    pub image: Load<Option<crate::tui::graphics::Picture>>,
}

impl Customer {
    pub(crate) fn new(id: String) -> Self {
        Customer {
            id,
            details: Load::Loading,
            profile: Load::Loading,
            contacts: Load::Loading,
            alerts: Load::Loading,
            history: Load::Loading,
            cards: Load::Loading,
            partner: Load::Loading,
            bound: Load::Loading,
            image: Load::Loading,
        }
    }
    pub fn loading(&self) -> bool {
        matches!(self.details, Load::Loading)
            || matches!(self.profile, Load::Loading)
            || matches!(self.contacts, Load::Loading)
            || matches!(self.alerts, Load::Loading)
            || matches!(self.history, Load::Loading)
            || matches!(self.cards, Load::Loading)
            || matches!(self.partner, Load::Loading)
            || matches!(self.bound, Load::Loading)
            || matches!(self.image, Load::Loading)
    }
}

#[derive(Debug, Clone)]
pub struct Search {
    pub input: Input,
    pub editing: bool,
    pub rows: Vec<newday::Customer>,
    pub count: u64,
    pub selected: usize,
    /// First visible row, kept so the selection stays on screen.
    pub offset: usize,
    pub seq: u64,
    pub loading: bool,
    /// Next page being fetched (so a scroll asks once).
    pub fetching_page: Option<u32>,
    pub error: Option<String>,
    pub filter: Option<newday::SearchFilter>,
    /// The table lists the back-office directory (`dir:`): bankingservice's customers,
    /// oldest first, paged as the selection nears the end; it cannot be sorted.
    pub directory: bool,
    pub sort: Column,
    pub descending: bool,
    /// The column the cursor is on, for sorting.
    pub column: Column,
    /// Customers marked for a bulk edit, by id, in the order they were marked. Marks
    /// outlive a new search; the search pane always says how many there are.
    pub marks: indexmap::IndexSet<String>,
    /// The row last marked with space, where a range mark starts.
    pub anchor: Option<usize>,
    /// Mark-all under way for this search.
    pub marking: Option<u64>,
    /// The whole query is selected (after `/`): the next character typed replaces it.
    pub query_selected: bool,
}

impl Default for Search {
    fn default() -> Self {
        Search {
            input: Input::default(),
            editing: true,
            rows: Vec::new(),
            count: 0,
            selected: 0,
            offset: 0,
            seq: 0,
            loading: false,
            fetching_page: None,
            error: None,
            filter: None,
            directory: false,
            sort: Column::Name,
            descending: false,
            column: Column::Name,
            marks: Default::default(),
            anchor: None,
            marking: None,
            query_selected: false,
        }
    }
}

/// A masked field the agent may reveal: which customer and which value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRef {
    pub customer: String,
    /// e.g. `phone:0`, `email:1`, `account:0`.
    pub field: String,
    pub label: String,
}

#[derive(Debug, Clone, Default)]
pub struct Status {
    pub backend: String,
    pub profile: String,
    pub agent: String,
    pub scopes: Vec<String>,
    pub last_correlation: Option<String>,
    pub last_error: Option<String>,
    pub notice: Option<String>,
    pub spinner: usize,
}
