//! The terminal: raw mode and the alternate screen on entry, restored on exit, on panic
//! and on signals; every frame wrapped in synchronized-update sequences; bytes written
//! counted for the diagnostics; a move of the results window scrolls the terminal's
//! own scroll region where the screen can ([`super::scroll`]).
//!
//! The console draws to any ratatui backend that is a [`Screen`]: the real terminal
//! (crossterm over stdout, or over any writer for measuring), or a test's in-memory
//! buffer, so the whole loop runs in process in tests.

use std::io::{self, Write};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use crossterm::{cursor, execute, queue};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::app::App;
use super::scroll::{self, Last};
use super::view;

/// A writer that counts the bytes passing through it.
pub struct Counting<W> {
    inner: W,
    pub count: Arc<AtomicU64>,
}

impl<W> Counting<W> {
    pub fn new(inner: W) -> Self {
        Counting {
            inner,
            count: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The real terminal's backend: crossterm over a byte-counting writer.
pub type Crossterm<W> = CrosstermBackend<Counting<W>>;

/// A ratatui backend the console can run on: what a real terminal does beyond drawing
/// cells (frame boundaries, mouse capture, the clipboard). A backend without those (a
/// test's buffer) keeps the defaults, which do nothing.
pub trait Screen: Backend<Error: Send + Sync + 'static> {
    /// Before a frame is drawn.
    fn begin_frame(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// After a frame is drawn: the frame goes out whole.
    fn end_frame(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn set_mouse(&mut self, _on: bool) -> io::Result<()> {
        Ok(())
    }
    fn copy(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }
    /// Whether [`Screen::scroll_rows`] moves what the screen shows.
    fn scrolls(&self) -> bool {
        false
    }
    /// Scroll screen rows `rows` by `by` (up when positive) with the terminal's scroll
    /// region, rows that come in blank. A screen that cannot does nothing.
    fn scroll_rows(&mut self, _rows: &Range<u16>, _by: i32) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Screen for Crossterm<W> {
    /// Frames are synchronized updates, so the terminal shows each one whole.
    fn begin_frame(&mut self) -> io::Result<()> {
        queue!(self, BeginSynchronizedUpdate)
    }
    fn end_frame(&mut self) -> io::Result<()> {
        queue!(self, EndSynchronizedUpdate)?;
        Write::flush(self)
    }
    fn set_mouse(&mut self, on: bool) -> io::Result<()> {
        if on {
            execute!(self, EnableMouseCapture)
        } else {
            execute!(self, DisableMouseCapture)
        }
    }
    /// Put `text` on the clipboard with OSC 52 (works over SSH). Only our own text is
    /// sent: the customer id or correlation id, never raw backend data.
    fn copy(&mut self, text: &str) -> io::Result<()> {
        execute!(
            self,
            crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
        )
    }
    /// A scroll region, and line feeds or reverse indexes in it ([`scroll::sequence`]).
    fn scrolls(&self) -> bool {
        true
    }
    fn scroll_rows(&mut self, rows: &Range<u16>, by: i32) -> io::Result<()> {
        self.write_all(scroll::sequence(rows, by).as_bytes())
    }
}

/// Put the terminal back as we found it. Safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

/// Restore the terminal before a panic message is printed, and log the panic with its
/// location (file and line are compiled in, so a stripped binary still names them).
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        match info.location() {
            Some(at) => tracing::error!(location = %at, "panic: {message}"),
            None => tracing::error!("panic: {message}"),
        }
        previous(info);
    }));
}

pub struct Term<B: Screen> {
    /// Drawn only through [`Term::draw`]: a clear or a draw from elsewhere would leave
    /// the frame kept for scrolling out of step with the screen.
    pub terminal: Terminal<B>,
    /// Bytes written to the real terminal (zero for a backend that writes none).
    pub bytes: Arc<AtomicU64>,
    /// Whether a move of the results scrolls the terminal's region (on a screen that
    /// can); off, every row that moved is drawn again (for comparing the two).
    pub scroll_regions: bool,
    /// The last frame, while scrolling is on.
    last: Option<Last>,
}

impl Term<Crossterm<io::Stdout>> {
    /// Enter raw mode and the alternate screen, cleared.
    pub fn enter(mouse: bool) -> io::Result<Self> {
        terminal::enable_raw_mode()?;
        let entered = (|| {
            let mut out = io::stdout();
            // Cleared after entering: a terminal left on the alternate screen (a dropped
            // session) does not clear it again, and ratatui draws only non-blank cells
            // on its first frame, so old text would show through the blank ones.
            execute!(
                out,
                EnterAlternateScreen,
                terminal::Clear(terminal::ClearType::All),
                cursor::MoveTo(0, 0),
                EnableBracketedPaste,
                cursor::Hide
            )?;
            if mouse {
                execute!(out, EnableMouseCapture)?;
            }
            Term::over(out)
        })();
        // Raw mode is on: a failure after it must not leave the terminal raw.
        if entered.is_err() {
            restore();
        }
        entered
    }
}

impl<W: Write> Term<Crossterm<W>> {
    /// A terminal over any writer (used by the diagnostics to count bytes).
    pub fn over(w: W) -> io::Result<Self> {
        let counting = Counting::new(w);
        let bytes = counting.count.clone();
        let terminal = Terminal::new(CrosstermBackend::new(counting))?;
        Ok(Term {
            terminal,
            bytes,
            scroll_regions: true,
            last: None,
        })
    }

    /// A terminal of a fixed size over any writer, for measuring without a tty.
    pub fn fixed(w: W, width: u16, height: u16) -> io::Result<Self> {
        let counting = Counting::new(w);
        let bytes = counting.count.clone();
        let terminal = Terminal::with_options(
            CrosstermBackend::new(counting),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, width, height)),
            },
        )?;
        Ok(Term {
            terminal,
            bytes,
            scroll_regions: true,
            last: None,
        })
    }
}

impl<B: Screen> Term<B> {
    /// The console on any screen (a test's buffer): sized as the backend says, and
    /// resized with it.
    pub fn on(backend: B) -> io::Result<Self> {
        let terminal = Terminal::new(backend).map_err(io::Error::other)?;
        Ok(Term {
            terminal,
            bytes: Arc::new(AtomicU64::new(0)),
            scroll_regions: true,
            last: None,
        })
    }

    /// The screen's size now, as (width, height).
    pub fn size(&self) -> io::Result<(u16, u16)> {
        let s = self.terminal.size().map_err(io::Error::other)?;
        Ok((s.width, s.height))
    }

    /// Draw one frame, whole.
    pub fn draw(&mut self, app: &mut App) -> io::Result<()> {
        self.terminal.backend_mut().begin_frame()?;
        // The area the frame gets (a fixed viewport's, or the resized screen's).
        self.terminal.autoresize().map_err(io::Error::other)?;
        let area = self.terminal.get_frame().area();
        view::fit(app, area);
        if let Some(last) = self.last.take() {
            self.scroll(app, area, last)?;
        }
        let keep = self.scroll_regions && self.terminal.backend().scrolls();
        let done = self
            .terminal
            .draw(|f| view::draw(f, app))
            .map_err(io::Error::other)?;
        if keep {
            self.last = Some(Last {
                buffer: done.buffer.clone(),
                offset: app.search.offset,
                rows: scroll::body(app, area),
            });
        }
        self.terminal.backend_mut().end_frame()
    }

    /// When the results window moved since `last` and scrolling the rows the terminal
    /// already shows writes less than drawing them again: scroll them, and give ratatui
    /// `last` scrolled the same way as the frame the terminal shows, so the draw that
    /// follows writes only what differs from it.
    fn scroll(&mut self, app: &App, area: Rect, last: Last) -> io::Result<()> {
        let Some((rows, by)) = scroll::candidate(&last, app, area) else {
            return Ok(());
        };
        // The frame as it will be drawn, to weigh the two.
        view::draw(&mut self.terminal.get_frame(), app);
        let next = std::mem::replace(self.terminal.current_buffer_mut(), Buffer::empty(area));
        if let Some((region, shifted)) = scroll::best(&last.buffer, &next, rows, by) {
            self.terminal.backend_mut().scroll_rows(&region, by)?;
            // The shifted frame becomes the previous one; the current is blank again.
            *self.terminal.current_buffer_mut() = shifted;
            self.terminal.swap_buffers();
        }
        Ok(())
    }

    pub fn set_mouse(&mut self, on: bool) -> io::Result<()> {
        self.terminal.backend_mut().set_mouse(on)
    }

    /// Put `text` on the clipboard where the screen has one.
    pub fn copy(&mut self, text: &str) -> io::Result<()> {
        self.terminal.backend_mut().copy(text)
    }
}

/// OSC 11: the terminal's background colour.
pub const BACKGROUND_QUERY: &[u8] = b"\x1b]11;?\x1b\\";

/// What the terminal answered the start-up questions, and whether any were asked.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    pub asked: bool,
    pub got: Vec<u8>,
}

impl Answers {
    /// Whether the terminal was asked and had not finished answering when the wait
    /// ended: the rest of its answer may still come, among the agent's keys.
    pub fn unfinished(&self) -> bool {
        self.asked && device_attributes(&self.got).is_none()
    }
}

/// Ask the terminal every start-up question at once: its background colour
/// (`background`) and what it draws images with (`graphics`, the graphics query), then
/// device attributes, which every terminal answers, so one that knows neither question
/// ends the wait early. One wait of at most `timeout` for both, not one each; nothing
/// asked, nothing answered.
///
/// Written by hand rather than with `terminal-colorsaurus`: that crate is not in the
/// offline registry this project builds from; this needs only `poll` and `read`.
pub fn ask_at_start(background: bool, graphics: bool, timeout: std::time::Duration) -> Answers {
    let mut query = Vec::new();
    if background {
        query.extend_from_slice(BACKGROUND_QUERY);
    }
    if graphics {
        query.extend_from_slice(super::graphics::QUERY);
    }
    if query.is_empty() {
        return Answers::default();
    }
    query.extend_from_slice(b"\x1b[c");
    Answers {
        asked: true,
        got: ask_terminal(&query, timeout),
    }
}

/// Whether the terminal's answers say its background is light (the OSC 11 answer); no
/// answer counts as dark.
pub fn light_background(answers: &[u8]) -> bool {
    parse_osc11(answers).is_some_and(is_light)
}

/// Send `query` (which must end with a device attributes query, `ESC [ c`) and read
/// what the terminal answers until that answer arrives or `timeout` passes, in raw mode
/// for the while (as it was before, after). Nothing when the terminal cannot be asked.
/// Every start-up question to the terminal goes through here: the background colour
/// and the graphics protocols.
#[cfg(unix)]
pub fn ask_terminal(query: &[u8], timeout: std::time::Duration) -> Vec<u8> {
    use std::os::fd::AsRawFd;
    let was_raw = terminal::is_raw_mode_enabled().unwrap_or(false);
    if !was_raw && terminal::enable_raw_mode().is_err() {
        return Vec::new();
    }
    let mut got = Vec::new();
    let mut out = io::stdout();
    if out.write_all(query).and_then(|()| out.flush()).is_ok() {
        let fd = io::stdin().as_raw_fd();
        let until = std::time::Instant::now() + timeout;
        loop {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            let mut p = libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = left.as_millis().clamp(1, 1000) as libc::c_int;
            // SAFETY: one valid pollfd, its count 1.
            let n = unsafe { libc::poll(&mut p, 1, ms) };
            if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            }
            if n <= 0 {
                break;
            }
            let mut buf = [0u8; 256];
            // SAFETY: reads at most buf.len() bytes into buf.
            let r = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if r <= 0 {
                break;
            }
            got.extend_from_slice(&buf[..r as usize]);
            if device_attributes(&got).is_some() {
                break;
            }
        }
    }
    if !was_raw {
        let _ = terminal::disable_raw_mode();
    }
    got
}

#[cfg(not(unix))]
pub fn ask_terminal(_query: &[u8], _timeout: std::time::Duration) -> Vec<u8> {
    Vec::new()
}

/// The parameters of the device attributes answer, `ESC [ ? 62 ; 4 ; 22 c`.
pub(crate) fn device_attributes(got: &[u8]) -> Option<Vec<&[u8]>> {
    let at = got.windows(3).position(|w| w == b"\x1b[?")? + 3;
    let rest = &got[at..];
    let end = rest
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b';'))?;
    (rest[end] == b'c').then(|| rest[..end].split(|b| *b == b';').collect())
}

/// The colour in an OSC 11 answer, `ESC ] 11 ; rgb:RRRR/GGGG/BBBB` (1 to 4 hex digits
/// a component), each component from 0 to 1.
fn parse_osc11(got: &[u8]) -> Option<[f64; 3]> {
    let start = got.windows(9).position(|w| w == b"\x1b]11;rgb:")? + 9;
    let body: Vec<u8> = got[start..]
        .iter()
        .copied()
        .take_while(|b| b.is_ascii_hexdigit() || *b == b'/')
        .collect();
    let text = std::str::from_utf8(&body).ok()?;
    let mut rgb = [0.0; 3];
    let mut parts = text.split('/');
    for c in &mut rgb {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 4 {
            return None;
        }
        let v = u32::from_str_radix(p, 16).ok()?;
        *c = f64::from(v) / f64::from((1u32 << (4 * p.len())) - 1);
    }
    Some(rgb)
}

/// Light: black text reads better on it than white does (WCAG relative luminance
/// above 0.179, where the two contrasts are equal).
fn is_light(rgb: [f64; 3]) -> bool {
    super::theme::luminance(rgb) > 0.179
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_osc11_answer_is_read_as_light_or_dark() {
        let white = parse_osc11(b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?62;22c").unwrap();
        assert!(is_light(white));
        let black = parse_osc11(b"\x1b]11;rgb:0000/0000/0000\x07").unwrap();
        assert!(!is_light(black));
        let solarized_light = parse_osc11(b"\x1b]11;rgb:fd/f6/e3\x07").unwrap();
        assert!(is_light(solarized_light));
        assert!(parse_osc11(b"\x1b[?1;2c").is_none());
        assert!(parse_osc11(b"\x1b]11;rgb:zz/00/00\x07").is_none());
        assert!(device_attributes(b"\x1b]11;rgb:0/0/0\x07\x1b[?64;1;22c").is_some());
        assert!(device_attributes(b"\x1b]11;rgb:0/0/0\x07\x1b[?64;1").is_none());
    }
}
