//! A bad backend: 10% of requests fail with 500/503 (half of them after applying the
//! write) and a rate limit answers 429 with Retry-After. The job goes through with
//! retries: an item whose answer was a 5xx is in doubt and is sent again with its key
//! until the server answers (replaying a write it had applied), so it never ends failed;
//! what the rate limit still refused is listed, and `retry-failed` applies it, each item
//! once.

use crate::bulk_support;
use crate::common;

use bulk_support::*;
use custdesk::sandbox::faults::Faults;
use serde_json::Value;

const ITEMS: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_and_rate_limit_then_retry_failed() {
    let t = common::start_with(ITEMS as u64, |c| {
        c.faults = Faults::parse("error_rate=0.1,rate_limit=200/s").unwrap();
    })
    .await;
    let env = Env::new();
    let ids = t.customer_ids(common::DEMO, ITEMS);
    let csv = env.write("edits.csv", &email_csv(&ids, "faulty"));
    let plan_file = env.path("plan.json");
    let o = env.plan(&csv, &plan_file, &t.base, true).await;
    assert_eq!(code(&o), 0, "reads are retried too: {}", stderr(&o));
    let plan = load_plan(&plan_file);
    let count = ITEMS.to_string();

    // One attempt per item: a 429 is final for this run, a 5xx is in doubt and sent
    // again until settled.
    let o = env
        .run(&[
            "apply",
            plan_file.to_str().unwrap(),
            "--yes",
            &count,
            "--attempts",
            "1",
            "--ndjson",
        ])
        .await;
    let err = stderr(&o);
    eprintln!("{err}");
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines
        .last()
        .unwrap_or_else(|| panic!("no summary line; stderr: {err}"));
    let failed = summary["failed"].as_u64().unwrap() as usize;
    let applied = summary["applied"].as_u64().unwrap() as usize;
    assert_eq!(applied + failed, ITEMS, "{summary}");
    assert!(failed > 0, "with one attempt some items fail: {summary}");
    assert_eq!(code(&o), 1, "some failed: {err}");
    assert!(err.contains(&format!("{failed} failed")), "{err}");
    assert!(
        err.contains("server error (50") || err.contains("rate limited (429)"),
        "failures listed with their reasons: {err}"
    );
    assert!(
        err.contains(&format!("custdesk bulk retry-failed {}", plan.job_id)),
        "{err}"
    );
    let failures: Vec<&Value> = lines.iter().filter(|l| l["outcome"] == "failed").collect();
    assert_eq!(failures.len(), failed);
    assert!(
        !err.contains("server error (50"),
        "in-doubt items are settled by replay, never listed as failed: {err}"
    );
    assert!(failures.iter().all(|f| f["transient"] == true
        && f["reason"].as_str().is_some_and(|r| !r.is_empty())
        && f["line"].as_u64().is_some()));
    let replayed = lines.iter().filter(|l| l["replayed"] == true).count();
    eprintln!("{applied} applied ({replayed} by replay after a lost answer), {failed} failed");

    let o = env.run(&["status", &plan.job_id]).await;
    assert!(stdout(&o).contains("(failed items)"), "{}", stdout(&o));
    assert_eq!(
        stdout(&o)
            .lines()
            .filter(|l| l.starts_with("  line "))
            .count(),
        failed,
        "{}",
        stdout(&o)
    );
    let export = env.path("failed.csv");
    let o = env
        .run(&[
            "export",
            &plan.job_id,
            "--failed",
            "-o",
            export.to_str().unwrap(),
        ])
        .await;
    assert_eq!(code(&o), 0);
    assert_eq!(
        std::fs::read_to_string(&export).unwrap().lines().count(),
        failed + 1
    );

    let o = env
        .run(&["retry-failed", &plan.job_id, "--attempts", "10"])
        .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{failed} sent")),
        "only the failed items are sent: {}",
        stderr(&o)
    );
    assert_exactly_once(&t.sb, &plan);
}
