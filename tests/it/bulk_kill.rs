//! Crash safety: the headless apply is killed with SIGKILL at 20 random points (fixed
//! seed) and resumed each time. At the end every customer holds exactly what the plan
//! says and the server applied each item's idempotency key once.

use crate::bulk_support;
use crate::common;

use std::time::{Duration, Instant};

use bulk_support::*;
use rand::{Rng, SeedableRng};

const ITEMS: usize = 2_000;
const KILLS: usize = 20;
const SEED: u64 = 0x6b696c6c;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_twenty_points_then_resume_applies_each_item_once() {
    let t = common::start(ITEMS as u64).await;
    let env = Env::new();
    let ids = t.customer_ids(common::DEMO, ITEMS);
    let csv = env.write("edits.csv", &email_csv(&ids, "killed"));
    let plan_file = env.path("plan.json");
    let o = env.plan(&csv, &plan_file, &t.base, true).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let plan = load_plan(&plan_file);
    let count = ITEMS.to_string();
    let journal = custdesk::bulk::journal::journal_path(&env.jobs_dir(), &plan.job_id);

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let mut interrupted = 0;
    let mut progress = Vec::new();
    for k in 0..KILLS {
        // Until the job has a journal (a kill may land before it exists), apply again.
        let mut cmd = if k == 0 || !journal.exists() {
            env.cmd(&["apply", plan_file.to_str().unwrap(), "--yes", &count])
        } else {
            env.cmd(&["resume", &plan.job_id])
        };
        let mut child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        // A random point: one kill in five during start-up (signing in, opening and
        // reading the journal), the others once the journal has grown by a random
        // number of bytes (mid-flight, between or inside records), so the points do
        // not depend on how fast this machine is.
        let size = || std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
        let at = size();
        let point = if rng.random_bool(0.2) {
            let after = Duration::from_millis(rng.random_range(5..80));
            tokio::time::sleep(after).await;
            format!("{}ms", after.as_millis())
        } else {
            let grow = rng.random_range(50..15_000);
            let deadline = Instant::now() + Duration::from_secs(30);
            while size() < at + grow && Instant::now() < deadline {
                if child.try_wait().expect("try_wait").is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_micros(500)).await;
            }
            format!("+{grow}B")
        };
        if child.try_wait().expect("try_wait").is_none() {
            interrupted += 1;
        }
        child.start_kill().expect("SIGKILL");
        let status = child.wait().await.expect("wait");
        let (state, _) = custdesk::bulk::journal::read(&journal, ITEMS).unwrap_or_default();
        let unchanged = vec![false; ITEMS];
        let c = state.counts(&unchanged);
        progress.push((point, c.applied, c.in_doubt, status.code()));
    }
    eprintln!("kill points (after start / journal growth, applied, in doubt, exit): {progress:?}");
    assert!(
        interrupted == KILLS,
        "every kill must land while the job runs: {interrupted} of {KILLS}: {progress:?}"
    );
    let in_doubt_seen = progress.iter().filter(|p| p.2 > 0).count();
    assert!(
        in_doubt_seen >= KILLS / 2,
        "kills must leave items sent without an answer: {progress:?}"
    );
    eprintln!("{interrupted} kills interrupted the job; {in_doubt_seen} left items in doubt");

    let started = Instant::now();
    let o = env.run(&["resume", &plan.job_id]).await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    eprintln!(
        "final resume: {} ({:.2} s)",
        stderr(&o).trim(),
        started.elapsed().as_secs_f64()
    );
    let o = env.run(&["status", &plan.job_id]).await;
    assert!(stdout(&o).contains("(complete)"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!(
            "{ITEMS} items: {ITEMS} applied, 0 failed, 0 pending, 0 in doubt"
        )),
        "{}",
        stdout(&o)
    );
    assert_exactly_once(&t.sb, &plan);
    // Items in doubt at a kill had often reached the server: sent again with the same
    // key, they were answered by replay rather than applied again.
    let replays = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .filter(|l| l.contains(r#""replayed":true"#))
        .count();
    eprintln!("{replays} answers were replays of writes applied before a kill");
    assert!(replays > 0);
    // Nothing else was written.
    assert_eq!(t.count("SELECT count(*) FROM write_log") as usize, ITEMS);
}
