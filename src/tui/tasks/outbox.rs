//! The embedded sandbox's outbox, read for a trainee: the message a passcode flow sent
//! to the customer's phone. `update` asks for it only against the embedded sandbox.

use tokio::sync::mpsc::UnboundedSender;

use crate::api::Client;
use crate::tui::msg::{Msg, Outcome};

/// Read the outbox and answer `Msg::Outbox` with the message of passcode flow `flow`
/// (the outbox lists the tenant's messages newest first), or why it could not be read.
pub fn read(client: &Client, tx: &UnboundedSender<Msg>, flow: String) {
    let (c, tx) = (client.clone(), tx.clone());
    tokio::spawn(async move {
        let outcome = match c.sandbox().outbox(None).await {
            Ok(reply) => {
                let sent = reply
                    .value
                    .messages
                    .into_iter()
                    .find(|m| m.control_flow_id.as_deref() == Some(flow.as_str()));
                Outcome::ok(sent, reply.correlation_id)
            }
            Err(e) => Outcome::err(e.to_string(), Some(e.correlation_id.clone())),
        };
        let _ = tx.send(Msg::Outbox { flow, outcome });
    });
}
