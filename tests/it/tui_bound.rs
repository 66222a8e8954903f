//! NewDay's `GET /customers` with the customer-bound token, read when a customer opens:
//! the customer it is bound to confirmed (nothing more to say), or why not, in words on
//! the profile. Loaded from the sandbox over HTTP and drawn on a `TestBackend`.

use crate::tui_fixture;
use crate::{api_support, common};

use custdesk::api::IdempotencyKey;
use custdesk::api::wire::banking::BsCustomerInput;
use custdesk::tui::app::{Load, Pane};
use custdesk::tui::msg::{Extra, Outcome, Part};
use tui_fixture::*;

const NO_DETAILS: &str = "NewDay has no customer details for this token";

#[tokio::test]
async fn opening_ada_confirms_the_token_is_bound_to_her_and_says_nothing_more() {
    let ts = common::start(20).await;
    let ada = api_support::ada(&ts);
    let mut app = app();
    open_from_sandbox(&ts, &mut app, &ada, None).await;
    let c = app.customer.as_ref().unwrap();
    assert_eq!(c.bound, Load::Ready(Extra::Shown(ada.clone())));
    assert!(!c.loading());
    assert!(
        app.status.last_error.is_none(),
        "{:?}",
        app.status.last_error
    );

    let terminal = render(&mut app, 160, 50);
    let shown = text(terminal.backend().buffer());
    assert!(shown.contains(&ada), "{shown}");
    assert!(!shown.contains("Token "), "{shown}");
}

#[tokio::test]
async fn a_customer_without_an_account_has_no_customer_details_in_words() {
    let ts = common::start(20).await;
    // bankingservice creates customers without any account.
    let input = BsCustomerInput {
        first_name: Some("Nora".into()),
        last_name: Some("Accountless".into()),
        ..Default::default()
    };
    let created = api_support::backoffice(&ts)
        .banking()
        .create(&input, &IdempotencyKey::fresh())
        .await
        .unwrap();
    let id = created.value.id;

    let mut app = app();
    open_from_sandbox(&ts, &mut app, &id, None).await;
    let c = app.customer.as_ref().unwrap();
    assert_eq!(c.bound, Load::Ready(Extra::Unavailable(NO_DETAILS.into())));
    // A documented answer, not an error.
    assert!(
        app.status.last_error.is_none(),
        "{:?}",
        app.status.last_error
    );

    let terminal = render(&mut app, 160, 50);
    let shown = text(terminal.backend().buffer());
    assert!(shown.contains("Accountless"), "{shown}");
    let line = shown
        .lines()
        .find(|l| l.contains("Token "))
        .unwrap_or_else(|| panic!("no Token line:\n{shown}"));
    assert!(line.contains(NO_DETAILS), "{line}");
    // Never the server's own words or status.
    for raw in ["404", "no account is held", "NoCustomerDetails", "{"] {
        assert!(!line.contains(raw), "{raw:?} in {line:?}");
    }
}

#[test]
fn a_token_bound_to_another_customer_is_said_on_the_profile() {
    let mut a = app();
    searched(&mut a);
    let id = open_selected(&mut a);
    a.focus = Pane::Profile;
    for p in ada_parts() {
        let p = match p {
            Part::Bound(_) => Part::Bound(Outcome::ok(
                Extra::Shown("0123456789abcdef0123456789abcdef".into()),
                "corr-bound",
            )),
            p => p,
        };
        loaded(&mut a, &id, p);
    }
    let terminal = render(&mut a, 160, 50);
    let shown = text(terminal.backend().buffer());
    let line = shown
        .lines()
        .find(|l| l.contains("Token "))
        .unwrap_or_else(|| panic!("no Token line:\n{shown}"));
    assert!(line.contains("Token bound to another customer"), "{line}");
    assert!(!line.contains("0123456789abcdef"), "{line}");
}

#[test]
fn not_available_to_this_client_says_nothing() {
    let mut a = app();
    searched(&mut a);
    let id = open_selected(&mut a);
    a.focus = Pane::Profile;
    for p in ada_parts() {
        let p = match p {
            Part::Bound(_) => Part::Bound(Outcome::ok(
                Extra::Unavailable("not available to this client".into()),
                "corr-bound",
            )),
            p => p,
        };
        loaded(&mut a, &id, p);
    }
    let terminal = render(&mut a, 160, 50);
    let shown = text(terminal.backend().buffer());
    assert!(shown.contains(ADA_ID), "{shown}");
    assert!(!shown.contains("Token "), "{shown}");
}
