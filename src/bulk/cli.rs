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
//! Exit codes: 0 everything applied; 1 some items failed (listed; `retry-failed` sends
//! them again); 2 nothing was applied because the input, the plan, the confirmation or
//! the setup was refused; 3 interrupted (cancelled, or the journal failed): `resume`
//! finishes it.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use serde::Serialize;
use tokio::sync::watch;

use super::apply::{self, Control, DEFAULT_CONCURRENCY, Event, Summary};
use super::jobs::{JobInfo, job_info, list_jobs};
use super::journal::{self, Counts, ItemState, JobState, Journal};
use super::{Outcome, Plan, plan};
use crate::api::{ApiConfig, Client, Secret};
use crate::audit::AuditLog;
use crate::config::Paths;
use crate::domain::sanitize::for_display;

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
            plan_cmd(&file, &output, &backend, concurrency, quiet).await
        }
        BulkCommand::Show { plan } => match plan::load(&plan) {
            Ok(p) => {
                show(&p);
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
            let p = match plan::load(&plan) {
                Ok(p) => p,
                Err(e) => return refuse(&e.to_string()),
            };
            let how = Approval {
                skip_invalid,
                yes,
                accept_changes,
            };
            apply_cmd(&paths, &jobs, p, &how, &backend, &run).await
        }
        BulkCommand::Resume { job, backend, run } => {
            let job = match pick_job(&jobs, job, |c| c.left() > 0, "interrupted") {
                Ok(Some(j)) => j,
                Ok(None) => {
                    say("custdesk bulk: no interrupted job to resume");
                    return EXIT_OK;
                }
                Err(code) => return code,
            };
            resume_cmd(&paths, &jobs, &job, false, &backend, &run).await
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
            resume_cmd(&paths, &jobs, &job, true, &backend, &run).await
        }
        BulkCommand::Status { job, json } => status_cmd(&jobs, job.as_deref(), json),
        BulkCommand::Export {
            job,
            output,
            failed,
        } => export_cmd(&jobs, &job, output.as_deref(), failed),
    }
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

async fn plan_cmd(
    file: &Path,
    output: &Path,
    backend: &BackendArgs,
    concurrency: usize,
    quiet: bool,
) -> i32 {
    let parsed = match super::csv::parse_file(file) {
        Ok(p) => p,
        Err(e) => return refuse(&format!("{}: {e}", file.display())),
    };
    let (client, label) = match client_for(backend, None, READ_ATTEMPTS) {
        Ok(c) => c,
        Err(e) => return refuse(&e),
    };
    let pb = bar(parsed.items.len() as u64, "reading");
    let built = plan::build(&client, parsed.items, parsed.errors, concurrency, |n| {
        pb.set_position(n as u64)
    })
    .await;
    pb.finish_and_clear();
    let mut p = match built {
        Ok(p) => p,
        Err(e) => return refuse(&e.to_string()),
    };
    p.backend = Some(label);
    p.source = Some(file.display().to_string());
    if !quiet {
        let _ = plan::render(&p, &mut std::io::stdout().lock());
    }
    for e in &p.errors {
        say(&format!("{}: {e}", file.display()));
    }
    if let Err(e) = plan::save(&p, output) {
        return refuse(&format!("{}: {e}", output.display()));
    }
    say(&format!(
        "{} (saved to {})",
        plan::summary(&p),
        output.display()
    ));
    if p.errors.is_empty() {
        if p.needs_typed_count() {
            say(&format!(
                "applying it asks for the count to be typed back: custdesk bulk apply {} --yes {}",
                output.display(),
                p.to_send()
            ));
        }
        EXIT_OK
    } else {
        say(&format!(
            "{} rows in error: the plan applies nothing unless given --skip-invalid",
            p.errors.len()
        ));
        EXIT_REFUSED
    }
}

fn show(p: &Plan) {
    let _ = plan::render(p, &mut std::io::stdout().lock());
    for e in &p.errors {
        say(&e.to_string());
    }
    say(&plan::summary(p));
}

/// Ask for the count to be typed back when the plan needs it.
fn confirm(p: &Plan, yes: Option<usize>) -> Result<(), String> {
    let n = p.to_send();
    let why = || {
        if p.deletes() > 0 {
            format!("it deletes {} customers", p.deletes())
        } else {
            format!("it has more than {} items", super::CONFIRM_OVER)
        }
    };
    match yes {
        Some(y) if y == n => Ok(()),
        Some(y) => Err(format!(
            "--yes {y} does not match the {n} items of this plan: nothing applied"
        )),
        None if !p.needs_typed_count() => Ok(()),
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            let _ = write!(
                std::io::stderr(),
                "This plan sends {n} items and {}. Type {n} to apply it: ",
                why()
            );
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            if line.trim() == n.to_string() {
                Ok(())
            } else {
                Err(format!("'{}' is not {n}: nothing applied", line.trim()))
            }
        }
        None => Err(format!(
            "this plan sends {n} items and {}: pass --yes {n} to apply it",
            why()
        )),
    }
}

/// What `bulk apply` was told to accept.
struct Approval {
    skip_invalid: bool,
    yes: Option<usize>,
    accept_changes: bool,
}

/// Read every customer of a plan made earlier again; refuse when any changed since,
/// unless told to apply it as planned anyway.
async fn recheck(p: &Plan, accept: bool, client: &Client, run: &RunArgs) -> Result<(), String> {
    let client = client.with_attempts(READ_ATTEMPTS);
    let pb = bar(p.items.len() as u64, "re-reading");
    let found = plan::drift(&client, p, run.concurrency, |n| pb.set_position(n as u64)).await;
    pb.finish_and_clear();
    let changed = found.map_err(|e| e.to_string())?;
    if changed.is_empty() {
        return Ok(());
    }
    for d in changed.iter().take(20) {
        let item = &p.items[d.index];
        say(&format!(
            "{} ({}): the plan showed {}, it is now {}",
            item.place(),
            item.customer_id.as_deref().unwrap_or("-"),
            for_display(d.planned.as_deref().unwrap_or("(none)")),
            for_display(&d.now)
        ));
    }
    if changed.len() > 20 {
        say(&format!("... and {} more", changed.len() - 20));
    }
    if accept {
        say(&format!(
            "{} customers changed since the plan was made: applying it as planned (--accept-changes)",
            changed.len()
        ));
        Ok(())
    } else {
        Err(format!(
            "{} customers changed since the plan was made ({}): nothing applied. Plan again to see the new values, or pass --accept-changes to apply it as planned",
            changed.len(),
            p.created
        ))
    }
}

async fn apply_cmd(
    paths: &Paths,
    jobs: &Path,
    p: Plan,
    how: &Approval,
    backend: &BackendArgs,
    run: &RunArgs,
) -> i32 {
    let (skip_invalid, yes) = (how.skip_invalid, how.yes);
    if !p.errors.is_empty() {
        if !skip_invalid {
            for e in p.errors.iter().take(20) {
                say(&e.to_string());
            }
            if p.errors.len() > 20 {
                say(&format!("... and {} more", p.errors.len() - 20));
            }
            return refuse(&format!(
                "the plan has {} rows in error: nothing applied. Fix the file and plan again, or pass --skip-invalid to apply its {} other items",
                p.errors.len(),
                p.to_send()
            ));
        }
        say(&format!(
            "skipping {} rows in error (--skip-invalid)",
            p.errors.len()
        ));
    }
    // One client for the re-check and the job: it signs in once.
    let (client, label) = match client_for(backend, p.backend.as_deref(), run.attempts) {
        Ok(c) => c,
        Err(e) => return refuse(&e),
    };
    let stored = journal::plan_path(jobs, &p.job_id);
    let known = journal::journal_path(jobs, &p.job_id).exists() && stored.exists();
    if known {
        match plan::load(&stored) {
            Ok(prev) if plan::fingerprint(&prev) == plan::fingerprint(&p) => {}
            Ok(_) => {
                return refuse(&format!(
                    "job {} was already applied from a different plan with the same job id: nothing applied",
                    p.job_id
                ));
            }
            Err(e) => return refuse(&e.to_string()),
        }
        say(&format!(
            "job {} was applied before: resuming it (nothing is applied twice)",
            p.job_id
        ));
    } else {
        note_interrupted(jobs);
        if p.to_send() == 0 {
            say(&format!("{}: nothing to send", plan::summary(&p)));
            return EXIT_OK;
        }
        say(&plan::summary(&p));
        if let Err(e) = recheck(&p, how.accept_changes, &client, run).await {
            return refuse(&e);
        }
        if let Err(e) = confirm(&p, yes) {
            return refuse(&e);
        }
        // The errors were accepted with --skip-invalid; the stored copy keeps them.
        if let Err(e) = journal::create_private_dir(jobs).and_then(|_| plan::save(&p, &stored)) {
            return refuse(&format!("{}: {e}", stored.display()));
        }
    }
    let mode = if known { "resume" } else { "apply" };
    execute(paths, jobs, &p, mode, false, (client, label), run).await
}

async fn resume_cmd(
    paths: &Paths,
    jobs: &Path,
    job: &str,
    retry_failed: bool,
    backend: &BackendArgs,
    run: &RunArgs,
) -> i32 {
    let p = match plan::load(&journal::plan_path(jobs, job)) {
        Ok(p) => p,
        Err(e) => return refuse(&format!("job {job}: {e}")),
    };
    let last_backend = journal::read(&journal::journal_path(jobs, job), p.items.len())
        .ok()
        .and_then(|(s, _)| s.backend)
        .or_else(|| p.backend.clone());
    let client = match client_for(backend, last_backend.as_deref(), run.attempts) {
        Ok(c) => c,
        Err(e) => return refuse(&e),
    };
    let mode = if retry_failed {
        "retry-failed"
    } else {
        "resume"
    };
    execute(paths, jobs, &p, mode, retry_failed, client, run).await
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

#[derive(Serialize)]
struct SummaryLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    job: &'a str,
    #[serde(flatten)]
    counts: Counts,
    sent: usize,
    elapsed_ms: u128,
    cancelled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    exit: i32,
}

/// Send a job's items with `client` (and its label for messages), journaled.
async fn execute(
    paths: &Paths,
    jobs: &Path,
    p: &Plan,
    mode: &str,
    retry_failed: bool,
    (client, label): (Client, String),
    run: &RunArgs,
) -> i32 {
    let audit = AuditLog::new(paths.audit_log());
    let jpath = journal::journal_path(jobs, &p.job_id);
    let (journal, mut state) = match Journal::open(&jpath, p.items.len(), Some(audit)) {
        Ok(j) => j,
        Err(e) => return refuse(&e.to_string()),
    };
    if let Some(sha) = &state.plan_sha
        && *sha != plan::fingerprint(p)
    {
        return refuse(&format!(
            "{} was written for a different plan: nothing applied",
            jpath.display()
        ));
    }
    // A token already had for the re-check is reused; a new one is worth waiting for.
    let patient = client.with_attempts(READ_ATTEMPTS.max(run.attempts));
    if let Err(e) = patient.sign_in().await {
        return refuse(&format!("cannot sign in to {label}: {e}"));
    }
    let (tx, rx) = watch::channel(Control::Run);
    let signals = tokio::spawn(watch_signals(tx));
    let opts = apply::Options {
        concurrency: run.concurrency.max(1),
        retry_failed,
        mode: mode.to_string(),
        backend: label,
    };
    let ndjson = run.ndjson;
    let tty = std::io::stderr().is_terminal();
    let mut pb: Option<indicatif::ProgressBar> = None;
    let mut last_line = Instant::now();
    let started = Instant::now();
    let mut on_event = |ev: Event| match ev {
        Event::Started { to_send, counts } => {
            if counts.settled() > 0 || counts.in_doubt > 0 {
                say(&format!(
                    "job {}: {} applied, {} failed, {} to send{}",
                    p.job_id,
                    counts.applied,
                    counts.failed,
                    to_send,
                    if counts.in_doubt > 0 {
                        format!(
                            " ({} in doubt: sent again with the same key)",
                            counts.in_doubt
                        )
                    } else {
                        String::new()
                    }
                ));
            }
            let b = bar(to_send as u64, "applying");
            if !tty {
                b.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            pb = Some(b);
        }
        Event::Answer {
            index,
            outcome,
            counts,
        } => {
            if let Some(b) = &pb {
                b.inc(1);
                if counts.failed > 0 {
                    b.set_message(format!("{} failed", counts.failed));
                }
            }
            if !tty && !ndjson && last_line.elapsed() >= Duration::from_secs(5) {
                last_line = Instant::now();
                say(&format!(
                    "{} applied, {} failed, {} left ({:.0}/s)",
                    counts.applied,
                    counts.failed,
                    counts.left(),
                    pb.as_ref().map_or(0, |b| b.position()) as f64
                        / started.elapsed().as_secs_f64()
                ));
            }
            if ndjson {
                let item = &p.items[index];
                let line = ItemLine {
                    kind: "item",
                    index,
                    id: &item.id,
                    line: item.line,
                    customer_id: item.customer_id.as_deref(),
                    action: item.edit.name(),
                    outcome: &outcome,
                };
                if let Ok(s) = serde_json::to_string(&line) {
                    let _ = writeln!(std::io::stdout(), "{s}");
                }
            }
        }
    };
    let summary = apply::run(&client, p, &journal, &mut state, &opts, rx, &mut on_event).await;
    if let Some(b) = &pb {
        b.finish_and_clear();
    }
    signals.abort();
    journal.close();
    let code = exit_code(&summary);
    report(p, &state, &summary, code, ndjson);
    code
}

fn exit_code(s: &Summary) -> i32 {
    if s.error.is_some() || s.cancelled || s.counts.left() > 0 {
        EXIT_INTERRUPTED
    } else if s.counts.failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn report(p: &Plan, state: &JobState, s: &Summary, code: i32, ndjson: bool) {
    let c = s.counts;
    let rate = s.sent as f64 / s.elapsed.as_secs_f64().max(1e-9);
    say(&format!(
        "job {}: {} applied, {} failed, {} left, {} unchanged of {}; {} sent in {:.2} s ({:.0}/s)",
        p.job_id,
        c.applied,
        c.failed,
        c.left(),
        c.unchanged,
        c.total,
        s.sent,
        s.elapsed.as_secs_f64(),
        rate
    ));
    if c.failed > 0 {
        let failures = failures(p, state);
        for line in failures.iter().take(20) {
            say(&format!("  {line}"));
        }
        if failures.len() > 20 {
            say(&format!(
                "  ... and {} more: custdesk bulk status {}",
                failures.len() - 20,
                p.job_id
            ));
        }
        say(&format!(
            "send them again with: custdesk bulk retry-failed {}",
            p.job_id
        ));
    }
    if let Some(e) = &s.error {
        say(&format!("stopped: {e}"));
    }
    if code == EXIT_INTERRUPTED {
        say(&format!(
            "{} items left: custdesk bulk resume {}",
            c.left(),
            p.job_id
        ));
    }
    if ndjson {
        let line = SummaryLine {
            kind: "summary",
            job: &p.job_id,
            counts: c,
            sent: s.sent,
            elapsed_ms: s.elapsed.as_millis(),
            cancelled: s.cancelled,
            error: s.error.as_deref(),
            exit: code,
        };
        if let Ok(t) = serde_json::to_string(&line) {
            let _ = writeln!(std::io::stdout(), "{t}");
        }
    }
}

/// `line 7 (customer 0123...): invalid input (400): email: must contain @`
fn failures(p: &Plan, state: &JobState) -> Vec<String> {
    p.items
        .iter()
        .zip(&state.items)
        .filter_map(|(item, s)| match s {
            ItemState::Answered {
                outcome:
                    Outcome::Failed {
                        status,
                        kind,
                        reason,
                        ..
                    },
                ..
            } => Some(format!(
                "{} ({} {}): {}{}: {}",
                item.place(),
                item.edit.name(),
                item.customer_id.as_deref().unwrap_or("new customer"),
                kind,
                status.map(|s| format!(" ({s})")).unwrap_or_default(),
                crate::domain::sanitize::for_display(reason)
            )),
            _ => None,
        })
        .collect()
}

/// Ctrl-C, SIGTERM and SIGHUP (a dropped SSH session) cancel: items in flight finish,
/// the rest stay pending for `resume`. A second Ctrl-C stops at once (the journal
/// still makes that safe).
async fn watch_signals(tx: watch::Sender<Control>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return;
        };
        let mut first = true;
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
            if !first {
                std::process::exit(EXIT_INTERRUPTED);
            }
            first = false;
            say("cancelling: items in flight finish, the rest stay pending (again to stop now)");
            let _ = tx.send(Control::Cancel);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        let _ = tx.send(Control::Cancel);
    }
}

/// Tell about jobs left unfinished (killed, cancelled, a dropped session).
fn note_interrupted(jobs: &Path) {
    for info in super::jobs::unfinished(jobs) {
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

fn status_cmd(jobs: &Path, job: Option<&str>, json: bool) -> i32 {
    let mut out = std::io::stdout().lock();
    match job {
        None => {
            let all = list_jobs(jobs);
            if all.is_empty() {
                say(&format!("no bulk jobs in {}", jobs.display()));
            } else if !json {
                let _ = writeln!(
                    out,
                    "{:<32}  {:<24} {:<13} {:>7} {:>7} {:>7} {:>7}  SOURCE",
                    "JOB", "CREATED", "STATE", "TOTAL", "APPLIED", "FAILED", "LEFT"
                );
            }
            for info in all {
                match info {
                    Ok(i) if json => {
                        let _ = writeln!(out, "{}", serde_json::to_string(&i).unwrap_or_default());
                    }
                    Ok(i) => {
                        let _ = writeln!(
                            out,
                            "{:<32}  {:<24} {:<13} {:>7} {:>7} {:>7} {:>7}  {}",
                            i.job,
                            i.created,
                            i.state,
                            i.counts.total,
                            i.counts.applied,
                            i.counts.failed,
                            i.counts.left(),
                            i.source.as_deref().unwrap_or("-")
                        );
                    }
                    Err(e) => say(&e),
                }
            }
            EXIT_OK
        }
        Some(job) => {
            let i = match job_info(jobs, job) {
                Ok(i) => i,
                Err(e) => return refuse(&e),
            };
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string(&i).unwrap_or_default());
                for (index, (item, s)) in i.plan.items.iter().zip(&i.journal.items).enumerate() {
                    if let ItemState::Answered { outcome, .. } = s
                        && !outcome.is_applied()
                    {
                        let line = ItemLine {
                            kind: "failure",
                            index,
                            id: &item.id,
                            line: item.line,
                            customer_id: item.customer_id.as_deref(),
                            action: item.edit.name(),
                            outcome,
                        };
                        let _ =
                            writeln!(out, "{}", serde_json::to_string(&line).unwrap_or_default());
                    }
                }
            } else {
                let c = i.counts;
                let _ = writeln!(
                    out,
                    "job {} ({}), created {} from {}\n{} items: {} applied, {} failed, {} pending, {} in doubt, {} unchanged; {} runs",
                    i.job,
                    i.state,
                    i.created,
                    i.source.as_deref().unwrap_or("-"),
                    c.total,
                    c.applied,
                    c.failed,
                    c.pending,
                    c.in_doubt,
                    c.unchanged,
                    i.journal.runs
                );
                for f in failures(&i.plan, &i.journal) {
                    let _ = writeln!(out, "  {f}");
                }
            }
            EXIT_OK
        }
    }
}

fn export_cmd(jobs: &Path, job: &str, output: Option<&Path>, only_failed: bool) -> i32 {
    let i = match job_info(jobs, job) {
        Ok(i) => i,
        Err(e) => return refuse(&e),
    };
    let sink: Box<dyn Write> = match output {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(f),
            Err(e) => return refuse(&format!("{}: {e}", path.display())),
        },
        None => Box::new(std::io::stdout()),
    };
    let rows = match super::jobs::export_csv(&i.plan, &i.journal, sink, only_failed) {
        Ok(n) => n,
        Err(e) => return refuse(&e.to_string()),
    };
    if let Some(path) = output {
        say(&format!("{rows} results written to {}", path.display()));
    }
    EXIT_OK
}
