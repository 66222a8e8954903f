//! Deterministic generator of realistic customers from several countries. The same seed
//! gives the same data every time.

mod countries;

pub use self::countries::country_name;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};

use self::countries::{COUNTRIES, Country, GB};
use super::{DbResult, catalog, schema};
use crate::domain::text::{fold, postcode_key};

pub const DEMO_TENANT: &str = "demo-bank";
pub const RIVAL_TENANT: &str = "rival-bank";
const RNG_SEED: u64 = 0x00c0_ffee_d35c;

const PREFIXES: &[&str] = &["Mr", "Ms", "Mrs", "Mx", "Dr", ""];
const SEGMENTS: &[&str] = &[
    "STANDARD", "STANDARD", "STANDARD", "PRIORITY", "GOLD", "PRIVATE",
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn letter(rng: &mut ChaCha8Rng) -> char {
    char::from(b'A' + rng.random_range(0..26u8))
}

fn postcode(rng: &mut ChaCha8Rng, c: &Country) -> String {
    match c.code {
        "GB" => {
            let areas = ["SW", "N", "E", "M", "B", "LS", "BS", "CF", "EH", "NR"];
            format!(
                "{}{} {}{}{}",
                pick(rng, &areas),
                rng.random_range(1..20),
                rng.random_range(1..10),
                letter(rng),
                letter(rng)
            )
        }
        "AU" => digits(rng, 4),
        "US" => digits(rng, 5),
        "NL" => format!(
            "{}{} {}{}",
            rng.random_range(1..10),
            digits(rng, 3),
            letter(rng),
            letter(rng)
        ),
        "IE" => format!(
            "D{:02} {}{}{}{}",
            rng.random_range(1..25),
            letter(rng),
            digits(rng, 1),
            letter(rng),
            letter(rng)
        ),
        _ => digits(rng, 5),
    }
}

/// (kind, area code, number, national significant number)
fn phone(rng: &mut ChaCha8Rng, c: &Country, mobile: bool) -> (String, String, String) {
    let (area, number) = match (c.code, mobile) {
        ("GB", true) => (format!("7{}", digits(rng, 3)), digits(rng, 6)),
        ("GB", false) => (format!("20{}", rng.random_range(3..9)), digits(rng, 7)),
        ("AU", true) => (format!("4{}", digits(rng, 2)), digits(rng, 6)),
        ("AU", false) => (pick(rng, &["2", "3", "7", "8"]).to_string(), digits(rng, 8)),
        ("US", _) => (
            format!("{}{}", rng.random_range(2..10), digits(rng, 2)),
            format!("555{}", digits(rng, 4)),
        ),
        ("NL", true) => ("6".to_string(), digits(rng, 8)),
        ("NL", false) => ("20".to_string(), digits(rng, 7)),
        ("IE", true) => (format!("8{}", rng.random_range(3..10)), digits(rng, 7)),
        ("IE", false) => ("1".to_string(), digits(rng, 7)),
        (_, true) => (format!("15{}", digits(rng, 1)), digits(rng, 8)),
        (_, false) => ("30".to_string(), digits(rng, 8)),
    };
    let national = format!("{area}{number}");
    (area, number, national)
}

/// Fill an empty store with `n` customers of the demo tenant (the first is always Ada
/// Quartermaine) and a smaller rival tenant.
pub fn seed(conn: &mut Connection, n: u64) -> DbResult<()> {
    conn.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")?;
    for name in schema::index_names() {
        conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
    }
    let rival = (n / 100).clamp(10, 10_000);
    let started = std::time::Instant::now();
    tracing::info!(customers = n + rival, "seeding the customer store");
    let result = insert_all(conn, n, rival);
    let inserted = started.elapsed();
    for sql in schema::INDEXES {
        conn.execute_batch(sql)?;
    }
    let indexed = started.elapsed();
    // A full ANALYZE (about a second for a million customers): a sampled one guesses a
    // few hundred customers per tenant, and the planner then walks the whole tenant in
    // name order to find one phone number or postcode.
    conn.execute_batch("ANALYZE; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")?;
    tracing::info!(
        insert_ms = inserted.as_millis() as u64,
        index_ms = (indexed - inserted).as_millis() as u64,
        analyze_ms = (started.elapsed() - indexed).as_millis() as u64,
        "seeded"
    );
    result
}

fn insert_all(conn: &mut Connection, n: u64, rival: u64) -> DbResult<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(RNG_SEED);
    let total_weight: u32 = COUNTRIES.iter().map(|(_, w)| w).sum();
    let tx = conn.transaction()?;
    {
        let mut ins_c = tx.prepare(
            "INSERT INTO customers (cid, id, tenant, customer_ref, prefix, given_name, middle_name, family_name,
             suffix, given_norm, family_norm, date_of_birth, company, customer_type, segment, partner_segment,
             status, created) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,'',?9,?10,?11,?12,?13,?14,?15,?16,?17)",
        )?;
        let mut ins_a = tx.prepare(
            "INSERT INTO addresses (cid, kind, line1, line2, city, state, postcode, postcode_norm, country, tenant)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
        )?;
        let mut ins_e = tx.prepare(
            "INSERT INTO emails (cid, kind, address, preferred, enrolled) VALUES (?1,?2,?3,?4,?5)",
        )?;
        let mut ins_p = tx.prepare(
            "INSERT INTO phones (cid, kind, country_code, area_code, number, national, consent, source, enrolled)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
        )?;
        let mut ins_acc = tx.prepare(
            "INSERT INTO accounts (cid, account_id, account_number, kind, product, status) VALUES (?1,?2,?3,?4,?5,?6)",
        )?;
        let mut ins_al = tx.prepare(
            "INSERT INTO alert_enrolments (cid, alert_code, channel, threshold) VALUES (?1,?2,?3,?4)",
        )?;
        let mut ins_h = tx.prepare(
            "INSERT INTO alert_history (cid, alert_code, channel, message, sent_at) VALUES (?1,?2,?3,?4,?5)",
        )?;
        for cid in 1..=(n + rival) as i64 {
            let tenant = if cid as u64 <= n {
                DEMO_TENANT
            } else {
                RIVAL_TENANT
            };
            let id = format!("{:016x}{:016x}", rng.random::<u64>(), rng.random::<u64>());
            let mut roll = rng.random_range(0..total_weight);
            let country = COUNTRIES
                .iter()
                .find(|(_, w)| {
                    if roll < *w {
                        true
                    } else {
                        roll -= w;
                        false
                    }
                })
                .map(|(c, _)| *c)
                .unwrap_or(&GB);
            let ada = cid == 1;
            let given = if ada {
                "Ada"
            } else {
                pick(&mut rng, country.given)
            };
            let family = if ada {
                "Quartermaine"
            } else {
                pick(&mut rng, country.family)
            };
            let middle = if rng.random_bool(0.3) {
                *pick(&mut rng, country.given)
            } else {
                ""
            };
            let dob = if ada {
                "1984-03-09".to_string()
            } else {
                format!(
                    "{}-{:02}-{:02}",
                    rng.random_range(1935..2006),
                    rng.random_range(1..13),
                    rng.random_range(1..29)
                )
            };
            let company = if rng.random_bool(0.1) {
                format!("{family} & Co")
            } else {
                String::new()
            };
            let created = format!(
                "20{:02}-{:02}-{:02}T{:02}:{:02}:00.000Z",
                rng.random_range(10..26),
                rng.random_range(1..13),
                rng.random_range(1..29),
                rng.random_range(0..24),
                rng.random_range(0..60)
            );
            let status = match rng.random_range(0..50) {
                0 => "CLOSED",
                1..=3 => "DORMANT",
                _ => "ACTIVE",
            };
            ins_c.execute(params![
                cid,
                id,
                tenant,
                format!("CR{:08}", cid),
                if ada { "Ms" } else { pick(&mut rng, PREFIXES) },
                given,
                middle,
                family,
                fold(given),
                fold(family),
                dob,
                company,
                if company.is_empty() {
                    "INDIVIDUAL"
                } else {
                    "SOLE_TRADER"
                },
                pick(&mut rng, SEGMENTS),
                if rng.random_bool(0.2) {
                    "PARTNER_PLUS"
                } else {
                    ""
                },
                status,
                created,
            ])?;
            let (city, state) = *pick(&mut rng, country.cities);
            let pc = if ada {
                "SW1A 1AA".to_string()
            } else {
                postcode(&mut rng, country)
            };
            let line1 = if ada {
                "10 Downing Street".to_string()
            } else if country.code == "NL" || country.code == "DE" {
                format!(
                    "{} {}",
                    pick(&mut rng, country.streets),
                    rng.random_range(1..200)
                )
            } else {
                format!(
                    "{} {}",
                    rng.random_range(1..200),
                    pick(&mut rng, country.streets)
                )
            };
            let line2 = if rng.random_bool(0.15) {
                format!("Flat {}", rng.random_range(1..40))
            } else {
                String::new()
            };
            let city = if ada { "London" } else { city };
            ins_a.execute(params![
                cid,
                "HOME",
                line1,
                line2,
                city,
                state,
                pc,
                postcode_key(&pc),
                country.code,
                tenant
            ])?;
            if rng.random_bool(0.15) {
                let pc2 = postcode(&mut rng, country);
                let l1 = format!("PO Box {}", rng.random_range(100..9999));
                ins_a.execute(params![
                    cid,
                    "MAILING",
                    l1,
                    "",
                    city,
                    state,
                    pc2,
                    postcode_key(&pc2),
                    country.code,
                    tenant
                ])?;
            }
            let user = format!("{}.{}", fold(given), fold(family))
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect::<String>();
            let email = format!("{user}{}@{}", cid, pick(&mut rng, country.email_domains));
            ins_e.execute(params![cid, "PERSONAL", email, true, created])?;
            if rng.random_bool(0.1) {
                ins_e.execute(params![
                    cid,
                    "WORK",
                    format!("{user}@work.example.com"),
                    false,
                    created
                ])?;
            }
            let consent = |rng: &mut ChaCha8Rng| {
                use crate::domain::choice::Consent;
                pick(
                    rng,
                    &[
                        Consent::Written,
                        Consent::Express,
                        Consent::Express,
                        Consent::Stop,
                    ],
                )
                .as_str()
            };
            let (area, number, national) = if ada {
                (
                    "7700".to_string(),
                    "900123".to_string(),
                    "7700900123".to_string(),
                )
            } else {
                phone(&mut rng, country, true)
            };
            let c1 = if ada { "express" } else { consent(&mut rng) };
            ins_p.execute(params![
                cid, "MOBILE", country.cc, area, number, national, c1, "internal", created
            ])?;
            if rng.random_bool(0.4) {
                let (area, number, national) = phone(&mut rng, country, false);
                let c2 = consent(&mut rng);
                ins_p.execute(params![
                    cid, "HOME", country.cc, area, number, national, c2, "branch", created
                ])?;
            }
            let accounts = if rng.random_bool(0.35) { 2 } else { 1 };
            for k in 0..accounts {
                let card = k == 0 || rng.random_bool(0.5);
                let (kind, product, number) = if card {
                    (
                        "CARD",
                        *pick(
                            &mut rng,
                            &["Classic Credit Card", "Rewards Card", "Platinum Card"],
                        ),
                        format!("4{}", digits(&mut rng, 15)),
                    )
                } else {
                    (
                        "CURRENT",
                        *pick(&mut rng, &["Everyday Account", "Saver Account"]),
                        digits(&mut rng, 8),
                    )
                };
                let acc_id = format!("ACC{cid:09}{k}");
                ins_acc.execute(params![cid, acc_id, number, kind, product, "OPEN"])?;
            }
            if rng.random_bool(0.5) {
                let def = pick(&mut rng, catalog::ALERTS);
                let channel = *pick(&mut rng, catalog::CHANNELS);
                let threshold = def
                    .takes_threshold
                    .then(|| f64::from(rng.random_range(1..20u32) * 50));
                ins_al.execute(params![cid, def.code, channel, threshold])?;
                if rng.random_bool(0.5) {
                    let at = format!(
                        "2026-{:02}-{:02}T09:{:02}:00.000Z",
                        rng.random_range(1..11),
                        rng.random_range(1..29),
                        rng.random_range(0..60)
                    );
                    ins_h.execute(params![
                        cid,
                        def.code,
                        channel,
                        format!("{} alert sent", def.name),
                        at
                    ])?;
                }
            }
        }
    }
    tx.commit()
}
