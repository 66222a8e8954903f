//! Driving the edit dialogs as the runtime would: keys in, effects out, answers back as
//! messages built from the wire types. Used with `tui_fixture` (declare both).
#![allow(dead_code)]

use crossterm::event::KeyCode;
use custdesk::api::ErrorKind;
use custdesk::api::ops::Answer;
use custdesk::api::wire::{citi, newday, relay};
use custdesk::tui::app::App;
use custdesk::tui::effect::{AuditNote, Effect, WriteOp};
use custdesk::tui::msg::{Msg, Outcome, WriteError};

use crate::tui_fixture::*;

pub const CORR_VERIFY: &str = "7a1e0c55-3b9d-4f2e-8c41-96d0b2a7e3f1";
pub const CORR_PUT: &str = "e3b0c442-98fc-4c14-9afb-f4c8996fb924";
pub const CORR_CONFIRM: &str = "c0ffee00-1234-4abc-9def-0123456789ab";
pub const CORR_RELAY: &str = "4d2f8a6b-0e1c-4b3a-9f7d-5c6e8a0b2d4f";
pub const FLOW: &str = "flow-5f0c2a";
pub const NEW_EMAIL: &str = "ada.new@example.org";

pub fn enter(a: &mut App) -> Vec<Effect> {
    a.update(key(KeyCode::Enter))
}

pub fn esc(a: &mut App) -> Vec<Effect> {
    a.update(key(KeyCode::Esc))
}

pub fn records(fx: &[Effect]) -> Vec<AuditNote> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Record(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

/// Ada open and the caller verified with date of birth and postcode.
pub fn verified() -> App {
    let mut a = app();
    ada_open(&mut a);
    a.update(ch('V'));
    type_str(&mut a, "1984-03-09");
    enter(&mut a);
    type_str(&mut a, "sw1a 1aa");
    enter(&mut a);
    // Enough proved: the dialog closed itself.
    assert!(a.caller_verified());
    assert!(a.overlay.is_none());
    a
}

/// Give Ada's Citi profile her home phone too (the NewDay fixture has it; the Citi one
/// lists only the mobile).
pub fn citi_home_phone(a: &mut App) {
    let c = a.customer.as_mut().expect("a customer open");
    if let custdesk::tui::app::Load::Ready(p) = &mut c.profile {
        p.phones.push(citi::Phone {
            phone_key: Some(2),
            phone_type: "HOME".into(),
            phone_country_code: "44".into(),
            area_code: "20".into(),
            phone_number: "79460018".into(),
            extension: String::new(),
        });
    }
}

/// The seq of the last debounce timer asked for in `fx`.
pub fn debounce_seq(fx: &[Effect]) -> u64 {
    fx.iter()
        .rev()
        .find_map(|e| match e {
            Effect::Debounce { seq, .. } => Some(*seq),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no debounce in {fx:?}"))
}

/// Let the debounce timer run out and NewDay answer `valid` (with `reason`).
pub fn newday_says(a: &mut App, seq: u64, valid: bool, reason: Option<&str>) {
    let fx = a.update(Msg::Debounced { seq });
    assert!(
        matches!(fx.as_slice(), [Effect::VerifyContact { seq: s, .. }] if *s == seq),
        "{fx:?}"
    );
    a.update(Msg::ContactVerified {
        seq,
        outcome: Outcome::ok(
            newday::Verification {
                is_valid: valid,
                reason: reason.map(str::to_string),
            },
            CORR_VERIFY,
        ),
    });
}

/// Type `value` in the open dialog and have NewDay accept it.
pub fn type_valid(a: &mut App, value: &str) {
    let fx = type_str(a, value);
    let seq = debounce_seq(&fx);
    newday_says(a, seq, true, None);
}

/// The one write effect in `fx`: its seq.
pub fn write_seq(fx: &[Effect]) -> u64 {
    let writes: Vec<u64> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Write {
                seq,
                op:
                    WriteOp::RequestChange { .. }
                    | WriteOp::ConfirmChange { .. }
                    | WriteOp::AddPhone { .. },
                ..
            } => Some(*seq),
            _ => None,
        })
        .collect();
    assert_eq!(writes.len(), 1, "one write expected: {fx:?}");
    writes[0]
}

pub fn flow() -> citi::ControlFlow {
    citi::ControlFlow {
        control_flow_id: FLOW.into(),
        otp_sent_to: "•••••••0123".into(),
    }
}

pub fn requested_ok(a: &mut App, seq: u64) -> Vec<Effect> {
    a.update(Msg::Written {
        seq,
        outcome: Outcome::written(Answer::Flow(flow()), CORR_PUT),
    })
}

pub fn fail(kind: ErrorKind, code: Option<&str>, message: &str) -> WriteError {
    WriteError::new(kind, code, message)
}

pub fn server_error() -> WriteError {
    fail(
        ErrorKind::Server,
        None,
        "server error (503): the backend is unavailable",
    )
}

pub fn requested_err(a: &mut App, seq: u64, e: WriteError) -> Vec<Effect> {
    a.update(Msg::Written {
        seq,
        outcome: Outcome::failed(e, Some(CORR_PUT.into())),
    })
}

pub fn confirmed(a: &mut App, seq: u64, r: Result<(), WriteError>) -> Vec<Effect> {
    a.update(Msg::Written {
        seq,
        outcome: match r {
            Ok(()) => Outcome::written(Answer::Confirmed, CORR_CONFIRM),
            Err(e) => Outcome::failed(e, Some(CORR_CONFIRM.into())),
        },
    })
}

pub fn wrong_otp(left: u32) -> WriteError {
    fail(
        ErrorKind::Invalid {
            field: Some("otp".into()),
        },
        Some("invalidOtp"),
        &format!(
            "invalid input (400): the passcode is wrong: {left} attempt{} left [otp]",
            if left == 1 { "" } else { "s" }
        ),
    )
}

pub fn locked() -> WriteError {
    fail(
        ErrorKind::Forbidden,
        Some("transactionDenied"),
        "forbidden (403): the passcode was wrong 3 times: this change is locked; start a new update",
    )
}

pub fn expired() -> WriteError {
    fail(
        ErrorKind::Invalid {
            field: Some("controlFlowId".into()),
        },
        Some("invalidControlFlowId"),
        "invalid input (400): the control flow id is unknown or expired",
    )
}

/// Verified, `e` pressed, a valid new email typed, confirmed and the passcode step
/// reached. Returns the app.
pub fn at_passcode() -> App {
    let mut a = verified();
    a.update(ch('e'));
    type_valid(&mut a, NEW_EMAIL);
    enter(&mut a);
    let fx = enter(&mut a);
    let seq = write_seq(&fx);
    requested_ok(&mut a, seq);
    a
}

pub fn added(a: &mut App, seq: u64, r: Result<&str, WriteError>) -> Vec<Effect> {
    a.update(Msg::Written {
        seq,
        outcome: match r {
            Ok(m) => Outcome::written(
                Answer::Phone(relay::RelayMessage {
                    message: m.into(),
                    field: None,
                }),
                CORR_RELAY,
            ),
            Err(e) => Outcome::failed(e, Some(CORR_RELAY.into())),
        },
    })
}

pub const CORR_WRITE: &str = "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

pub fn written(a: &mut App, seq: u64, r: Result<Answer, WriteError>) -> Vec<Effect> {
    a.update(Msg::Written {
        seq,
        outcome: match r {
            Ok(answer) => Outcome::written(answer, CORR_WRITE),
            Err(e) => Outcome::failed(e, Some(CORR_WRITE.into())),
        },
    })
}

/// The seq of the one `Effect::Write` in `fx`.
pub fn simple_write_seq(fx: &[Effect]) -> u64 {
    match fx {
        [Effect::Write { seq, .. }] => *seq,
        other => panic!("one write expected: {other:?}"),
    }
}

/// Citi's answer to an offer update: the offer now `status`.
pub fn offer_now(status: &str) -> Answer {
    Answer::Offer(
        serde_json::from_value(serde_json::json!({
            "offerId": "OFR-1", "offerName": "Offer", "description": "",
            "offerStatus": status,
        }))
        .unwrap(),
    )
}

/// bankingservice's answer to a customer write: the customer `id`.
pub fn customer_now(id: &str) -> Answer {
    Answer::Customer(
        serde_json::from_value(serde_json::json!({
            "id": id, "first_name": "Ada", "last_name": "Quartermaine",
            "created": "2024-01-01T00:00:00Z",
        }))
        .unwrap(),
    )
}

/// Citi's answer to an alert subscription: `n` alerts enrolled.
pub fn alerts_enrolled(n: usize) -> Answer {
    let alerts: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({
                "alertCode": format!("A{i}"), "alertName": "Alert", "description": "",
                "alertStatus": "ENROLLED",
            })
        })
        .collect();
    Answer::Alerts(serde_json::from_value(serde_json::json!({ "alerts": alerts })).unwrap())
}
