//! `bulk apply`, `resume` and `retry-failed`: confirm, re-read, send journaled, report.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::jobs::failures;
use super::{
    BackendArgs, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, ItemLine, READ_ATTEMPTS, RunArgs, Stop,
    bar, note_interrupted, reach, refuse, say, unless_stopped,
};
use crate::api::Client;
use crate::audit::AuditLog;
use crate::bulk::apply::{self, Event, Summary};
use crate::bulk::journal::{self, Counts, JobState, Journal};
use crate::bulk::{Plan, plan};
use crate::config::Paths;
use crate::domain::sanitize::for_display;

/// Ask for the count to be typed back when the plan needs it.
fn confirm(p: &Plan, yes: Option<usize>) -> Result<(), String> {
    let n = p.to_send();
    let why = || {
        if p.deletes() > 0 {
            format!("it deletes {} customers", p.deletes())
        } else {
            format!("it has more than {} items", crate::bulk::CONFIRM_OVER)
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
pub(super) struct Approval {
    pub skip_invalid: bool,
    pub yes: Option<usize>,
    pub accept_changes: bool,
}

/// Reads in flight during the re-read, per item sent at once: reads change nothing and
/// cost the backend less than writes, so 2,000 customers at 250 ms re-read in about 8 s.
const READS_PER_SEND: usize = 2;

/// Read every customer of a plan made earlier again; refuse when any changed since,
/// unless told to apply it as planned anyway.
async fn recheck(p: &Plan, accept: bool, client: &Client, run: &RunArgs) -> Result<(), String> {
    let client = client.with_attempts(READ_ATTEMPTS);
    let pb = bar(p.items.len() as u64, "re-reading");
    let reads = run.concurrency.max(1) * READS_PER_SEND;
    let found = plan::drift(&client, p, reads, |n| pb.set_position(n as u64)).await;
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

/// A job's journal, opened and locked, and its state; refused when it was written for
/// another plan.
fn open_job(paths: &Paths, jobs: &Path, p: &Plan) -> Result<(Journal, JobState), i32> {
    let audit = AuditLog::new(paths.audit_log());
    let jpath = journal::journal_path(jobs, &p.job_id);
    let (journal, state) =
        Journal::open(&jpath, p.items.len(), Some(audit)).map_err(|e| refuse(&e.to_string()))?;
    if let Some(sha) = &state.plan_sha
        && *sha != plan::fingerprint(p)
    {
        return Err(refuse(&format!(
            "{} was written for a different plan: nothing applied",
            jpath.display()
        )));
    }
    Ok((journal, state))
}

/// The re-read of a job that has sent nothing yet, with its journal held: a stop leaves
/// the job for `bulk resume`; customers changed since the plan withdraw it (nothing was
/// sent, so nothing is lost: plan again).
async fn check_before_sending(
    jobs: &Path,
    p: &Plan,
    accept: bool,
    client: &Client,
    run: &RunArgs,
    stop: &Stop,
    journal: Journal,
) -> Result<Journal, i32> {
    match unless_stopped(stop, recheck(p, accept, client, run)).await {
        Some(Ok(())) => Ok(journal),
        None => {
            journal.close();
            say(&format!(
                "job {}: stopped during the re-read; nothing was sent yet: custdesk bulk resume {}",
                p.job_id, p.job_id
            ));
            Err(EXIT_INTERRUPTED)
        }
        Some(Err(e)) => {
            journal.close();
            let _ = std::fs::remove_file(journal::journal_path(jobs, &p.job_id));
            let _ = std::fs::remove_file(journal::plan_path(jobs, &p.job_id));
            Err(refuse(&e))
        }
    }
}

pub(super) async fn apply_cmd(
    paths: &Paths,
    jobs: &Path,
    p: Plan,
    how: &Approval,
    (backend, run): (&BackendArgs, &RunArgs),
    stop: &Stop,
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
    let (client, label, _sandbox) = match reach(backend, p.backend.as_deref(), run.attempts).await {
        Ok(c) => c,
        Err(e) => return refuse(&e),
    };
    let stored = journal::plan_path(jobs, &p.job_id);
    let jpath = journal::journal_path(jobs, &p.job_id);
    let known = jpath.exists() && stored.exists();
    // A job whose journal holds no run was stopped before it sent anything.
    let sent_before = known && journal::read(&jpath, p.items.len()).is_ok_and(|(s, _)| s.runs > 0);
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
        say(&if sent_before {
            format!(
                "job {} was applied before: resuming it (nothing is applied twice)",
                p.job_id
            )
        } else {
            format!(
                "job {} was stopped before anything was sent: reading its customers again",
                p.job_id
            )
        });
    } else {
        note_interrupted(jobs);
        if p.to_send() == 0 {
            say(&format!("{}: nothing to send", plan::summary(&p)));
            return EXIT_OK;
        }
        say(&plan::summary(&p));
        if let Err(e) = confirm(&p, yes) {
            return refuse(&e);
        }
        // The job exists from here, before the re-read, so a kill at any point leaves it
        // for `bulk resume`. The errors were accepted with --skip-invalid; the stored
        // copy keeps them.
        if let Err(e) = journal::create_private_dir(jobs).and_then(|_| plan::save(&p, &stored)) {
            return refuse(&format!("{}: {e}", stored.display()));
        }
    }
    let (mut journal, state) = match open_job(paths, jobs, &p) {
        Ok(j) => j,
        Err(code) => return code,
    };
    if !sent_before {
        journal =
            match check_before_sending(jobs, &p, how.accept_changes, &client, run, stop, journal)
                .await
            {
                Ok(j) => j,
                Err(code) => return code,
            };
    }
    let mode = if sent_before { "resume" } else { "apply" };
    let job = (journal, state);
    execute(&p, mode, false, (client, label), run, stop, job).await
}

pub(super) async fn resume_cmd(
    paths: &Paths,
    jobs: &Path,
    job: &str,
    (retry_failed, accept_changes): (bool, bool),
    (backend, run): (&BackendArgs, &RunArgs),
    stop: &Stop,
) -> i32 {
    let p = match plan::load(&journal::plan_path(jobs, job)) {
        Ok(p) => p,
        Err(e) => return refuse(&format!("job {job}: {e}")),
    };
    let prior = journal::read(&journal::journal_path(jobs, job), p.items.len())
        .ok()
        .map(|(s, _)| s);
    // Items that failed for good are never sent again: say so rather than send nothing.
    if retry_failed && let Some(s) = &prior {
        let unchanged: Vec<bool> = p.items.iter().map(|i| i.unchanged).collect();
        let f = s.failures();
        if f.retryable == 0
            && s.counts(&unchanged).left() == 0
            && let Some(why) = f.for_good_in_words()
        {
            say(&format!("job {job}: nothing to retry; {why}"));
            return EXIT_FAILED;
        }
    }
    let last_backend = prior.and_then(|s| s.backend).or_else(|| p.backend.clone());
    let (client, label, _sandbox) =
        match reach(backend, last_backend.as_deref(), run.attempts).await {
            Ok(c) => c,
            Err(e) => return refuse(&e),
        };
    let (mut journal, state) = match open_job(paths, jobs, &p) {
        Ok(j) => j,
        Err(code) => return code,
    };
    if state.runs == 0 {
        say(&format!(
            "job {job}: nothing was sent yet: reading its customers again before sending"
        ));
        journal = match check_before_sending(jobs, &p, accept_changes, &client, run, stop, journal)
            .await
        {
            Ok(j) => j,
            Err(code) => return code,
        };
    }
    let mode = if retry_failed {
        "retry-failed"
    } else {
        "resume"
    };
    let job = (journal, state);
    execute(&p, mode, retry_failed, (client, label), run, stop, job).await
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

/// Send a job's items with `client` (and its label for messages), journaled in the
/// job's open journal.
async fn execute(
    p: &Plan,
    mode: &str,
    retry_failed: bool,
    (client, label): (Client, String),
    run: &RunArgs,
    stop: &Stop,
    (journal, mut state): (Journal, JobState),
) -> i32 {
    // A token already had for the re-check is reused; a new one is worth waiting for.
    let patient = client.with_attempts(READ_ATTEMPTS.max(run.attempts));
    match unless_stopped(stop, patient.sign_in()).await {
        Some(Ok(_)) => {}
        Some(Err(e)) => return refuse(&format!("cannot sign in to {label}: {e}")),
        None => {
            say(&format!(
                "job {}: stopped while signing in; nothing more was sent: custdesk bulk resume {}",
                p.job_id, p.job_id
            ));
            return EXIT_INTERRUPTED;
        }
    }
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
    let rx = stop.clone();
    let summary = apply::run(&client, p, &journal, &mut state, &opts, rx, &mut on_event).await;
    if let Some(b) = &pb {
        b.finish_and_clear();
    }
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
        let f = state.failures();
        if f.retryable > 0 {
            say(&format!(
                "send the {} that may succeed again with: custdesk bulk retry-failed {}",
                f.retryable, p.job_id
            ));
        }
        if let Some(why) = f.for_good_in_words() {
            say(&why);
        }
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
