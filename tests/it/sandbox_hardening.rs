//! The sandbox against hostile or careless callers: credentials before bodies, headers
//! in their declared form, passcode floods, slow clients, secret guessing, and what
//! its logs and files give away.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use common::{TestSandbox, answer};

const SOME_ID: &str = "0123456789abcdef0123456789abcdef";

/// Every operation of the served document that needs credentials: (method, path with
/// its parameters filled, bearer scope or None for the Relay key).
async fn secured_operations(ts: &TestSandbox) -> Vec<(Method, String, Option<String>)> {
    let doc = ts.get("/openapi.json", None).await.body;
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(req) = op["security"][0].as_object() else {
                continue;
            };
            let scope = req
                .get("bearer")
                .map(|s| s[0].as_str().unwrap().to_string());
            let filled = path
                .split('/')
                .map(|seg| {
                    if seg.starts_with('{') {
                        match seg {
                            "{phone_number}" => "12125550199",
                            "{profileId}" | "{client_id}" => "demo-bank",
                            _ => SOME_ID,
                        }
                    } else {
                        seg
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            out.push((m, filled, scope));
        }
    }
    out
}

/// A scope every demo client has that `scope` is not.
fn other_scope(scope: &str) -> &'static str {
    if scope == "institution-users:read" {
        "customers:read"
    } else {
        "institution-users:read"
    }
}

#[tokio::test]
async fn every_family_answers_401_to_broken_json_without_credentials_and_403_without_the_scope() {
    let ts = common::start(20).await;
    let ops = secured_operations(&ts).await;
    let families = [
        "/citi",
        "/customer-service",
        "/digitalbanking",
        "/platform",
        "/bankingservice",
    ];
    for f in families {
        assert!(
            ops.iter().any(|(_, p, _)| p.starts_with(f)),
            "{f} has secured operations"
        );
    }
    let huge = vec![b'{'; 2 * 1024 * 1024];
    for (method, path, scope) in &ops {
        let broken = ts
            .req(method.clone(), path, None)
            .header("content-type", "application/json")
            .body("{\"broken\": ");
        let a = answer(broken.send().await.unwrap()).await;
        assert_eq!(
            a.status, 401,
            "{method} {path} without credentials: {}",
            a.text
        );
        // Neither does a body over the limit come first.
        let a = answer(
            ts.req(method.clone(), path, None)
                .header("content-type", "application/json")
                .body(huge.clone())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(a.status, 401, "{method} {path} with 2 MiB: {}", a.text);
        match scope {
            Some(scope) => {
                let tok = ts
                    .token_scoped("backoffice", "backoffice-secret", other_scope(scope))
                    .await;
                let a = answer(
                    ts.req(method.clone(), path, Some(&tok))
                        .header("content-type", "application/json")
                        .body("{\"broken\": ")
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                assert_eq!(a.status, 403, "{method} {path} without {scope}: {}", a.text);
            }
            None => {
                let a = answer(
                    ts.req(method.clone(), path, None)
                        .header("xx-relay-api-key", "not-a-key")
                        .header("content-type", "application/json")
                        .body("{\"broken\": ")
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
                assert_eq!(
                    a.status, 401,
                    "{method} {path} with a wrong key: {}",
                    a.text
                );
            }
        }
    }
}

#[tokio::test]
async fn a_correlation_id_outside_its_declared_pattern_is_400() {
    let ts = common::start(20).await;
    let agent = ts.agent().await;
    let ada = ts.ada(&agent).await;
    let path = format!("/digitalbanking/ux-users/v1/customers/{ada}/contact-methods");
    let call = |cid: &'static [u8]| {
        ts.req(Method::GET, &path, Some(&agent)).header(
            "correlationId",
            reqwest::header::HeaderValue::from_bytes(cid).unwrap(),
        )
    };
    let a = answer(call(b"abc\tdef").send().await.unwrap()).await;
    common::assert_candescent_error(&a, 400, Some("correlationId"));
    let a = answer(call(b"abc def").send().await.unwrap()).await;
    assert_eq!(a.status, 200, "{}", a.text);
    // Without a token the 401 still comes first.
    let a = answer(
        ts.req(Method::GET, &path, None)
            .header("correlationId", "abc\tdef")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, 401, "{}", a.text);
}

/// Ada's Citi email change: (status, body, Retry-After).
async fn change_email(ts: &TestSandbox, tok: &str, address: &str) -> (u16, Value, Option<String>) {
    let a = answer(
        ts.req(Method::PUT, "/citi/v1/customers/profiles/emails", Some(tok))
            .header("uuid", uuid::Uuid::new_v4().to_string())
            .header("client_id", "agent")
            .header("Accept", "application/json")
            .json(&json!({"emails": [{"emailAddress": address}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let retry = a.header("retry-after").map(str::to_string);
    (a.status.as_u16(), a.body, retry)
}

async fn confirm_email(ts: &TestSandbox, tok: &str, flow: &str, otp: &str) -> (u16, Value) {
    let a = answer(
        ts.req(
            Method::POST,
            "/citi/v1/customers/profiles/emails/confirmation",
            Some(tok),
        )
        .header("uuid", uuid::Uuid::new_v4().to_string())
        .header("client_id", "agent")
        .header("Accept", "application/json")
        .json(&json!({"controlFlowId": flow, "otp": otp}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    (a.status.as_u16(), a.body)
}

async fn otp_for(ts: &TestSandbox, flow: &str) -> String {
    ts.outbox()
        .await
        .iter()
        .find(|m| m["controlFlowId"] == flow)
        .expect("a passcode for the flow")["otp"]
        .as_str()
        .unwrap()
        .to_string()
}

fn wrong(otp: &str) -> String {
    if otp == "000000" { "111111" } else { "000000" }.to_string()
}

#[tokio::test]
async fn a_burst_of_email_changes_gets_429_after_the_cap_and_voids_the_earlier_flow() {
    let ts = common::start(20).await;
    let agent = ts.agent().await;
    let ada = ts.ada(&agent).await;
    let tok = ts.bound(&agent, &ada).await;
    let limits = custdesk::sandbox::passcodes::PasscodeLimits::default();
    let mut flows = Vec::new();
    for i in 0..limits.sent_per_hour {
        let (s, v, _) = change_email(&ts, &tok, &format!("burst{i}@example.com")).await;
        assert_eq!(s, 202, "{v}");
        flows.push(v["controlFlowId"].as_str().unwrap().to_string());
    }
    let sent = ts.outbox().await.len();
    let (s, v, retry) = change_email(&ts, &tok, "one-too-many@example.com").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (429, Some("tooManyRequests")),
        "{v}"
    );
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    assert_eq!(
        ts.outbox().await.len(),
        sent,
        "no passcode sent past the cap"
    );

    // Only the newest flow is open: the first one's right passcode no longer applies.
    let first_otp = otp_for(&ts, &flows[0]).await;
    let (s, v) = confirm_email(&ts, &tok, &flows[0], &first_otp).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (400, Some("invalidControlFlowId")),
        "{v}"
    );
    let last = flows.last().unwrap();
    let (s, v) = confirm_email(&ts, &tok, last, &otp_for(&ts, last).await).await;
    assert_eq!(s, 200, "{v}");
    let emails = v["emails"].as_array().unwrap();
    assert!(
        emails
            .iter()
            .any(|e| e["emailAddress"] == "burst4@example.com")
    );
    assert!(
        !emails
            .iter()
            .any(|e| e["emailAddress"] == "burst0@example.com")
    );
}

#[tokio::test]
async fn wrong_passcodes_are_capped_per_customer_across_flows() {
    let ts = common::start(20).await;
    let agent = ts.agent().await;
    let ada = ts.ada(&agent).await;
    let tok = ts.bound(&agent, &ada).await;
    let cap = custdesk::sandbox::passcodes::PasscodeLimits::default().wrong_per_hour;
    let mut wrongs = 0;
    let mut last = (String::new(), String::new());
    while wrongs < cap {
        let (s, v, _) = change_email(&ts, &tok, &format!("guess{wrongs}@example.com")).await;
        assert_eq!(s, 202, "{v}");
        let flow = v["controlFlowId"].as_str().unwrap().to_string();
        let otp = otp_for(&ts, &flow).await;
        for _ in 0..2 {
            let (s, v) = confirm_email(&ts, &tok, &flow, &wrong(&otp)).await;
            assert_eq!((s, v["code"].as_str()), (400, Some("invalidOtp")), "{v}");
            wrongs += 1;
        }
        last = (flow, otp);
    }
    // Even the right passcode of an open flow is refused now.
    let (s, v) = confirm_email(&ts, &tok, &last.0, &last.1).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (429, Some("tooManyRequests")),
        "{v}"
    );
}

/// Read until the server closes the connection or `limit` passes; true when closed.
fn closed_within(stream: &mut TcpStream, limit: Duration, drip: bool) -> bool {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 1024];
    while started.elapsed() < limit {
        if drip && stream.write_all(b"X").is_err() {
            return true;
        }
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

#[tokio::test]
async fn a_connection_dripping_header_bytes_is_closed_within_the_header_timeout() {
    let ts = common::start_with(5, |c| {
        c.server.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let addr = ts.sb.addr;
    tokio::task::spawn_blocking(move || {
        // One header byte every 200 ms: never a whole head.
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .unwrap();
        assert!(
            closed_within(&mut s, Duration::from_secs(20), true),
            "a dripping client was never cut off"
        );
        // A kept-alive connection that goes idle after its answer is closed too.
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert!(
            closed_within(&mut s, Duration::from_secs(20), false),
            "an idle keep-alive connection was never closed"
        );
    })
    .await
    .unwrap();
    // The server still answers.
    assert_eq!(ts.get("/healthz", None).await.status, 200);
}

#[tokio::test]
async fn a_failed_client_secret_is_throttled() {
    let ts = common::start(5).await;
    let form = |secret: &'static str| {
        [
            ("grant_type", "client_credentials"),
            ("client_id", "agent"),
            ("client_secret", secret),
        ]
    };
    let burst = custdesk::sandbox::auth::CLIENT_FAILURE_BURST;
    for _ in 0..burst {
        common::assert_oauth_error(&ts.token_form(&form("guess")).await, 401, "invalid_client");
    }
    let a = ts.token_form(&form("guess")).await;
    assert_eq!(
        a.status, 401,
        "the failure that empties the quota: {}",
        a.text
    );
    // From now on the client is refused whatever it sends, the right secret too.
    for secret in ["guess", "agent-secret"] {
        let a = ts.token_form(&form(secret)).await;
        common::assert_oauth_error(&a, 429, "temporarily_unavailable");
        let wait: u64 = a
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!(wait >= 1, "{wait}");
    }
    // Another client is not affected.
    let a = ts
        .token_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "backoffice"),
            ("client_secret", "backoffice-secret"),
        ])
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `custdesk sandbox` as a user runs it: its access log keeps customer ids whole, shows
/// no full phone number or email and no colour codes, and its files are private.
#[cfg(unix)]
#[tokio::test]
async fn the_access_log_keeps_ids_whole_hides_contacts_and_files_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_custdesk"))
        .args([
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--seed-customers",
            "20",
            "--db",
        ])
        .arg(&db)
        .env("CLICOLOR_FORCE", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("custdesk sandbox starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("a line").expect("stdout");
        if let Some(rest) = line.strip_prefix("custdesk sandbox listening on ") {
            break rest.trim().to_string();
        }
    };
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "agent"),
            ("client_secret", "agent-secret"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap();
    let search: Value = http
        .post(format!("{base}/customer-service/customers/search"))
        .bearer_auth(token)
        .json(&json!({"filter": {"familyName": "Quartermaine"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ada = search["values"][0]["id"].as_str().unwrap().to_string();
    let r = http
        .get(format!("{base}/customer-service/customers/{ada}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .put(format!(
            "{base}/platform/v3/api/cdm/client/demo-bank/customer/{ada}/add_phone/12125550199"
        ))
        .header("xx-relay-api-key", "demo-relay-key")
        .json(&json!({"consent_type": "express", "phone_type": "mobile", "client_source": "ivr"}))
        .send()
        .await
        .unwrap();
    let _ = r.text().await;
    let _ = http
        .get(format!(
            "{base}/customer-service/customers/ada.quartermaine%40example.com"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let log_path = dir.path().join("sandbox.log");
    let deadline = Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if log.contains("add_phone") || Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        log.contains(&format!("/customer-service/customers/{ada}")),
        "the customer id stays whole: {log}"
    );
    assert!(log.contains("add_phone"), "{log}");
    for secret in [
        "12125550199",
        "07700900123",
        "ada.quartermaine@",
        "quartermaine%40",
    ] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
    assert!(!log.contains('\u{1b}'), "no colour codes in the file");
    for name in ["sandbox.db", "sandbox.log"] {
        assert_eq!(mode(&dir.path().join(name)), 0o600, "{name}");
    }
    // The console's audit log too.
    let audit = custdesk::audit::AuditLog::new(dir.path().join("audit.log"));
    audit
        .append(&custdesk::audit::Entry::new(
            "agent", &ada, "email", "applied",
        ))
        .unwrap();
    assert_eq!(mode(audit.path()), 0o600, "audit.log");
}

/// A bulk apply across a sandbox restart of two seconds: the items in flight wait the
/// outage out and are sent again with their keys, so every item ends applied (some by
/// replay), none failed, none applied twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_apply_across_a_2_second_sandbox_restart_applies_every_item() {
    use crate::bulk_support::{Env, assert_exactly_once, email_csv};
    use custdesk::api::{ApiConfig, Client};
    use custdesk::bulk::apply::{self, Control, Options};
    use custdesk::sandbox::{self, SandboxConfig, faults::Faults};
    use tokio::sync::watch;

    const ITEMS: usize = 400;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = SandboxConfig::new(dir.path().join("sandbox.db"));
    cfg.seed_customers = ITEMS as u64;
    // Slow enough answers that the job is still under way when the sandbox stops.
    cfg.faults = Faults::parse("latency=30ms").unwrap();
    let sb = sandbox::start(cfg.clone()).await.unwrap();
    let base = sb.base_url();
    let ids: Vec<String> = sb
        .state
        .store
        .read(|c| {
            let mut st = c.prepare(
                "SELECT id FROM customers WHERE tenant = 'demo-bank' ORDER BY cid LIMIT ?1",
            )?;
            st.query_map([ITEMS as i64], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .unwrap();
    let client =
        Client::new(ApiConfig::sandbox(&base).with_client("backoffice", "backoffice-secret"))
            .unwrap();
    let parsed = custdesk::bulk::csv::parse(
        email_csv(&ids, "restart").as_bytes(),
        chrono::Utc::now().date_naive(),
    );
    let plan = custdesk::bulk::plan::build(&client, parsed.items, parsed.errors, 32, |_| {})
        .await
        .unwrap();
    assert_eq!(plan.to_send(), ITEMS);
    let env = Env::new();
    let (_tx, rx) = watch::channel(Control::Run);
    let opts = Options {
        concurrency: apply::DEFAULT_CONCURRENCY,
        retry_failed: false,
        mode: "apply".into(),
        backend: base.clone(),
    };
    let job = {
        let (client, plan, jobs) = (client.clone(), plan.clone(), env.jobs_dir());
        tokio::spawn(async move {
            apply::run_job(&client, &plan, &jobs, None, &opts, rx, &mut |_| {}).await
        })
    };
    // Stop the sandbox once the job is under way, and start it again two seconds later
    // on the same address and database.
    let writes = |sb: &sandbox::RunningSandbox| {
        sb.state
            .store
            .read(|c| c.query_row("SELECT count(*) FROM write_log", [], |r| r.get::<_, i64>(0)))
            .unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while writes(&sb) == 0 {
        assert!(Instant::now() < deadline, "the job never started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let addr = sb.addr;
    sb.shutdown().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    cfg.listen = addr;
    let sb = sandbox::start(cfg).await.expect("the sandbox starts again");
    let (summary, _) = job.await.unwrap().expect("the job runs");
    assert_eq!(summary.counts.failed, 0, "{summary:?}");
    assert_eq!(summary.counts.applied, ITEMS, "{summary:?}");
    assert_exactly_once(&sb, &plan);
}
