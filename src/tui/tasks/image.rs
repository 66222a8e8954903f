//! The open customer's profile image: read from Citi, then decoded and encoded for the
//! terminal on a blocking thread, so the console keeps answering keys while it loads.

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::api::Client;
use crate::tui::graphics::{BOX, Graphics};
use crate::tui::msg::{Msg, Outcome, Part};

/// Read and prepare customer `id`'s image, then send it as [`Part::Image`]. With images
/// off (`graphics` none) nothing is read and the part says there is none.
pub fn load(
    client: &Client,
    tx: &UnboundedSender<Msg>,
    id: &str,
    graphics: Option<Graphics>,
) -> JoinHandle<()> {
    let (c, tx, id) = (client.clone(), tx.clone(), id.to_string());
    tokio::spawn(async move {
        let outcome = match graphics {
            None => Outcome {
                result: Ok(None),
                correlation_id: None,
            },
            Some(g) => read(&c, &id, g).await,
        };
        let _ = tx.send(Msg::Loaded {
            customer_id: id,
            part: Part::Image(outcome),
        });
    })
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
