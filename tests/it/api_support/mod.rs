//! Helpers for the client tests: clients for the demo identities with quick retry
//! timings, and ids read straight from the sandbox's store.
#![allow(dead_code)]

use std::time::Duration;

use custdesk::api::{ApiConfig, Client, Credentials, ErrorKind, Secret};

use crate::common::TestSandbox;

/// The sandbox's configuration with backoffs short enough for tests.
pub fn config(base: &str) -> ApiConfig {
    let mut cfg = ApiConfig::sandbox(base);
    cfg.timeouts.connect = Duration::from_secs(1);
    cfg.timeouts.request = Duration::from_secs(5);
    cfg.timeouts.backoff_base = Duration::from_millis(10);
    cfg.timeouts.backoff_max = Duration::from_millis(100);
    cfg
}

pub fn agent(ts: &TestSandbox) -> Client {
    Client::new(config(&ts.base)).expect("client builds")
}

pub fn as_client(ts: &TestSandbox, id: &str, secret: &str) -> Client {
    Client::new(config(&ts.base).with_client(id, secret)).expect("client builds")
}

pub fn backoffice(ts: &TestSandbox) -> Client {
    as_client(ts, "backoffice", "backoffice-secret")
}

/// A client that presents `token` as it is, never renewing it.
pub fn with_token(cfg: ApiConfig, token: &str) -> Client {
    let mut cfg = cfg;
    cfg.credentials = Credentials::StaticToken {
        token: Secret::from(token),
    };
    Client::new(cfg).expect("client builds")
}

/// A customer id by family name, from the store (no HTTP, so no fault or rate limit).
pub fn id_of(ts: &TestSandbox, family_name: &str) -> String {
    let name = family_name.to_string();
    ts.sb
        .state
        .store
        .read(|c| {
            c.query_row(
                "SELECT id FROM customers WHERE family_name = ?1 AND tenant = 'demo-bank' ORDER BY cid LIMIT 1",
                [name],
                |r| r.get(0),
            )
        })
        .expect("customer exists")
}

pub fn ada(ts: &TestSandbox) -> String {
    id_of(ts, "Quartermaine")
}

/// Demo-tenant customer ids in creation order.
pub fn ids(ts: &TestSandbox, n: usize) -> Vec<String> {
    ts.sb
        .state
        .store
        .read(|c| {
            c.prepare("SELECT id FROM customers WHERE tenant = 'demo-bank' ORDER BY cid LIMIT ?1")?
                .query_map([n as i64], |r| r.get(0))?
                .collect()
        })
        .expect("ids")
}

/// A rival-tenant customer id.
pub fn rival(ts: &TestSandbox) -> String {
    ts.sb
        .state
        .store
        .read(|c| {
            c.query_row(
                "SELECT id FROM customers WHERE tenant = 'rival-bank' LIMIT 1",
                [],
                |r| r.get(0),
            )
        })
        .expect("rival customer")
}

/// Invalid input naming `field`.
pub fn invalid(field: &str) -> ErrorKind {
    ErrorKind::Invalid {
        field: Some(field.to_string()),
    }
}

pub fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

/// `shown` with every UUID (correlation ids, fresh per run) replaced by `[uuid]`, for a
/// snapshot that is the same in every run.
pub fn without_uuids(shown: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < shown.len() {
        if let Some(s) = shown.get(i..i + 36)
            && is_uuid(s)
        {
            out.push_str("[uuid]");
            i += 36;
            continue;
        }
        let ch = shown[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// How many times the store applied a write with this idempotency key.
pub fn applied(ts: &TestSandbox, key: &str) -> i64 {
    let key = key.to_string();
    ts.sb
        .state
        .store
        .read(|c| {
            c.query_row(
                "SELECT count(*) FROM write_log WHERE idem_key = ?1",
                [key],
                |r| r.get(0),
            )
        })
        .expect("write_log")
}

/// A port nothing listens on.
pub async fn closed_port() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

/// A token for a demo client, put straight into the sandbox's token table (for tests
/// whose token endpoint is itself faulty or slow).
pub fn mint(ts: &TestSandbox, client: &str) -> String {
    let demo = custdesk::sandbox::auth::client(client).expect("demo client");
    ts.sb.state.tokens.issue(custdesk::sandbox::auth::Caller {
        client_id: demo.id.to_string(),
        tenant: demo.tenant.to_string(),
        scopes: demo.scopes.iter().map(|s| s.to_string()).collect(),
        customer: None,
        expires: std::time::Instant::now() + Duration::from_secs(3600),
    })
}

/// Everything logged (at every level) on this thread while the guard lives: the
/// client's own lines and the sandbox's access log.
#[derive(Clone, Default)]
pub struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Logs {
    pub fn capture() -> (Logs, tracing::subscriber::DefaultGuard) {
        let logs = Logs::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(logs.clone())
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
    /// Requests the sandbox served on `path` (exactly).
    pub fn served(&self, path: &str) -> usize {
        self.text()
            .lines()
            .filter(|l| {
                l.contains("custdesk::sandbox::access") && l.contains(&format!("path={path} "))
            })
            .count()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

/// The accounts customer `id` holds at NewDay: `(account id, account type)`.
pub async fn accounts_of(c: &Client, id: &str) -> Vec<(String, String)> {
    let who = c
        .newday()
        .get_customer(id)
        .await
        .expect("the customer is at NewDay");
    who.value
        .accounts
        .into_iter()
        .map(|a| (a.account_id, a.account_type))
        .collect()
}

/// The first card account of customer `id`.
pub async fn card_of(c: &Client, id: &str) -> String {
    accounts_of(c, id)
        .await
        .into_iter()
        .find(|(_, kind)| kind == "CARD")
        .map(|(account, _)| account)
        .expect("the customer holds a card")
}
