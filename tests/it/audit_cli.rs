//! `custdesk audit`: every entry names the person beside the OAuth client, and the log
//! is filtered the way an agent asks (a customer reference, yesterday, an agent, an
//! action). The real console in a pseudo-terminal, the real binary, the real sandbox.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::bulk_support::{BIN, code, stderr, stdout};
use crate::pty::Console;
use custdesk::audit::Entry;
use custdesk::sandbox::{self, SandboxConfig};

/// `custdesk ARGS` with `home`'s data and config directories.
fn custdesk(home: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("CUSTDESK_DATA_DIR", home.join("data"))
        .env("CUSTDESK_CONFIG_DIR", home.join("config"))
        .env_remove("CUSTDESK_CLIENT_ID")
        .env_remove("CUSTDESK_CLIENT_SECRET")
        .env_remove("SSH_CONNECTION")
        .env_remove("SSH_CLIENT")
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null());
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("custdesk runs")
}

fn entries(o: &Output) -> Vec<Entry> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn a_write_and_a_reveal_name_the_agent_the_client_and_a_correlation_id_and_filter_by_reference() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "agent_name = \"Ada Desk 4\"\n").unwrap();
    let homedir = home.path().to_path_buf();

    // A reveal in the console, on its embedded sandbox (data/sandbox.db).
    let mut c = Console::spawn_in(home, &["--seed-customers", "300"], 24, 80);
    c.expect("TRAINING SANDBOX");
    c.send("quarter");
    c.expect("Quartermaine");
    c.send("\r");
    c.expect("Customer id");
    c.send("v");
    c.expect("Reveal the mobile phone");
    c.type_keys("caller asked");
    c.send("\r");
    c.expect("revealed for 30 s");
    c.send("\x1b");
    std::thread::sleep(Duration::from_millis(200));
    // Back in the results list, where q would type: Ctrl-C quits.
    c.send("\x03");
    assert!(c.wait_exit().success());

    // A write by `custdesk bulk` over SSH, on a sandbox serving the same database.
    let db = homedir.join("data").join("sandbox.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt
        .block_on(sandbox::start(SandboxConfig::new(db.clone())))
        .expect("sandbox starts");
    let (ada, reference): (String, String) = sb
        .state
        .store
        .read(|c| {
            c.query_row(
                "SELECT id, customer_ref FROM customers WHERE family_name = 'Quartermaine' ORDER BY cid LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .expect("Ada");
    assert!(reference.starts_with("CR"), "{reference}");
    let csv = homedir.join("edit.csv");
    std::fs::write(
        &csv,
        format!("action,customer_id,email\nset_email,{ada},ada.desk4@example.com\n"),
    )
    .unwrap();
    let plan = homedir.join("plan.json");
    let base = sb.base_url();
    let ssh = [("SSH_CONNECTION", "203.0.113.9 52144 10.0.0.5 22")];
    let o = custdesk(
        &homedir,
        &[
            "bulk",
            "plan",
            csv.to_str().unwrap(),
            "-o",
            plan.to_str().unwrap(),
            "--backend",
            &base,
        ],
        &ssh,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = custdesk(&homedir, &["bulk", "apply", plan.to_str().unwrap()], &ssh);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // The agent quotes the customer reference; yesterday covers today.
    let o = custdesk(
        &homedir,
        &[
            "audit",
            "--customer",
            &reference,
            "--since",
            "yesterday",
            "--json",
        ],
        &[],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let found = entries(&o);
    assert_eq!(found.len(), 2, "{}", stdout(&o));
    let reveal = &found[0];
    assert_eq!(reveal.action, "reveal");
    assert_eq!(reveal.customer, ada);
    assert_eq!(reveal.person.as_deref(), Some("Ada Desk 4"));
    assert_eq!(reveal.client, "agent");
    assert_eq!(reveal.from, None, "the console ran locally");
    assert_eq!(reveal.correlation_id.as_ref().map(String::len), Some(36));
    let write = &found[1];
    assert_eq!(write.action, "bulk set_email");
    assert_eq!(write.person.as_deref(), Some("Ada Desk 4"));
    assert_eq!(write.client, "backoffice");
    assert_eq!(write.from.as_deref(), Some("203.0.113.9"));
    assert_eq!(write.correlation_id.as_ref().map(String::len), Some(36));
    assert_ne!(write.correlation_id, reveal.correlation_id);

    // By agent (the person or the client, any case) and by action.
    let o = custdesk(
        &homedir,
        &[
            "audit",
            "--agent",
            "ada desk 4",
            "--action",
            "bulk",
            "--json",
        ],
        &[],
    );
    assert_eq!(entries(&o).len(), 1, "{}", stdout(&o));
    let o = custdesk(&homedir, &["audit", "--agent", "backoffice", "--json"], &[]);
    assert_eq!(entries(&o).len(), 1, "{}", stdout(&o));
    // Nothing from tomorrow on; a word it does not know is refused in plain words.
    let tomorrow = (chrono::Local::now().date_naive() + chrono::Days::new(1)).to_string();
    let o = custdesk(&homedir, &["audit", "--since", &tomorrow], &[]);
    assert_eq!((code(&o), stdout(&o)), (0, String::new()));
    assert!(
        stderr(&o).contains("no audit entries match"),
        "{}",
        stderr(&o)
    );
    let o = custdesk(&homedir, &["audit", "--since", "last week"], &[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("yesterday"), "{}", stderr(&o));
    // A reference that is nobody's is said so.
    let o = custdesk(&homedir, &["audit", "--customer", "CR99999999"], &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("CR99999999: no such customer"),
        "{}",
        stderr(&o)
    );

    // The table, piped, carries the person and no terminal escapes at all.
    let o = custdesk(&homedir, &["audit", "--customer", &reference], &[]);
    let table = stdout(&o);
    assert!(
        table.contains("Ada Desk 4@203.0.113.9 (backoffice)"),
        "{table}"
    );
    assert!(table.contains("Ada Desk 4 (agent)"), "{table}");
    assert!(
        !table.contains('\u{1b}') && !stderr(&o).contains('\u{1b}'),
        "{table:?}"
    );
    rt.block_on(sb.shutdown());
}
