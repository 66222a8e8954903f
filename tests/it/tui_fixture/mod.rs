//! Console test fixtures: realistic customers built from the wire types, fed into
//! `App::update` exactly as the runtime would, and helpers to render over ratatui's
//! `TestBackend`. No network anywhere.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use custdesk::api::wire::candescent::{ContactMethod, ContactMethods, NumOrString};
use custdesk::api::wire::citi;
use custdesk::api::wire::newday::{
    Account, Contact, Customer, CustomerAddress, SearchResponse, TypedValue,
};
use custdesk::tui::app::App;
use custdesk::tui::effect::Effect;
use custdesk::tui::keymap::Keymap;
use custdesk::tui::msg::{CardAccount, Extra, Msg, Outcome, Part};
use custdesk::tui::theme::Theme;
use custdesk::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

pub const ADA_ID: &str = "9f2c4e1a7b3d5f6ea1c2e3d4b5a6f7e8";
pub const BANNER: &str = "TRAINING SANDBOX — demo data";

/// Correlation ids the fake backend "returns", one per kind of call.
pub const CORR_SEARCH: &str = "3f1c9a2e-7b4d-4e0a-9c61-2d8e5f7a1b40";
pub const CORR_CUSTOMER: &str = "b7e2d4c1-5a3f-4c8e-8d2b-6f1a9e3c7d05";
pub const CORR_PROFILE: &str = "0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f";
pub const CORR_CONTACTS: &str = "5e4d3c2b-1a09-4f8e-a7d6-c5b4a3928170";
pub const CORR_ALERTS: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
pub const CORR_HISTORY: &str = "d4c3b2a1-f6e5-4b7a-9d8c-5d4c3b2a1f0e";

/// Ada's personal data in full: none of it may appear on screen unless revealed (the
/// last four digits may).
pub const ADA_MOBILE: &str = "+447700900123";
pub const ADA_HOME_PHONE: &str = "02079460018";
pub const ADA_EMAIL: &str = "ada.quartermaine1@example.co.uk";
pub const ADA_WORK_EMAIL: &str = "ada.quartermaine@work.example.com";
pub const ADA_CARD: &str = "5412751234567890";
pub const ADA_CURRENT: &str = "31926819";

/// Substrings that give away more than the last four characters of Ada's phones,
/// emails and accounts.
pub const ADA_SECRETS: &[&str] = &[
    "900123",
    "7700900",
    "460018",
    "2079460",
    "567890",
    "54127512",
    "926819",
    "quartermaine1",
    "example.co",
    "work.example",
    "ada.q",
];

// ---- keys ----------------------------------------------------------------------------

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), mods))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Alt with a character: in the results list, a letter's command.
pub fn alt(c: char) -> Msg {
    let Msg::Key(mut k) = ch(c) else {
        unreachable!()
    };
    k.modifiers |= KeyModifiers::ALT;
    Msg::Key(k)
}

pub fn backtab() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT))
}

/// Type `text` one key at a time; every effect produced, in order.
pub fn type_str(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| app.update(ch(c))).collect()
}

/// The `Effect::Search`es in `fx`, as (seq, page, sort).
pub fn searches(fx: &[Effect]) -> Vec<(u64, u32, Option<String>)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Search {
                seq, page, sort, ..
            } => Some((*seq, *page, sort.clone())),
            _ => None,
        })
        .collect()
}

// ---- wire data -----------------------------------------------------------------------

fn phone(kind: &str, value: &str) -> TypedValue {
    TypedValue {
        kind: kind.into(),
        value: value.into(),
    }
}

fn address(kind: &str, line1: &str, town: &str, postcode: &str) -> CustomerAddress {
    CustomerAddress {
        kind: kind.into(),
        address_line1: line1.into(),
        address_line2: String::new(),
        address_line3: String::new(),
        address_line4: String::new(),
        town: town.into(),
        county: String::new(),
        postcode: postcode.into(),
        country_code: "GB".into(),
    }
}

fn account(id: &str, number: &str, kind: &str, product: &str) -> Account {
    Account {
        account_id: id.into(),
        account_number: number.into(),
        account_type: kind.into(),
        product_name: product.into(),
        status: "ACTIVE".into(),
    }
}

/// Ada Quartermaine, as NewDay returns her.
pub fn ada() -> Customer {
    let mut mailing = address("MAILING", "PO Box 4821", "London", "EC1A 1BB");
    mailing.county = "Greater London".into();
    Customer {
        id: ADA_ID.into(),
        customer_ref: "CR00000001".into(),
        status: "ACTIVE".into(),
        title: "Ms".into(),
        given_name: "Ada".into(),
        middle_name: "Beatrice".into(),
        family_name: "Quartermaine".into(),
        date_of_birth: "1984-03-09".into(),
        contact: Contact {
            phone_numbers: vec![phone("MOBILE", ADA_MOBILE), phone("HOME", ADA_HOME_PHONE)],
            email_addresses: vec![phone("PERSONAL", ADA_EMAIL), phone("WORK", ADA_WORK_EMAIL)],
        },
        addresses: vec![
            address("HOME", "10 Downing Street", "London", "SW1A 1AA"),
            mailing,
        ],
        accounts: vec![
            account("acc-1-card", ADA_CARD, "CARD", "Platinum Rewards"),
            account("acc-1-current", ADA_CURRENT, "CURRENT", "Everyday Current"),
        ],
    }
}

#[allow(clippy::too_many_arguments)]
fn other(
    id: &str,
    cref: &str,
    title: &str,
    given: &str,
    family: &str,
    dob: &str,
    mobile: &str,
    postcode: &str,
    town: &str,
    acct: &str,
    status: &str,
) -> Customer {
    let email = format!(
        "{}.{}@example.com",
        given.to_lowercase(),
        family.to_lowercase()
    );
    Customer {
        id: id.into(),
        customer_ref: cref.into(),
        status: status.into(),
        title: title.into(),
        given_name: given.into(),
        middle_name: String::new(),
        family_name: family.into(),
        date_of_birth: dob.into(),
        contact: Contact {
            phone_numbers: vec![phone("MOBILE", mobile)],
            email_addresses: vec![phone("PERSONAL", &email)],
        },
        addresses: vec![address("HOME", "22 Acacia Avenue", town, postcode)],
        accounts: vec![account(
            &format!("acc-{cref}"),
            acct,
            "CARD",
            "Classic Card",
        )],
    }
}

/// What a search for `quart` finds: Ada first, then five more.
pub fn customers() -> Vec<Customer> {
    vec![
        ada(),
        other(
            "1b7d3e5f9a0c2e4f6a8b0c1d2e3f4a5b",
            "CR00000417",
            "Mr",
            "Bernard",
            "Quartermaine",
            "1951-11-23",
            "+447700900456",
            "BS8 1TH",
            "Bristol",
            "4929000011112222",
            "DORMANT",
        ),
        other(
            "2c8e4f6a0b1d3f5a7b9c1d2e3f4a5b6c",
            "CR00001288",
            "Dr",
            "Priya",
            "Quarterman",
            "1990-06-02",
            "07700 900789",
            "M1 2AB",
            "Manchester",
            "4929000033334444",
            "ACTIVE",
        ),
        other(
            "3d9f5a7b1c2e4a6b8c0d2e3f4a5b6c7d",
            "CR00002045",
            "Mr",
            "Hugo",
            "Quartermass",
            "1978-01-30",
            "+44 7700 900321",
            "EH1 1YZ",
            "Edinburgh",
            "4929000055556666",
            "ACTIVE",
        ),
        other(
            "4e0a6b8c2d3f5b7c9d1e3f4a5b6c7d8e",
            "CR00003391",
            "Mrs",
            "Siobhan",
            "Quartley",
            "1965-09-17",
            "+447700900654",
            "CF10 1EP",
            "Cardiff",
            "4929000077778888",
            "CLOSED",
        ),
        other(
            "5f1b7c9d3e4a6c8d0e2f4a5b6c7d8e9f",
            "CR00004102",
            "Ms",
            "Mei",
            "Quartz",
            "2001-12-05",
            "+447700900987",
            "LS1 4AP",
            "Leeds",
            "4929000099990000",
            "ACTIVE",
        ),
    ]
}

/// `n` further customers, for paging.
pub fn filler(start: usize, n: usize) -> Vec<Customer> {
    (start..start + n)
        .map(|i| {
            let mut c = other(
                &format!("{i:032x}"),
                &format!("CR{:08}", 10_000 + i),
                "Mx",
                "Sam",
                &format!("Quarto{i:04}"),
                "1970-01-01",
                "+447700900000",
                "N1 9GU",
                "London",
                "4929000000000000",
                "ACTIVE",
            );
            c.id = format!("{i:032x}");
            c
        })
        .collect()
}

pub fn search_response(values: Vec<Customer>, page: u32, count: u64) -> SearchResponse {
    SearchResponse {
        values,
        page,
        size: 100,
        count,
    }
}

fn citi_address(key: i64, kind: &str, line1: &str, city: &str, postcode: &str) -> citi::Address {
    citi::Address {
        address_key: key,
        address_type: kind.into(),
        address_line1: line1.into(),
        city: city.into(),
        postal_code: postcode.into(),
        country_name: "United Kingdom".into(),
        ..Default::default()
    }
}

/// Ada's Citi profile.
pub fn profile() -> citi::Profile {
    citi::Profile {
        emails: vec![citi::Email {
            email_key: Some(1),
            email_address: ADA_EMAIL.into(),
            preferred_email_flag: true,
        }],
        customer_type: "INDIVIDUAL".into(),
        customer_particulars: citi::CustomerParticulars {
            names: vec![citi::Name {
                name_type: "LOCAL".into(),
                given_name: "Ada".into(),
                middle_name: "Beatrice".into(),
                surname: "Quartermaine".into(),
            }],
            prefix: "Ms".into(),
            suffix: String::new(),
            date_of_birth: "1984-03-09".into(),
        },
        customer_segment: "GOLD".into(),
        partner_customer_segment: None,
        address_list: vec![
            citi_address(1, "HOME", "10 Downing Street", "London", "SW1A 1AA"),
            citi_address(2, "MAILING", "PO Box 4821", "London", "EC1A 1BB"),
        ],
        phones: vec![citi::Phone {
            phone_key: Some(1),
            phone_type: "MOBILE".into(),
            phone_country_code: "44".into(),
            area_code: "7700".into(),
            phone_number: "900123".into(),
            extension: String::new(),
        }],
        offers: vec![
            citi::Offer {
                offer_id: "OFR-BT18".into(),
                offer_name: "Balance transfer".into(),
                description: "0% for 18 months, 3% fee".into(),
                offer_status: "AVAILABLE".into(),
            },
            citi::Offer {
                offer_id: "OFR-CB5".into(),
                offer_name: "Cashback boost".into(),
                description: "5% back on groceries until 30 Sep".into(),
                offer_status: "ACCEPTED".into(),
            },
        ],
    }
}

fn method(
    id: i64,
    cc: Option<&str>,
    info: &str,
    protocol: &str,
    consent: Option<&str>,
    source: Option<&str>,
) -> ContactMethod {
    ContactMethod {
        id,
        telephone_country_code: cc.map(|c| NumOrString::Str(c.into())),
        contact_info: NumOrString::Str(info.into()),
        protocol: protocol.into(),
        is_activated: protocol != "VOICE",
        enrolled_date_time: "2019-04-02T10:15:00.000Z".into(),
        consent_type: consent.map(str::to_string),
        client_source: source.map(str::to_string),
    }
}

/// Ada's Candescent contact methods.
pub fn contacts() -> ContactMethods {
    ContactMethods {
        customer_id: ADA_ID.into(),
        contact_methods: vec![
            method(
                11,
                Some("44"),
                "7700900123",
                "SMS",
                Some("written"),
                Some("branch"),
            ),
            method(
                12,
                Some("44"),
                "2079460018",
                "VOICE",
                Some("express"),
                Some("ivr"),
            ),
            method(13, None, ADA_EMAIL, "EMAIL", None, Some("web")),
        ],
    }
}

fn alert(
    code: &str,
    name: &str,
    status: &str,
    channel: Option<&str>,
    amount: Option<f64>,
) -> citi::Alert {
    citi::Alert {
        alert_code: code.into(),
        alert_name: name.into(),
        description: format!("{name} alert"),
        alert_status: status.into(),
        channel: channel.map(str::to_string),
        threshold: amount.map(|a| citi::Threshold {
            amount: a,
            currency: "GBP".into(),
        }),
    }
}

/// Ada's alerts: two enrolled, two eligible.
pub fn alerts() -> citi::Alerts {
    citi::Alerts {
        alerts: vec![
            alert(
                "LOW_BAL",
                "Low balance",
                "ENROLLED",
                Some("SMS"),
                Some(50.0),
            ),
            alert(
                "LARGE_TXN",
                "Large transaction",
                "ENROLLED",
                Some("EMAIL"),
                Some(500.0),
            ),
            alert("PAY_DUE", "Payment due", "ELIGIBLE", None, None),
            alert("CNP", "Card not present", "ELIGIBLE", None, None),
        ],
    }
}

fn sent(code: &str, channel: &str, message: &str, at: &str) -> citi::AlertHistoryItem {
    citi::AlertHistoryItem {
        alert_code: code.into(),
        channel: channel.into(),
        message: message.into(),
        sent_date_time: at.into(),
    }
}

/// Ada's alert history, newest first.
pub fn history() -> citi::AlertHistory {
    citi::AlertHistory {
        alert_history: vec![
            sent(
                "LOW_BAL",
                "SMS",
                "Balance below GBP 50.00",
                "2025-05-14T09:12:44.000Z",
            ),
            sent(
                "LARGE_TXN",
                "EMAIL",
                "Card payment of GBP 742.10",
                "2025-05-02T18:40:03.000Z",
            ),
            sent(
                "LOW_BAL",
                "SMS",
                "Balance below GBP 50.00",
                "2025-04-28T07:55:19.000Z",
            ),
        ],
        total_records: 3,
        next_start_index: None,
    }
}

// ---- driving the app -------------------------------------------------------------------

/// A fresh console as the runtime sets it up against the training sandbox.
pub fn app_with(keymap: Keymap, theme: Theme) -> App {
    let mut app = App::new(keymap, theme);
    app.status.backend = "127.0.0.1:41873".into();
    app.status.profile = "sandbox".into();
    app.status.agent = "demo.agent".into();
    app.status.scopes = scopes_of("agent");
    app.banner = Some(BANNER.into());
    app
}

pub fn app() -> App {
    app_with(Keymap::default(), Theme::built_in("default"))
}

/// The scopes the sandbox grants the demo client `id` (what its token carries).
pub fn scopes_of(id: &str) -> Vec<String> {
    custdesk::sandbox::auth::client(id)
        .unwrap_or_else(|| panic!("no demo client {id}"))
        .scopes
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Give the console the back-office client's scopes, for the bankingservice forms and
/// bulk jobs (the fixture signs in as an agent).
pub fn as_backoffice(app: &mut App) {
    app.status.scopes = scopes_of("backoffice");
}

/// Type `text` into the search box and return the seq of the last search it asked for.
pub fn type_search(app: &mut App, text: &str) -> u64 {
    let fx = type_str(app, text);
    let s = searches(&fx);
    assert_eq!(
        s.len(),
        text.chars().count(),
        "one search per keystroke: {fx:?}"
    );
    s.last().expect("a search").0
}

/// Answer search `seq` (page 0) with `rows` of `count` matches.
pub fn answer_search(app: &mut App, seq: u64, rows: Vec<Customer>, count: u64) -> Vec<Effect> {
    app.update(Msg::Searched {
        seq,
        page: 0,
        outcome: Outcome::ok(search_response(rows, 0, count), CORR_SEARCH),
    })
}

/// Search for `quart` and get the six fixture customers back.
pub fn searched(app: &mut App) {
    let seq = type_search(app, "quart");
    let n = customers().len() as u64;
    let fx = answer_search(app, seq, customers(), n);
    assert!(fx.is_empty(), "{fx:?}");
}

/// Press Enter on the selected row; returns the id the console asked to load.
pub fn open_selected(app: &mut App) -> String {
    let fx = app.update(key(KeyCode::Enter));
    match fx.as_slice() {
        [Effect::LoadCustomer { id }] => id.clone(),
        other => panic!("expected one LoadCustomer, got {other:?}"),
    }
}

pub fn loaded(app: &mut App, id: &str, part: Part) -> Vec<Effect> {
    app.update(Msg::Loaded {
        customer_id: id.into(),
        part,
    })
}

/// Every part of Ada, loaded successfully, in the order the runtime's calls finish.
pub fn ada_parts() -> Vec<Part> {
    vec![
        Part::Customer(Outcome::ok(ada(), CORR_CUSTOMER)),
        Part::Profile(Outcome::ok(profile(), CORR_PROFILE)),
        Part::Contacts(Outcome::ok(contacts(), CORR_CONTACTS)),
        Part::Alerts(Outcome::ok(alerts(), CORR_ALERTS)),
        Part::History(Outcome::ok(history(), CORR_HISTORY)),
        // Read after the customer and the history; the last correlation id stays the
        // history's, which the copy tests expect.
        Part::Cards(Outcome::ok(ada_cards(), CORR_HISTORY)),
        Part::Partner(Outcome::ok(Extra::Shown("NONE".into()), CORR_HISTORY)),
        // NewDay's `GET /customers` with Ada's token: bound to Ada.
        Part::Bound(Outcome::ok(Extra::Shown(ADA_ID.into()), CORR_HISTORY)),
        // Ada has no profile image (and a snapshot draws none).
        Part::Image(Outcome {
            result: Ok(None),
            correlation_id: None,
        }),
    ]
}

/// Ada's card account with its addresses, as Citi returns them.
pub fn ada_cards() -> Vec<CardAccount> {
    let home = || citi_address(1, "HOME", "10 Downing Street", "London", "SW1A 1AA");
    vec![CardAccount {
        account_id: "acc-1-card".into(),
        account_number: ADA_CARD.into(),
        product_name: "Platinum Rewards".into(),
        addresses: Ok(Extra::Shown(citi::CardAddresses {
            card_to_address: home(),
            bill_to_address: citi_address(2, "MAILING", "PO Box 4821", "London", "EC1A 1BB"),
            pin_to_address: home(),
        })),
    }]
}

/// Search, open Ada and load every part: the console as an agent sees it mid-call.
pub fn ada_open(app: &mut App) {
    searched(app);
    let id = open_selected(app);
    assert_eq!(id, ADA_ID);
    for p in ada_parts() {
        let fx = loaded(app, &id, p);
        assert!(fx.is_empty(), "{fx:?}");
    }
}

// ---- rendering ---------------------------------------------------------------------------

pub fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    view::fit(app, ratatui::layout::Rect::new(0, 0, w, h));
    t.draw(|f| view::draw(f, app)).expect("draw");
    app.dirty = false;
    t
}

/// The buffer as plain text, one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Render at `w` x `h` and return the screen as text.
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    text(render(app, w, h).backend().buffer())
}

/// Cells holding a control character (C0, DEL, C1): none may ever reach the terminal.
pub fn control_cells(buf: &Buffer) -> Vec<(u16, u16, String)> {
    let mut bad = Vec::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let s = buf[(x, y)].symbol();
            if s.chars().any(|c| c.is_control()) {
                bad.push((x, y, s.escape_debug().to_string()));
            }
        }
    }
    bad
}

/// Fail if the screen shows more than the last four of any of Ada's phones, emails or
/// account numbers.
pub fn assert_ada_masked(screen: &str, what: &str) {
    for s in ADA_SECRETS {
        assert!(
            !screen.contains(s),
            "{what}: '{s}' is on screen unmasked:\n{screen}"
        );
    }
}

/// Open `id` in `app` against the real sandbox: the runner (drawing images with
/// `graphics`, none when `None`) loads every part over HTTP and each answer is fed to
/// the app.
pub async fn open_from_sandbox(
    ts: &crate::common::TestSandbox,
    app: &mut App,
    id: &str,
    graphics: Option<custdesk::tui::graphics::Graphics>,
) {
    let mut fx = Vec::new();
    app.open_customer(id.to_string(), &mut fx);
    app.focus = custdesk::tui::app::Pane::Profile;
    let [Effect::LoadCustomer { .. }] = fx.as_slice() else {
        panic!("opening asks for one load, got {fx:?}");
    };
    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut r = custdesk::tui::tasks::Runner::new(
        crate::api_support::agent(ts),
        tx,
        custdesk::audit::AuditLog::new(dir.path().join("audit.log")),
        "agent".into(),
    );
    r.set_graphics(graphics);
    r.run_detached(fx.remove(0));
    drop(r);
    while let Some(m) = rx.recv().await {
        assert!(matches!(m, Msg::Loaded { .. }), "{m:?}");
        app.update(m);
    }
}
