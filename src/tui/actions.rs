//! What the agent's actions do to the console: search and its pages, moving the
//! selection, opening customers, and every global action of the keymap.

use tui_input::Input;

use super::app::{App, Column, Customer, FieldRef, Overlay, PAGE_SIZE, Pane, one_line};
use super::edit::ContactKind;
use super::effect::Effect;
use super::keymap::Action;
use crate::api::ops::CUSTOMERS_WRITE;
use crate::api::wire::newday;
use crate::domain::query;

impl App {
    pub(crate) fn search_changed(&mut self, fx: &mut Vec<Effect>) {
        self.search.seq += 1;
        // A mark-all under way was for the old search: its answer will be dropped.
        self.search.marking = None;
        if let Some(asked) = query::directory(self.search.input.value()) {
            self.directory_changed(asked, fx);
            return;
        }
        self.search.directory = false;
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

    /// `dir:` was typed: list the back-office directory in the results table, or say
    /// in words why not (`dir:` with a filter after it, or a client without the scope).
    fn directory_changed(&mut self, asked: Result<(), String>, fx: &mut Vec<Effect>) {
        self.search.filter = None;
        self.search.fetching_page = None;
        match asked.and_then(|()| self.directory_refusal().map_or(Ok(()), Err)) {
            Ok(()) => {
                self.search.directory = true;
                self.search.loading = true;
                self.search.error = None;
                fx.push(self.directory_effect(0));
            }
            Err(why) => {
                self.search.directory = false;
                self.search.rows.clear();
                self.search.count = 0;
                self.search.loading = false;
                self.status.notice = Some(why.clone());
                self.search.error = Some(why);
            }
        }
    }

    /// Why this client may not list the directory, if it may not. The directory is a
    /// back-office tool: it is offered to a client that manages bankingservice
    /// customers (customers:write, the backoffice client). Unknown scopes (a static
    /// token): the backend decides, and its refusal is said in words.
    fn directory_refusal(&self) -> Option<String> {
        let scopes = &self.status.scopes;
        (!scopes.is_empty() && !scopes.iter().any(|s| s == CUSTOMERS_WRITE))
            .then(|| {
                format!(
                    "The directory is for the backoffice client ({CUSTOMERS_WRITE}), not {}: set CUSTDESK_CLIENT_ID=backoffice",
                    crate::tui::view::safe(&self.status.agent)
                )
            })
    }

    fn directory_effect(&self, page: u32) -> Effect {
        Effect::Directory {
            seq: self.search.seq,
            page,
            size: PAGE_SIZE,
        }
    }

    /// Mark every customer in the directory: at once when all are loaded, else their
    /// ids are read page by page (answered as a mark-all of a search is).
    fn mark_all_directory(&mut self, fx: &mut Vec<Effect>) {
        let (count, loaded) = (self.search.count, self.search.rows.len());
        if count == 0 {
            self.status.notice = Some("No customers in the directory to mark".into());
        } else if loaded as u64 >= count {
            let ids = self.search.rows.iter().map(|c| c.id.clone()).collect();
            self.marked_all(ids);
        } else {
            self.search.marking = Some(self.search.seq);
            self.status.notice = Some(format!(
                "Marking all {count} customers in the directory ({loaded} loaded)…"
            ));
            fx.push(Effect::DirectoryIds {
                seq: self.search.seq,
                count,
            });
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
        if self.search.selected + self.visible_rows.max(20) < loaded {
            return;
        }
        let page = (loaded as u32).div_ceil(PAGE_SIZE);
        if self.search.directory {
            self.search.fetching_page = Some(page);
            fx.push(self.directory_effect(page));
        } else if let Some(filter) = self.search.filter.clone() {
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
                    if self.search.directory {
                        self.status.notice = Some(
                            "The directory cannot be sorted by the backend: bankingservice lists customers oldest first"
                                .into(),
                        );
                        return;
                    }
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
            Action::ProfileImage => {
                if self.edit_gate("image", true, fx) {
                    self.open_image();
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
            Action::MarkAll if self.search.directory => self.mark_all_directory(fx),
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
            | Action::Complete
            | Action::Close => {}
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
