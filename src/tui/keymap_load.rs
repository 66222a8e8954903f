//! `keymap.toml`, loaded tolerantly: a bad line never stops the console. It starts with
//! every binding that is valid and the defaults for the rest, and its message area names
//! each bad line; `custdesk config --check` reports the same list (see [`problems`]).

use super::keymap::{Context, Keymap};

/// The keymap `text` describes, keeping each binding that is valid together with those
/// above it, and the problems, each naming its line (`line 3: unknown action 'frob'`).
pub fn tolerant(text: &str) -> (Keymap, Vec<String>) {
    if let Ok(km) = Keymap::with_overrides(text) {
        return (km, Vec::new());
    }
    let table: toml::Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let at = e
                .span()
                .map(|s| format!("line {}: ", line_of_byte(text, s.start)))
                .unwrap_or_default();
            let message = e.message().trim().replace('\n', " ");
            return (
                Keymap::default(),
                vec![format!(
                    "{at}not valid TOML ({message}): every key keeps its default"
                )],
            );
        }
    };
    // Section by section (`[bindings]`, then each dialog's), in the file's order, each
    // binding is kept when it is valid with those kept so far.
    let mut kept = toml::Table::new();
    let mut problems = Vec::new();
    for ctx in Context::ALL {
        let section = ctx.section();
        let bindings = match table.get(section) {
            None => continue,
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => {
                let at = key_line(text, None, section);
                problems.push(format!("{at}[{section}] must be a table"));
                continue;
            }
        };
        let mut entries: Vec<(String, toml::Value)> = bindings.into_iter().collect();
        entries.sort_by_key(|(name, _)| {
            key_line_number_in(text, Some(section), name).unwrap_or(usize::MAX)
        });
        for (name, value) in entries {
            let mut trial = kept.clone();
            let t = trial
                .entry(section)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(t) = t {
                t.insert(name.clone(), value);
            }
            match Keymap::with_overrides(&toml::to_string(&trial).unwrap_or_default()) {
                Ok(_) => kept = trial,
                Err(found) => {
                    let said: Vec<String> = found
                        .iter()
                        .map(|p| p.strip_prefix("keymap: ").unwrap_or(p).to_string())
                        .collect();
                    problems.push(format!(
                        "{}{}",
                        key_line(text, Some(section), &name),
                        said.join("; ")
                    ));
                }
            }
        }
    }
    let km =
        Keymap::with_overrides(&toml::to_string(&kept).unwrap_or_default()).unwrap_or_default();
    (km, problems)
}

/// The problems [`tolerant`] finds in `text` (none for a good file).
pub fn problems(text: &str) -> Vec<String> {
    tolerant(text).1
}

/// The console's one-line notice about them, or nothing.
pub fn notice(file: &std::path::Path, problems: &[String]) -> Option<String> {
    (!problems.is_empty()).then(|| {
        // The file's name only: the message area is one line, and the lines matter more.
        let name = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        format!(
            "{name}: {} (bad line{}: the keys keep their defaults)",
            problems.join(" · "),
            if problems.len() == 1 { "" } else { "s" }
        )
    })
}

fn line_of_byte(text: &str, byte: usize) -> usize {
    text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The line defining `key` (inside `[section]` when given), 1-based.
fn key_line_number_in(text: &str, section: Option<&str>, key: &str) -> Option<usize> {
    let mut inside = section.is_none();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = section.is_some_and(|s| t.trim_matches(['[', ']']).trim() == s);
            if section.is_none() && t.trim_matches(['[', ']']).trim() == key {
                return Some(n + 1);
            }
            continue;
        }
        let name = t
            .split('=')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(['"', '\'']);
        if inside && t.contains('=') && name == key {
            return Some(n + 1);
        }
    }
    None
}

fn key_line(text: &str, section: Option<&str>, key: &str) -> String {
    key_line_number_in(text, section, key)
        .map(|n| format!("line {n}: "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::Action;

    #[test]
    fn bad_lines_are_named_and_the_good_ones_kept() {
        let text = "# my keys\n[bindings]\nquit = \"x\"\nfrobnicate = \"z\"\nreveal = \"ctrl+\"\nhelp = \"x\"\n";
        let (km, problems) = tolerant(text);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].starts_with("line 4: unknown action 'frobnicate'"),
            "{problems:?}"
        );
        assert!(problems[1].starts_with("line 5: reveal:"), "{problems:?}");
        assert!(
            problems[2].starts_with("line 6: 'x' is bound to both"),
            "{problems:?}"
        );
        // quit moved to x; reveal and help keep their defaults.
        assert_eq!(km.keys(Action::Quit), vec!["x".to_string()]);
        assert_eq!(
            km.keys(Action::Reveal),
            Keymap::default().keys(Action::Reveal)
        );
        assert_eq!(km.keys(Action::Help), Keymap::default().keys(Action::Help));
        assert_eq!(problems, super::problems(text));
    }

    #[test]
    fn a_file_that_is_not_toml_keeps_every_default_and_says_where() {
        let (km, problems) = tolerant("[bindings]\nquit = \"x\"\nhelp = \n");
        assert_eq!(km.keys(Action::Quit), Keymap::default().keys(Action::Quit));
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("line 3: not valid TOML"),
            "{problems:?}"
        );
        assert!(tolerant("[bindings]\nquit = \"x\"\n").1.is_empty());
        let (_, p) = tolerant("bindings = 3\n");
        assert_eq!(p, vec!["line 1: [bindings] must be a table".to_string()]);
    }

    #[test]
    fn a_dialog_section_is_loaded_the_same_way() {
        let text = "[bindings]\nquit = \"Q\"\n\n[bulk]\nsave_plan = \"w\"\ncancel = \"w\"\n";
        let (km, problems) = tolerant(text);
        assert_eq!(km.keys(Action::Quit), vec!["Q".to_string()]);
        assert_eq!(km.keys(Action::SavePlan), vec!["w".to_string()]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("line 6: [bulk] 'w' is bound to both")
                && problems[0].contains("save_plan")
                && problems[0].contains("cancel"),
            "{problems:?}"
        );
        assert_eq!(km.keys(Action::CancelJob), vec!["c".to_string()]);
    }
}
