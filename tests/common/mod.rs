//! Shared test setup: a real sandbox on an ephemeral loopback port over a fresh SQLite
//! file, and small helpers to sign in.
#![allow(dead_code)]

use custdesk::sandbox::{self, RunningSandbox, SandboxConfig, faults::Faults};

pub struct TestSandbox {
    pub sb: RunningSandbox,
    pub base: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// Start a sandbox seeded with `customers` demo customers (Ada Quartermaine first).
pub async fn start(customers: u64) -> TestSandbox {
    start_with(customers, |_| {}).await
}

/// Start a sandbox after letting `tweak` adjust its configuration (faults, TTLs...).
pub async fn start_with(customers: u64, tweak: impl FnOnce(&mut SandboxConfig)) -> TestSandbox {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = SandboxConfig::new(dir.path().join("sandbox.db"));
    cfg.seed_customers = customers;
    cfg.faults = Faults::default();
    tweak(&mut cfg);
    let sb = sandbox::start(cfg).await.expect("sandbox starts");
    let base = sb.base_url();
    TestSandbox {
        sb,
        base,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

impl TestSandbox {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client-credentials token for a demo client.
    pub async fn token(&self, client: &str, secret: &str) -> String {
        let r: serde_json::Value = self
            .http
            .post(self.url("/oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", secret),
            ])
            .send()
            .await
            .expect("token call")
            .json()
            .await
            .expect("token json");
        r["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    pub async fn agent(&self) -> String {
        self.token("agent", "agent-secret").await
    }

    /// A customer-bound token (RFC 8693 exchange) for `customer_id`.
    pub async fn bound(&self, agent_token: &str, customer_id: &str) -> String {
        let r: serde_json::Value = self
            .http
            .post(self.url("/oauth2/token"))
            .form(&[
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:token-exchange",
                ),
                ("subject_token", agent_token),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
                ("resource", customer_id),
            ])
            .send()
            .await
            .expect("exchange call")
            .json()
            .await
            .expect("exchange json");
        r["access_token"]
            .as_str()
            .expect("exchanged access_token")
            .to_string()
    }

    /// Ada Quartermaine's customer id, found by search.
    pub async fn ada(&self, token: &str) -> String {
        let r: serde_json::Value = self
            .http
            .post(self.url("/customer-service/customers/search"))
            .bearer_auth(token)
            .json(&serde_json::json!({"filter": {"familyName": "Quartermaine"}}))
            .send()
            .await
            .expect("search")
            .json()
            .await
            .expect("search json");
        r["values"][0]["id"]
            .as_str()
            .expect("Ada exists")
            .to_string()
    }
}
