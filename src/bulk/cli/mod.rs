//! `custdesk bulk`: the engine without the console.
//!
//! ```text
//! custdesk bulk plan FILE.csv -o PLAN --backend URL   check the file, read current values, save the plan
//! custdesk bulk show PLAN                             print a saved plan
//! custdesk bulk apply PLAN [--yes COUNT]              apply it (journaled; a known job resumes)
//! custdesk bulk resume [JOB]                          finish an interrupted job
//! custdesk bulk retry-failed [JOB]                    send a job's failed items again
//! custdesk bulk status [JOB]                          jobs and their counts; a job's failures
//! custdesk bulk export JOB [-o FILE.csv] [--failed]   results as CSV
//! ```
//!
//! The headless commands never start a sandbox: they talk to the backend given with
//! `--backend URL` (a sandbox-shaped deployment) or `--profile NAME`; apply, resume and
//! retry default to the backend the plan was built against (or last applied to).
//! They sign in as `backoffice` unless `--client`/`--secret` or `CUSTDESK_CLIENT_ID` /
//! `CUSTDESK_CLIENT_SECRET` say otherwise.
//!
//! A job exists from its first moment: once the count is confirmed, the plan's copy
//! and the journal are written before the customers are read again, so `resume` picks
//! up a job stopped anywhere (a job that sent nothing is read again first).
//!
//! Exit codes: 0 everything applied; 1 some items failed (listed; `retry-failed` sends
//! them again); 2 nothing was applied because the input, the plan, the confirmation or
//! the setup was refused; 3 interrupted (Ctrl-C, SIGTERM, SIGHUP at any point, a second
//! Ctrl-C, or the journal failed): `resume` finishes it.

mod apply;
mod jobs;
mod plan;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use serde::Serialize;
use tokio::sync::watch;

use super::apply::{Control, DEFAULT_CONCURRENCY};
use super::jobs::{JobInfo, list_jobs};
use super::journal::{self, Counts};
use super::{Outcome, plan as plans};
use crate::api::{ApiConfig, Client, Secret};
use crate::config::Paths;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_REFUSED: i32 = 2;
pub const EXIT_INTERRUPTED: i32 = 3;

/// Attempts per read (plan, re-check) and per sign-in: they change nothing, so a bad
/// minute on the backend is worth waiting out. Items get the `--attempts` they are given.
const READ_ATTEMPTS: u32 = 6;

#[derive(Debug, Args)]
pub struct BulkArgs {
    #[command(subcommand)]
    pub command: BulkCommand,
}

#[derive(Debug, Subcommand)]
pub enum BulkCommand {
    /// Check a CSV file, read every customer's current value, and save the plan.
    Plan {
        /// The CSV file (header line naming the columns; see the README).
        file: PathBuf,
        /// Where to write the plan (JSON).
        #[arg(short, long, value_name = "PLAN")]
        output: PathBuf,
        #[command(flatten)]
        backend: BackendArgs,
        /// Reads in flight at once.
        #[arg(long, default_value_t = DEFAULT_CONCURRENCY)]
        concurrency: usize,
        /// Print only the summary, not every item.
        #[arg(long)]
        quiet: bool,
    },
    /// Print a saved plan: each customer, old and new value.
    Show { plan: PathBuf },
    /// Apply a plan. Applying a plan whose job already ran resumes it.
    Apply {
        plan: PathBuf,
        /// Apply the valid items of a plan with rows in error.
        #[arg(long)]
        skip_invalid: bool,
        /// The number of items, typed back: needed for plans over 100 items or with a
        /// delete when there is no terminal to ask on.
        #[arg(long, value_name = "COUNT")]
        yes: Option<usize>,
        /// Apply as planned even though some customers changed since the plan was made
        /// (every current value is read again first; a change refuses the plan).
        #[arg(long)]
        accept_changes: bool,
        #[command(flatten)]
        backend: BackendArgs,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Finish an interrupted job (the only one, or JOB).
    Resume {
        job: Option<String>,
        /// A job stopped before it sent anything is read again first: send it as
        /// planned even though some customers changed since.
        #[arg(long)]
        accept_changes: bool,
        #[command(flatten)]
        backend: BackendArgs,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Send a job's failed items again (the only job with failures, or JOB).
    RetryFailed {
        job: Option<String>,
        #[command(flatten)]
        backend: BackendArgs,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Jobs in the data directory with their counts; with JOB, its failures.
    Status {
        job: Option<String>,
        /// One JSON object per job (or per failure) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A job's results as CSV.
    Export {
        job: String,
        /// Write here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Only the failed items.
        #[arg(long)]
        failed: bool,
    },
}

#[derive(Debug, Args)]
pub struct BackendArgs {
    /// A sandbox-shaped deployment (every family under this URL).
    #[arg(long, value_name = "URL")]
    backend: Option<String>,
    /// A backend profile from config.toml instead.
    #[arg(long, value_name = "NAME", conflicts_with = "backend")]
    profile: Option<String>,
    /// OAuth client to sign in as.
    #[arg(long, env = "CUSTDESK_CLIENT_ID", default_value = "backoffice")]
    client: String,
    /// Its secret (prefer the environment variable: arguments show in `ps`).
    #[arg(
        long,
        env = "CUSTDESK_CLIENT_SECRET",
        default_value = "backoffice-secret",
        hide_env_values = true,
        hide_default_value = true
    )]
    secret: String,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Items in flight at once.
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY)]
    concurrency: usize,
    /// Attempts per item (the client retries 5xx, 429 and timeouts with the same key).
    #[arg(long, default_value_t = 5)]
    attempts: u32,
    /// One JSON result per item on standard output, then a summary object.
    #[arg(long)]
    ndjson: bool,
}

/// Run a `custdesk bulk` command; answers the exit code.
pub fn main(args: BulkArgs) -> i32 {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            say(&format!("custdesk bulk: cannot start: {e}"));
            return EXIT_REFUSED;
        }
    };
    let code = rt.block_on(run(args));
    rt.shutdown_timeout(Duration::from_millis(100));
    code
}

/// A line on standard error; a closed terminal (a dropped SSH session) is not a panic.
fn say(s: &str) {
    let _ = writeln!(std::io::stderr(), "{s}");
}

fn refuse(s: &str) -> i32 {
    say(&format!("custdesk bulk: {s}"));
    EXIT_REFUSED
}

async fn run(args: BulkArgs) -> i32 {
    // From the first moment: a hang-up while signing in or reading is a clean stop too.
    let stop = listen();
    let paths = match Paths::discover() {
        Ok(p) => p,
        Err(e) => return refuse(&e),
    };
    let jobs = journal::jobs_dir(&paths.data_dir);
    match args.command {
        BulkCommand::Plan {
            file,
            output,
            backend,
            concurrency,
            quiet,
        } => {
            note_interrupted(&jobs);
            plan::plan_cmd(&file, &output, &backend, (concurrency, quiet), &stop).await
        }
        BulkCommand::Show { plan } => match plans::load(&plan) {
            Ok(p) => {
                plan::show(&p);
                EXIT_OK
            }
            Err(e) => refuse(&e.to_string()),
        },
        BulkCommand::Apply {
            plan,
            skip_invalid,
            yes,
            accept_changes,
            backend,
            run,
        } => {
            let p = match plans::load(&plan) {
                Ok(p) => p,
                Err(e) => return refuse(&e.to_string()),
            };
            let how = apply::Approval {
                skip_invalid,
                yes,
                accept_changes,
            };
            apply::apply_cmd(&paths, &jobs, p, &how, (&backend, &run), &stop).await
        }
        BulkCommand::Resume {
            job,
            accept_changes,
            backend,
            run,
        } => {
            let job = match pick_job(&jobs, job, |c| c.left() > 0, "interrupted") {
                Ok(Some(j)) => j,
                Ok(None) => {
                    say("custdesk bulk: no interrupted job to resume");
                    return EXIT_OK;
                }
                Err(code) => return code,
            };
            let how = (false, accept_changes);
            apply::resume_cmd(&paths, &jobs, &job, how, (&backend, &run), &stop).await
        }
        BulkCommand::RetryFailed { job, backend, run } => {
            let job = match pick_job(
                &jobs,
                job,
                |c| c.failed > 0 || c.left() > 0,
                "with failures",
            ) {
                Ok(Some(j)) => j,
                Ok(None) => {
                    say("custdesk bulk: no job has failed items");
                    return EXIT_OK;
                }
                Err(code) => return code,
            };
            apply::resume_cmd(&paths, &jobs, &job, (true, false), (&backend, &run), &stop).await
        }
        BulkCommand::Status { job, json } => jobs::status_cmd(&jobs, job.as_deref(), json),
        BulkCommand::Export {
            job,
            output,
            failed,
        } => jobs::export_cmd(&jobs, &job, output.as_deref(), failed),
    }
}

/// A reading client for `--backend URL` or `--profile NAME`, for another subcommand
/// (`custdesk audit` looking a reference up): signs in as `CUSTDESK_CLIENT_ID` /
/// `CUSTDESK_CLIENT_SECRET`, else `backoffice`.
pub fn client(backend: Option<&str>, profile: Option<&str>) -> Result<(Client, String), String> {
    let env = |v: &str, d: &str| std::env::var(v).unwrap_or_else(|_| d.to_string());
    let args = BackendArgs {
        backend: backend.map(str::to_string),
        profile: profile.map(str::to_string),
        client: env("CUSTDESK_CLIENT_ID", "backoffice"),
        secret: env("CUSTDESK_CLIENT_SECRET", "backoffice-secret"),
    };
    client_for(&args, None, READ_ATTEMPTS)
}

fn client_for(
    args: &BackendArgs,
    default_backend: Option<&str>,
    attempts: u32,
) -> Result<(Client, String), String> {
    // A job applied through a profile resumes through it.
    let profile = args.profile.clone().or_else(|| {
        args.backend
            .is_none()
            .then(|| default_backend.and_then(|b| b.strip_prefix("profile:")))
            .flatten()
            .map(str::to_string)
    });
    let (mut cfg, label) = match &profile {
        Some(name) => {
            let paths = Paths::discover()?;
            let config = crate::config::load(&paths)?;
            let profile = config.profiles.get(name).ok_or_else(|| {
                format!("no profile '{name}' in {}", paths.config_file().display())
            })?;
            (profile.api_config(name)?, format!("profile:{name}"))
        }
        None => {
            let url =
                args.backend.as_deref().or(default_backend).ok_or(
                    "no backend: pass --backend URL (a running `custdesk sandbox`, for one)",
                )?;
            (
                ApiConfig::sandbox(url).with_client(&args.client, &args.secret),
                url.to_string(),
            )
        }
    };
    if let Ok(k) = std::env::var("CUSTDESK_RELAY_KEY")
        && !k.is_empty()
    {
        cfg.relay_key = Some(Secret::new(k));
    }
    cfg.timeouts.max_attempts = attempts.max(1);
    let client = Client::new(cfg).map_err(|e| e.to_string())?;
    Ok((client, label))
}

/// A job made on the console's embedded sandbox records this backend: `bulk resume`
/// starts that sandbox again on the same database.
pub const EMBEDDED: &str = "sandbox:";

/// The backend label of a job made on the embedded sandbox over `db`.
pub fn embedded_label(db: &Path) -> String {
    format!("{EMBEDDED}{}", db.display())
}

/// The client for a job's backend: `--backend`/`--profile`, else the one the job last
/// used. A job made on the console's embedded sandbox gets that sandbox started again on
/// its database, running until the command ends (the third value holds it).
async fn reach(
    args: &BackendArgs,
    default_backend: Option<&str>,
    attempts: u32,
) -> Result<(Client, String, Option<crate::sandbox::RunningSandbox>), String> {
    let db = default_backend
        .filter(|_| args.backend.is_none() && args.profile.is_none())
        .and_then(|b| b.strip_prefix(EMBEDDED));
    let Some(db) = db else {
        let (client, label) = client_for(args, default_backend, attempts)?;
        return Ok((client, label, None));
    };
    let mut cfg = crate::sandbox::SandboxConfig::new(PathBuf::from(db));
    cfg.seed_customers = 0;
    let sb = crate::sandbox::start(cfg)
        .await
        .map_err(|e| format!("cannot start the embedded sandbox on {db}: {e}"))?;
    say(&format!(
        "started the embedded sandbox on {db} for this job ({})",
        sb.base_url()
    ));
    let (client, _) = client_for(args, Some(&sb.base_url()), attempts)?;
    Ok((client, embedded_label(Path::new(db)), Some(sb)))
}

fn bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr_with_hz(10),
    );
    pb.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{what} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {{rate}} ETA {{eta}} {{msg}}"
        ))
        .expect("a valid template")
        .with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", s.per_sec());
            },
        ),
    );
    pb
}

#[derive(Serialize)]
struct ItemLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    index: usize,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<&'a str>,
    action: &'static str,
    #[serde(flatten)]
    outcome: &'a Outcome,
}

/// Whether the command was asked to stop (Ctrl-C, SIGTERM, SIGHUP): [`Control::Cancel`].
type Stop = watch::Receiver<Control>;

/// Listen for Ctrl-C, SIGTERM and SIGHUP from now on. Each cancels cleanly: items in
/// flight finish, the rest stay pending for `resume`; before anything is sent the
/// command stops where it is. SIGTERM and SIGHUP mean that however often they come (a
/// dropped SSH session sends SIGHUP twice within milliseconds); only a second Ctrl-C,
/// typed by a person, stops at once (the journal still makes that safe).
fn listen() -> Stop {
    let (tx, rx) = watch::channel(Control::Run);
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Registered here, before the command does anything, so the default action
        // (exit 129 on SIGHUP) never applies.
        let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return rx;
        };
        tokio::spawn(async move {
            let mut interrupts = 0;
            loop {
                tokio::select! {
                    _ = int.recv() => interrupts += 1,
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
                if interrupts >= 2 {
                    std::process::exit(EXIT_INTERRUPTED);
                }
                if *tx.borrow() != Control::Cancel {
                    say(
                        "cancelling: items in flight finish, the rest stay pending (Ctrl-C again to stop now)",
                    );
                    let _ = tx.send(Control::Cancel);
                }
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = tx.send(Control::Cancel);
        let _ = tokio::signal::ctrl_c().await;
        std::process::exit(EXIT_INTERRUPTED);
    });
    rx
}

/// `work`'s answer, or `None` when a stop comes first.
async fn unless_stopped<T>(stop: &Stop, work: impl std::future::Future<Output = T>) -> Option<T> {
    let mut stop = stop.clone();
    tokio::select! {
        r = work => Some(r),
        _ = stop.wait_for(|c| *c == Control::Cancel) => None,
    }
}

/// Tell about jobs left unfinished (killed, cancelled, a dropped session).
fn note_interrupted(jobs: &Path) {
    for info in super::jobs::resumable(jobs) {
        say(&format!(
            "note: job {} ({}) was {} with {} items left: custdesk bulk resume {}",
            info.job,
            info.source.as_deref().unwrap_or("-"),
            info.state,
            info.counts.left(),
            info.job
        ));
    }
}

/// The job to act on: the one named, or the only one matching.
fn pick_job(
    jobs: &Path,
    named: Option<String>,
    wanted: impl Fn(&Counts) -> bool,
    what: &str,
) -> Result<Option<String>, i32> {
    if let Some(j) = named {
        if !journal::journal_path(jobs, &j).exists() {
            return Err(refuse(&format!("no job {j} in {}", jobs.display())));
        }
        return Ok(Some(j));
    }
    let found: Vec<JobInfo> = list_jobs(jobs)
        .into_iter()
        .flatten()
        .filter(|i| i.state != "running" && wanted(&i.counts))
        .collect();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next().map(|i| i.job)),
        _ => {
            say(&format!("several jobs {what}; name one:"));
            for i in &found {
                say(&format!(
                    "  {}  {}  {}  {} left, {} failed",
                    i.job,
                    i.created,
                    i.source.as_deref().unwrap_or("-"),
                    i.counts.left(),
                    i.counts.failed
                ));
            }
            Err(EXIT_REFUSED)
        }
    }
}
