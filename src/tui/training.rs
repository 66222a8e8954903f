//! Training passcodes: against the embedded sandbox only, once a contact change has
//! sent its passcode, the console reads the sandbox's outbox and shows what the
//! customer's phone received, so a trainee finishes the change without leaving the
//! console. Against any other backend nothing is read and nothing shown.

use super::app::{App, Overlay};
use super::edit::Phase;
use super::effect::Effect;
use super::msg::Outcome;
use crate::api::wire::sandbox::OutboxMessage;

/// What the customer's phone received for one passcode flow.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub flow: String,
    pub phone: Phone,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phone {
    /// The outbox is being read.
    Reading,
    /// The message the flow sent: its passcode, when it carries one, and its text.
    Got { otp: Option<String>, text: String },
    /// The outbox holds no message for the flow.
    Nothing,
    /// The outbox could not be read: why, in words.
    Failed(String),
}

impl App {
    /// Running against the console's own embedded sandbox (the training banner shows
    /// only then).
    pub fn embedded(&self) -> bool {
        self.banner.is_some()
    }

    /// The passcode flow the contact dialog waits on, if it does.
    pub fn passcode_flow(&self) -> Option<&str> {
        match &self.overlay {
            Some(Overlay::Contact(d)) => d
                .passcode
                .as_ref()
                .filter(|p| !matches!(p.confirm.phase, Phase::Done(_)))
                .map(|p| p.flow_id.as_str()),
            _ => None,
        }
    }

    /// What the customer's phone received for the flow the dialog waits on, when the
    /// console runs its embedded sandbox: never against a remote backend.
    pub fn training_phone(&self) -> Option<&Phone> {
        let flow = self.passcode_flow()?;
        self.training
            .as_ref()
            .filter(|t| self.embedded() && t.flow == flow)
            .map(|t| &t.phone)
    }

    /// A change request answered with a passcode flow: against the embedded sandbox,
    /// read what the customer's phone received.
    pub(crate) fn read_training_phone(&mut self, fx: &mut Vec<Effect>) {
        if !self.embedded() {
            return;
        }
        let Some(flow) = self.passcode_flow().map(str::to_string) else {
            return;
        };
        if self.training.as_ref().is_some_and(|t| t.flow == flow) {
            return;
        }
        self.training = Some(Received {
            flow: flow.clone(),
            phone: Phone::Reading,
        });
        fx.push(Effect::Outbox { flow });
    }

    /// The outbox answered for `flow`. Its correlation id stays off the status bar,
    /// which keeps the bank call's.
    pub(crate) fn training_received(
        &mut self,
        flow: String,
        outcome: Outcome<Option<OutboxMessage>>,
    ) {
        let Some(t) = self.training.as_mut().filter(|t| t.flow == flow) else {
            return; // an older flow's answer
        };
        t.phone = match outcome.result {
            Ok(Some(m)) => Phone::Got {
                otp: m.otp,
                text: m.text,
            },
            Ok(None) => Phone::Nothing,
            Err(e) => Phone::Failed(e),
        };
        self.dirty = true;
    }
}
