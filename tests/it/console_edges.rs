//! The console at its edges, in a pseudo-terminal: `b` pressed while `*` is still
//! marking on a slow backend; a keymap with bad lines.

use std::time::Duration;

use crate::pty::Console;
use custdesk::sandbox::{self, SandboxConfig, faults::Faults};

/// A sandbox answering every call 300 ms late, on its own runtime (kept by the caller).
fn slow_sandbox(
    customers: u64,
) -> (
    tokio::runtime::Runtime,
    sandbox::RunningSandbox,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut cfg = SandboxConfig::new(dir.path().join("sandbox.db"));
    cfg.seed_customers = customers;
    cfg.faults = Faults::parse("latency=300ms").unwrap();
    let sb = rt.block_on(sandbox::start(cfg)).expect("sandbox starts");
    (rt, sb, dir)
}

#[test]
fn b_while_marking_all_on_a_slow_backend_waits_for_every_mark() {
    let (rt, sb, _dir) = slow_sandbox(2_000);
    let base = sb.base_url();
    let mut c = Console::spawn(&["--backend", &base], 30, 100);
    c.expect("Search");
    c.send("w");
    assert!(
        c.wait_for("matches", Duration::from_secs(20)),
        "{}",
        c.text()
    );
    let count: u64 = {
        let text = c.text();
        let before = text.split(" matches").next().unwrap_or("");
        before
            .rsplit(' ')
            .next()
            .and_then(|n| n.replace(',', "").parse().ok())
            .unwrap_or_else(|| panic!("no match count:\n{text}"))
    };
    assert!(count > 100, "more results than one page: {count}");
    c.send("\x1b"); // to the table (alone: Esc then a key at once reads as Alt+key)
    std::thread::sleep(Duration::from_millis(300));
    c.send("*");
    // In the results list a letter types into the search; Alt with it (Esc and the
    // letter at once) runs its command.
    c.send("\x1bb");
    c.expect("Still marking all");
    assert!(!c.text().contains("Bulk edit"), "{}", c.text());
    c.expect("Marked all");
    c.send("\x1bb");
    c.expect(&format!("Bulk edit · {count} marked customers"));
    c.esc("Bulk edit");
    c.send("\x03");
    assert!(c.wait_exit().success());
    rt.block_on(sb.shutdown());
}

#[test]
fn a_bad_keymap_line_is_named_at_start_and_the_good_ones_apply() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config")).unwrap();
    std::fs::write(
        home.path().join("config").join("keymap.toml"),
        "[bindings]\nquit = \"x\"\nfrobnicate = \"z\"\n",
    )
    .unwrap();
    let mut c = Console::spawn_in(home, &["--seed-customers", "50"], 30, 200);
    c.expect("TRAINING SANDBOX");
    c.expect("keymap.toml: line 3: unknown action 'frobnicate'");
    c.expect("(bad line: the keys keep their defaults)");
    // The valid line applies: x quits now (from the table with Alt; in the search box
    // and the table a letter types).
    c.send("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    c.send("\x1bx");
    assert!(c.wait_exit().success(), "{}", c.text());
}
