//! Building a plan: read each customer's current value from the backend so the plan
//! shows old and new side by side (and marks items that would change nothing), then
//! save it as a JSON file someone else can apply later.

use std::io::Write;
use std::path::Path;

use futures::StreamExt;
use sha2::{Digest, Sha256};

use super::{Action, Item, PLAN_FORMAT, Plan, PlanError, relay_national};
use crate::api::{ApiError, Client, ErrorKind, UserIdType};
use crate::domain::{mask, sanitize::for_display, validate};

/// Why no plan could be built at all (as opposed to rows in error).
#[derive(Debug, thiserror::Error)]
#[error("cannot read current values from the backend: {0}")]
pub struct BuildError(pub ApiError);

/// Whether a read failure says something about the backend as a whole rather than one
/// row: stop at once instead of reporting it on every row.
fn fatal(e: &ApiError) -> bool {
    matches!(
        e.kind,
        ErrorKind::Unauthenticated | ErrorKind::Forbidden | ErrorKind::Unreachable
    )
}

/// What reading one item's current value found.
struct Read {
    name: Option<String>,
    old: Option<String>,
    unchanged: bool,
}

fn name_of(first: &str, last: &str) -> String {
    format!("{first} {last}")
}

async fn read_one(client: &Client, item: &Item) -> Result<Read, ApiError> {
    let Some(cid) = item.customer_id.as_deref() else {
        return Ok(Read {
            name: None,
            old: None,
            unchanged: false,
        });
    };
    let who = client.banking().get(cid).await?.value;
    let name = Some(name_of(&who.first_name, &who.last_name));
    let (old, unchanged) = match &item.edit {
        Action::SetEmail { email } => (
            who.email.as_deref().map(mask::email),
            who.email.as_deref() == Some(email.as_str()),
        ),
        Action::SetPhone { phone } => (
            who.phone.as_deref().map(mask::phone_international),
            who.phone.as_deref() == Some(phone.as_str()),
        ),
        Action::Delete => (name.clone(), false),
        Action::Create { .. } => (None, false),
        Action::Subscribe { alert_code, .. } | Action::Unsubscribe { alert_code } => {
            let (channel, threshold) = match &item.edit {
                Action::Subscribe {
                    channel, threshold, ..
                } => (Some(channel), *threshold),
                _ => (None, None),
            };
            let alerts = client.citi().alerts(cid, None).await?.value.alerts;
            let Some(a) = alerts.iter().find(|a| &a.alert_code == alert_code) else {
                return Err(ApiError {
                    kind: ErrorKind::Invalid {
                        field: Some("alert_code".into()),
                    },
                    family: crate::api::Family::Citi,
                    status: None,
                    code: None,
                    message: format!("{alert_code} is not an alert offered to this customer"),
                    correlation_id: String::new(),
                    attempts: 0,
                });
            };
            let enrolled = a.alert_status == "ENROLLED";
            let old = if enrolled {
                match (&a.channel, &a.threshold) {
                    (Some(c), Some(t)) => format!("{alert_code} by {c} (threshold {})", t.amount),
                    (Some(c), None) => format!("{alert_code} by {c}"),
                    _ => format!("{alert_code} subscribed"),
                }
            } else {
                format!("{alert_code} not subscribed")
            };
            let same = match channel {
                None => !enrolled,
                Some(ch) => {
                    enrolled
                        && a.channel.as_ref() == Some(ch)
                        && match (threshold, &a.threshold) {
                            (None, None) => true,
                            (Some(t), Some(o)) => (t - o.amount).abs() < 0.005,
                            _ => false,
                        }
                }
            };
            (Some(old), same)
        }
        Action::AddPhone {
            phone_number,
            country_code,
            ..
        }
        | Action::StopConsent {
            phone_number,
            country_code,
            ..
        } => {
            let consent = item.edit.consent().unwrap_or("stop");
            let cc = country_code.as_deref().unwrap_or("1");
            let national = relay_national(phone_number, country_code.as_deref());
            let methods = client
                .candescent()
                .contact_methods(cid, UserIdType::CustomerId)
                .await?
                .value
                .contact_methods;
            let found = methods.iter().find(|m| {
                m.protocol != "EMAIL"
                    && m.telephone_country_code
                        .as_ref()
                        .is_some_and(|c| c.to_string() == cc)
                    && relay_national(&m.contact_info.to_string(), Some(cc)) == national
            });
            match found {
                Some(m) => {
                    let old_consent = m.consent_type.clone().unwrap_or_else(|| "unknown".into());
                    (
                        Some(format!(
                            "{} consent {old_consent}",
                            mask::phone_in(cc, phone_number)
                        )),
                        old_consent == consent,
                    )
                }
                None => (Some("not on file".into()), false),
            }
        }
    };
    Ok(Read {
        name,
        old,
        unchanged,
    })
}

/// The current value of each item listed in `which`, `concurrency` reads at a time;
/// `progress` is told how many have settled. A read the client gave up on for a
/// transient reason (rate limited, a server error) says nothing about the customer: it
/// is made once more after the others, when the burst is over. A failure that concerns
/// the backend as a whole stops everything.
async fn read_each(
    client: &Client,
    items: &[Item],
    which: Vec<usize>,
    concurrency: usize,
    progress: &mut (impl FnMut(usize) + Send),
) -> Result<Vec<(usize, Result<Read, ApiError>)>, BuildError> {
    let mut out = Vec::with_capacity(which.len());
    let mut todo = which;
    for last_pass in [false, true] {
        let mut again = Vec::new();
        let batch = std::mem::take(&mut todo);
        // Boxed as Send, so a caller can spawn the work on a runtime.
        let mut reads = futures::stream::iter(batch.iter().map(|i| (*i, &items[*i])))
            .map(|(i, item)| async move { (i, read_one(client, item).await) })
            .buffer_unordered(concurrency.max(1))
            .boxed();
        while let Some((i, r)) = reads.next().await {
            match &r {
                Err(e) if e.is_transient() && !last_pass => {
                    again.push(i);
                    continue;
                }
                Err(e) if fatal(e) => return Err(BuildError(e.clone())),
                _ => {}
            }
            out.push((i, r));
            progress(out.len());
        }
        todo = again;
        if todo.is_empty() {
            break;
        }
    }
    Ok(out)
}

/// Build a plan from checked items: read every customer's current value (`concurrency`
/// reads at a time), turning a missing customer or an alert not offered into a row
/// error. `progress` is called after each read.
pub async fn build(
    client: &Client,
    items: Vec<Item>,
    mut errors: Vec<PlanError>,
    concurrency: usize,
    mut progress: impl FnMut(usize) + Send,
) -> Result<Plan, BuildError> {
    let mut plan = Plan::new();
    plan.created_by = Some(client.client_id().to_string());
    let mut found: Vec<Option<Result<Read, ApiError>>> = (0..items.len()).map(|_| None).collect();
    for (i, r) in read_each(
        client,
        &items,
        (0..items.len()).collect(),
        concurrency,
        &mut progress,
    )
    .await?
    {
        found[i] = Some(r);
    }
    for (item, r) in items.into_iter().zip(found) {
        match r.expect("every item was read") {
            Ok(read) => plan.items.push(Item {
                name: read.name,
                old: read.old,
                unchanged: read.unchanged,
                ..item
            }),
            Err(e) => errors.push(PlanError {
                line: item.line,
                column: Some(match (&e.kind, e.field()) {
                    (ErrorKind::NotFound, _) => "customer_id".to_string(),
                    (_, Some(f)) => f.to_string(),
                    _ => "customer_id".to_string(),
                }),
                message: match e.kind {
                    ErrorKind::NotFound => "no such customer".to_string(),
                    ErrorKind::Invalid { .. } if e.status.is_none() => e.message,
                    _ => format!("the current value could not be read: {e}"),
                },
            }),
        }
    }
    errors.sort_by_key(|e| e.line);
    plan.errors = errors;
    Ok(plan)
}

/// An item whose customer changed after the plan was made.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// Index of the item in the plan.
    pub index: usize,
    /// The current value the plan showed (masked).
    pub planned: Option<String>,
    /// What the backend holds now (masked), or why it could not be read.
    pub now: String,
}

/// Read every item's current value again, for a plan saved earlier and applied now:
/// the items whose customer no longer holds what the plan showed, in plan order. A
/// failure that concerns the backend as a whole (sign-in, scope, unreachable) is an
/// error.
pub async fn drift(
    client: &Client,
    plan: &Plan,
    concurrency: usize,
    mut progress: impl FnMut(usize) + Send,
) -> Result<Vec<Drift>, BuildError> {
    let with_customer = (0..plan.items.len())
        .filter(|i| plan.items[*i].customer_id.is_some())
        .collect();
    let mut out = Vec::new();
    for (i, r) in read_each(
        client,
        &plan.items,
        with_customer,
        concurrency,
        &mut progress,
    )
    .await?
    {
        let planned = plan.items[i].old.clone();
        let now = match r {
            Ok(read) if read.old == planned => continue,
            Ok(read) => read.old.unwrap_or_else(|| "(none)".into()),
            Err(e) if e.kind == ErrorKind::NotFound => "no such customer".into(),
            Err(e) => format!("could not be read: {e}"),
        };
        out.push(Drift {
            index: i,
            planned,
            now,
        });
    }
    out.sort_by_key(|d| d.index);
    Ok(out)
}

/// Why a plan file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a bulk plan: {message}")]
    Invalid { path: String, message: String },
}

/// Save a plan (written beside and renamed into place, so a reader never sees half).
pub fn save(plan: &Plan, path: &Path) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp~");
    {
        let file = super::journal::private_file()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        let mut f = std::io::BufWriter::new(file);
        serde_json::to_writer_pretty(&mut f, plan).map_err(std::io::Error::other)?;
        f.write_all(b"\n")?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// Load and check a plan file.
pub fn load(path: &Path) -> Result<Plan, LoadError> {
    let p = path.display().to_string();
    let text = std::fs::read(path).map_err(|source| LoadError::Io {
        path: p.clone(),
        source,
    })?;
    let invalid = |message: String| LoadError::Invalid {
        path: p.clone(),
        message,
    };
    let plan: Plan = serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
    if plan.format != PLAN_FORMAT {
        return Err(invalid(format!(
            "format '{}' is not {PLAN_FORMAT}",
            plan.format
        )));
    }
    if plan.job_id.is_empty()
        || !plan
            .job_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(invalid("job_id must be letters, digits and hyphens".into()));
    }
    let mut ids = std::collections::HashSet::new();
    for (n, item) in plan.items.iter().enumerate() {
        if !ids.insert(item.id.as_str()) {
            return Err(invalid(format!("item {n}: id '{}' repeats", item.id)));
        }
        match (&item.edit, &item.customer_id) {
            (Action::Create { .. }, None) => {}
            (Action::Create { .. }, Some(_)) => {
                return Err(invalid(format!(
                    "item {}: create takes no customer_id",
                    item.id
                )));
            }
            (_, Some(cid)) => {
                validate::customer_id("customer_id", cid)
                    .map_err(|e| invalid(format!("item {}: {e}", item.id)))?;
            }
            (_, None) => {
                return Err(invalid(format!("item {}: customer_id is missing", item.id)));
            }
        }
    }
    Ok(plan)
}

/// The SHA-256 of a plan's content, recorded in the journal so a different plan
/// carrying the same job id is refused.
pub fn fingerprint(plan: &Plan) -> String {
    let bytes = serde_json::to_vec(plan).expect("a plan serialises");
    format!("{:x}", Sha256::digest(&bytes))
}

/// The plan as a table: each customer, old and new value (masked), then the errors.
pub fn render(plan: &Plan, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<6} {:<32}  {:<24} {:<13} {:<30}    NEW",
        "LINE", "CUSTOMER", "NAME", "ACTION", "OLD"
    )?;
    for item in &plan.items {
        let name = for_display(item.name.as_deref().unwrap_or("-")).into_owned();
        let name: String = name.chars().take(24).collect();
        writeln!(
            out,
            "{:<6} {:<32}  {:<24} {:<13} {:<30} -> {}{}",
            item.line
                .map(|l| l.to_string())
                .unwrap_or_else(|| item.id.clone()),
            item.customer_id.as_deref().unwrap_or("(new)"),
            name,
            item.edit.name(),
            for_display(item.old.as_deref().unwrap_or("-")),
            for_display(&item.new),
            if item.unchanged { "  (no change)" } else { "" }
        )?;
    }
    Ok(())
}

/// One line about the plan: counts, deletes, errors.
pub fn summary(plan: &Plan) -> String {
    let unchanged = plan.items.len() - plan.to_send();
    let mut s = format!("job {}: {} items to send", plan.job_id, plan.to_send());
    if unchanged > 0 {
        s.push_str(&format!(", {unchanged} already as planned"));
    }
    if plan.deletes() > 0 {
        s.push_str(&format!(", {} deletes", plan.deletes()));
    }
    if !plan.errors.is_empty() {
        s.push_str(&format!(", {} rows in error", plan.errors.len()));
    }
    s
}
