//! Console state and `update`: messages in, state changed and effects out. No drawing
//! and no I/O here.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEventKind};
use tui_input::Input;

use super::effect::Effect;
use super::keymap::{Action, Context, Keymap};
use super::msg::{Msg, Part, first_card_failure};
use super::theme::Theme;

use super::edit::verify::CallerCheck;

pub use super::dialog::Overlay;
pub use super::state::*;

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
                let now = self.clock.now();
                let before = self.reveals.len();
                self.reveals.retain(|(_, until)| *until > now);
                // A reveal shows its countdown, so while one lasts each tick redraws.
                if self.reveals.len() != before || !self.reveals.is_empty() {
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
                    Part::Bound(o) => c.bound.settle(o),
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
        match self.pane_context() {
            Context::SearchInput => self.search_input_key(k, fx),
            ctx => {
                if ctx == Context::Results && self.list_key(k, fx) {
                    return;
                }
                match self.keymap.action_in(ctx, &k) {
                    Some(a) => self.on_action(a, fx),
                    None => self.key_for_elsewhere(ctx, &k),
                }
            }
        }
    }

    fn on_overlay_key(&mut self, k: KeyEvent, fx: &mut Vec<Effect>) {
        self.with_dialog(|d, app| (d.key(app, k, fx), ()));
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
