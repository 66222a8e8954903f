//! The training sandbox's own endpoints: what it "sent" to customers' phones. A real
//! deployment has none; the console calls this only against its embedded sandbox.

use super::client::{Inner, Req};
use super::error::ApiError;
use super::wire::sandbox;
use super::{Family, Reply};

/// The sandbox-only calls.
#[derive(Clone, Copy)]
pub struct Sandbox<'a>(pub(super) &'a Inner);

impl Sandbox<'_> {
    /// `GET /sandbox/outbox[?to]`: the messages sent to the signed-in tenant's
    /// customers, newest first (needs `customers:read`).
    pub async fn outbox(self, to: Option<&str>) -> Result<Reply<sandbox::Outbox>, ApiError> {
        let req = Req::get(Family::Sandbox, "sandbox.outbox")
            .path("outbox")
            .query("to", to);
        self.0.call(req).await
    }
}
