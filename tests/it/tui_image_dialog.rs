//! The profile image dialog (`I`): set the image from a file, remove it. In process
//! against the real sandbox over HTTP, read back through Citi's GET; a file the bank
//! would refuse is refused before anything is sent; read-only opens nothing. One 80x24
//! snapshot with the fixture.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use custdesk::api::{ApiConfig, Client};
use custdesk::tui::app::{App, Overlay};
use custdesk::tui::keymap::Keymap;
use custdesk::tui::theme::Theme;

use crate::common;
use crate::edit_fixture::*;
use crate::loop_support::Loop;
use crate::tui_fixture::*;
use crate::tui_image::avatar_png;

/// A folder with a short path, so a refusal naming a file fits on one line of the
/// dialog (the screen is matched line by line).
fn short_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("i")
        .tempdir_in("/tmp")
        .unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn client(ts: &common::TestSandbox) -> Client {
    Client::new(ApiConfig::sandbox(&ts.base).with_client("agent", "agent-secret")).unwrap()
}

/// The image Citi holds for `id`: its type and bytes.
async fn stored(c: &Client, id: &str) -> Option<(String, Vec<u8>)> {
    let got = c.citi().profile_image(id).await.expect("a GET").value?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&got.image)
        .unwrap();
    Some((got.image_type, bytes))
}

#[tokio::test(flavor = "multi_thread")]
async fn set_the_image_from_a_file_then_remove_it_both_read_back_and_audited() {
    let ts = common::start(20).await;
    let id = ts.ada(&ts.agent().await).await;
    let http = client(&ts);
    assert_eq!(stored(&http, &id).await, None, "the seed has no image");
    let dir = short_dir();
    let png = avatar_png();
    let file = write(dir.path(), "ada.png", &png);

    let c = Loop::start(&ts, "agent", 120, 35);
    c.open_ada_and_verify().await;
    c.keys("I");
    c.expect("Profile image · Ada Quartermaine").await;
    c.expect("PNG, JPEG or GIF, at most 512 KiB").await;
    // The path is typed a key at a time (its letters are text, not the console's keys).
    c.keys(&file.display().to_string());
    c.enter();
    let size = custdesk::tui::edit::image::size_words(png.len() as u64);
    let desc = format!("image/png 20×20, {size}");
    c.expect(&format!(
        "Set Ada Quartermaine's profile image to this {desc}?"
    ))
    .await;
    c.enter();
    c.expect(&format!("✓ Profile image set: {desc}")).await;
    assert_eq!(
        stored(&http, &id).await,
        Some(("image/png".to_string(), png.clone())),
        "Citi holds the file's bytes"
    );
    c.enter();
    c.expect_gone("Profile image · Ada").await;

    // Remove it: up to the choice, over to remove.
    c.keys("I");
    c.expect("Profile image · Ada Quartermaine").await;
    c.key(crossterm::event::KeyCode::Up);
    c.key(crossterm::event::KeyCode::Right);
    c.expect("(•) remove").await;
    c.enter();
    c.expect("Remove Ada Quartermaine's profile image?").await;
    c.enter();
    c.expect("✓ Profile image removed").await;
    assert_eq!(stored(&http, &id).await, None, "the image is gone");
    c.enter();
    c.expect_gone("Profile image · Ada").await;

    // Removing it again: the bank has none, said so in words.
    c.keys("I");
    c.key(crossterm::event::KeyCode::Tab);
    c.key(crossterm::event::KeyCode::Right);
    c.enter();
    c.expect("Remove Ada Quartermaine's profile image?").await;
    c.enter();
    c.expect("✗ This customer has no profile image to remove")
        .await;
    c.esc();

    // Both writes audited with what was sent described, never the bytes or the path.
    let audit = std::fs::read_to_string(c.data.path().join("data").join("audit.log")).unwrap();
    let put: Vec<&str> = audit.lines().filter(|l| l.contains("image.put")).collect();
    assert_eq!(put.len(), 1, "{audit}");
    assert!(put[0].contains(&desc), "{}", put[0]);
    let del: Vec<&str> = audit
        .lines()
        .filter(|l| l.contains("image.delete"))
        .collect();
    assert_eq!(
        del.len(),
        2,
        "the removal and the refused second one: {audit}"
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
    assert!(!audit.contains(&b64[..40]), "image bytes in the audit log");
    assert!(!audit.contains("ada.png"), "the path in the audit log");
    c.quit("set and remove the profile image").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_the_bank_would_refuse_is_refused_before_sending() {
    let ts = common::start(20).await;
    let id = ts.ada(&ts.agent().await).await;
    let http = client(&ts);
    let dir = short_dir();
    // A real PNG signature, then padding past the limit.
    let mut big = avatar_png();
    big.resize(600 * 1024, 0);
    let d = dir.path().display().to_string();
    let cases = [
        (
            write(dir.path(), "b.png", &big),
            "b.png is 600 KiB; the bank takes images up to 512 KiB".to_string(),
        ),
        (
            write(dir.path(), "n.txt", b"not a picture at all"),
            "n.txt is not a PNG, JPEG or GIF image".to_string(),
        ),
        (
            write(dir.path(), "w.png", b"RIFF\x24\0\0\0WEBPVP8 rest"),
            "w.png is a WEBP image; the bank takes PNG, JPEG or GIF".to_string(),
        ),
        (
            write(dir.path(), "c.png", b"\x89PNG\r\n\x1a\ncut"),
            "c.png starts like a PNG image but cannot be read".to_string(),
        ),
        (
            dir.path().join("gone.png"),
            format!("There is no file at {d}/gone.png"),
        ),
        (dir.path().to_path_buf(), format!("{d} is a folder")),
    ];
    let before = ts.footprint();

    let c = Loop::start(&ts, "agent", 120, 35);
    c.open_ada_and_verify().await;
    c.keys("I");
    c.expect("Profile image · Ada Quartermaine").await;
    for (path, said) in cases {
        let typed = path.display().to_string();
        c.paste(&typed);
        c.enter();
        let shown = c.until(&said, |s| s.contains(&said)).await;
        // Still editing, the path as typed, nothing asked or sent.
        assert!(shown.contains(&format!("▶ File     {typed}")), "{shown}");
        assert!(!shown.contains("profile image to this"), "{shown}");
        // Clear the path for the next one.
        for _ in 0..typed.chars().count() {
            c.key(crossterm::event::KeyCode::Backspace);
        }
        c.expect("PNG, JPEG or GIF, at most 512 KiB").await;
    }
    c.esc();
    c.expect_gone("Profile image · Ada").await;
    c.quit("files refused before sending").await;
    assert_eq!(ts.footprint(), before, "nothing was written");
    assert_eq!(stored(&http, &id).await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_opens_no_image_dialog_and_sends_nothing() {
    let ts = common::start(20).await;
    let id = ts.ada(&ts.agent().await).await;
    let mut app = App::new(Keymap::default(), Theme::built_in("default"));
    app.status.backend = ts.base.clone();
    app.read_only = true;
    let before = ts.footprint();
    let c = Loop::start_app(&ts, "agent", app, 120, 35, None);
    c.expect("corr").await;
    c.keys("quartermaine");
    c.expect("1 of 1 matches").await;
    c.enter();
    c.expect("Caller not verified").await;
    c.keys("I");
    c.expect("Read-only: no edits are offered or sent").await;
    assert!(!c.text().contains("Profile image ·"), "{}", c.text());
    let audit = std::fs::read_to_string(c.data.path().join("data").join("audit.log")).unwrap();
    assert!(
        audit
            .lines()
            .any(|l| l.contains("image") && l.contains("refused: read-only")),
        "{audit}"
    );
    c.quit("read-only image").await;
    assert_eq!(ts.footprint(), before);
    assert_eq!(stored(&client(&ts), &id).await, None);
}

#[test]
fn a_path_with_no_file_keeps_the_dialog_and_the_path_80x24() {
    let mut a = verified();
    a.update(ch('I'));
    assert!(matches!(a.overlay, Some(Overlay::Image(_))));
    // `q`, `j` and space are keys elsewhere; here they are the path.
    type_str(&mut a, "/no/such/q j.png");
    let fx = enter(&mut a);
    assert!(fx.is_empty(), "nothing sent: {fx:?}");
    let t = render(&mut a, 80, 24);
    assert_eq!(control_cells(t.backend().buffer()), vec![]);
    let shown = text(t.backend().buffer());
    assert!(
        shown.contains("✗ There is no file at /no/such/q j.png"),
        "{shown}"
    );
    insta::assert_snapshot!("image_dialog_no_file_80x24", t.backend());
    // Small screens draw it without a panic or a control character.
    for (w, h) in [(40, 12), (20, 5), (1, 1)] {
        let t = render(&mut a, w, h);
        assert_eq!(control_cells(t.backend().buffer()), vec![], "{w}x{h}");
    }
}

#[test]
fn without_the_profile_scope_the_dialog_does_not_open() {
    let mut a = verified();
    a.status.scopes = scopes_of("auditor");
    let fx = a.update(ch('I'));
    assert!(a.overlay.is_none(), "{:?}", a.overlay);
    let n = records(&fx);
    assert_eq!(fx.len(), 1, "only the refusal: {fx:?}");
    assert_eq!(n[0].action, "profile_image");
    assert_eq!(n[0].outcome, "refused: missing scope profile:write");
    let notice = a.status.notice.clone().unwrap_or_default();
    assert!(notice.starts_with("profile:write missing"), "{notice}");
}

#[test]
fn an_unverified_caller_opens_no_image_dialog() {
    let mut a = app();
    ada_open(&mut a);
    let fx = a.update(ch('I'));
    assert!(a.overlay.is_none(), "{:?}", a.overlay);
    let n = records(&fx);
    assert_eq!(n.len(), 1, "{fx:?}");
    assert_eq!(n[0].action, "image");
    assert!(n[0].outcome.starts_with("refused: "), "{:?}", n[0]);
    assert!(!fx.iter().any(custdesk::tui::effect::Effect::is_write));
}
