//! The keys each common task takes, counted by doing the task in the console (in
//! process, against the real sandbox) and checked against the README's table, so the
//! table cannot drift from what an agent really presses.
//!
//! Counted: every key that is not what the caller said (a name, digits, a date, a
//! postcode, an address, a passcode, an alert's name or threshold). What is typed
//! goes through `data`, every other key through `press`.

use std::cell::Cell;

use crossterm::event::KeyCode;
use custdesk::api::{ApiConfig, Client};

use crate::common;
use crate::loop_support::Loop;

/// A console whose command keys are counted.
struct Tally {
    c: Loop,
    keys: Cell<usize>,
}

impl Tally {
    fn new(c: Loop) -> Tally {
        Tally {
            c,
            keys: Cell::new(0),
        }
    }
    /// A command key.
    fn press(&self, code: KeyCode) {
        self.keys.set(self.keys.get() + 1);
        self.c.key(code);
    }
    fn letter(&self, ch: char) {
        self.press(KeyCode::Char(ch));
    }
    fn alt(&self, ch: char) {
        self.keys.set(self.keys.get() + 1);
        self.c.alt(ch);
    }
    /// What the caller said, typed (not counted).
    fn data(&self, text: &str) {
        self.c.keys(text);
    }
    /// The keys counted so far, and start again.
    fn take(&self) -> usize {
        self.keys.replace(0)
    }
}

/// Verify the caller in the open profile with date of birth and postcode.
async fn verify(t: &Tally) {
    t.letter('V');
    t.c.expect("Verify caller").await;
    t.data("09/03/1984");
    t.press(KeyCode::Enter);
    t.c.expect("1 of 2 proofs").await;
    t.data("SW1A 1AA");
    t.press(KeyCode::Enter);
    t.c.expect("Caller verified: DOB ✓ postcode ✓").await;
    // Enough proved: the dialog closes itself.
    t.c.expect_gone("Verify caller").await;
}

/// The README's table: each task's name and its count.
fn readme_counts() -> Vec<(String, usize)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find("### Keys per task")
        .expect("the README has a Keys per task section");
    readme[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let n = cells.get(1)?.parse().ok()?;
            Some((cells[0].to_string(), n))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_says_how_many_keys_each_common_task_takes() {
    let ts = common::start(40).await;
    ts.ada(&ts.agent().await).await;
    let mut measured: Vec<(&str, usize)> = Vec::new();

    // Screen-pop: the console starts on the caller's record; then verify.
    let t = Tally::new(Loop::start_with(
        &ts,
        "agent",
        120,
        35,
        Some("+447700900123"),
    ));
    t.c.expect("Caller not verified").await;
    verify(&t).await;
    measured.push(("Screen-pop (`--caller`) to a verified caller", t.take()));
    t.c.quit("screen-pop").await;

    // Find by phone, as the caller says it, and open the record.
    let t = Tally::new(Loop::start(&ts, "agent", 120, 35));
    t.c.expect("corr").await;
    t.data("07700 900123");
    t.c.expect("1 of 1 matches").await;
    t.press(KeyCode::Enter);
    t.c.expect("Caller not verified").await;
    measured.push(("Find a customer by phone and open them", t.take()));

    // Email change with the passcode the customer reads back (caller verified first).
    verify(&t).await;
    t.take();
    t.letter('e');
    t.c.expect("Update email").await;
    t.data("ada.counted@example.org");
    t.c.expect("✓ Valid: NewDay accepts this address").await;
    t.press(KeyCode::Enter);
    t.c.expect("[2 Confirm]").await;
    t.press(KeyCode::Enter);
    t.c.expect("Passcode sent by SMS").await;
    let otp = ts.outbox().await[0]["otp"]
        .as_str()
        .expect("a passcode")
        .to_string();
    t.data(&otp);
    t.press(KeyCode::Enter);
    t.c.expect("✓ Email updated").await;
    t.press(KeyCode::Enter);
    t.c.expect_gone("Update email").await;
    measured.push(("Email change with the passcode (caller verified)", t.take()));

    // Add a UK phone with the customer's express consent.
    t.letter('a');
    t.c.expect("Add phone (Relay)").await;
    t.data("07700900555");
    // The country code comes from her records (+44); a letter picks the consent.
    t.c.expect("+44").await;
    t.letter('e');
    t.c.expect("express verbal consent").await;
    t.press(KeyCode::Enter);
    t.c.expect("to this customer?").await;
    t.press(KeyCode::Enter);
    t.c.expect("✓ Phone number added").await;
    t.press(KeyCode::Enter);
    t.c.expect_gone("Add phone (Relay)").await;
    measured.push(("Add a UK phone with consent (caller verified)", t.take()));
    t.c.quit("contact edits").await;

    // Mark every result of a search and subscribe them all to an alert.
    let client =
        Client::new(ApiConfig::sandbox(&ts.base).with_client("backoffice", "backoffice-secret"))
            .unwrap();
    let (initial, _, ids) = common::biggest_initial(&client).await;
    let n = ids.len();
    let t = Tally::new(Loop::start(&ts, "backoffice", 120, 35));
    t.c.expect("corr").await;
    t.data(&initial.to_string());
    t.c.expect(&format!("1 of {n} matches")).await;
    t.press(KeyCode::Esc);
    t.press(KeyCode::Char('*'));
    t.c.expect(&format!("Marked all {n}")).await;
    t.alt('b');
    t.c.expect("Action").await;
    t.press(KeyCode::Tab);
    t.data("LOW_BALANCE");
    t.press(KeyCode::Tab);
    t.press(KeyCode::Right);
    t.press(KeyCode::Tab);
    t.data("50");
    t.press(KeyCode::Enter);
    t.c.until("the plan", |s| {
        s.contains(&format!("enter apply {n} changes"))
    })
    .await;
    t.press(KeyCode::Enter);
    t.c.until("the results", |s| s.contains(&format!("✓ applied {n}")))
        .await;
    measured.push((
        "Mark a search's results and apply a bulk alert subscription",
        t.take(),
    ));
    t.c.quit("bulk subscribe").await;

    let table = readme_counts();
    for (task, keys) in &measured {
        println!("{keys:>3}  {task}");
    }
    let said: Vec<(&str, usize)> = table.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    assert_eq!(
        said, measured,
        "the README's table of keys per task says otherwise than the console"
    );
}
