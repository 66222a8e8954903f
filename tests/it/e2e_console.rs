//! The real binary in a pseudo-terminal, read through a vt100 parser.

use crate::common;
use crate::pty::{Console, contains};

use std::time::{Duration, Instant};

#[test]
fn search_open_panes_resize_copy_and_quit() {
    let mut c = Console::spawn(&["--seed-customers", "300"], 24, 80);
    c.expect("TRAINING SANDBOX");
    eprintln!(
        "first frame (new database, 300 customers) after {:?}",
        c.started.elapsed()
    );
    c.send("quarter");
    c.expect("Quartermaine");
    c.expect("1 of 1 matches");
    c.send("\r");
    c.expect("Customer id");
    c.expect("Offers");
    assert!(c.text().contains("▶Profile"), "{}", c.text());
    // Masked by default: Ada's mobile shows only its last four digits.
    assert!(
        c.text().contains("0123") && !c.text().contains("7700900123"),
        "{}",
        c.text()
    );
    c.send("\t");
    c.expect("Consent");
    c.send("\t");
    c.expect("History");
    c.resize(12, 40);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        c.child.try_wait().unwrap().is_none(),
        "console died on resize"
    );
    c.resize(24, 80);
    c.expect("Alerts");
    // Copy the correlation id shown in the status bar.
    // The status bar shows the last correlation id in full (read once the frame is whole).
    let corr_on_screen = |c: &Console| -> Option<String> {
        let text = c.text();
        let after = text.split("corr ").nth(1)?;
        let id: String = after
            .chars()
            .take_while(|ch| ch.is_ascii_hexdigit() || *ch == '-')
            .collect();
        (id.len() == 36).then_some(id)
    };
    let until = Instant::now() + Duration::from_secs(10);
    let mut corr = corr_on_screen(&c);
    while corr.is_none() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
        corr = corr_on_screen(&c);
    }
    let corr = corr.unwrap_or_else(|| panic!("no correlation id in the status bar:\n{}", c.text()));
    c.send("Y");
    c.expect("Copied correlation id");
    let osc = format!(
        "\x1b]52;c;{}\x1b\\",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, corr.as_bytes())
    );
    assert!(
        contains(&c.raw(), osc.as_bytes()),
        "OSC 52 with the correlation id was written"
    );
    c.send("q");
    let status = c.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(c.cooked(), "terminal left in raw mode");
    assert!(c.on_main_screen(), "terminal left on the alternate screen");
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut c = Console::spawn(&["--seed-customers", "50"], 24, 80);
    c.expect("TRAINING SANDBOX");
    let pid = c.child.process_id().expect("pid") as i32;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    c.wait_exit();
    assert!(c.cooked(), "terminal left in raw mode after SIGTERM");
    assert!(
        c.on_main_screen(),
        "terminal left on the alternate screen after SIGTERM"
    );
}

#[test]
fn without_a_terminal_it_says_so_and_fails() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_custdesk"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains("needs an interactive terminal"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_names_are_shown_escaped_and_never_reach_the_terminal() {
    let ts = common::start(20).await;
    ts.sb
        .state
        .store
        .write(|tx| -> rusqlite::Result<()> {
            tx.execute(
                "UPDATE customers SET given_name = ?1, family_name = ?2, family_norm = 'zzhostile' WHERE cid = 2",
                // Short enough that the escaped profile heading fits a 120-column pane whole.
                rusqlite::params!["Eve\x1b]0;PWNED\x07", "Zzhostile\x1b]52;c;aGk=\x07X\x1b[2JY\x1bcZ\u{9b}31m"],
            )?;
            tx.execute(
                "UPDATE addresses SET line1 = ?1, line2 = ?2 WHERE cid = 2",
                rusqlite::params!["1 Evil\x1b[2JRoad\u{9b}0m", "\x1b]8;;http://evil.example\x07link\x1b]8;;\x07"],
            )?;
            Ok(())
        })
        .unwrap();
    let base = ts.base.clone();
    let mut c = tokio::task::spawn_blocking(move || Console::spawn(&["--backend", &base], 30, 120))
        .await
        .unwrap();
    let c = tokio::task::spawn_blocking(move || {
        c.expect("corr");
        c.send("zzhost");
        c.expect("Zzhostile\\x1b]52;c;aGk=");
        c.send("\r");
        c.expect("Zzhostile\\x1b]52;c;aGk=\\x07X\\x1b[2JY\\x1bcZ\\x9b31m");
        c.expect("Eve\\x1b]0;PWNED\\x07");
        c.expect("\\x1b]8;;http://evil.example\\x07link");
        c.expect("Evil\\x1b[2JRoad\\x9b0m");
        c
    })
    .await
    .unwrap();
    let raw = c.raw();
    for bad in [
        &b"\x1b]52;c;aGk="[..],
        b"\x1b]0;PWNED",
        b"\x1b]8;;http://evil",
        b"X\x1b[2JY",
        b"\x1bc",
        b"\xc2\x9b",
        b"Evil\x1b[2J",
    ] {
        assert!(
            !contains(&raw, bad),
            "hostile bytes {:?} reached the terminal",
            String::from_utf8_lossy(bad)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_answer_while_calls_are_in_flight() {
    let ts = common::start_with(50, |cfg| {
        cfg.faults = custdesk::sandbox::faults::Faults::parse("latency=500ms").unwrap()
    })
    .await;
    let base = ts.base.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = Console::spawn(&["--backend", &base], 24, 80);
        c.expect("corr");
        c.send("quarter");
        c.expect("searching");
        // While the search is still in flight, switch panes and come back.
        c.send("\t");
        c.expect("▶Profile");
        assert!(
            c.text().contains("No customer open") || c.text().contains("loading"),
            "{}",
            c.text()
        );
        c.send("\x1b[Z");
        c.expect("▶Search");
        // The answer arrives later and is shown.
        c.expect("Quartermaine");
        c.send("\x03");
        c.wait_exit();
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_bulk_job_is_offered_at_start_and_resumed_to_the_end() {
    use custdesk::bulk::journal::{self, Journal, Record};
    use custdesk::bulk::{Action, Item, Plan, item_key, plan};

    let ts = common::start(50).await;
    let data = tempfile::tempdir().unwrap();
    let jobs = journal::jobs_dir(&data.path().join("data"));
    // Thirty alert subscriptions, killed just after the first was sent.
    let mut p = Plan::new();
    p.source = Some("segment.csv".into());
    for (i, id) in ts.customer_ids("demo-bank", 30).into_iter().enumerate() {
        let edit = Action::Subscribe {
            alert_code: "LOW_BALANCE".into(),
            channel: "SMS".into(),
            threshold: Some(50.0),
        };
        p.items.push(Item {
            id: (i + 1).to_string(),
            line: Some(i as u64 + 2),
            customer_id: Some(id),
            name: None,
            new: edit.new_display(),
            edit,
            old: None,
            unchanged: false,
        });
    }
    journal::create_private_dir(&jobs).unwrap();
    plan::save(&p, &journal::plan_path(&jobs, &p.job_id)).unwrap();
    let (j, _) = Journal::open(&journal::journal_path(&jobs, &p.job_id), 30, None).unwrap();
    j.write_synced(&Record::Start {
        at: custdesk::bulk::now(),
        pid: 1,
        client: "agent".into(),
        backend: ts.base.clone(),
        mode: "apply".into(),
        plan_sha: plan::fingerprint(&p),
    })
    .await
    .unwrap();
    j.write_synced(&Record::Sending { i: 0, g: 0 })
        .await
        .unwrap();
    j.close();

    let base = ts.base.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = Console::spawn_in(data, &["--backend", &base], 30, 100);
        c.expect("Interrupted bulk job");
        c.expect("A bulk job was interrupted with 30 of 30 items left.");
        c.send("\r");
        c.expect("Bulk edit · results");
        c.expect("✓ applied 30");
        c.send("\r");
        // The search box has the keys again (typing mode, as at start): Ctrl-C quits.
        c.send("\x03");
        c.wait_exit();
    })
    .await
    .unwrap();
    for item in &p.items {
        let key = item_key(&p.job_id, &item.id, 0);
        assert_eq!(ts.writes_with_key(key.as_str()), 1, "item {}", item.id);
    }
}
