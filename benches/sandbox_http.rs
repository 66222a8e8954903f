//! Latency of the reference backend as an API user sees it: real HTTP over loopback,
//! one request at a time (or `--concurrency N` at once), full body read. Prints p50, p95,
//! p99 and max per workload; asserts nothing.
//!
//! Start the sandbox separately so seeding is not part of the measure, then:
//!
//!     target/release/custdesk sandbox --listen 127.0.0.1:18090 --db /tmp/1m.db --seed-customers 1000000
//!     cargo bench --bench sandbox_http -- --url http://127.0.0.1:18090 --requests 2000
//!
//! `--concurrency N` runs N callers at once; `--only GET` runs the workloads whose name
//! contains the text.
//!
//! Query values are drawn (fixed RNG seed) from customers read through bankingservice's
//! paged list (and each one's NewDay record), so every search hits real data:
//! family-name prefixes of three letters and of one, full family names, phone numbers,
//! postcodes, and NewDay GET by id. The "typed:" workloads are what the console's search
//! box sends for what a caller says (parsed by the console's own parser): a spoken phone
//! number, a date of birth as DD/MM/YYYY, a postcode's outward code, a two-character
//! `pc:` prefix (the broadest a postcode search may be), an account's last four and
//! "family given" names in either order.

use std::time::{Duration, Instant};

use custdesk::api::wire::newday::SearchFilter;
use custdesk::domain::query;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

struct Args {
    url: String,
    requests: usize,
    samples: usize,
    concurrency: usize,
    /// Only workloads whose name contains this.
    only: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        url: "http://127.0.0.1:18090".into(),
        requests: 2000,
        samples: 500,
        concurrency: 1,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => a.url = val(),
            "--requests" => a.requests = val().parse().expect("--requests N"),
            "--samples" => a.samples = val().parse().expect("--samples N"),
            "--concurrency" => a.concurrency = val().parse().expect("--concurrency N"),
            "--only" => a.only = Some(val()),
            // cargo bench passes --bench; ignore anything else of libtest's.
            _ => {}
        }
    }
    a
}

/// One kind of request: a label and how to build the n-th call.
struct Workload {
    name: &'static str,
    calls: Vec<Call>,
}

#[derive(Clone)]
enum Call {
    Search(Value),
    Get(String),
}

struct Sample {
    id: String,
    family: String,
    given: String,
    phone: Option<String>,
    postcode: Option<String>,
    date_of_birth: String,
    account: Option<String>,
}

async fn token(http: &reqwest::Client, url: &str) -> String {
    let r: Value = http
        .post(format!("{url}/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "agent"),
            ("client_secret", "agent-secret"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token json");
    r["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

async fn samples(http: &reqwest::Client, url: &str, token: &str, n: usize) -> Vec<Sample> {
    let first: Value = http
        .get(format!(
            "{url}/bankingservice/v1/profiles/demo-bank/customers?size=1"
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("list json");
    let total = first["count"].as_u64().expect("count");
    let pages = total.div_ceil(100).max(1);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut out = Vec::new();
    while out.len() < n {
        let page = rng.random_range(0..pages);
        let r: Value = http
            .get(format!(
                "{url}/bankingservice/v1/profiles/demo-bank/customers?size=100&page={page}"
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("list json");
        // Every customer of a few random pages: each page read counts the whole tenant.
        for c in r["data"].as_array().expect("data") {
            let id = c["id"].as_str().unwrap().to_string();
            let nd: Value = http
                .get(format!("{url}/customer-service/customers/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .expect("get")
                .json()
                .await
                .expect("get json");
            out.push(Sample {
                id,
                family: c["last_name"].as_str().unwrap().to_string(),
                given: c["first_name"].as_str().unwrap().to_string(),
                phone: c["phone"].as_str().map(|p| format!("+{p}")),
                postcode: c["address"]["postal_code"].as_str().map(str::to_string),
                date_of_birth: nd["dateOfBirth"].as_str().unwrap_or("").to_string(),
                account: nd["accounts"][0]["accountNumber"]
                    .as_str()
                    .map(str::to_string),
            });
        }
    }
    // Spread each workload's calls over the pages.
    for i in (1..out.len()).rev() {
        out.swap(i, rng.random_range(0..=i));
    }
    out.truncate(n);
    out
}

fn prefix(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// What the console's search box sends for `typed`, when it is a search.
fn typed(typed: &str) -> Option<Call> {
    let q = query::parse(typed).ok()??;
    let filter = serde_json::to_value(SearchFilter::from(q)).expect("filter");
    Some(Call::Search(json!({ "filter": filter })))
}

/// A GB postcode's outward code (`SW1A` of `SW1A 1AA`).
fn outward(postcode: &str) -> Option<&str> {
    let (out, inward) = postcode.split_once(' ')?;
    (inward.len() == 3 && out.chars().any(|c| c.is_ascii_digit())).then_some(out)
}

fn workloads(s: &[Sample]) -> Vec<Workload> {
    let search = |f: Value| Call::Search(json!({ "filter": f }));
    let spoken = |name, f: &dyn Fn(&Sample) -> Option<String>| Workload {
        name,
        calls: s.iter().filter_map(|c| typed(&f(c)?)).collect(),
    };
    let gb: Vec<&str> = s
        .iter()
        .filter_map(|c| outward(c.postcode.as_deref()?))
        .collect();
    vec![
        Workload {
            name: "search familyName prefix (3 letters)",
            calls: s
                .iter()
                .map(|c| search(json!({"familyName": prefix(&c.family, 3)})))
                .collect(),
        },
        Workload {
            name: "search familyName prefix (1 letter)",
            calls: s
                .iter()
                .map(|c| search(json!({"familyName": prefix(&c.family, 1)})))
                .collect(),
        },
        Workload {
            name: "search familyName (full)",
            calls: s
                .iter()
                .map(|c| search(json!({"familyName": c.family})))
                .collect(),
        },
        Workload {
            name: "search phoneNumber",
            calls: s
                .iter()
                .filter_map(|c| c.phone.as_ref())
                .map(|p| search(json!({"phoneNumber": p})))
                .collect(),
        },
        Workload {
            name: "search postcode",
            calls: s
                .iter()
                .filter_map(|c| c.postcode.as_ref())
                .map(|p| search(json!({"postcode": p})))
                .collect(),
        },
        spoken("typed: phone 07700 900123 form", &|c| {
            let p = c.phone.as_deref()?.strip_prefix("+44")?;
            Some(format!("0{} {}", &p[..4], &p[4..]))
        }),
        spoken("typed: date of birth DD/MM/YYYY", &|c| {
            let (y, rest) = c.date_of_birth.split_once('-')?;
            let (m, d) = rest.split_once('-')?;
            Some(format!("{d}/{m}/{y}"))
        }),
        spoken("typed: postcode outward code", &|c| {
            outward(c.postcode.as_deref()?).map(str::to_string)
        }),
        Workload {
            name: "typed: pc: 2-character prefix",
            calls: gb
                .iter()
                .filter_map(|o| typed(&format!("pc:{}", prefix(o, 2))))
                .collect(),
        },
        spoken("typed: acct: last four", &|c| {
            let a = c.account.as_deref()?;
            Some(format!("acct:{}", &a[a.len().checked_sub(4)?..]))
        }),
        spoken("typed: family given (either order)", &|c| {
            (!c.given.contains(' ') && !c.family.contains(' '))
                .then(|| format!("{} {}", c.family, c.given))
        }),
        spoken("typed: 3+3-letter prefixes either order", &|c| {
            (!c.given.contains(' ') && !c.family.contains(' '))
                .then(|| format!("{} {}", prefix(&c.family, 3), prefix(&c.given, 3)))
        }),
        Workload {
            name: "GET /customer-service/customers/{id}",
            calls: s.iter().map(|c| Call::Get(c.id.clone())).collect(),
        },
    ]
}

/// Run one call, returning its latency and (for searches) the match count.
async fn run(http: &reqwest::Client, url: &str, token: &str, call: &Call) -> (Duration, u64) {
    let started = Instant::now();
    let resp = match call {
        Call::Search(body) => http
            .post(format!("{url}/customer-service/customers/search"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("search"),
        Call::Get(id) => http
            .get(format!("{url}/customer-service/customers/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .expect("get"),
    };
    let status = resp.status();
    let bytes = resp.bytes().await.expect("body");
    let took = started.elapsed();
    assert!(
        status.is_success(),
        "{status}: {}",
        String::from_utf8_lossy(&bytes)
    );
    let count = match call {
        Call::Search(_) => serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["count"].as_u64())
            .unwrap_or(0),
        Call::Get(_) => 1,
    };
    (took, count)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let a = args();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    let token = token(&http, &a.url).await;
    let samples = samples(&http, &a.url, &token, a.samples).await;
    println!(
        "{} requests per workload, concurrency {}, against {} ({} sampled customers)",
        a.requests,
        a.concurrency,
        a.url,
        samples.len()
    );
    println!(
        "{:<44} {:>8} {:>8} {:>8} {:>8} {:>12}",
        "workload", "p50 ms", "p95 ms", "p99 ms", "max ms", "mean matches"
    );
    for w in workloads(&samples) {
        if a.only
            .as_ref()
            .is_some_and(|o| !w.name.contains(o.as_str()))
        {
            continue;
        }
        // Warm the connection pool and the page cache a little.
        for call in w.calls.iter().take(20) {
            run(&http, &a.url, &token, call).await;
        }
        let per_task = a.requests.div_ceil(a.concurrency);
        let tasks = (0..a.concurrency).map(|t| {
            let http = http.clone();
            let url = a.url.clone();
            let token = token.clone();
            let calls = w.calls.clone();
            tokio::spawn(async move {
                let mut out = Vec::with_capacity(per_task);
                for i in 0..per_task {
                    let call = &calls[(t * per_task + i) % calls.len()];
                    out.push(run(&http, &url, &token, call).await);
                }
                out
            })
        });
        let mut lat = Vec::new();
        let mut matches = 0u64;
        for t in futures::future::join_all(tasks).await {
            for (d, c) in t.expect("task") {
                lat.push(d);
                matches += c;
            }
        }
        lat.sort();
        println!(
            "{:<44} {:>8} {:>8} {:>8} {:>8} {:>12.1}",
            w.name,
            ms(pct(&lat, 0.50)),
            ms(pct(&lat, 0.95)),
            ms(pct(&lat, 0.99)),
            ms(*lat.last().unwrap()),
            matches as f64 / lat.len() as f64
        );
    }
}
