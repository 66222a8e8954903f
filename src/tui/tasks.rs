//! Runs effects: background calls that report back as messages and never touch state.
//! A newer search aborts the older one; opening another customer aborts the previous
//! customer's loads.

use std::io::Write;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::effect::Effect;
use super::msg::{Msg, Outcome, Part};
use super::term::Term;
use crate::api::wire::newday::SearchRequest;
use crate::api::{ApiError, Client, Reply, UserIdType};
use crate::audit::{AuditLog, Entry};

pub struct Runner {
    client: Client,
    tx: UnboundedSender<Msg>,
    audit: AuditLog,
    agent: String,
    search: Option<JoinHandle<()>>,
    customer: Vec<JoinHandle<()>>,
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
        }
    }

    pub fn run<W: Write>(&mut self, effect: Effect, term: &mut Term<W>) {
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
                    let _ = tx.send(Msg::Searched {
                        seq,
                        page,
                        outcome: outcome(r),
                    });
                });
                if page == 0 {
                    self.search = Some(h);
                }
            }
            Effect::LoadCustomer { id } => {
                for h in self.customer.drain(..) {
                    h.abort();
                }
                let c = &self.client;
                let parts: Vec<JoinHandle<()>> = vec![
                    spawn_part(&self.tx, &id, {
                        let c = c.clone();
                        let id = id.clone();
                        async move { Part::Customer(outcome(c.newday().get_customer(&id).await)) }
                    }),
                    spawn_part(&self.tx, &id, {
                        let c = c.clone();
                        let id = id.clone();
                        async move { Part::Profile(outcome(c.citi().profile(&id).await)) }
                    }),
                    spawn_part(&self.tx, &id, {
                        let c = c.clone();
                        let id = id.clone();
                        async move {
                            Part::Contacts(outcome(
                                c.candescent()
                                    .contact_methods(&id, UserIdType::CustomerId)
                                    .await,
                            ))
                        }
                    }),
                    spawn_part(&self.tx, &id, {
                        let c = c.clone();
                        let id = id.clone();
                        async move { Part::Alerts(outcome(c.citi().alerts(&id, None).await)) }
                    }),
                    spawn_part(&self.tx, &id, {
                        let c = c.clone();
                        let id = id.clone();
                        async move {
                            Part::History(outcome(
                                c.citi().alert_history(&id, None, Some(20)).await,
                            ))
                        }
                    }),
                ];
                self.customer = parts;
            }
            Effect::Copy(text) => {
                if let Err(e) = term.copy(&text) {
                    tracing::warn!(error = %e, "copy failed");
                }
            }
            Effect::Mouse(on) => {
                let _ = term.set_mouse(on);
            }
            Effect::Audit {
                customer,
                action,
                detail,
            } => {
                if let Err(e) =
                    self.audit
                        .append(&Entry::new(&self.agent, &customer, &action, detail))
                {
                    tracing::error!(error = %e, "audit log write failed");
                }
            }
        }
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
