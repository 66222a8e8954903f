//! The client's 19 Citi methods against a real in-process sandbox (customer-bound
//! tokens by exchange, `uuid` and `client_id` headers), with their error kinds, and the
//! assembled customer view. No HTTP mocks.

use crate::api_support;
use crate::common;

use api_support::*;
use base64::Engine;
use custdesk::api::view::Channel;
use custdesk::api::wire::citi::*;
use custdesk::api::{Client, ErrorKind, Family, IdempotencyKey};

/// The passcode the sandbox "sent" for a flow, read from its store.
fn otp(ts: &common::TestSandbox, flow: &str) -> String {
    let flow = flow.to_string();
    ts.sb
        .state
        .store
        .read(|c| c.query_row("SELECT otp FROM flows WHERE id = ?1", [flow], |r| r.get(0)))
        .expect("flow exists")
}

fn wrong(otp: &str) -> String {
    format!("{:06}", (otp.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test]
async fn citi_reads() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let citi = c.citi();

    let p = citi.profile(&ada).await.unwrap();
    assert!(is_uuid(&p.correlation_id));
    assert_eq!(
        p.value.customer_particulars.names[0].surname,
        "Quartermaine"
    );
    assert_eq!(p.value.customer_particulars.date_of_birth, "1984-03-09");
    assert!(p.value.phones.iter().all(|x| x.phone_key.is_some()));
    assert!(p.value.emails.iter().all(|x| x.email_key.is_some()));
    assert_eq!(p.value.offers.len(), 2);

    let a = citi.addresses(&ada).await.unwrap();
    assert!(
        a.value
            .address_list
            .iter()
            .any(|x| x.postal_code == "SW1A 1AA")
    );
    let b = citi.basic(&ada).await.unwrap();
    assert_eq!(b.value.customer_particulars.names[0].given_name, "Ada");
    assert_eq!(
        citi.emails(&ada).await.unwrap().value.emails,
        p.value.emails
    );
    assert_eq!(
        citi.phones(&ada).await.unwrap().value.phones,
        p.value.phones
    );
    let partner = citi.partner_profile(&ada).await.unwrap();
    assert_eq!(
        partner.value.customer_particulars.names[0].surname,
        "Quartermaine"
    );

    let all = citi.alerts(&ada, None).await.unwrap().value.alerts;
    let enrolled = citi
        .alerts(&ada, Some("ENROLLED"))
        .await
        .unwrap()
        .value
        .alerts;
    assert!(enrolled.iter().all(|x| x.alert_status == "ENROLLED"));
    assert!(all.len() >= enrolled.len());
    let e = citi.alerts(&ada, Some("SOMETIMES")).await.unwrap_err();
    assert_eq!((e.kind, e.family), (invalid("alertStatus"), Family::Citi));

    let h = citi.alert_history(&ada, Some(0), Some(2)).await.unwrap();
    assert!(h.value.alert_history.len() <= 2);
    if h.value.total_records > 2 {
        let next = h.value.next_start_index.expect("more records follow");
        let h2 = citi.alert_history(&ada, Some(next), Some(2)).await.unwrap();
        assert_ne!(h2.value.alert_history, h.value.alert_history);
    }
    let e = citi.alert_history(&ada, None, Some(0)).await.unwrap_err();
    assert_eq!(e.kind, invalid("requestSize"));

    let card = card_of(&c, &ada).await;
    let ca = citi.card_addresses(&ada, &card).await.unwrap();
    assert_eq!(ca.value.card_to_address.postal_code, "SW1A 1AA");
    let e = citi.card_addresses(&ada, "ACC-NOPE").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.code.as_deref(), Some("resourceNotFound"));
}

#[tokio::test]
async fn citi_email_update_is_confirmed_with_the_passcode() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let citi = c.citi();
    let change = Emails {
        emails: vec![Email {
            email_key: None,
            email_address: "ada.q@example.org".into(),
            preferred_email_flag: false,
        }],
    };
    let key = IdempotencyKey::fresh();
    let flow = citi.update_emails(&ada, &change, &key).await.unwrap();
    assert_eq!(flow.status, 202);
    assert!(
        flow.value.otp_sent_to.ends_with("0123") && !flow.value.otp_sent_to.contains("07700900123")
    );
    // The same logical write resent: the same flow, no second passcode.
    let again = citi.update_emails(&ada, &change, &key).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.value.control_flow_id, flow.value.control_flow_id);

    let id = flow.value.control_flow_id.clone();
    let otp = otp(&ts, &id);
    let e = citi
        .confirm_emails(
            &ada,
            &Confirmation {
                control_flow_id: id.clone(),
                otp: wrong(&otp),
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, invalid("otp"));
    assert_eq!(e.code.as_deref(), Some("invalidOtp"));
    assert!(e.message.contains("2 attempts left"), "{}", e.message);

    let ok = citi
        .confirm_emails(
            &ada,
            &Confirmation {
                control_flow_id: id.clone(),
                otp: otp.clone(),
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap();
    assert!(
        ok.value
            .emails
            .iter()
            .any(|e| e.email_address == "ada.q@example.org")
    );
    assert_eq!(citi.emails(&ada).await.unwrap().value, ok.value);

    // A flow cannot be used twice.
    let e = citi
        .confirm_emails(
            &ada,
            &Confirmation {
                control_flow_id: id,
                otp,
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, invalid("controlFlowId"));
    assert_eq!(e.code.as_deref(), Some("invalidControlFlowId"));

    // The address is now held: asking for it again is a conflict; a bad one is invalid.
    let e = citi
        .update_emails(&ada, &change, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    let bad = Emails {
        emails: vec![Email {
            email_key: None,
            email_address: "nope".into(),
            preferred_email_flag: false,
        }],
    };
    let e = citi
        .update_emails(&ada, &bad, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(e.kind, invalid("emails[0].emailAddress"));
}

#[tokio::test]
async fn citi_phone_update_locks_after_three_wrong_passcodes() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let citi = c.citi();
    let change = Phones {
        phones: vec![Phone {
            phone_key: None,
            phone_type: "WORK".into(),
            phone_country_code: "44".into(),
            area_code: "20".into(),
            phone_number: "79460999".into(),
            extension: String::new(),
        }],
    };
    let flow = citi
        .update_phones(&ada, &change, &IdempotencyKey::fresh())
        .await
        .unwrap();
    let id = flow.value.control_flow_id;
    let bad = Confirmation {
        control_flow_id: id.clone(),
        otp: wrong(&otp(&ts, &id)),
    };
    for left in ["2 attempts left", "1 attempt left"] {
        let e = citi
            .confirm_phones(&ada, &bad, &IdempotencyKey::fresh())
            .await
            .unwrap_err();
        assert_eq!(e.code.as_deref(), Some("invalidOtp"));
        assert!(e.message.contains(left), "{}", e.message);
    }
    let e = citi
        .confirm_phones(&ada, &bad, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.status),
        (ErrorKind::Forbidden, Some(403))
    );
    assert_eq!(e.code.as_deref(), Some("transactionDenied"));
    // Locked for good, even with the right passcode.
    let right = Confirmation {
        control_flow_id: id.clone(),
        otp: otp(&ts, &id),
    };
    let e = citi
        .confirm_phones(&ada, &right, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("transactionDenied"));

    let e = citi
        .confirm_phones(
            &ada,
            &Confirmation {
                control_flow_id: "00000000-0000-0000-0000-000000000000".into(),
                otp: "123456".into(),
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("invalidControlFlowId"));

    // A fresh flow confirmed at once applies the change.
    let flow = citi
        .update_phones(&ada, &change, &IdempotencyKey::fresh())
        .await
        .unwrap();
    let id = flow.value.control_flow_id;
    let ok = citi
        .confirm_phones(
            &ada,
            &Confirmation {
                control_flow_id: id.clone(),
                otp: otp(&ts, &id),
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap();
    assert!(ok.value.phones.iter().any(|p| p.phone_type == "WORK"
        && format!("{}{}", p.area_code, p.phone_number).ends_with("79460999")));
}

#[tokio::test]
async fn citi_offers_are_accepted_then_fulfilled() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let citi = c.citi();
    let offer = citi.profile(&ada).await.unwrap().value.offers[0].clone();
    let fulfil = FulfillmentRequest {
        offer_id: offer.offer_id.clone(),
        remarks: Some("called in".into()),
    };
    let e = citi
        .fulfill_offer(&ada, &fulfil, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict, "not accepted yet: {e}");

    let accepted = citi
        .update_offer(
            &ada,
            &OfferUpdate {
                offer_id: offer.offer_id.clone(),
                action: "ACCEPT".into(),
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap();
    assert_eq!(accepted.value.offer_status, "ACCEPTED");
    let done = citi
        .fulfill_offer(&ada, &fulfil, &IdempotencyKey::fresh())
        .await
        .unwrap();
    assert_eq!(done.status, 201);
    assert_eq!(done.value.offer_status, "FULFILLED");
    assert!(done.value.fulfillment_id.starts_with("FUL-"));
    let now = citi.profile(&ada).await.unwrap().value.offers;
    assert!(
        now.iter()
            .any(|o| o.offer_id == offer.offer_id && o.offer_status == "FULFILLED")
    );

    let e = citi
        .update_offer(
            &ada,
            &OfferUpdate {
                offer_id: "OFR-NOT-MINE".into(),
                action: "ACCEPT".into(),
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = citi
        .update_offer(
            &ada,
            &OfferUpdate {
                offer_id: offer.offer_id,
                action: "MAYBE".into(),
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, invalid("action"));
}

#[tokio::test]
async fn citi_alert_subscriptions_change_what_alerts_show() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let citi = c.citi();
    let subscribe = AlertSubscriptions {
        alert_profile: Some(AlertProfile {
            preferred_channel: "SMS".into(),
        }),
        subscriptions: vec![Subscription {
            alert_code: "LARGE_TRANSACTION".into(),
            action: "SUBSCRIBE".into(),
            channel: Some("EMAIL".into()),
            threshold: Some(250.0),
        }],
    };
    let r = citi
        .update_alert_subscriptions(&ada, &subscribe, &IdempotencyKey::fresh())
        .await
        .unwrap();
    let large = r
        .value
        .alerts
        .iter()
        .find(|a| a.alert_code == "LARGE_TRANSACTION")
        .expect("listed");
    assert_eq!(
        (large.alert_status.as_str(), large.channel.as_deref()),
        ("ENROLLED", Some("EMAIL"))
    );
    let enrolled = citi
        .alerts(&ada, Some("ENROLLED"))
        .await
        .unwrap()
        .value
        .alerts;
    assert!(enrolled.iter().any(|a| a.alert_code == "LARGE_TRANSACTION"));

    let mut bad = subscribe.clone();
    bad.subscriptions[0].channel = Some("PIGEON".into());
    let e = citi
        .update_alert_subscriptions(&ada, &bad, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert!(
        matches!(&e.kind, ErrorKind::Invalid { field: Some(f) } if f.contains("channel")),
        "{e:?}"
    );
}

#[tokio::test]
async fn citi_profile_image_put_get_delete() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let citi = c.citi();
    let none = citi.profile_image(&ada).await.unwrap();
    assert_eq!(
        (none.status, none.value),
        (404, None),
        "no image is not an error"
    );

    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 32]].concat();
    let image = ProfileImage {
        image_type: "image/png".into(),
        image: base64::engine::general_purpose::STANDARD.encode(&png),
    };
    let put = citi
        .put_profile_image(&ada, &image, &IdempotencyKey::fresh())
        .await
        .unwrap();
    assert_eq!(put.value.image, image.image);
    let got = citi.profile_image(&ada).await.unwrap();
    assert_eq!(got.value, Some(put.value));

    let gif_claimed = ProfileImage {
        image_type: "image/gif".into(),
        ..image.clone()
    };
    let e = citi
        .put_profile_image(&ada, &gif_claimed, &IdempotencyKey::fresh())
        .await
        .unwrap_err();
    assert_eq!(e.kind, invalid("image"));

    let del = citi
        .delete_profile_image(&ada, &IdempotencyKey::fresh())
        .await
        .unwrap();
    assert_eq!((del.status, del.value), (204, ()));
    let gone = citi.profile_image(&ada).await.unwrap();
    assert_eq!((gone.status, gone.value), (404, None));
}

#[tokio::test]
async fn citi_access_errors() {
    let ts = common::start(30).await;
    let ada = ada(&ts);
    // The auditor reads but may not change contact details.
    let auditor = as_client(&ts, "auditor", "auditor-secret");
    assert!(auditor.citi().emails(&ada).await.is_ok());
    let e = auditor
        .citi()
        .update_emails(
            &ada,
            &Emails {
                emails: vec![Email {
                    email_key: None,
                    email_address: "x@example.org".into(),
                    preferred_email_flag: false,
                }],
            },
            &IdempotencyKey::fresh(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.family),
        (ErrorKind::Forbidden, Family::Citi)
    );
    assert_eq!(e.code.as_deref(), Some("accessNotConfigured"));
    // Another institution's customer: the exchange itself finds no such customer.
    let e = agent(&ts).citi().profile(&rival(&ts)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    // A static token issued to another client than the configured client_id (which
    // goes out as Citi's client_id header).
    let e = with_token(config(&ts.base), &mint(&ts, "backoffice"))
        .citi()
        .profile(&ada)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden, "{e:?}");
    assert_eq!(e.code.as_deref(), Some("accessNotConfigured"));
}

#[tokio::test]
async fn customer_view_assembles_the_four_parts() {
    let ts = common::start(30).await;
    let c = agent(&ts);
    let ada = ada(&ts);
    let v = c.customer_view(&ada).await;
    assert!(v.errors().is_empty(), "{:?}", v.errors());
    assert_eq!(v.name().as_deref(), Some("Ms Ada Quartermaine"));
    let ids: Vec<&str> = [
        v.customer.as_ref().unwrap().correlation_id.as_str(),
        v.profile.as_ref().unwrap().correlation_id.as_str(),
        v.contact_methods.as_ref().unwrap().correlation_id.as_str(),
        v.alerts.as_ref().unwrap().correlation_id.as_str(),
    ]
    .into();
    assert!(ids.iter().all(|i| is_uuid(i)));
    let contacts = v.contacts();
    let mobile = contacts
        .iter()
        .find(|l| l.channel == Channel::Phone && l.value == "07700900123")
        .expect("Ada's mobile");
    assert!(mobile.citi_key.is_some(), "joined with Citi's phone key");
    assert_eq!(mobile.kind.as_deref(), Some("MOBILE"));
    assert!(mobile.consent.is_some() && mobile.activated.is_some());
    let profile = &v.profile.as_ref().unwrap().value;
    assert_eq!(
        contacts.iter().filter(|l| l.citi_key.is_some()).count(),
        profile.phones.len() + profile.emails.len(),
        "every Citi phone and email has its line: {contacts:#?}"
    );
    assert!(
        contacts
            .iter()
            .any(|l| l.channel == Channel::Email && l.preferred)
    );

    // One family down: its panes fail, the others still show.
    let mut cfg = config(&ts.base);
    cfg.bases.citi = format!("{}/citi", closed_port().await);
    let v = Client::new(cfg).unwrap().customer_view(&ada).await;
    let failed: Vec<_> = v
        .errors()
        .into_iter()
        .map(|(part, e)| (part, e.kind.clone()))
        .collect();
    assert_eq!(
        failed,
        vec![
            ("profile", ErrorKind::Unreachable),
            ("alerts", ErrorKind::Unreachable)
        ]
    );
    assert_eq!(v.name().as_deref(), Some("Ms Ada Quartermaine"));
    assert!(v.contacts().iter().all(|l| l.citi_key.is_none()));
    assert!(!v.contacts().is_empty());
}
