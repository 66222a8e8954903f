//! Every key maps to a named action in a context. Help, hints and the command palette
//! are generated from this table; a keymap file overrides single bindings, each context
//! under its own section (`[bindings]` for the global keys, `[bulk]` for the bulk
//! dialog's). A key is unique within its context: the bulk dialog's `s` saves the plan
//! while the global `s` sorts.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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

/// A key chord as written in keymap files: `q`, `ctrl-c`, `enter`, `backtab`, `f5`, `G`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chord {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` with the subset we bind, ordered for stable tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    Delete,
}

impl Chord {
    /// Whether the key types or moves through text in a one-line input: a plain
    /// character, Backspace, Delete, Left, Right, Home, End.
    pub fn edits_text(self) -> bool {
        !self.ctrl
            && !self.alt
            && matches!(
                self.code,
                KeyCodeOrd::Char(_)
                    | KeyCodeOrd::Backspace
                    | KeyCodeOrd::Delete
                    | KeyCodeOrd::Left
                    | KeyCodeOrd::Right
                    | KeyCodeOrd::Home
                    | KeyCodeOrd::End
            )
    }

    pub fn parse(s: &str) -> Result<Chord, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s.trim();
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCodeOrd::Enter,
            "esc" => KeyCodeOrd::Esc,
            "tab" => KeyCodeOrd::Tab,
            "backtab" | "shift-tab" => KeyCodeOrd::BackTab,
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "pageup" => KeyCodeOrd::PageUp,
            "pagedown" => KeyCodeOrd::PageDown,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "backspace" => KeyCodeOrd::Backspace,
            "delete" => KeyCodeOrd::Delete,
            "space" => KeyCodeOrd::Char(' '),
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCodeOrd::F(f[1..].parse().unwrap_or(1))
            }
            c if c.chars().count() == 1 => KeyCodeOrd::Char(c.chars().next().unwrap_or(' ')),
            other => {
                return Err(format!(
                    "'{other}' is not a key (try q, ctrl-s, enter, f5, space)"
                ));
            }
        };
        Ok(Chord { code, ctrl, alt })
    }

    pub fn from_event(k: &KeyEvent) -> Option<Chord> {
        let code = match k.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            _ => return None,
        };
        Some(Chord {
            code,
            ctrl: k.modifiers.contains(KeyModifiers::CONTROL),
            alt: k.modifiers.contains(KeyModifiers::ALT),
        })
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "f{n}"),
            other => f.write_str(&format!("{other:?}").to_lowercase()),
        }
    }
}

/// Chords to actions, per context, and the reverse for help.
#[derive(Debug, Clone)]
pub struct Keymap {
    by_chord: BTreeMap<(Context, Chord), Action>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut by_chord = BTreeMap::new();
        for a in Action::ALL {
            for k in a.default_keys() {
                let chord = Chord::parse(k).expect("default keys parse");
                // `k` is text in the search box: there only `up` moves up.
                for ctx in a.contexts().iter().filter(|c| c.takes(chord, *a)) {
                    by_chord.insert((*ctx, chord), *a);
                }
            }
        }
        Keymap { by_chord }
    }
}

/// The contexts a section of `keymap.toml` rebinds `action` in: `[bindings]` rebinds it
/// wherever no dialog is open (globally, in the results list and in the customer
/// panes; the search box's keys are rebound under `[search]` only, since most keys
/// are text there); any other section only in its own context.
fn targets(section: Context, action: Action) -> Vec<Context> {
    let valid = action.contexts();
    match section {
        Context::Global => [Context::Global, Context::Results, Context::Profile]
            .into_iter()
            .filter(|c| valid.contains(c))
            .collect(),
        ctx => valid.iter().copied().filter(|c| *c == ctx).collect(),
    }
}

/// The contexts in which a key bound in `ctx` is seen: its own, and where the lookup
/// reaches it by falling back (the global keys under the panes, and the reverse).
fn seen_in(ctx: Context, chord: Chord) -> Vec<Context> {
    let mut out = vec![ctx];
    match ctx {
        Context::Global => out.extend(Context::ALL.iter().copied().filter(|c| c.falls_back(chord))),
        pane if pane.falls_back(chord) => out.push(Context::Global),
        _ => {}
    }
    out
}

impl Keymap {
    /// Defaults overridden by a keymap file: `[bindings]` for the keys outside
    /// dialogs, `[search]`, `[results]` and `[profile]` for one pane's, and a section
    /// per dialog (`[bulk]`), each `action = "key"` or `action = ["key", "key"]`.
    /// An override replaces that action's default keys. Unknown action names,
    /// unparsable keys and two actions on one key where the agent is (a pane's keys
    /// with the global ones, or one dialog's) are all reported together.
    pub fn with_overrides(toml_text: &str) -> Result<Keymap, Vec<String>> {
        let value: toml::Table = match toml::from_str(toml_text) {
            Ok(v) => v,
            Err(e) => {
                let at = crate::config::one_line(&e, toml_text);
                return Err(vec![format!("keymap is not valid TOML: {at}")]);
            }
        };
        let mut km = Keymap::default();
        let mut problems = Vec::new();
        for ctx in Context::ALL {
            match value.get(ctx.section()) {
                None => {}
                Some(toml::Value::Table(t)) => km.override_context(*ctx, t, &value, &mut problems),
                Some(_) => problems.push(format!("keymap: [{}] must be a table", ctx.section())),
            }
        }
        if problems.is_empty() {
            Ok(km)
        } else {
            Err(problems)
        }
    }

    /// Apply one section's bindings (the section of `ctx`), noting each problem;
    /// `file` is the whole keymap, to tell a clash from a key being handed over.
    fn override_context(
        &mut self,
        ctx: Context,
        bindings: &toml::Table,
        file: &toml::Table,
        problems: &mut Vec<String>,
    ) {
        // The global section's messages are as they always were; the others name theirs.
        let at = match ctx {
            Context::Global => String::new(),
            other => format!("[{}] ", other.section()),
        };
        let mut overridden: BTreeMap<Chord, Action> = BTreeMap::new();
        for (name, keys) in bindings {
            let Some(action) = Action::from_name(name).filter(|a| !targets(ctx, *a).is_empty())
            else {
                problems.push(format!(
                    "keymap: {at}unknown action '{name}' (see `?` for the list)"
                ));
                continue;
            };
            let keys: Vec<String> = match keys {
                toml::Value::String(s) => vec![s.clone()],
                toml::Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                _ => {
                    problems.push(format!(
                        "keymap: {at}{name} must be a key or a list of keys"
                    ));
                    continue;
                }
            };
            let targets = targets(ctx, action);
            self.by_chord
                .retain(|(c, _), a| !(targets.contains(c) && *a == action));
            for k in keys {
                match Chord::parse(&k) {
                    Err(e) => problems.push(format!("keymap: {at}{name}: {e}")),
                    Ok(chord) if !ctx.takes(chord, action) => problems.push(format!(
                        "keymap: {at}'{chord}' edits the query in the search box; give {name} a key that is not text there (enter, esc, a function key, a ctrl- key)"
                    )),
                    Ok(chord) => {
                        if let Some(other) = overridden.get(&chord)
                            && *other != action
                        {
                            problems.push(format!(
                                "keymap: {at}'{chord}' is bound to both {} and {name}",
                                other.name()
                            ));
                        }
                        overridden.insert(chord, action);
                    }
                }
            }
        }
        for (chord, action) in overridden {
            for target in targets(ctx, action) {
                if let Some(clash) = self.clash(target, chord, action, file) {
                    problems.push(format!(
                        "keymap: {at}'{chord}' for {} is already the default key of {clash}; rebind {clash} too",
                        action.name(),
                    ));
                    continue;
                }
                self.by_chord.insert((target, chord), action);
            }
        }
    }

    /// Another action `chord` means wherever a binding of `action` in `ctx` would be
    /// seen, unless the file rebinds that other action there too.
    fn clash(
        &self,
        ctx: Context,
        chord: Chord,
        action: Action,
        file: &toml::Table,
    ) -> Option<&'static str> {
        seen_in(ctx, chord).into_iter().find_map(|c| {
            let prev = *self.by_chord.get(&(c, chord))?;
            let rebound = Context::ALL.iter().any(|section| {
                targets(*section, prev).contains(&c)
                    && file
                        .get(section.section())
                        .and_then(toml::Value::as_table)
                        .is_some_and(|t| t.contains_key(prev.name()))
            });
            (prev != action && !rebound).then(|| prev.name())
        })
    }

    /// The action `key` means in the results list (its own keys, then the global
    /// ones): where the agent mostly is, and what the viewers (help, messages) read.
    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        self.action_in(Context::Results, key)
    }

    /// The action `key` is bound to in `ctx`: a dialog's own keys, or a pane's own
    /// keys and then, where the pane lets them through, the global ones.
    pub fn action_in(&self, ctx: Context, key: &KeyEvent) -> Option<Action> {
        let chord = Chord::from_event(key)?;
        self.bound(ctx, chord, key).or_else(|| {
            ctx.falls_back(chord)
                .then(|| self.bound(Context::Global, chord, key))
                .flatten()
        })
    }

    /// The action `chord` is bound to in `ctx` alone.
    fn bound(&self, ctx: Context, mut chord: Chord, key: &KeyEvent) -> Option<Action> {
        if let Some(a) = self.by_chord.get(&(ctx, chord)) {
            return Some(*a);
        }
        // Terminals differ on whether shifted letters carry SHIFT; the char decides.
        chord.alt = false;
        self.by_chord
            .get(&(ctx, chord))
            .copied()
            .filter(|_| !key.modifiers.contains(KeyModifiers::ALT))
    }

    /// The keys bound to `action` in its home context, for help and hints.
    pub fn keys(&self, action: Action) -> Vec<String> {
        self.keys_in(action.context(), action)
    }

    /// The keys that run `action` in `ctx`: its own there, else the global keys that
    /// reach it (in the search box only function keys; never one the context binds).
    pub fn keys_at(&self, ctx: Context, action: Action) -> Vec<String> {
        if action.contexts().contains(&ctx) || !ctx.is_pane() {
            return self.keys_in(ctx, action);
        }
        self.chords_in(Context::Global, action)
            .into_iter()
            .filter(|c| ctx.falls_back(*c) && !self.by_chord.contains_key(&(ctx, *c)))
            .map(|c| c.to_string())
            .collect()
    }

    /// The keys bound to `action` in `ctx` (a dialog's hint names its own binding).
    pub fn keys_in(&self, ctx: Context, action: Action) -> Vec<String> {
        self.chords_in(ctx, action)
            .into_iter()
            .map(|c| c.to_string())
            .collect()
    }

    /// The chords bound to `action` in `ctx`, plain keys first, letters before space:
    /// they are what hints should show.
    fn chords_in(&self, ctx: Context, action: Action) -> Vec<Chord> {
        let mut chords: Vec<Chord> = self
            .by_chord
            .iter()
            .filter(|((c, _), a)| *c == ctx && **a == action)
            .map(|((_, c), _)| *c)
            .collect();
        chords.sort_by_key(|c| {
            (
                c.ctrl || c.alt,
                !matches!(c.code, KeyCodeOrd::Char(_)),
                c.code == KeyCodeOrd::Char(' '),
            )
        });
        chords
    }

    /// The first key of `action`, or `:name` when it has none.
    pub fn hint(&self, action: Action) -> String {
        self.hint_in(action.context(), action)
    }

    /// The first key of `action` in `ctx`, or `:name` when it has none there.
    pub fn hint_in(&self, ctx: Context, action: Action) -> String {
        self.keys_in(ctx, action)
            .into_iter()
            .next()
            .unwrap_or_else(|| format!(":{}", action.name()))
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
