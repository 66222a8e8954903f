//! `:` command palette: type to filter every named action, tab completes, enter runs.
//! Names match fuzzily (`cpc` finds `copy_correlation`), best first; an action whose
//! description holds what was typed follows them.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use tui_input::Input;

use crate::tui::app::{App, palette_for};
use crate::tui::keymap::{Action, Context};
use crate::tui::view::{centered, safe};

pub fn draw(f: &mut Frame, app: &App, input: &Input, selected: usize) {
    let t = &app.theme;
    let area = centered(f.area(), 64, 14);
    f.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(" Command ")
        .border_style(t.accent)
        .style(t.base);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let [line, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let typed = safe(input.value());
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(":", t.accent),
            Span::raw(typed.clone()),
        ])),
        line,
    );
    f.set_cursor_position((line.x + 1 + input.visual_cursor() as u16, line.y));
    let matches = palette_for(app.read_only, input.value());
    let selected = selected.min(matches.len().saturating_sub(1));
    let lines: Vec<Line> = if matches.is_empty() {
        vec![Line::from(Span::styled(
            format!("no command matches '{typed}'"),
            t.muted,
        ))]
    } else {
        matches
            .iter()
            .enumerate()
            .skip(selected.saturating_sub(list.height.saturating_sub(1) as usize))
            .map(|(i, a)| {
                let key = app.keymap.hint(*a);
                let text = match app.unavailable(*a) {
                    // Said in full within the palette's width: the scope first.
                    Some(scope) => format!(
                        "{} {:<18} {} · unavailable: needs {scope}",
                        if i == selected { "▶" } else { " " },
                        a.name(),
                        key,
                    ),
                    None => format!(
                        "{} {:<18} {:<8} {}",
                        if i == selected { "▶" } else { " " },
                        a.name(),
                        key,
                        a.description()
                    ),
                };
                let style = if i == selected {
                    t.selection
                } else if app.unavailable(*a).is_some() {
                    t.muted
                } else {
                    t.base
                };
                Line::from(Span::styled(text, style))
            })
            .collect()
    };
    f.render_widget(Paragraph::new(lines), list);
}

/// Every action matching what was typed, best first: names scored fuzzily (ties keep the
/// order of `Action::ALL`), then actions whose description contains the text.
pub fn matches(typed: &str) -> Vec<Action> {
    let typed = typed.trim();
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut score =
        |pattern: &Pattern, text: &str| pattern.score(Utf32Str::new(text, &mut buf), &mut matcher);
    let fuzzy = Pattern::new(
        typed,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let substring = Pattern::new(
        typed,
        CaseMatching::Ignore,
        Normalization::Smart,
        AtomKind::Substring,
    );
    let mut by_name = Vec::new();
    let mut by_description = Vec::new();
    // Every action outside dialogs: the global ones and the panes'.
    for a in Action::ALL.iter().copied().filter(|a| {
        a.contexts()
            .iter()
            .any(|c| *c == Context::Global || c.is_pane())
    }) {
        if let Some(s) = score(&fuzzy, a.name()) {
            by_name.push((s, a));
        } else if let Some(s) = score(&substring, a.description()) {
            by_description.push((s, a));
        }
    }
    by_name.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    by_description.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    by_name
        .into_iter()
        .chain(by_description)
        .map(|(_, a)| a)
        .collect()
}

/// The palette: what was typed and the entry selected.
#[derive(Debug, Clone, Default)]
pub struct Palette {
    pub input: Input,
    pub selected: usize,
}

impl crate::tui::dialog::Dialog for Palette {
    fn name(&self) -> &'static str {
        "command palette"
    }

    fn typed(&self) -> bool {
        !self.input.value().is_empty()
    }

    fn key(
        &mut self,
        app: &mut App,
        k: crossterm::event::KeyEvent,
        fx: &mut Vec<crate::tui::effect::Effect>,
    ) -> bool {
        use tui_input::backend::crossterm::EventHandler;
        let matches = palette_for(app.read_only, self.input.value());
        // What is typed is the command's name: a character is text, even one bound.
        let act = match crate::tui::edit::typed_char(&k) {
            Some(_) => None,
            None => app.keymap.action_in(Context::Palette, &k),
        };
        match act {
            Some(Action::Back) => return false,
            Some(Action::ItemUp) => self.selected = self.selected.saturating_sub(1),
            Some(Action::ItemDown) => {
                self.selected = (self.selected + 1).min(matches.len().saturating_sub(1));
            }
            Some(Action::Complete) => {
                if let Some(a) = matches.get(self.selected) {
                    self.input = Input::new(a.name().to_string());
                    self.selected = 0;
                }
            }
            Some(Action::Confirm) if self.input.value().trim().is_empty() => return false,
            Some(Action::Confirm) => {
                let chosen = matches
                    .get(self.selected.min(matches.len().saturating_sub(1)))
                    .copied();
                let typed = crate::domain::sanitize::for_display(self.input.value()).into_owned();
                match chosen {
                    Some(a) => app.on_action(a, fx),
                    None => app.status.notice = Some(format!("no command matches '{typed}'")),
                }
                return false;
            }
            _ => {
                self.input.handle_event(&crossterm::event::Event::Key(k));
                self.selected = 0;
            }
        }
        true
    }

    fn draw(&self, f: &mut Frame, app: &App) {
        draw(f, app, &self.input, self.selected)
    }
}
