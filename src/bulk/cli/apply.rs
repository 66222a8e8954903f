//! `bulk apply`, `resume` and `retry-failed`: confirm, re-read, send journaled, report.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;

use super::jobs::failures;
use super::{
    BackendArgs, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, ItemLine, READ_ATTEMPTS, RunArgs, bar,
    client_for, note_interrupted, refuse, say,
};
use crate::api::Client;
use crate::audit::AuditLog;
use crate::bulk::apply::{self, Control, Event, Summary};
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

pub(super) async fn apply_cmd(
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

pub(super) async fn resume_cmd(
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
    let state = journal::read(&journal::journal_path(jobs, job), p.items.len())
        .ok()
        .map(|(s, _)| s);
    // Items that failed for good are never sent again: say so rather than send nothing.
    if retry_failed && let Some(s) = &state {
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
    let last_backend = state.and_then(|s| s.backend).or_else(|| p.backend.clone());
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
