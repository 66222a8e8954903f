//! Versioned migrations. `PRAGMA user_version` holds the number applied.

/// Each entry is one migration, applied in order inside a transaction.
pub const MIGRATIONS: &[&str] = &[
    // 1: the customer store.
    r#"
CREATE TABLE customers (
    cid INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    tenant TEXT NOT NULL,
    customer_ref TEXT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '',
    given_name TEXT NOT NULL,
    middle_name TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL,
    suffix TEXT NOT NULL DEFAULT '',
    given_norm TEXT NOT NULL,
    family_norm TEXT NOT NULL,
    date_of_birth TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    customer_type TEXT NOT NULL DEFAULT 'INDIVIDUAL',
    segment TEXT NOT NULL DEFAULT 'STANDARD',
    partner_segment TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'ACTIVE',
    created TEXT NOT NULL,
    image_type TEXT,
    image TEXT,
    image_updated TEXT
);
CREATE TABLE addresses (
    id INTEGER PRIMARY KEY,
    cid INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    line1 TEXT NOT NULL,
    line2 TEXT NOT NULL DEFAULT '',
    line3 TEXT NOT NULL DEFAULT '',
    line4 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL,
    postcode_norm TEXT NOT NULL,
    country TEXT NOT NULL
);
CREATE TABLE emails (
    id INTEGER PRIMARY KEY,
    cid INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
    kind TEXT NOT NULL DEFAULT 'PERSONAL',
    address TEXT NOT NULL,
    preferred INTEGER NOT NULL DEFAULT 0,
    activated INTEGER NOT NULL DEFAULT 1,
    enrolled TEXT NOT NULL
);
CREATE TABLE phones (
    id INTEGER PRIMARY KEY,
    cid INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    country_code TEXT NOT NULL,
    area_code TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    extension TEXT NOT NULL DEFAULT '',
    national TEXT NOT NULL,
    consent TEXT NOT NULL DEFAULT 'express',
    source TEXT NOT NULL DEFAULT 'internal',
    activated INTEGER NOT NULL DEFAULT 1,
    enrolled TEXT NOT NULL
);
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    cid INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    account_number TEXT NOT NULL,
    kind TEXT NOT NULL,
    product TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'OPEN'
);
CREATE TABLE alert_enrolments (
    cid INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
    alert_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    threshold REAL,
    PRIMARY KEY (cid, alert_code)
) WITHOUT ROWID;
CREATE TABLE alert_history (
    id INTEGER PRIMARY KEY,
    cid INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
    alert_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    message TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE TABLE offer_responses (
    cid INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
    offer_id TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (cid, offer_id)
) WITHOUT ROWID;
CREATE TABLE fulfillments (
    id TEXT PRIMARY KEY,
    cid INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
    offer_id TEXT NOT NULL,
    remarks TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL
);
CREATE TABLE flows (
    id TEXT PRIMARY KEY,
    cid INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
    client TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    otp TEXT NOT NULL,
    attempts_left INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_unix INTEGER NOT NULL
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    to_addr TEXT NOT NULL,
    channel TEXT NOT NULL,
    text TEXT NOT NULL,
    otp TEXT,
    flow_id TEXT,
    sent_at TEXT NOT NULL
);
CREATE TABLE idempotency (
    client TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    content_type TEXT,
    body BLOB,
    created_unix INTEGER NOT NULL,
    PRIMARY KEY (client, key)
) WITHOUT ROWID;
CREATE TABLE write_log (
    id INTEGER PRIMARY KEY,
    client TEXT NOT NULL,
    idem_key TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    at TEXT NOT NULL
);
"#,
    // 2: passcode floods. Outbox messages carry their tenant (the outbox shows a caller
    // only its own tenant's); wrong passcodes are remembered per customer so a cap holds
    // across flows.
    r#"
ALTER TABLE outbox ADD COLUMN tenant TEXT;
CREATE TABLE passcode_failures (
    id INTEGER PRIMARY KEY,
    cid INTEGER NOT NULL REFERENCES customers(cid) ON DELETE CASCADE,
    at_unix INTEGER NOT NULL
);
"#,
    // 3: addresses carry their customer's tenant, so a postcode-prefix search counts its
    // matches from one covering index (tenant, postcode, customer) instead of looking
    // up every matching address and then its customer (tens of thousands of random
    // reads for a two-character prefix at 1M customers). Existing rows are filled from
    // their customer; the trigger fills rows inserted without a tenant.
    r#"
ALTER TABLE addresses ADD COLUMN tenant TEXT;
UPDATE addresses SET tenant = (SELECT c.tenant FROM customers c WHERE c.cid = addresses.cid);
CREATE TRIGGER addresses_tenant AFTER INSERT ON addresses WHEN NEW.tenant IS NULL
BEGIN
    UPDATE addresses SET tenant = (SELECT c.tenant FROM customers c WHERE c.cid = NEW.cid)
    WHERE id = NEW.id;
END;
"#,
];

/// Secondary indexes, kept apart so a bulk seed can build them after inserting.
pub const INDEXES: &[&str] = &[
    "CREATE UNIQUE INDEX IF NOT EXISTS customers_id ON customers(id)",
    "CREATE INDEX IF NOT EXISTS customers_family ON customers(tenant, family_norm, given_norm)",
    "CREATE INDEX IF NOT EXISTS customers_given ON customers(tenant, given_norm, family_norm)",
    "CREATE INDEX IF NOT EXISTS customers_dob ON customers(tenant, date_of_birth)",
    // A tenant's customers in row id order: bankingservice's paged list.
    "CREATE INDEX IF NOT EXISTS customers_tenant ON customers(tenant)",
    "CREATE INDEX IF NOT EXISTS customers_ref ON customers(customer_ref)",
    "CREATE INDEX IF NOT EXISTS addresses_cid ON addresses(cid)",
    "CREATE INDEX IF NOT EXISTS addresses_postcode ON addresses(postcode_norm)",
    // A tenant's postcodes with their customers: postcode and postcode-prefix searches
    // read matches (and count them) from the index alone.
    "CREATE INDEX IF NOT EXISTS addresses_tenant_postcode ON addresses(tenant, postcode_norm, cid)",
    "CREATE INDEX IF NOT EXISTS emails_cid ON emails(cid)",
    "CREATE INDEX IF NOT EXISTS emails_address ON emails(address)",
    "CREATE INDEX IF NOT EXISTS phones_cid ON phones(cid)",
    "CREATE INDEX IF NOT EXISTS phones_national ON phones(national)",
    "CREATE INDEX IF NOT EXISTS accounts_cid ON accounts(cid)",
    "CREATE INDEX IF NOT EXISTS accounts_number ON accounts(account_number)",
    // An account's last four digits, as a caller reads them off a card.
    "CREATE INDEX IF NOT EXISTS accounts_last4 ON accounts(substr(account_number, -4))",
    "CREATE UNIQUE INDEX IF NOT EXISTS accounts_id ON accounts(account_id)",
    "CREATE INDEX IF NOT EXISTS alert_history_cid ON alert_history(cid, sent_at)",
    "CREATE INDEX IF NOT EXISTS fulfillments_cid ON fulfillments(cid)",
    "CREATE INDEX IF NOT EXISTS flows_cid ON flows(cid)",
    "CREATE INDEX IF NOT EXISTS passcode_failures_cid ON passcode_failures(cid, at_unix)",
    "CREATE INDEX IF NOT EXISTS outbox_tenant ON outbox(tenant)",
    "CREATE INDEX IF NOT EXISTS outbox_to ON outbox(to_addr)",
    "CREATE INDEX IF NOT EXISTS write_log_key ON write_log(client, idem_key)",
];

/// Index names among [`INDEXES`] that a bulk seed drops and rebuilds.
pub fn index_names() -> impl Iterator<Item = &'static str> {
    INDEXES.iter().filter_map(|sql| {
        let rest = sql.split("IF NOT EXISTS ").nth(1)?;
        rest.split_whitespace().next()
    })
}
