//! The HTTP client for the five API families. No terminal code here.
//!
//! ```no_run
//! # async fn demo() -> Result<(), custdesk::api::ApiError> {
//! use custdesk::api::{ApiConfig, Client, IdempotencyKey};
//! let client = Client::new(ApiConfig::sandbox("http://127.0.0.1:8080")).expect("valid config");
//! let ada = client.newday().get_customer("0123456789abcdef0123456789abcdef").await?;
//! println!("{} (correlation id {})", ada.value.family_name, ada.correlation_id);
//! let key = IdempotencyKey::fresh();
//! let body = custdesk::api::wire::relay::AddPhone {
//!     consent_type: "express".into(),
//!     phone_type: "mobile".into(),
//!     country_code: Some("44".into()),
//!     client_source: None,
//! };
//! client.relay().add_phone(&ada.value.id, "7700900999", &body, &key).await?;
//! # Ok(()) }
//! ```

mod auth;
pub mod client;
pub mod config;
pub mod error;
pub mod families;
pub mod ops;
mod retry;
pub mod sandbox;
pub mod view;
pub mod wire;

use std::time::Duration;

pub use client::{Client, ClientBuildError};
pub use config::{ApiConfig, Credentials, FamilyBases, Secret, Timeouts};
pub use error::{ApiError, Class, ErrorKind};
pub use families::{Banking, BoundCustomer, Candescent, Citi, NewDay, Relay, UserIdType};
pub use sandbox::Sandbox;
pub use view::CustomerView;

/// The five API families, plus the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Citi,
    NewDay,
    Candescent,
    Relay,
    Banking,
    OAuth,
    /// The training sandbox's own endpoints (its outbox); none in a real deployment.
    Sandbox,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Citi => "Citi",
            Family::NewDay => "NewDay",
            Family::Candescent => "Candescent",
            Family::Relay => "Relay",
            Family::Banking => "bankingservice",
            Family::OAuth => "OAuth",
            Family::Sandbox => "sandbox",
        }
    }
}

/// A successful answer with what the console shows beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    pub value: T,
    /// Sent with every attempt of this call (`x-correlation-id`, and Citi `uuid`,
    /// Candescent `correlationId`).
    pub correlation_id: String,
    pub status: u16,
    /// Attempts made (1 when not retried).
    pub attempts: u32,
    /// From the first attempt to the decoded answer, waits included.
    pub elapsed: Duration,
    /// The server replayed a stored answer to an `Idempotency-Key` it had seen.
    pub replayed: bool,
}

impl<T> Reply<T> {
    /// The same reply with its value turned into another.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply {
            value: f(self.value),
            correlation_id: self.correlation_id,
            status: self.status,
            attempts: self.attempts,
            elapsed: self.elapsed,
            replayed: self.replayed,
        }
    }
}

/// The `Idempotency-Key` of one logical write, reused across all of its attempts (and
/// by a caller who retries the same write later). 1 to 255 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// A new random key, for a write the agent starts in the console.
    pub fn fresh() -> Self {
        IdempotencyKey(uuid::Uuid::new_v4().to_string())
    }

    /// A key derived from a bulk job and one of its items, the same every time the
    /// engine (re)processes that item, so a resumed job never applies an item twice.
    pub fn derived(job: &str, item: &str) -> Self {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(job.as_bytes());
        h.update([0u8]);
        h.update(item.as_bytes());
        IdempotencyKey(format!("cdk-{:x}", h.finalize()))
    }

    /// A key given by the caller, checked.
    pub fn parse(key: &str) -> Result<Self, String> {
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("an Idempotency-Key is 1 to 255 printable ASCII characters".into());
        }
        Ok(IdempotencyKey(key.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_ne!(IdempotencyKey::fresh(), IdempotencyKey::fresh());
        let a = IdempotencyKey::derived("job-1", "row-7");
        assert_eq!(a, IdempotencyKey::derived("job-1", "row-7"));
        assert_ne!(a, IdempotencyKey::derived("job-1", "row-8"));
        assert_ne!(
            IdempotencyKey::derived("job-1r", "ow-7"),
            IdempotencyKey::derived("job-1", "row-7")
        );
        assert!(IdempotencyKey::parse(a.as_str()).is_ok());
        assert!(IdempotencyKey::parse("").is_err());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
    }
}
