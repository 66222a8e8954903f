//! The dialog component: what every overlay (help, the message log, the palette, the
//! reveal prompt and the edit dialogs) offers the app, so `App` routes keys, pastes and
//! finished calls to the open dialog, asks whether it is busy or holds typed input, and
//! draws it, without knowing its fields.
//!
//! A dialog handles a key with the app lent to it (the dialog itself taken out of the
//! app for the call): it may read the open customer, set the status line, ask for
//! effects, or open another dialog in its place.

use crossterm::event::KeyEvent;
use ratatui::Frame;

use super::app::App;
use super::dialogs::help::Help;
use super::dialogs::messages::MessageLog;
use super::dialogs::palette::Palette;
use super::dialogs::reveal::Reveal;
use super::edit::add_phone::AddPhoneDialog;
use super::edit::alerts::AlertsDialog;
use super::edit::bulk::BulkDialog;
use super::edit::contact::ContactDialog;
use super::edit::customer::CustomerDialog;
use super::edit::image::ImageDialog;
use super::edit::offer::OfferDialog;
use super::edit::verify::VerifyDialog;
use super::effect::Effect;
use super::msg::Msg;

/// One dialog: its keys, pastes and replies, whether it waits or holds typing, and its
/// view drawn from a shared reference.
pub trait Dialog {
    /// What the dialog is called when the agent is warned before it closes
    /// ("contact change").
    fn name(&self) -> &'static str;

    /// A key. `false` closes the dialog.
    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool;

    /// Text pasted into the dialog. A dialog that takes none ignores it: it never
    /// reaches the search box behind.
    fn paste(&mut self, _app: &mut App, _text: &str, _fx: &mut Vec<Effect>) {}

    /// A finished call or timer this dialog may have asked for (a write's answer, a
    /// format check, a bulk job's progress); each dialog recognises its own by sequence
    /// number. A message that is not the dialog's comes back.
    fn reply(&mut self, _app: &mut App, msg: Msg, _fx: &mut Vec<Effect>) -> Option<Msg> {
        Some(msg)
    }

    /// Whether the dialog waits for a call (the spinner turns).
    fn busy(&self) -> bool {
        false
    }

    /// Whether the dialog holds text the agent typed (closing it asks first).
    fn typed(&self) -> bool {
        false
    }

    /// Whether the dialog runs a job that quitting would interrupt.
    fn running(&self) -> bool {
        false
    }

    /// The dialog is closed from outside (Ctrl-C): let go of what it waits for.
    fn closed(&mut self, _app: &mut App) {}

    fn draw(&self, f: &mut Frame, app: &App);
}

/// The open overlay. `App` knows which kinds there are, not what they hold: every call
/// goes through [`Overlay::dialog`] and [`Overlay::dialog_mut`].
#[derive(Debug, Clone)]
pub enum Overlay {
    Help(Help),
    /// The last messages, newest first, with time and correlation id.
    Messages(MessageLog),
    Palette(Palette),
    Reveal(Reveal),
    /// Caller verification.
    Verify(VerifyDialog),
    /// Update email or phone (Citi passcode flow).
    Contact(Box<ContactDialog>),
    /// Add a phone with consent (Relay).
    AddPhone(Box<AddPhoneDialog>),
    /// Accept or decline an offer.
    Offer(Box<OfferDialog>),
    /// Subscribe to or unsubscribe from an alert.
    Alerts(Box<AlertsDialog>),
    /// Set the profile image from a file, or remove it.
    Image(Box<ImageDialog>),
    /// Create, edit or delete a bankingservice customer.
    Customer(Box<CustomerDialog>),
    /// A bulk edit: plan, preview, apply, results.
    Bulk(Box<BulkDialog>),
}

impl Overlay {
    pub fn dialog(&self) -> &dyn Dialog {
        match self {
            Overlay::Help(d) => d,
            Overlay::Messages(d) => d,
            Overlay::Palette(d) => d,
            Overlay::Reveal(d) => d,
            Overlay::Verify(d) => d,
            Overlay::Contact(d) => d.as_ref(),
            Overlay::AddPhone(d) => d.as_ref(),
            Overlay::Offer(d) => d.as_ref(),
            Overlay::Alerts(d) => d.as_ref(),
            Overlay::Image(d) => d.as_ref(),
            Overlay::Customer(d) => d.as_ref(),
            Overlay::Bulk(d) => d.as_ref(),
        }
    }

    pub fn dialog_mut(&mut self) -> &mut dyn Dialog {
        match self {
            Overlay::Help(d) => d,
            Overlay::Messages(d) => d,
            Overlay::Palette(d) => d,
            Overlay::Reveal(d) => d,
            Overlay::Verify(d) => d,
            Overlay::Contact(d) => d.as_mut(),
            Overlay::AddPhone(d) => d.as_mut(),
            Overlay::Offer(d) => d.as_mut(),
            Overlay::Alerts(d) => d.as_mut(),
            Overlay::Image(d) => d.as_mut(),
            Overlay::Customer(d) => d.as_mut(),
            Overlay::Bulk(d) => d.as_mut(),
        }
    }
}

impl App {
    /// Lend the app to the open dialog for one call; the dialog goes back unless the
    /// call closed it (`false`) or opened another in its place.
    pub(crate) fn with_dialog<R>(
        &mut self,
        call: impl FnOnce(&mut dyn Dialog, &mut App) -> (bool, R),
    ) -> Option<R> {
        let mut open = self.overlay.take()?;
        let (keep, r) = call(open.dialog_mut(), self);
        if keep && self.overlay.is_none() {
            self.overlay = Some(open);
        }
        self.dirty = true;
        Some(r)
    }

    /// A message for the open dialog; one no dialog takes comes back.
    pub(crate) fn route_to_dialog(&mut self, msg: Msg, fx: &mut Vec<Effect>) -> Option<Msg> {
        if self.overlay.is_none() {
            return Some(msg);
        }
        self.with_dialog(|d, app| (true, d.reply(app, msg, fx)))
            .flatten()
    }
}
