//! `bulk plan` and `bulk show`.

use std::path::Path;

use super::{
    BackendArgs, EXIT_INTERRUPTED, EXIT_OK, EXIT_REFUSED, READ_ATTEMPTS, Stop, bar, client_for,
    refuse, say, unless_stopped,
};
use crate::bulk::{Plan, plan};

pub(super) async fn plan_cmd(
    file: &Path,
    output: &Path,
    backend: &BackendArgs,
    (concurrency, quiet): (usize, bool),
    stop: &Stop,
) -> i32 {
    let parsed = match crate::bulk::csv::parse_file(file) {
        Ok(p) => p,
        Err(e) => return refuse(&format!("{}: {e}", file.display())),
    };
    let (client, label) = match client_for(backend, None, READ_ATTEMPTS) {
        Ok(c) => c,
        Err(e) => return refuse(&e),
    };
    let pb = bar(parsed.items.len() as u64, "reading");
    let built = unless_stopped(
        stop,
        plan::build(&client, parsed.items, parsed.errors, concurrency, |n| {
            pb.set_position(n as u64)
        }),
    )
    .await;
    pb.finish_and_clear();
    let mut p = match built {
        Some(Ok(p)) => p,
        Some(Err(e)) => return refuse(&e.to_string()),
        None => {
            say("custdesk bulk: stopped while reading: no plan saved (nothing is sent by a plan)");
            return EXIT_INTERRUPTED;
        }
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

pub(super) fn show(p: &Plan) {
    let _ = plan::render(p, &mut std::io::stdout().lock());
    for e in &p.errors {
        say(&e.to_string());
    }
    say(&plan::summary(p));
}
