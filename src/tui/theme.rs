//! Themes are TOML files in `themes/` (built in), or in the config directory's
//! `themes/` folder. `NO_COLOR` turns every colour off; meaning is never carried by
//! colour alone (errors say "Error", the selection has a marker).

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

pub const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("16-color", include_str!("../../themes/16-color.toml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    fg: String,
    bg: String,
    accent: String,
    muted: String,
    border: String,
    selection_fg: String,
    selection_bg: String,
    selection_reverse: bool,
    error: String,
    warning: String,
    ok: String,
    banner_fg: String,
    banner_bg: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub base: Style,
    pub accent: Style,
    pub muted: Style,
    pub border: Style,
    pub selection: Style,
    pub error: Style,
    pub warning: Style,
    pub ok: Style,
    pub banner: Style,
    pub title: Style,
}

fn color(field: &str, s: &str) -> Result<Color, String> {
    s.parse::<Color>().map_err(|_| format!("theme: {field} = '{s}' is not a colour (use a name like red, #rrggbb or an index 0-255)"))
}

impl Theme {
    pub fn parse(text: &str, no_color: bool) -> Result<Theme, String> {
        let f: ThemeFile = toml::from_str(text).map_err(|e| format!("theme: {e}"))?;
        let c = |field: &str, v: &str| {
            if no_color {
                Ok(Color::Reset)
            } else {
                color(field, v)
            }
        };
        let fg = c("fg", &f.fg)?;
        let bg = c("bg", &f.bg)?;
        let base = Style::new().fg(fg).bg(bg);
        let mut selection = Style::new()
            .fg(c("selection_fg", &f.selection_fg)?)
            .bg(c("selection_bg", &f.selection_bg)?)
            .add_modifier(Modifier::BOLD);
        if f.selection_reverse || no_color {
            selection = selection.add_modifier(Modifier::REVERSED);
        }
        Ok(Theme {
            name: f.name,
            base,
            accent: Style::new()
                .fg(c("accent", &f.accent)?)
                .add_modifier(Modifier::BOLD),
            muted: Style::new().fg(c("muted", &f.muted)?),
            border: Style::new().fg(c("border", &f.border)?),
            selection,
            error: Style::new()
                .fg(c("error", &f.error)?)
                .add_modifier(Modifier::BOLD),
            warning: Style::new().fg(c("warning", &f.warning)?),
            ok: Style::new().fg(c("ok", &f.ok)?),
            banner: Style::new()
                .fg(c("banner_fg", &f.banner_fg)?)
                .bg(c("banner_bg", &f.banner_bg)?)
                .add_modifier(if no_color {
                    Modifier::REVERSED
                } else {
                    Modifier::BOLD
                }),
            title: Style::new().add_modifier(Modifier::BOLD),
        })
    }

    /// A built-in theme by name, or a file `<config>/themes/<name>.toml`.
    pub fn load(
        name: &str,
        config_dir: Option<&std::path::Path>,
        no_color: bool,
    ) -> Result<Theme, String> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(n, _)| *n == name) {
            return Theme::parse(text, no_color);
        }
        let path = config_dir.map(|d| d.join("themes").join(format!("{name}.toml")));
        match path.as_ref().map(std::fs::read_to_string) {
            Some(Ok(text)) => Theme::parse(&text, no_color),
            _ => Err(format!(
                "theme '{name}' not found: built-in themes are {}",
                BUILT_IN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    pub fn built_in(name: &str) -> Theme {
        Theme::load(name, None, false)
            .unwrap_or_else(|_| Theme::parse(BUILT_IN[0].1, false).expect("default theme parses"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn every_built_in_parses_and_no_color_strips() {
        for (name, text) in BUILT_IN {
            let t = Theme::parse(text, false).unwrap();
            assert_eq!(&t.name, name);
            let plain = Theme::parse(text, true).unwrap();
            assert_eq!(plain.error.fg, Some(Color::Reset));
        }
        assert!(Theme::parse("name = 1", false).is_err());
        assert!(
            Theme::load("nope", None, false)
                .unwrap_err()
                .contains("high-contrast")
        );
    }
}
