//! Shared by the bulk_* suites: run the real `custdesk` binary with its own data
//! directory, write CSV files, and read back what the sandbox holds.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use custdesk::bulk::{Plan, item_key};
use custdesk::sandbox::RunningSandbox;

pub const BIN: &str = env!("CARGO_BIN_EXE_custdesk");

/// A scratch directory for CSV and plan files and the binary's data directory.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.path("data")
    }

    pub fn jobs_dir(&self) -> PathBuf {
        custdesk::bulk::journal::jobs_dir(&self.data_dir())
    }

    /// `custdesk bulk ARGS` with this environment's data directory.
    pub fn cmd(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(BIN);
        c.arg("bulk")
            .args(args)
            .env("CUSTDESK_DATA_DIR", self.data_dir())
            .env("CUSTDESK_CONFIG_DIR", self.path("config"))
            .env_remove("CUSTDESK_CLIENT_ID")
            .env_remove("CUSTDESK_CLIENT_SECRET")
            .env_remove("CUSTDESK_RELAY_KEY")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        c
    }

    /// Run `custdesk bulk ARGS` to its end.
    pub async fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().await.expect("custdesk runs")
    }

    /// `custdesk bulk plan CSV -o PLAN --backend BASE`, with `--quiet` when asked.
    pub async fn plan(&self, csv: &Path, plan: &Path, base: &str, quiet: bool) -> Output {
        let (csv, plan) = (csv.to_str().unwrap(), plan.to_str().unwrap());
        let mut args = vec!["plan", csv, "-o", plan, "--backend", base];
        if quiet {
            args.push("--quiet");
        }
        self.run(&args).await
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        p
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// A CSV of `set_email` rows: customer `ids[n]` gets `{tag}{n}@example.com`.
pub fn email_csv(ids: &[String], tag: &str) -> String {
    let mut s = String::from("action,customer_id,email\n");
    for (n, id) in ids.iter().enumerate() {
        s.push_str(&format!("set_email,{id},{tag}{n}@example.com\n"));
    }
    s
}

pub fn load_plan(path: &Path) -> Plan {
    custdesk::bulk::plan::load(path).expect("plan loads")
}

/// Each customer's email as bankingservice reports it (the preferred one).
pub fn emails(sb: &RunningSandbox, ids: &[String]) -> HashMap<String, Option<String>> {
    sb.state
        .store
        .read(|c| {
            let mut st = c.prepare(
                "SELECT e.address FROM customers c LEFT JOIN emails e ON e.id =
                   (SELECT id FROM emails WHERE cid = c.cid ORDER BY preferred DESC, id LIMIT 1)
                 WHERE c.id = ?1",
            )?;
            ids.iter()
                .map(|id| Ok((id.clone(), st.query_row([id], |r| r.get(0))?)))
                .collect()
        })
        .expect("emails")
}

/// How many times the server applied a write under each key it logged.
pub fn write_log(sb: &RunningSandbox) -> HashMap<String, i64> {
    sb.state
        .store
        .read(|c| {
            c.prepare(
                "SELECT idem_key, count(*) FROM write_log WHERE idem_key IS NOT NULL GROUP BY idem_key",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
        })
        .expect("write log")
}

/// The plan's final state is on the server exactly: every `set_email` item's customer
/// has the planned email, the server applied the generation-0 key of every item once,
/// and no key of the job more than once.
pub fn assert_exactly_once(sb: &RunningSandbox, plan: &Plan) {
    let ids: Vec<String> = plan
        .items
        .iter()
        .filter_map(|i| i.customer_id.clone())
        .collect();
    let now = emails(sb, &ids);
    let mut wrong = Vec::new();
    for item in &plan.items {
        if let custdesk::bulk::Action::SetEmail { email } = &item.edit {
            let cid = item.customer_id.as_ref().expect("customer");
            if now[cid].as_deref() != Some(email.as_str()) {
                wrong.push(format!("{}: {:?} != {email}", item.id, now[cid]));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} customers differ from the plan: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
    let log = write_log(sb);
    let twice: Vec<_> = log.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "keys applied more than once: {twice:?}");
    let mut missing = Vec::new();
    for item in plan.items.iter().filter(|i| !i.unchanged) {
        let key = item_key(&plan.job_id, &item.id, 0);
        if log.get(key.as_str()).copied() != Some(1) {
            missing.push(item.id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "{} items' keys were not applied exactly once: {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
}
