//! Profile image dialog: set from a file or remove, the file's path, what the check
//! found; confirm; result.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::dialogs::{box_height, draw_box, submit_lines};
use crate::tui::edit::Phase;
use crate::tui::edit::image::{Field, ImageDialog, MAX_BYTES, size_words};
use crate::tui::view::{centered, safe};

/// The dialog's width at most (borders included).
const WIDTH: u16 = 74;
/// The column field values start at.
const LABEL_COLS: u16 = 11;

pub fn draw(f: &mut Frame, app: &App, d: &ImageDialog) {
    let t = &app.theme;
    let editing = d.submit.phase == Phase::Editing;
    let label =
        |field: Field, text: &str| super::field_label(app, editing && d.field == field, text, 9);
    let mut lines = Vec::new();
    let mut cursor = None;
    if let Phase::Done(summary) = &d.submit.phase {
        let said = match (&d.checked, d.remove) {
            (_, true) => "✓ Profile image removed".to_string(),
            (Some(c), false) => format!("✓ Profile image set: {}", c.describe()),
            (None, false) => "✓ Profile image set".to_string(),
        };
        lines.push(Line::from(Span::styled(said, t.ok)));
        lines.push(Line::from(Span::styled(format!("  {summary}"), t.muted)));
    } else {
        let radio = |on: bool, text: &str| {
            Span::styled(
                format!("({}) {text}  ", if on { "•" } else { " " }),
                if on { t.accent } else { t.base },
            )
        };
        lines.push(Line::from(vec![
            label(Field::Action, "Action"),
            radio(!d.remove, "set from a file"),
            radio(d.remove, "remove"),
        ]));
        if d.remove {
            lines.push(Line::from(vec![
                label(Field::Path, "File"),
                Span::styled("(not used)", t.muted),
            ]));
        } else {
            let inner = f.area().width.min(WIDTH).saturating_sub(2);
            let width = inner.saturating_sub(LABEL_COLS + 1).max(1) as usize;
            let scroll = d.path.visual_scroll(width);
            let shown: String = safe(d.path.value())
                .chars()
                .skip(scroll)
                .take(width)
                .collect();
            if editing && d.field == Field::Path {
                cursor = Some((
                    lines.len() as u16,
                    LABEL_COLS + (d.path.visual_cursor() - scroll) as u16,
                ));
            }
            lines.push(Line::from(vec![
                label(Field::Path, "File"),
                Span::raw(shown),
            ]));
            lines.push(Line::from(Span::styled(
                match &d.checked {
                    Some(c) => format!("           {}", c.describe()),
                    None => format!(
                        "           PNG, JPEG or GIF, at most {}",
                        size_words(MAX_BYTES as u64)
                    ),
                },
                if d.checked.is_some() { t.ok } else { t.muted },
            )));
        }
    }
    let question = match &d.checked {
        _ if d.remove => format!("Remove {}'s profile image?", d.name),
        Some(c) => format!("Set {}'s profile image to this {}?", d.name, c.describe()),
        None => String::new(),
    };
    let hint = if d.remove {
        "←/→ set or remove · enter continue · esc cancel"
    } else if d.field == Field::Action {
        "←/→ set or remove · tab the file · enter check the file · esc cancel"
    } else {
        "type or paste the path · tab set/remove · enter check it · esc cancel"
    };
    submit_lines(app, &d.submit, &question, hint, &mut lines);
    let area = centered(f.area(), WIDTH, box_height(&lines, WIDTH));
    draw_box(
        f,
        app,
        area,
        format!(" Profile image · {} ", d.name),
        t.accent,
        lines,
        cursor,
    );
}
