//! Runs effects: background calls that report back as messages and never touch state.
//! A newer search aborts the older one; opening another customer aborts the previous
//! customer's loads.

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::edit::ContactKind;
use super::effect::{AuditNote, CustomerRead, Effect, WriteOp};
use super::msg::{Msg, Outcome, Part, WriteError};
use super::term::{Screen, Term};
use crate::api::ops::Answer;
use crate::api::wire::newday::SearchRequest;
use crate::api::{ApiError, Client, ErrorKind, IdempotencyKey, Reply, UserIdType};
use crate::audit::{AuditLog, Entry, scrub};

mod bulk;
mod directory;
pub(crate) mod extras;
mod image;
mod outbox;

use bulk::{all_ids, build_plan, export};

pub struct Runner {
    client: Client,
    tx: UnboundedSender<Msg>,
    audit: AuditLog,
    agent: String,
    search: Option<JoinHandle<()>>,
    customer: Vec<JoinHandle<()>>,
    /// The pending debounce timer or format check of an edit dialog (latest wins).
    check: Option<JoinHandle<()>>,
    /// Refuse every write, whatever `update` asked for (belt and braces for
    /// `--read-only`).
    read_only: bool,
    /// The data directory: bulk journals in `jobs/`, saved plans in `plans/`.
    data_dir: Option<std::path::PathBuf>,
    backend: String,
    /// Pause, go on, cancel: the running bulk job's control.
    bulk: Option<tokio::sync::watch::Sender<crate::bulk::apply::Control>>,
    /// How profile images are drawn; none: not read at all (the default).
    graphics: Option<super::graphics::Graphics>,
}

/// A write's audit line: the note as the console prepared it, with the call's
/// correlation id and outcome. Error messages are scrubbed of contact details.
fn audit_write(
    audit: &AuditLog,
    agent: &str,
    note: &AuditNote,
    r: &Result<Reply<Answer>, ApiError>,
) {
    let (cid, outcome) = match r {
        Ok(reply) => (
            reply.correlation_id.clone(),
            scrub(&reply.value.audit_outcome()),
        ),
        Err(e) => (
            e.correlation_id.clone(),
            format!("error: {}", scrub(&e.to_string())),
        ),
    };
    record(
        audit,
        agent,
        &AuditNote {
            correlation_id: Some(cid),
            outcome,
            ..note.clone()
        },
    );
}

fn record(audit: &AuditLog, agent: &str, note: &AuditNote) {
    let mut e = Entry::new(agent, &note.customer, &note.action, note.outcome.clone());
    e.old = note.old.clone();
    e.new = note.new.clone();
    e.correlation_id = note.correlation_id.clone();
    if let Err(err) = audit.append(&e) {
        tracing::error!(error = %err, "audit log write failed");
    }
}

/// A write's answer as the dialog sees it: the answer, or the error in words.
fn written(r: Result<Reply<Answer>, ApiError>) -> Outcome<Answer, WriteError> {
    match r {
        Ok(reply) => Outcome::written(reply.value, reply.correlation_id),
        Err(e) => Outcome::failed(WriteError::from(&e), Some(e.correlation_id.clone())),
    }
}

/// An answer as the console shows it: value, or the error in words; correlation id
/// either way.
pub fn outcome<T>(r: Result<Reply<T>, ApiError>) -> Outcome<T> {
    match r {
        Ok(reply) => Outcome::ok(reply.value, reply.correlation_id),
        Err(e) => Outcome::err(e.to_string(), Some(e.correlation_id.clone())),
    }
}

impl Runner {
    pub fn new(client: Client, tx: UnboundedSender<Msg>, audit: AuditLog, agent: String) -> Runner {
        Runner {
            client,
            tx,
            audit,
            agent,
            search: None,
            customer: Vec::new(),
            check: None,
            read_only: false,
            data_dir: None,
            backend: String::new(),
            bulk: None,
            graphics: None,
        }
    }

    /// Read and draw profile images this way (none: images off).
    pub fn set_graphics(&mut self, graphics: Option<super::graphics::Graphics>) {
        self.graphics = graphics;
    }

    /// Where bulk journals and saved plans go (the console's data directory), and the
    /// backend recorded in plans and journals.
    pub fn with_bulk(mut self, dir: impl Into<std::path::PathBuf>, backend: &str) -> Runner {
        self.data_dir = Some(dir.into());
        self.backend = backend.to_string();
        self
    }

    /// Refuse every write effect (the console's `--read-only`).
    pub fn with_read_only(mut self, read_only: bool) -> Runner {
        self.read_only = read_only;
        self
    }

    /// Read one part of customer `id`; it arrives as `Msg::Loaded`.
    fn read(&self, id: &str, what: CustomerRead) -> JoinHandle<()> {
        let (c, owned, graphics) = (self.client.clone(), id.to_string(), self.graphics);
        spawn_part(&self.tx, id, async move {
            let id = owned.as_str();
            match what {
                CustomerRead::Emails => Part::Emails(outcome(c.citi().emails(id).await)),
                CustomerRead::Phones => Part::Phones(outcome(c.citi().phones(id).await)),
                CustomerRead::ContactMethods => {
                    let got = c.candescent().contact_methods(id, UserIdType::CustomerId);
                    Part::Contacts(outcome(got.await))
                }
                CustomerRead::Customer => {
                    Part::Customer(outcome(c.newday().get_customer(id).await))
                }
                CustomerRead::Profile => Part::Profile(outcome(c.citi().profile(id).await)),
                CustomerRead::Alerts => Part::Alerts(outcome(c.citi().alerts(id, None).await)),
                CustomerRead::History => {
                    Part::History(outcome(c.citi().alert_history(id, None, Some(20)).await))
                }
                CustomerRead::Image => Part::Image(image::picture(&c, id, graphics).await),
            }
        })
    }

    /// Run an effect that needs no terminal (everything but copy and mouse).
    pub fn run_detached(&mut self, effect: Effect) {
        match effect {
            Effect::Copy(_) | Effect::Mouse(_) => {}
            other => self.run_background(other),
        }
    }

    pub fn run<B: Screen>(&mut self, effect: Effect, term: &mut Term<B>) {
        match effect {
            Effect::Copy(text) => {
                if let Err(e) = term.copy(&text) {
                    tracing::warn!(error = %e, "copy failed");
                }
            }
            Effect::Mouse(on) => {
                let _ = term.set_mouse(on);
            }
            other => self.run_background(other),
        }
    }

    fn run_background(&mut self, effect: Effect) {
        if self.read_only && effect.is_write() {
            self.refuse_write(effect);
            return;
        }
        match effect {
            Effect::Search {
                seq,
                filter,
                page,
                size,
                sort,
            } => {
                // Paging requests of the same search run beside it; a new search cancels.
                if page == 0
                    && let Some(h) = self.search.take()
                {
                    h.abort();
                }
                let client = self.client.clone();
                let tx = self.tx.clone();
                let req = SearchRequest {
                    filter,
                    page: Some(page),
                    size: Some(size),
                    sort,
                };
                let h = tokio::spawn(async move {
                    let r = client.newday().search(&req).await;
                    let outcome = match r {
                        // A refused search is said in a sentence, not as the raw 400.
                        Err(e) if matches!(e.kind, ErrorKind::Invalid { .. }) => Outcome::err(
                            crate::domain::query::refusal(&e.message),
                            Some(e.correlation_id.clone()),
                        ),
                        r => outcome(r),
                    };
                    let _ = tx.send(Msg::Searched { seq, page, outcome });
                });
                if page == 0 {
                    self.search = Some(h);
                }
            }
            Effect::Directory { seq, page, size } => {
                // As a search: its pages run beside it; a new search or listing cancels.
                if page == 0
                    && let Some(h) = self.search.take()
                {
                    h.abort();
                }
                let (client, tx) = (self.client.clone(), self.tx.clone());
                let h = tokio::spawn(async move {
                    let outcome = directory::list(&client, page, size).await;
                    let _ = tx.send(Msg::Searched { seq, page, outcome });
                });
                if page == 0 {
                    self.search = Some(h);
                }
            }
            Effect::DirectoryIds { seq, count } => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let outcome = directory::all_ids(&client, count).await;
                    let _ = tx.send(Msg::MarkedAll { seq, outcome });
                });
            }
            Effect::LoadCustomer { id } => {
                for h in self.customer.drain(..) {
                    h.abort();
                }
                let c = &self.client;
                let mut parts: Vec<JoinHandle<()>> = vec![
                    extras::customer_then_cards(c, &self.tx, &id),
                    spawn_part(&self.tx, &id, {
                        let c = c.clone();
                        let id = id.clone();
                        async move { extras::partner(c.citi().partner_profile(&id).await) }
                    }),
                    spawn_part(&self.tx, &id, {
                        let c = c.clone();
                        let id = id.clone();
                        async move { extras::bound(c.newday().get_customer_by_token(&id).await) }
                    }),
                ];
                for what in [
                    CustomerRead::Image,
                    CustomerRead::Profile,
                    CustomerRead::ContactMethods,
                    CustomerRead::Alerts,
                    CustomerRead::History,
                ] {
                    parts.push(self.read(&id, what));
                }
                self.customer = parts;
            }
            Effect::Reread { id, parts } => {
                let reads: Vec<JoinHandle<()>> =
                    parts.into_iter().map(|what| self.read(&id, what)).collect();
                self.customer.extend(reads);
            }
            Effect::Copy(_) | Effect::Mouse(_) => {}
            Effect::Outbox { flow } => outbox::read(&self.client, &self.tx, flow),
            Effect::MarkAll { seq, filter, count } => {
                let client = self.client.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Msg::MarkedAll {
                        seq,
                        outcome: all_ids(&client, filter, count).await,
                    });
                });
            }
            Effect::BulkPlan {
                seq,
                items,
                errors,
                source,
            } => {
                let (client, tx, backend) =
                    (self.client.clone(), self.tx.clone(), self.backend.clone());
                tokio::spawn(async move {
                    let result =
                        build_plan(&client, &tx, seq, items, errors, source, backend).await;
                    let _ = tx.send(Msg::BulkPlanned { seq, result });
                });
            }
            Effect::BulkPlanCsv { seq, path } => {
                let (client, tx, backend) =
                    (self.client.clone(), self.tx.clone(), self.backend.clone());
                tokio::spawn(async move {
                    let result = match crate::bulk::csv::parse_file(&path) {
                        Err(e) => Err(format!(
                            "{}: {e}",
                            crate::domain::sanitize::for_display(&path.display().to_string())
                        )),
                        Ok(parsed) => {
                            let source = path.display().to_string();
                            build_plan(
                                &client,
                                &tx,
                                seq,
                                parsed.items,
                                parsed.errors,
                                source,
                                backend,
                            )
                            .await
                        }
                    };
                    let _ = tx.send(Msg::BulkPlanned { seq, result });
                });
            }
            Effect::BulkApply {
                seq,
                plan,
                retry_failed,
            } => {
                let Some(data) = self.data_dir.clone() else {
                    let _ = self.tx.send(Msg::BulkFinished {
                        seq,
                        result: Err("no data directory for the job's journal".into()),
                    });
                    return;
                };
                let (control, rx) = tokio::sync::watch::channel(crate::bulk::apply::Control::Run);
                self.bulk = Some(control);
                let (client, tx, audit, _) = self.write_parts();
                let backend = self.backend.clone();
                tokio::spawn(async move {
                    let jobs = crate::bulk::journal::jobs_dir(&data);
                    let opts = crate::bulk::apply::Options {
                        concurrency: crate::bulk::apply::DEFAULT_CONCURRENCY,
                        retry_failed,
                        mode: if retry_failed {
                            "retry-failed"
                        } else {
                            "apply"
                        }
                        .into(),
                        backend,
                    };
                    let started = std::time::Instant::now();
                    let events = tx.clone();
                    let mut on_event = move |event| {
                        let _ = events.send(Msg::BulkEvent {
                            seq,
                            event,
                            elapsed: started.elapsed(),
                        });
                    };
                    let result = crate::bulk::apply::run_job(
                        &client,
                        &plan,
                        &jobs,
                        Some(audit),
                        &opts,
                        rx,
                        &mut on_event,
                    )
                    .await;
                    let _ = tx.send(Msg::BulkFinished { seq, result });
                });
            }
            Effect::BulkControl(c) => {
                if let Some(control) = &self.bulk {
                    let _ = control.send(c);
                }
            }
            Effect::BulkSavePlan { plan } => {
                let text = match &self.data_dir {
                    None => "no data directory to save the plan in".to_string(),
                    Some(data) => {
                        let dir = data.join("plans");
                        let path = dir.join(format!("{}.plan.json", plan.job_id));
                        match crate::bulk::journal::create_private_dir(&dir)
                            .and_then(|()| crate::bulk::plan::save(&plan, &path))
                        {
                            Ok(()) => format!(
                                "Plan saved: {} (apply it with `custdesk bulk apply {}`)",
                                path.display(),
                                path.display()
                            ),
                            Err(e) => format!("The plan could not be saved: {e}"),
                        }
                    }
                };
                let _ = self.tx.send(Msg::BulkNotice(text));
            }
            Effect::BulkExport { job_id } => {
                let text = match &self.data_dir {
                    None => "no data directory to export to".to_string(),
                    Some(data) => export(data, &job_id),
                };
                let _ = self.tx.send(Msg::BulkNotice(text));
            }
            Effect::Audit {
                customer,
                action,
                detail,
            } => {
                if let Err(e) =
                    self.audit
                        .append(&Entry::new(&self.agent, &customer, &action, scrub(&detail)))
                {
                    tracing::error!(error = %e, "audit log write failed");
                }
            }
            Effect::Record(note) => record(&self.audit, &self.agent, &note),
            Effect::Debounce { seq, after } => {
                if let Some(h) = self.check.take() {
                    h.abort();
                }
                let tx = self.tx.clone();
                self.check = Some(tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = tx.send(Msg::Debounced { seq });
                }));
            }
            Effect::VerifyContact { seq, kind, value } => {
                if let Some(h) = self.check.take() {
                    h.abort();
                }
                let client = self.client.clone();
                let tx = self.tx.clone();
                self.check = Some(tokio::spawn(async move {
                    let r = match kind {
                        ContactKind::Email => client.newday().verify_email(&value).await,
                        ContactKind::Phone => client.newday().verify_phone(&value).await,
                    };
                    let _ = tx.send(Msg::ContactVerified {
                        seq,
                        outcome: outcome(r),
                    });
                }));
            }
            // Writes are never aborted: once sent, their answer is awaited and audited
            // even when the dialog that asked has gone.
            Effect::Write { seq, op, key, note } => {
                self.spawn_write(op, key, note, move |r| Msg::Written {
                    seq,
                    outcome: written(r),
                })
            }
        }
    }

    /// Send a write through [`crate::api::ops`], audit it once with the call's
    /// correlation id, and answer the dialog with `reply`.
    fn spawn_write(
        &self,
        write: WriteOp,
        key: IdempotencyKey,
        note: AuditNote,
        reply: impl FnOnce(Result<Reply<Answer>, ApiError>) -> Msg + Send + 'static,
    ) {
        let (client, tx, audit, agent) = self.write_parts();
        tokio::spawn(async move {
            let r = write.send(&client, &key).await;
            audit_write(&audit, &agent, &note, &r);
            let _ = tx.send(reply(r));
        });
    }

    fn write_parts(&self) -> (Client, UnboundedSender<Msg>, AuditLog, String) {
        (
            self.client.clone(),
            self.tx.clone(),
            self.audit.clone(),
            self.agent.clone(),
        )
    }

    /// Read-only: nothing is sent; the refusal is audited and the dialog told.
    fn refuse_write(&self, effect: Effect) {
        let err = WriteError::new(
            ErrorKind::Forbidden,
            Some("readOnly"),
            "read-only: this console sends no changes",
        );
        if let Effect::BulkApply { seq, plan, .. } = &effect {
            record(
                &self.audit,
                &self.agent,
                &AuditNote {
                    action: "bulk".into(),
                    outcome: format!("refused: read-only (job {})", plan.job_id),
                    ..AuditNote::default()
                },
            );
            let _ = self.tx.send(Msg::BulkFinished {
                seq: *seq,
                result: Err("read-only: this console sends no changes".into()),
            });
            return;
        }
        let Effect::Write { seq, note, .. } = effect else {
            return;
        };
        record(
            &self.audit,
            &self.agent,
            &AuditNote {
                outcome: "refused: read-only".into(),
                ..note
            },
        );
        let _ = self.tx.send(Msg::Written {
            seq,
            outcome: Outcome::failed(err, None),
        });
    }
}

fn spawn_part(
    tx: &UnboundedSender<Msg>,
    id: &str,
    fut: impl Future<Output = Part> + Send + 'static,
) -> JoinHandle<()> {
    let tx = tx.clone();
    let customer_id = id.to_string();
    tokio::spawn(async move {
        let part = fut.await;
        let _ = tx.send(Msg::Loaded { customer_id, part });
    })
}
