//! The open customer's profile image: read from Citi, then decoded and encoded for the
//! terminal on a blocking thread, so the console keeps answering keys while it loads.

use crate::api::Client;
use crate::tui::graphics::{BOX, Graphics};
use crate::tui::msg::Outcome;

/// Customer `id`'s image, read and prepared for the terminal. With images off
/// (`graphics` none) nothing is read and there is none.
pub(super) async fn picture(
    c: &Client,
    id: &str,
    graphics: Option<Graphics>,
) -> Outcome<Option<crate::tui::graphics::Picture>> {
    match graphics {
        None => Outcome {
            result: Ok(None),
            correlation_id: None,
        },
        Some(g) => read(c, id, g).await,
    }
}

async fn read(c: &Client, id: &str, g: Graphics) -> Outcome<Option<crate::tui::graphics::Picture>> {
    let reply = match c.citi().profile_image(id).await {
        Ok(r) => r,
        Err(e) => return Outcome::err(e.to_string(), Some(e.correlation_id.clone())),
    };
    let cid = reply.correlation_id;
    let Some(stored) = reply.value else {
        return Outcome::ok(None, cid);
    };
    match tokio::task::spawn_blocking(move || g.picture(&stored, BOX)).await {
        Ok(Ok(p)) => Outcome::ok(Some(p), cid),
        Ok(Err(words)) => Outcome::err(words, Some(cid)),
        Err(_) => Outcome::err("the profile image could not be read", Some(cid)),
    }
}
