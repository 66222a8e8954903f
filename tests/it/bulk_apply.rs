//! The engine in process against a real sandbox over HTTP: 10,000 bankingservice email
//! updates applied with progress events, each key applied once; pause and cancel.

use crate::bulk_support;
use crate::common;

use std::time::{Duration, Instant};

use bulk_support::*;
use custdesk::api::{ApiConfig, Client};
use custdesk::bulk::apply::{self, Control, Event, Options};
use custdesk::bulk::journal::ItemState;
use custdesk::bulk::{csv, plan};
use tokio::sync::watch;

fn client(base: &str) -> Client {
    Client::new(ApiConfig::sandbox(base).with_client("backoffice", "backoffice-secret"))
        .expect("client")
}

fn opts(base: &str) -> Options {
    Options {
        concurrency: apply::DEFAULT_CONCURRENCY,
        retry_failed: false,
        mode: "apply".into(),
        backend: base.into(),
    }
}

async fn plan_for(client: &Client, ids: &[String], tag: &str) -> custdesk::bulk::Plan {
    let parsed = csv::parse(
        email_csv(ids, tag).as_bytes(),
        chrono::Utc::now().date_naive(),
    );
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let p = plan::build(client, parsed.items, parsed.errors, 32, |_| {})
        .await
        .expect("plan");
    assert!(
        p.errors.is_empty(),
        "{:?}",
        &p.errors[..p.errors.len().min(5)]
    );
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_edits_with_progress() {
    let t = common::start(10_000).await;
    let ids = t.customer_ids(common::DEMO, 10_000);
    assert_eq!(ids.len(), 10_000);
    let client = client(&t.base);
    let p = plan_for(&client, &ids, "tenk").await;
    assert_eq!(p.to_send(), 10_000);
    assert!(p.items.iter().all(|i| i.old.is_some() && i.name.is_some()));
    let env = Env::new();
    let (_tx, rx) = watch::channel(Control::Run);
    let mut events = Vec::new();
    let mut last_applied = 0;
    let mut monotonic = true;
    let started = Instant::now();
    let (summary, state) = apply::run_job(
        &client,
        &p,
        &env.jobs_dir(),
        None,
        &opts(&t.base),
        rx,
        &mut |ev| {
            if let Event::Answer { counts, .. } = &ev {
                monotonic &= counts.applied == last_applied + 1;
                last_applied = counts.applied;
            }
            events.push(ev);
        },
    )
    .await
    .expect("job runs");
    let elapsed = started.elapsed();
    eprintln!(
        "10,000 edits applied in {:.2} s ({:.0}/s)",
        elapsed.as_secs_f64(),
        10_000.0 / elapsed.as_secs_f64()
    );
    assert!(summary.error.is_none(), "{:?}", summary.error);
    assert!(!summary.cancelled);
    assert_eq!(summary.counts.applied, 10_000);
    assert_eq!(summary.sent, 10_000);
    assert!(matches!(
        events[0],
        Event::Started {
            to_send: 10_000,
            ..
        }
    ));
    assert_eq!(events.len(), 10_001, "one progress event per item");
    assert!(monotonic, "progress counts go up one answer at a time");
    assert!(
        state
            .items
            .iter()
            .all(|s| matches!(s, ItemState::Answered { outcome, .. } if outcome.is_applied()))
    );
    assert_exactly_once(&t.sb, &p);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_holds_and_cancel_leaves_the_rest_pending() {
    let t = common::start_with(300, |c| {
        c.faults = custdesk::sandbox::faults::Faults::parse("latency=20ms").unwrap();
    })
    .await;
    let ids = t.customer_ids(common::DEMO, 300);
    let client = client(&t.base);
    let p = plan_for(&client, &ids, "pause").await;
    let env = Env::new();
    let (tx, rx) = watch::channel(Control::Run);
    let mut o = opts(&t.base);
    o.concurrency = 4;
    // The journal's counts as of the last answer.
    let last = std::sync::Arc::new(std::sync::Mutex::new(None));
    let job = {
        let client = client.clone();
        let p = p.clone();
        let jobs = env.jobs_dir();
        let last = last.clone();
        tokio::spawn(async move {
            apply::run_job(&client, &p, &jobs, None, &o, rx, &mut |ev| {
                if let Event::Answer { counts, .. } = ev {
                    *last.lock().unwrap() = Some(counts);
                }
            })
            .await
        })
    };
    // Pause once the job is under way (how soon that is depends on the machine's load).
    let writes = || t.count("SELECT count(*) FROM write_log");
    let deadline = Instant::now() + Duration::from_secs(20);
    while writes() == 0 {
        assert!(Instant::now() < deadline, "the job never started sending");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tx.send(Control::Pause).unwrap();
    // In-flight items finish (every write answered, none in doubt), then nothing more
    // is sent.
    let settled = |n: i64| {
        last.lock()
            .unwrap()
            .as_ref()
            .is_some_and(|c: &custdesk::bulk::journal::Counts| {
                c.in_doubt == 0 && c.applied as i64 == n
            })
    };
    let mut paused_at = writes();
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = writes();
        if now == paused_at && settled(now) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the job never settled after pause"
        );
        paused_at = now;
    }
    assert!(paused_at > 0 && paused_at < 300, "{paused_at}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(writes(), paused_at, "nothing sent while paused");
    tx.send(Control::Run).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while writes() == paused_at {
        assert!(Instant::now() < deadline, "resumed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tx.send(Control::Cancel).unwrap();
    let (summary, state) = job.await.unwrap().expect("job");
    assert!(summary.cancelled);
    let c = summary.counts;
    assert!(c.pending > 0 && c.applied > 0, "{c:?}");
    assert_eq!(c.applied + c.pending, 300, "{c:?}");
    assert_eq!(c.in_doubt, 0, "in-flight items finished: {c:?}");
    assert_eq!(writes() as usize, c.applied);
    assert_eq!(
        state
            .items
            .iter()
            .filter(|s| matches!(s, ItemState::Pending))
            .count(),
        c.pending
    );

    // Resuming finishes the rest.
    let (_tx, rx) = watch::channel(Control::Run);
    let mut o = opts(&t.base);
    o.mode = "resume".into();
    let (summary, _) = apply::run_job(&client, &p, &env.jobs_dir(), None, &o, rx, &mut |_| {})
        .await
        .expect("resume");
    assert_eq!(summary.sent, c.pending);
    assert_eq!(summary.counts.applied, 300);
    assert_exactly_once(&t.sb, &p);
}
