//! Console state and `update`: messages in, state changed and effects out. No drawing
//! and no I/O here.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEventKind};
use tui_input::Input;

use super::effect::Effect;
use super::keymap::{Action, Keymap};
use super::msg::{CardAccount, Extra, Msg, Outcome, Part, first_card_failure};
use super::theme::Theme;
use crate::api::wire::{candescent::ContactMethods, citi, newday};
use crate::domain::query;

use super::edit::ContactKind;
use super::edit::verify::CallerCheck;

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
    fn settle(&mut self, o: Outcome<T>) -> (Option<String>, Option<String>) {
        let err = o.result.as_ref().err().cloned();
        *self = match o.result {
            Ok(v) => Load::Ready(v),
            Err(e) => Load::Failed(e),
        };
        (o.correlation_id, err)
    }
    /// Fold a partial reload into a loaded value (a failed one leaves it as it was);
    /// answer its correlation id and error for the status bar.
    fn patch<U>(
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
    pub image: Load<Option<crate::tui::graphics::Picture>>,
}

impl Customer {
    fn new(id: String) -> Self {
        Customer {
            id,
            details: Load::Loading,
            profile: Load::Loading,
            contacts: Load::Loading,
            alerts: Load::Loading,
            history: Load::Loading,
            cards: Load::Loading,
            partner: Load::Loading,
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

pub use super::dialog::Overlay;

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

pub struct App {
    pub focus: Pane,
    pub search: Search,
    pub customer: Option<Customer>,
    /// Cursor in the profile pane's list of fields.
    pub profile_cursor: usize,
    pub overlay: Option<Overlay>,
    pub reveals: Vec<(FieldRef, Instant)>,
    pub status: Status,
    pub keymap: Keymap,
    pub theme: Theme,
    pub read_only: bool,
    pub mouse: bool,
    /// Shown on top when running against the training sandbox.
    pub banner: Option<String>,
    /// Columns from which an open customer shows as a 360 (`customer_360_from`).
    pub customer_360_from: u16,
    /// The embedded sandbox's text to the customer's phone, for a trainee.
    pub training: Option<super::training::Received>,
    pub size: (u16, u16),
    pub dirty: bool,
    pub quit: bool,
    /// Ctrl-C was pressed once while a bulk job was sending or a dialog held typed
    /// input: the next one acts.
    pub quit_warned: bool,
    /// The status bar's messages and their log.
    pub messages: super::messages::Messages,
    /// Time for messages; tests move it on instead of sleeping.
    pub clock: super::messages::Clock,
    /// Rows of the results table visible at the last draw (for paging keys).
    pub visible_rows: usize,
    /// Opened with `--caller`: open the customer when the phone search finds exactly one.
    pub caller_pending: bool,
    /// What the caller has proved, for the open customer (see `edit::verify`).
    pub caller: Option<CallerCheck>,
    /// Numbers the calls of edit dialogs so a stale answer is recognised and dropped.
    pub edit_seq: u64,
}

impl App {
    pub fn new(keymap: Keymap, theme: Theme) -> App {
        App {
            focus: Pane::Search,
            search: Search::default(),
            customer: None,
            profile_cursor: 0,
            overlay: None,
            reveals: Vec::new(),
            status: Status::default(),
            keymap,
            theme,
            read_only: false,
            mouse: true,
            banner: None,
            customer_360_from: super::view::CUSTOMER_360_FROM,
            training: None,
            size: (80, 24),
            dirty: true,
            quit: false,
            quit_warned: false,
            messages: Default::default(),
            clock: Default::default(),
            visible_rows: 10,
            caller_pending: false,
            caller: None,
            edit_seq: 0,
        }
    }

    pub fn is_revealed(&self, customer: &str, field: &str) -> bool {
        self.reveals
            .iter()
            .any(|(f, _)| f.customer == customer && f.field == field)
    }

    /// Whether any call is in flight (drives the spinner); derived, never counted.
    pub fn busy(&self) -> bool {
        self.search.loading
            || self.search.fetching_page.is_some()
            || self.search.marking.is_some()
            || self.customer.as_ref().is_some_and(Customer::loading)
            || self.dialog_busy()
    }

    /// Whether an open dialog waits for a call (its spinner turns).
    fn dialog_busy(&self) -> bool {
        self.overlay.as_ref().is_some_and(|o| o.dialog().busy())
    }

    /// Apply one message. Returns the effects to run; sets `dirty` when the screen must
    /// be redrawn.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let before = self.messages_before();
        let fx = self.handle(msg);
        self.messages_after(before);
        fx
    }

    fn handle(&mut self, msg: Msg) -> Vec<Effect> {
        let mut fx = Vec::new();
        match msg {
            Msg::Key(k) => self.on_key(k, &mut fx),
            Msg::Paste(text) => {
                if self.overlay.is_some() {
                    // A dialog that takes no pasted text drops it: it never reaches the
                    // search box behind.
                    self.with_dialog(|d, app| {
                        d.paste(app, &text, &mut fx);
                        (true, ())
                    });
                } else if self.focus == Pane::Search {
                    paste_into(&mut self.search.input, &text);
                    self.search.editing = true;
                    self.search_changed(&mut fx);
                }
            }
            Msg::Mouse(m) => match m.kind {
                MouseEventKind::ScrollDown => self.on_action(Action::Down, &mut fx),
                MouseEventKind::ScrollUp => self.on_action(Action::Up, &mut fx),
                _ => {}
            },
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.dirty = true;
            }
            Msg::Tick => {
                self.expire_error();
                let now = Instant::now();
                let before = self.reveals.len();
                self.reveals.retain(|(_, until)| *until > now);
                if self.reveals.len() != before {
                    self.dirty = true;
                }
                if self.busy() {
                    self.status.spinner = self.status.spinner.wrapping_add(1);
                    self.dirty = true;
                }
            }
            Msg::Searched { seq, page, outcome } => {
                if seq != self.search.seq {
                    return fx; // stale: an older search's answer
                }
                self.finish_call(&outcome.correlation_id, outcome.result.as_ref().err());
                self.search.loading = false;
                self.search.fetching_page = None;
                match outcome.result {
                    Ok(resp) => {
                        if page == 0 {
                            self.search.rows = resp.values;
                            self.search.selected = 0;
                            self.search.offset = 0;
                        } else {
                            self.search.rows.extend(resp.values);
                        }
                        self.search.count = resp.count;
                        self.search.error = None;
                        // A good search ends the error before it.
                        self.clear_error();
                        if std::mem::take(&mut self.caller_pending) {
                            if resp.count == 1 {
                                let id = self.search.rows[0].id.clone();
                                self.open_customer(id, &mut fx);
                                self.focus = Pane::Profile;
                            } else {
                                self.search.editing = false;
                                self.status.notice = Some(format!(
                                    "{} customers have the caller's number",
                                    resp.count
                                ));
                            }
                        }
                    }
                    Err(e) => self.search.error = Some(e),
                }
                self.dirty = true;
            }
            Msg::Loaded { customer_id, part } => {
                let Some(c) = self.customer.as_mut().filter(|c| c.id == customer_id) else {
                    return fx; // a customer no longer open
                };
                let (cid, err) = match part {
                    Part::Customer(o) => c.details.settle(o),
                    Part::Profile(o) => c.profile.settle(o),
                    Part::Contacts(o) => c.contacts.settle(o),
                    Part::Emails(o) => c.profile.patch(o, |p, e| p.emails = e.emails),
                    Part::Phones(o) => c.profile.patch(o, |p, ph| p.phones = ph.phones),
                    Part::Alerts(o) => c.alerts.settle(o),
                    Part::History(o) => c.history.settle(o),
                    // Without the account list there are no cards to read: the
                    // customer's own error already says so.
                    Part::Cards(o) => {
                        let failed = first_card_failure(&o);
                        (c.cards.settle(o).0, failed)
                    }
                    Part::Partner(o) => c.partner.settle(o),
                    Part::Image(o) => c.image.settle(o),
                };
                self.finish_call(&cid, err.as_ref());
                self.dirty = true;
            }
            Msg::SignedIn(o) => {
                match o.result {
                    Ok(scopes) => self.status.scopes = scopes,
                    Err(e) => self.status.last_error = Some(format!("sign-in failed: {e}")),
                }
                self.dirty = true;
            }
            Msg::MarkedAll { seq, outcome } => {
                // A new search clears `marking`, so an older search's ids are dropped.
                if self.search.marking == Some(seq) {
                    self.finish_call(&outcome.correlation_id, outcome.result.as_ref().err());
                    match outcome.result {
                        Ok(ids) => self.marked_all(ids),
                        Err(e) => {
                            self.search.marking = None;
                            self.status.notice = Some(format!("Could not mark all: {e}"));
                        }
                    }
                    self.dirty = true;
                }
            }
            // What dialogs asked for: a write's answer, a format check, a bulk job.
            msg @ (Msg::Written { .. }
            | Msg::Debounced { .. }
            | Msg::ContactVerified { .. }
            | Msg::BulkPlanProgress { .. }
            | Msg::BulkPlanned { .. }
            | Msg::BulkEvent { .. }
            | Msg::BulkFinished { .. }
            | Msg::BulkNotice(_)) => {
                let written = matches!(msg, Msg::Written { .. });
                if let Msg::Written { outcome, .. } = &msg {
                    // A write's answer: its correlation id becomes the last one (copyable
                    // with `Y`), even when the dialog that asked has gone.
                    self.finish_write(&outcome.correlation_id);
                }
                // A saved plan or an export with no bulk dialog open: the status says.
                if let Some(Msg::BulkNotice(text)) = self.route_to_dialog(msg, &mut fx) {
                    self.status.notice = Some(text);
                }
                if written {
                    // A passcode went out: the training sandbox shows what the phone got.
                    self.read_training_phone(&mut fx);
                }
                self.dirty = true;
            }
            Msg::Outbox { flow, outcome } => self.training_received(flow, outcome),
            Msg::Quit => self.quit = true,
        }
        fx
    }

    /// A new number for an edit dialog's call.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.edit_seq += 1;
        self.edit_seq
    }

    /// A write answered: its correlation id becomes the last one (copyable with `Y`).
    fn finish_write(&mut self, correlation: &Option<String>) {
        if let Some(c) = correlation {
            self.status.last_correlation = Some(c.clone());
        }
        self.dirty = true;
    }

    fn finish_call(&mut self, correlation: &Option<String>, err: Option<&String>) {
        if let Some(c) = correlation {
            self.status.last_correlation = Some(c.clone());
        }
        if let Some(e) = err {
            self.status.last_error = Some(e.clone());
        }
    }

    fn on_key(&mut self, k: KeyEvent, fx: &mut Vec<Effect>) {
        if k.kind == crossterm::event::KeyEventKind::Release {
            return;
        }
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            self.ctrl_c();
            return;
        }
        self.quit_warned = false;
        if self.overlay.is_some() {
            self.on_overlay_key(k, fx);
            return;
        }
        if self.focus == Pane::Search && self.search.editing {
            match k.code {
                // Function keys are never text: F1 opens help while typing.
                KeyCode::F(_) => {
                    if let Some(a) = self.keymap.action(&k) {
                        self.on_action(a, fx);
                    }
                }
                KeyCode::Esc => {
                    self.search.editing = false;
                    self.search.query_selected = false;
                    self.dirty = true;
                }
                KeyCode::Enter | KeyCode::Down | KeyCode::Tab | KeyCode::BackTab | KeyCode::Up => {
                    if !self.search.rows.is_empty()
                        || k.code == KeyCode::Tab
                        || k.code == KeyCode::BackTab
                    {
                        self.search.editing = false;
                    }
                    let action = match k.code {
                        KeyCode::Enter => Some(Action::Open),
                        KeyCode::Tab => Some(Action::NextPane),
                        KeyCode::BackTab => Some(Action::PrevPane),
                        KeyCode::Up => Some(Action::Up),
                        _ => None,
                    };
                    self.search.query_selected = false;
                    if let Some(a) = action {
                        self.on_action(a, fx);
                    }
                    self.dirty = true;
                }
                _ => self.search_box_key(k, fx),
            }
            return;
        }
        if self.focus == Pane::Search && self.list_key(k, fx) {
            return;
        }
        if let Some(a) = self.keymap.action(&k) {
            self.on_action(a, fx);
        }
    }

    fn on_overlay_key(&mut self, k: KeyEvent, fx: &mut Vec<Effect>) {
        self.with_dialog(|d, app| (d.key(app, k, fx), ()));
    }

    pub(crate) fn search_changed(&mut self, fx: &mut Vec<Effect>) {
        self.search.seq += 1;
        // A mark-all under way was for the old search: its answer will be dropped.
        self.search.marking = None;
        let parsed = query::parse(self.search.input.value());
        self.search.filter = parsed.clone().ok().flatten().map(Into::into);
        self.search.fetching_page = None;
        match self.search.filter.clone() {
            // What cannot be a search says why, in place of the results.
            None if parsed.is_err() => {
                self.search.rows.clear();
                self.search.count = 0;
                self.search.loading = false;
                self.search.error = parsed.err();
            }
            None => {
                self.search.rows.clear();
                self.search.count = 0;
                self.search.loading = false;
                self.search.error = None;
            }
            Some(filter) => {
                self.search.loading = true;
                fx.push(self.search_effect(filter, 0));
            }
        }
    }

    fn search_effect(&self, filter: newday::SearchFilter, page: u32) -> Effect {
        let sort = self.search.sort.sort_key().map(|k| {
            if self.search.descending {
                format!("-{k}")
            } else {
                k.to_string()
            }
        });
        Effect::Search {
            seq: self.search.seq,
            filter,
            page,
            size: PAGE_SIZE,
            sort,
        }
    }

    /// Fetch the next page when the selection nears the end of what is loaded.
    fn maybe_fetch_more(&mut self, fx: &mut Vec<Effect>) {
        let loaded = self.search.rows.len();
        if self.search.fetching_page.is_some() || (loaded as u64) >= self.search.count {
            return;
        }
        if self.search.selected + self.visible_rows.max(20) >= loaded
            && let Some(filter) = self.search.filter.clone()
        {
            let page = (loaded as u32).div_ceil(PAGE_SIZE);
            self.search.fetching_page = Some(page);
            fx.push(self.search_effect(filter, page));
        }
    }

    fn move_selection(&mut self, delta: isize, fx: &mut Vec<Effect>) {
        match self.focus {
            Pane::Search => {
                let n = self.search.rows.len();
                if n == 0 {
                    return;
                }
                let new = (self.search.selected as isize + delta).clamp(0, n as isize - 1) as usize;
                if new != self.search.selected {
                    self.search.selected = new;
                    self.dirty = true;
                }
                self.maybe_fetch_more(fx);
            }
            Pane::Profile => {
                let n = self.profile_fields().len();
                if n > 0 {
                    let new =
                        (self.profile_cursor as isize + delta).clamp(0, n as isize - 1) as usize;
                    if new != self.profile_cursor {
                        self.profile_cursor = new;
                        self.dirty = true;
                    }
                }
            }
            _ => {}
        }
    }

    /// The revealable fields of the open customer's profile, in display order.
    pub fn profile_fields(&self) -> Vec<FieldRef> {
        let Some(c) = &self.customer else {
            return vec![];
        };
        let mut out = Vec::new();
        if let Some(d) = c.details.ready() {
            for (i, p) in d.contact.phone_numbers.iter().enumerate() {
                out.push(FieldRef {
                    customer: c.id.clone(),
                    field: format!("phone:{i}"),
                    label: format!("{} phone", p.kind.to_lowercase()),
                });
            }
            for (i, e) in d.contact.email_addresses.iter().enumerate() {
                out.push(FieldRef {
                    customer: c.id.clone(),
                    field: format!("email:{i}"),
                    label: format!("{} email", e.kind.to_lowercase()),
                });
            }
            for (i, a) in d.accounts.iter().enumerate() {
                out.push(FieldRef {
                    customer: c.id.clone(),
                    field: format!("account:{i}"),
                    label: format!("{} account", a.account_type.to_lowercase()),
                });
            }
        }
        out
    }

    pub fn selected_customer_id(&self) -> Option<String> {
        match self.focus {
            Pane::Search => self
                .search
                .rows
                .get(self.search.selected)
                .map(|c| c.id.clone()),
            _ => self.customer.as_ref().map(|c| c.id.clone()),
        }
    }

    pub fn on_action(&mut self, a: Action, fx: &mut Vec<Effect>) {
        self.dirty = true;
        if !self.read_only && !self.scope_gate(a, fx) {
            return;
        }
        let page = self.visible_rows.max(1) as isize;
        match a {
            Action::Quit => self.quit = true,
            Action::Messages => self.overlay = Some(Overlay::Messages(Default::default())),
            Action::Help => self.overlay = Some(Overlay::Help(Default::default())),
            Action::Palette => self.overlay = Some(Overlay::Palette(Default::default())),
            Action::FocusSearch => self.select_query(),
            Action::NextPane | Action::PrevPane => {
                let i = Pane::ALL.iter().position(|p| *p == self.focus).unwrap_or(0);
                let n = Pane::ALL.len();
                let j = if a == Action::NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.focus = Pane::ALL[j];
                if self.focus != Pane::Search {
                    self.search.editing = false;
                    self.open_selected_if_none(fx);
                }
            }
            Action::Up => self.move_selection(-1, fx),
            Action::Down => self.move_selection(1, fx),
            Action::PageUp => self.move_selection(-page, fx),
            Action::PageDown => self.move_selection(page, fx),
            Action::Top => self.move_selection(isize::MIN / 2, fx),
            Action::Bottom => self.move_selection(isize::MAX / 2, fx),
            Action::Left | Action::Right => {
                if self.focus == Pane::Search {
                    let i = Column::ALL
                        .iter()
                        .position(|c| *c == self.search.column)
                        .unwrap_or(0);
                    let n = Column::ALL.len();
                    let j = if a == Action::Right {
                        (i + 1) % n
                    } else {
                        (i + n - 1) % n
                    };
                    self.search.column = Column::ALL[j];
                } else {
                    self.on_action(
                        if a == Action::Right {
                            Action::NextPane
                        } else {
                            Action::PrevPane
                        },
                        fx,
                    );
                }
            }
            Action::Open => {
                if self.focus == Pane::Search
                    && let Some(id) = self.selected_customer_id()
                {
                    self.open_customer(id, fx);
                    self.focus = Pane::Profile;
                }
            }
            Action::Back => {
                if self.focus != Pane::Search {
                    self.focus = Pane::Search;
                } else {
                    self.search.editing = true;
                }
            }
            Action::Sort => {
                if self.focus == Pane::Search {
                    let col = self.search.column;
                    if col.sort_key().is_none() {
                        self.status.notice = Some(format!(
                            "{} cannot be sorted by the backend; sort by name, given name, born or postcode",
                            col.title()
                        ));
                        return;
                    }
                    if self.search.sort == col {
                        self.search.descending = !self.search.descending;
                    } else {
                        self.search.sort = col;
                        self.search.descending = false;
                    }
                    self.search_changed(fx);
                }
            }
            Action::Reveal => {
                if self.focus == Pane::Profile {
                    if let Some(field) = self.profile_fields().get(self.profile_cursor).cloned() {
                        self.overlay =
                            Some(Overlay::Reveal(super::dialogs::reveal::Reveal::new(field)));
                    }
                } else {
                    self.status.notice = Some(
                        "Open the profile pane and select a phone, email or account to reveal"
                            .into(),
                    );
                }
            }
            Action::CopyId => match self.selected_customer_id() {
                Some(id) => {
                    self.status.notice = Some(format!("Copied customer id {id}"));
                    fx.push(Effect::Copy(id));
                }
                None => self.status.notice = Some("No customer selected".into()),
            },
            Action::CopyCorrelation => match self.status.last_correlation.clone() {
                Some(c) => {
                    self.status.notice = Some(format!("Copied correlation id {c}"));
                    fx.push(Effect::Copy(c));
                }
                None => self.status.notice = Some("No call made yet".into()),
            },
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                self.status.notice = Some(
                    if self.mouse {
                        "Mouse on"
                    } else {
                        "Mouse off: terminal text selection works"
                    }
                    .into(),
                );
                fx.push(Effect::Mouse(self.mouse));
            }
            Action::VerifyCaller => self.open_verify(),
            Action::EditEmail => {
                if self.contact_edit_gate("update_email", fx) {
                    self.open_contact(ContactKind::Email);
                }
            }
            Action::EditPhone => {
                if self.contact_edit_gate("update_phone", fx) {
                    self.open_contact(ContactKind::Phone);
                }
            }
            Action::AddPhone => {
                if self.contact_edit_gate("add_phone", fx) {
                    self.open_add_phone();
                }
            }
            Action::OfferResponse => {
                if self.edit_gate("offer", true, fx) {
                    self.open_offers();
                }
            }
            Action::AlertSubscription => {
                if self.edit_gate("alerts", true, fx) {
                    self.open_alerts();
                }
            }
            Action::NewCustomer => {
                if self.customer_gate("customer.create", false, fx) {
                    self.open_customer_form(true);
                }
            }
            Action::EditCustomer => {
                if self.customer_gate("customer.update", true, fx) {
                    self.open_customer_form(false);
                }
            }
            Action::DeleteCustomer => {
                if self.customer_gate("customer.delete", true, fx) {
                    self.open_customer_delete();
                }
            }
            Action::ToggleMark => self.toggle_mark(),
            Action::MarkRange => self.mark_range(),
            Action::MarkAll => self.mark_all(fx),
            Action::ClearMarks => self.clear_marks(),
            Action::Bulk => self.open_bulk(fx),
            // A dialog's own keys: it handles them in its context.
            Action::SavePlan
            | Action::PauseJob
            | Action::CancelJob
            | Action::RetryFailed
            | Action::ExportResults
            | Action::Confirm
            | Action::NextField
            | Action::PrevField
            | Action::ItemUp
            | Action::ItemDown
            | Action::ChoicePrev
            | Action::ChoiceNext
            | Action::Accept
            | Action::Decline
            | Action::Complete => {}
            Action::Refresh => match self.focus {
                Pane::Search => self.search_changed(fx),
                _ => {
                    if let Some(id) = self.customer.as_ref().map(|c| c.id.clone()) {
                        self.open_customer(id, fx);
                    }
                }
            },
        }
    }

    fn open_selected_if_none(&mut self, fx: &mut Vec<Effect>) {
        if self.customer.is_none()
            && let Some(c) = self.search.rows.get(self.search.selected)
        {
            let id = c.id.clone();
            self.open_customer(id, fx);
        }
    }

    /// A telephony screen-pop: search the caller's number; one match opens at once,
    /// several land in the filtered search.
    pub fn screen_pop(&mut self, phone: &str) -> Vec<Effect> {
        let mut fx = Vec::new();
        self.search.input = Input::new(format!("phone:{}", one_line(phone)));
        self.caller_pending = true;
        self.search_changed(&mut fx);
        fx
    }

    /// Load the open customer again after a change, keeping the cursor where it was.
    pub(crate) fn reload_customer(&mut self, id: String, fx: &mut Vec<Effect>) {
        let cursor = self.profile_cursor;
        self.open_customer(id, fx);
        self.profile_cursor = cursor;
    }

    pub fn open_customer(&mut self, id: String, fx: &mut Vec<Effect>) {
        // Another customer is another caller: what was proved does not carry over.
        if self.caller.as_ref().is_some_and(|c| c.customer != id) {
            self.caller = None;
        }
        self.customer = Some(Customer::new(id.clone()));
        self.profile_cursor = 0;
        fx.push(Effect::LoadCustomer { id });
        self.dirty = true;
    }
}

/// The palette's entries: edits are not offered in read-only mode.
pub fn palette_for(read_only: bool, typed: &str) -> Vec<Action> {
    palette_matches(typed)
        .into_iter()
        .filter(|a| !(read_only && a.is_edit()))
        .collect()
}

/// Palette entries matching what was typed, best first.
pub fn palette_matches(typed: &str) -> Vec<Action> {
    crate::tui::dialogs::palette::matches(typed)
}

/// Append pasted text to a one-line input as one line, the cursor after it.
pub(crate) fn paste_into(input: &mut Input, text: &str) {
    let value = format!("{}{}", input.value(), one_line(text));
    *input = std::mem::take(input).with_value(value);
}

pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
