//! The one SQLite customer store behind all five API families.

mod by_postcode;
pub mod catalog;
pub mod schema;
pub mod seed;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

pub type DbResult<T> = rusqlite::Result<T>;

/// Readers are pooled; one writer connection serialises every write.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn configure(conn: &Connection) -> DbResult<()> {
    // A search prepares a count, a page and four child queries per shape of filter.
    conn.set_prepared_statement_cache_capacity(128);
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;
         PRAGMA busy_timeout=5000; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;
         PRAGMA mmap_size=1073741824;",
    )
}

impl Store {
    /// Open (creating and migrating if needed) the store at `path`. When the store
    /// holds no customers and `seed_customers > 0`, fill it with the deterministic
    /// generator first.
    pub fn open(path: &Path, seed_customers: u64) -> DbResult<Store> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // Created private (0600); SQLite gives its -wal and -shm files the same mode.
        if path != Path::new(":memory:") {
            let _ = crate::fsutil::create_private(path);
        }
        let mut setup = Connection::open(path)?;
        configure(&setup)?;
        migrate(&mut setup)?;
        let existing: i64 = setup.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?;
        if existing == 0 && seed_customers > 0 {
            seed::seed(&mut setup, seed_customers)?;
        }
        drop_stat4(&setup)?;
        // The writer is a fresh connection, not the one that migrated and seeded: that one
        // keeps the STAT4 samples its schema loaded (or the seed's ANALYZE made) in memory
        // after the rows are deleted, so every cached statement would be planned again on
        // each use (half the CPU of a keyed write), and its page cache has grown to the
        // seed's size, whose whole hash table SQLite scans at a commit after any B-tree
        // balance that swapped pages.
        drop(setup);
        let writer = Connection::open(path)?;
        configure(&writer)?;
        // The writer reads little (the rows a write touches), so it keeps a smaller cache
        // than the readers: after a B-tree balance that swapped pages (about one write in
        // two, the stored answers being large rows), SQLite scans the cache's whole hash
        // table at commit. It checkpoints every 4,000 WAL pages rather than 1,000, so
        // the pages written over and over (table tails, hot index leaves) are copied to
        // the database once per checkpoint and the two fsyncs come four times less often.
        writer.execute_batch("PRAGMA cache_size=-8192; PRAGMA wal_autocheckpoint=4000;")?;
        let readers = (0..4)
            .map(|_| {
                let c = Connection::open(path)?;
                configure(&c)?;
                Ok(Mutex::new(c))
            })
            .collect::<DbResult<Vec<_>>>()?;
        Ok(Store {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` on a pooled read connection.
    /// All of `f`'s statements read one snapshot in one read transaction: a search's
    /// count agrees with its page, and the file is locked once, not per statement.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> DbResult<T>) -> DbResult<T> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..self.readers.len() {
            if let Ok(conn) = self.readers[(start + i) % self.readers.len()].try_lock() {
                return snapshot(&conn, f);
            }
        }
        let conn = self.readers[start % self.readers.len()]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        snapshot(&conn, f)
    }

    /// Run `f` in one immediate transaction: committed if it returns `Ok`, rolled back
    /// otherwise, so no write is ever half-applied.
    pub fn write<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Run `f` on the writer connection outside a transaction (waiting for a write in
    /// progress): a small read that must see every committed write, such as the
    /// idempotency check before each keyed write. A pooled reader would do, but after
    /// every write it starts its next read by dropping its whole page cache and memory
    /// map (SQLite's WAL rule: a reader that sees the database changed cannot tell which
    /// pages did), which costs more than the read; the writer's own cache stays valid.
    pub fn read_on_writer<T>(&self, f: impl FnOnce(&Connection) -> DbResult<T>) -> DbResult<T> {
        let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        f(&conn)
    }

    pub fn customer_count(&self) -> DbResult<u64> {
        self.read(|c| c.query_row("SELECT count(*) FROM customers", [], |r| r.get(0)))
    }
}

fn snapshot<T>(conn: &Connection, f: impl FnOnce(&Connection) -> DbResult<T>) -> DbResult<T> {
    if !conn.is_autocommit() {
        // A transaction an earlier failure left open.
        conn.execute_batch("ROLLBACK")?;
    }
    conn.prepare_cached("BEGIN")?.execute([])?;
    let out = f(conn);
    let end = if out.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = conn.prepare_cached(end).and_then(|mut s| s.execute([]));
    let out = out?;
    ended?;
    Ok(out)
}

/// Keep ANALYZE's per-index averages (sqlite_stat1) but not its STAT4 samples: with
/// samples, a statement whose plan could depend on a bound value (a name prefix range)
/// is marked to be planned again whenever its bindings change, and rusqlite clears the
/// bindings of every cached statement after use, so each search was parsed and planned
/// anew (a quarter of a search's CPU time at 1M customers).
fn drop_stat4(conn: &Connection) -> DbResult<()> {
    let has: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE name = 'sqlite_stat4'",
        [],
        |r| r.get(0),
    )?;
    if has {
        conn.execute_batch("DELETE FROM sqlite_stat4")?;
    }
    Ok(())
}

fn migrate(conn: &mut Connection) -> DbResult<()> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
    }
    for sql in schema::INDEXES {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct AddressRec {
    pub key: i64,
    pub kind: String,
    pub line1: String,
    pub line2: String,
    pub line3: String,
    pub line4: String,
    pub city: String,
    pub state: String,
    pub postcode: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmailRec {
    pub key: i64,
    pub kind: String,
    pub address: String,
    pub preferred: bool,
    pub activated: bool,
    pub enrolled: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhoneRec {
    pub key: i64,
    pub kind: String,
    pub country_code: String,
    pub area_code: String,
    pub number: String,
    pub extension: String,
    pub national: String,
    pub consent: String,
    pub source: String,
    pub activated: bool,
    pub enrolled: String,
}

impl PhoneRec {
    /// As dialled within the country: `07700900123`.
    pub fn national_display(&self) -> String {
        if self.country_code == "1" {
            self.national.clone()
        } else {
            format!("0{}", self.national)
        }
    }
    /// International digits without `+`: `447700900123`.
    pub fn international(&self) -> String {
        format!("{}{}", self.country_code, self.national)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountRec {
    pub account_id: String,
    pub number: String,
    pub kind: String,
    pub product: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRec {
    pub cid: i64,
    pub id: String,
    pub tenant: String,
    pub customer_ref: String,
    pub prefix: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub suffix: String,
    pub date_of_birth: String,
    pub company: String,
    pub customer_type: String,
    pub segment: String,
    pub partner_segment: String,
    pub status: String,
    pub created: String,
    pub addresses: Vec<AddressRec>,
    pub emails: Vec<EmailRec>,
    pub phones: Vec<PhoneRec>,
    pub accounts: Vec<AccountRec>,
}

impl CustomerRec {
    pub fn preferred_email(&self) -> Option<&EmailRec> {
        self.emails
            .iter()
            .find(|e| e.preferred)
            .or(self.emails.first())
    }
    pub fn mobile(&self) -> Option<&PhoneRec> {
        self.phones
            .iter()
            .find(|p| p.kind == "MOBILE" && p.consent != "stop")
            .or_else(|| self.phones.iter().find(|p| p.kind == "MOBILE"))
    }
    pub fn primary_phone(&self) -> Option<&PhoneRec> {
        self.mobile().or(self.phones.first())
    }
}

const CUSTOMER_COLS: &str = "cid, id, tenant, customer_ref, prefix, given_name, middle_name, \
    family_name, suffix, date_of_birth, company, customer_type, segment, partner_segment, status, created";

fn customer_row(r: &rusqlite::Row) -> DbResult<CustomerRec> {
    Ok(CustomerRec {
        cid: r.get(0)?,
        id: r.get(1)?,
        tenant: r.get(2)?,
        customer_ref: r.get(3)?,
        prefix: r.get(4)?,
        given_name: r.get(5)?,
        middle_name: r.get(6)?,
        family_name: r.get(7)?,
        suffix: r.get(8)?,
        date_of_birth: r.get(9)?,
        company: r.get(10)?,
        customer_type: r.get(11)?,
        segment: r.get(12)?,
        partner_segment: r.get(13)?,
        status: r.get(14)?,
        created: r.get(15)?,
        addresses: vec![],
        emails: vec![],
        phones: vec![],
        accounts: vec![],
    })
}

/// Load one customer of `tenant` by id, with every child record.
pub fn customer_by_id(c: &Connection, tenant: &str, id: &str) -> DbResult<Option<CustomerRec>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {CUSTOMER_COLS} FROM customers WHERE id = ?1 AND tenant = ?2"
    ))?;
    let Some(mut rec) = stmt
        .query_row(params![id, tenant], customer_row)
        .optional()?
    else {
        return Ok(None);
    };
    load_children(c, &mut rec)?;
    Ok(Some(rec))
}

/// Load customers by row id, keeping the order given.
pub fn customers_by_cid(c: &Connection, cids: &[i64]) -> DbResult<Vec<CustomerRec>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {CUSTOMER_COLS} FROM customers WHERE cid = ?1"
    ))?;
    let mut out = Vec::with_capacity(cids.len());
    for cid in cids {
        if let Some(mut rec) = stmt.query_row([cid], customer_row).optional()? {
            load_children(c, &mut rec)?;
            out.push(rec);
        }
    }
    Ok(out)
}

pub fn load_children(c: &Connection, rec: &mut CustomerRec) -> DbResult<()> {
    let mut st = c.prepare_cached(
        "SELECT id, kind, line1, line2, line3, line4, city, state, postcode, country
         FROM addresses WHERE cid = ?1 ORDER BY id",
    )?;
    rec.addresses = st
        .query_map([rec.cid], |r| {
            Ok(AddressRec {
                key: r.get(0)?,
                kind: r.get(1)?,
                line1: r.get(2)?,
                line2: r.get(3)?,
                line3: r.get(4)?,
                line4: r.get(5)?,
                city: r.get(6)?,
                state: r.get(7)?,
                postcode: r.get(8)?,
                country: r.get(9)?,
            })
        })?
        .collect::<DbResult<_>>()?;
    let mut st = c.prepare_cached(
        "SELECT id, kind, address, preferred, activated, enrolled FROM emails WHERE cid = ?1 ORDER BY id",
    )?;
    rec.emails = st
        .query_map([rec.cid], |r| {
            Ok(EmailRec {
                key: r.get(0)?,
                kind: r.get(1)?,
                address: r.get(2)?,
                preferred: r.get(3)?,
                activated: r.get(4)?,
                enrolled: r.get(5)?,
            })
        })?
        .collect::<DbResult<_>>()?;
    let mut st = c.prepare_cached(
        "SELECT id, kind, country_code, area_code, number, extension, national, consent, source,
                activated, enrolled FROM phones WHERE cid = ?1 ORDER BY id",
    )?;
    rec.phones = st
        .query_map([rec.cid], |r| {
            Ok(PhoneRec {
                key: r.get(0)?,
                kind: r.get(1)?,
                country_code: r.get(2)?,
                area_code: r.get(3)?,
                number: r.get(4)?,
                extension: r.get(5)?,
                national: r.get(6)?,
                consent: r.get(7)?,
                source: r.get(8)?,
                activated: r.get(9)?,
                enrolled: r.get(10)?,
            })
        })?
        .collect::<DbResult<_>>()?;
    let mut st = c.prepare_cached(
        "SELECT account_id, account_number, kind, product, status FROM accounts WHERE cid = ?1 ORDER BY id",
    )?;
    rec.accounts = st
        .query_map([rec.cid], |r| {
            Ok(AccountRec {
                account_id: r.get(0)?,
                number: r.get(1)?,
                kind: r.get(2)?,
                product: r.get(3)?,
                status: r.get(4)?,
            })
        })?
        .collect::<DbResult<_>>()?;
    Ok(())
}

/// Search filters, already normalised by the caller.
#[derive(Debug, Default, Clone)]
pub struct Search {
    pub tenant: String,
    pub given_prefix: Option<String>,
    pub family_prefix: Option<String>,
    pub postcode: Option<String>,
    pub phone_national: Option<String>,
    pub date_of_birth: Option<String>,
    pub account_number: Option<String>,
    pub customer_ref: Option<String>,
    pub email: Option<String>,
    /// Folded prefixes of given and family name, in either order.
    pub name_words: Option<[String; 2]>,
    /// Normalised (upper case, no spaces).
    pub postcode_prefix: Option<String>,
    pub account_last_four: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    pub page: u32,
    pub size: u32,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub enum SortKey {
    #[default]
    FamilyName,
    GivenName,
    DateOfBirth,
    Postcode,
}

/// Upper bound for a prefix range scan: every string starting with `p` sorts below it.
pub(crate) fn prefix_end(p: &str) -> String {
    format!("{p}\u{10FFFF}")
}

/// Run a search: the total count and one page of customers, fully loaded.
pub fn search(c: &Connection, s: &Search) -> DbResult<(u64, Vec<CustomerRec>)> {
    let mut wh = vec!["c.tenant = ?".to_string()];
    let mut args: Vec<String> = vec![s.tenant.clone()];
    if let Some(p) = &s.family_prefix {
        wh.push("c.family_norm >= ? AND c.family_norm < ?".into());
        args.push(p.clone());
        args.push(prefix_end(p));
    }
    if let Some(p) = &s.given_prefix {
        wh.push("c.given_norm >= ? AND c.given_norm < ?".into());
        args.push(p.clone());
        args.push(prefix_end(p));
    }
    if let Some(v) = &s.date_of_birth {
        wh.push("c.date_of_birth = ?".into());
        args.push(v.clone());
    }
    if let Some(v) = &s.customer_ref {
        wh.push("c.customer_ref = ?".into());
        args.push(v.clone());
    }
    if let Some(v) = &s.postcode {
        wh.push(
            "c.cid IN (SELECT cid FROM addresses WHERE tenant = ? AND postcode_norm = ?)".into(),
        );
        args.push(s.tenant.clone());
        args.push(v.clone());
    }
    if let Some(v) = &s.phone_national {
        wh.push("c.cid IN (SELECT cid FROM phones WHERE national = ?)".into());
        args.push(v.clone());
    }
    if let Some(v) = &s.account_number {
        wh.push("c.cid IN (SELECT cid FROM accounts WHERE account_number = ?)".into());
        args.push(v.clone());
    }
    if let Some([a, b]) = &s.name_words {
        // Two index ranges joined by OR (each branch repeats the tenant so both can use
        // customers_given's leading columns).
        wh.push(
            "((c.tenant = ? AND c.given_norm >= ? AND c.given_norm < ? \
               AND c.family_norm >= ? AND c.family_norm < ?) \
              OR (c.tenant = ? AND c.given_norm >= ? AND c.given_norm < ? \
               AND c.family_norm >= ? AND c.family_norm < ?))"
                .into(),
        );
        for (given, family) in [(a, b), (b, a)] {
            args.push(s.tenant.clone());
            args.extend([given.clone(), prefix_end(given)]);
            args.extend([family.clone(), prefix_end(family)]);
        }
    }
    if let Some(p) = &s.postcode_prefix {
        wh.push(
            "c.cid IN (SELECT cid FROM addresses \
             WHERE tenant = ? AND postcode_norm >= ? AND postcode_norm < ?)"
                .into(),
        );
        args.push(s.tenant.clone());
        args.push(p.clone());
        args.push(prefix_end(p));
    }
    if let Some(v) = &s.account_last_four {
        wh.push("c.cid IN (SELECT cid FROM accounts WHERE substr(account_number, -4) = ?)".into());
        args.push(v.clone());
    }
    if let Some(v) = &s.email {
        wh.push("c.cid IN (SELECT cid FROM emails WHERE address = ?)".into());
        args.push(v.clone());
    }
    let where_sql = wh.join(" AND ");
    if let Some(answer) = by_postcode::search(c, s, wh.len())? {
        return Ok(answer);
    }
    let count: u64 = c
        .prepare_cached(&format!(
            "SELECT count(*) FROM customers c WHERE {where_sql}"
        ))?
        .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
    let dir = if s.descending { "DESC" } else { "ASC" };
    let order = match s.sort {
        SortKey::FamilyName => format!("c.family_norm {dir}, c.given_norm {dir}, c.cid {dir}"),
        SortKey::GivenName => format!("c.given_norm {dir}, c.family_norm {dir}, c.cid {dir}"),
        SortKey::DateOfBirth => format!("c.date_of_birth {dir}, c.cid {dir}"),
        SortKey::Postcode => format!(
            "(SELECT min(postcode_norm) FROM addresses a WHERE a.cid = c.cid) {dir}, c.cid {dir}"
        ),
    };
    let sql = format!(
        "SELECT c.cid FROM customers c WHERE {where_sql} ORDER BY {order} LIMIT {} OFFSET {}",
        s.size,
        u64::from(s.page) * u64::from(s.size)
    );
    let cids: Vec<i64> = c
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?
        .collect::<DbResult<_>>()?;
    Ok((count, customers_by_cid(c, &cids)?))
}

/// Customers of a tenant by creation order, for bankingservice's paged list.
pub fn list_page(
    c: &Connection,
    tenant: &str,
    page: u32,
    size: u32,
) -> DbResult<(u64, Vec<CustomerRec>)> {
    let count: u64 = c
        .prepare_cached("SELECT count(*) FROM customers WHERE tenant = ?1")?
        .query_row([tenant], |r| r.get(0))?;
    let cids: Vec<i64> = c
        .prepare_cached(
            "SELECT cid FROM customers WHERE tenant = ?1 ORDER BY cid LIMIT ?2 OFFSET ?3",
        )?
        .query_map(
            params![tenant, size, u64::from(page) * u64::from(size)],
            |r| r.get(0),
        )?
        .collect::<DbResult<_>>()?;
    Ok((count, customers_by_cid(c, &cids)?))
}

/// Record that a write was applied, with its idempotency key (for exactly-once checks).
pub fn log_write(
    tx: &Transaction,
    client: &str,
    key: Option<&str>,
    method: &str,
    path: &str,
) -> DbResult<()> {
    tx.prepare_cached(
        "INSERT INTO write_log (client, idem_key, method, path, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![client, key, method, path, now()])?;
    Ok(())
}

/// The current time as RFC 3339 with milliseconds, UTC.
pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}
