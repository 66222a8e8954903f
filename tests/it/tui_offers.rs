//! Offers: accepting one goes on to its fulfilment (optional remarks, confirm, the
//! fulfilment's id and status with the correlation id); a declined one is done there.
//! In process with the fixture's answers, snapshots at 80x24, and once over real HTTP
//! against the sandbox, read back through its own API.

use crate::common;
use crate::edit_fixture;
use crate::loop_support::Loop;
use crate::tui_fixture;

use crossterm::event::KeyCode;
use custdesk::api::ops::Answer;
use custdesk::api::{ApiConfig, Client, ErrorKind, IdempotencyKey};
use custdesk::tui::app::{App, Overlay};
use custdesk::tui::edit::Phase;
use custdesk::tui::edit::offer::{OfferDialog, Step};
use custdesk::tui::effect::{AuditNote, CustomerRead, Effect, WriteOp};
use edit_fixture::*;
use tui_fixture::*;

const FUL_ID: &str = "FUL-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const REMARKS: &str = "called in; wants it today (q, j, k typed)";

/// Render at 80x24, check what must always hold, snapshot, and return the text.
fn snap(name: &str, app: &mut App) -> String {
    let terminal = render(app, 80, 24);
    let buf = terminal.backend().buffer();
    assert_eq!(control_cells(buf), vec![], "{name}: control characters");
    let shown = text(buf);
    insta::assert_snapshot!(name, terminal.backend());
    shown
}

fn dialog(a: &App) -> &OfferDialog {
    match &a.overlay {
        Some(Overlay::Offer(d)) => d,
        other => panic!("the offer dialog expected: {other:?}"),
    }
}

/// The one write in `fx`: its seq, op, key and note.
fn the_write(fx: &[Effect]) -> (u64, WriteOp, IdempotencyKey, AuditNote) {
    match fx {
        [Effect::Write { seq, op, key, note }] => (*seq, op.clone(), key.clone(), note.clone()),
        other => panic!("one write expected: {other:?}"),
    }
}

fn fulfils(fx: &[Effect]) -> usize {
    fx.iter()
        .filter(|e| {
            matches!(
                e,
                Effect::Write {
                    op: WriteOp::Fulfil { .. },
                    ..
                }
            )
        })
        .count()
}

/// Citi's answer to a fulfilment of `offer`.
fn fulfilled(offer: &str) -> Answer {
    Answer::Fulfilled(
        serde_json::from_value(serde_json::json!({
            "fulfillmentId": FUL_ID, "offerId": offer, "offerStatus": "FULFILLED",
        }))
        .unwrap(),
    )
}

/// Verified, `o`, accept the balance transfer (available) and Citi says accepted: the
/// fulfilment step is up.
fn accepted() -> App {
    let mut a = verified();
    a.update(ch('o'));
    assert_eq!(dialog(&a).offer().unwrap().offer_id, "OFR-BT18");
    enter(&mut a);
    let (seq, op, _, note) = the_write(&enter(&mut a));
    match op {
        WriteOp::Offer { update, .. } => {
            assert_eq!(
                (update.offer_id.as_str(), update.action.as_str()),
                ("OFR-BT18", "ACCEPT")
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(note.action, "offer.accept");
    let fx = written(&mut a, seq, Ok(offer_now("ACCEPTED")));
    assert_eq!(
        fx,
        vec![Effect::Reread {
            id: ADA_ID.into(),
            parts: vec![CustomerRead::Profile]
        }]
    );
    assert_eq!(dialog(&a).step, Step::Fulfil);
    for p in ada_parts() {
        loaded(&mut a, ADA_ID, p);
    }
    assert_eq!(
        dialog(&a).step,
        Step::Fulfil,
        "the reload leaves the dialog be"
    );
    a
}

#[test]
fn accepting_goes_on_to_the_fulfilment_with_remarks_and_shows_its_result() {
    let mut a = accepted();
    let s = snap("offer_fulfil_step", &mut a);
    assert!(s.contains("✓ Balance transfer: now accepted"), "{s}");
    assert!(s.contains(CORR_WRITE), "the accept's correlation id: {s}");
    assert!(s.contains("Remarks are optional"), "{s}");
    assert!(s.contains("0/500 characters"), "{s}");
    assert!(s.contains("esc close without fulfilling"), "{s}");

    // Letters bound to keys (q quits, j/k move, a/d answer, space chooses) are text here.
    let fx = type_str(&mut a, REMARKS);
    assert!(fx.is_empty(), "typing sends nothing: {fx:?}");
    assert_eq!(dialog(&a).remarks.value(), REMARKS);
    assert!(!a.quit);
    enter(&mut a);
    let s = snap("offer_fulfil_confirming", &mut a);
    assert!(
        s.contains("Fulfil 'Balance transfer' with these remarks?"),
        "{s}"
    );
    assert!(s.contains(REMARKS), "{s}");

    let (seq, op, _, note) = the_write(&enter(&mut a));
    match &op {
        WriteOp::Fulfil { customer, request } => {
            assert_eq!(customer, ADA_ID);
            assert_eq!(request.offer_id, "OFR-BT18");
            assert_eq!(request.remarks.as_deref(), Some(REMARKS));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(note.action, op.action());
    assert_eq!(note.action, "offer.fulfil");
    assert_eq!(note.old.as_deref(), Some("OFR-BT18 accepted"));
    assert_eq!(
        note.new.as_deref(),
        Some(format!("OFR-BT18 fulfilled, remarks: {REMARKS}").as_str())
    );
    assert!(a.busy());
    let fx = written(&mut a, seq, Ok(fulfilled("OFR-BT18")));
    assert_eq!(
        fx,
        vec![Effect::Reread {
            id: ADA_ID.into(),
            parts: vec![CustomerRead::Profile]
        }]
    );
    for p in ada_parts() {
        loaded(&mut a, ADA_ID, p);
    }
    let s = snap("offer_fulfilled", &mut a);
    assert!(s.contains("✓ Balance transfer: fulfilled"), "{s}");
    assert!(s.contains(&format!("Fulfilment  {FUL_ID}")), "{s}");
    assert!(s.contains("OFR-BT18 now fulfilled"), "{s}");
    assert!(s.contains(&format!("Correlation id {CORR_WRITE}")), "{s}");
    assert!(s.contains("enter close"), "{s}");
    enter(&mut a);
    assert!(a.overlay.is_none());
}

#[test]
fn a_fulfilment_without_remarks_sends_none() {
    let mut a = accepted();
    type_str(&mut a, "   ");
    enter(&mut a);
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("Fulfil 'Balance transfer' with no remarks?"),
        "{s}"
    );
    let (_, op, _, note) = the_write(&enter(&mut a));
    match op {
        WriteOp::Fulfil { request, .. } => assert_eq!(request.remarks, None),
        other => panic!("{other:?}"),
    }
    assert_eq!(note.new.as_deref(), Some("OFR-BT18 fulfilled, no remarks"));
}

#[test]
fn remarks_in_the_audit_note_are_masked() {
    let mut a = accepted();
    type_str(&mut a, "call back on 07700900123 or ada.q@example.com");
    enter(&mut a);
    let (_, op, _, note) = the_write(&enter(&mut a));
    // Sent as typed; logged masked.
    match op {
        WriteOp::Fulfil { request, .. } => assert!(
            request
                .remarks
                .as_deref()
                .is_some_and(|r| r.contains("07700900123"))
        ),
        other => panic!("{other:?}"),
    }
    let new = note.new.unwrap();
    assert!(!new.contains("07700900123"), "{new}");
    assert!(!new.contains("ada.q@example.com"), "{new}");
    assert!(new.contains("0123"), "the last four stay: {new}");
}

#[test]
fn a_declined_offer_is_not_fulfilled() {
    let mut a = verified();
    let mut all = a.update(ch('o'));
    a.update(ch('d'));
    enter(&mut a);
    let (seq, op, _, _) = the_write(&enter(&mut a));
    assert!(matches!(op, WriteOp::Offer { ref update, .. } if update.action == "DECLINE"));
    all.extend(written(&mut a, seq, Ok(offer_now("DECLINED"))));
    assert_eq!(dialog(&a).step, Step::Respond, "no fulfilment step");
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("✓ Balance transfer: now declined"), "{s}");
    assert!(!s.contains("Remarks"), "{s}");
    all.extend(enter(&mut a));
    assert!(a.overlay.is_none());
    assert_eq!(fulfils(&all), 0, "{all:?}");
}

#[test]
fn esc_after_the_accept_closes_without_fulfilling_and_says_so() {
    let mut a = accepted();
    type_str(&mut a, "maybe later");
    let fx = esc(&mut a);
    assert!(a.overlay.is_none());
    assert_eq!(fulfils(&fx), 0);
    let notice = a.status.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("Offer accepted; not fulfilled"),
        "{notice}"
    );
    let s = screen(&mut a, 120, 35);
    assert!(s.contains("Offer accepted; not fulfilled"), "{s}");
}

#[test]
fn an_offer_already_accepted_is_fulfilled_directly() {
    let mut a = verified();
    a.update(ch('o'));
    a.update(key(KeyCode::Down));
    assert_eq!(dialog(&a).offer().unwrap().offer_id, "OFR-CB5");
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("enter fulfil it"), "{s}");
    // Enter goes to the fulfilment: no second accept is sent.
    let fx = enter(&mut a);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(dialog(&a).step, Step::Fulfil);
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("Cashback boost is accepted and not yet fulfilled."),
        "{s}"
    );
    assert!(s.contains("esc back to the offers"), "{s}");
    type_str(&mut a, "ok");
    // Esc goes back to the list (one step), the remarks kept for when it comes back.
    esc(&mut a);
    assert_eq!(dialog(&a).step, Step::Respond);
    enter(&mut a);
    assert_eq!(dialog(&a).remarks.value(), "ok");
    enter(&mut a);
    let (_, op, _, _) = the_write(&enter(&mut a));
    match op {
        WriteOp::Fulfil { request, .. } => {
            assert_eq!(request.offer_id, "OFR-CB5");
            assert_eq!(request.remarks.as_deref(), Some("ok"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn reopened_the_dialog_starts_on_what_is_left_to_do() {
    let mut a = verified();
    let c = a.customer.as_mut().expect("a customer open");
    if let custdesk::tui::app::Load::Ready(p) = &mut c.profile {
        p.offers[0].offer_status = "FULFILLED".into();
    }
    a.update(ch('o'));
    // The fulfilled one cannot change: the accepted one is selected, to fulfil.
    assert_eq!(dialog(&a).offer().unwrap().offer_id, "OFR-CB5");
    a.update(key(KeyCode::Up));
    enter(&mut a);
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("This offer is already fulfilled and cannot change"),
        "{s}"
    );
    a.update(key(KeyCode::Down));
    let s = screen(&mut a, 80, 24);
    assert!(!s.contains("already fulfilled"), "{s}");
    enter(&mut a);
    assert_eq!(dialog(&a).step, Step::Fulfil);
}

#[test]
fn a_failed_fulfilment_keeps_the_remarks_typed() {
    let mut a = accepted();
    type_str(&mut a, REMARKS);
    enter(&mut a);
    let (seq, _, first_key, _) = the_write(&enter(&mut a));

    // The backend was down: maybe applied, so the same request again, same key.
    written(&mut a, seq, Err(server_error()));
    assert_eq!(dialog(&a).fulfil.phase, Phase::Confirming);
    assert_eq!(dialog(&a).remarks.value(), REMARKS);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("✗ Error: server error (503)"), "{s}");
    assert!(s.contains("enter try again (the same request)"), "{s}");
    let (seq, _, again, _) = the_write(&enter(&mut a));
    assert_eq!(again, first_key, "a retry reuses the Idempotency-Key");

    // Refused: back to the remarks, as typed, to fix and send again.
    written(
        &mut a,
        seq,
        Err(fail(
            ErrorKind::Conflict,
            Some("conflict"),
            "conflict (409): offer OFR-BT18 is AVAILABLE: the customer must accept it before it can be fulfilled",
        )),
    );
    assert_eq!(dialog(&a).fulfil.phase, Phase::Editing);
    assert_eq!(dialog(&a).step, Step::Fulfil);
    let s = snap("offer_fulfil_refused", &mut a);
    assert!(s.contains("✗ Error: conflict (409)"), "{s}");
    assert!(s.contains(REMARKS), "the remarks are still there: {s}");
    assert_eq!(dialog(&a).remarks.value(), REMARKS);
    type_str(&mut a, "!");
    enter(&mut a);
    let (_, op, key, _) = the_write(&enter(&mut a));
    assert_ne!(key, first_key, "a new body, a new key");
    match op {
        WriteOp::Fulfil { request, .. } => {
            assert_eq!(request.remarks, Some(format!("{REMARKS}!")))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn remarks_over_500_characters_are_refused_before_sending() {
    let mut a = accepted();
    a.update(custdesk::tui::msg::Msg::Paste("x".repeat(501)));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("501/500 characters"), "{s}");
    let fx = enter(&mut a);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(dialog(&a).fulfil.phase, Phase::Editing);
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("✗ The remarks must be at most 500 characters"),
        "{s}"
    );
    a.update(key(KeyCode::Backspace));
    enter(&mut a);
    assert_eq!(dialog(&a).fulfil.phase, Phase::Confirming);
    // Ctrl-C with remarks typed asks first.
    esc(&mut a);
    a.update(ctrl('c'));
    assert!(a.overlay.is_some());
}

// ---- over HTTP against the sandbox --------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn accept_and_fulfil_an_offer_in_the_console_then_read_it_back_fulfilled() {
    let ts = common::start(20).await;
    let id = ts.ada(&ts.agent().await).await;
    let client =
        Client::new(ApiConfig::sandbox(&ts.base).with_client("agent", "agent-secret")).unwrap();
    let before = client.citi().profile(&id).await.unwrap().value.offers;
    let first = before
        .iter()
        .find(|o| o.offer_status == "AVAILABLE")
        .expect("an available offer")
        .clone();

    let c = Loop::start(&ts, "agent", 120, 35);
    c.open_ada_and_verify().await;
    c.keys("o");
    c.expect("Offers · Ada Quartermaine").await;
    // The first available offer is selected; accept it.
    c.enter();
    c.expect(&format!("Accept '{}' for the customer?", first.offer_name))
        .await;
    c.enter();
    c.expect(&format!("✓ {}: now accepted", first.offer_name))
        .await;
    c.keys("called in to take it up");
    c.expect("23/500 characters").await;
    c.enter();
    c.expect("with these remarks?").await;
    c.enter();
    let done = c
        .until("the fulfilment's result", |s| {
            s.contains(&format!("✓ {}: fulfilled", first.offer_name))
        })
        .await;
    assert!(done.contains("Fulfilment  FUL-"), "{done}");
    assert!(
        done.contains(&format!("{} now fulfilled", first.offer_id)),
        "{done}"
    );
    assert!(done.contains("Correlation id "), "{done}");
    c.enter();
    c.expect_gone("Offers · Ada").await;
    c.quit("accept and fulfil an offer").await;

    // The bank holds it fulfilled; the others are as they were.
    let now = client.citi().profile(&id).await.unwrap().value.offers;
    for o in &now {
        let want = if o.offer_id == first.offer_id {
            "FULFILLED".to_string()
        } else {
            before
                .iter()
                .find(|b| b.offer_id == o.offer_id)
                .unwrap()
                .offer_status
                .clone()
        };
        assert_eq!(o.offer_status, want, "{}", o.offer_id);
    }
    // And it is fulfilled once: a second fulfilment is refused.
    let again = custdesk::api::ops::Write::fulfil(&id, &first.offer_id, None)
        .send(&client, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(again.kind, ErrorKind::Conflict, "{again}");
}

#[test]
fn esc_while_the_fulfilment_is_sending_closes_and_the_late_answer_changes_nothing_else() {
    let mut a = accepted();
    type_str(&mut a, "by phone");
    enter(&mut a);
    let (seq, _, _, _) = the_write(&enter(&mut a));
    esc(&mut a);
    assert!(a.overlay.is_none());
    let fx = written(&mut a, seq, Ok(fulfilled("OFR-BT18")));
    assert_eq!(fulfils(&fx), 0, "{fx:?}");
    assert!(a.overlay.is_none());
    assert_eq!(a.status.last_correlation.as_deref(), Some(CORR_WRITE));
}

#[test]
fn the_fulfilment_step_fits_small_screens() {
    let mut a = accepted();
    type_str(&mut a, &"remarks ".repeat(20));
    for (w, h) in [(40, 12), (20, 5), (120, 35)] {
        let t = render(&mut a, w, h);
        assert_eq!(control_cells(t.backend().buffer()), vec![], "{w}x{h}");
    }
    let s = screen(&mut a, 120, 35);
    // Counted as sent: trimmed.
    assert!(s.contains("159/500 characters"), "{s}");
}

#[test]
fn an_answered_offer_keeps_the_profile_on_screen_behind_the_dialog() {
    // Only the profile is read again: what is on screen stays until it comes.
    let mut a = accepted();
    let shown = screen(&mut a, 120, 35);
    assert!(!shown.contains("loading customer"), "{shown}");
    assert!(shown.contains("Offers"), "{shown}");
}
