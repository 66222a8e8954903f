//! Set the customer's profile image from a file (Citi `PUT
//! /v1/customers/profile/images`), or remove it (`DELETE`). The caller must be
//! verified: the picture is part of the customer's profile.
//!
//! The file is checked on this machine before anything is sent: it exists and is a
//! readable file, it is within the bank's limit ([`MAX_BYTES`]), and its first bytes
//! say PNG, JPEG or GIF (the image type sent is the one the bytes say, never the
//! file's name), and its header reads as that format. What was checked is what is
//! sent: the bytes are read once, at the check. The audit log says the type, size and
//! dimensions, never the file's contents or its path.

use std::io::{Cursor, Read};

use base64::Engine as _;
use crossterm::event::KeyEvent;
use tui_input::backend::crossterm::EventHandler;
use tui_input::{Input, InputRequest};

use super::{Failure, Phase, Submit, SubmitKey, typed_char};
use crate::api::ErrorKind;
use crate::api::wire::citi;
use crate::tui::app::{App, Overlay};
use crate::tui::effect::{AuditNote, CustomerRead, Effect, WriteOp};
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::{Msg, WriteError};
use crate::tui::view::safe;

/// The largest image the bank takes, in bytes (Citi's limit, 512 KiB decoded).
pub const MAX_BYTES: usize = crate::sandbox::routes::citi::MAX_IMAGE;

/// The dialog's fields, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    /// Set from a file, or remove.
    Action,
    /// The file's path.
    #[default]
    Path,
}

/// A file that passed the check: what will be sent, and how it is described.
#[derive(Clone, PartialEq)]
pub struct Checked {
    /// `image/png`, `image/jpeg` or `image/gif`, from the file's first bytes.
    pub mime: &'static str,
    pub bytes: usize,
    pub width: u32,
    pub height: u32,
    /// The body sent (the bytes in base64).
    pub image: citi::ProfileImage,
}

/// Never the image itself: a debug print of the dialog stays short.
impl std::fmt::Debug for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Checked({})", self.describe())
    }
}

impl Checked {
    /// `image/png 20×20, 1.2 KiB`: what the audit log and the dialog say of it.
    pub fn describe(&self) -> String {
        format!(
            "{} {}×{}, {}",
            self.mime,
            self.width,
            self.height,
            size_words(self.bytes as u64)
        )
    }
}

/// `812 bytes`, `12.3 KiB`, `512 KiB`, `1.4 MiB`.
pub fn size_words(n: u64) -> String {
    let (v, unit) = match n {
        0..1024 => return format!("{n} bytes"),
        1024..1_048_576 => (n as f64 / 1024.0, "KiB"),
        _ => (n as f64 / 1_048_576.0, "MiB"),
    };
    let v = format!("{v:.1}");
    format!("{} {unit}", v.strip_suffix(".0").unwrap_or(&v))
}

/// The path as typed or pasted: trimmed, quotes a file manager's drag adds taken
/// off, `~/` as the home folder, a `file://` URL as its path (`%20` a space), and a
/// shell-escaped drag (`a\ b.png`) as the file it names when no file has the
/// backslashes in its name.
pub fn typed_path(typed: &str) -> std::path::PathBuf {
    let mut p = typed.trim();
    for q in ['\'', '"'] {
        if p.len() >= 2 && p.starts_with(q) && p.ends_with(q) {
            p = &p[1..p.len() - 1];
        }
    }
    if let Some(rest) = p.strip_prefix("file://") {
        let rest = rest.strip_prefix("localhost").unwrap_or(rest);
        if rest.starts_with('/') {
            let decoded = percent_encoding::percent_decode_str(rest).decode_utf8_lossy();
            return std::path::PathBuf::from(decoded.into_owned());
        }
    }
    let path = match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest),
        _ => p.into(),
    };
    match unescaped(&path.to_string_lossy()) {
        Some(plain) if !path.exists() => plain.into(),
        _ => path,
    }
}

/// `a\ b.png` as `a b.png`: a backslash before a character that is not a letter or
/// digit taken off, as a shell would; `None` when there is none.
fn unescaped(p: &str) -> Option<String> {
    let mut out = String::with_capacity(p.len());
    let mut chars = p.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(next) if c == '\\' && !next.is_alphanumeric() => {
                any = true;
                out.push(*next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    any.then_some(out)
}

/// Check the file at `typed` before anything is sent; the refusal in plain words,
/// naming the path as typed.
pub fn check_file(typed: &str) -> Result<Checked, String> {
    if typed.trim().is_empty() {
        return Err("Type the path of a PNG, JPEG or GIF file".into());
    }
    let path = typed_path(typed);
    let shown = safe(typed.trim());
    let unreadable = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => format!("There is no file at {shown}"),
        std::io::ErrorKind::PermissionDenied => {
            format!("{shown} cannot be read: permission denied")
        }
        _ => format!("{shown} cannot be read ({e})"),
    };
    let meta = std::fs::metadata(&path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(format!(
            "{shown} is a folder; type the path of an image file in it"
        ));
    }
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file"));
    }
    let limit = size_words(MAX_BYTES as u64);
    let too_large = |n: u64| {
        format!(
            "{shown} is {}; the bank takes images up to {limit}",
            size_words(n)
        )
    };
    if meta.len() > MAX_BYTES as u64 {
        return Err(too_large(meta.len()));
    }
    if meta.len() == 0 {
        return Err(format!("{shown} is empty"));
    }
    // No more than the limit and a byte, however the file changed since.
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() > MAX_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let format = image::guess_format(&bytes)
        .map_err(|_| format!("{shown} is not a PNG, JPEG or GIF image"))?;
    let mime = match format {
        image::ImageFormat::Png => "image/png",
        image::ImageFormat::Jpeg => "image/jpeg",
        image::ImageFormat::Gif => "image/gif",
        other => {
            let name = other
                .extensions_str()
                .first()
                .map(|e| e.to_uppercase())
                .unwrap_or_else(|| format!("{other:?}"));
            return Err(format!(
                "{shown} is a {name} image; the bank takes PNG, JPEG or GIF"
            ));
        }
    };
    let kind = mime.trim_start_matches("image/").to_uppercase();
    let (width, height) = image::ImageReader::with_format(Cursor::new(&bytes), format)
        .into_dimensions()
        .map_err(|_| {
            format!("{shown} starts like a {kind} image but cannot be read as one (damaged or cut short)")
        })?;
    Ok(Checked {
        mime,
        bytes: bytes.len(),
        width,
        height,
        image: citi::ProfileImage {
            image_type: mime.into(),
            image: base64::engine::general_purpose::STANDARD.encode(&bytes),
        },
    })
}

#[derive(Debug, Clone)]
pub struct ImageDialog {
    pub customer: String,
    pub name: String,
    /// Remove the image (true), or set it from the file.
    pub remove: bool,
    pub field: Field,
    pub path: Input,
    /// The file as checked when the agent went on: what confirm sends.
    pub checked: Option<Checked>,
    pub submit: Submit,
}

impl ImageDialog {
    pub fn new(customer: String, name: String) -> ImageDialog {
        ImageDialog {
            customer,
            name,
            remove: false,
            field: Field::Path,
            path: Input::default(),
            checked: None,
            submit: Submit::default(),
        }
    }

    /// Something changed: what was checked no longer holds, nor the last refusal.
    fn changed(&mut self) {
        self.checked = None;
        self.submit.error = None;
    }

    /// Check what the form says and ask to confirm, or say why not.
    fn check(&mut self) {
        if self.remove {
            self.submit.ask_confirm();
            return;
        }
        match check_file(self.path.value()) {
            Ok(c) => {
                self.checked = Some(c);
                self.submit.ask_confirm();
            }
            Err(why) => {
                self.checked = None;
                self.field = Field::Path;
                self.submit.error = Some(Failure::new(why, None));
            }
        }
    }

    fn send(&mut self, app: &mut App, fx: &mut Vec<Effect>) {
        let customer = self.customer.clone();
        let (op, new) = if self.remove {
            (WriteOp::DeleteImage { customer }, "no image".to_string())
        } else {
            let Some(c) = &self.checked else {
                self.submit.phase = Phase::Editing;
                return;
            };
            let op = WriteOp::PutImage {
                customer,
                image: c.image.clone(),
            };
            (op, c.describe())
        };
        let note = AuditNote {
            customer: self.customer.clone(),
            action: op.action(),
            new: Some(new),
            ..AuditNote::default()
        };
        app.submit_write(&mut self.submit, op, note, fx);
    }

    /// A refusal in the dialog's words.
    fn words(&self, e: &WriteError) -> String {
        match &e.kind {
            ErrorKind::NotFound if self.remove => {
                "This customer has no profile image to remove".into()
            }
            ErrorKind::Invalid { .. } => format!("The bank refused the image: {}", e.message),
            _ => format!("Error: {}", e.message),
        }
    }
}

impl App {
    pub(crate) fn open_image(&mut self) {
        let Some(c) = &self.customer else { return };
        let Some(d) = c.details.ready() else { return };
        self.overlay = Some(Overlay::Image(Box::new(ImageDialog::new(
            c.id.clone(),
            safe(&format!("{} {}", d.given_name, d.family_name)),
        ))));
    }
}

impl crate::tui::dialog::Dialog for ImageDialog {
    fn name(&self) -> &'static str {
        "profile image"
    }

    fn key(&mut self, app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
        let on_path = self.field == Field::Path && !self.remove;
        // A character typed into the path is text, even one bound to an action.
        let typing = on_path && self.submit.phase == Phase::Editing && typed_char(&k).is_some();
        let act = match typing {
            true => None,
            false => app.keymap.action_in(Context::Image, &k),
        };
        match self.submit.key(act) {
            SubmitKey::Close => return false,
            SubmitKey::Stay => {}
            SubmitKey::Send => self.send(app, fx),
            SubmitKey::Edit => match act {
                Some(Action::Back) => return false,
                Some(Action::NextField | Action::PrevField | Action::ItemUp | Action::ItemDown) => {
                    self.field = match self.field {
                        Field::Path => Field::Action,
                        Field::Action if self.remove => Field::Action,
                        Field::Action => Field::Path,
                    };
                }
                Some(Action::ChoicePrev | Action::ChoiceNext) if self.field == Field::Action => {
                    self.remove = !self.remove;
                    self.changed();
                }
                Some(Action::Confirm) => self.check(),
                // Typing the path: raw keys (characters, the cursor keys, deleting).
                _ if on_path
                    && self
                        .path
                        .handle_event(&crossterm::event::Event::Key(k))
                        .is_some_and(|c| c.value) =>
                {
                    self.changed();
                }
                _ => {}
            },
        }
        true
    }

    /// A pasted path (a file dragged onto the terminal) goes into the path, on one line.
    fn paste(&mut self, _app: &mut App, text: &str, _fx: &mut Vec<Effect>) {
        if self.remove || self.submit.phase != Phase::Editing {
            return;
        }
        self.field = Field::Path;
        for c in text.trim_end_matches(['\r', '\n']).chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if !c.is_control() {
                self.path.handle(InputRequest::InsertChar(c));
            }
        }
        self.changed();
    }

    fn reply(&mut self, app: &mut App, msg: Msg, fx: &mut Vec<Effect>) -> Option<Msg> {
        let Msg::Written { seq, outcome } = msg else {
            return Some(msg);
        };
        let words = outcome.result.as_ref().err().map(|e| self.words(e));
        let done = self
            .submit
            .answered_as(seq, outcome, |_| words.unwrap_or_default());
        if let Some(Ok(_)) = done
            && app.customer.as_ref().is_some_and(|c| c.id == self.customer)
        {
            // Only the image is read again.
            fx.push(Effect::Reread {
                id: self.customer.clone(),
                parts: vec![CustomerRead::Image],
            });
        }
        None
    }

    fn busy(&self) -> bool {
        self.submit.pending.is_some()
    }

    fn typed(&self) -> bool {
        !matches!(self.submit.phase, Phase::Done(_)) && !self.path.value().trim().is_empty()
    }

    fn draw(&self, f: &mut ratatui::Frame, app: &App) {
        crate::tui::dialogs::image::draw(f, app, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_words() {
        assert_eq!(size_words(812), "812 bytes");
        assert_eq!(size_words(12_595), "12.3 KiB");
        assert_eq!(size_words(MAX_BYTES as u64), "512 KiB");
        assert_eq!(size_words(1_468_006), "1.4 MiB");
    }

    #[test]
    fn a_dragged_path_loses_its_quotes() {
        assert_eq!(
            typed_path(" '/tmp/a b.png' "),
            std::path::PathBuf::from("/tmp/a b.png")
        );
        assert_eq!(
            typed_path("\"/tmp/x.gif\""),
            std::path::PathBuf::from("/tmp/x.gif")
        );
    }

    #[test]
    fn a_dragged_url_or_escaped_path_names_the_file() {
        assert_eq!(
            typed_path("file:///tmp/a%20b.png"),
            std::path::PathBuf::from("/tmp/a b.png")
        );
        assert_eq!(
            typed_path("'file://localhost/tmp/x.gif'"),
            std::path::PathBuf::from("/tmp/x.gif")
        );
        let dir = tempfile::tempdir().unwrap();
        let spaced = dir.path().join("my photo (1).png");
        std::fs::write(&spaced, b"x").unwrap();
        let escaped = format!("{}/my\\ photo\\ \\(1\\).png", dir.path().display());
        assert_eq!(typed_path(&escaped), spaced);
        // A file that really has a backslash in its name is taken as typed.
        let odd = dir.path().join("odd\\ name.png");
        std::fs::write(&odd, b"x").unwrap();
        assert_eq!(typed_path(&odd.to_string_lossy()), odd);
    }

    #[test]
    fn png_jpeg_and_gif_pass_by_their_bytes_whatever_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let img = image::RgbImage::from_pixel(3, 2, image::Rgb([200, 100, 50]));
        for (format, mime) in [
            (image::ImageFormat::Png, "image/png"),
            (image::ImageFormat::Jpeg, "image/jpeg"),
            (image::ImageFormat::Gif, "image/gif"),
        ] {
            let mut bytes = Cursor::new(Vec::new());
            img.write_to(&mut bytes, format).unwrap();
            let bytes = bytes.into_inner();
            // The name says nothing: the bytes decide.
            let path = dir.path().join("picture.dat");
            std::fs::write(&path, &bytes).unwrap();
            let c = check_file(&path.display().to_string()).unwrap();
            assert_eq!((c.mime, c.width, c.height), (mime, 3, 2));
            assert_eq!(c.image.image_type, mime);
            assert_eq!(c.bytes, bytes.len());
            let sent = base64::engine::general_purpose::STANDARD
                .decode(&c.image.image)
                .unwrap();
            assert_eq!(sent, bytes);
        }
    }

    #[test]
    fn an_empty_path_or_file_is_said_in_words() {
        assert_eq!(
            check_file("  ").unwrap_err(),
            "Type the path of a PNG, JPEG or GIF file"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.png");
        std::fs::write(&path, b"").unwrap();
        let typed = path.display().to_string();
        assert_eq!(check_file(&typed).unwrap_err(), format!("{typed} is empty"));
    }
}
