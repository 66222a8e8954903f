//! Every key maps to a named action in a context. Help, hints and the command palette
//! are generated from this table; a keymap file overrides single bindings, each context
//! under its own section (`[bindings]` for the keys outside dialogs, `[results]`,
//! `[profile]` and `[search]` for one pane's, `[bulk]` for the bulk dialog's). A key is
//! unique where the agent meets it: the bulk dialog's `s` saves the plan while the
//! results list's `s` sorts.
//!
//! This file holds the table of actions and the contexts; `chord` parses and prints
//! keys, `bindings` holds the keymap itself (defaults, overrides, lookups).

mod bindings;
mod chord;

pub use bindings::Keymap;
pub use chord::{Chord, KeyCodeOrd};

use crate::api::ops::WriteKind;

macro_rules! actions {
    (@ctx) => { &[Context::Global] };
    (@ctx $($ctx:ident),+) => { &[$(Context::$ctx),+] };
    ($($variant:ident => $name:literal, $desc:literal, [$($key:literal),*] $(in [$($ctx:ident),+])?;)*) => {
        /// A named thing the agent can do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];
            /// The name used in the keymap file and the palette.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
            pub fn description(self) -> &'static str {
                match self { $(Action::$variant => $desc),* }
            }
            fn default_keys(self) -> &'static [&'static str] {
                match self { $(Action::$variant => &[$($key),*]),* }
            }
            /// The contexts the action is valid in, its home first (help and
            /// [`Keymap::keys`] use the home).
            pub fn contexts(self) -> &'static [Context] {
                match self { $(Action::$variant => actions!(@ctx $($($ctx),+)?)),* }
            }
            pub fn from_name(name: &str) -> Option<Action> {
                match name { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Quit => "quit", "Quit custdesk", ["q", "ctrl-c"];
    Help => "help", "Show or hide this help", ["?", "f1"] in [Global, Viewer];
    Palette => "palette", "Open the command palette", [":"];
    FocusSearch => "focus_search", "Type in the search box", ["/"] in [Global, SearchInput];
    NextPane => "next_pane", "Next pane", ["tab"] in [Global, SearchInput];
    PrevPane => "prev_pane", "Previous pane", ["backtab"] in [Global, SearchInput];
    Up => "up", "Move up", ["up", "k"] in [Results, Profile, SearchInput, Viewer];
    Down => "down", "Move down", ["down", "j"] in [Results, Profile, SearchInput, Viewer];
    Left => "left", "Previous column / pane", ["left", "h"] in [Results, Profile];
    Right => "right", "Next column / pane", ["right", "l"] in [Results, Profile];
    PageUp => "page_up", "Page up", ["pageup", "ctrl-u"] in [Results, Profile, Bulk, Viewer];
    PageDown => "page_down", "Page down", ["pagedown", "ctrl-d"] in [Results, Profile, Bulk, Viewer];
    Top => "top", "First row", ["home", "g"] in [Results, Profile, Viewer];
    Bottom => "bottom", "Last row", ["end", "G"] in [Results, Profile, Viewer];
    Open => "open", "Open the selected customer", ["enter"] in [Results, SearchInput];
    Back => "back", "Back / close", ["esc"] in [Results, Profile, SearchInput, Verify, Contact, AddPhone, Offer, Alerts, Image, Customer, BulkForm, Bulk, Palette, Reveal];
    Sort => "sort", "Sort by the selected column (again to reverse)", ["s"] in [Results];
    Reveal => "reveal", "Reveal the selected masked field (asks a reason)", ["v"] in [Profile];
    CopyId => "copy_id", "Copy the customer id", ["y"];
    CopyCorrelation => "copy_correlation", "Copy the last correlation id", ["Y"];
    ToggleMouse => "toggle_mouse", "Switch mouse capture on or off", ["m"];
    Refresh => "refresh", "Reload the current customer or search", ["r", "f5"];
    VerifyCaller => "verify_caller", "Verify the caller (date of birth, postcode, last four)", ["V"];
    EditEmail => "edit_email", "Update the customer's email (passcode to the customer)", ["e"];
    EditPhone => "edit_phone", "Update the customer's phone (passcode to the customer)", ["p"];
    AddPhone => "add_phone", "Add a phone with the customer's consent (Relay)", ["a"];
    OfferResponse => "offer_response", "Accept or decline an offer for the customer", ["o"];
    AlertSubscription => "alert_subscription", "Subscribe to or unsubscribe from an alert", ["A"];
    ProfileImage => "profile_image", "Set or remove the customer's profile image", ["I"];
    NewCustomer => "new_customer", "Create a customer (bankingservice, back office)", ["n"];
    EditCustomer => "edit_customer", "Edit the open customer (bankingservice, back office)", ["E"];
    DeleteCustomer => "delete_customer", "Delete the open customer (bankingservice, back office)", ["D"];
    ToggleMark => "toggle_mark", "Mark or unmark the row (for a bulk edit) and move down", ["space"] in [Results];
    MarkRange => "mark_range", "Mark every row from the last marked one to this one", ["M"] in [Results];
    MarkAll => "mark_all", "Mark every result of the search, loaded or not", ["*"] in [Results];
    ClearMarks => "clear_marks", "Clear every mark", ["u"] in [Results];
    Bulk => "bulk", "Bulk edit the marked customers (or the selected one)", ["b"];
    Messages => "messages", "Show the last 50 messages, with time and correlation id", ["f2", "!"] in [Global, Viewer];
    SavePlan => "save_plan", "Save the plan to a file (bulk preview)", ["s"] in [Bulk];
    PauseJob => "pause", "Pause the running job, or go on (bulk)", ["p", "space"] in [Bulk];
    CancelJob => "cancel", "Cancel the running job; items in flight finish (bulk)", ["c"] in [Bulk];
    RetryFailed => "retry", "Retry what may still succeed and send what was not sent (bulk results)", ["r"] in [Bulk];
    ExportResults => "export", "Export the results to CSV (bulk results)", ["x"] in [Bulk];
    Confirm => "confirm", "Go on: check, confirm, send (a dialog's next step)", ["enter"] in [Verify, Contact, AddPhone, Offer, Alerts, Image, Customer, BulkForm, Bulk, Palette, Reveal];
    NextField => "next_field", "Next field", ["tab"] in [Verify, AddPhone, Alerts, Image, Customer, BulkForm];
    PrevField => "prev_field", "Previous field", ["backtab"] in [Verify, AddPhone, Alerts, Image, Customer, BulkForm];
    ItemUp => "item_up", "Previous field, or the item above; scroll up", ["up"] in [Verify, AddPhone, Offer, Alerts, Image, Customer, BulkForm, Bulk, Palette];
    ItemDown => "item_down", "Next field, or the item below; scroll down", ["down"] in [Verify, AddPhone, Offer, Alerts, Image, Customer, BulkForm, Bulk, Palette];
    ChoicePrev => "choice_prev", "Previous value of a choice field", ["left"] in [AddPhone, Offer, Alerts, Image, BulkForm];
    ChoiceNext => "choice_next", "Next value of a choice field", ["right", "space"] in [AddPhone, Offer, Alerts, Image, BulkForm];
    Accept => "accept", "Accept the offer", ["a"] in [Offer];
    Decline => "decline", "Decline the offer", ["d"] in [Offer];
    Complete => "complete", "Complete the selected command's name", ["tab"] in [Palette];
    Close => "close", "Close this view", ["esc", "q"] in [Viewer];
}

/// Where a key means an action: the console at large, or one dialog. Each has its
/// section in `keymap.toml`; a key is looked up in the open dialog's context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Keys that mean the same wherever no dialog is open: help, quit, the customer's
    /// edits. The pane contexts fall back to them.
    Global,
    /// The search box while the agent types in it: only keys that are not text (a
    /// plain character types, except the search key).
    SearchInput,
    /// The results list (a letter or digit types a new search there; Alt with it runs
    /// its command).
    Results,
    /// The customer's panes: profile, contact methods, alerts.
    Profile,
    /// The caller verification dialog.
    Verify,
    /// The email / phone update dialog.
    Contact,
    /// The add-phone dialog (number, type, country code, consent).
    AddPhone,
    /// The offer response dialog.
    Offer,
    /// The alert subscription dialog.
    Alerts,
    /// The profile image dialog (set from a file, or remove).
    Image,
    /// The bankingservice customer form (create, edit, delete).
    Customer,
    /// The bulk dialog while the edit is chosen (a form).
    BulkForm,
    /// The bulk dialog from the preview on: plan, job, results.
    Bulk,
    /// The command palette.
    Palette,
    /// The reveal prompt (asks a reason).
    Reveal,
    /// The read-only views: help and the message log.
    Viewer,
}

impl Context {
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::Results,
        Context::Profile,
        Context::SearchInput,
        Context::Verify,
        Context::Contact,
        Context::AddPhone,
        Context::Offer,
        Context::Alerts,
        Context::Image,
        Context::Customer,
        Context::BulkForm,
        Context::Bulk,
        Context::Palette,
        Context::Reveal,
        Context::Viewer,
    ];

    /// Where the agent is in this context, in words ("results list").
    pub fn place(self) -> &'static str {
        match self {
            Context::SearchInput => "search box",
            Context::Results => "results list",
            Context::Profile => "customer panes",
            _ => self.section(),
        }
    }

    /// The section of `keymap.toml` that rebinds this context's actions.
    pub fn section(self) -> &'static str {
        match self {
            Context::Global => "bindings",
            Context::SearchInput => "search",
            Context::Results => "results",
            Context::Profile => "profile",
            Context::Verify => "verify",
            Context::Contact => "contact",
            Context::AddPhone => "add_phone",
            Context::Offer => "offer",
            Context::Alerts => "alerts",
            Context::Image => "image",
            Context::Customer => "customer",
            Context::BulkForm => "bulk_form",
            Context::Bulk => "bulk",
            Context::Palette => "palette",
            Context::Reveal => "reveal",
            Context::Viewer => "viewer",
        }
    }

    /// The heading help lists this context's actions under.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Keys",
            Context::SearchInput => "Search box, while typing",
            Context::Results => "Results list (alt with a letter runs its command)",
            Context::Profile => "Customer panes (profile, contact methods, alerts)",
            Context::Verify => "Caller verification dialog",
            Context::Contact => "Email / phone update dialog",
            Context::AddPhone => "Add-phone dialog",
            Context::Offer => "Offer dialog",
            Context::Alerts => "Alert subscription dialog",
            Context::Image => "Profile image dialog",
            Context::Customer => "Customer form (back office)",
            Context::BulkForm => "Bulk dialog, choosing the edit",
            Context::Bulk => "Bulk dialog",
            Context::Palette => "Command palette",
            Context::Reveal => "Reveal prompt",
            Context::Viewer => "Help and message log",
        }
    }

    /// Whether the context is a dialog that writes (not offered in read-only mode).
    pub fn writes(self) -> bool {
        !matches!(
            self,
            Context::Global
                | Context::SearchInput
                | Context::Results
                | Context::Profile
                | Context::Verify
                | Context::Palette
                | Context::Reveal
                | Context::Viewer
        )
    }

    /// A context of the console's panes (not a dialog's): it falls back to the global
    /// keys, and `[bindings]` rebinds its actions too.
    pub fn is_pane(self) -> bool {
        matches!(
            self,
            Context::SearchInput | Context::Results | Context::Profile
        )
    }

    /// Whether a key this context does not bind means its global action here: in the
    /// results list and the customer panes any key does; in the search box only a
    /// function key (everything else there is text); in a dialog none.
    fn falls_back(self, chord: Chord) -> bool {
        match self {
            Context::Results | Context::Profile => true,
            Context::SearchInput => matches!(chord.code, KeyCodeOrd::F(_)),
            _ => false,
        }
    }

    /// Whether `chord` may be bound in this context: in the search box a plain
    /// character and the keys that move through text edit the query (the search key
    /// excepted: it selects the query).
    fn takes(self, chord: Chord, action: Action) -> bool {
        self != Context::SearchInput || !chord.edits_text() || action == Action::FocusSearch
    }

    /// This context's actions, in table order.
    pub fn actions(self) -> impl Iterator<Item = Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(move |a| a.contexts().contains(&self))
    }
}

impl Action {
    /// The action's home context (the first it is valid in).
    pub fn context(self) -> Context {
        self.contexts()[0]
    }

    /// The kind of write the action leads to, if any: what it needs of the signed-in
    /// client is [`WriteKind::scope`], the one table of scopes.
    pub fn writes(self) -> Option<WriteKind> {
        match self {
            Action::EditEmail | Action::EditPhone => Some(WriteKind::ContactChange),
            Action::AddPhone => Some(WriteKind::AddPhone),
            Action::OfferResponse => Some(WriteKind::Offer),
            Action::AlertSubscription => Some(WriteKind::Alerts),
            Action::ProfileImage => Some(WriteKind::Image),
            Action::NewCustomer => Some(WriteKind::CreateCustomer),
            Action::EditCustomer => Some(WriteKind::UpdateCustomer),
            Action::DeleteCustomer => Some(WriteKind::DeleteCustomer),
            _ => None,
        }
    }

    /// The scope the action needs, from [`WriteKind::scope`].
    pub fn scope(self) -> Option<&'static str> {
        self.writes().map(WriteKind::scope)
    }

    /// Whether the action changes data: not offered in read-only mode (nor is the bulk
    /// dialog, so neither are its keys).
    pub fn is_edit(self) -> bool {
        self.context().writes() || self == Action::Bulk || self.writes().is_some()
    }
}

#[cfg(test)]
mod tests;
