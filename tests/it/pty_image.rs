//! The profile image in the real binary, in a pseudo-terminal that answers no query
//! (no graphics, no cell size, not even device attributes): the console asks once at
//! start, stops waiting at its timeout, draws the image as half-blocks and never sends
//! kitty, sixel or iTerm2 image bytes.

use crate::pty::{Console, contains};
use crate::{api_support, common, tui_image};

/// Where the console switched to the alternate screen: what it wrote before is the
/// start (the terminal queries), what follows is the console.
fn split_at_alternate_screen(raw: &[u8]) -> (&[u8], &[u8]) {
    let enter = b"\x1b[?1049h";
    let at = raw
        .windows(enter.len())
        .position(|w| w == enter)
        .expect("the console entered the alternate screen");
    raw.split_at(at)
}

/// A sixel image: `ESC P`, optional numeric parameters, then `q`.
fn has_sixel(raw: &[u8]) -> bool {
    raw.windows(2).enumerate().any(|(i, w)| {
        w == b"\x1bP"
            && raw[i + 2..]
                .iter()
                .find(|b| !(b.is_ascii_digit() || **b == b';'))
                == Some(&b'q')
    })
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

/// Search for Ada, open her and wait for her profile; the console and what it wrote.
async fn open_ada(ts: &common::TestSandbox, config: Option<&'static str>) -> Console {
    let base = ts.base.clone();
    tokio::task::spawn_blocking(move || {
        let data = tempfile::tempdir().unwrap();
        if let Some(text) = config {
            let dir = data.path().join("config");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("config.toml"), text).unwrap();
        }
        let mut c = Console::spawn_in(data, &["--backend", &base], 35, 120);
        c.expect("corr");
        eprintln!("first frame after {:?}", c.started.elapsed());
        c.type_keys("quartermaine");
        c.expect("Quartermaine, Ada");
        c.send("\r");
        c.expect("Caller not verified");
        c.expect("Card addresses");
        c
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminal_that_answers_no_query_gets_half_blocks_and_no_image_protocol() {
    let ts = common::start(20).await;
    let id = api_support::ada(&ts);
    tui_image::put_avatar(&api_support::agent(&ts), &id).await;
    let c = open_ada(&ts, None).await;
    // The picture arrives on its own, after the profile: drawn as half-blocks.
    let c2 = tokio::task::spawn_blocking(move || {
        c.expect("▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀");
        c
    });
    let mut c = c2.await.unwrap();
    let screen = c.text();
    let top = screen
        .lines()
        .find(|l| l.contains("Ms Ada Quartermaine"))
        .unwrap();
    assert!(
        top.trim_end().ends_with("▀ │"),
        "top right of the pane:\n{screen}"
    );

    let raw = c.raw();
    let (start, console) = split_at_alternate_screen(&raw);
    // The terminal was asked (a kitty query, `a=q`, draws nothing) and, answering
    // nothing, got no image protocol: no kitty image, no sixel, no iTerm2 file.
    assert!(
        contains(start, b"\x1b_Gi=31,s=1,v=1,a=q,"),
        "no graphics query"
    );
    assert_eq!(
        count(&raw, b"\x1b_G"),
        1,
        "only the query is a kitty sequence"
    );
    // Both start-up questions (the background colour and the graphics) went out in
    // one query ending in one device attributes request: one wait on a silent
    // terminal, not two.
    assert!(
        contains(start, b"\x1b]11;?\x1b\\\x1b_Gi=31,"),
        "not one query"
    );
    assert_eq!(count(start, b"\x1b[c"), 1, "more than one wait");
    assert!(
        !contains(console, b"\x1b_G"),
        "kitty graphics reached the pty"
    );
    assert!(!has_sixel(&raw), "sixel reached the pty");
    assert!(
        !contains(&raw, b"\x1b]1337;File="),
        "an iTerm2 image reached the pty"
    );
    assert!(c.quit().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn image_false_in_the_config_asks_nothing_and_draws_no_image() {
    let ts = common::start(20).await;
    let id = api_support::ada(&ts);
    tui_image::put_avatar(&api_support::agent(&ts), &id).await;
    let mut c = open_ada(&ts, Some("image = false\n")).await;
    let raw = c.raw();
    assert!(!contains(&raw, b"\x1b_G"), "a graphics query went out");
    assert!(!contains(&raw, b"\x1b[>q"), "a version query went out");
    // The profile is complete (its last part drawn) and has no picture.
    let screen = c.text();
    assert!(!screen.contains('▀') && !screen.contains('▄'), "{screen}");
    assert!(c.quit().success());
}

#[test]
fn sixel_is_told_from_other_device_control_strings() {
    assert!(has_sixel(b"ab\x1bP0;1;0q\"1;1;2;2#0~-\x1b\\"));
    assert!(has_sixel(b"\x1bPq#0~\x1b\\"));
    assert!(!has_sixel(b"\x1bP>|xterm\x1b\\\x1bP$qm\x1b\\"));
}

/// The real binary in a pty that answers the graphics query with `answer`, as a
/// terminal with graphics would; every byte it wrote, once `done` says so of them.
fn run_answering(base: &str, answer: &'static [u8], done: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    use std::io::Write;

    use std::time::{Duration, Instant};

    let home = tempfile::tempdir().unwrap();
    let crate::pty::Answering {
        raw,
        writer,
        mut child,
    } = crate::pty::spawn_answering(
        home.path(),
        &["--backend", base],
        (35, 120),
        b"\x1b_Gi=31,s=1,v=1,a=q,",
        Some(answer.to_vec()),
    );
    let screen = |raw: &[u8]| {
        let mut p = vt100::Parser::new(
            std::num::NonZeroU16::new(35).unwrap(),
            std::num::NonZeroU16::new(120).unwrap(),
            0,
        );
        p.process(raw);
        p.screen().contents()
    };
    let wait = |what: &dyn Fn(&[u8]) -> bool, said: &str| {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let now = raw.lock().unwrap().clone();
            if what(&now) {
                return;
            }
            assert!(Instant::now() < until, "{said}:\n{}", screen(&now));
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let send = |s: &[u8]| {
        let mut w = writer.lock().unwrap();
        w.write_all(s).unwrap();
        w.flush().unwrap();
    };
    wait(&|r| screen(r).contains("corr"), "no first frame");
    for c in "quartermaine".bytes() {
        send(&[c]);
        std::thread::sleep(Duration::from_millis(2));
    }
    wait(
        &|r| screen(r).contains("Quartermaine, Ada"),
        "Ada not found",
    );
    send(b"\r");
    wait(&|r| screen(r).contains("Card addresses"), "Ada not opened");
    wait(&done, "no image");
    let _ = child.kill();
    let _ = child.wait();
    raw.lock().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminal_that_answers_for_kitty_or_sixel_gets_its_images() {
    let ts = common::start(20).await;
    let id = api_support::ada(&ts);
    tui_image::put_avatar(&api_support::agent(&ts), &id).await;
    let base = ts.base.clone();
    let (kitty, sixel) = tokio::task::spawn_blocking(move || {
        // Kitty: the image accepted, 10×20-pixel cells, device attributes.
        let kitty = run_answering(
            &base,
            b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[?62;22c",
            |r| contains(split_at_alternate_screen(r).1, b"\x1b_G"),
        );
        // Sixel: attribute 4, no kitty answer.
        let sixel = run_answering(&base, b"\x1b[6;20;10t\x1b[?62;4;22c", |r| {
            has_sixel(split_at_alternate_screen(r).1)
        });
        (kitty, sixel)
    })
    .await
    .unwrap();
    // Each got its own protocol and no other.
    let (_, console) = split_at_alternate_screen(&kitty);
    assert!(
        contains(console, b",a=T,U=1,"),
        "a kitty transmission, placed by placeholder"
    );
    assert!(!has_sixel(&kitty) && !contains(&kitty, b"\x1b]1337;File="));
    let (_, console) = split_at_alternate_screen(&sixel);
    assert!(!contains(console, b"\x1b_G") && !contains(&sixel, b"\x1b]1337;File="));
    assert!(has_sixel(console));
}
