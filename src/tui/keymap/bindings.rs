//! The keymap: chords to actions per context, the defaults, a file's overrides with
//! their clash checks, and the lookups keys and help make.

use std::collections::BTreeMap;

use crossterm::event::{KeyEvent, KeyModifiers};

use super::{Action, Chord, Context, KeyCodeOrd};

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
/// wherever no dialog is open (globally, in the results list, in the customer panes,
/// and in help and the message log, which scroll and close with the same keys; the
/// search box's keys are rebound under `[search]` only, since most keys are text
/// there); any other section only in its own context.
fn targets(section: Context, action: Action) -> Vec<Context> {
    let valid = action.contexts();
    match section {
        Context::Global => [
            Context::Global,
            Context::Results,
            Context::Profile,
            Context::Viewer,
        ]
        .into_iter()
        .filter(|c| valid.contains(c))
        .collect(),
        ctx => valid.iter().copied().filter(|c| *c == ctx).collect(),
    }
}

/// The contexts in which a key bound in `ctx` is seen: its own, and where the lookup
/// reaches it by falling back (the global keys under the panes, and the reverse).
pub(super) fn seen_in(ctx: Context, chord: Chord) -> Vec<Context> {
    let mut out = vec![ctx];
    match ctx {
        Context::Global => out.extend(Context::ALL.iter().copied().filter(|c| c.falls_back(chord))),
        pane if pane.falls_back(chord) => out.push(Context::Global),
        _ => {}
    }
    out
}

/// The keys `section` of the keymap `file` gives `action`, if it names it (keys that
/// do not parse are left out: they are reported on their own).
fn keys_in_file(file: &toml::Table, section: Context, action: Action) -> Option<Vec<Chord>> {
    let value = file
        .get(section.section())
        .and_then(toml::Value::as_table)?
        .get(action.name())?;
    let keys: Vec<&str> = match value {
        toml::Value::String(s) => vec![s.as_str()],
        toml::Value::Array(a) => a.iter().filter_map(toml::Value::as_str).collect(),
        _ => Vec::new(),
    };
    Some(
        keys.into_iter()
            .filter_map(|k| Chord::parse(k).ok())
            .collect(),
    )
}

impl Keymap {
    /// Defaults overridden by a keymap file: `[bindings]` for the keys outside
    /// dialogs, `[search]`, `[results]`, `[profile]` and `[viewer]` for one place's, and
    /// a section per dialog (`[bulk]`), each `action = "key"` or `action = ["key", "key"]`.
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
    /// seen, unless the file hands the key over: it rebinds that other action there to
    /// keys without this one.
    fn clash(
        &self,
        ctx: Context,
        chord: Chord,
        action: Action,
        file: &toml::Table,
    ) -> Option<&'static str> {
        seen_in(ctx, chord).into_iter().find_map(|c| {
            let prev = *self.by_chord.get(&(c, chord))?;
            let handed_over = Context::ALL.iter().any(|section| {
                targets(*section, prev).contains(&c)
                    && keys_in_file(file, *section, prev).is_some_and(|keys| !keys.contains(&chord))
            });
            (prev != action && !handed_over).then(|| prev.name())
        })
    }

    /// The action `key` means in the results list (its own keys, then the global
    /// ones): where the agent mostly is.
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

    /// Every binding: context, key, action.
    #[cfg(test)]
    pub(super) fn all(&self) -> impl Iterator<Item = (Context, Chord, Action)> + '_ {
        self.by_chord.iter().map(|((c, k), a)| (*c, *k, *a))
    }

    /// The action `key` is bound to by `ctx` itself (not through the global keys).
    pub fn own_action(&self, ctx: Context, key: &KeyEvent) -> Option<Action> {
        self.bound(ctx, Chord::from_event(key)?, key)
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
