//! The profile image: which graphics the terminal has, asked once at start, and the
//! customer's image made ready to draw with `ratatui-image`.
//!
//! The terminal is asked, never taken on trust from the environment (which can only
//! rule a protocol out, for Konsole): a kitty graphics query, XTVERSION (the
//! terminal's name: iTerm2 and WezTerm take iTerm2's images), the cell size in pixels
//! and, last, device attributes (sixel is attribute 4), which every terminal answers,
//! so one that knows none of the rest ends the wait early. A terminal that does not
//! answer within the timeout, or answers without a cell size, gets Unicode
//! half-blocks, which are plain characters with colours: no image protocol byte is
//! ever sent to a terminal that did not say it understands it.
//!
//! Written beside `ratatui-image` rather than with its `Picker`: the picker also picks
//! iTerm2 from environment variables (`TERM_PROGRAM=vscode` among them, where images
//! are off by default; ssh and tmux carry them stale), and inside tmux runs
//! `tmux set -p allow-passthrough on` on the agent's pane. Inside tmux this asks tmux
//! itself, which answers for sixel where it draws sixel and for nothing else.

use std::hash::{Hash, Hasher};
use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use ratatui::layout::Size;
use ratatui_image::protocol::Protocol;
use ratatui_image::protocol::halfblocks::Halfblocks;
use ratatui_image::protocol::iterm2::Iterm2;
use ratatui_image::protocol::kitty::Kitty;
use ratatui_image::protocol::sixel::Sixel;
use ratatui_image::{FilterType, FontSize, Resize};

use crate::api::wire::citi::StoredImage;
use crate::tui::term::device_attributes;

/// How long the start waits for the terminal's answers.
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(200);

/// The largest box the image is drawn in, in cells (about square in most fonts).
pub const BOX: Size = Size::new(20, 10);

/// The most pixels a side of a decoded image may have: a 512 KiB file can still
/// promise a huge picture.
const MAX_SIDE: u32 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `▀` and `▄` with two colours a cell: works everywhere.
    Halfblocks,
    Kitty,
    Sixel,
    Iterm2,
}

/// How the console draws images: the protocol and the cell size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Graphics {
    pub kind: Kind,
    /// A cell's width and height in pixels (a nominal 10×20 for half-blocks).
    pub cell: (u16, u16),
}

impl Graphics {
    pub const fn halfblocks() -> Graphics {
        Graphics {
            kind: Kind::Halfblocks,
            cell: (10, 20),
        }
    }

    /// What the terminal's answers (`got`) say it can draw. Konsole answers for kitty
    /// and sixel but draws neither well (`ratatui-image`'s own finding): `konsole`
    /// (its `KONSOLE_VERSION` set) takes half-blocks.
    pub fn from_answers(got: &[u8], konsole: bool) -> Graphics {
        let Some(cell) = cell_size(got) else {
            // Without the cell size no image can be sized to its cells.
            return Graphics::halfblocks();
        };
        let name = xtversion(got).unwrap_or_default();
        // iTerm2 and WezTerm draw iTerm2's images best; WezTerm answers kitty's query
        // but draws none of the placeholder cells `ratatui-image` places kitty images
        // with, and iTerm2 may also say sixel.
        let kind = if name.starts_with("iTerm2") || name.starts_with("WezTerm") {
            Kind::Iterm2
        } else if kitty_ok(got) && !konsole {
            Kind::Kitty
        } else if sixel_attribute(got) && !konsole {
            Kind::Sixel
        } else {
            return Graphics::halfblocks();
        };
        Graphics { kind, cell }
    }

    /// The customer's stored image, decoded and encoded for this terminal to fit
    /// `cells`. Slow (decoding and scaling): run it off the event loop.
    pub fn picture(&self, stored: &StoredImage, cells: Size) -> Result<Picture, String> {
        let format = match stored.image_type.as_str() {
            "image/png" => ImageFormat::Png,
            "image/jpeg" => ImageFormat::Jpeg,
            "image/gif" => ImageFormat::Gif,
            _ => return Err("the profile image is of a kind this console cannot show".into()),
        };
        let bytes = B64
            .decode(stored.image.as_bytes())
            .map_err(|_| "the profile image could not be read (not base64)".to_string())?;
        let mut reader = ImageReader::with_format(Cursor::new(&bytes), format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(64 * 1024 * 1024);
        reader.limits(limits);
        let img = reader.decode().map_err(|_| {
            "the profile image could not be read (damaged or too large)".to_string()
        })?;
        let mut digest = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut digest);
        self.encode(img, cells, digest.finish())
    }

    fn encode(&self, img: DynamicImage, cells: Size, digest: u64) -> Result<Picture, String> {
        let font = FontSize::new(self.cell.0.max(1), self.cell.1.max(1));
        // Scaled (up or down) to fit the box, keeping its proportions; nearest
        // neighbour, so a small picture keeps its edges.
        let resize = Resize::Scale(Some(FilterType::Nearest));
        let size = resize.size_for(&img, font, cells);
        if size.width == 0 || size.height == 0 {
            return Err("the profile image is empty".into());
        }
        let img = resize.resize(&img, font, size, None);
        let failed = |e: ratatui_image::errors::Errors| format!("the profile image: {e}");
        let protocol = match self.kind {
            Kind::Halfblocks => Protocol::Halfblocks(Halfblocks::new(img, size).map_err(failed)?),
            Kind::Kitty => {
                static NEXT_ID: AtomicU32 = AtomicU32::new(0x0063_6400);
                let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
                Protocol::Kitty(Kitty::new(img, size, id, false, false, false).map_err(failed)?)
            }
            Kind::Sixel => Protocol::Sixel(Sixel::new(img, size, false).map_err(failed)?),
            Kind::Iterm2 => Protocol::ITerm2(Iterm2::new(img, size, false).map_err(failed)?),
        };
        Ok(Picture {
            protocol: Arc::new(protocol),
            size,
            kind: self.kind,
            digest,
        })
    }
}

/// Standard base64, padding optional (as the sandbox takes it).
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A customer's image, ready to draw: encoded once, off the event loop.
#[derive(Clone)]
pub struct Picture {
    protocol: Arc<Protocol>,
    /// The cells it takes.
    pub size: Size,
    pub kind: Kind,
    /// Of the image's bytes, so two loads of one image are equal.
    digest: u64,
}

impl Picture {
    pub fn widget(&self) -> ratatui_image::Image<'_> {
        ratatui_image::Image::new(&self.protocol)
    }
}

impl PartialEq for Picture {
    fn eq(&self, other: &Self) -> bool {
        (self.digest, self.size, self.kind) == (other.digest, other.size, other.kind)
    }
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Picture")
            .field("kind", &self.kind)
            .field("size", &(self.size.width, self.size.height))
            .finish()
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

/// Whether the graphics query is to be sent at start: images are on (`image = true`,
/// the default) and the terminal can be asked (see [`may_ask`]).
pub fn asks(enabled: bool) -> bool {
    enabled && may_ask(&env("TERM"))
}

/// The Linux console prints what it does not know; `dumb` knows nothing.
fn may_ask(term: &str) -> bool {
    !(term.is_empty() || term == "dumb" || term == "linux")
}

/// What the console draws images with: nothing when `enabled` is false (`image =
/// false` in config.toml), else what the terminal `answers` to [`QUERY`] say (asked at
/// start with the other questions, see [`crate::tui::term::ask_at_start`]).
pub fn at_start(enabled: bool, answers: &[u8]) -> Option<Graphics> {
    choose(
        enabled,
        &env("TERM"),
        !env("NO_COLOR").is_empty(),
        !env("KONSOLE_VERSION").is_empty(),
        || answers.to_vec(),
    )
}

/// [`at_start`] given the environment; `ask` queries the terminal.
fn choose(
    enabled: bool,
    term: &str,
    no_color: bool,
    konsole: bool,
    ask: impl FnOnce() -> Vec<u8>,
) -> Option<Graphics> {
    if !enabled {
        return None;
    }
    let g = if !may_ask(term) {
        Graphics::halfblocks()
    } else {
        Graphics::from_answers(&ask(), konsole)
    };
    // Half-blocks are nothing but coloured cells: with NO_COLOR there is no picture.
    (!(no_color && g.kind == Kind::Halfblocks)).then_some(g)
}

/// Kitty graphics query, XTVERSION and cell size (the device attributes query that
/// ends every start-up question is added once, after all of them).
pub const QUERY: &[u8] = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\\x1b[>q\x1b[16t";

fn sixel_attribute(got: &[u8]) -> bool {
    device_attributes(got).is_some_and(|ps| ps.contains(&&b"4"[..]))
}

/// The kitty graphics answer to image 31: `ESC _ G i=31 ; OK ESC \`.
fn kitty_ok(got: &[u8]) -> bool {
    got.windows(12).any(|w| w == b"\x1b_Gi=31;OK\x1b\\")
}

/// The cell size answer, `ESC [ 6 ; height ; width t`.
fn cell_size(got: &[u8]) -> Option<(u16, u16)> {
    let at = got.windows(4).position(|w| w == b"\x1b[6;")? + 4;
    let rest = &got[at..];
    let end = rest.iter().position(|b| *b == b't')?;
    let text = std::str::from_utf8(&rest[..end]).ok()?;
    let (h, w) = text.split_once(';')?;
    let (h, w) = (h.parse::<u16>().ok()?, w.parse::<u16>().ok()?);
    (h > 0 && w > 0).then_some((w, h))
}

/// The terminal's name and version from XTVERSION, `ESC P > | text ESC \`.
fn xtversion(got: &[u8]) -> Option<String> {
    let at = got.windows(4).position(|w| w == b"\x1bP>|")? + 4;
    let rest = &got[at..];
    let end = rest.windows(2).position(|w| w == b"\x1b\\")?;
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DA_PLAIN: &[u8] = b"\x1b[?62;22c";

    #[test]
    fn no_answer_or_no_cell_size_is_halfblocks() {
        assert_eq!(Graphics::from_answers(b"", false), Graphics::halfblocks());
        // Sixel and kitty said, but no cell size: nothing can be sized.
        let got = b"\x1b_Gi=31;OK\x1b\\\x1b[?62;4;22c";
        assert_eq!(Graphics::from_answers(got, false), Graphics::halfblocks());
        // A cell size and nothing else: half-blocks.
        let got = [&b"\x1b[6;20;10t"[..], DA_PLAIN].concat();
        assert_eq!(Graphics::from_answers(&got, false), Graphics::halfblocks());
    }

    #[test]
    fn each_protocol_is_taken_only_when_the_terminal_says_so() {
        let kitty = b"\x1b_Gi=31;OK\x1b\\\x1bP>|kitty(0.35.2)\x1b\\\x1b[6;18;9t\x1b[?62;22c";
        assert_eq!(
            Graphics::from_answers(kitty, false),
            Graphics {
                kind: Kind::Kitty,
                cell: (9, 18)
            }
        );
        let sixel = b"\x1bP>|XTerm(390)\x1b\\\x1b[6;16;8t\x1b[?63;1;2;4;6;9;15;22c";
        assert_eq!(Graphics::from_answers(sixel, false).kind, Kind::Sixel);
        let iterm = b"\x1bP>|iTerm2 3.5.4\x1b\\\x1b[6;32;14t\x1b[?62;22c";
        assert_eq!(Graphics::from_answers(iterm, false).kind, Kind::Iterm2);
        // A kitty refusal is not support; `4` must be a whole attribute.
        let refused = b"\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\\x1b[6;16;8t\x1b[?64;42c";
        assert_eq!(
            Graphics::from_answers(refused, false).kind,
            Kind::Halfblocks
        );
        // WezTerm says kitty, and is given iTerm2's; iTerm2 says sixel too.
        let wezterm =
            b"\x1b_Gi=31;OK\x1b\\\x1bP>|WezTerm 20240203\x1b\\\x1b[6;17;8t\x1b[?65;4;6;18;22c";
        assert_eq!(Graphics::from_answers(wezterm, false).kind, Kind::Iterm2);
        let iterm_sixel = b"\x1bP>|iTerm2 3.5.4\x1b\\\x1b[6;32;14t\x1b[?62;4c";
        assert_eq!(
            Graphics::from_answers(iterm_sixel, false).kind,
            Kind::Iterm2
        );
        // Konsole's answers for kitty and sixel are not taken.
        assert_eq!(Graphics::from_answers(kitty, true).kind, Kind::Halfblocks);
        assert_eq!(Graphics::from_answers(sixel, true).kind, Kind::Halfblocks);
    }

    #[test]
    fn the_terminal_is_asked_only_when_images_are_on_and_it_can_be() {
        let kitty = || b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[?62;22c".to_vec();
        let never = || -> Vec<u8> { panic!("asked") };
        assert_eq!(choose(false, "xterm-kitty", false, false, never), None);
        let half = Some(Graphics::halfblocks());
        assert_eq!(choose(true, "linux", false, false, never), half);
        assert_eq!(choose(true, "", false, false, never), half);
        assert_eq!(choose(true, "xterm", false, false, Vec::new), half);
        let got = choose(true, "xterm-kitty", false, false, kitty);
        assert_eq!(got.map(|g| g.kind), Some(Kind::Kitty));
        // NO_COLOR: no coloured cells, but a terminal's own picture still.
        assert_eq!(choose(true, "xterm", true, false, Vec::new), None);
        let got = choose(true, "xterm-kitty", true, false, kitty);
        assert_eq!(got.map(|g| g.kind), Some(Kind::Kitty));
    }

    #[test]
    fn a_halfblock_picture_fits_its_box() {
        let img =
            image::RgbImage::from_fn(40, 20, |x, y| image::Rgb([x as u8 * 6, y as u8 * 12, 90]));
        let p = Graphics::halfblocks()
            .encode(img.into(), BOX, 1)
            .expect("encoded");
        // Twice as wide as tall, at two pixels a cell row: the whole box width.
        assert_eq!((p.size.width, p.size.height), (20, 5));
        let stored = StoredImage {
            image_type: "image/png".into(),
            image: "not base64!".into(),
            last_updated: String::new(),
        };
        let e = Graphics::halfblocks().picture(&stored, BOX).unwrap_err();
        assert!(e.contains("could not be read"), "{e}");
    }
}
