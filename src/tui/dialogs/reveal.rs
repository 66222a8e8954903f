//! Reveal dialog: showing a masked field asks for a reason, which goes to the audit log.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use tui_input::Input;

use crate::tui::app::{App, FieldRef, REVEAL_FOR};
use crate::tui::view::{centered, safe};

pub fn draw(f: &mut Frame, app: &App, field: &FieldRef, reason: &Input, error: Option<&str>) {
    let t = &app.theme;
    let area = centered(f.area(), 60, 9);
    f.render_widget(Clear, area);
    let mut lines = vec![
        Line::from(format!(
            "Reveal the {} for {} seconds?",
            safe(&field.label),
            REVEAL_FOR.as_secs()
        )),
        Line::from(Span::styled(
            "The reason is written to the audit log with your name.",
            t.muted,
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled("Reason: ", t.accent),
            Span::raw(safe(reason.value())),
        ]),
    ];
    if let Some(e) = error {
        lines.push(Line::from(Span::styled(format!("✗ {e}"), t.error)));
    }
    lines.push(Line::from(Span::styled(
        "enter reveal · esc cancel",
        t.muted,
    )));
    let block = Block::new()
        .borders(Borders::ALL)
        .title(" Reveal ")
        .border_style(t.warning)
        .style(t.base);
    let inner = block.inner(area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
    if inner.height > 3 {
        f.set_cursor_position((inner.x + 8 + reason.visual_cursor() as u16, inner.y + 3));
    }
}

/// Revealing `field`: the reason typed so far and what is wrong with it.
#[derive(Debug, Clone)]
pub struct Reveal {
    pub field: FieldRef,
    pub reason: Input,
    pub error: Option<String>,
}

impl Reveal {
    pub fn new(field: FieldRef) -> Reveal {
        Reveal {
            field,
            reason: Input::default(),
            error: None,
        }
    }
}

impl crate::tui::dialog::Dialog for Reveal {
    fn name(&self) -> &'static str {
        "reveal dialog"
    }

    fn typed(&self) -> bool {
        !self.reason.value().is_empty()
    }

    fn paste(&mut self, _app: &mut App, text: &str, _fx: &mut Vec<crate::tui::effect::Effect>) {
        crate::tui::app::paste_into(&mut self.reason, text);
    }

    fn key(
        &mut self,
        app: &mut App,
        k: crossterm::event::KeyEvent,
        fx: &mut Vec<crate::tui::effect::Effect>,
    ) -> bool {
        use crate::tui::keymap::{Action, Context};
        use tui_input::backend::crossterm::EventHandler;
        // The reason is text: a character typed is text, even one bound to an action.
        let act = match crate::tui::edit::typed_char(&k) {
            Some(_) => None,
            None => app.keymap.action_in(Context::Reveal, &k),
        };
        match act {
            Some(Action::Back) => return false,
            Some(Action::Confirm) => {
                let why = self.reason.value().trim().to_string();
                if why.chars().count() < 4 {
                    self.error = Some(
                        "Give a reason of at least 4 characters (it goes to the audit log)".into(),
                    );
                } else {
                    let field = self.field.clone();
                    fx.push(crate::tui::effect::Effect::Audit {
                        customer: field.customer.clone(),
                        action: "reveal".into(),
                        detail: format!("{} (reason: {})", field.label, why),
                    });
                    app.status.notice = Some(format!(
                        "{} revealed for {} s",
                        field.label,
                        REVEAL_FOR.as_secs()
                    ));
                    app.reveals.push((field, app.clock.now() + REVEAL_FOR));
                    return false;
                }
            }
            _ => {
                self.reason.handle_event(&crossterm::event::Event::Key(k));
                self.error = None;
            }
        }
        true
    }

    fn draw(&self, f: &mut Frame, app: &App) {
        draw(f, app, &self.field, &self.reason, self.error.as_deref())
    }
}
