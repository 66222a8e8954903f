//! The status bar's messages: the latest outcome in words, errors that clear
//! themselves, and the log of the last [`LOG_LEN`] messages (opened with one key).
//!
//! Dialogs and actions keep setting `status.notice` and `status.last_error` where
//! they always did; [`App::update`](crate::tui::app::App::update) compares them before
//! and after each message and records what changed here, so there is one place that
//! decides which message shows and how long an error stays.

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime};

/// Messages kept for the log.
pub const LOG_LEN: usize = 50;
/// An error in the status bar clears after this long (or on the next success).
pub const ERROR_FOR: Duration = Duration::from_secs(8);

/// The console's clock: real time, moved on by tests instead of sleeping.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    skew: Duration,
}

impl Clock {
    pub fn now(&self) -> Instant {
        Instant::now() + self.skew
    }
    pub fn wall(&self) -> SystemTime {
        SystemTime::now() + self.skew
    }
    /// Move this clock on (tests).
    pub fn advance(&mut self, by: Duration) {
        self.skew += by;
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Local time of day, `HH:MM:SS`.
    pub time: String,
    pub text: String,
    pub error: bool,
    /// The request the message came with, if it came with one.
    pub correlation: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Messages {
    pub log: VecDeque<Entry>,
    /// When the error now shown stops being shown.
    pub error_until: Option<Instant>,
}

impl Messages {
    pub fn push(&mut self, clock: &Clock, text: &str, error: bool, correlation: Option<String>) {
        let time = chrono::DateTime::<chrono::Local>::from(clock.wall())
            .format("%H:%M:%S")
            .to_string();
        if self.log.len() == LOG_LEN {
            self.log.pop_front();
        }
        self.log.push_back(Entry {
            time,
            text: text.to_string(),
            error,
            correlation,
        });
        if error {
            self.error_until = Some(clock.now() + ERROR_FOR);
        }
    }
}

/// What the status bar showed before a message was handled.
pub(crate) struct Before {
    notice: Option<String>,
    error: Option<String>,
    correlation: Option<String>,
}

impl crate::tui::app::App {
    pub(crate) fn messages_before(&self) -> Before {
        Before {
            notice: self.status.notice.clone(),
            error: self.status.last_error.clone(),
            correlation: self.status.last_correlation.clone(),
        }
    }

    /// Record what the last message changed: a new notice or error goes to the log
    /// and replaces the other one on the status bar.
    pub(crate) fn messages_after(&mut self, before: Before) {
        let corr = Some(&self.status.last_correlation)
            .filter(|c| **c != before.correlation)
            .and_then(|c| c.clone());
        let new_error = self.status.last_error.is_some() && self.status.last_error != before.error;
        let new_notice = self.status.notice.is_some() && self.status.notice != before.notice;
        if new_notice {
            let text = self.status.notice.clone().unwrap_or_default();
            self.messages.push(&self.clock, &text, false, corr.clone());
            if !new_error {
                // The newer outcome replaces the older error.
                self.status.last_error = None;
                self.messages.error_until = None;
            }
        }
        if new_error {
            let text = self.status.last_error.clone().unwrap_or_default();
            self.messages.push(&self.clock, &text, true, corr);
            self.status.notice = None;
        }
        if new_error || new_notice || self.status.last_error != before.error {
            self.dirty = true;
        }
    }

    /// A request succeeded: the error it follows is over.
    pub(crate) fn clear_error(&mut self) {
        if self.status.last_error.take().is_some() {
            self.messages.error_until = None;
            self.dirty = true;
        }
    }

    /// On each tick: an error shown long enough clears.
    pub(crate) fn expire_error(&mut self) {
        if let Some(until) = self.messages.error_until
            && self.clock.now() >= until
        {
            self.clear_error();
        }
    }
}
