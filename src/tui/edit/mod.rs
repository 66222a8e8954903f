//! Edit dialogs: their state and how they answer keys and finished calls. Drawing is
//! in `tui::dialogs`, one file per dialog.
//!
//! Rules every dialog keeps:
//! - an error never closes the dialog or loses what was typed;
//! - Esc always backs out (one step, or closes);
//! - one `Idempotency-Key` per logical write: a fresh one when the agent confirms, the
//!   same one when they retry the same submission after a failure that may or may not
//!   have been applied (server error, timeout, unreachable, rate limited);
//! - nothing is offered or sent in read-only mode, nor what the signed-in client lacks
//!   the scope for ([`App::scope_gate`] before a form opens, [`App::may_send`] where the
//!   write is issued), and contact edits wait for the caller to be verified (see
//!   [`verify`]).

pub mod add_phone;
pub mod alerts;
pub mod bulk;
pub mod contact;
pub mod customer;
pub mod image;
pub mod offer;
pub mod verify;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crossterm::event::{KeyCode, KeyEvent};

use crate::api::IdempotencyKey;
use crate::api::ops::{Answer, CUSTOMERS_WRITE, WriteKind};
use crate::tui::app::App;
use crate::tui::effect::{AuditNote, Effect, WriteOp};
use crate::tui::keymap::Action;
use crate::tui::msg::{Outcome, WriteError};

pub use crate::api::ops::{ContactKind, Passcode};

/// The Idempotency-Key of the submission being made, with a fingerprint of its body so
/// a retry of the same body reuses it and anything else gets a fresh one.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedWrite {
    pub key: IdempotencyKey,
    fingerprint: String,
}

impl KeyedWrite {
    /// The key for submitting `body`: the kept one when it was for the same body, else
    /// a fresh one (kept in `slot` until the write's outcome is known).
    pub fn for_body(slot: &mut Option<KeyedWrite>, body: &impl Serialize) -> IdempotencyKey {
        Self::for_fingerprint(slot, fingerprint(body))
    }

    /// [`KeyedWrite::for_body`] for a body already fingerprinted.
    fn for_fingerprint(slot: &mut Option<KeyedWrite>, fp: String) -> IdempotencyKey {
        match slot {
            Some(k) if k.fingerprint == fp => k.key.clone(),
            _ => {
                let k = KeyedWrite {
                    key: IdempotencyKey::fresh(),
                    fingerprint: fp,
                };
                let key = k.key.clone();
                *slot = Some(k);
                key
            }
        }
    }
}

/// A SHA-256 of the body as JSON: equal bodies, equal fingerprints; nothing readable.
pub fn fingerprint(body: &impl Serialize) -> String {
    let json = serde_json::to_vec(body).unwrap_or_default();
    format!("{:x}", Sha256::digest(&json))
}

/// A failure shown in a dialog: what went wrong in words, with the call's correlation
/// id to quote to support.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub message: String,
    pub correlation_id: Option<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>, correlation_id: Option<String>) -> Failure {
        Failure {
            message: message.into(),
            correlation_id,
        }
    }
}

/// Where a simple write dialog (offer, alerts, customer) is.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Phase {
    #[default]
    Editing,
    Confirming,
    Sending,
    /// Written: the answer in a few words.
    Done(String),
}

/// The confirm-and-send part simple write dialogs share: the phase, the last failure,
/// the call awaited and the submission's Idempotency-Key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Submit {
    pub phase: Phase,
    pub error: Option<Failure>,
    pub pending: Option<u64>,
    pub key: Option<KeyedWrite>,
    pub correlation_id: Option<String>,
}

/// What a key means outside the editing phase.
pub(crate) enum SubmitKey {
    /// Editing: the dialog handles it.
    Edit,
    Send,
    Close,
    Stay,
}

impl Submit {
    /// What the action a key means in the dialog's context does to the submission:
    /// confirm sends, back returns to the form (everything typed kept); while sending
    /// back closes (the answer is still audited); once done, confirm or back closes.
    pub(crate) fn key(&mut self, act: Option<Action>) -> SubmitKey {
        match (&self.phase, act) {
            (Phase::Editing, _) => SubmitKey::Edit,
            (Phase::Confirming, Some(Action::Back)) => {
                self.phase = Phase::Editing;
                SubmitKey::Stay
            }
            (Phase::Confirming, Some(Action::Confirm)) => SubmitKey::Send,
            (Phase::Sending, Some(Action::Back)) => SubmitKey::Close,
            (Phase::Done(_), Some(Action::Back | Action::Confirm)) => SubmitKey::Close,
            _ => SubmitKey::Stay,
        }
    }

    /// The form checked out: ask to confirm.
    pub(crate) fn ask_confirm(&mut self) {
        self.error = None;
        self.phase = Phase::Confirming;
    }

    /// The answer to the call awaited, if this is it: `Some(true)` when written. An error
    /// goes back to editing with everything kept, or stays at confirm (same key) when it
    /// may or may not have been applied.
    pub(crate) fn answered(
        &mut self,
        seq: u64,
        outcome: Outcome<Answer, WriteError>,
    ) -> Option<bool> {
        self.answered_as(seq, outcome, |e| format!("Error: {}", e.message))
            .map(|r| r.is_ok())
    }

    /// [`Submit::answered`], with a dialog's own words for a failure; the answer, or the
    /// failure for a dialog that tells failures apart.
    pub(crate) fn answered_as(
        &mut self,
        seq: u64,
        outcome: Outcome<Answer, WriteError>,
        words: impl FnOnce(&WriteError) -> String,
    ) -> Option<Result<Answer, WriteError>> {
        if self.pending != Some(seq) {
            return None;
        }
        self.pending = None;
        self.correlation_id = outcome.correlation_id.clone();
        Some(match outcome.result {
            Ok(answer) => {
                self.key = None;
                self.error = None;
                self.phase = Phase::Done(crate::tui::view::safe(&answer.summary()));
                Ok(answer)
            }
            Err(e) => {
                self.error = Some(Failure::new(words(&e), outcome.correlation_id));
                if e.is_transient() {
                    self.phase = Phase::Confirming;
                } else {
                    self.key = None;
                    self.phase = Phase::Editing;
                }
                Err(e)
            }
        })
    }
}

impl App {
    /// The scope the signed-in client lacks for writes of `kind`, if it lacks one (an
    /// empty list of scopes is unknown: the backend decides).
    pub fn missing_scope(&self, kind: WriteKind) -> Option<&'static str> {
        (!kind.allowed(&self.status.scopes)).then(|| kind.scope())
    }

    /// The scope the signed-in client lacks for `action`, if it lacks one: such an
    /// action is not offered (hints leave it out; help and the palette say what it
    /// needs) and does not start.
    pub fn unavailable(&self, action: Action) -> Option<&'static str> {
        action.writes().and_then(|k| self.missing_scope(k))
    }

    /// Why `what` is not possible for this client, in words: which scope is missing,
    /// and how to get it.
    pub fn scope_refusal(&self, what: &str, scope: &str) -> String {
        let how = if scope == CUSTOMERS_WRITE {
            "start the console as the backoffice client (CUSTDESK_CLIENT_ID=backoffice)"
        } else {
            "start the console as the agent client (CUSTDESK_CLIENT_ID=agent)"
        };
        format!(
            "{what} needs the {scope} scope, which {} does not have: {how}",
            crate::tui::view::safe(&self.status.agent)
        )
    }

    /// Whether `action` may start for this client: when it lacks the scope the action's
    /// write needs, nothing opens, the status says which scope is missing, and the
    /// refusal is audited.
    pub(crate) fn scope_gate(&mut self, action: Action, fx: &mut Vec<Effect>) -> bool {
        let Some(scope) = self.unavailable(action) else {
            return true;
        };
        // The scope first: a narrow status line still shows what is missing.
        self.status.notice = Some(format!(
            "{scope} missing · {}",
            self.scope_refusal(action.name(), scope)
        ));
        fx.push(Effect::Record(AuditNote {
            customer: self
                .customer
                .as_ref()
                .map(|c| c.id.clone())
                .unwrap_or_default(),
            action: action.name().into(),
            outcome: format!("refused: missing scope {scope}"),
            ..AuditNote::default()
        }));
        false
    }

    /// Whether `write` may be sent: not in read-only mode, and with the scope it needs.
    /// Checked where every console write is issued; `Err` says why not.
    pub(crate) fn may_send(&self, write: &WriteOp) -> Result<(), String> {
        if self.read_only {
            return Err("read-only: this console sends no changes".into());
        }
        match self.missing_scope(write.kind()) {
            Some(scope) => Err(self.scope_refusal("This change", scope)),
            None => Ok(()),
        }
    }

    /// Send a simple write: the kept key when this body was sent before without a known
    /// outcome, else a fresh one. Never in read-only mode.
    pub(crate) fn submit_write(
        &mut self,
        s: &mut Submit,
        op: WriteOp,
        note: AuditNote,
        fx: &mut Vec<Effect>,
    ) {
        let fp = fingerprint(&op);
        self.submit_keyed(s, op, note, fp, fx);
    }

    /// [`App::submit_write`], keyed by `body` rather than the whole write (a passcode
    /// is not part of a write's serialised form, but a new passcode is a new body).
    pub(crate) fn submit_write_as(
        &mut self,
        s: &mut Submit,
        op: WriteOp,
        note: AuditNote,
        body: &impl Serialize,
        fx: &mut Vec<Effect>,
    ) {
        self.submit_keyed(s, op, note, fingerprint(body), fx);
    }

    /// Where every console write is issued: refused in read-only mode or without the
    /// scope (the dialog says why and keeps what was typed), else sent with the kept
    /// key when this body was sent before without a known outcome.
    fn submit_keyed(
        &mut self,
        s: &mut Submit,
        op: WriteOp,
        note: AuditNote,
        fp: String,
        fx: &mut Vec<Effect>,
    ) {
        if let Err(why) = self.may_send(&op) {
            s.error = Some(Failure::new(why, None));
            s.phase = Phase::Editing;
            return;
        }
        let key = KeyedWrite::for_fingerprint(&mut s.key, fp);
        let seq = self.next_seq();
        s.pending = Some(seq);
        s.error = None;
        s.phase = Phase::Sending;
        fx.push(Effect::Write { seq, op, key, note });
    }
}

/// The character a key types into a text field: a plain (or shifted) character.
pub(crate) fn typed_char(k: &KeyEvent) -> Option<char> {
    match k.code {
        KeyCode::Char(c)
            if !k.modifiers.intersects(
                crossterm::event::KeyModifiers::CONTROL | crossterm::event::KeyModifiers::ALT,
            ) =>
        {
            Some(c)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passcode_is_never_printed() {
        let mut p = Passcode::default();
        for c in "12a3456789".chars() {
            p.push(c);
        }
        assert_eq!(p.expose(), "123456");
        assert_eq!(format!("{p:?}"), "Passcode(<6 digits>)");
        assert_eq!(p.shown(), "••••••");
        p.pop();
        assert_eq!(p.shown(), "•••••_");
    }

    #[test]
    fn one_key_per_body() {
        let mut slot = None;
        let a = KeyedWrite::for_body(&mut slot, &("x", 1));
        assert_eq!(KeyedWrite::for_body(&mut slot, &("x", 1)), a);
        let b = KeyedWrite::for_body(&mut slot, &("x", 2));
        assert_ne!(a, b);
        slot = None;
        assert_ne!(KeyedWrite::for_body(&mut slot, &("x", 2)), b);
    }
}
