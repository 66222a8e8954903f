//! The terminal at start, the real binary in a pseudo-terminal: a screen left dirty by
//! a dropped session is cleared before the first frame; mouse capture is off unless
//! the configuration asks for it; the default theme follows a light or dark background.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::pty::{self, Console};

/// What a dropped session left on the alternate screen: a line of old text per row.
fn leftover(rows: u16) -> Vec<u8> {
    let mut b = b"\x1b[?1049h\x1b[H".to_vec();
    for i in 0..rows {
        b.extend_from_slice(
            format!("\x1b[{};1HLEFTOVER{i:02} from the last session", i + 1).as_bytes(),
        );
    }
    b
}

/// The real binary in a pty whose output is read on top of `before`; a terminal that
/// answers OSC 11 with `background` if one is given.
struct Started {
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    before: Vec<u8>,
    rows: u16,
    cols: u16,
    _home: tempfile::TempDir,
}

impl Started {
    fn spawn(before: Vec<u8>, background: Option<&'static str>, rows: u16, cols: u16) -> Self {
        let home = tempfile::tempdir().unwrap();
        let pty::Answering { raw, writer, child } = pty::spawn_answering(
            home.path(),
            &["--seed-customers", "50"],
            (rows, cols),
            b"\x1b]11;?",
            background.map(|bg| format!("\x1b]11;{bg}\x1b\\\x1b[?62;22c").into_bytes()),
        );
        Started {
            raw,
            writer,
            child,
            before,
            rows,
            cols,
            _home: home,
        }
    }

    fn screen(&self) -> vt100::Parser {
        let mut parser = vt100::Parser::new(
            std::num::NonZeroU16::new(self.rows).unwrap(),
            std::num::NonZeroU16::new(self.cols).unwrap(),
            0,
        );
        parser.process(&self.before);
        // A terminal already on the alternate screen (xterm among them) does not clear
        // it on a second `ESC[?1049h`; vt100 always would, so the switch is left out.
        let enter = b"\x1b[?1049h";
        let mut rest = self.raw.lock().unwrap().clone();
        while let Some(at) = rest.windows(enter.len()).position(|w| w == enter) {
            rest.drain(at..at + enter.len());
        }
        parser.process(&rest);
        parser
    }

    /// The screen once the first frame is on it.
    fn first_frame(&self) -> vt100::Parser {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let p = self.screen();
            if p.screen().contents().contains("TRAINING SANDBOX") {
                return p;
            }
            assert!(
                Instant::now() < until,
                "no first frame:\n{}",
                p.screen().contents()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn quit(mut self) {
        {
            let mut w = self.writer.lock().unwrap();
            w.write_all(b"\x03").unwrap();
            w.flush().unwrap();
        }
        let until = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < until, "console did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The foreground colours on the screen.
fn colours(p: &vt100::Parser) -> Vec<vt100::Color> {
    let (rows, cols) = p.screen().size();
    let mut found = Vec::new();
    for r in 0..rows.get() {
        for c in 0..cols.get() {
            if let Some(cell) = p.screen().cell(r, c)
                && !found.contains(&cell.fgcolor())
            {
                found.push(cell.fgcolor());
            }
        }
    }
    found
}

#[test]
fn start_clears_text_a_dropped_session_left_on_the_screen() {
    let (rows, cols) = (30u16, 120u16);
    let c = Started::spawn(leftover(rows), None, rows, cols);
    let shown = c.first_frame().screen().contents();
    assert!(
        !shown.contains("LEFTOVER"),
        "old text shows through the first frame:\n{shown}"
    );
    assert!(!shown.contains("from the last session"), "{shown}");
    c.quit();
}

/// The default theme's muted colour: ANSI dark grey on a dark background, 256-colour
/// grey 242 (readable on white) on a light one.
const MUTED_DARK: vt100::Color = vt100::Color::Idx(8);
const MUTED_LIGHT: vt100::Color = vt100::Color::Idx(242);

#[test]
fn a_light_terminal_background_gets_the_light_default_palette() {
    let c = Started::spawn(Vec::new(), Some("rgb:ffff/ffff/ffff"), 30, 120);
    let shown = colours(&c.first_frame());
    assert!(shown.contains(&MUTED_LIGHT), "{shown:?}");
    assert!(!shown.contains(&MUTED_DARK), "{shown:?}");
    c.quit();
}

#[test]
fn a_dark_or_silent_terminal_gets_the_dark_default_palette() {
    for background in [Some("rgb:1e1e/1e1e/1e1e"), None] {
        let c = Started::spawn(Vec::new(), background, 30, 120);
        let shown = colours(&c.first_frame());
        assert!(shown.contains(&MUTED_DARK), "{background:?}: {shown:?}");
        assert!(!shown.contains(&MUTED_LIGHT), "{background:?}: {shown:?}");
        c.quit();
    }
}

/// The sequences that turn mouse reporting on (clicks, and their SGR encoding).
const MOUSE_ON: [&[u8]; 2] = [b"\x1b[?1000h", b"\x1b[?1006h"];

#[test]
fn mouse_capture_is_off_by_default_so_the_terminal_selects_text() {
    let mut c = Console::spawn(&["--seed-customers", "50"], 30, 120);
    c.expect("TRAINING SANDBOX");
    let raw = c.raw();
    for on in MOUSE_ON {
        assert!(
            !pty::contains(&raw, on),
            "mouse capture turned on at start: {:?}",
            String::from_utf8_lossy(on)
        );
    }
    c.send("\x03");
    assert!(c.wait_exit().success());
}

#[test]
fn mouse_true_in_the_config_turns_capture_on() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config")).unwrap();
    std::fs::write(
        home.path().join("config").join("config.toml"),
        "mouse = true\n",
    )
    .unwrap();
    let mut c = Console::spawn_in(home, &["--seed-customers", "50"], 30, 120);
    c.expect("TRAINING SANDBOX");
    let raw = c.raw();
    for on in MOUSE_ON {
        assert!(
            pty::contains(&raw, on),
            "no mouse capture with mouse = true: {:?}",
            String::from_utf8_lossy(on)
        );
    }
    c.send("\x03");
    assert!(c.wait_exit().success());
}

/// A terminal far away (SSH) answers the start-up questions after the console stopped
/// waiting: the answers arrive among the agent's keys and are not typed into the
/// search.
#[test]
fn answers_that_come_after_the_wait_are_not_typed_into_the_search() {
    let c = Started::spawn(Vec::new(), None, 30, 120);
    c.first_frame();
    {
        let mut w = c.writer.lock().unwrap();
        w.write_all(
            b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b_Gi=31;OK\x1b\\\x1bP>|xterm(388)\x1b\\\x1b[6;20;10t\x1b[?62;22c",
        )
        .unwrap();
        w.write_all(b"quart").unwrap();
        w.flush().unwrap();
    }
    let until = Instant::now() + Duration::from_secs(20);
    let search = loop {
        let shown = c.screen().screen().contents();
        let line = shown
            .lines()
            .find(|l| l.contains('›'))
            .unwrap_or_default()
            .to_string();
        if line.contains("quart") || Instant::now() > until {
            break line;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(search.contains("› quart "), "{search}");
    for junk in ["rgb", "ffff", "31;OK", "xterm", "388", "11;"] {
        assert!(
            !search.contains(junk),
            "{junk} typed into the search: {search}"
        );
    }
    c.quit();
}
