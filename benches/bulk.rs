//! Bulk apply throughput: 10,000 bankingservice email updates through the engine
//! (journal flushed to disk before each send and after each answer, audit log
//! written) against a sandbox on loopback, then the same number of updates sent by
//! the bare client with as many in flight (no journal, no audit: the engine's own cost
//! is the difference), and by `xargs -P 16 curl` for comparison.
//!
//!     cargo bench --bench bulk
//!
//! Goal: 10,000 edits in at most 5 s. `BULK_EDITS`, `BULK_CONCURRENCY` change the size
//! and the engine's concurrency; `BULK_CURL=0` skips the curl loop.
//!
//! Then, through the `custdesk` binary: the re-read `bulk apply` makes of 2,000
//! customers on a sandbox answering after 250 ms (goal: under 10 s), and `bulk resume`
//! against `bulk apply` sending the same number of items (goal: the same rate).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use custdesk::api::{ApiConfig, Client};
use custdesk::audit::AuditLog;
use custdesk::bulk::apply::{self, Control, Options};
use custdesk::bulk::{csv, plan};
use custdesk::sandbox::{self, SandboxConfig};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU time this process has used (user + system), client and sandbox together.
fn cpu() -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn main() {
    // Checking a CSV file: 50,000 erasure rows, each checked to be its customer's only row.
    let mut text = String::from("action,customer_id\n");
    for i in 0..50_000u64 {
        text.push_str(&format!("delete,{i:032x}\n"));
    }
    let t = Instant::now();
    let parsed = csv::parse(text.as_bytes(), chrono::Utc::now().date_naive());
    println!(
        "CSV check of 50,000 delete rows: {:.0} ms ({} items, {} errors)",
        t.elapsed().as_secs_f64() * 1000.0,
        parsed.items.len(),
        parsed.errors.len()
    );
    let edits = env_or("BULK_EDITS", 10_000);
    let concurrency = env_or("BULK_CONCURRENCY", apply::DEFAULT_CONCURRENCY);
    let dir = tempfile::tempdir().expect("tempdir");

    // The sandbox on its own runtime, as it would be in its own process.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut cfg = SandboxConfig::new(dir.path().join("bench.db"));
    cfg.seed_customers = edits as u64;
    let seeding = Instant::now();
    let sb = server_rt
        .block_on(sandbox::start(cfg))
        .expect("sandbox starts");
    let base = sb.base_url();
    let ids: Vec<String> = sb
        .state
        .store
        .read(|c| {
            c.prepare("SELECT id FROM customers WHERE tenant = 'demo-bank' ORDER BY cid LIMIT ?1")?
                .query_map([edits as i64], |r| r.get(0))?
                .collect()
        })
        .expect("ids");
    assert_eq!(ids.len(), edits, "seeded enough customers");
    eprintln!(
        "sandbox with {} customers on {base} ({:.1} s to seed)",
        edits,
        seeding.elapsed().as_secs_f64()
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let client =
        Client::new(ApiConfig::sandbox(&base).with_client("backoffice", "backoffice-secret"))
            .expect("client");
    rt.block_on(client.sign_in()).expect("sign in");

    let mut text = String::from("action,customer_id,email\n");
    for (n, id) in ids.iter().enumerate() {
        text.push_str(&format!("set_email,{id},engine{n}@example.com\n"));
    }
    let planning = Instant::now();
    let parsed = csv::parse(text.as_bytes(), chrono::Utc::now().date_naive());
    let p = rt
        .block_on(plan::build(
            &client,
            parsed.items,
            parsed.errors,
            32,
            |_| {},
        ))
        .expect("plan");
    assert!(p.errors.is_empty());
    eprintln!(
        "plan of {} items (CSV checked, current values read) in {:.2} s",
        p.items.len(),
        planning.elapsed().as_secs_f64()
    );

    let jobs = dir.path().join("jobs");
    let audit = AuditLog::new(dir.path().join("audit.log"));
    let opts = Options {
        concurrency,
        retry_failed: false,
        mode: "apply".into(),
        backend: base.clone(),
    };
    let (_tx, rx) = tokio::sync::watch::channel(Control::Run);
    let started = Instant::now();
    let cpu_before = cpu();
    let (summary, _) = rt
        .block_on(apply::run_job(
            &client,
            &p,
            &jobs,
            Some(audit),
            &opts,
            rx,
            &mut |_| {},
        ))
        .expect("job");
    let engine = started.elapsed();
    let cpu_used = cpu() - cpu_before;
    assert_eq!(summary.counts.applied, edits, "{summary:?}");
    let rate = edits as f64 / engine.as_secs_f64();
    println!(
        "engine: {edits} edits in {:.2} s ({rate:.0}/s), concurrency {concurrency}, journal fsync'd per group, audit written  [goal <= 5 s: {}]",
        engine.as_secs_f64(),
        if engine <= Duration::from_secs(5) {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "        CPU {:.2} s for client and sandbox together ({} cores, load average {})",
        cpu_used.as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_string))
            .unwrap_or_else(|| "?".into())
    );

    // The ceiling: the same number of updates through the bare client, as many in
    // flight, with no journal and no audit. The difference is the engine's cost.
    let started = Instant::now();
    rt.block_on(async {
        use futures::StreamExt;
        let results: Vec<bool> = futures::stream::iter(ids.iter().enumerate())
            .map(|(n, id)| {
                let client = &client;
                async move {
                    let input = custdesk::api::wire::banking::BsCustomerInput {
                        email: Some(format!("bare{n}@example.com")),
                        ..Default::default()
                    };
                    let key = custdesk::api::IdempotencyKey::derived("bare", &n.to_string());
                    client.banking().update(id, &input, &key).await.is_ok()
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        assert!(results.iter().all(|ok| *ok), "every bare update applied");
    });
    let bare = started.elapsed();
    println!(
        "bare client: {edits} edits in {:.2} s ({:.0}/s), {concurrency} in flight, no journal, no audit: the engine costs {:+.0}%",
        bare.as_secs_f64(),
        edits as f64 / bare.as_secs_f64(),
        (engine.as_secs_f64() / bare.as_secs_f64() - 1.0) * 100.0
    );

    let db = dir.path().join("bench.db");
    reread(&server_rt, &db, &base, &ids, dir.path());
    resume_against_apply(&base, &ids, dir.path());

    if std::env::var("BULK_CURL").as_deref() == Ok("0") {
        return;
    }
    let have = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !have("curl") || !have("xargs") {
        println!("curl or xargs not found: no comparison");
        return;
    }
    let token = rt.block_on(async {
        let r: serde_json::Value = reqwest::Client::new()
            .post(format!("{base}/oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "backoffice"),
                ("client_secret", "backoffice-secret"),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token json");
        r["access_token"].as_str().expect("token").to_string()
    });
    // One argument per line (-d '\n': no quote processing), five per curl.
    let args_file = dir.path().join("curl-args");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&args_file).expect("file"));
        for (n, id) in ids.iter().enumerate() {
            writeln!(
                f,
                "-H\nIdempotency-Key: curl-{n}\n--data\n{{\"email\":\"curl{n}@example.com\"}}\n{base}/bankingservice/v1/profiles/demo-bank/customers/{id}"
            )
            .expect("write");
        }
    }
    let command = format!(
        "xargs -d '\\n' -n 5 -P 16 curl -s -o /dev/null -w '%{{http_code}}\\n' -X PUT \
         -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' < {}",
        args_file.display()
    );
    let started = Instant::now();
    let out = Command::new("sh")
        .args(["-c", &command])
        .output()
        .expect("xargs runs");
    let curl = started.elapsed();
    let codes = String::from_utf8_lossy(&out.stdout);
    let ok = codes.lines().filter(|l| *l == "200").count();
    assert_eq!(
        ok,
        edits,
        "every curl PUT answered 200: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "xargs -P 16 curl: {edits} edits in {:.2} s ({:.0}/s), no journal",
        curl.as_secs_f64(),
        edits as f64 / curl.as_secs_f64()
    );
    println!(
        "ratio: the engine is {:.1}x the speed of the curl loop",
        curl.as_secs_f64() / engine.as_secs_f64()
    );
    drop(rt);
    server_rt.block_on(sb.shutdown());
}

const BIN: &str = env!("CARGO_BIN_EXE_custdesk");

/// `custdesk bulk ARGS` with the bench's data directory.
fn bulk(data: &std::path::Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("bulk")
        .args(args)
        .env("CUSTDESK_DATA_DIR", data.join("data"))
        .env("CUSTDESK_CONFIG_DIR", data.join("config"))
        .env_remove("CUSTDESK_CLIENT_ID")
        .env_remove("CUSTDESK_CLIENT_SECRET")
        .stdin(Stdio::null());
    c
}

/// A saved plan of email edits for `ids` (tagged `tag`), made on `base`; its job id.
fn plan_file(data: &std::path::Path, base: &str, ids: &[String], tag: &str) -> (String, String) {
    let mut text = String::from("action,customer_id,email\n");
    for (n, id) in ids.iter().enumerate() {
        text.push_str(&format!("set_email,{id},{tag}{n}@example.com\n"));
    }
    let csv = data.join(format!("{tag}.csv"));
    std::fs::write(&csv, text).expect("csv");
    let plan = data.join(format!("{tag}.json"));
    let out = bulk(
        data,
        &[
            "plan",
            csv.to_str().unwrap(),
            "-o",
            plan.to_str().unwrap(),
            "--backend",
            base,
            "--quiet",
        ],
    )
    .output()
    .expect("plan runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let job = plan::load(&plan).expect("plan").job_id;
    (plan.to_str().unwrap().to_string(), job)
}

fn journal_of(data: &std::path::Path, job: &str) -> std::path::PathBuf {
    custdesk::bulk::journal::journal_path(
        &custdesk::bulk::journal::jobs_dir(&data.join("data")),
        job,
    )
}

/// The `(N/s)` of a run's last line.
fn rate_of(stderr: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(stderr);
    let last = text
        .lines()
        .rev()
        .find(|l| l.contains(" sent in "))
        .unwrap_or("");
    last.rsplit('(')
        .next()
        .and_then(|r| r.strip_suffix("/s)"))
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("no rate in: {text}"))
}

/// `bulk apply` re-reads every customer before sending: 2,000 at 250 ms latency, timed
/// from the start of the command to its journal's first run record (sign-in included).
fn reread(
    server_rt: &tokio::runtime::Runtime,
    db: &std::path::Path,
    base: &str,
    ids: &[String],
    dir: &std::path::Path,
) {
    let n = 2_000.min(ids.len());
    let (plan, job) = plan_file(dir, base, &ids[..n], "reread");
    // A second sandbox on the same database, every answer 250 ms late.
    let mut cfg = SandboxConfig::new(db.to_path_buf());
    cfg.seed_customers = 0;
    cfg.faults = sandbox::faults::Faults::parse("latency=250ms").expect("faults");
    let slow = server_rt
        .block_on(sandbox::start(cfg))
        .expect("slow sandbox");
    let journal = journal_of(dir, &job);
    let count = n.to_string();
    let started = Instant::now();
    let mut child = bulk(
        dir,
        &[
            "apply",
            &plan,
            "--yes",
            &count,
            "--backend",
            &slow.base_url(),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("apply");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !std::fs::read_to_string(&journal).is_ok_and(|j| j.contains(r#""t":"start""#)) {
        assert!(Instant::now() < deadline, "no run started");
        assert!(
            child.try_wait().expect("wait").is_none(),
            "apply ended early"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = started.elapsed();
    // SAFETY: signalling a child this bench started and has not reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let _ = child.wait();
    println!(
        "re-read before apply: {n} customers at 250 ms latency in {:.2} s (sign-in included), 64 reads in flight  [goal < 10 s: {}]",
        took.as_secs_f64(),
        if took < Duration::from_secs(10) {
            "met"
        } else {
            "NOT met"
        }
    );
    server_rt.block_on(slow.shutdown());
}

/// `bulk resume` against `bulk apply`: the same number of items sent by each, through the
/// binary (a fresh apply of one plan; another killed early and resumed).
fn resume_against_apply(base: &str, ids: &[String], dir: &std::path::Path) {
    let n = 4_000.min(ids.len());
    let count = n.to_string();
    let (plan, _) = plan_file(dir, base, &ids[..n], "applied");
    let out = bulk(dir, &["apply", &plan, "--yes", &count])
        .output()
        .expect("apply");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let apply_rate = rate_of(&out.stderr);
    let (plan, job) = plan_file(dir, base, &ids[..n], "resumed");
    let journal = journal_of(dir, &job);
    let mut child = bulk(dir, &["apply", &plan, "--yes", &count])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("apply");
    // Killed once it has sent a few items: the resume sends nearly all of them.
    while std::fs::metadata(&journal).map_or(0, |m| m.len()) < 400 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
    let out = bulk(dir, &["resume", &job]).output().expect("resume");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let resume_rate = rate_of(&out.stderr);
    println!(
        "bulk apply: {n} items at {apply_rate:.0}/s; bulk resume of the same size (killed early): {resume_rate:.0}/s ({:.0}% of apply)",
        resume_rate / apply_rate * 100.0
    );
}
