//! Console figures: key press to flushed frame with 100,000 results at 200x50, bytes
//! written for one selection move and for each scrolling move (row and page, down and
//! up; with the terminal's scroll region and without), bytes written while idle, and
//! time to first frame.
//!
//!     cargo bench --bench console
//!     cargo bench --bench console -- render   # only the figures drawn in process
//!
//! Prints medians and percentiles; asserts nothing.

use std::io::{Read, Write};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use custdesk::api::wire::newday::{
    Account, Contact, Customer, CustomerAddress, SearchResponse, TypedValue,
};
use custdesk::tui::app::App;
use custdesk::tui::keymap::Keymap;
use custdesk::tui::msg::{Msg, Outcome, Part};
use custdesk::tui::term::{Crossterm, Term};
use custdesk::tui::theme::Theme;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

fn customer(i: usize) -> Customer {
    Customer {
        id: format!("{i:032x}"),
        customer_ref: format!("CR{i:08}"),
        status: "ACTIVE".into(),
        title: "Mx".into(),
        given_name: format!("Given{i}"),
        middle_name: String::new(),
        family_name: format!("Family{i:06}"),
        date_of_birth: "1980-01-01".into(),
        contact: Contact {
            phone_numbers: vec![TypedValue {
                kind: "MOBILE".into(),
                value: format!("+4477009{i:05}"),
            }],
            email_addresses: vec![],
        },
        addresses: vec![CustomerAddress {
            kind: "HOME".into(),
            address_line1: "1 High Street".into(),
            address_line2: String::new(),
            address_line3: String::new(),
            address_line4: String::new(),
            town: "London".into(),
            county: String::new(),
            postcode: "SW1A 1AA".into(),
            country_code: "GB".into(),
        }],
        accounts: vec![Account {
            account_id: format!("ACC{i}"),
            account_number: format!("4929{i:012}"),
            account_type: "CARD".into(),
            product_name: "Card".into(),
            status: "OPEN".into(),
        }],
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The console with 100,000 results loaded and the results list focused.
fn loaded_app() -> App {
    let mut app = App::new(Keymap::default(), Theme::built_in("default"));
    app.banner = Some(" TRAINING SANDBOX ".into());
    let _ = app.update(key(KeyCode::Char('f')));
    let seq = app.search.seq;
    let rows: Vec<Customer> = (0..100_000).map(customer).collect();
    let _ = app.update(Msg::Searched {
        seq,
        page: 0,
        outcome: Outcome::ok(
            SearchResponse {
                values: rows,
                page: 0,
                size: 100_000,
                count: 100_000,
            },
            "c",
        ),
    });
    let _ = app.update(key(KeyCode::Esc));
    app
}

/// Press `code` and draw the frame if anything changed: the bytes written.
fn press<W: Write>(app: &mut App, term: &mut Term<Crossterm<W>>, code: KeyCode) -> u64 {
    let before = term.bytes.load(Ordering::Relaxed);
    let _ = app.update(key(code));
    if app.dirty {
        term.draw(app).unwrap();
        app.dirty = false;
    }
    term.bytes.load(Ordering::Relaxed) - before
}

/// Bytes per scrolling move at 200x50 with 100,000 results: `n` presses of `code`,
/// started with the selection at the window's edge it moves past (so every press
/// scrolls the results), median and max. `open`: with the first customer open in the
/// profile pane beside the results.
fn scroll_figure(regions: bool, open: bool, code: KeyCode, n: usize) -> (u64, u64) {
    let mut app = loaded_app();
    if open {
        let _ = app.update(key(KeyCode::Enter));
        let _ = app.update(Msg::Loaded {
            customer_id: customer(0).id,
            part: Part::Customer(Outcome::ok(customer(0), "c")),
        });
        let _ = app.update(key(KeyCode::Esc));
    }
    let mut term = Term::fixed(std::io::sink(), 200, 50).unwrap();
    term.scroll_regions = regions;
    term.draw(&mut app).unwrap();
    // Into the middle of the list, then to the edge the moves go past.
    app.search.selected = 50_000;
    term.draw(&mut app).unwrap();
    let down = matches!(code, KeyCode::Down | KeyCode::PageDown);
    let edge = if down { KeyCode::Down } else { KeyCode::Up };
    for _ in 0..app.visible_rows {
        press(&mut app, &mut term, edge);
    }
    let mut bytes: Vec<u64> = (0..n).map(|_| press(&mut app, &mut term, code)).collect();
    bytes.sort();
    (bytes[bytes.len() / 2], *bytes.last().unwrap())
}

fn scroll_figures() {
    for (name, open, code) in [
        ("row down", false, KeyCode::Down),
        ("row up", false, KeyCode::Up),
        ("page down", false, KeyCode::PageDown),
        ("page up", false, KeyCode::PageUp),
        ("row down, a customer open beside", true, KeyCode::Down),
        ("row up, a customer open beside", true, KeyCode::Up),
    ] {
        let (with, with_max) = scroll_figure(true, open, code, 200);
        let (without, without_max) = scroll_figure(false, open, code, 200);
        println!(
            "bytes per scrolling move, {name}, 200x50, 100,000 results: scroll region median {with} max {with_max}; without median {without} max {without_max}"
        );
    }
}

/// Key to flushed frame for row moves that each scroll the results, p50 and p99.
fn scroll_timing(regions: bool) -> (Duration, Duration) {
    let mut app = loaded_app();
    let mut term = Term::fixed(std::io::sink(), 200, 50).unwrap();
    term.scroll_regions = regions;
    app.search.selected = 50_000;
    term.draw(&mut app).unwrap();
    for _ in 0..app.visible_rows {
        press(&mut app, &mut term, KeyCode::Down);
    }
    let mut times: Vec<Duration> = (0..1000)
        .map(|_| {
            let t = Instant::now();
            press(&mut app, &mut term, KeyCode::Down);
            t.elapsed()
        })
        .collect();
    times.sort();
    (pct(&times, 0.5), pct(&times, 0.99))
}

fn render_figures() {
    let mut app = loaded_app();
    let mut term = Term::fixed(std::io::sink(), 200, 50).unwrap();
    term.draw(&mut app).unwrap();
    // Key to flushed frame over a long walk down and back up the results.
    let mut times = Vec::new();
    let mut scroll_bytes = Vec::new();
    for i in 0..2000 {
        let before = term.bytes.load(Ordering::Relaxed);
        let t = Instant::now();
        let _ = app.update(key(if (i / 500) % 2 == 0 {
            KeyCode::Down
        } else {
            KeyCode::Up
        }));
        if app.dirty {
            term.draw(&mut app).unwrap();
            app.dirty = false;
        }
        times.push(t.elapsed());
        scroll_bytes.push(term.bytes.load(Ordering::Relaxed) - before);
    }
    times.sort();
    scroll_bytes.sort();
    println!(
        "key -> flushed frame, 100,000 results, 200x50, {} presses: p50 {:?}  p99 {:?}  max {:?}",
        times.len(),
        pct(&times, 0.5),
        pct(&times, 0.99),
        times.last().unwrap()
    );
    // One-row moves that stay inside the visible rows: only the old and new selected
    // rows and the position counter change.
    let mut bytes = Vec::new();
    for i in 0..1000 {
        let before = term.bytes.load(Ordering::Relaxed);
        let _ = app.update(key(if i % 2 == 0 {
            KeyCode::Down
        } else {
            KeyCode::Up
        }));
        if app.dirty {
            term.draw(&mut app).unwrap();
            app.dirty = false;
        }
        bytes.push(term.bytes.load(Ordering::Relaxed) - before);
    }
    bytes.sort();
    println!(
        "bytes per one-row move within the visible rows: median {}  max {}",
        bytes[bytes.len() / 2],
        bytes.last().unwrap()
    );
    println!(
        "bytes per key over that walk (most presses scroll the table): median {}  max {}",
        scroll_bytes[scroll_bytes.len() / 2],
        scroll_bytes.last().unwrap()
    );
    scroll_figures();
    let (with, with_99) = scroll_timing(true);
    let (without, without_99) = scroll_timing(false);
    println!(
        "key -> flushed frame, row down that scrolls, 200x50: scroll region p50 {with:?} p99 {with_99:?}; without p50 {without:?} p99 {without_99:?}"
    );
    let before = term.bytes.load(Ordering::Relaxed);
    for _ in 0..50 {
        let _ = app.update(Msg::Tick);
        if app.dirty {
            term.draw(&mut app).unwrap();
            app.dirty = false;
        }
    }
    println!(
        "bytes written over 50 idle ticks (5 s of timer): {}",
        term.bytes.load(Ordering::Relaxed) - before
    );
    // Mark all 100,000 (every one loaded, so no call), then open the bulk dialog.
    let mut timed = |c: char| {
        let t = Instant::now();
        let _ = app.update(key(KeyCode::Char(c)));
        if app.dirty {
            term.draw(&mut app).unwrap();
            app.dirty = false;
        }
        t.elapsed()
    };
    let mark_all = timed('*');
    let open = timed('b');
    let targets = match &app.overlay {
        Some(custdesk::tui::app::Overlay::Bulk(d)) => d.targets.len(),
        _ => 0,
    };
    println!(
        "key to frame: mark all 100,000 results {mark_all:?}; open the bulk dialog over {targets} marks {open:?}"
    );
}

/// Spawn the real binary in a pty; answer (time to first frame, bytes written during
/// `idle` after it).
fn pty_run(data: &std::path::Path, idle: Duration) -> (Duration, usize) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 50,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_custdesk"));
    cmd.args(["--seed-customers", "5000"]);
    cmd.env("CUSTDESK_DATA_DIR", data);
    cmd.env("CUSTDESK_CONFIG_DIR", data.join("config"));
    cmd.env("TERM", "xterm-256color");
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let raw = Arc::new(Mutex::new(Vec::<u8>::new()));
    let first = Arc::new(Mutex::new(None::<Duration>));
    let (r2, f2) = (raw.clone(), first.clone());
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            let mut r = r2.lock().unwrap();
            r.extend_from_slice(&buf[..n]);
            if f2.lock().unwrap().is_none() && r.windows(16).any(|w| w == b"TRAINING SANDBOX") {
                *f2.lock().unwrap() = Some(start.elapsed());
            }
        }
    });
    while first.lock().unwrap().is_none() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_millis(500)); // sign-in answer and its redraw
    let before = raw.lock().unwrap().len();
    std::thread::sleep(idle);
    let idle_bytes = raw.lock().unwrap().len() - before;
    let _ = writer.write_all(b"\x03"); // Ctrl-C: the search box has focus at start
    let _ = child.wait();
    let first_frame = first.lock().unwrap().unwrap_or(Duration::MAX);
    (first_frame, idle_bytes)
}

fn main() {
    render_figures();
    if std::env::args().any(|a| a == "render") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (created, _) = pty_run(dir.path(), Duration::from_millis(0));
    println!("first frame on a new database (seeds 5,000 customers): {created:?}");
    let mut firsts = Vec::new();
    for _ in 0..5 {
        firsts.push(pty_run(dir.path(), Duration::from_millis(0)).0);
    }
    firsts.sort();
    println!(
        "first frame on an existing database, 5 runs: median {:?}  max {:?}",
        firsts[2], firsts[4]
    );
    let (_, idle) = pty_run(dir.path(), Duration::from_secs(5));
    println!("bytes written by the real binary over 5 idle seconds: {idle}");
}
