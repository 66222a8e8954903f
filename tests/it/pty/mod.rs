//! The real binary in a pseudo-terminal, its output read through a vt100 parser: the
//! driver the end-to-end tests share.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// How long `expect` and friends wait for the screen.
const PATIENCE: Duration = Duration::from_secs(20);

struct Screen {
    parser: vt100::Parser,
    raw: Vec<u8>,
    /// The reader saw the end of the output (every holder of the pty's other side gone).
    ended: bool,
}

pub struct Console {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<Screen>>,
    /// When the process was started.
    pub started: Instant,
    data: tempfile::TempDir,
}

impl Console {
    pub fn spawn(args: &[&str], rows: u16, cols: u16) -> Console {
        Console::spawn_in(tempfile::tempdir().unwrap(), args, rows, cols)
    }

    /// Start with `data` as the home of the data and config directories, signed in as
    /// the default demo agent whatever the environment says.
    pub fn spawn_in(data: tempfile::TempDir, args: &[&str], rows: u16, cols: u16) -> Console {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_custdesk"));
        cmd.args(args);
        cmd.env("CUSTDESK_DATA_DIR", data.path().join("data"));
        cmd.env("CUSTDESK_CONFIG_DIR", data.path().join("config"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("CUSTDESK_CLIENT_ID");
        cmd.env_remove("CUSTDESK_CLIENT_SECRET");
        let started = Instant::now();
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(Screen {
            parser: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
            raw: Vec::new(),
            ended: false,
        }));
        let s2 = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => {
                        s2.lock().unwrap().ended = true;
                        break;
                    }
                    Ok(n) => {
                        let mut s = s2.lock().unwrap();
                        s.parser.process(&buf[..n]);
                        s.raw.extend_from_slice(&buf[..n]);
                    }
                }
            }
        });
        Console {
            master: pair.master,
            writer,
            child,
            screen,
            started,
            data,
        }
    }

    /// The screen's text.
    pub fn text(&self) -> String {
        self.screen.lock().unwrap().parser.screen().contents()
    }

    /// Every byte the console wrote.
    pub fn raw(&self) -> Vec<u8> {
        self.screen.lock().unwrap().raw.clone()
    }

    /// The console's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.data.path().join("data")
    }

    pub fn wait_for(&self, what: &str, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while Instant::now() < until {
            if self.text().contains(what) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn expect(&self, what: &str) {
        assert!(
            self.wait_for(what, PATIENCE),
            "screen never showed {what:?}; it shows:\n{}",
            self.text()
        );
    }

    /// Wait until `what` is no longer on screen.
    pub fn expect_gone(&self, what: &str) {
        let until = Instant::now() + PATIENCE;
        while self.text().contains(what) {
            assert!(
                Instant::now() < until,
                "screen still shows {what:?}:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Type text one key at a time, as a person would (each key its own event).
    pub fn type_keys(&mut self, s: &str) {
        for c in s.chars() {
            self.send(&c.to_string());
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Esc, alone: the terminal must not read it as Alt with the next key, so wait
    /// until `closes` has gone from the screen.
    pub fn esc(&mut self, closes: &str) {
        self.send("\x1b");
        self.expect_gone(closes);
    }

    /// Move the pane's cursor down (`j`) until `row` shows, one key at a time: each
    /// press waits for the cursor to move, so a slow console is never overshot.
    pub fn select_row(&mut self, row: &str) {
        let cursor_line = |text: &str| text.lines().find(|l| l.contains("│▶ ")).map(str::to_string);
        for _ in 0..20 {
            if self.text().contains(row) {
                return;
            }
            let before = cursor_line(&self.text());
            self.send("j");
            let until = Instant::now() + Duration::from_secs(10);
            while cursor_line(&self.text()) == before && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        self.expect(row);
    }

    /// Resize the reader's screen first, then the pty: whatever the console draws for
    /// the new size is then parsed at that size. (The other way round, a frame that
    /// arrives in between is parsed at the old size, and the console, having drawn it,
    /// has no reason to draw again.)
    pub fn resize(&self, rows: u16, cols: u16) {
        self.screen
            .lock()
            .unwrap()
            .parser
            .screen_mut()
            .set_size(nonzero(rows), nonzero(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    /// Wait for the console to exit and for the reader to have taken in everything it
    /// wrote (its last bytes can still be in the pty when the exit is seen).
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                while !self.screen.lock().unwrap().ended && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(10));
                }
                return s;
            }
            assert!(
                Instant::now() < until,
                "console did not exit; screen:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `q`, and wait for the console to exit.
    pub fn quit(&mut self) -> portable_pty::ExitStatus {
        self.send("q");
        self.wait_exit()
    }

    /// The pty's line discipline is back in cooked mode (echo and canonical input).
    pub fn cooked(&self) -> bool {
        let fd = self.master.as_raw_fd().expect("unix pty");
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0);
        t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0
    }

    /// Back on the main screen: the last alternate-screen switch in the output leaves it.
    pub fn on_main_screen(&self) -> bool {
        let raw = self.raw();
        let leave = find_last(&raw, b"\x1b[?1049l");
        let enter = find_last(&raw, b"\x1b[?1049h");
        leave.is_some()
            && leave > enter
            && !self
                .screen
                .lock()
                .unwrap()
                .parser
                .screen()
                .alternate_screen()
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A terminal dimension as vt100 takes it: at least 1.
fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN)
}

/// The real binary in a pseudo-terminal that answers one query as a terminal would:
/// once the binary's output holds `query`, `answer` is written back (once). Every byte
/// the binary writes collects in `raw`.
pub struct Answering {
    pub raw: Arc<Mutex<Vec<u8>>>,
    pub writer: Arc<Mutex<Box<dyn Write + Send>>>,
    pub child: Box<dyn Child + Send + Sync>,
}

/// Start the binary with `args` at `rows` x `cols`, its data and configuration under
/// `home`, answering `query` with `answer` (see [`Answering`]).
pub fn spawn_answering(
    home: &std::path::Path,
    args: &[&str],
    (rows, cols): (u16, u16),
    query: &'static [u8],
    answer: Option<Vec<u8>>,
) -> Answering {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_custdesk"));
    cmd.args(args);
    cmd.env("CUSTDESK_DATA_DIR", home.join("data"));
    cmd.env("CUSTDESK_CONFIG_DIR", home.join("config"));
    cmd.env("TERM", "xterm-256color");
    for var in [
        "NO_COLOR",
        "KONSOLE_VERSION",
        "CUSTDESK_CLIENT_ID",
        "CUSTDESK_CLIENT_SECRET",
    ] {
        cmd.env_remove(var);
    }
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let writer = Arc::new(Mutex::new(pair.master.take_writer().unwrap()));
    let raw = Arc::new(Mutex::new(Vec::new()));
    let (r2, w2) = (raw.clone(), writer.clone());
    std::thread::spawn(move || {
        let _master = pair.master;
        let mut buf = [0u8; 8192];
        let mut answer = answer;
        while let Ok(n @ 1..) = reader.read(&mut buf) {
            let mut raw = r2.lock().unwrap();
            raw.extend_from_slice(&buf[..n]);
            if answer.is_some() && contains(&raw, query) {
                let mut w = w2.lock().unwrap();
                let _ = w.write_all(&answer.take().unwrap_or_default());
                let _ = w.flush();
            }
        }
    });
    Answering { raw, writer, child }
}
