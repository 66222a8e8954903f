//! A job exists from its first moment: killed or hung up at any point (the re-read
//! included), `bulk resume` finishes it; a dropped SSH session's double SIGHUP leaves
//! nothing in doubt; a console job made on the embedded sandbox resumes from the
//! command line on the same database.

use crate::bulk_support;
use crate::common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use bulk_support::*;
use custdesk::bulk::journal::{self, Journal, Record};
use custdesk::sandbox::{self, SandboxConfig, faults::Faults};

fn signal(child: &tokio::process::Child, sig: i32) {
    let pid = child.id().expect("pid") as i32;
    // SAFETY: signalling a child this test started and has not yet reaped.
    unsafe { libc::kill(pid, sig) };
}

/// Wait until `path` exists (the job's journal), failing after 20 s.
async fn wait_exists(path: &std::path::Path, child: &mut tokio::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "no journal at {}",
            path.display()
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "exited before its journal"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A plan of `n` email edits on a sandbox answering after `latency`.
async fn setup(n: usize, latency: &str) -> (common::TestSandbox, Env, std::path::PathBuf) {
    let faults = format!("latency={latency}");
    let t = common::start_with(n as u64, |c| c.faults = Faults::parse(&faults).unwrap()).await;
    let env = Env::new();
    let ids = t.customer_ids(common::DEMO, n);
    let csv = env.write("edits.csv", &email_csv(&ids, "resumed"));
    let plan = env.path("plan.json");
    let o = env.plan(&csv, &plan, &t.base, true).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (t, env, plan)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_during_the_reread_leaves_a_job_that_resume_finishes() {
    let (t, env, plan) = setup(200, "40ms").await;
    let p = load_plan(&plan);
    let jpath = journal::journal_path(&env.jobs_dir(), &p.job_id);
    // Two reads at a time: the re-read takes about 4 s.
    let mut child = env
        .cmd(&[
            "apply",
            plan.to_str().unwrap(),
            "--yes",
            "200",
            "--concurrency",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_exists(&jpath, &mut child).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(child.try_wait().unwrap().is_none(), "still re-reading");
    signal(&child, libc::SIGKILL);
    child.wait().await.unwrap();
    assert_eq!(t.count("SELECT count(*) FROM write_log"), 0, "nothing sent");

    let o = env.run(&["status"]).await;
    assert!(
        stdout(&o).contains(&p.job_id) && stdout(&o).contains("not started"),
        "{}",
        stdout(&o)
    );
    // Left to `bulk resume`, which reads again first; the console does not offer it.
    assert!(custdesk::bulk::jobs::unfinished(&env.jobs_dir()).is_empty());
    assert_eq!(custdesk::bulk::jobs::resumable(&env.jobs_dir()).len(), 1);
    let o = env.run(&["resume"]).await;
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.contains("nothing was sent yet"), "{err}");
    assert_exactly_once(&t.sb, &p);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hangup_during_the_reread_exits_interrupted_and_resume_finishes() {
    let (t, env, plan) = setup(200, "40ms").await;
    let p = load_plan(&plan);
    let jpath = journal::journal_path(&env.jobs_dir(), &p.job_id);
    let mut child = env
        .cmd(&[
            "apply",
            plan.to_str().unwrap(),
            "--yes",
            "200",
            "--concurrency",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_exists(&jpath, &mut child).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    signal(&child, libc::SIGHUP);
    let o = child.wait_with_output().await.unwrap();
    let err = stderr(&o);
    assert_eq!(code(&o), 3, "not 129: {err}");
    assert!(
        err.contains(&format!(
            "nothing was sent yet: custdesk bulk resume {}",
            p.job_id
        )),
        "{err}"
    );
    assert_eq!(t.count("SELECT count(*) FROM write_log"), 0);
    let o = env.run(&["resume", &p.job_id]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_exactly_once(&t.sb, &p);
}

/// A dropped SSH session sends SIGHUP twice, milliseconds apart: both mean "cancel
/// cleanly", so the items in flight finish and none is left in doubt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hangups_50_ms_apart_leave_nothing_in_doubt() {
    let (t, env, plan) = setup(600, "30ms").await;
    let p = load_plan(&plan);
    let jpath = journal::journal_path(&env.jobs_dir(), &p.job_id);
    let mut child = env
        .cmd(&[
            "apply",
            plan.to_str().unwrap(),
            "--yes",
            "600",
            "--concurrency",
            "16",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_exists(&jpath, &mut child).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&jpath).map(|m| m.len()).unwrap_or(0) < 3_000 {
        assert!(Instant::now() < deadline, "no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    signal(&child, libc::SIGHUP);
    tokio::time::sleep(Duration::from_millis(50)).await;
    signal(&child, libc::SIGHUP);
    let o = child.wait_with_output().await.unwrap();
    let err = stderr(&o);
    assert_eq!(code(&o), 3, "{err}");
    assert_eq!(err.matches("cancelling").count(), 1, "{err}");
    let (state, _) = journal::read(&jpath, 600).unwrap();
    let c = state.counts(&[false; 600]);
    assert_eq!(c.in_doubt, 0, "in-flight items finished: {c:?}");
    assert!(c.applied > 0 && c.pending > 0, "{c:?}");
    assert_eq!(
        t.count("SELECT count(*) FROM write_log") as usize,
        c.applied
    );
    let o = env.run(&["resume"]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_exactly_once(&t.sb, &p);
}

/// The console records a job made on its embedded sandbox by the sandbox's database;
/// `bulk resume` (no --backend) starts that sandbox again and finishes the job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_job_on_the_embedded_sandbox_resumes_from_the_command_line() {
    let env = Env::new();
    std::fs::create_dir_all(env.data_dir()).unwrap();
    let db = env.data_dir().join("sandbox.db");
    let mut cfg = SandboxConfig::new(db.clone());
    cfg.seed_customers = 40;
    let sb = sandbox::start(cfg).await.unwrap();
    let ids: Vec<String> = sb
        .state
        .store
        .read(|c| {
            c.prepare("SELECT id FROM customers WHERE tenant = 'demo-bank' ORDER BY cid LIMIT 30")?
                .query_map([], |r| r.get(0))?
                .collect()
        })
        .unwrap();
    let csv = env.write("edits.csv", &email_csv(&ids, "embedded"));
    let plan = env.path("plan.json");
    let o = env.plan(&csv, &plan, &sb.base_url(), true).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p = load_plan(&plan);
    // What the console leaves when it is closed after the job started: the plan's copy
    // and a journal whose run names the embedded sandbox's database.
    let jobs = env.jobs_dir();
    journal::create_private_dir(&jobs).unwrap();
    custdesk::bulk::plan::save(&p, &journal::plan_path(&jobs, &p.job_id)).unwrap();
    let (j, _) = Journal::open(
        &journal::journal_path(&jobs, &p.job_id),
        p.items.len(),
        None,
    )
    .unwrap();
    j.write_synced(&Record::Start {
        at: "2026-11-21T09:00:00Z".into(),
        pid: 1,
        client: "agent".into(),
        backend: custdesk::bulk::cli::embedded_label(&db),
        mode: "apply".into(),
        plan_sha: custdesk::bulk::plan::fingerprint(&p),
    })
    .await
    .unwrap();
    j.close();
    sb.shutdown().await;

    let o = env.run(&["resume"]).await;
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert!(err.contains("started the embedded sandbox on"), "{err}");
    // The same database holds every edit, each applied once.
    let mut cfg = SandboxConfig::new(db);
    cfg.seed_customers = 0;
    let sb = sandbox::start(cfg).await.unwrap();
    assert_exactly_once(&sb, &p);
    sb.shutdown().await;
}
