//! The jobs in the data directory: what each holds and where it stands, for
//! `custdesk bulk status`, for naming unfinished jobs, and for the console to offer
//! the resume of an interrupted job at start.

use std::path::Path;

use serde::Serialize;

use super::journal::{self, Counts, ItemState, JobState};
use super::{Outcome, Plan, plan};

/// One job found in the jobs directory.
#[derive(Debug, Serialize)]
pub struct JobInfo {
    pub job: String,
    pub created: String,
    pub source: Option<String>,
    /// `running` (another process holds it), `not started` (stopped before its first
    /// send, during its re-read: `bulk resume` reads again before sending), `interrupted`
    /// (killed or dropped with items left), `cancelled` (stopped with items left),
    /// `failed items`, `complete`.
    pub state: &'static str,
    #[serde(flatten)]
    pub counts: Counts,
    #[serde(skip)]
    pub plan: Plan,
    #[serde(skip)]
    pub journal: JobState,
}

/// Every job with a journal, newest first.
pub fn list_jobs(jobs: &Path) -> Vec<Result<JobInfo, String>> {
    let Ok(rd) = std::fs::read_dir(jobs) else {
        return Vec::new();
    };
    let mut out: Vec<Result<JobInfo, String>> = rd
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".journal").map(str::to_string)
        })
        .map(|job| job_info(jobs, &job))
        .collect();
    out.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => b.created.cmp(&a.created),
        _ => std::cmp::Ordering::Equal,
    });
    out
}

pub fn job_info(jobs: &Path, job: &str) -> Result<JobInfo, String> {
    if !journal::plan_path(jobs, job).exists() {
        return Err(format!(
            "no job '{}' in {}\n  hint: `custdesk bulk status` lists the jobs",
            crate::domain::sanitize::for_display(job),
            jobs.display()
        ));
    }
    let p = plan::load(&journal::plan_path(jobs, job)).map_err(|e| format!("job {job}: {e}"))?;
    let jpath = journal::journal_path(jobs, job);
    let (st, _) = journal::read(&jpath, p.items.len()).map_err(|e| e.to_string())?;
    let unchanged: Vec<bool> = p.items.iter().map(|i| i.unchanged).collect();
    let counts = st.counts(&unchanged);
    let state = if journal::is_busy(&jpath) {
        "running"
    } else if counts.left() > 0 {
        if st.runs == 0 {
            "not started"
        } else if st.last_stop.as_deref() == Some("cancelled") {
            "cancelled"
        } else {
            "interrupted"
        }
    } else if counts.failed > 0 {
        "failed items"
    } else {
        "complete"
    };
    Ok(JobInfo {
        job: job.to_string(),
        created: p.created.clone(),
        source: p.source.clone(),
        state,
        counts,
        plan: p,
        journal: st,
    })
}

/// Jobs left with items to send and no process running them, that sent before: the
/// console offers these for resume. A job `not started` is left to `bulk resume`, which
/// reads its customers again before sending.
pub fn unfinished(jobs: &Path) -> Vec<JobInfo> {
    list_jobs(jobs)
        .into_iter()
        .flatten()
        .filter(|i| matches!(i.state, "interrupted" | "cancelled"))
        .collect()
}

/// Jobs `bulk resume` finishes: [`unfinished`] ones and those `not started`.
pub fn resumable(jobs: &Path) -> Vec<JobInfo> {
    list_jobs(jobs)
        .into_iter()
        .flatten()
        .filter(|i| matches!(i.state, "interrupted" | "cancelled" | "not started"))
        .collect()
}

/// Write a job's results as CSV (one line per item: what was planned and how it ended);
/// `only_failed` keeps the failed items. Answers the rows written.
pub fn export_csv(
    plan: &Plan,
    state: &JobState,
    sink: impl std::io::Write,
    only_failed: bool,
) -> Result<usize, ::csv::Error> {
    let mut w = ::csv::Writer::from_writer(sink);
    let header = [
        "line",
        "item",
        "customer_id",
        "action",
        "old",
        "new",
        "result",
        "status",
        "reason",
        "correlation_id",
        "created_id",
        "customer",
    ];
    let mut rows = 0;
    w.write_record(header)?;
    for (item, s) in plan.items.iter().zip(&state.items) {
        let (result, status, reason, cid, created) = match s {
            _ if item.unchanged => ("unchanged", None, String::new(), String::new(), None),
            ItemState::Pending => ("pending", None, String::new(), String::new(), None),
            ItemState::InDoubt { .. } => ("in doubt", None, String::new(), String::new(), None),
            ItemState::Answered { outcome, .. } => match outcome {
                Outcome::Applied {
                    status,
                    already,
                    created_id,
                    correlation_id,
                    ..
                } => (
                    if *already { "already so" } else { "applied" },
                    Some(*status),
                    String::new(),
                    correlation_id.clone(),
                    created_id.clone(),
                ),
                Outcome::Failed {
                    status,
                    kind,
                    reason,
                    correlation_id,
                    ..
                } => (
                    "failed",
                    *status,
                    format!("{kind}: {reason}"),
                    correlation_id.clone(),
                    None,
                ),
            },
        };
        if only_failed && result != "failed" {
            continue;
        }
        rows += 1;
        w.write_record([
            item.line.map(|l| l.to_string()).unwrap_or_default(),
            item.id.clone(),
            item.customer_id.clone().unwrap_or_default(),
            item.edit.name().to_string(),
            item.old.clone().unwrap_or_default(),
            item.new.clone(),
            result.to_string(),
            status.map(|s| s.to_string()).unwrap_or_default(),
            reason,
            cid,
            created.unwrap_or_default(),
            item.who(),
        ])?;
    }
    w.flush()?;
    Ok(rows)
}
