//! GET-customer round trip through the client against an in-process sandbox on
//! loopback: 10,000 sequential calls after a warm-up, reported as p50/p99/max.
//!
//!     cargo bench --bench roundtrip
//!
//! Goal: p50 <= 0.5 ms, p99 <= 2 ms, no call over 40 ms.

use std::time::{Duration, Instant};

use custdesk::api::{ApiConfig, Client};
use custdesk::sandbox::{self, SandboxConfig};

const CALLS: usize = 10_000;
const WARM_UP: usize = 1_000;
const CUSTOMERS: u64 = 5_000;

fn main() {
    let workers = std::env::var("ROUNDTRIP_WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(workers));
}

async fn run(workers: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cfg = SandboxConfig::new(dir.path().join("bench.db"));
    cfg.seed_customers = CUSTOMERS;
    let seeding = Instant::now();
    let sb = sandbox::start(cfg).await.expect("sandbox starts");
    eprintln!(
        "sandbox with {CUSTOMERS} customers on {} ({:.1} s to seed)",
        sb.addr,
        seeding.elapsed().as_secs_f64()
    );
    let ids: Vec<String> = sb
        .state
        .store
        .read(|c| {
            c.prepare(
                "SELECT id FROM customers WHERE tenant = 'demo-bank' ORDER BY cid LIMIT 1000",
            )?
            .query_map([], |r| r.get(0))?
            .collect()
        })
        .expect("ids");
    let client = Client::new(ApiConfig::sandbox(&sb.base_url())).expect("client");
    client.sign_in().await.expect("sign in");

    for i in 0..WARM_UP {
        client
            .newday()
            .get_customer(&ids[i % ids.len()])
            .await
            .expect("warm-up call");
    }
    let mut lat = Vec::with_capacity(CALLS);
    let all = Instant::now();
    for i in 0..CALLS {
        let t = Instant::now();
        let r = client
            .newday()
            .get_customer(&ids[i % ids.len()])
            .await
            .expect("call");
        lat.push(t.elapsed());
        assert_eq!(r.attempts, 1);
    }
    let total = all.elapsed();
    lat.sort();
    let q = |p: f64| lat[((lat.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let over_40 = lat
        .iter()
        .filter(|d| **d > Duration::from_millis(40))
        .count();
    println!(
        "GET customer round trip, {CALLS} sequential calls on loopback ({workers} runtime workers): \
         p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms, calls over 40 ms: {over_40}, \
         {:.0} calls/s",
        ms(q(0.50)),
        ms(q(0.90)),
        ms(q(0.99)),
        ms(lat[lat.len() - 1]),
        CALLS as f64 / total.as_secs_f64()
    );
    sb.shutdown().await;
}
