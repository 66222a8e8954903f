//! The real binary in a pseudo-terminal, against a sandbox started in this test process
//! (so the test can read `GET /sandbox/outbox` and the sandbox's access log): verify the
//! caller, update the email with the passcode read from the outbox (and with a wrong
//! one first), add phones with each consent and be refused the 51st; then check the
//! audit log holds one line per write with the correlation id the backend logged and
//! no full phone number, email, token or passcode.

use crate::common;
use crate::pty::Console;

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

// ---- the sandbox's access log -------------------------------------------------------------

/// Everything the sandbox logged (its access log carries each call's correlation id).
static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
/// The tests of this file run one at a time: each reads the access log of its own run.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Clone)]
struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn access_log() -> Arc<Mutex<Vec<u8>>> {
    LOG.get_or_init(|| Arc::new(Mutex::new(Vec::new()))).clone()
}

/// The runtime these tests' sandboxes run on: each of its threads logs the sandbox's
/// access log to [`access_log`], so other tests' sandboxes in this process (on other
/// runtimes) never reach it.
fn sandbox_runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        let buf = access_log();
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .on_thread_start(move || {
                let w = LogWriter(buf.clone());
                let subscriber = tracing_subscriber::fmt()
                    .with_env_filter("custdesk::sandbox::access=info")
                    .with_ansi(false)
                    .with_writer(move || w.clone())
                    .finish();
                // The thread's default for as long as it lives.
                std::mem::forget(tracing::subscriber::set_default(subscriber));
            })
            .build()
            .expect("sandbox runtime")
    })
}

async fn start_sandbox() -> common::TestSandbox {
    sandbox_runtime()
        .spawn(common::start(30))
        .await
        .expect("sandbox starts")
}

/// One line of the access log.
#[derive(Debug, Clone)]
struct Access {
    correlation_id: String,
    method: String,
    path: String,
    status: u16,
}

fn field(line: &str, name: &str) -> String {
    line.split(&format!("{name}="))
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or("")
        .to_string()
}

fn accesses() -> Vec<Access> {
    let text = String::from_utf8_lossy(&access_log().lock().unwrap()).to_string();
    text.lines()
        .filter(|l| l.contains("correlation_id="))
        .map(|l| Access {
            correlation_id: field(l, "correlation_id"),
            method: field(l, "method"),
            path: field(l, "path"),
            status: field(l, "status").parse().unwrap_or(0),
        })
        .collect()
}

/// The writes the console made: not reads, not tokens, not the test's own calls.
fn console_writes() -> Vec<Access> {
    accesses()
        .into_iter()
        .filter(|a| matches!(a.method.as_str(), "PUT" | "POST" | "DELETE" | "PATCH"))
        .filter(|a| {
            !a.path.starts_with("/oauth2/")
                && !a.path.ends_with("/customers/search")
                && !a.path.contains("/supported-formats/")
                && !a.correlation_id.starts_with("test-")
        })
        .collect()
}

// ---- the console's audit log --------------------------------------------------------------

fn audit_path(c: &Console) -> PathBuf {
    c.data_dir().join("audit.log")
}

fn audit(c: &Console) -> Vec<Value> {
    std::fs::read_to_string(audit_path(c))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("an audit line is JSON"))
        .collect()
}

// ---- steps ----------------------------------------------------------------------------------

/// Run blocking console steps from an async test, with a handle for HTTP calls.
fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Handle::current().block_on(f)
}

/// Open Ada and verify the caller with date of birth and postcode.
fn open_ada_and_verify(c: &mut Console) {
    c.expect("corr");
    c.type_keys("quartermaine");
    c.expect("1 of 1 matches");
    c.send("\r");
    c.expect("Caller not verified — contact edits locked");
    // Locked until verified.
    c.send("e");
    c.expect("contact edits are locked");
    c.send("V");
    c.expect("Verify caller");
    c.type_keys("09/03/1984");
    c.send("\r");
    c.expect("1 of 2 proofs");
    c.type_keys("SW1A 1AA");
    c.send("\r");
    c.expect("Caller verified: DOB ✓ postcode ✓ — contact edits unlocked");
    // Enough proved: the dialog closed itself.
    c.expect_gone("Verify caller");
    c.expect("Caller verified: DOB ✓ postcode ✓");
}

/// The newest passcode in the sandbox's outbox.
async fn newest_passcode(ts: &common::TestSandbox) -> String {
    ts.outbox().await[0]["otp"]
        .as_str()
        .expect("a passcode in the outbox")
        .to_string()
}

async fn outbox_len(ts: &common::TestSandbox) -> usize {
    ts.outbox().await.len()
}

/// Ada as NewDay serves her now: her id and the whole record.
async fn ada_now(ts: &common::TestSandbox) -> (String, Value) {
    let token = ts.agent().await;
    let id = ts.ada(&token).await;
    let v = ts
        .get(&format!("/customer-service/customers/{id}"), Some(&token))
        .await;
    assert_eq!(v.status.as_u16(), 200, "{}", v.text);
    (id, v.body)
}

fn emails(ada: &Value) -> Vec<String> {
    ada["contact"]["emailAddresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap().to_string())
        .collect()
}

/// Every write the console made is in the audit log once, with the correlation id the
/// sandbox logged for it; the log holds nothing in full that it must not.
fn check_audit(c: &Console, forbidden: &[String]) -> Vec<Value> {
    let audit = audit(c);
    let writes = console_writes();
    assert!(!writes.is_empty(), "the console made no write");
    // A reveal carries a correlation id of its own too, but sends nothing.
    let audited: Vec<&Value> = audit
        .iter()
        .filter(|e| e["correlation_id"].is_string() && e["action"] != "reveal")
        .collect();
    assert_eq!(
        audited.len(),
        writes.len(),
        "one audit line per write\naudit: {audit:#?}\nwrites: {writes:#?}"
    );
    for w in &writes {
        let n = audited
            .iter()
            .filter(|e| e["correlation_id"] == w.correlation_id.as_str())
            .count();
        assert_eq!(n, 1, "write {w:?} is audited {n} times: {audit:#?}");
    }
    // The audit log and the console's own log are the agent's alone.
    #[cfg(unix)]
    for f in ["audit.log", "custdesk.log"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(c.data_dir().join(f))
            .unwrap_or_else(|e| panic!("{f}: {e}"))
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{f} is readable by others ({mode:o})");
    }
    let text = std::fs::read_to_string(audit_path(c)).unwrap();
    for f in forbidden {
        assert!(!text.contains(f.as_str()), "audit log holds {f:?}:\n{text}");
    }
    // No token: sandbox tokens are 43 base64url characters.
    let longest = text
        .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(
        longest < 40,
        "something token-like in the audit log:\n{text}"
    );
    for e in &audit {
        // The OAuth client and the person at the console, side by side.
        for k in ["time", "client", "person", "customer", "action", "outcome"] {
            assert!(e[k].is_string(), "{k} missing in {e}");
        }
        assert_eq!(e["client"], "agent");
    }
    audit
}

// ---- tests ----------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn verify_then_update_the_email_with_the_passcode_from_the_outbox() {
    let _serial = SERIAL.lock().await;
    access_log().lock().unwrap().clear();
    let ts = start_sandbox().await;
    let (_, before) = ada_now(&ts).await;
    let old_email = emails(&before)[0].clone();
    let new_email = "ada.renamed@example.org";
    let base = ts.base.clone();
    let ts = Arc::new(ts);
    let t2 = ts.clone();
    let (c, otp) = tokio::task::spawn_blocking(move || {
        let mut c = Console::spawn(&["--backend", &base], 30, 120);
        open_ada_and_verify(&mut c);
        c.send("e");
        c.expect("Update email");
        c.type_keys(new_email);
        c.expect("✓ Valid: NewDay accepts this address");
        c.send("\r");
        c.expect("[2 Confirm]");
        let sent_before = block(outbox_len(&t2));
        c.send("\r");
        c.expect("Passcode sent by SMS to •••••••0123");
        assert_eq!(block(outbox_len(&t2)), sent_before + 1, "one passcode sent");
        let otp = block(newest_passcode(&t2));
        c.type_keys(&otp);
        c.expect("Passcode  ••••••");
        assert!(!c.text().contains(&otp), "passcode on screen");
        c.send("\r");
        c.expect("✓ Email updated: a•••@e•••.org");
        c.expect("Correlation id ");
        c.send("\r");
        // The profile pane shows the new email once reloaded: reveal it to read it.
        c.expect("Emails");
        c.select_row("▶ personal");
        c.send("v");
        c.expect("Reason:");
        c.type_keys("caller confirming new email");
        c.send("\r");
        c.expect(&format!("{new_email} (revealed)"));
        c.quit();
        (c, otp)
    })
    .await
    .unwrap();

    // A fresh GET shows it too, in place of the old one.
    let (_, after) = ada_now(&ts).await;
    let now = emails(&after);
    assert!(now.contains(&new_email.to_string()), "{now:?}");
    assert!(!now.contains(&old_email), "{now:?}");

    let audit = check_audit(
        &c,
        &[
            new_email.to_string(),
            old_email.clone(),
            otp.clone(),
            "07700900123".into(),
            "7700900123".into(),
        ],
    );
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "update_email.request",
        "update_email.confirm",
        "verify_caller",
        "reveal",
    ] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
    let confirm = audit
        .iter()
        .find(|e| e["action"] == "update_email.confirm")
        .unwrap();
    assert_eq!(confirm["outcome"], "applied");
    assert_eq!(confirm["new"], "a•••@e•••.org");
    assert_eq!(confirm["customer"], after["id"]);
    // The refusal before verification is there too.
    assert!(
        audit.iter().any(|e| e["action"] == "update_email"
            && e["outcome"]
                .as_str()
                .unwrap()
                .starts_with("refused: caller not verified")),
        "{audit:#?}"
    );
    let writes = console_writes();
    assert!(writes.iter().any(|w| w.method == "PUT"
        && w.path == "/citi/v1/customers/profiles/emails"
        && w.status == 202));
    assert!(writes.iter().any(|w| w.method == "POST"
        && w.path == "/citi/v1/customers/profiles/emails/confirmation"
        && w.status == 200));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_passcode_first_keeps_the_dialog_open_then_the_right_one_applies() {
    let _serial = SERIAL.lock().await;
    access_log().lock().unwrap().clear();
    let ts = start_sandbox().await;
    let new_email = "ada.second@example.net";
    let base = ts.base.clone();
    let ts = Arc::new(ts);
    let t2 = ts.clone();
    let (c, otp, wrong) = tokio::task::spawn_blocking(move || {
        let mut c = Console::spawn(&["--backend", &base], 30, 120);
        open_ada_and_verify(&mut c);
        c.send("e");
        c.expect("Update email");
        c.type_keys(new_email);
        c.expect("✓ Valid: NewDay accepts this address");
        c.send("\r");
        c.expect("[2 Confirm]");
        c.send("\r");
        c.expect("Passcode sent by SMS");
        let otp = block(newest_passcode(&t2));
        let n: u32 = otp.parse().unwrap();
        let wrong = format!("{:06}", (n + 1) % 1_000_000);
        c.type_keys(&wrong);
        c.send("\r");
        c.expect("✗ Wrong passcode: 2 attempts left");
        // Still open, on the passcode step, the code cleared for another try.
        c.expect("Passcode  ______");
        c.type_keys(&otp);
        c.send("\r");
        c.expect("✓ Email updated: a•••@e•••.net");
        c.send("\r");
        c.quit();
        (c, otp, wrong)
    })
    .await
    .unwrap();
    let (_, after) = ada_now(&ts).await;
    assert!(emails(&after).contains(&new_email.to_string()));
    let audit = check_audit(
        &c,
        &[new_email.to_string(), otp, wrong, "7700900123".into()],
    );
    let confirms: Vec<&str> = audit
        .iter()
        .filter(|e| e["action"] == "update_email.confirm")
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(confirms.len(), 2, "{audit:#?}");
    assert!(
        confirms[0]
            .starts_with("error: invalid input (400): the passcode is wrong: 2 attempts left"),
        "{confirms:?}"
    );
    assert_eq!(confirms[1], "applied");
}

/// Add a phone in the open dialog-less profile: `a`, the number, country 44, the
/// consent by its first letter, confirm; returns when the result (or refusal) shows.
fn add_phone(c: &mut Console, number: &str, consent: char, expect: &str) {
    c.send("a");
    c.expect("Add phone (Relay)");
    c.type_keys(number);
    c.send("\t");
    c.send("\t");
    c.send("\x7f");
    c.type_keys("44");
    c.send("\t");
    c.send(&consent.to_string());
    c.expect("Read to the caller:");
    c.send("\r");
    c.expect("to this customer?");
    c.send("\r");
    c.expect(expect);
}

#[tokio::test(flavor = "multi_thread")]
async fn add_phones_with_each_consent_then_the_51st_is_refused_and_the_number_kept() {
    let _serial = SERIAL.lock().await;
    access_log().lock().unwrap().clear();
    let ts = start_sandbox().await;
    let (ada_id, _) = ada_now(&ts).await;
    let base = ts.base.clone();
    let ts = Arc::new(ts);
    let t2 = ts.clone();
    let numbers = ["07700900201", "07700900202", "07700900203"];
    let c = tokio::task::spawn_blocking(move || {
        let mut c = Console::spawn(&["--backend", &base], 30, 120);
        open_ada_and_verify(&mut c);
        for (n, (consent, wording)) in numbers.iter().zip([
            ('w', "signed, written consent"),
            ('e', "express verbal consent"),
            ('s', "does not consent"),
        ]) {
            c.send("a");
            c.expect("Add phone (Relay)");
            c.type_keys(n);
            c.expect(&domain_format(n));
            c.send("\t");
            c.send("\t");
            c.send("\x7f");
            c.type_keys("44");
            c.send("\t");
            c.send(&consent.to_string());
            c.expect(wording);
            c.send("\r");
            c.expect("to this customer?");
            c.send("\r");
            c.expect("✓ Phone number added to the customer's notification channels");
            c.send("\r");
            c.expect_gone("Add phone (Relay)");
        }
        // The Contact methods pane lists them with their consent.
        c.send("\t");
        c.expect("Consent");
        for (n, consent) in numbers.iter().zip(["written", "express", "stop"]) {
            let tail = &n[n.len() - 4..];
            let until = Instant::now() + Duration::from_secs(20);
            loop {
                let text = c.text();
                if text
                    .lines()
                    .any(|l| l.contains(&format!("••{tail}")) && l.contains(consent))
                {
                    break;
                }
                assert!(
                    Instant::now() < until,
                    "no {consent} row for …{tail}:\n{text}"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        c.send("\x1b[Z");
        c.expect("▶Profile");

        // Fill Ada up to the limit through the Relay API.
        block(async {
            for i in 0..60 {
                let r = t2
                    .http
                    .put(t2.url(&format!(
                        "/platform/v3/api/cdm/client/demo-bank/customer/{ada_id}/add_phone/21255{i:05}"
                    )))
                    .header("xx-relay-api-key", "demo-relay-key")
                    .header("x-correlation-id", format!("test-prefill-{i}"))
                    .json(&serde_json::json!({"consent_type": "express", "phone_type": "mobile"}))
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap();
                if status == 409 {
                    assert!(
                        body["message"].as_str().unwrap().contains("already has 50"),
                        "{body}"
                    );
                    return;
                }
                assert_eq!(status, 200, "{body}");
            }
            panic!("never reached the limit");
        });

        // The 51st, from the console: refused in words, the dialog keeps the number.
        add_phone(
            &mut c,
            "07700900299",
            'e',
            "Not added: this customer already has 50 phone numbers",
        );
        c.expect("07700 900299");
        c.expect("(•) express");
        c.expect("+44");
        assert!(c.text().contains("Add phone (Relay)"), "{}", c.text());
        c.esc("Add phone (Relay)");
        c.quit();
        c
    })
    .await
    .unwrap();

    let mut forbidden: Vec<String> = numbers.iter().map(|n| n.to_string()).collect();
    forbidden.extend(numbers.iter().map(|n| n[1..].to_string()));
    forbidden.push("7700900299".into());
    forbidden.push("7700900123".into());
    let audit = check_audit(&c, &forbidden);
    let adds: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e["action"] == "add_phone")
        .map(|e| (e["new"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(adds.len(), 4, "{audit:#?}");
    assert_eq!(
        adds[0],
        (
            "+44 ••••••0201 (mobile, consent written)",
            "ok: Phone number added to the customer's notification channels"
        )
    );
    assert!(adds[1].0.ends_with("consent express)") && adds[2].0.ends_with("consent stop)"));
    assert!(
        adds[3]
            .1
            .starts_with("error: conflict (409): Conflict: this customer already has 50"),
        "{adds:?}"
    );
    let writes = console_writes();
    assert_eq!(
        writes.iter().filter(|w| w.status == 409).count(),
        1,
        "{writes:#?}"
    );
}

/// What `domain::phone::format_typed` shows for a typed number.
fn domain_format(n: &str) -> String {
    custdesk::domain::phone::format_typed(n)
}
