//! The whole console loop in process: the real `App`, `Runner` and client, built as the
//! binary builds them, against a real sandbox on loopback, drawing to ratatui's
//! `TestBackend` and fed a scripted stream of terminal events (keys, pastes, resizes).
//! What only the real binary shows (raw mode, signals, bytes on the wire) stays with the
//! pseudo-terminal tests.
#![allow(dead_code)]

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use custdesk::api::ApiConfig;
use custdesk::config::Paths;
use custdesk::tui::app::App;
use custdesk::tui::keymap::Keymap;
use custdesk::tui::run;
use custdesk::tui::start::assemble;
use custdesk::tui::term::{Screen, Term};
use custdesk::tui::theme::Theme;
use futures::channel::mpsc;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

use crate::common::TestSandbox;

/// How long any one expected screen may take to appear: generous, since the machine is
/// shared; a wait that runs out fails the test with the screen as it was.
const PATIENCE: Duration = Duration::from_secs(20);
/// How often the screen is looked at while waiting.
const LOOK: Duration = Duration::from_millis(10);

/// A `TestBackend` the loop draws to while the test reads it.
#[derive(Clone)]
pub struct SharedScreen(Arc<Mutex<TestBackend>>);

impl SharedScreen {
    fn with<T>(&self, f: impl FnOnce(&mut TestBackend) -> T) -> T {
        f(&mut self.0.lock().unwrap())
    }
}

impl Backend for SharedScreen {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.with(|b| b.draw(content)).map_err(io::Error::other)
    }
    fn hide_cursor(&mut self) -> io::Result<()> {
        self.with(|b| b.hide_cursor()).map_err(io::Error::other)
    }
    fn show_cursor(&mut self) -> io::Result<()> {
        self.with(|b| b.show_cursor()).map_err(io::Error::other)
    }
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.with(|b| b.get_cursor_position())
            .map_err(io::Error::other)
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        self.with(|b| b.set_cursor_position(p))
            .map_err(io::Error::other)
    }
    fn clear(&mut self) -> io::Result<()> {
        self.with(|b| b.clear()).map_err(io::Error::other)
    }
    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.with(|b| b.clear_region(clear_type))
            .map_err(io::Error::other)
    }
    fn size(&self) -> io::Result<Size> {
        self.0.lock().unwrap().size().map_err(io::Error::other)
    }
    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.with(|b| b.window_size()).map_err(io::Error::other)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.with(|b| b.flush()).map_err(io::Error::other)
    }
}

/// No mouse capture, no clipboard, no frame markers: a buffer has none.
impl Screen for SharedScreen {}

/// A console running in process.
pub struct Loop {
    screen: SharedScreen,
    input: mpsc::UnboundedSender<io::Result<Event>>,
    done: tokio::task::JoinHandle<App>,
    /// The console's data directory (audit log, bulk journals and plans).
    pub data: tempfile::TempDir,
    started: Instant,
}

impl Loop {
    /// The console signed in to `ts` as the demo client `client` (its secret is
    /// `<client>-secret`), on a screen `width` x `height`.
    pub fn start(ts: &TestSandbox, client: &str, width: u16, height: u16) -> Loop {
        Loop::start_with(ts, client, width, height, None)
    }

    /// As [`Loop::start`], started as a screen-pop for `caller` (`--caller`) when given.
    pub fn start_with(
        ts: &TestSandbox,
        client: &str,
        width: u16,
        height: u16,
        caller: Option<&str>,
    ) -> Loop {
        let mut app = App::new(Keymap::default(), Theme::built_in("default"));
        app.status.backend = ts.base.clone();
        app.status.profile = "remote sandbox".into();
        Loop::start_app(ts, client, app, width, height, caller)
    }

    /// As [`Loop::start_with`], with the console's `app` prepared by the test (its
    /// training banner, its 360 width...).
    pub fn start_app(
        ts: &TestSandbox,
        client: &str,
        app: App,
        width: u16,
        height: u16,
        caller: Option<&str>,
    ) -> Loop {
        let started = Instant::now();
        let data = tempfile::tempdir().expect("tempdir");
        let paths = Paths {
            config_dir: data.path().join("config"),
            data_dir: data.path().join("data"),
        };
        let api = ApiConfig::sandbox(&ts.base).with_client(client, &format!("{client}-secret"));
        let console = assemble(app, api, &paths, &ts.base, caller).expect("the console assembles");
        let screen = SharedScreen(Arc::new(Mutex::new(TestBackend::new(width, height))));
        let (input, events) = mpsc::unbounded();
        let theirs = screen.clone();
        let done = tokio::spawn(async move {
            let mut term = Term::on(theirs).expect("a screen");
            run::drive(console, &mut term, events)
                .await
                .expect("the loop ends cleanly")
        });
        Loop {
            screen,
            input,
            done,
            data,
            started,
        }
    }

    fn event(&self, ev: Event) {
        self.input
            .unbounded_send(Ok(ev))
            .expect("the loop is still reading input");
    }

    pub fn key(&self, code: KeyCode) {
        self.event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    pub fn ctrl(&self, c: char) {
        self.event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )));
    }

    /// Alt with a character: in the results list, a letter's command.
    pub fn alt(&self, c: char) {
        self.event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::ALT,
        )));
    }

    /// Type `text` a key at a time.
    pub fn keys(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn enter(&self) {
        self.key(KeyCode::Enter);
    }

    pub fn esc(&self) {
        self.key(KeyCode::Esc);
    }

    pub fn tab(&self) {
        self.key(KeyCode::Tab);
    }

    /// A bracketed paste, as a terminal delivers it.
    pub fn paste(&self, text: &str) {
        self.event(Event::Paste(text.to_string()));
    }

    /// The terminal window is resized: the screen changes size (blank until the console
    /// draws again, so a wait cannot pass on the old frame), then the event arrives.
    pub fn resize(&self, width: u16, height: u16) {
        self.screen.with(|b| {
            b.resize(width, height);
            let _ = b.clear();
        });
        self.event(Event::Resize(width, height));
    }

    /// The screen as text, one line per row, trailing blanks trimmed.
    pub fn text(&self) -> String {
        self.screen.with(|b| {
            let buf = b.buffer();
            let area = buf.area;
            let mut out = String::new();
            for y in area.top()..area.bottom() {
                let mut line = String::new();
                for x in area.left()..area.right() {
                    line.push_str(buf[(x, y)].symbol());
                }
                out.push_str(line.trim_end());
                out.push('\n');
            }
            out
        })
    }

    /// Wait until the screen shows `what` (at most [`PATIENCE`]).
    pub async fn expect(&self, what: &str) {
        self.until(what, |s| s.contains(what)).await;
    }

    /// Wait until the screen no longer shows `what`.
    pub async fn expect_gone(&self, what: &str) {
        self.until(&format!("{what:?} to go"), |s| !s.contains(what))
            .await;
    }

    /// Wait until `done` holds of the screen's text; answers that text.
    pub async fn until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.text();
            if done(&text) {
                return text;
            }
            if self.done.is_finished() {
                panic!("the loop ended while waiting for {what}; the screen:\n{text}");
            }
            if Instant::now() > deadline {
                panic!("waited {PATIENCE:?} for {what}; the screen:\n{text}");
            }
            tokio::time::sleep(LOOK).await;
        }
    }

    /// Quit (ctrl-c, then the input ends as when the terminal goes) and wait for the loop
    /// to end; answers the app as the loop left it, and prints how long the console
    /// ran.
    pub async fn quit(self, name: &str) -> App {
        self.ctrl('c');
        // The terminal going away ends the loop too, whatever is open.
        self.input.close_channel();
        let app = tokio::time::timeout(PATIENCE, self.done)
            .await
            .expect("the loop ends after ctrl-c")
            .expect("the loop did not panic");
        println!("tui_loop {name}: {:?} in process", self.started.elapsed());
        app
    }
}

impl Loop {
    /// Find Ada, open her, verify the caller with date of birth and postcode.
    pub async fn open_ada_and_verify(&self) {
        self.expect("corr").await;
        self.keys("quartermaine");
        self.expect("1 of 1 matches").await;
        self.enter();
        self.expect("Caller not verified — contact edits locked")
            .await;
        self.keys("V");
        self.expect("Verify caller").await;
        self.keys("09/03/1984");
        self.enter();
        self.expect("1 of 2 proofs").await;
        self.keys("SW1A 1AA");
        self.enter();
        self.expect("Caller verified: DOB ✓ postcode ✓ — contact edits unlocked")
            .await;
        // Enough proved: the dialog closed itself.
        self.expect_gone("Verify caller").await;
    }
}
