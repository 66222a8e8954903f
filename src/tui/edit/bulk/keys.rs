//! The bulk dialog's behaviour: its keys at each step (choose, preview, type the count,
//! apply, results, resume), the plan and the job it starts, and what it makes of their
//! progress. State and the edits' fields are in `mod.rs`.

use std::time::Duration;

use crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{BulkDialog, Kind, Progress, Step};
use crate::bulk::Plan;
use crate::bulk::apply::{Control, Event, Summary};
use crate::bulk::journal::JobState;
use crate::tui::app::App;
use crate::tui::edit::typed_char;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::Msg;

impl BulkDialog {
    /// A key for the bulk dialog; false when it closed.
    fn key_in(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        let page = app.visible_rows.max(5);
        // How far the list scrolls on this screen, decided from its size.
        let (w, h) = app.size;
        let bound = crate::tui::dialogs::bulk::scroll_bound(
            app,
            self,
            ratatui::layout::Rect::new(0, 0, w, h),
        );
        // The dialog's own actions, as bound in its context of the keymap.
        let act = app.keymap.action_in(Context::Bulk, &k);
        let scroll = matches!(
            act,
            Some(Action::ItemUp | Action::ItemDown | Action::PageUp | Action::PageDown)
        );
        match &mut self.step {
            Step::Choose => return self.choose_key(app, k, fx),
            Step::Planning { .. } => {
                if act == Some(Action::Back) {
                    // The answer will be stale.
                    self.seq = app.next_seq();
                    self.step = Step::Choose;
                }
            }
            Step::Preview => match act {
                Some(Action::Back) => {
                    self.step = Step::Choose;
                    self.plan = None;
                    self.notice = None;
                }
                Some(a) if scroll => self.scroll_by(a, page, bound),
                Some(Action::SavePlan) => {
                    if let Some(p) = &self.plan {
                        fx.push(Effect::BulkSavePlan {
                            plan: Box::new(p.clone()),
                        });
                    }
                }
                Some(Action::Confirm) => {
                    let Some(p) = &self.plan else { return true };
                    if p.to_send() == 0 {
                        self.notice = Some("Nothing to send: every customer already has it".into());
                    } else if p.needs_typed_count() {
                        self.step = Step::TypeCount {
                            input: Input::default(),
                            error: None,
                        };
                    } else {
                        self.apply(app, false, fx);
                    }
                }
                _ => {}
            },
            // Typed characters are the count; only other keys can be actions.
            Step::TypeCount { input, error } => match typed_char(&k).map_or(act, |_| None) {
                Some(Action::Back) => self.step = Step::Preview,
                Some(Action::Confirm) => {
                    let want = self.plan.as_ref().map(Plan::to_send).unwrap_or(0);
                    if input.value().trim().replace(',', "") == want.to_string() {
                        self.apply(app, false, fx);
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
                    self.progress.paused = !self.progress.paused;
                    fx.push(Effect::BulkControl(if self.progress.paused {
                        Control::Pause
                    } else {
                        Control::Run
                    }));
                }
                Some(Action::CancelJob) if !self.progress.cancelling => {
                    self.progress.cancelling = true;
                    self.progress.paused = false;
                    fx.push(Effect::BulkControl(Control::Cancel));
                }
                Some(Action::Back) => {
                    app.status.notice = Some(format!(
                        "The job is running: {} pauses, {} cancels (items in flight finish)",
                        app.keymap.hint_in(Context::Bulk, Action::PauseJob),
                        app.keymap.hint_in(Context::Bulk, Action::CancelJob)
                    ));
                }
                _ => {}
            },
            Step::Results => match act {
                Some(Action::Back | Action::Confirm) => return false,
                Some(a) if scroll => self.scroll_by(a, page, bound),
                // Retry the failed items a retry may cure, and send what a cancel left
                // unsent; what failed for good is never sent again.
                Some(Action::RetryFailed) => {
                    let failed = self.failure_summary();
                    if failed.retryable > 0 || self.progress.counts.left() > 0 {
                        self.apply(app, true, fx)
                    } else {
                        app.status.notice = Some(match failed.for_good_in_words() {
                            Some(why) => format!("Nothing to retry: {why}"),
                            None => "Nothing to retry".into(),
                        });
                    }
                }
                Some(Action::ExportResults) => {
                    if let Some(p) = &self.plan {
                        fx.push(Effect::BulkExport {
                            job_id: p.job_id.clone(),
                        });
                    }
                }
                _ => {}
            },
            Step::Resume => match act {
                Some(Action::Back) => {
                    app.status.notice = Some(
                        "The interrupted job waits: resume it with `custdesk bulk resume`".into(),
                    );
                    return false;
                }
                Some(Action::Confirm) => self.apply(app, false, fx),
                _ => {}
            },
        }
        true
    }

    fn choose_key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        let n_fields = self.kind.fields().len();
        let choice = self.spec().is_some_and(|s| !s.choices.is_empty());
        // A character typed in a text field is text, even when it is also a key.
        let text = self.field > 0 && !choice;
        let act = match typed_char(&k) {
            Some(_) if text => None,
            _ => app.keymap.action_in(Context::BulkForm, &k),
        };
        match act {
            Some(Action::Back) => return false,
            Some(Action::NextField) => self.field = (self.field + 1) % (n_fields + 1),
            Some(Action::PrevField) => self.field = (self.field + n_fields) % (n_fields + 1),
            Some(Action::ItemUp | Action::ItemDown) if self.field == 0 => {
                let kinds: Vec<Kind> = Kind::ALL
                    .into_iter()
                    .filter(|k| !self.targets.is_empty() || !k.uses_targets())
                    .collect();
                let i = kinds.iter().position(|x| *x == self.kind).unwrap_or(0);
                let j = if act == Some(Action::ItemUp) {
                    i.saturating_sub(1)
                } else {
                    (i + 1).min(kinds.len() - 1)
                };
                self.set_kind(kinds[j]);
            }
            Some(Action::ItemDown) => self.field = (self.field + 1).min(n_fields),
            Some(Action::ItemUp) => self.field -= 1,
            Some(Action::Confirm) => self.plan(app, fx),
            _ => {
                let Some(spec) = self.spec() else { return true };
                let input = &mut self.inputs[self.field - 1];
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
                self.errors.clear();
            }
        }
        true
    }

    /// Check the values and ask the backend for every target's current value.
    fn plan(&mut self, app: &mut App, fx: &mut Vec<Effect>) {
        self.error = None;
        self.notice = None;
        self.seq = app.next_seq();
        // Said before any read rather than as a 403 per item (a static token's scopes
        // are unknown: the backend decides).
        if let Some(scope) = app.missing_scope(self.kind.writes()) {
            self.errors = vec![app.scope_refusal(self.kind.label(), scope)];
            return;
        }
        if self.kind == Kind::CreateCsv {
            let path = self.inputs.first().map(|i| i.value().trim().to_string());
            match path.filter(|p| !p.is_empty()) {
                None => self.errors = vec!["CSV file: give the path of the file to read".into()],
                Some(path) => {
                    self.step = Step::Planning { done: 0, total: 0 };
                    fx.push(Effect::BulkPlanCsv {
                        seq: self.seq,
                        path: path.into(),
                    });
                }
            }
            return;
        }
        match self.items() {
            Err(errs) => self.errors = errs,
            Ok((items, errors)) => {
                self.step = Step::Planning {
                    done: 0,
                    total: items.len(),
                };
                fx.push(Effect::BulkPlan {
                    seq: self.seq,
                    items,
                    errors,
                    source: format!("console: {}", self.target_words()),
                });
            }
        }
    }

    /// Apply the plan (or resume it, or retry its failed items).
    fn apply(&mut self, app: &mut App, retry_failed: bool, fx: &mut Vec<Effect>) {
        let Some(plan) = self.plan.clone() else {
            return;
        };
        if app.read_only {
            self.error = Some("read-only: this console sends no changes".into());
            return;
        }
        self.seq = app.next_seq();
        self.step = Step::Applying;
        self.progress = Progress {
            retrying: retry_failed,
            ..Progress::default()
        };
        self.failures.clear();
        self.summary = None;
        self.error = None;
        self.notice = None;
        self.scroll = 0;
        fx.push(Effect::BulkApply {
            seq: self.seq,
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
    }
}

impl crate::tui::dialog::Dialog for BulkDialog {
    fn name(&self) -> &'static str {
        "bulk edit"
    }
    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        self.key_in(app, k, fx)
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
