//! Partial reloads: after a confirmed email or phone change the console re-reads only
//! that Citi list, Candescent's contact methods and NewDay's customer (whose contact
//! lists the profile pane shows), not the Citi profile with its offers, nor the alerts.

use crate::tui_fixture;
use crate::{api_support, common};

use custdesk::api::UserIdType;
use custdesk::api::wire::citi;
use custdesk::audit::AuditLog;
use custdesk::tui::app::Load;
use custdesk::tui::edit::ContactKind;
use custdesk::tui::effect::{CustomerRead, Effect};
use custdesk::tui::msg::{Msg, Outcome, Part};
use custdesk::tui::tasks::Runner;
use tokio::sync::mpsc;
use tui_fixture::*;

/// Every message the runner sends for `effect`, until it and its tasks are done.
async fn messages_for(ts: &common::TestSandbox, effect: Effect) -> Vec<Msg> {
    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let client = api_support::agent(ts);
    let mut r = Runner::new(
        client,
        tx,
        AuditLog::new(dir.path().join("audit.log")),
        "agent".into(),
    );
    r.run_detached(effect);
    drop(r);
    let mut got = Vec::new();
    while let Some(m) = rx.recv().await {
        got.push(m);
    }
    got
}

#[tokio::test]
async fn a_contact_reload_reads_that_list_and_the_contact_methods_only() {
    let ts = common::start(10).await;
    let ada = api_support::ada(&ts);
    let c = api_support::agent(&ts);
    let emails = c.citi().emails(&ada).await.unwrap().value;
    let phones = c.citi().phones(&ada).await.unwrap().value;
    let details = c.newday().get_customer(&ada).await.unwrap().value;
    let methods = c
        .candescent()
        .contact_methods(&ada, UserIdType::CustomerId)
        .await
        .unwrap()
        .value;

    for (kind, want) in [
        (
            ContactKind::Email,
            Part::Emails(Outcome::ok(emails.clone(), "")),
        ),
        (
            ContactKind::Phone,
            Part::Phones(Outcome::ok(phones.clone(), "")),
        ),
    ] {
        let mut parts = reread(&ts, &ada, CustomerRead::after_contact_change(kind)).await;
        assert_eq!(parts.len(), 3, "{parts:?}");
        // The changed list first, then the contact methods, then NewDay's customer.
        parts.sort_by_key(|p| match p {
            Part::Contacts(_) => 1,
            Part::Customer(_) => 2,
            _ => 0,
        });
        let same = |a: &Part, b: &Part| match (a, b) {
            (Part::Emails(x), Part::Emails(y)) => x.result == y.result,
            (Part::Phones(x), Part::Phones(y)) => x.result == y.result,
            _ => false,
        };
        assert!(same(&parts[0], &want), "{kind:?}: {:?}", parts[0]);
        let Part::Contacts(o) = &parts[1] else {
            panic!("the contact methods: {:?}", parts[1]);
        };
        assert_eq!(o.result.as_ref(), Ok(&methods));
        let Part::Customer(o) = &parts[2] else {
            panic!("NewDay's customer: {:?}", parts[2]);
        };
        assert_eq!(o.result.as_ref(), Ok(&details));
    }
}

#[test]
fn a_partial_reload_replaces_only_its_list_and_a_failed_one_keeps_the_profile() {
    let mut a = app();
    ada_open(&mut a);
    let new = citi::Emails {
        emails: vec![citi::Email {
            email_address: "ada.new@example.org".into(),
            ..profile().emails[0].clone()
        }],
    };
    let fx = loaded(
        &mut a,
        ADA_ID,
        Part::Emails(Outcome::ok(new.clone(), "cid-emails")),
    );
    assert!(fx.is_empty(), "{fx:?}");
    let c = a.customer.as_ref().unwrap();
    let Load::Ready(p) = &c.profile else {
        panic!("the profile stays loaded: {:?}", c.profile);
    };
    assert_eq!(p.emails, new.emails);
    assert_eq!(p.phones, profile().phones, "the phones are not touched");
    assert!(matches!(c.details, Load::Ready(_)));

    let before = a.customer.as_ref().unwrap().profile.clone();
    loaded(
        &mut a,
        ADA_ID,
        Part::Phones(Outcome::err("Citi did not answer", None)),
    );
    assert_eq!(a.customer.as_ref().unwrap().profile, before);
    let shown = a.status.last_error.clone().unwrap_or_default();
    assert!(shown.contains("Citi did not answer"), "{shown}");
}

/// What the runner reads again for `parts` of Ada, as the parts it sends.
async fn reread(ts: &common::TestSandbox, ada: &str, parts: Vec<CustomerRead>) -> Vec<Part> {
    messages_for(
        ts,
        Effect::Reread {
            id: ada.to_string(),
            parts,
        },
    )
    .await
    .into_iter()
    .map(|m| match m {
        Msg::Loaded { customer_id, part } => {
            assert_eq!(customer_id, ada);
            part
        }
        other => panic!("only parts are loaded, not {other:?}"),
    })
    .collect()
}

#[tokio::test]
async fn an_answered_offer_rereads_the_profile_and_an_alert_change_the_alerts_only() {
    let ts = common::start(10).await;
    let ada = api_support::ada(&ts);
    let c = api_support::agent(&ts);
    let profile = c.citi().profile(&ada).await.unwrap().value;
    let alerts = c.citi().alerts(&ada, None).await.unwrap().value;

    let got = reread(&ts, &ada, vec![CustomerRead::Profile]).await;
    let [Part::Profile(o)] = got.as_slice() else {
        panic!("one part, the profile: {got:?}");
    };
    assert_eq!(
        o.result.as_ref(),
        Ok(&profile),
        "offers as the sandbox has them"
    );

    let got = reread(&ts, &ada, vec![CustomerRead::Alerts, CustomerRead::History]).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got.iter()
            .any(|p| matches!(p, Part::Alerts(o) if o.result.as_ref() == Ok(&alerts))),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|p| matches!(p, Part::History(o) if o.result.is_ok()))
    );
}
