//! The engine: send a plan's items with bounded concurrency, journaling each one
//! before it is sent and after its answer, with pause, cancel and progress events. The
//! console and `custdesk bulk` both drive it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::watch;

use super::journal::{Counts, ItemState, JobState, Journal, Record};
use super::{Action, Item, Outcome, Plan, item_key};
use crate::api::{ApiError, Class, Client, ErrorKind, IdempotencyKey};
use crate::audit::Entry;

/// Items in flight at once unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 32;

/// What the run should do now; the console's pause and cancel keys, the command line's
/// Ctrl-C. On cancel, items in flight finish and the rest stay pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Run,
    Pause,
    Cancel,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub concurrency: usize,
    /// Send failed items again too, those a retry may cure ([`work_list`]), with the
    /// same key (they may have been applied).
    pub retry_failed: bool,
    /// For the journal: `apply`, `resume`, `retry-failed`.
    pub mode: String,
    /// For the journal: the backend the run talks to.
    pub backend: String,
}

/// What the run reports as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The run starts: `to_send` items will be sent.
    Started { to_send: usize, counts: Counts },
    /// Item `index` was answered.
    Answer {
        index: usize,
        outcome: Outcome,
        counts: Counts,
    },
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub counts: Counts,
    /// Items answered in this run.
    pub sent: usize,
    pub elapsed: Duration,
    /// Stopped by [`Control::Cancel`] before every item was sent.
    pub cancelled: bool,
    /// The journal failed: the run stopped sending.
    pub error: Option<String>,
}

/// What a sent item came back with, as the server said it.
struct Sent {
    status: u16,
    replayed: bool,
    correlation_id: String,
    created_id: Option<String>,
}

/// Send one item with its key, through [`crate::api::ops`].
async fn execute(client: &Client, item: &Item, key: &IdempotencyKey) -> Result<Sent, ApiError> {
    let cid = item.customer_id.as_deref().unwrap_or_default();
    let r = item.edit.write(cid).send(client, key).await?;
    Ok(Sent {
        status: r.status,
        replayed: r.replayed,
        created_id: r.value.created_id().map(str::to_string),
        correlation_id: r.correlation_id,
    })
}

/// How long one item waits out a backend that is down or restarting (connection
/// refused, 502/503) or whose answer leaves the write in doubt ([`Class::InDoubt`]: no
/// answer, a server error after the request arrived), sending again with the same key,
/// before it is called failed.
pub const OUTAGE_BOUND: Duration = Duration::from_secs(30);

/// [`execute`], again with the same key after a backoff while the backend is out or the
/// answer is in doubt, within [`OUTAGE_BOUND`]: the server replays a write it had
/// applied, so an in-doubt item is settled, not listed as failed.
async fn execute_through_outage(
    client: &Client,
    item: &Item,
    key: &IdempotencyKey,
) -> Result<Sent, ApiError> {
    let started = Instant::now();
    let mut wait = Duration::from_millis(250);
    loop {
        let result = execute(client, item, key).await;
        // An outage (not reached, 502, 503) or an answer in doubt: every failure a
        // retry may cure but a rate limit's 429, which is the client's to wait out,
        // within its attempts.
        let out = matches!(&result, Err(e) if e.class().retryable()
            && !matches!(e.kind, ErrorKind::RateLimited { .. }));
        if !out || started.elapsed() + wait > OUTAGE_BOUND {
            return result;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(2));
    }
}

/// Turn an answer into an outcome. Some refusals mean the state is already what the
/// plan wants (a number already on file with that consent, an alert already not
/// subscribed, a customer already deleted): those count as applied.
fn classify(item: &Item, result: Result<Sent, ApiError>) -> Outcome {
    match result {
        Ok(s) => Outcome::Applied {
            status: s.status,
            replayed: s.replayed,
            already: false,
            created_id: s.created_id,
            correlation_id: s.correlation_id,
        },
        Err(e) => {
            let class = e.class();
            let already = class != Class::InDoubt
                && match (&item.edit, &e.kind) {
                    (Action::AddPhone { .. } | Action::StopConsent { .. }, ErrorKind::Conflict) => {
                        e.message.contains("already on this customer")
                    }
                    (Action::Unsubscribe { .. }, ErrorKind::Conflict) => {
                        e.message.contains("not subscribed")
                    }
                    (Action::Delete, ErrorKind::NotFound) => true,
                    _ => false,
                };
            if already {
                return Outcome::Applied {
                    status: e.status.unwrap_or(0),
                    replayed: false,
                    already: true,
                    created_id: None,
                    correlation_id: e.correlation_id,
                };
            }
            Outcome::Failed {
                status: e.status,
                kind: e.kind.label().to_string(),
                field: e.field().map(str::to_string),
                reason: e.message.clone(),
                // May have been applied, or a later try may work: same key next time.
                transient: class.retryable(),
                class: Some(class),
                correlation_id: e.correlation_id,
            }
        }
    }
}

fn audit_entry(client_id: &str, item: &Item, outcome: &Outcome) -> Entry {
    let (customer, result, cid) = match outcome {
        Outcome::Applied {
            replayed,
            already,
            created_id,
            correlation_id,
            ..
        } => (
            created_id
                .clone()
                .or_else(|| item.customer_id.clone())
                .unwrap_or_default(),
            if *already {
                "ok (already so)"
            } else if *replayed {
                "ok (replayed)"
            } else {
                "ok"
            }
            .to_string(),
            correlation_id.clone(),
        ),
        Outcome::Failed {
            kind,
            status,
            reason,
            correlation_id,
            ..
        } => (
            item.customer_id.clone().unwrap_or_default(),
            match status {
                Some(s) => format!("error: {kind} ({s}): {reason}"),
                None => format!("error: {kind}: {reason}"),
            },
            correlation_id.clone(),
        ),
    };
    let mut e = Entry::new(
        client_id,
        &customer,
        &format!("bulk {}", item.edit.name()),
        result,
    );
    e.old = item.old.clone();
    e.new = Some(item.new.clone());
    e.correlation_id = (!cid.is_empty()).then_some(cid);
    e
}

/// Items a run sends, with the generation of each: pending ones at 0, in-doubt ones
/// with the generation they were sent with, and (retrying) those that failed in a way
/// a retry may cure, with the same key (they may have been applied). An item that
/// failed for good (the server refused it, or it was not found, not allowed, in
/// conflict) is never sent again: the same request would get the same answer.
pub fn work_list(plan: &Plan, state: &JobState, retry_failed: bool) -> Vec<(usize, u32)> {
    state
        .items
        .iter()
        .enumerate()
        .filter(|(i, _)| !plan.items[*i].unchanged)
        .filter_map(|(i, s)| match s {
            ItemState::Pending => Some((i, 0)),
            ItemState::InDoubt { g } => Some((i, *g)),
            ItemState::Answered { g, outcome } if retry_failed && outcome.retryable() => {
                Some((i, *g))
            }
            ItemState::Answered { .. } => None,
        })
        .collect()
}

enum Step {
    Answered(usize, u32, Outcome),
    NotSent,
    JournalFailed(String),
}

/// Run a job to its end, to a cancel, or to a journal failure. `state` is the
/// journal's state and is kept up to date; `on_event` sees each answer as it lands.
pub async fn run(
    client: &Client,
    plan: &Plan,
    journal: &Journal,
    state: &mut JobState,
    opts: &Options,
    control: watch::Receiver<Control>,
    on_event: &mut (dyn FnMut(Event) + Send),
) -> Summary {
    let started = Instant::now();
    let unchanged: Vec<bool> = plan.items.iter().map(|i| i.unchanged).collect();
    let work = work_list(plan, state, opts.retry_failed);
    let mut counts = state.counts(&unchanged);
    let mut summary = Summary {
        counts,
        sent: 0,
        elapsed: Duration::ZERO,
        cancelled: false,
        error: None,
    };
    let start = Record::Start {
        at: super::now(),
        pid: std::process::id(),
        client: client.client_id().to_string(),
        backend: opts.backend.clone(),
        mode: opts.mode.clone(),
        plan_sha: super::plan::fingerprint(plan),
    };
    if let Err(e) = journal.write_synced(&start).await {
        summary.error = Some(e);
        return summary;
    }
    let _ = state.record(&start);
    on_event(Event::Started {
        to_send: work.len(),
        counts,
    });
    let halt = Arc::new(AtomicBool::new(false));
    let to_send = work.len();
    let client_id = client.client_id().to_string();
    let mut steps = futures::stream::iter(work)
        .map(|(i, g)| {
            let mut control = control.clone();
            let halt = halt.clone();
            let client_id = &client_id;
            async move {
                loop {
                    if halt.load(Ordering::Relaxed) {
                        return Step::NotSent;
                    }
                    let now = *control.borrow_and_update();
                    match now {
                        Control::Cancel => return Step::NotSent,
                        Control::Run => break,
                        Control::Pause => {
                            if control.changed().await.is_err() {
                                break;
                            }
                        }
                    }
                }
                let item = &plan.items[i];
                if let Err(e) = journal.write_synced(&Record::Sending { i, g }).await {
                    return Step::JournalFailed(e);
                }
                let key = item_key(&plan.job_id, &item.id, g);
                let outcome = classify(item, execute_through_outage(client, item, &key).await);
                journal.write(
                    &Record::Answer {
                        i,
                        g,
                        outcome: outcome.clone(),
                    },
                    Some(audit_entry(client_id, item, &outcome)),
                );
                Step::Answered(i, g, outcome)
            }
        })
        .buffer_unordered(opts.concurrency.max(1));
    let mut not_sent = 0;
    while let Some(step) = steps.next().await {
        match step {
            Step::Answered(i, g, outcome) => {
                match &state.items[i] {
                    ItemState::Pending => counts.pending -= 1,
                    ItemState::InDoubt { .. } => counts.in_doubt -= 1,
                    ItemState::Answered { outcome: o, .. } if o.is_applied() => counts.applied -= 1,
                    ItemState::Answered { .. } => counts.failed -= 1,
                }
                if outcome.is_applied() {
                    counts.applied += 1;
                } else {
                    counts.failed += 1;
                }
                state.items[i] = ItemState::Answered {
                    g,
                    outcome: outcome.clone(),
                };
                summary.sent += 1;
                on_event(Event::Answer {
                    index: i,
                    outcome,
                    counts,
                });
                if let Some(e) = journal.error() {
                    halt.store(true, Ordering::Relaxed);
                    summary.error.get_or_insert(e);
                }
            }
            Step::NotSent => not_sent += 1,
            Step::JournalFailed(e) => {
                halt.store(true, Ordering::Relaxed);
                summary.error.get_or_insert(e);
            }
        }
    }
    drop(steps);
    summary.counts = counts;
    summary.cancelled = summary.error.is_none() && not_sent > 0;
    debug_assert!(summary.sent + not_sent <= to_send);
    let reason = match (&summary.error, summary.cancelled) {
        (Some(e), _) => e.clone(),
        (None, true) => "cancelled".to_string(),
        (None, false) => "finished".to_string(),
    };
    let stop = Record::Stop {
        at: super::now(),
        reason,
    };
    if let Err(e) = journal.write_synced(&stop).await {
        summary.error.get_or_insert(e);
    }
    let _ = state.record(&stop);
    if let Err(e) = journal.flush().await {
        summary.error.get_or_insert(e);
    }
    summary.elapsed = started.elapsed();
    summary
}

/// Apply (or resume) a whole job from a program: keep a copy of the plan beside its
/// journal in `jobs`, open and lock the journal, run, and release it. Answers how the
/// run ended and the job's state after it.
pub async fn run_job(
    client: &Client,
    plan: &Plan,
    jobs: &std::path::Path,
    audit: Option<crate::audit::AuditLog>,
    opts: &Options,
    control: watch::Receiver<Control>,
    on_event: &mut (dyn FnMut(Event) + Send),
) -> Result<(Summary, JobState), String> {
    let stored = super::journal::plan_path(jobs, &plan.job_id);
    super::journal::create_private_dir(jobs).map_err(|e| format!("{}: {e}", jobs.display()))?;
    if !stored.exists() {
        super::plan::save(plan, &stored).map_err(|e| format!("{}: {e}", stored.display()))?;
    }
    let path = super::journal::journal_path(jobs, &plan.job_id);
    let (journal, mut state) =
        Journal::open(&path, plan.items.len(), audit).map_err(|e| e.to_string())?;
    if state
        .plan_sha
        .as_ref()
        .is_some_and(|sha| *sha != super::plan::fingerprint(plan))
    {
        return Err(format!(
            "{} was written for a different plan",
            path.display()
        ));
    }
    let summary = run(client, plan, &journal, &mut state, opts, control, on_event).await;
    journal.close();
    Ok((summary, state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::Action;

    fn failed(transient: bool) -> Outcome {
        Outcome::Failed {
            status: Some(if transient { 503 } else { 400 }),
            kind: "x".into(),
            field: None,
            reason: "x".into(),
            transient,
            class: None,
            correlation_id: String::new(),
        }
    }

    #[test]
    fn work_list_keeps_keys_for_what_may_have_been_applied() {
        let mut plan = Plan::new();
        for i in 0..6 {
            let edit = Action::SetEmail {
                email: "a@b.com".into(),
            };
            plan.items.push(Item {
                id: i.to_string(),
                line: None,
                customer_id: Some("0123456789abcdef0123456789abcdef".into()),
                name: None,
                new: edit.new_display(),
                edit,
                old: None,
                unchanged: i == 5,
            });
        }
        let mut st = JobState::new(6);
        st.items[1] = ItemState::InDoubt { g: 2 };
        st.items[2] = ItemState::Answered {
            g: 0,
            outcome: Outcome::Applied {
                status: 200,
                replayed: false,
                already: false,
                created_id: None,
                correlation_id: String::new(),
            },
        };
        st.items[3] = ItemState::Answered {
            g: 1,
            outcome: failed(true),
        };
        st.items[4] = ItemState::Answered {
            g: 1,
            outcome: failed(false),
        };
        assert_eq!(work_list(&plan, &st, false), vec![(0, 0), (1, 2)]);
        // A transient failure may have been applied: same key. A refusal failed for
        // good: never sent again. Unchanged items are never sent.
        assert_eq!(work_list(&plan, &st, true), vec![(0, 0), (1, 2), (3, 1)]);
        let f = st.failures();
        assert_eq!(f.retryable, 1);
        assert_eq!(f.permanent(), 1);
        assert_eq!(
            f.for_good_in_words().as_deref(),
            Some("1 failed for good (sending it again cannot help): x (400): x")
        );
    }
}
