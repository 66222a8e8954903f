//! The runner's side of the edit dialogs, against a real sandbox: a write is sent with
//! the console's Idempotency-Key and audited once with the call's correlation id; in
//! read-only mode nothing is sent, whatever `update` asked for, and the refusal is
//! audited.

use crate::common;

use custdesk::api::ops::Answer;
use custdesk::api::wire::{citi, relay};
use custdesk::api::{ApiConfig, Client, IdempotencyKey};
use custdesk::audit::AuditLog;
use custdesk::tui::edit::{ContactKind, Passcode};
use custdesk::tui::effect::{AuditNote, ContactChange, Effect, WriteOp};
use custdesk::tui::msg::Msg;
use custdesk::tui::tasks::Runner;
use tokio::sync::mpsc;

struct Env {
    ts: common::TestSandbox,
    ada: String,
    audit: AuditLog,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let ts = common::start(20).await;
    let agent = ts.agent().await;
    let ada = ts.ada(&agent).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path().join("audit.log"));
    Env {
        ts,
        ada,
        audit,
        _dir: dir,
    }
}

fn runner(e: &Env, read_only: bool) -> (Runner, mpsc::UnboundedReceiver<Msg>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let client = Client::new(ApiConfig::sandbox(&e.ts.base)).unwrap();
    let r = Runner::new(client, tx, e.audit.clone(), "agent".into()).with_read_only(read_only);
    (r, rx)
}

fn note(customer: &str, action: &str, new: &str) -> AuditNote {
    AuditNote {
        customer: customer.into(),
        action: action.into(),
        old: Some("a•••@e•••.uk".into()),
        new: Some(new.into()),
        ..AuditNote::default()
    }
}

fn add_phone(e: &Env, seq: u64) -> Effect {
    Effect::Write {
        seq,
        op: WriteOp::AddPhone {
            customer: e.ada.clone(),
            number: "2125550199".into(),
            body: relay::AddPhone {
                consent_type: "express".into(),
                phone_type: "mobile".into(),
                country_code: Some("1".into()),
                client_source: None,
            },
        },
        key: IdempotencyKey::fresh(),
        note: note(
            &e.ada,
            "add_phone",
            "+1 ••••••0199 (mobile, consent express)",
        ),
    }
}

fn email_change(e: &Env, seq: u64, key: &IdempotencyKey) -> Effect {
    Effect::Write {
        seq,
        op: WriteOp::RequestChange {
            customer: e.ada.clone(),
            change: ContactChange::Emails(citi::Emails {
                emails: vec![citi::Email {
                    email_key: None,
                    email_address: "ada.runner@example.org".into(),
                    preferred_email_flag: false,
                }],
            }),
        },
        key: key.clone(),
        note: note(&e.ada, "update_email.request", "a•••@e•••.org"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_sends_nothing_and_audits_the_refusal() {
    let e = env().await;
    let before = e.ts.footprint();
    let outbox = e.ts.count("SELECT count(*) FROM outbox");
    let (mut r, mut rx) = runner(&e, true);
    r.run_detached(add_phone(&e, 7));
    r.run_detached(email_change(&e, 8, &IdempotencyKey::fresh()));
    r.run_detached(Effect::Write {
        seq: 9,
        op: WriteOp::ConfirmChange {
            customer: e.ada.clone(),
            kind: ContactKind::Email,
            flow: "flow-x".into(),
            passcode: Passcode::new("123456"),
        },
        key: IdempotencyKey::fresh(),
        note: note(&e.ada, "update_email.confirm", "a•••@e•••.org"),
    });
    for _ in 0..3 {
        match rx.recv().await.unwrap() {
            Msg::Written { seq: 7, outcome } => {
                assert_eq!(
                    outcome.result.unwrap_err().code.as_deref(),
                    Some("readOnly")
                );
            }
            Msg::Written { seq: 8, outcome } => {
                assert!(outcome.result.is_err());
            }
            Msg::Written { seq: 9, outcome } => {
                assert!(outcome.result.is_err());
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(e.ts.footprint(), before, "something was written");
    assert_eq!(e.ts.count("SELECT count(*) FROM outbox"), outbox);
    let (lines, bad) = e.audit.read(None, None).unwrap();
    assert!(bad.is_empty());
    assert_eq!(lines.len(), 3);
    for l in &lines {
        assert_eq!(l.outcome, "refused: read-only");
        assert_eq!(l.client, "agent");
        assert_eq!(l.customer, e.ada);
        assert_eq!(l.correlation_id, None, "nothing was sent");
    }
    let text = std::fs::read_to_string(e.audit.path()).unwrap();
    assert!(
        !text.contains("123456") && !text.contains("2125550199"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_is_audited_once_with_its_correlation_id_and_a_retry_replays() {
    let e = env().await;
    let (mut r, mut rx) = runner(&e, false);
    let key = IdempotencyKey::fresh();
    r.run_detached(email_change(&e, 1, &key));
    let flow = match rx.recv().await.unwrap() {
        Msg::Written { seq: 1, outcome } => {
            let cid = outcome.correlation_id.clone().unwrap();
            let (lines, _) = e.audit.read(None, None).unwrap();
            assert_eq!(lines.len(), 1);
            assert_eq!(lines[0].correlation_id.as_deref(), Some(cid.as_str()));
            assert_eq!(lines[0].action, "update_email.request");
            assert_eq!(lines[0].outcome, "passcode sent to •••••••0123");
            assert_eq!(lines[0].new.as_deref(), Some("a•••@e•••.org"));
            match outcome.result.unwrap() {
                Answer::Flow(f) => f,
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    };
    // The same submission again (as after a timeout): the same key, the same flow, no
    // second passcode.
    let sent = e.ts.count("SELECT count(*) FROM outbox");
    r.run_detached(email_change(&e, 2, &key));
    match rx.recv().await.unwrap() {
        Msg::Written { seq: 2, outcome } => {
            assert_eq!(outcome.result.unwrap(), Answer::Flow(flow.clone()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.ts.count("SELECT count(*) FROM outbox"), sent);
    // A wrong passcode: audited as an error, without the passcode.
    let otp: String =
        e.ts.sb
            .state
            .store
            .read(|c| {
                c.query_row(
                    "SELECT otp FROM flows WHERE id = ?1",
                    [&flow.control_flow_id],
                    |r| r.get(0),
                )
            })
            .unwrap();
    let wrong = format!("{:06}", (otp.parse::<u32>().unwrap() + 1) % 1_000_000);
    r.run_detached(Effect::Write {
        seq: 3,
        op: WriteOp::ConfirmChange {
            customer: e.ada.clone(),
            kind: ContactKind::Email,
            flow: flow.control_flow_id.clone(),
            passcode: Passcode::new(&wrong),
        },
        key: IdempotencyKey::fresh(),
        note: note(&e.ada, "update_email.confirm", "a•••@e•••.org"),
    });
    match rx.recv().await.unwrap() {
        Msg::Written { seq: 3, outcome } => {
            let err = outcome.result.unwrap_err();
            assert_eq!(err.code.as_deref(), Some("invalidOtp"));
        }
        other => panic!("{other:?}"),
    }
    let (lines, _) = e.audit.read(None, None).unwrap();
    assert_eq!(lines.len(), 3, "one line per write: {lines:#?}");
    assert!(
        lines[2]
            .outcome
            .starts_with("error: invalid input (400): the passcode is wrong: 2 attempts left")
    );
    let text = std::fs::read_to_string(e.audit.path()).unwrap();
    assert!(!text.contains(&wrong) && !text.contains(&otp), "{text}");
    assert!(!text.contains("ada.runner"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn offer_alert_and_customer_writes_reach_the_sandbox_and_are_audited() {
    use custdesk::api::wire::banking::BsCustomerInput;
    use custdesk::tui::effect::WriteOp;
    let e = env().await;
    let client = Client::new(ApiConfig::sandbox(&e.ts.base)).unwrap();
    let offer = client.citi().profile(&e.ada).await.unwrap().value.offers[0].clone();
    let (mut r, mut rx) = runner(&e, false);
    let write = |seq: u64, op: WriteOp, action: &str| Effect::Write {
        seq,
        op,
        key: IdempotencyKey::fresh(),
        note: AuditNote {
            customer: e.ada.clone(),
            action: action.into(),
            ..AuditNote::default()
        },
    };
    r.run_detached(write(
        1,
        WriteOp::Offer {
            customer: e.ada.clone(),
            update: citi::OfferUpdate {
                offer_id: offer.offer_id.clone(),
                action: "ACCEPT".into(),
            },
        },
        "offer.accept",
    ));
    r.run_detached(write(
        2,
        WriteOp::Alerts {
            customer: e.ada.clone(),
            subscriptions: citi::AlertSubscriptions {
                alert_profile: None,
                subscriptions: vec![citi::Subscription {
                    alert_code: "PAYMENT_DUE".into(),
                    action: "SUBSCRIBE".into(),
                    channel: Some("EMAIL".into()),
                    threshold: None,
                }],
            },
        },
        "alerts.subscribe",
    ));
    // The demo agent may not create customers: refused, in words.
    r.run_detached(write(
        3,
        WriteOp::CreateCustomer(BsCustomerInput {
            first_name: Some("Grace".into()),
            last_name: Some("Hopper".into()),
            ..BsCustomerInput::default()
        }),
        "customer.create",
    ));
    let mut answers = std::collections::BTreeMap::new();
    for _ in 0..3 {
        match rx.recv().await.unwrap() {
            Msg::Written { seq, outcome } => {
                answers.insert(seq, outcome);
            }
            other => panic!("{other:?}"),
        }
    }
    let summary = |seq: u64| answers[&seq].result.as_ref().map(Answer::summary);
    assert_eq!(summary(1).as_deref(), Ok("accepted"));
    assert!(summary(2).unwrap().ends_with("alerts enrolled"));
    let refused = answers[&3].result.as_ref().unwrap_err();
    assert_eq!(
        refused.kind,
        custdesk::api::ErrorKind::Forbidden,
        "{refused:?}"
    );
    let (lines, _) = e.audit.read(None, None).unwrap();
    assert_eq!(lines.len(), 3);
    for (seq, o) in &answers {
        let l = lines
            .iter()
            .find(|l| l.correlation_id == o.correlation_id)
            .unwrap_or_else(|| panic!("write {seq} not audited: {lines:#?}"));
        if *seq == 3 {
            assert!(l.outcome.starts_with("error: forbidden (403)"), "{l:?}");
        } else {
            assert!(l.outcome.starts_with("ok: "), "{l:?}");
        }
    }
}
