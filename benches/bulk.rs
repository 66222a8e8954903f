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
