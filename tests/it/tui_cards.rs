//! Card accounts and the partner view on the profile, loaded from the sandbox over
//! HTTP: every part the runner reads when a customer opens is fed to the `App` and the
//! profile pane drawn on a `TestBackend`.

use crate::tui_fixture;
use crate::{api_support, common};

use custdesk::tui::app::Load;
use custdesk::tui::msg::Extra;
use tui_fixture::*;

/// A seeded customer with a partner segment, a card account and a mailing address
/// (so the bill-to address differs from the card-to one), with the fewest accounts.
fn card_holder(ts: &common::TestSandbox) -> String {
    ts.sb
        .state
        .store
        .read(|c| {
            c.query_row(
                "SELECT c.id FROM customers c
                 WHERE c.tenant = 'demo-bank' AND c.partner_segment = 'PARTNER_PLUS'
                   AND EXISTS (SELECT 1 FROM accounts a WHERE a.cid = c.cid AND a.kind = 'CARD')
                   AND EXISTS (SELECT 1 FROM addresses d WHERE d.cid = c.cid AND d.kind = 'MAILING')
                   AND EXISTS (SELECT 1 FROM addresses d WHERE d.cid = c.cid AND d.kind = 'HOME')
                 ORDER BY (SELECT count(*) FROM accounts a WHERE a.cid = c.cid), c.cid
                 LIMIT 1",
                [],
                |r| r.get(0),
            )
        })
        .expect("a seeded card holder with a partner segment and a mailing address")
}

/// One address as the profile shows it.
fn one_line(a: &custdesk::api::wire::citi::Address) -> String {
    [
        &a.address_line1,
        &a.address_line2,
        &a.address_line3,
        &a.address_line4,
        &a.city,
        &a.state,
        &a.postal_code,
        &a.country_name,
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .map(|s| s.to_string())
    .collect::<Vec<_>>()
    .join(", ")
}

#[tokio::test]
async fn the_profile_shows_each_card_accounts_addresses_and_the_partner_segment() {
    let ts = common::start(60).await;
    let id = card_holder(&ts);
    let client = api_support::agent(&ts);
    let details = client.newday().get_customer(&id).await.unwrap().value;
    let cards: Vec<_> = details
        .accounts
        .iter()
        .filter(|a| a.account_type == "CARD")
        .collect();
    assert!(!cards.is_empty());

    let mut app = app();
    open_from_sandbox(&ts, &mut app, &id, None).await;
    let c = app.customer.as_ref().unwrap();
    assert_eq!(c.partner, Load::Ready(Extra::Shown("PARTNER_PLUS".into())));
    assert!(
        app.status.last_error.is_none(),
        "{:?}",
        app.status.last_error
    );

    let terminal = render(&mut app, 200, 60);
    let shown = text(terminal.backend().buffer());
    assert!(shown.contains("· partner PARTNER_PLUS"), "{shown}");
    assert!(shown.contains("Card addresses"), "{shown}");
    for card in cards {
        let want = client
            .citi()
            .card_addresses(&id, &card.account_id)
            .await
            .unwrap()
            .value;
        // The bill-to address is the mailing one, not the card-to (home) one.
        assert_ne!(want.bill_to_address, want.card_to_address);
        let last4 = &card.account_number[card.account_number.len() - 4..];
        let at = shown
            .find(&format!("••••{last4}  {}", card.product_name))
            .unwrap_or_else(|| panic!("card ••••{last4} missing:\n{shown}"));
        let below = &shown[at..];
        for (label, a) in [
            ("card to", &want.card_to_address),
            ("bill to", &want.bill_to_address),
            ("pin to", &want.pin_to_address),
        ] {
            let line = format!("{label:<12}{}", one_line(a));
            assert!(below.contains(&line), "{line:?} missing:\n{shown}");
        }
        // The card number stays masked.
        assert!(!shown.contains(&card.account_number), "{shown}");
    }
}

#[tokio::test]
async fn profile_with_card_addresses_snapshot() {
    let ts = common::start(60).await;
    let id = card_holder(&ts);
    let mut app = app();
    open_from_sandbox(&ts, &mut app, &id, None).await;
    let terminal = render(&mut app, 120, 35);
    let shown = text(terminal.backend().buffer());
    assert!(shown.contains("partner PARTNER_PLUS"), "{shown}");
    for label in ["card to", "bill to", "pin to"] {
        assert!(shown.contains(label), "{label} missing:\n{shown}");
    }
    // The status bar names the fixture's backend, not this sandbox: stable.
    // The customer itself is the same in every run: the seed is fixed.
    let stable = api_support::without_uuids(&shown);
    insta::assert_snapshot!("profile_cards_120x35", stable);
}

#[tokio::test]
async fn a_card_citi_cannot_find_addresses_for_is_a_plain_line_not_an_error() {
    let ts = common::start(60).await;
    let id = card_holder(&ts);
    // Citi answers 404 for a card account of a customer with no address on file.
    let cid = id.clone();
    ts.sb
        .state
        .store
        .write(|tx| {
            tx.execute(
                "DELETE FROM addresses WHERE cid = (SELECT cid FROM customers WHERE id = ?1)",
                [cid],
            )
        })
        .expect("addresses removed");
    let mut app = app();
    open_from_sandbox(&ts, &mut app, &id, None).await;
    assert!(
        app.status.last_error.is_none(),
        "no error banner: {:?}",
        app.status.last_error
    );
    let terminal = render(&mut app, 120, 35);
    let shown = text(terminal.backend().buffer());
    assert!(shown.contains("no addresses on file"), "{shown}");
    assert!(!shown.contains("Error"), "{shown}");
    // The rest of the profile still works.
    assert!(shown.contains("partner PARTNER_PLUS"), "{shown}");
    assert!(shown.contains("Accounts"), "{shown}");
}
