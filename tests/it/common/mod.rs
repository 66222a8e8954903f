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

    /// `POST /oauth2/token` with `form`, whatever it answers.
    pub async fn token_form(&self, form: &[(&str, &str)]) -> Answer {
        answer(
            self.http
                .post(self.url("/oauth2/token"))
                .form(form)
                .send()
                .await
                .expect("token call"),
        )
        .await
    }

    /// A client-credentials token for a demo client.
    pub async fn token(&self, client: &str, secret: &str) -> String {
        let a = self
            .token_form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", secret),
            ])
            .await;
        a.body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    pub async fn agent(&self) -> String {
        self.token("agent", "agent-secret").await
    }

    /// A token for a demo client issued straight into the sandbox's token table, for
    /// tests whose token endpoint is faulted or throttled on purpose.
    pub fn issued_token(&self, client: &str) -> String {
        use custdesk::sandbox::auth;
        let c = auth::client(client).expect("a demo client");
        self.sb.state.tokens.issue(auth::Caller {
            client_id: c.id.to_string(),
            tenant: c.tenant.to_string(),
            scopes: c.scopes.iter().map(|s| s.to_string()).collect(),
            customer: None,
            expires: auth::ttl(3600),
        })
    }

    /// `GET /sandbox/outbox` as the demo agent: the demo bank's messages, newest first.
    pub async fn outbox(&self) -> Vec<serde_json::Value> {
        let a = self
            .get("/sandbox/outbox", Some(&self.issued_token("agent")))
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.body["messages"].as_array().expect("messages").clone()
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

// ---------------------------------------------------------------------------------------
// Helpers for the sandbox_* suites: one call with its status, headers and JSON body;
// store counts; and each family's error body shape.

use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::Value;

pub const DEMO: &str = "demo-bank";
pub const RIVAL: &str = "rival-bank";

/// One answer: status, headers and the body as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

impl TestSandbox {
    /// A request builder with an optional bearer token.
    pub fn req(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let b = self.http.request(method, self.url(path));
        match token {
            Some(t) => b.bearer_auth(t),
            None => b,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        answer(
            self.req(Method::GET, path, token)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    /// Send `body` as JSON with `method`.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Answer {
        answer(
            self.req(method, path, token)
                .json(body)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        self.send_json(Method::POST, path, token, body).await
    }

    /// NewDay search with a filter object.
    pub async fn search(&self, token: &str, filter: Value) -> Answer {
        self.post(
            "/customer-service/customers/search",
            Some(token),
            &serde_json::json!({ "filter": filter }),
        )
        .await
    }

    /// A token for a demo client with its scopes narrowed to `scope`.
    pub async fn token_scoped(&self, client: &str, secret: &str, scope: &str) -> String {
        let a = self
            .token_form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client),
                ("client_secret", secret),
                ("scope", scope),
            ])
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    pub async fn backoffice(&self) -> String {
        self.token("backoffice", "backoffice-secret").await
    }

    pub async fn auditor(&self) -> String {
        self.token("auditor", "auditor-secret").await
    }

    pub async fn rival(&self) -> String {
        self.token("rival-agent", "rival-secret").await
    }

    /// A single number from the store.
    pub fn count(&self, sql: &str) -> i64 {
        self.sb
            .state
            .store
            .read(|c| c.query_row(sql, [], |r| r.get(0)))
            .expect("count query")
    }

    /// Rows in every customer table plus the write log: equal before and after a refused
    /// write means nothing was written.
    pub fn footprint(&self) -> Vec<i64> {
        [
            "customers",
            "addresses",
            "emails",
            "phones",
            "accounts",
            "alert_enrolments",
            "write_log",
        ]
        .iter()
        .map(|t| self.count(&format!("SELECT count(*) FROM {t}")))
        .collect()
    }

    /// Writes recorded in the write log under `key`.
    pub fn writes_with_key(&self, key: &str) -> i64 {
        self.sb
            .state
            .store
            .read(|c| {
                c.query_row(
                    "SELECT count(*) FROM write_log WHERE idem_key = ?1",
                    [key],
                    |r| r.get(0),
                )
            })
            .expect("count")
    }

    /// Ids of the first `n` customers of `tenant`, oldest first (Ada first in demo-bank).
    pub fn customer_ids(&self, tenant: &str, n: usize) -> Vec<String> {
        self.sb
            .state
            .store
            .read(|c| {
                let mut st =
                    c.prepare("SELECT id FROM customers WHERE tenant = ?1 ORDER BY cid LIMIT ?2")?;
                st.query_map(rusqlite::params![tenant, n as i64], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .expect("ids")
    }

    /// Phones held by customer `id`.
    pub fn phone_count(&self, id: &str) -> i64 {
        self.sb
            .state
            .store
            .read(|c| {
                c.query_row(
                    "SELECT count(*) FROM phones p JOIN customers c ON c.cid = p.cid WHERE c.id = ?1",
                    [id],
                    |r| r.get(0),
                )
            })
            .expect("count")
    }
}

/// NewDay's 400 model: `{title, status, detail, errors{field: [..]}}`, naming `field` if given.
pub fn assert_newday_error(a: &Answer, status: u16, field: Option<&str>) {
    assert_eq!(a.status.as_u16(), status, "{}", a.text);
    assert_json(a);
    assert_eq!(a.body["status"], status, "{}", a.text);
    assert!(a.body["title"].is_string(), "{}", a.text);
    assert!(a.body["detail"].is_string(), "{}", a.text);
    if let Some(f) = field {
        let msgs = &a.body["errors"][f];
        assert!(
            msgs.as_array().is_some_and(|m| !m.is_empty()),
            "errors names {f}: {}",
            a.text
        );
    }
}

/// Candescent: exactly `{status, message, code}`, the message naming `field` if given.
pub fn assert_candescent_error(a: &Answer, status: u16, field: Option<&str>) {
    assert_eq!(a.status.as_u16(), status, "{}", a.text);
    assert_json(a);
    let o = a.body.as_object().expect("object");
    let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["code", "message", "status"], "{}", a.text);
    assert_eq!(a.body["status"], status);
    if let Some(f) = field {
        assert!(
            a.body["message"].as_str().unwrap().contains(f),
            "{}",
            a.text
        );
    }
}

/// Relay: `{message, field?}`.
pub fn assert_relay_error(a: &Answer, status: u16, field: Option<&str>) {
    assert_eq!(a.status.as_u16(), status, "{}", a.text);
    assert_json(a);
    assert!(
        a.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        a.text
    );
    for k in a.body.as_object().expect("object").keys() {
        assert!(
            k == "message" || k == "field",
            "unexpected key {k}: {}",
            a.text
        );
    }
    if let Some(f) = field {
        assert_eq!(a.body["field"], f, "{}", a.text);
    }
}

/// bankingservice: `{message, code, field?}`.
pub fn assert_banking_error(a: &Answer, status: u16, field: Option<&str>) {
    assert_eq!(a.status.as_u16(), status, "{}", a.text);
    assert_json(a);
    assert!(
        a.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        a.text
    );
    assert!(
        a.body["code"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        a.text
    );
    if let Some(f) = field {
        assert_eq!(a.body["field"], f, "{}", a.text);
    }
}

/// OAuth (RFC 6749 5.2): `{error, error_description}`.
pub fn assert_oauth_error(a: &Answer, status: u16, error: &str) {
    assert_eq!(a.status.as_u16(), status, "{}", a.text);
    assert_json(a);
    assert_eq!(a.body["error"], error, "{}", a.text);
    assert!(a.body["error_description"].is_string(), "{}", a.text);
}

pub fn assert_json(a: &Answer) {
    assert!(
        a.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "content-type: {:?}",
        a.header("content-type")
    );
}

/// The family-name initial with the most customers (as the search API answers for
/// `client`), how many it has, and the ids of the first 100 of them.
pub async fn biggest_initial(client: &custdesk::api::Client) -> (char, u64, Vec<String>) {
    use custdesk::api::wire::newday::{SearchFilter, SearchRequest};
    let mut best = ('a', 0, Vec::new());
    for c in ['b', 'c', 'h', 'm', 's', 'w'] {
        let r = client
            .newday()
            .search(&SearchRequest {
                filter: SearchFilter {
                    family_name: Some(c.to_string()),
                    ..SearchFilter::default()
                },
                page: Some(0),
                size: Some(100),
                sort: None,
            })
            .await
            .expect("search");
        if r.value.count > best.1 {
            best = (
                c,
                r.value.count,
                r.value.values.into_iter().map(|v| v.id).collect(),
            );
        }
    }
    best
}
