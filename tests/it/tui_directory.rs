//! The back-office directory (`dir:`): bankingservice's customer list in the results
//! table, in the whole console loop against the real sandbox over HTTP, checked against
//! what the sandbox's own list endpoint answers.

use crossterm::event::KeyCode;
use serde_json::Value;

use crate::api_support;
use crate::common::{self, TestSandbox};
use crate::loop_support::Loop;

const LIST: &str = "/bankingservice/v1/profiles/demo-bank/customers";

/// A page of the directory as the sandbox serves it to the backoffice client.
async fn listed(ts: &TestSandbox, page: u32) -> Value {
    let token = ts.backoffice().await;
    let a = ts
        .get(&format!("{LIST}?page={page}&size=100"), Some(&token))
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.text);
    a.body
}

/// "Family, Given" as the table shows a listed customer.
fn row_name(c: &Value) -> String {
    format!(
        "{}, {}",
        c["last_name"].as_str().unwrap(),
        c["first_name"].as_str().unwrap()
    )
}

/// The screen without what changes from run to run: the sandbox's address and
/// correlation ids.
fn stable(ts: &TestSandbox, shown: &str) -> String {
    api_support::without_uuids(&shown.replace(&ts.base, "[sandbox]"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_directory_lists_a_page_scrolls_to_the_next_and_its_rows_mark_for_a_bulk_edit() {
    let ts = common::start(150).await;
    let first = listed(&ts, 0).await;
    let count = first["count"].as_u64().unwrap();
    assert!(count > 100, "more than one page: {count}");
    let data = first["data"].as_array().unwrap();

    let c = Loop::start(&ts, "backoffice", 120, 35);
    c.expect("corr").await;
    c.keys("dir:");
    // The first page, with the sandbox's own total.
    c.expect(&format!(
        "1 of {count} customers, oldest first · 100 loaded"
    ))
    .await;
    let shown = c.text();
    assert!(shown.contains("Directory"), "{shown}");
    assert!(shown.contains(&row_name(&data[0])), "{shown}");
    assert!(!shown.contains("searching"), "{shown}");

    // The backend cannot sort the list: the status says so and nothing moves.
    // (In the results list a letter types; Alt with it runs its command.)
    c.esc();
    c.alt('s');
    c.expect("The directory cannot be sorted by the backend")
        .await;

    // To the last loaded row: the next page is fetched.
    c.key(KeyCode::End);
    let loaded = count.min(200);
    c.expect(&format!(
        "100 of {count} customers, oldest first · {loaded} loaded"
    ))
    .await;
    let second = listed(&ts, 1).await;
    let hundred_first = &second["data"][0];
    c.key(KeyCode::Down);
    c.expect(&format!("101 of {count} customers")).await;
    c.expect(&row_name(hundred_first)).await;

    // Mark the row under the cursor (space marks and moves down): the bulk dialog
    // counts it.
    c.keys(" ");
    c.expect("Directory · 1 marked").await;
    c.alt('b');
    c.expect("Bulk edit · 1 marked customer").await;
    c.esc();
    c.expect_gone("Bulk edit").await;
    // A directory row opens as a search result does: the id is NewDay's too.
    c.key(KeyCode::Home);
    c.enter();
    c.expect(&format!(
        "Profile · {} {}",
        data[0]["first_name"].as_str().unwrap(),
        data[0]["last_name"].as_str().unwrap()
    ))
    .await;
    let app = c.quit("directory").await;
    let marked: Vec<&String> = app.search.marks.iter().collect();
    assert_eq!(
        marked,
        vec![hundred_first["id"].as_str().unwrap()],
        "the marked row is the 101st listed customer, by the id every family shares"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mark_all_in_the_directory_marks_every_listed_customer_loaded_or_not() {
    let ts = common::start(150).await;
    let count = listed(&ts, 0).await["count"].as_u64().unwrap();
    let c = Loop::start(&ts, "backoffice", 120, 35);
    c.expect("corr").await;
    c.keys("dir:");
    c.expect(&format!("1 of {count} customers")).await;
    c.esc();
    c.keys("*");
    c.expect(&format!("Directory · {count} marked")).await;
    c.alt('b');
    c.expect(&format!("Bulk edit · {count} marked customers"))
        .await;
    c.esc();
    c.quit("directory mark all").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agent_client_is_told_in_words_that_the_directory_is_for_the_backoffice_client() {
    let ts = common::start(20).await;
    let c = Loop::start(&ts, "agent", 120, 35);
    // Signed in (the scopes are known): before that the backend decides.
    c.expect("agent [6 scopes]").await;
    c.keys("dir:");
    let shown = c
        .until("the refusal", |s| {
            s.contains("The directory is for the backoffice client (customers:write)")
        })
        .await;
    assert!(shown.contains("CUSTDESK_CLIENT_ID=backoffice"), "{shown}");
    // No status code in front of the agent (the sandbox's port, on the status line,
    // may hold the digits 403: it is left out of the check).
    let port = ts.base.rsplit(':').next().unwrap_or_default();
    assert!(!shown.replace(port, "").contains("403"), "{shown}");
    assert!(!shown.contains("customers, oldest first"), "{shown}");
    // Something after `dir:` is refused in words too.
    c.keys(" smith");
    c.expect("cannot be filtered").await;
    c.quit("directory refused").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn directory_snapshot_120x35() {
    let ts = common::start(150).await;
    let count = listed(&ts, 0).await["count"].as_u64().unwrap();
    let c = Loop::start(&ts, "backoffice", 120, 35);
    c.expect("corr").await;
    c.keys("dir:");
    c.expect(&format!(
        "1 of {count} customers, oldest first · 100 loaded"
    ))
    .await;
    let shown = stable(&ts, &c.text());
    c.quit("directory snapshot").await;
    insta::assert_snapshot!("directory_120x35", shown);
}
