//! The profile image, from the sandbox over HTTP: Citi's GET answers what a PUT
//! stored, and the console reads it when a customer opens, decodes it off the event
//! loop and draws it as half-blocks beside the particulars where the pane has room.

use std::io::Cursor;

use base64::Engine as _;
use custdesk::api::IdempotencyKey;
use custdesk::api::wire::citi::ProfileImage;
use custdesk::tui::app::Load;
use custdesk::tui::graphics::{Graphics, Kind};
use ratatui::style::Color;

use crate::tui_fixture::*;
use crate::{api_support, common};

/// A 20×20 PNG, each row darker than the one above (so every half-block cell is `▀`,
/// its top brighter than its bottom), with a lighter square for a face.
pub fn avatar_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(20, 20, |x, y| {
        let (x, y) = (x as u8, y as u8);
        if (6..14).contains(&x) && (4..12).contains(&y) {
            image::Rgb([240, 200, 160 - 2 * y])
        } else {
            image::Rgb([250 - 10 * y, 100 + 3 * x, 70])
        }
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Give customer `id` the avatar with Citi's PUT, over HTTP as the demo agent.
pub async fn put_avatar(client: &custdesk::api::Client, id: &str) {
    let image = ProfileImage {
        image_type: "image/png".into(),
        image: base64::engine::general_purpose::STANDARD.encode(avatar_png()),
    };
    client
        .citi()
        .put_profile_image(id, &image, &IdempotencyKey::fresh())
        .await
        .expect("the sandbox stores the image");
}

/// `shown` with correlation ids (hyphenated UUIDs, fresh each run) replaced by
/// `[uuid]`; customer ids (the seed is fixed) stay.
fn without_uuids(shown: &str) -> String {
    shown
        .lines()
        .map(|l| {
            l.split(' ')
                .map(|w| {
                    if w.len() == 36 && api_support::is_uuid(w) {
                        "[uuid]"
                    } else {
                        w
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn citi_answers_the_image_a_put_stored_and_none_before() {
    let ts = common::start(10).await;
    let id = api_support::ada(&ts);
    let c = api_support::agent(&ts);
    // Seeded customers have no image: GET answers 404, which the client reads as none.
    let before = c.citi().profile_image(&id).await.expect("a GET");
    assert_eq!(before.value, None);
    put_avatar(&c, &id).await;
    let got = c.citi().profile_image(&id).await.expect("a GET").value;
    let got = got.expect("the stored image");
    assert_eq!(got.image_type, "image/png");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&got.image)
        .unwrap();
    assert_eq!(bytes, avatar_png());
    assert!(!got.last_updated.is_empty());
}

#[tokio::test]
async fn the_profile_draws_the_image_as_half_blocks_beside_the_particulars() {
    let ts = common::start(10).await;
    let id = api_support::ada(&ts);
    put_avatar(&api_support::agent(&ts), &id).await;

    let mut app = app();
    open_from_sandbox(&ts, &mut app, &id, Some(Graphics::halfblocks())).await;
    let c = app.customer.as_ref().unwrap();
    let Load::Ready(Some(p)) = &c.image else {
        panic!("the image is ready: {:?}", c.image);
    };
    assert_eq!(p.kind, Kind::Halfblocks);
    // Square, in a box of 20 by 10 cells: two pixels a cell, top and bottom.
    assert_eq!((p.size.width, p.size.height), (20, 10));
    assert!(
        app.status.last_error.is_none(),
        "{:?}",
        app.status.last_error
    );

    let with = render(&mut app, 120, 35);
    let buf = with.backend().buffer();
    let shown = text(buf);
    // The picture's cells are the only ones in true colour: the top pixel the
    // foreground, the bottom one the background.
    let drawn: Vec<(u16, u16)> = buf
        .area
        .positions()
        .map(|p| (p.x, p.y))
        .filter(|&p| matches!((buf[p].fg, buf[p].bg), (Color::Rgb(..), Color::Rgb(..))))
        .collect();
    assert_eq!(drawn.len(), 200, "a 20×10 picture:\n{shown}");
    let (x0, y0) = drawn[0];
    assert!(
        drawn
            .iter()
            .all(|&(x, y)| (x0..x0 + 20).contains(&x) && (y0..y0 + 10).contains(&y)),
        "one block: {drawn:?}"
    );
    // At the top right of the pane, a column in from its border.
    assert_eq!((x0, y0), (120 - 2 - 20, 3), "{shown}");
    let halves = drawn.iter().filter(|&&p| buf[p].symbol() == "▀").count();
    assert!(
        halves > 150,
        "mostly ▀ (the image darkens downwards): {halves}"
    );
    // Beside the particulars, not over them: left of it, the text is what it is
    // without an image, and nothing of that text ran under it.
    let picture = app.customer.as_ref().unwrap().image.clone();
    app.customer.as_mut().unwrap().image = Load::Ready(None);
    let plain = render(&mut app, 120, 35);
    app.customer.as_mut().unwrap().image = picture;
    let plain = plain.backend().buffer();
    for p in buf.area.positions().map(|p| (p.x, p.y)) {
        if !drawn.contains(&p) {
            assert_eq!(buf[p].symbol(), plain[p].symbol(), "at {p:?}:\n{shown}");
        } else {
            assert_eq!(plain[p].symbol(), " ", "text under the image at {p:?}");
        }
    }
    insta::assert_snapshot!("profile_image_halfblocks_120x35", without_uuids(&shown));
}

#[tokio::test]
async fn a_pane_too_narrow_for_the_image_beside_its_fields_draws_none() {
    let ts = common::start(10).await;
    let id = api_support::ada(&ts);
    put_avatar(&api_support::agent(&ts), &id).await;
    let mut app = app();
    open_from_sandbox(&ts, &mut app, &id, Some(Graphics::halfblocks())).await;
    assert!(matches!(
        app.customer.as_ref().unwrap().image,
        Load::Ready(Some(_))
    ));
    let picture = app.customer.as_ref().unwrap().image.clone();
    for (w, h) in [(80, 24), (60, 20)] {
        app.customer.as_mut().unwrap().image = picture.clone();
        let with = text(render(&mut app, w, h).backend().buffer());
        app.customer.as_mut().unwrap().image = Load::Ready(None);
        let without = text(render(&mut app, w, h).backend().buffer());
        assert!(!with.contains('▀'), "{w}x{h}:\n{with}");
        assert_eq!(with, without, "{w}x{h}");
    }
}

#[tokio::test]
async fn with_images_off_nothing_is_read_or_drawn() {
    let ts = common::start(10).await;
    let id = api_support::ada(&ts);
    put_avatar(&api_support::agent(&ts), &id).await;
    let mut app = app();
    open_from_sandbox(&ts, &mut app, &id, None).await;
    assert_eq!(app.customer.as_ref().unwrap().image, Load::Ready(None));
    let shown = text(render(&mut app, 120, 35).backend().buffer());
    assert!(!shown.contains('▀'), "{shown}");
}

#[tokio::test]
async fn an_image_that_is_not_a_picture_is_said_in_words() {
    let ts = common::start(10).await;
    let id = api_support::ada(&ts);
    // A PNG signature and nothing after it: Citi takes it, no decoder can.
    let broken = ProfileImage {
        image_type: "image/png".into(),
        image: base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\nbroken"),
    };
    api_support::agent(&ts)
        .citi()
        .put_profile_image(&id, &broken, &IdempotencyKey::fresh())
        .await
        .unwrap();
    let mut app = app();
    open_from_sandbox(&ts, &mut app, &id, Some(Graphics::halfblocks())).await;
    let c = app.customer.as_ref().unwrap();
    let Load::Failed(e) = &c.image else {
        panic!("{:?}", c.image);
    };
    assert_eq!(
        e,
        "the profile image could not be read (damaged or too large)"
    );
    assert_eq!(app.status.last_error.as_deref(), Some(e.as_str()));
    // The rest of the profile is there.
    assert!(matches!(c.details, Load::Ready(_)));
    let shown = text(render(&mut app, 120, 35).backend().buffer());
    assert!(shown.contains("Quartermaine"), "{shown}");
}
