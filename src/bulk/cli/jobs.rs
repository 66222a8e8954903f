//! `bulk status` and `bulk export`: what the jobs in the data directory hold.

use std::io::Write;
use std::path::Path;

use super::{EXIT_OK, ItemLine, refuse, say};
use crate::bulk::Outcome;
use crate::bulk::Plan;
use crate::bulk::jobs::{job_info, list_jobs};
use crate::bulk::journal::{ItemState, JobState};

/// `line 7 (customer 0123...): invalid input (400): email: must contain @`
pub(super) fn failures(p: &Plan, state: &JobState) -> Vec<String> {
    p.items
        .iter()
        .zip(&state.items)
        .filter_map(|(item, s)| match s {
            ItemState::Answered {
                outcome: outcome @ Outcome::Failed { .. },
                ..
            } => Some(format!(
                "{} ({} {}): {}",
                item.place(),
                item.edit.name(),
                item.customer_id.as_deref().unwrap_or("new customer"),
                outcome.why()
            )),
            _ => None,
        })
        .collect()
}

pub(super) fn status_cmd(jobs: &Path, job: Option<&str>, json: bool) -> i32 {
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
                let f = i.journal.failures();
                if f.retryable > 0 {
                    let _ = writeln!(
                        out,
                        "{} may succeed when sent again: custdesk bulk retry-failed {}",
                        f.retryable, i.job
                    );
                }
                if let Some(why) = f.for_good_in_words() {
                    let _ = writeln!(out, "{why}");
                }
            }
            EXIT_OK
        }
    }
}

pub(super) fn export_cmd(jobs: &Path, job: &str, output: Option<&Path>, only_failed: bool) -> i32 {
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
    let rows = match crate::bulk::jobs::export_csv(&i.plan, &i.journal, sink, only_failed) {
        Ok(n) => n,
        Err(e) => return refuse(&e.to_string()),
    };
    if let Some(path) = output {
        say(&format!("{rows} results written to {}", path.display()));
    }
    EXIT_OK
}
