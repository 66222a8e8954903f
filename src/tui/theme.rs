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

/// `default` on a light background: darker warning, error and ok.
const DEFAULT_LIGHT: &str = include_str!("../../themes/default-light.toml");

/// WCAG relative luminance of an sRGB colour, components from 0 to 1.
pub fn luminance(rgb: [f64; 3]) -> f64 {
    let lin = |c: f64| {
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
}

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

    /// The `default` theme for a light terminal background.
    pub fn default_light(no_color: bool) -> Theme {
        Theme::parse(DEFAULT_LIGHT, no_color).expect("default-light theme parses")
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

    /// An sRGB colour for a theme colour: the xterm palette for the 16 named colours
    /// and the 256-colour cube and greys; `reset` is the background it is drawn on.
    fn rgb(c: Color, background: [u8; 3]) -> [u8; 3] {
        const ANSI: [[u8; 3]; 16] = [
            [0, 0, 0],
            [0xcd, 0, 0],
            [0, 0xcd, 0],
            [0xcd, 0xcd, 0],
            [0, 0, 0xee],
            [0xcd, 0, 0xcd],
            [0, 0xcd, 0xcd],
            [0xe5, 0xe5, 0xe5],
            [0x7f, 0x7f, 0x7f],
            [0xff, 0, 0],
            [0, 0xff, 0],
            [0xff, 0xff, 0],
            [0x5c, 0x5c, 0xff],
            [0xff, 0, 0xff],
            [0, 0xff, 0xff],
            [0xff, 0xff, 0xff],
        ];
        let index = |n: u8| -> [u8; 3] {
            match n {
                0..=15 => ANSI[n as usize],
                16..=231 => {
                    let step = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                    let n = n - 16;
                    [step(n / 36), step(n / 6 % 6), step(n % 6)]
                }
                _ => [8 + 10 * (n - 232); 3],
            }
        };
        match c {
            Color::Reset => background,
            Color::Rgb(r, g, b) => [r, g, b],
            Color::Indexed(n) => index(n),
            Color::Black => ANSI[0],
            Color::Red => ANSI[1],
            Color::Green => ANSI[2],
            Color::Yellow => ANSI[3],
            Color::Blue => ANSI[4],
            Color::Magenta => ANSI[5],
            Color::Cyan => ANSI[6],
            Color::Gray => ANSI[7],
            Color::DarkGray => ANSI[8],
            Color::LightRed => ANSI[9],
            Color::LightGreen => ANSI[10],
            Color::LightYellow => ANSI[11],
            Color::LightBlue => ANSI[12],
            Color::LightMagenta => ANSI[13],
            Color::LightCyan => ANSI[14],
            Color::White => ANSI[15],
        }
    }

    fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
        let l = |c: [u8; 3]| luminance(c.map(|v| f64::from(v) / 255.0));
        let (x, y) = (l(a), l(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn every_theme_warning_and_error_reach_4_5_to_1_on_its_background() {
        // The default theme draws on the terminal's own background: its dark variant
        // is checked on black, its light one on white.
        let mut cases: Vec<(&str, &str, [u8; 3])> = BUILT_IN
            .iter()
            .map(|(name, text)| (*name, *text, [0, 0, 0]))
            .collect();
        cases.push(("default (light)", DEFAULT_LIGHT, [0xff, 0xff, 0xff]));
        let mut low = Vec::new();
        for (name, text, terminal_bg) in cases {
            let t = Theme::parse(text, false).unwrap();
            let bg = rgb(t.base.bg.unwrap(), terminal_bg);
            for (what, style) in [("warning", t.warning), ("error", t.error)] {
                let ratio = contrast(rgb(style.fg.unwrap(), terminal_bg), bg);
                if ratio < 4.5 {
                    low.push(format!("{name}: {what} {ratio:.2}:1"));
                }
            }
        }
        assert!(low.is_empty(), "below 4.5:1: {low:?}");
        // The check itself: yellow on white, as the issue measured it, is far below.
        assert!(contrast(rgb(Color::Yellow, [0; 3]), [0xff; 3]) < 2.0);
    }
}
