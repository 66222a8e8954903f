//! Bulk edits in the console: marks on the search results, and the bulk dialog that
//! turns them into a plan (every customer's old and new value), asks for the count to
//! be typed back when the plan is large or deletes, applies it through the same
//! journaled engine as `custdesk bulk`, and shows progress and results.
//!
//! The dialog's steps: choose the action and its values → the plan is read from the
//! backend → preview → (typed count) → applying, with pause and cancel → results, with
//! retry of the failed items and export to CSV. A job interrupted earlier is offered
//! for resume when the console starts.

use std::collections::BTreeSet;
use std::time::Duration;

use crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::typed_char;
use crate::api::ops::WriteKind;
use crate::bulk::apply::{Control, Event, Summary};
use crate::bulk::journal::{Counts, JobState};
use crate::bulk::{Item, Outcome, Plan, PlanError, csv as bulk_csv};
use crate::domain::choice::{Channel, Consent, PhoneType};
use crate::tui::app::{App, Overlay, Pane};
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::Msg;

/// Results of a search marked at most (mark-all beyond this asks for a narrower search).
pub const MARK_ALL_MAX: u64 = 100_000;

/// What a bulk job does to each target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Subscribe,
    Unsubscribe,
    AddPhone,
    StopConsent,
    SetEmail,
    SetPhone,
    Delete,
    CreateCsv,
}

/// One value the agent gives for an action: a CSV column, with fixed choices or free
/// text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub column: &'static str,
    pub label: &'static str,
    /// Empty: free text.
    pub choices: &'static [&'static str],
    pub default: &'static str,
    pub placeholder: &'static str,
}

const fn text(column: &'static str, label: &'static str, placeholder: &'static str) -> FieldSpec {
    FieldSpec {
        column,
        label,
        choices: &[],
        default: "",
        placeholder,
    }
}

const fn choice(
    column: &'static str,
    label: &'static str,
    choices: &'static [&'static str],
) -> FieldSpec {
    FieldSpec {
        column,
        label,
        choices,
        default: choices[0],
        placeholder: "",
    }
}

const CONSENT: FieldSpec = choice("consent_type", "Consent", Consent::NAMES);
const PHONE_TYPE: FieldSpec = choice("phone_type", "Phone type", PhoneType::NAMES);
const COUNTRY: FieldSpec = FieldSpec {
    column: "country_code",
    label: "Country code",
    choices: &[],
    default: "1",
    placeholder: "1",
};
const ALERT: FieldSpec = text("alert_code", "Alert code", "e.g. LOW_BALANCE");

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Subscribe,
        Kind::Unsubscribe,
        Kind::AddPhone,
        Kind::StopConsent,
        Kind::SetEmail,
        Kind::SetPhone,
        Kind::Delete,
        Kind::CreateCsv,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Kind::Subscribe => "Subscribe to an alert",
            Kind::Unsubscribe => "Unsubscribe from an alert",
            Kind::AddPhone => "Add a phone with consent (Relay)",
            Kind::StopConsent => "Set consent to stop for a number (Relay)",
            Kind::SetEmail => "Set the email (back office)",
            Kind::SetPhone => "Set the phone (back office)",
            Kind::Delete => "Delete the customers (back office)",
            Kind::CreateCsv => "Create customers from a CSV file (back office)",
        }
    }

    /// The action's name in CSV files and plans.
    pub fn action(self) -> &'static str {
        match self {
            Kind::Subscribe => "subscribe",
            Kind::Unsubscribe => "unsubscribe",
            Kind::AddPhone => "add_phone",
            Kind::StopConsent => "stop_consent",
            Kind::SetEmail => "set_email",
            Kind::SetPhone => "set_phone",
            Kind::Delete => "delete",
            Kind::CreateCsv => "create",
        }
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        const SUBSCRIBE: &[FieldSpec] = &[
            ALERT,
            choice("channel", "Channel", Channel::NAMES),
            text(
                "threshold",
                "Threshold",
                "e.g. 50, for alerts with an amount",
            ),
        ];
        const UNSUBSCRIBE: &[FieldSpec] = &[ALERT];
        const ADD_PHONE: &[FieldSpec] = &[
            text("phone", "Number", "10 or 11 digits"),
            CONSENT,
            PHONE_TYPE,
            COUNTRY,
        ];
        const STOP: &[FieldSpec] = &[
            text("phone", "Number", "10 or 11 digits"),
            FieldSpec {
                default: "unknown",
                ..PHONE_TYPE
            },
            COUNTRY,
        ];
        const EMAIL: &[FieldSpec] = &[text("email", "New email", "name@example.com")];
        const PHONE: &[FieldSpec] = &[text("phone", "New phone", "+44 7700 900123")];
        const FILE: &[FieldSpec] = &[text("file", "CSV file", "path/to/customers.csv")];
        match self {
            Kind::Subscribe => SUBSCRIBE,
            Kind::Unsubscribe => UNSUBSCRIBE,
            Kind::AddPhone => ADD_PHONE,
            Kind::StopConsent => STOP,
            Kind::SetEmail => EMAIL,
            Kind::SetPhone => PHONE,
            Kind::Delete => &[],
            Kind::CreateCsv => FILE,
        }
    }

    /// The kind of write each item is, for permissions.
    pub fn writes(self) -> WriteKind {
        match self {
            Kind::Subscribe | Kind::Unsubscribe => WriteKind::Alerts,
            Kind::AddPhone | Kind::StopConsent => WriteKind::AddPhone,
            Kind::SetEmail | Kind::SetPhone => WriteKind::UpdateCustomer,
            Kind::Delete => WriteKind::DeleteCustomer,
            Kind::CreateCsv => WriteKind::CreateCustomer,
        }
    }

    /// The scope the backend asks for: [`WriteKind::scope`].
    pub fn scope(self) -> &'static str {
        self.writes().scope()
    }

    /// Whether the action edits the marked customers (a create does not).
    pub fn uses_targets(self) -> bool {
        self != Kind::CreateCsv
    }
}

/// A customer the job will edit.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: String,
    /// From the search results, when loaded (the plan reads it again anyway).
    pub name: Option<String>,
}

/// How far an apply has got, from the engine's events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    pub counts: Counts,
    /// Items this run sends.
    pub to_send: usize,
    /// Items this run has had answered.
    pub answered: usize,
    /// Time since the run started, as of the last event.
    pub elapsed: Duration,
    pub paused: bool,
    pub cancelling: bool,
    /// Retrying failed items (rather than a first apply or a resume).
    pub retrying: bool,
}

impl Progress {
    /// Answers per second so far.
    pub fn rate(&self) -> Option<f64> {
        let s = self.elapsed.as_secs_f64();
        (self.answered > 0 && s > 0.0).then(|| self.answered as f64 / s)
    }
    /// Time left at the rate so far.
    pub fn left(&self) -> Option<Duration> {
        let rate = self.rate()?;
        let rest = self.to_send.saturating_sub(self.answered) as f64;
        Some(Duration::from_secs_f64(rest / rate))
    }
}

/// Where an unfinished job found at start stands (its plan is the dialog's plan).
#[derive(Debug, Clone, PartialEq)]
pub struct Unfinished {
    pub counts: Counts,
    /// `interrupted` or `cancelled`.
    pub state: String,
}

#[derive(Debug, Clone)]
pub enum Step {
    /// Choosing the action and its values.
    Choose,
    /// The backend is read for every target's current value.
    Planning {
        done: usize,
        total: usize,
    },
    /// The plan, item by item.
    Preview,
    /// The count must be typed back (over 100 changes, or any delete).
    TypeCount {
        input: Input,
        error: Option<String>,
    },
    Applying,
    /// How the run ended: the counts and the failures.
    Results,
    /// A job interrupted earlier, offered for resume at start.
    Resume,
}

#[derive(Debug, Clone)]
pub struct BulkDialog {
    pub targets: Vec<Target>,
    /// The targets are marked rows (rather than the row under the cursor).
    pub from_marks: bool,
    pub kind: Kind,
    /// 0: the action list; 1..: the action's fields.
    pub field: usize,
    pub inputs: Vec<Input>,
    /// Problems with the values, by field label.
    pub errors: Vec<String>,
    pub step: Step,
    /// Numbers this dialog's calls; an answer for another number is stale.
    pub seq: u64,
    pub plan: Option<Plan>,
    /// First row of the preview or results list shown.
    pub scroll: usize,
    /// The largest useful `scroll` (the first row of the list's last screenful), as
    /// the list was last drawn; the keys never scroll past it. Written by drawing, as
    /// a stateful widget's state is: only drawing knows how many rows fit.
    pub scroll_max: std::cell::Cell<usize>,
    pub progress: Progress,
    /// Failed items of the plan: index and outcome, in plan order.
    pub failures: Vec<(usize, Outcome)>,
    pub summary: Option<Summary>,
    /// A failure of the dialog's own (plan read, journal, file) in words.
    pub error: Option<String>,
    /// Saved plan or exported results, in words.
    pub notice: Option<String>,
    pub unfinished: Option<Unfinished>,
}

impl BulkDialog {
    /// The failed items, counted once: how many a retry sends again (`retryable`) and
    /// which failed for good, with why (`for_good_in_words()`, `None` when none did).
    pub fn failure_summary(&self) -> crate::bulk::failures::Failures {
        crate::bulk::failures::Failures::of(self.failures.iter().map(|(_, o)| o))
    }

    /// Move the preview or results list, never past its last screenful.
    fn scroll_by(&mut self, act: Action, page: usize) {
        let at = self.scroll.min(self.scroll_max.get());
        self.scroll = match act {
            Action::ItemUp => at.saturating_sub(1),
            Action::PageUp => at.saturating_sub(page),
            Action::ItemDown => at.saturating_add(1),
            Action::PageDown => at.saturating_add(page),
            _ => at,
        }
        .min(self.scroll_max.get());
    }

    pub fn new(targets: Vec<Target>, from_marks: bool) -> BulkDialog {
        let mut d = BulkDialog {
            targets,
            from_marks,
            kind: Kind::Subscribe,
            field: 0,
            inputs: Vec::new(),
            errors: Vec::new(),
            step: Step::Choose,
            seq: 0,
            plan: None,
            scroll: 0,
            scroll_max: std::cell::Cell::new(usize::MAX),
            progress: Progress::default(),
            failures: Vec::new(),
            summary: None,
            error: None,
            notice: None,
            unfinished: None,
        };
        d.set_kind(Kind::Subscribe);
        d
    }

    /// The resume offer for a job interrupted earlier.
    pub fn resume(plan: Plan, job: Unfinished) -> BulkDialog {
        let mut d = BulkDialog::new(Vec::new(), false);
        d.plan = Some(plan);
        d.unfinished = Some(job);
        d.step = Step::Resume;
        d
    }

    pub fn set_kind(&mut self, kind: Kind) {
        self.kind = kind;
        self.inputs = kind
            .fields()
            .iter()
            .map(|f| Input::new(f.default.to_string()))
            .collect();
        self.errors.clear();
    }

    /// The field spec under the cursor (none on the action list).
    pub fn spec(&self) -> Option<&'static FieldSpec> {
        self.field
            .checked_sub(1)
            .and_then(|i| self.kind.fields().get(i))
    }

    fn values(&self, customer_id: &str) -> Vec<(&'static str, String)> {
        let mut v = vec![("action", self.kind.action().to_string())];
        if self.kind.uses_targets() {
            v.push(("customer_id", customer_id.to_string()));
        }
        for (f, input) in self.kind.fields().iter().zip(&self.inputs) {
            v.push((f.column, input.value().to_string()));
        }
        v
    }

    /// One item per target, checked exactly as a CSV row; the values' problems (the same
    /// for every target) by field, or the items and the targets' own problems.
    pub fn items(&self) -> Result<(Vec<Item>, Vec<PlanError>), Vec<String>> {
        let Some(first) = self.targets.first() else {
            return Err(vec!["no customer is marked or selected".into()]);
        };
        if let Err(errs) = bulk_csv::row_of(1, &self.values(&first.id)) {
            let form: Vec<String> = errs
                .iter()
                .filter(|e| e.column.as_deref() != Some("customer_id"))
                .map(|e| {
                    let label = self
                        .kind
                        .fields()
                        .iter()
                        .find(|f| Some(f.column) == e.column.as_deref())
                        .map(|f| f.label)
                        .or(e.column.as_deref())
                        .unwrap_or("value");
                    format!("{label}: {}", e.message)
                })
                .collect();
            if !form.is_empty() {
                return Err(form);
            }
        }
        let mut items = Vec::new();
        let mut errors = Vec::new();
        for (i, t) in self.targets.iter().enumerate() {
            match bulk_csv::row_of(i as u64 + 1, &self.values(&t.id)) {
                Ok(mut item) => {
                    item.id = (i + 1).to_string();
                    item.line = None;
                    item.name = t.name.clone();
                    items.push(item);
                }
                Err(errs) => errors.extend(errs.into_iter().map(|e| PlanError {
                    line: None,
                    message: format!("customer {}: {}", t.id, e.message),
                    ..e
                })),
            }
        }
        Ok((items, errors))
    }

    /// The targets in words: "12 marked customers" or "Ada Quartermaine".
    pub fn target_words(&self) -> String {
        match (self.targets.len(), self.from_marks) {
            (0, _) => "new customers".into(),
            (1, false) => self.targets[0]
                .name
                .clone()
                .unwrap_or_else(|| format!("customer {}", self.targets[0].id)),
            (1, true) => "1 marked customer".into(),
            (n, _) => format!("{} marked customers", thousands(n as u64)),
        }
    }
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl App {
    /// Space: mark or unmark the row under the cursor, and move down.
    pub(crate) fn toggle_mark(&mut self) {
        if self.focus != Pane::Search {
            return;
        }
        let Some(id) = self
            .search
            .rows
            .get(self.search.selected)
            .map(|c| c.id.clone())
        else {
            return;
        };
        if !self.search.marks.shift_remove(&id) {
            self.search.marks.insert(id);
        }
        self.search.anchor = Some(self.search.selected);
        if self.search.selected + 1 < self.search.rows.len() {
            self.search.selected += 1;
        }
    }

    /// Mark every row from the last one marked with space to the cursor.
    pub(crate) fn mark_range(&mut self) {
        if self.focus != Pane::Search || self.search.rows.is_empty() {
            return;
        }
        let here = self.search.selected;
        let from = self
            .search
            .anchor
            .unwrap_or(here)
            .min(self.search.rows.len() - 1);
        let (a, b) = (from.min(here), from.max(here));
        for c in &self.search.rows[a..=b] {
            self.search.marks.insert(c.id.clone());
        }
        self.search.anchor = Some(here);
        self.status.notice = Some(format!(
            "Marked rows {} to {} ({}); {} marked in all",
            a + 1,
            b + 1,
            b - a + 1,
            thousands(self.search.marks.len() as u64)
        ));
    }

    /// Mark every result of the current search, loaded or not.
    pub(crate) fn mark_all(&mut self, fx: &mut Vec<Effect>) {
        let (count, loaded) = (self.search.count, self.search.rows.len());
        let Some(filter) = self.search.filter.clone().filter(|_| count > 0) else {
            self.status.notice = Some("No search results to mark".into());
            return;
        };
        if count > MARK_ALL_MAX {
            self.status.notice = Some(format!(
                "{} results: narrow the search to at most {} to mark them all",
                thousands(count),
                thousands(MARK_ALL_MAX)
            ));
            return;
        }
        if loaded as u64 >= count {
            let ids: Vec<String> = self.search.rows.iter().map(|c| c.id.clone()).collect();
            self.marked_all(ids);
            return;
        }
        self.search.marking = Some(self.search.seq);
        self.status.notice = Some(format!(
            "Marking all {} results ({} loaded)…",
            thousands(count),
            thousands(loaded as u64)
        ));
        fx.push(Effect::MarkAll {
            seq: self.search.seq,
            filter,
            count,
        });
    }

    /// Every id of the search has arrived: mark them, and say how many are off screen.
    pub(crate) fn marked_all(&mut self, ids: Vec<String>) {
        let n = ids.len();
        let first = self.search.offset;
        let last = (first + self.visible_rows).min(self.search.rows.len());
        let on_screen: BTreeSet<&str> = self.search.rows[first.min(last)..last]
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let shown = ids
            .iter()
            .filter(|i| on_screen.contains(i.as_str()))
            .count();
        self.search.marks.extend(ids);
        self.search.marking = None;
        self.status.notice = Some(format!(
            "Marked all {} results of the search ({} not on screen); {} marked in all",
            thousands(n as u64),
            thousands((n - shown) as u64),
            thousands(self.search.marks.len() as u64)
        ));
    }

    pub(crate) fn clear_marks(&mut self) {
        let n = self.search.marks.len();
        self.search.marks.clear();
        self.search.anchor = None;
        self.status.notice = Some(if n == 0 {
            "No marks to clear".into()
        } else {
            format!("Cleared {} marks", thousands(n as u64))
        });
    }

    /// `b`: the bulk dialog over the marked rows, or the row under the cursor when none
    /// is marked (the open customer outside the search pane).
    pub(crate) fn open_bulk(&mut self, fx: &mut Vec<Effect>) {
        if !self.customer_gate("bulk", false, fx) {
            return;
        }
        // `*` then `b` on a slow backend: the dialog waits for every mark, not a few.
        if self.search.marking.is_some() {
            self.status.notice = Some(format!(
                "Still marking all {} results: press b again once they are marked",
                thousands(self.search.count)
            ));
            return;
        }
        let row_target = |c: &crate::api::wire::newday::Customer| Target {
            id: c.id.clone(),
            name: Some(format!(
                "{} {}",
                crate::tui::view::safe(&c.given_name),
                crate::tui::view::safe(&c.family_name)
            )),
        };
        let marks = &self.search.marks;
        let (targets, from_marks) = if !marks.is_empty() {
            // The marked rows in the order the table shows them (each once, should a
            // page have repeated a row), then the marks the table has not loaded (or
            // that came from another search) in marking order.
            let mut listed: BTreeSet<&str> = BTreeSet::new();
            let mut t: Vec<Target> = self
                .search
                .rows
                .iter()
                .filter(|c| marks.contains(&c.id) && listed.insert(c.id.as_str()))
                .map(row_target)
                .collect();
            t.extend(
                marks
                    .iter()
                    .filter(|id| !listed.contains(id.as_str()))
                    .map(|id| Target {
                        id: id.clone(),
                        name: None,
                    }),
            );
            (t, true)
        } else {
            let t = self
                .selected_customer_id()
                .map(|id| match self.search.rows.iter().find(|c| c.id == id) {
                    Some(c) => vec![row_target(c)],
                    None => vec![Target { id, name: None }],
                })
                .unwrap_or_default();
            (t, false)
        };
        let mut d = BulkDialog::new(targets, from_marks);
        if d.targets.is_empty() {
            // Creating from a CSV file needs no customer.
            d.set_kind(Kind::CreateCsv);
        }
        self.overlay = Some(Overlay::Bulk(Box::new(d)));
    }

    /// A key for the bulk dialog; false when it closed.
    pub(crate) fn bulk_key(
        &mut self,
        d: &mut BulkDialog,
        k: KeyEvent,
        fx: &mut Vec<Effect>,
    ) -> bool {
        let page = self.visible_rows.max(5);
        // The dialog's own actions, as bound in its context of the keymap.
        let act = self.keymap.action_in(Context::Bulk, &k);
        let scroll = matches!(
            act,
            Some(Action::ItemUp | Action::ItemDown | Action::PageUp | Action::PageDown)
        );
        match &mut d.step {
            Step::Choose => return self.bulk_choose_key(d, k, fx),
            Step::Planning { .. } => {
                if act == Some(Action::Back) {
                    // The answer will be stale.
                    d.seq = self.next_seq();
                    d.step = Step::Choose;
                }
            }
            Step::Preview => match act {
                Some(Action::Back) => {
                    d.step = Step::Choose;
                    d.plan = None;
                    d.notice = None;
                }
                Some(a) if scroll => d.scroll_by(a, page),
                Some(Action::SavePlan) => {
                    if let Some(p) = &d.plan {
                        fx.push(Effect::BulkSavePlan {
                            plan: Box::new(p.clone()),
                        });
                    }
                }
                Some(Action::Confirm) => {
                    let Some(p) = &d.plan else { return true };
                    if p.to_send() == 0 {
                        d.notice = Some("Nothing to send: every customer already has it".into());
                    } else if p.needs_typed_count() {
                        d.step = Step::TypeCount {
                            input: Input::default(),
                            error: None,
                        };
                    } else {
                        self.bulk_apply(d, false, fx);
                    }
                }
                _ => {}
            },
            // Typed characters are the count; only other keys can be actions.
            Step::TypeCount { input, error } => match typed_char(&k).map_or(act, |_| None) {
                Some(Action::Back) => d.step = Step::Preview,
                Some(Action::Confirm) => {
                    let want = d.plan.as_ref().map(Plan::to_send).unwrap_or(0);
                    if input.value().trim().replace(',', "") == want.to_string() {
                        self.bulk_apply(d, false, fx);
                    } else {
                        *error = Some(format!("Type {want} exactly to apply, or esc to go back"));
                    }
                }
                _ if typed_char(&k).is_some_and(|c| !c.is_ascii_digit() && c != ',') => {}
                _ => {
                    input.handle_event(&crossterm::event::Event::Key(k));
                    *error = None;
                }
            },
            Step::Applying => match act {
                Some(Action::PauseJob) => {
                    d.progress.paused = !d.progress.paused;
                    fx.push(Effect::BulkControl(if d.progress.paused {
                        Control::Pause
                    } else {
                        Control::Run
                    }));
                }
                Some(Action::CancelJob) if !d.progress.cancelling => {
                    d.progress.cancelling = true;
                    d.progress.paused = false;
                    fx.push(Effect::BulkControl(Control::Cancel));
                }
                Some(Action::Back) => {
                    self.status.notice = Some(format!(
                        "The job is running: {} pauses, {} cancels (items in flight finish)",
                        self.keymap.hint_in(Context::Bulk, Action::PauseJob),
                        self.keymap.hint_in(Context::Bulk, Action::CancelJob)
                    ));
                }
                _ => {}
            },
            Step::Results => match act {
                Some(Action::Back | Action::Confirm) => return false,
                Some(a) if scroll => d.scroll_by(a, page),
                // Retry the failed items a retry may cure, and send what a cancel left
                // unsent; what failed for good is never sent again.
                Some(Action::RetryFailed) => {
                    let failed = d.failure_summary();
                    if failed.retryable > 0 || d.progress.counts.left() > 0 {
                        self.bulk_apply(d, true, fx)
                    } else {
                        self.status.notice = Some(match failed.for_good_in_words() {
                            Some(why) => format!("Nothing to retry: {why}"),
                            None => "Nothing to retry".into(),
                        });
                    }
                }
                Some(Action::ExportResults) => {
                    if let Some(p) = &d.plan {
                        fx.push(Effect::BulkExport {
                            job_id: p.job_id.clone(),
                        });
                    }
                }
                _ => {}
            },
            Step::Resume => match act {
                Some(Action::Back) => {
                    self.status.notice = Some(
                        "The interrupted job waits: resume it with `custdesk bulk resume`".into(),
                    );
                    return false;
                }
                Some(Action::Confirm) => self.bulk_apply(d, false, fx),
                _ => {}
            },
        }
        true
    }

    fn bulk_choose_key(&mut self, d: &mut BulkDialog, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        let n_fields = d.kind.fields().len();
        let choice = d.spec().is_some_and(|s| !s.choices.is_empty());
        // A character typed in a text field is text, even when it is also a key.
        let text = d.field > 0 && !choice;
        let act = match typed_char(&k) {
            Some(_) if text => None,
            _ => self.keymap.action_in(Context::BulkForm, &k),
        };
        match act {
            Some(Action::Back) => return false,
            Some(Action::NextField) => d.field = (d.field + 1) % (n_fields + 1),
            Some(Action::PrevField) => d.field = (d.field + n_fields) % (n_fields + 1),
            Some(Action::ItemUp | Action::ItemDown) if d.field == 0 => {
                let kinds: Vec<Kind> = Kind::ALL
                    .into_iter()
                    .filter(|k| !d.targets.is_empty() || !k.uses_targets())
                    .collect();
                let i = kinds.iter().position(|x| *x == d.kind).unwrap_or(0);
                let j = if act == Some(Action::ItemUp) {
                    i.saturating_sub(1)
                } else {
                    (i + 1).min(kinds.len() - 1)
                };
                d.set_kind(kinds[j]);
            }
            Some(Action::ItemDown) => d.field = (d.field + 1).min(n_fields),
            Some(Action::ItemUp) => d.field -= 1,
            Some(Action::Confirm) => self.bulk_plan(d, fx),
            _ => {
                let Some(spec) = d.spec() else { return true };
                let input = &mut d.inputs[d.field - 1];
                if !spec.choices.is_empty() {
                    let i = spec
                        .choices
                        .iter()
                        .position(|c| *c == input.value())
                        .unwrap_or(0);
                    let n = spec.choices.len();
                    let j = match act {
                        Some(Action::ChoicePrev) => (i + n - 1) % n,
                        Some(Action::ChoiceNext) => (i + 1) % n,
                        _ => return true,
                    };
                    *input = Input::new(spec.choices[j].to_string());
                } else {
                    input.handle_event(&crossterm::event::Event::Key(k));
                }
                d.errors.clear();
            }
        }
        true
    }

    /// Check the values and ask the backend for every target's current value.
    fn bulk_plan(&mut self, d: &mut BulkDialog, fx: &mut Vec<Effect>) {
        d.error = None;
        d.notice = None;
        d.seq = self.next_seq();
        // Said before any read rather than as a 403 per item (a static token's scopes
        // are unknown: the backend decides).
        if let Some(scope) = self.missing_scope(d.kind.writes()) {
            d.errors = vec![self.scope_refusal(d.kind.label(), scope)];
            return;
        }
        if d.kind == Kind::CreateCsv {
            let path = d.inputs.first().map(|i| i.value().trim().to_string());
            match path.filter(|p| !p.is_empty()) {
                None => d.errors = vec!["CSV file: give the path of the file to read".into()],
                Some(path) => {
                    d.step = Step::Planning { done: 0, total: 0 };
                    fx.push(Effect::BulkPlanCsv {
                        seq: d.seq,
                        path: path.into(),
                    });
                }
            }
            return;
        }
        match d.items() {
            Err(errs) => d.errors = errs,
            Ok((items, errors)) => {
                d.step = Step::Planning {
                    done: 0,
                    total: items.len(),
                };
                fx.push(Effect::BulkPlan {
                    seq: d.seq,
                    items,
                    errors,
                    source: format!("console: {}", d.target_words()),
                });
            }
        }
    }

    /// Apply the plan (or resume it, or retry its failed items).
    fn bulk_apply(&mut self, d: &mut BulkDialog, retry_failed: bool, fx: &mut Vec<Effect>) {
        let Some(plan) = d.plan.clone() else { return };
        if self.read_only {
            d.error = Some("read-only: this console sends no changes".into());
            return;
        }
        d.seq = self.next_seq();
        d.step = Step::Applying;
        d.progress = Progress {
            retrying: retry_failed,
            ..Progress::default()
        };
        d.failures.clear();
        d.summary = None;
        d.error = None;
        d.notice = None;
        d.scroll = 0;
        d.scroll_max.set(usize::MAX);
        fx.push(Effect::BulkApply {
            seq: d.seq,
            plan: Box::new(plan),
            retry_failed,
        });
    }
}

impl BulkDialog {
    /// The plan's reads went this far.
    fn plan_progress(&mut self, seq: u64, done: usize, total: usize) {
        if self.seq == seq
            && let Step::Planning { .. } = self.step
        {
            self.step = Step::Planning { done, total };
        }
    }

    fn planned(&mut self, seq: u64, result: Result<Plan, String>) {
        if self.seq != seq || !matches!(self.step, Step::Planning { .. }) {
            return;
        }
        match result {
            Ok(p) => {
                self.plan = Some(p);
                self.scroll = 0;
                self.scroll_max.set(usize::MAX);
                self.step = Step::Preview;
            }
            Err(e) => {
                self.error = Some(e);
                self.step = Step::Choose;
            }
        }
    }

    fn event(&mut self, seq: u64, ev: Event, elapsed: Duration) {
        if self.seq != seq {
            return;
        }
        self.progress.elapsed = elapsed;
        match ev {
            Event::Started { to_send, counts } => {
                self.progress.to_send = to_send;
                self.progress.counts = counts;
            }
            Event::Answer {
                index,
                outcome,
                counts,
            } => {
                self.progress.answered += 1;
                self.progress.counts = counts;
                if !outcome.is_applied() {
                    self.failures.push((index, outcome));
                }
            }
        }
    }

    fn finished(&mut self, seq: u64, result: Result<(Summary, JobState), String>) {
        if self.seq != seq {
            return;
        }
        match result {
            Ok((summary, state)) => {
                // The failures as the journal has them (a retry's earlier failures that
                // now succeeded drop out).
                self.failures = state
                    .items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| match s {
                        crate::bulk::journal::ItemState::Answered { outcome, .. }
                            if !outcome.is_applied() =>
                        {
                            Some((i, outcome.clone()))
                        }
                        _ => None,
                    })
                    .collect();
                self.progress.counts = summary.counts;
                self.progress.elapsed = summary.elapsed;
                self.error = summary.error.clone();
                self.summary = Some(summary);
            }
            Err(e) => self.error = Some(e),
        }
        self.step = Step::Results;
        self.scroll = 0;
        self.scroll_max.set(usize::MAX);
    }
}

impl crate::tui::dialog::Dialog for BulkDialog {
    fn name(&self) -> &'static str {
        "bulk edit"
    }
    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        app.bulk_key(self, k, fx)
    }
    fn paste(&mut self, _app: &mut App, text: &str, _fx: &mut Vec<Effect>) {
        if matches!(self.step, Step::Choose)
            && let Some(spec) = self.spec()
            && spec.choices.is_empty()
        {
            crate::tui::app::paste_into(&mut self.inputs[self.field - 1], text);
            self.errors.clear();
        }
    }
    fn reply(&mut self, _app: &mut App, msg: Msg, _fx: &mut Vec<Effect>) -> Option<Msg> {
        match msg {
            Msg::BulkPlanProgress { seq, done, total } => self.plan_progress(seq, done, total),
            Msg::BulkPlanned { seq, result } => self.planned(seq, result),
            Msg::BulkEvent {
                seq,
                event,
                elapsed,
            } => self.event(seq, event, elapsed),
            Msg::BulkFinished { seq, result } => self.finished(seq, result),
            Msg::BulkNotice(text) => self.notice = Some(text),
            other => return Some(other),
        }
        None
    }
    fn busy(&self) -> bool {
        matches!(self.step, Step::Planning { .. })
            || (matches!(self.step, Step::Applying) && !self.progress.paused)
    }
    fn typed(&self) -> bool {
        self.inputs.iter().any(|i| !i.value().is_empty())
    }
    fn running(&self) -> bool {
        matches!(self.step, Step::Applying)
    }
    fn closed(&mut self, app: &mut App) {
        if matches!(self.step, Step::Planning { .. }) {
            // The plan's answer will find no dialog and be dropped.
            app.next_seq();
        }
    }
    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::bulk::draw(f, app, self)
    }
}
