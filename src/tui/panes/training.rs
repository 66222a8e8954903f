//! The training notice: in the embedded sandbox's banner row, while the contact dialog
//! waits for a passcode, what the customer's phone received (see `tui::training`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::training::Phone;
use crate::tui::view::safe;

/// The notice's words, when there is one to show.
pub fn notice(app: &App) -> Option<String> {
    let text = match app.training_phone()? {
        // A read on loopback: the banner stays until it answers.
        Phone::Reading => return None,
        Phone::Got {
            otp: Some(otp),
            text,
        } => format!(
            "the customer's phone received: {}  (SMS: {})",
            safe(otp),
            safe(text)
        ),
        Phone::Got { otp: None, text } => {
            format!("the customer's phone received: {}", safe(text))
        }
        Phone::Nothing => "the sandbox's outbox holds no passcode for this change".into(),
        Phone::Failed(e) => format!("the sandbox's outbox could not be read: {}", safe(e)),
    };
    Some(format!(" Training sandbox · {text} "))
}

/// Draw the notice over the banner row; false when there is none (the banner shows).
pub fn draw(f: &mut Frame, app: &App, area: Rect) -> bool {
    let Some(text) = notice(app) else {
        return false;
    };
    let style = app.theme.banner.add_modifier(Modifier::BOLD);
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(text, style))).style(app.theme.banner),
        area,
    );
    true
}
