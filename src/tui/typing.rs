//! Typing that never fires commands by surprise: how keys reach the search box, the
//! results list and the quit and Ctrl-C rules.
//!
//! The rule in the results list: a letter or digit always types into the search (a
//! name heard on a call is never a command); keys that cannot start a name stay
//! commands there (arrows, Enter, Esc, Tab, space, `*`, `?`, `:`, `/`, F-keys, Ctrl
//! chords). A letter's command is still one chord away in the list: Alt with that
//! letter, or `:` and its name; in the other panes letters are commands as before.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;

use super::app::{App, Pane};
use super::effect::Effect;
use super::keymap::{Action, Context};

/// Whether a plain character types into the search from the results list.
pub fn types_in_list(c: char) -> bool {
    c.is_alphanumeric()
}

impl App {
    /// Ctrl-C: backs out of a dialog (asking first when it holds typed input, or while a
    /// bulk job sends); with no dialog open it quits.
    pub(crate) fn ctrl_c(&mut self) {
        self.dirty = true;
        let applying = self.overlay.as_ref().is_some_and(|o| o.dialog().running());
        if applying {
            if self.quit_warned {
                self.quit = true;
            } else {
                self.quit_warned = true;
                self.status.notice = Some(
                    "A bulk job is sending: c cancels it cleanly; Ctrl-C again quits now (the job is offered for resume at the next start)"
                        .into(),
                );
            }
            return;
        }
        let Some(overlay) = &self.overlay else {
            self.quit = true;
            return;
        };
        if overlay.dialog().typed() && !self.quit_warned {
            self.quit_warned = true;
            self.status.notice = Some(format!(
                "Ctrl-C again closes the {} and drops what you typed; any other key goes back to it",
                overlay.dialog().name()
            ));
            return;
        }
        self.quit_warned = false;
        self.close_overlay();
    }

    /// Close whatever dialog is open, as Esc from its first step would.
    fn close_overlay(&mut self) {
        if let Some(mut open) = self.overlay.take() {
            open.dialog_mut().closed(self);
        }
    }

    /// The keymap context of the focused pane: the search box while typing in it, the
    /// results list, or the customer's panes.
    pub fn pane_context(&self) -> Context {
        match self.focus {
            Pane::Search if self.search.editing => Context::SearchInput,
            Pane::Search => Context::Results,
            _ => Context::Profile,
        }
    }

    /// A key while the agent types in the search box: the box's own actions (leave
    /// it, open, go to the results, change pane) and, through function keys, the
    /// global ones; every other key edits the query.
    pub(crate) fn search_input_key(&mut self, k: KeyEvent, fx: &mut Vec<Effect>) {
        match self.keymap.action_in(Context::SearchInput, &k) {
            // A character that is the search key is handled with the text: after a
            // date's digits it is the date's separator.
            None => self.search_box_key(k, fx),
            Some(Action::FocusSearch) if super::edit::typed_char(&k).is_some() => {
                self.search_box_key(k, fx)
            }
            Some(Action::FocusSearch) => self.select_query(),
            Some(Action::Back) => {
                self.search.editing = false;
                self.search.query_selected = false;
                self.dirty = true;
            }
            Some(a @ (Action::Open | Action::Down | Action::Up)) => {
                // To the results when there are any; the box keeps focus otherwise.
                if !self.search.rows.is_empty() {
                    self.search.editing = false;
                }
                self.search.query_selected = false;
                if a != Action::Down {
                    self.on_action(a, fx);
                }
                self.dirty = true;
            }
            Some(a @ (Action::NextPane | Action::PrevPane)) => {
                self.search.editing = false;
                self.search.query_selected = false;
                self.on_action(a, fx);
            }
            // A function key's global action (F1 help while typing).
            Some(a) => self.on_action(a, fx),
        }
    }

    /// A key while the search box has focus. `/` is the search key, not text (except
    /// after a digit, where it separates a date): it selects the query so typing
    /// replaces it. A selected query is replaced by the next character typed and
    /// cleared by Backspace or Delete.
    pub(crate) fn search_box_key(&mut self, k: KeyEvent, fx: &mut Vec<Effect>) {
        let plain = !k
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if let KeyCode::Char(c) = k.code
            && plain
            && self.keymap.action_in(Context::SearchInput, &k) == Some(Action::FocusSearch)
            && !self.search.query_selected
            && !self.slash_is_text(c)
        {
            self.select_query();
            return;
        }
        let before = self.search.input.value().to_string();
        if std::mem::take(&mut self.search.query_selected) {
            match k.code {
                KeyCode::Char(_) if plain => {
                    self.search.input = tui_input::Input::default();
                }
                KeyCode::Backspace | KeyCode::Delete => {
                    self.search.input = tui_input::Input::default();
                    self.search_changed(fx);
                    self.dirty = true;
                    return;
                }
                _ => {}
            }
        }
        self.search
            .input
            .handle_event(&crossterm::event::Event::Key(k));
        if self.search.input.value() != before {
            self.search_changed(fx);
        }
        self.dirty = true;
    }

    /// `/` typed after a date's digits is the date's separator (`09/03/1984`,
    /// `dob:09/03`) until the date has both; anywhere else it is the search key.
    fn slash_is_text(&self, c: char) -> bool {
        let before: String = self
            .search
            .input
            .value()
            .chars()
            .take(self.search.input.cursor())
            .collect();
        let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
        let date = word.strip_prefix("dob:").unwrap_or(word);
        c == '/'
            && date.ends_with(|p: char| p.is_ascii_digit())
            && date.chars().all(|p| p.is_ascii_digit() || p == '/')
            // A date has two separators: a third `/` is the search key again.
            && date.matches('/').count() < 2
    }

    /// Focus the search box with the old query selected, so typing replaces it.
    pub(crate) fn select_query(&mut self) {
        self.focus = Pane::Search;
        self.search.editing = true;
        self.search.query_selected = !self.search.input.value().is_empty();
        self.dirty = true;
    }

    /// A key in the results list. Letters and digits start a new search (they never
    /// run a command); Alt with a letter runs that letter's command. Answers whether
    /// the key was taken.
    pub(crate) fn list_key(&mut self, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        let KeyCode::Char(c) = k.code else {
            return false;
        };
        if k.modifiers.contains(KeyModifiers::CONTROL) {
            return false;
        }
        let action = |k: &KeyEvent| self.keymap.action_in(Context::Results, k);
        if k.modifiers.contains(KeyModifiers::ALT) {
            if !types_in_list(c) || action(&k).is_some() {
                return false;
            }
            let plain = KeyEvent::new(k.code, k.modifiers - KeyModifiers::ALT);
            match action(&plain) {
                Some(a) => self.on_action(a, fx),
                None => self.key_for_elsewhere(Context::Results, &plain),
            }
            return true;
        }
        // Letters and digits, and any character that is no command, are search text.
        if !types_in_list(c) && action(&k).is_some() {
            return false;
        }
        self.select_query();
        self.search_box_key(k, fx);
        true
    }

    /// A key that means nothing in the results list or the customer panes but is an
    /// action of the other: the status line says where it works, so it never does
    /// nothing silently (`v` in the list: reveal is in the customer panes).
    pub(crate) fn key_for_elsewhere(&mut self, ctx: Context, k: &KeyEvent) {
        let (other, way) = match ctx {
            Context::Results => (Context::Profile, "tab"),
            Context::Profile => (Context::Results, "esc"),
            _ => return,
        };
        if let Some(a) = self.keymap.own_action(other, k) {
            // Short: at 80 columns the status line shows about 40 characters of it.
            self.status.notice = Some(format!(
                "{} works in the {}: {way} goes there",
                a.name(),
                other.place()
            ));
            self.dirty = true;
        }
    }

    /// The key a hint shows for `a` where the agent is (no dialog open): its key in
    /// the focused pane's context; in the results list a letter's command is reached
    /// with Alt.
    pub fn hint_key(&self, a: Action) -> String {
        let ctx = self.pane_context();
        let keys = self.keymap.keys_at(ctx, a);
        if ctx == Context::Results && self.overlay.is_none() {
            let usable = keys.iter().find(|k| {
                let mut cs = k.chars();
                !matches!((cs.next(), cs.next()), (Some(c), None) if types_in_list(c))
            });
            if let Some(k) = usable {
                return k.clone();
            }
            if let Some(k) = keys.first() {
                return format!("alt-{k}");
            }
        }
        keys.into_iter()
            .next()
            .unwrap_or_else(|| format!(":{}", a.name()))
    }
}
