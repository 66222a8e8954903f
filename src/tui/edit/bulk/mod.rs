//! Bulk edits in the console: marks on the search results, and the bulk dialog that
//! turns them into a plan (every customer's old and new value), asks for the count to
//! be typed back when the plan is large or deletes, applies it through the same
//! journaled engine as `custdesk bulk`, and shows progress and results.
//!
//! The dialog's steps: choose the action and its values → the plan is read from the
//! backend → preview → (typed count) → applying, with pause and cancel → results, with
//! retry of the failed items and export to CSV. A job interrupted earlier is offered
//! for resume when the console starts.

use std::time::Duration;

use tui_input::Input;

mod keys;
mod marks;

use crate::api::ops::WriteKind;
use crate::bulk::apply::Summary;
use crate::bulk::journal::Counts;
use crate::bulk::{Item, Outcome, Plan, PlanError, csv as bulk_csv};
use crate::domain::choice::{Channel, Consent, PhoneType};
use crate::tui::keymap::Action;

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

    /// Move the preview or results list, never past its last screenful (`bound`).
    fn scroll_by(&mut self, act: Action, page: usize, bound: usize) {
        let at = self.scroll.min(bound);
        self.scroll = match act {
            Action::ItemUp => at.saturating_sub(1),
            Action::PageUp => at.saturating_sub(page),
            Action::ItemDown => at.saturating_add(1),
            Action::PageDown => at.saturating_add(page),
            _ => at,
        }
        .min(bound);
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
