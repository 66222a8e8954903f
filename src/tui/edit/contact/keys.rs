//! The contact dialog's behaviour: typing and checking the new value, the change
//! request and the passcode confirmation (two writes on the shared submit machine),
//! and what their answers do.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Check, ContactDialog, DEBOUNCE, PasscodeStep, Step, attempts_left, capitalised};
use crate::api::ops::Answer;
use crate::tui::app::App;
use crate::tui::edit::{ContactKind, Failure, Passcode, Phase, Submit, SubmitKey, typed_char};
use crate::tui::effect::{Effect, WriteOp};
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::{Msg, Outcome, WriteError};
use crate::tui::view::safe;

impl ContactDialog {
    /// The value changed: local rules now, NewDay after a quiet spell.
    fn typed_value(&mut self, app: &mut App, fx: &mut Vec<Effect>) {
        self.request.error = None;
        self.check_seq = app.next_seq();
        self.check = if self.new_value().is_empty() {
            Check::Empty
        } else if let Some(p) = self.local_problem() {
            Check::Invalid(p)
        } else if self.remote_check() {
            fx.push(Effect::Debounce {
                seq: self.check_seq,
                after: DEBOUNCE,
            });
            Check::Checking
        } else {
            Check::LocalOnly
        };
    }

    /// A key while the new value is typed.
    fn edit_key(&mut self, app: &mut App, act: Option<Action>, k: KeyEvent, fx: &mut Vec<Effect>) {
        match act {
            Some(Action::Confirm) => match &self.check {
                c if c.accepted() => self.request.ask_confirm(),
                Check::Unavailable(_) => {
                    self.check_seq = app.next_seq();
                    self.check = Check::Checking;
                    fx.push(Effect::VerifyContact {
                        seq: self.check_seq,
                        kind: self.kind,
                        value: self.new_value(),
                    });
                }
                Check::Empty => {
                    self.check = Check::Invalid(format!("type the new {}", self.kind.noun()))
                }
                _ => {}
            },
            _ => {
                let before = self.input.value().to_string();
                match self.kind {
                    ContactKind::Email => {
                        self.input.handle_event(&crossterm::event::Event::Key(k));
                    }
                    ContactKind::Phone => match k.code {
                        KeyCode::Char(c) if c.is_ascii_digit() && before.len() < 11 => {
                            self.input = Input::new(format!("{before}{c}"));
                        }
                        KeyCode::Backspace => {
                            let mut v = before.clone();
                            v.pop();
                            self.input = Input::new(v);
                        }
                        _ => {}
                    },
                }
                if self.input.value() != before {
                    self.typed_value(app, fx);
                }
            }
        }
    }

    /// A key at the passcode step; false closes the dialog.
    fn passcode_key(
        &mut self,
        app: &mut App,
        act: Option<Action>,
        k: KeyEvent,
        fx: &mut Vec<Effect>,
    ) -> bool {
        let Some(p) = &mut self.passcode else {
            return true;
        };
        match act {
            Some(Action::Back) => {
                app.status.notice = Some(format!(
                    "{} change abandoned: the customer's {} is unchanged",
                    capitalised(self.kind.noun()),
                    self.kind.noun()
                ));
                return false;
            }
            Some(Action::Confirm) if p.ended.is_some() => {
                // Start again: a new request, a new key, a new passcode.
                self.passcode = None;
                self.request.key = None;
                self.request.error = None;
                self.send_change(app, fx);
            }
            _ if p.ended.is_some() || p.sending() => {}
            Some(Action::Confirm) if !p.code.complete() => {
                p.wrong = Some(format!(
                    "type all {} digits the customer reads out",
                    Passcode::LEN
                ));
            }
            Some(Action::Confirm) => {
                let op = WriteOp::ConfirmChange {
                    customer: self.customer.clone(),
                    kind: self.kind,
                    flow: p.flow_id.clone(),
                    passcode: p.code.clone(),
                };
                let note = self.note("confirm");
                let Some(p) = &mut self.passcode else {
                    return true;
                };
                // Keyed by the flow and the code: another code is another write.
                let body = (p.flow_id.clone(), p.code.expose().to_string());
                app.submit_write_as(&mut p.confirm, op, note, &body, fx);
            }
            // Typing the passcode: raw keys.
            _ => match k.code {
                KeyCode::Backspace => {
                    p.code.pop();
                    p.confirm.error = None;
                }
                KeyCode::Char(c) if p.code.push(c) => {
                    p.wrong = None;
                    p.confirm.error = None;
                }
                _ => {}
            },
        }
        true
    }

    /// Send the change request: the kept key when this body was sent before and its
    /// outcome is unknown, else a fresh one.
    fn send_change(&mut self, app: &mut App, fx: &mut Vec<Effect>) {
        let op = WriteOp::RequestChange {
            customer: self.customer.clone(),
            change: self.change(),
        };
        let note = self.note("request");
        app.submit_write(&mut self.request, op, note, fx);
    }

    /// NewDay's verdict on the typed value, if it is still the latest.
    fn verified(&mut self, seq: u64, outcome: Outcome<crate::api::wire::newday::Verification>) {
        if self.check_seq != seq || self.step() != Step::Editing {
            return; // an older value's answer
        }
        self.check = match outcome.result {
            Ok(v) if v.is_valid => Check::Valid,
            Ok(v) => Check::Rejected(
                v.reason
                    .unwrap_or_else(|| "not in a supported format".into()),
            ),
            Err(e) => Check::Unavailable(e),
        };
    }

    /// The change request answered: the passcode step, or back where the agent can
    /// fix the value (a failure that may or may not have applied stays at confirm,
    /// where enter sends the same request again).
    fn requested(&mut self, seq: u64, outcome: Outcome<Answer, WriteError>) {
        match self
            .request
            .answered_as(seq, outcome, |e| e.message.clone())
        {
            Some(Ok(Answer::Flow(flow))) => {
                self.passcode = Some(PasscodeStep {
                    flow_id: flow.control_flow_id,
                    sent_to: safe(&flow.otp_sent_to),
                    code: Passcode::default(),
                    wrong: None,
                    ended: None,
                    confirm: Submit::default(),
                });
            }
            Some(Ok(_)) => {
                self.request.phase = Phase::Editing;
                self.request.error = Some(Failure::new(
                    "the answer is not the one this write expects",
                    self.request.correlation_id.clone(),
                ));
            }
            _ => {}
        }
    }

    /// The passcode answered: done, or what went wrong said at the passcode step.
    fn confirmed(
        &mut self,
        app: &mut App,
        seq: u64,
        outcome: Outcome<Answer, WriteError>,
        fx: &mut Vec<Effect>,
    ) {
        let noun = self.kind.noun();
        let new_masked = self.new_masked();
        let Some(p) = &mut self.passcode else {
            return;
        };
        let answer = p.confirm.answered_as(seq, outcome, |e| e.message.clone());
        match answer {
            None => {}
            Some(Ok(_)) => {
                app.status.notice = Some(format!("{} updated: {new_masked}", capitalised(noun)));
                if app.customer.as_ref().is_some_and(|c| c.id == self.customer) {
                    fx.push(Effect::Reread {
                        id: self.customer.clone(),
                        parts: crate::tui::effect::CustomerRead::after_contact_change(self.kind),
                    });
                }
            }
            Some(Err(e)) => {
                // Typing stays open: the agent fixes the code or sends it again.
                p.confirm.phase = Phase::Editing;
                if e.is_transient() {
                    return; // same code, same key: enter sends it again
                }
                p.code = Passcode::default();
                p.confirm.error = None;
                match e.code.as_deref() {
                    Some("invalidOtp") => {
                        p.wrong = Some(match attempts_left(&e.message) {
                            Some(left) => format!("Wrong passcode: {left}"),
                            None => "Wrong passcode".into(),
                        });
                    }
                    Some("transactionDenied") => {
                        p.ended = Some(
                            "Locked: the passcode was wrong 3 times, so nothing changed".into(),
                        );
                    }
                    Some("invalidControlFlowId") => {
                        p.ended = Some(
                            "This passcode has expired or was already used; nothing changed".into(),
                        );
                    }
                    _ => p.ended = Some(e.message),
                }
            }
        }
    }
}

impl crate::tui::dialog::Dialog for ContactDialog {
    fn name(&self) -> &'static str {
        "contact change"
    }

    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        let step = self.step();
        // The dialog's actions in its context; while the agent types (the new value, the
        // passcode) a character is text, even one bound to an action.
        let typing = matches!(step, Step::Editing | Step::Passcode(_));
        let act = match typed_char(&k) {
            Some(_) if typing => None,
            _ => app.keymap.action_in(Context::Contact, &k),
        };
        match step {
            Step::Passcode(_) => return self.passcode_key(app, act, k, fx),
            Step::Done { .. } => {
                if matches!(act, Some(Action::Back | Action::Confirm)) {
                    return false;
                }
                if app
                    .keymap
                    .action_in(crate::tui::keymap::Context::Global, &k)
                    == Some(Action::CopyCorrelation)
                    && let Some(c) = self.correlation_id().cloned()
                {
                    app.status.notice = Some(format!("Copied correlation id {c}"));
                    fx.push(Effect::Copy(c));
                }
                return true;
            }
            _ => {}
        }
        match self.request.key(act) {
            SubmitKey::Edit if act == Some(Action::Back) => return false,
            SubmitKey::Edit => self.edit_key(app, act, k, fx),
            SubmitKey::Send => self.send_change(app, fx),
            SubmitKey::Close => {
                app.status.notice = Some(format!(
                    "{} change abandoned; nothing was confirmed",
                    capitalised(self.kind.noun())
                ));
                return false;
            }
            SubmitKey::Stay => {}
        }
        true
    }

    fn paste(&mut self, app: &mut App, text: &str, fx: &mut Vec<Effect>) {
        if self.step() != Step::Editing {
            return;
        }
        let pasted = crate::tui::app::one_line(text);
        let v = match self.kind {
            ContactKind::Email => format!("{}{}", self.input.value(), pasted.trim()),
            ContactKind::Phone => format!(
                "{}{}",
                self.input.value(),
                pasted
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
            )
            .chars()
            .take(11)
            .collect(),
        };
        self.input = Input::new(v);
        self.typed_value(app, fx);
    }

    fn reply(&mut self, app: &mut App, msg: Msg, fx: &mut Vec<Effect>) -> Option<Msg> {
        match msg {
            Msg::Written { seq, outcome } if self.passcode.is_some() => {
                self.confirmed(app, seq, outcome, fx)
            }
            Msg::Written { seq, outcome } => self.requested(seq, outcome),
            // The debounce timer ran out: ask NewDay, if this is still the latest value.
            Msg::Debounced { seq } => {
                if self.check_seq == seq && self.check == Check::Checking {
                    fx.push(Effect::VerifyContact {
                        seq,
                        kind: self.kind,
                        value: self.new_value(),
                    });
                }
            }
            Msg::ContactVerified { seq, outcome } => self.verified(seq, outcome),
            other => return Some(other),
        }
        None
    }

    fn busy(&self) -> bool {
        self.request.pending.is_some()
            || self
                .passcode
                .as_ref()
                .is_some_and(|p| p.confirm.pending.is_some())
            || self.check == Check::Checking
    }

    fn typed(&self) -> bool {
        !self.input.value().is_empty()
    }

    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::contact::draw(f, app, self)
    }
}
