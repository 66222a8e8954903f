//! The bulk edit's background work for the console: every id of a search (mark all),
//! a plan read from the backend with its progress, and a job's results exported.

use tokio::sync::mpsc::UnboundedSender;

use crate::api::Client;
use crate::api::wire::newday::SearchRequest;
use crate::tui::msg::{Msg, Outcome};

/// Every id a search matches (at most `count`), a page of 100 at a time.
pub(super) async fn all_ids(
    client: &Client,
    filter: crate::api::wire::newday::SearchFilter,
    count: u64,
) -> Outcome<Vec<String>> {
    let mut ids = Vec::new();
    let mut correlation = None;
    for page in 0.. {
        let req = SearchRequest {
            filter: filter.clone(),
            page: Some(page),
            size: Some(100),
            sort: Some("familyName".into()),
        };
        match client.newday().search(&req).await {
            Ok(r) => {
                correlation = Some(r.correlation_id.clone());
                let n = r.value.values.len();
                ids.extend(r.value.values.into_iter().map(|c| c.id));
                if n == 0 || ids.len() as u64 >= count.min(r.value.count) {
                    break;
                }
            }
            Err(e) => return Outcome::err(e.to_string(), Some(e.correlation_id.clone())),
        }
    }
    // Pages of a search sorted on a key that is not unique may repeat a customer.
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    Outcome {
        result: Ok(ids),
        correlation_id: correlation,
    }
}

/// Write a job's results beside its journal; what happened, in words.
pub(super) fn export(data: &std::path::Path, job_id: &str) -> String {
    let jobs = crate::bulk::journal::jobs_dir(data);
    let info = match crate::bulk::jobs::job_info(&jobs, job_id) {
        Ok(i) => i,
        Err(e) => return format!("The results could not be read: {e}"),
    };
    let path = jobs.join(format!("{job_id}-results.csv"));
    let written = crate::bulk::journal::private_file()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .map_err(|e| e.to_string())
        .and_then(|f| {
            crate::bulk::jobs::export_csv(&info.plan, &info.journal, f, false)
                .map_err(|e| e.to_string())
        });
    match written {
        Ok(n) => format!("{n} results exported to {}", path.display()),
        Err(e) => format!("The results could not be exported: {e}"),
    }
}

/// Read every item's current value into a plan, reporting progress every 25 reads.
pub(super) async fn build_plan(
    client: &Client,
    tx: &UnboundedSender<Msg>,
    seq: u64,
    items: Vec<crate::bulk::Item>,
    errors: Vec<crate::bulk::PlanError>,
    source: String,
    backend: String,
) -> Result<crate::bulk::Plan, String> {
    let total = items.len();
    let mut p = crate::bulk::plan::build(
        client,
        items,
        errors,
        crate::bulk::apply::DEFAULT_CONCURRENCY,
        |done| {
            if done % 25 == 0 || done == total {
                let _ = tx.send(Msg::BulkPlanProgress { seq, done, total });
            }
        },
    )
    .await
    .map_err(|e| format!("The plan could not be read: {}", e.0))?;
    p.source = Some(source);
    p.backend = Some(backend);
    Ok(p)
}
