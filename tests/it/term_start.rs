//! The terminal at start, the real binary in a pseudo-terminal: a screen left dirty by
//! a dropped session is cleared before the first frame; mouse capture is off unless
//! the configuration asks for it.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

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

/// The screen of a terminal that is still on the alternate screen with `before` on it
/// when `output` arrives. Such a terminal (xterm among them) does not clear the
/// alternate screen on a second `ESC[?1049h`; vt100 always would, so the switch is
/// left out of what it reads.
fn screen_after(before: &[u8], output: &[u8], rows: u16, cols: u16) -> String {
    let mut parser = vt100::Parser::new(
        std::num::NonZeroU16::new(rows).unwrap(),
        std::num::NonZeroU16::new(cols).unwrap(),
        0,
    );
    parser.process(before);
    let enter = b"\x1b[?1049h";
    let mut rest = output.to_vec();
    while let Some(at) = rest.windows(enter.len()).position(|w| w == enter) {
        rest.drain(at..at + enter.len());
    }
    parser.process(&rest);
    parser.screen().contents()
}

#[test]
fn start_clears_text_a_dropped_session_left_on_the_screen() {
    let (rows, cols) = (30u16, 120u16);
    let home = tempfile::tempdir().unwrap();
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_custdesk"));
    cmd.args(["--seed-customers", "50"]);
    cmd.env("CUSTDESK_DATA_DIR", home.path().join("data"));
    cmd.env("CUSTDESK_CONFIG_DIR", home.path().join("config"));
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    cmd.env_remove("CUSTDESK_CLIENT_ID");
    cmd.env_remove("CUSTDESK_CLIENT_SECRET");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let raw = Arc::new(Mutex::new(Vec::new()));
    let r2 = raw.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n @ 1..) = reader.read(&mut buf) {
            r2.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let before = leftover(rows);
    let screen = || screen_after(&before, &raw.lock().unwrap(), rows, cols);
    let until = Instant::now() + Duration::from_secs(20);
    while !screen().contains("TRAINING SANDBOX") {
        assert!(Instant::now() < until, "no first frame:\n{}", screen());
        std::thread::sleep(Duration::from_millis(20));
    }
    let shown = screen();
    assert!(
        !shown.contains("LEFTOVER"),
        "old text shows through the first frame:\n{shown}"
    );
    assert!(!shown.contains("from the last session"), "{shown}");
    writer.write_all(b"\x03").unwrap();
    writer.flush().unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < until, "console did not exit");
        std::thread::sleep(Duration::from_millis(20));
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
