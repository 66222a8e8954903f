//! `custdesk audit`: print the audit log, filtered.
//!
//! ```text
//! custdesk audit [--customer ID|CR00000001] [--agent NAME] [--action ACTION]
//!                [--since today|yesterday|2026-11-21|2h] [--json]
//! ```
//!
//! A customer reference is resolved to the customer's id through the embedded
//! sandbox's database in the data directory, or through the backend given with
//! `--backend URL` / `--profile NAME`; entries that recorded the reference match it
//! either way. Colour goes only to a terminal (and never with `NO_COLOR` set).
//!
//! Exit codes: 0 printed (also when nothing matches); 1 the log could not be read;
//! 2 the filters were refused (an unreadable `--since`, a reference found nowhere).

use std::io::{IsTerminal, Write};

use clap::Args;
use crossterm::style::Stylize;

use super::{AuditLog, Entry, Filter, parse_since};
use crate::config::Paths;
use crate::domain::sanitize::for_display;

pub const EXIT_OK: i32 = 0;
pub const EXIT_UNREADABLE: i32 = 1;
pub const EXIT_REFUSED: i32 = 2;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this customer's entries: the id, or the reference an agent quotes (CR00000001).
    #[arg(long, value_name = "ID|REF")]
    pub customer: Option<String>,
    /// Only entries by this person (agent_name or login user) or OAuth client.
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,
    /// Only this action, or actions starting with it (`update` matches update_email).
    #[arg(long)]
    pub action: Option<String>,
    /// Only entries since: today, yesterday, a date (2026-11-21), a time (RFC 3339) or
    /// a duration ago (2h, 7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Look a customer reference up on this backend (a sandbox-shaped deployment).
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,
    /// Look it up through this profile of config.toml instead.
    #[arg(long, value_name = "NAME", conflicts_with = "backend")]
    pub profile: Option<String>,
}

/// Run `custdesk audit`; answers the exit code.
pub fn main(args: AuditArgs) -> i32 {
    let fail = |code: i32, s: &str| {
        let _ = writeln!(std::io::stderr(), "custdesk audit: {s}");
        code
    };
    let paths = match Paths::discover() {
        Ok(p) => p,
        Err(e) => return fail(EXIT_REFUSED, &e),
    };
    let since = match args.since.as_deref().map(parse_since).transpose() {
        Ok(s) => s,
        Err(e) => return fail(EXIT_REFUSED, &e),
    };
    let mut filter = Filter {
        agent: args.agent.clone(),
        action: args.action.clone(),
        since,
        ..Filter::default()
    };
    let mut unresolved = None;
    if let Some(c) = args.customer.as_deref().map(str::trim) {
        if is_reference(c) {
            let r = c.to_ascii_uppercase();
            match resolve(&paths, &r, &args) {
                Ok(ids) => filter.customers = ids,
                Err(why) => unresolved = Some(why),
            }
            filter.customer_ref = Some(r);
        } else {
            filter.customers = vec![c.to_string()];
        }
    }
    let log = AuditLog::new(paths.audit_log());
    let (entries, bad) = match log.read_filtered(&filter) {
        Ok(r) => r,
        Err(e) => return fail(EXIT_UNREADABLE, &format!("{}: {e}", log.path().display())),
    };
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = std::io::stdout().lock();
    for e in &entries {
        let line = if args.json {
            serde_json::to_string(e).unwrap_or_default()
        } else {
            table_line(e, colour)
        };
        if writeln!(out, "{line}").is_err() {
            // A closed pipe (`| head`) ends the listing, not in a panic.
            return EXIT_OK;
        }
    }
    for b in &bad {
        let _ = writeln!(
            std::io::stderr(),
            "custdesk audit: {} has an unreadable {b}",
            log.path().display()
        );
    }
    if entries.is_empty() {
        if let Some(why) = unresolved {
            return fail(EXIT_REFUSED, &why);
        }
        if bad.is_empty() {
            let _ = writeln!(
                std::io::stderr(),
                "no audit entries{}",
                if filter.is_empty() { " yet" } else { " match" }
            );
        }
    }
    EXIT_OK
}

/// `2026-11-21T09:00:00.000Z  ada@203.0.113.9 (agent)  CR00000001  update_email  a•••@e•••.org -> ...  ok  corr ...`
fn table_line(e: &Entry, colour: bool) -> String {
    let clean = |s: &str| for_display(s).into_owned();
    let who = match (&e.person, &e.from) {
        (Some(p), Some(f)) => format!("{}@{} ({})", clean(p), clean(f), clean(&e.client)),
        (Some(p), None) => format!("{} ({})", clean(p), clean(&e.client)),
        (None, _) => format!("? ({})", clean(&e.client)),
    };
    let customer = match &e.customer_ref {
        Some(r) => format!("{} {}", clean(r), clean(&e.customer)),
        None => clean(&e.customer),
    };
    let outcome = clean(&e.outcome);
    let outcome = if !colour {
        outcome
    } else if outcome == "ok" || outcome.starts_with("ok ") {
        outcome.green().to_string()
    } else if outcome.starts_with("error") || outcome.starts_with("refused") {
        outcome.red().to_string()
    } else {
        outcome
    };
    format!(
        "{}  {:<24} {:<32} {:<18} {} -> {}  {}  corr {}",
        e.time,
        who,
        customer,
        clean(&e.action),
        clean(e.old.as_deref().unwrap_or("-")),
        clean(e.new.as_deref().unwrap_or("-")),
        outcome,
        clean(e.correlation_id.as_deref().unwrap_or("-")),
    )
}

/// `CR` and digits: the reference an agent quotes.
fn is_reference(s: &str) -> bool {
    s.len() > 2 && s[..2].eq_ignore_ascii_case("CR") && s[2..].bytes().all(|b| b.is_ascii_digit())
}

/// The ids of the customer with reference `r`: from the backend when one is named,
/// else from the embedded sandbox's database in the data directory.
fn resolve(paths: &Paths, r: &str, args: &AuditArgs) -> Result<Vec<String>, String> {
    if args.backend.is_some() || args.profile.is_some() {
        return resolve_remote(r, args);
    }
    let db = paths.sandbox_db();
    if !db.exists() {
        return Err(format!(
            "{r}: no sandbox database at {} to look the reference up in, and no entry recorded it: pass --backend URL (or --profile NAME), or the customer id",
            db.display()
        ));
    }
    let found = rusqlite::Connection::open_with_flags(
        &db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|c| {
        c.busy_timeout(std::time::Duration::from_secs(2))?;
        let mut st = c.prepare("SELECT id FROM customers WHERE customer_ref = ?1")?;
        st.query_map([r], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()
    })
    .map_err(|e| format!("{}: {e}", db.display()))?;
    if found.is_empty() {
        return Err(format!(
            "{r}: no such customer in the sandbox at {} and no entry recorded it",
            db.display()
        ));
    }
    Ok(found)
}

fn resolve_remote(r: &str, args: &AuditArgs) -> Result<Vec<String>, String> {
    let (client, label) =
        crate::bulk::cli::client(args.backend.as_deref(), args.profile.as_deref())?;
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let request = crate::api::wire::newday::SearchRequest {
        filter: crate::api::wire::newday::SearchFilter {
            customer_ref: Some(r.to_string()),
            ..Default::default()
        },
        ..Default::default()
    };
    let found = rt
        .block_on(client.newday().search(&request))
        .map_err(|e| format!("looking {r} up on {label}: {e}"))?;
    let ids: Vec<String> = found.value.values.into_iter().map(|c| c.id).collect();
    if ids.is_empty() {
        return Err(format!(
            "{r}: no such customer on {label} and no entry recorded it"
        ));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_told_from_ids() {
        assert!(is_reference("CR00000001"));
        assert!(is_reference("cr12"));
        assert!(!is_reference("0123456789abcdef0123456789abcdef"));
        assert!(!is_reference("CR"));
        assert!(!is_reference("CRx1"));
    }

    #[test]
    fn piped_lines_carry_no_escapes() {
        let mut e = Entry::new("agent", "c1", "update_email", "error: server error (503)");
        e.person = Some("Ada".into());
        e.from = Some("203.0.113.9".into());
        e.customer_ref = Some("CR00000001".into());
        let plain = table_line(&e, false);
        assert!(!plain.contains('\u{1b}'), "{plain:?}");
        assert!(plain.contains("Ada@203.0.113.9 (agent)") && plain.contains("CR00000001"));
        assert!(table_line(&e, true).contains('\u{1b}'));
    }
}
