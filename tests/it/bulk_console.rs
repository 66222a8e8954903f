//! The console's bulk face end to end, without a terminal: the real `App` (update) and
//! the real `Runner` (effects) against a real sandbox over HTTP, messages pumped between
//! them as the event loop does. Search, mark every result (more than one page), build
//! the plan, type the count back, apply through the journal, check the backend, export
//! the results.

use crate::common;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use custdesk::api::{ApiConfig, Client};
use custdesk::audit::AuditLog;
use custdesk::bulk::item_key;
use custdesk::bulk::jobs::job_info;
use custdesk::bulk::journal::jobs_dir;
use custdesk::tui::app::{App, Overlay};
use custdesk::tui::edit::bulk::Step;
use custdesk::tui::keymap::Keymap;
use custdesk::tui::msg::Msg;
use custdesk::tui::tasks::Runner;
use custdesk::tui::theme::Theme;
use tokio::sync::mpsc;

struct Console {
    app: App,
    runner: Runner,
    rx: mpsc::UnboundedReceiver<Msg>,
}

impl Console {
    fn send(&mut self, msg: Msg) {
        for e in self.app.update(msg) {
            self.runner.run_detached(e);
        }
    }
    fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
    fn typed(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }
    /// Deliver finished calls until `done` holds (at most 60 s).
    async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(&self.app) {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(m)) => self.send(m),
                _ => panic!(
                    "timed out waiting for {what}; notice {:?}, error {:?}",
                    self.app.status.notice, self.app.status.last_error
                ),
            }
        }
    }
    fn step(&self) -> Option<&Step> {
        match &self.app.overlay {
            Some(Overlay::Bulk(d)) => Some(&d.step),
            _ => None,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mark_all_then_a_typed_count_plan_applies_every_customer_once_and_exports() {
    let ts = common::start(1500).await;
    let data = tempfile::tempdir().unwrap();
    let client = Client::new(ApiConfig::sandbox(&ts.base)).unwrap();
    let (initial, count, _) = common::biggest_initial(&client).await;
    assert!(
        count > 100,
        "mark-all must reach past the first page: {count}"
    );
    let (tx, rx) = mpsc::unbounded_channel();
    let runner = Runner::new(
        client.clone(),
        tx,
        AuditLog::new(data.path().join("audit.log")),
        "agent".into(),
    )
    .with_bulk(data.path(), &ts.base);
    let mut c = Console {
        app: App::new(Keymap::default(), Theme::built_in("default")),
        runner,
        rx,
    };

    c.typed(&initial.to_string());
    c.until("the search", |a| {
        !a.search.loading && !a.search.rows.is_empty()
    })
    .await;
    assert_eq!(c.app.search.count, count);
    assert!((c.app.search.rows.len() as u64) < count, "one page loaded");
    c.key(KeyCode::Esc);
    c.typed("*");
    c.until("mark all", |a| a.search.marks.len() as u64 == count)
        .await;
    assert!(
        c.app
            .status
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with(&format!("Marked all {}", count))),
        "{:?}",
        c.app.status.notice
    );

    // Subscribe every one of them to LOW_BALANCE by SMS over 50 (Alt+b: in the results
    // list a plain letter types into the search).
    c.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('b'),
        KeyModifiers::ALT,
    )));
    c.key(KeyCode::Tab);
    c.typed("LOW_BALANCE");
    c.key(KeyCode::Tab);
    c.key(KeyCode::Right);
    c.key(KeyCode::Tab);
    c.typed("50");
    c.key(KeyCode::Enter);
    c.until(
        "the plan",
        |a| matches!(&a.overlay, Some(Overlay::Bulk(d)) if matches!(d.step, Step::Preview)),
    )
    .await;
    let plan = match &c.app.overlay {
        Some(Overlay::Bulk(d)) => d.plan.clone().unwrap(),
        _ => unreachable!(),
    };
    assert_eq!(plan.items.len() as u64, count);
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    assert!(
        plan.items
            .iter()
            .all(|i| i.name.is_some() && i.old.is_some()),
        "the preview names every customer and their current value"
    );
    let to_send = plan.to_send();
    c.key(KeyCode::Enter);
    assert!(matches!(c.step(), Some(Step::TypeCount { .. })));
    c.typed(&to_send.to_string());
    c.key(KeyCode::Enter);
    c.until(
        "the results",
        |a| matches!(&a.overlay, Some(Overlay::Bulk(d)) if matches!(d.step, Step::Results)),
    )
    .await;
    let Some(Overlay::Bulk(d)) = &c.app.overlay else {
        unreachable!()
    };
    assert_eq!(d.error, None);
    assert!(d.failures.is_empty(), "{:?}", d.failures);
    assert_eq!(d.progress.counts.applied, to_send);
    assert_eq!(d.progress.answered, to_send, "one progress event per item");

    // The backend holds the new subscription for every marked customer.
    // The backend holds the new subscription for the marked customers, each applied
    // once under the item's own key.
    for item in plan.items.iter().filter(|i| !i.unchanged) {
        let key = item_key(&plan.job_id, &item.id, 0);
        assert_eq!(ts.writes_with_key(key.as_str()), 1, "item {}", item.id);
    }
    for item in plan.items.iter().step_by(17) {
        let id = item.customer_id.as_deref().unwrap();
        let alerts = client.citi().alerts(id, None).await.expect("alerts").value;
        let subs = serde_json::to_string(&alerts).unwrap();
        assert!(
            subs.contains("LOW_BALANCE") && subs.contains("SMS"),
            "{id}: {subs}"
        );
    }
    // The journal says complete; the export has one line per item.
    let info = job_info(&jobs_dir(data.path()), &plan.job_id).unwrap();
    assert_eq!(info.state, "complete");
    c.typed("x");
    c.until(
        "the export",
        |a| matches!(&a.overlay, Some(Overlay::Bulk(d)) if d.notice.is_some()),
    )
    .await;
    let csv =
        std::fs::read_to_string(jobs_dir(data.path()).join(format!("{}-results.csv", plan.job_id)))
            .unwrap();
    assert_eq!(
        csv.lines().count() as u64,
        count + 1,
        "a header and a line per item"
    );
    c.key(KeyCode::Enter);
    assert!(c.app.overlay.is_none(), "enter closes the results");
}

/// A customer deleted after the plan was previewed cannot be updated: in the results
/// the item is reported as failed for good with its reason, and `r` offers nothing.
#[tokio::test(flavor = "multi_thread")]
async fn an_item_that_fails_for_good_is_explained_and_not_offered_for_retry() {
    use custdesk::tui::edit::bulk::Kind;
    let ts = common::start(40).await;
    let data = tempfile::tempdir().unwrap();
    let client =
        Client::new(ApiConfig::sandbox(&ts.base).with_client("backoffice", "backoffice-secret"))
            .unwrap();
    let (initial, ..) = common::biggest_initial(&client).await;
    let (tx, rx) = mpsc::unbounded_channel();
    let runner = Runner::new(
        client.clone(),
        tx,
        AuditLog::new(data.path().join("audit.log")),
        "agent".into(),
    )
    .with_bulk(data.path(), &ts.base);
    let mut c = Console {
        app: App::new(Keymap::default(), Theme::built_in("default")),
        runner,
        rx,
    };
    c.typed(&initial.to_string());
    c.until("the search", |a| {
        !a.search.loading && a.search.rows.len() >= 2
    })
    .await;
    c.key(KeyCode::Esc);
    c.typed("  ");
    assert_eq!(c.app.search.marks.len(), 2);
    let gone = c.app.search.rows[1].id.clone();
    // Alt+b: in the results list a plain letter types into the search.
    c.send(Msg::Key(KeyEvent::new(
        KeyCode::Char('b'),
        KeyModifiers::ALT,
    )));
    // The action list is short: a bounded walk down to "set email", never a hang.
    for _ in 0..Kind::ALL.len() {
        if matches!(&c.app.overlay, Some(Overlay::Bulk(d)) if d.kind == Kind::SetEmail) {
            break;
        }
        c.key(KeyCode::Down);
    }
    assert!(
        matches!(&c.app.overlay, Some(Overlay::Bulk(d)) if d.kind == Kind::SetEmail),
        "the bulk dialog offers set email"
    );
    c.key(KeyCode::Tab);
    c.typed("moved.on@example.org");
    c.key(KeyCode::Enter);
    c.until(
        "the plan",
        |a| matches!(&a.overlay, Some(Overlay::Bulk(d)) if matches!(d.step, Step::Preview)),
    )
    .await;
    // The customer is deleted while the agent reads the preview.
    client
        .banking()
        .delete(&gone, &custdesk::api::IdempotencyKey::fresh())
        .await
        .expect("delete");
    c.key(KeyCode::Enter);
    c.until(
        "the results",
        |a| matches!(&a.overlay, Some(Overlay::Bulk(d)) if matches!(d.step, Step::Results)),
    )
    .await;
    let Some(Overlay::Bulk(d)) = &c.app.overlay else {
        unreachable!()
    };
    assert_eq!(d.progress.counts.applied, 1);
    assert_eq!(d.failures.len(), 1, "{:?}", d.failures);
    let failed = d.failure_summary();
    assert_eq!(failed.retryable, 0);
    let why = failed.for_good_in_words().unwrap();
    assert!(
        why.starts_with("1 failed for good (sending it again cannot help): not found (404)"),
        "{why}"
    );
    let shown = crate::tui_fixture::screen(&mut c.app, 120, 30);
    assert!(shown.contains("1 failed for good"), "{shown}");
    assert!(shown.contains("not found (404)"), "{shown}");
    assert!(!shown.contains("r retry"), "{shown}");
    let before = ts.count("SELECT count(*) FROM write_log");
    let fx = c.app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::NONE,
    )));
    assert!(fx.is_empty(), "nothing a retry could cure: {fx:?}");
    assert!(
        c.app
            .status
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Nothing to retry: 1 failed for good")),
        "{:?}",
        c.app.status.notice
    );
    assert_eq!(ts.count("SELECT count(*) FROM write_log"), before);
}
