//! The append-only audit log: one JSON line per write, refusal or reveal, in the data
//! directory. Values are masked before they get here; tokens and passcodes never do.
//!
//! Every entry names the person (`agent_name` from config.toml, else the login user, and
//! the SSH client address when the session came over SSH) beside the OAuth client the
//! call was made as, and the call's correlation id; a reveal, which makes no call, gets
//! one of its own so it can be quoted back too.

pub mod cli;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The action of an entry that showed a masked value.
pub const REVEAL: &str = "reveal";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// RFC 3339, UTC.
    pub time: String,
    /// The person at the console (see [`Person`]); filled in when the entry is appended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// Where the person was: the SSH client address of a session over SSH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The OAuth client the call was made as (logs written before `person` existed
    /// called it `agent`).
    #[serde(alias = "agent")]
    pub client: String,
    pub customer: String,
    /// The customer reference (CR00000001) when the writer knew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<String>,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// `ok`, `refused: ...`, `error: ...`, or a reveal's reason.
    pub outcome: String,
}

impl Entry {
    /// An entry made as OAuth client `client`; the person is added when it is appended.
    pub fn new(client: &str, customer: &str, action: &str, outcome: impl Into<String>) -> Entry {
        Entry {
            time: chrono::Utc::now()
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string(),
            person: None,
            from: None,
            client: client.to_string(),
            customer: customer.to_string(),
            customer_ref: None,
            action: action.to_string(),
            old: None,
            new: None,
            correlation_id: None,
            outcome: outcome.into(),
        }
    }
}

/// Who is at the console.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// `agent_name` from config.toml, else the login user.
    pub name: String,
    /// The SSH client address when the session came over SSH.
    pub from: Option<String>,
}

impl Person {
    /// The person from a configured name (blank counts as none) and the environment:
    /// the login user (`USER`, else `LOGNAME`, else the home directory's name), the SSH client address
    /// (`SSH_CONNECTION`, else `SSH_CLIENT`).
    pub fn from_env(agent_name: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Person {
        let name = agent_name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .or_else(|| {
                ["USER", "LOGNAME"]
                    .iter()
                    .filter_map(|v| env(v))
                    .find(|u| !u.trim().is_empty())
            })
            .or_else(|| {
                // A service or container without USER: the home directory's name.
                env("HOME").and_then(|h| {
                    std::path::Path::new(&h)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                })
            })
            .unwrap_or_else(|| "unknown user".to_string());
        let from = ["SSH_CONNECTION", "SSH_CLIENT"]
            .iter()
            .filter_map(|v| env(v))
            .find_map(|s| s.split_whitespace().next().map(str::to_string));
        Person { name, from }
    }

    /// This process's person: config.toml's `agent_name` (when the file reads), the
    /// login user otherwise. Found once.
    pub fn current() -> &'static Person {
        static PERSON: OnceLock<Person> = OnceLock::new();
        PERSON.get_or_init(|| {
            let name = crate::config::Paths::discover()
                .and_then(|p| crate::config::load(&p))
                .ok()
                .and_then(|c| c.agent_name);
            Person::from_env(name.as_deref(), |v| std::env::var(v).ok())
        })
    }
}

/// Which entries `read` answers; every filter given must match.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Customer ids (a reference resolves to its id; an entry that recorded the
    /// reference matches it too).
    pub customers: Vec<String>,
    /// A customer reference as the agent quotes it (CR00000001).
    pub customer_ref: Option<String>,
    /// The person or the OAuth client, case-insensitive.
    pub agent: Option<String>,
    /// The action, or the start of it (`update` matches `update_email`).
    pub action: Option<String>,
    /// RFC 3339 UTC lower bound (see [`parse_since`]).
    pub since: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
            && self.customer_ref.is_none()
            && self.agent.is_none()
            && self.action.is_none()
            && self.since.is_none()
    }

    pub fn matches(&self, e: &Entry) -> bool {
        let customer = (self.customers.is_empty() && self.customer_ref.is_none())
            || self.customers.contains(&e.customer)
            || self.customer_ref.as_ref().is_some_and(|r| {
                e.customer_ref
                    .as_ref()
                    .is_some_and(|er| er.eq_ignore_ascii_case(r))
            });
        let agent = self.agent.as_ref().is_none_or(|a| {
            e.client.eq_ignore_ascii_case(a)
                || e.person.as_ref().is_some_and(|p| p.eq_ignore_ascii_case(a))
        });
        let action = self
            .action
            .as_ref()
            .is_none_or(|a| e.action.starts_with(a.as_str()));
        let since = self
            .since
            .as_ref()
            .is_none_or(|s| e.time.as_str() >= s.as_str());
        customer && agent && action && since
    }
}

#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        AuditLog { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one entry as a single line, flushed to disk before returning.
    pub fn append(&self, e: &Entry) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_string(&stamped(e)).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut f = crate::fsutil::private_file()
            .create(true)
            .append(true)
            .open(&self.path)?;
        f.write_all(line.as_bytes())?;
        f.sync_data()
    }

    /// Append several entries in one write; `sync` also flushes them to disk (a bulk
    /// job batches its entries and syncs them periodically and at its end).
    pub fn append_all(&self, entries: &[Entry], sync: bool) -> std::io::Result<()> {
        if entries.is_empty() && !sync {
            return Ok(());
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut buf = String::new();
        for e in entries {
            buf.push_str(&serde_json::to_string(&stamped(e)).map_err(std::io::Error::other)?);
            buf.push('\n');
        }
        let mut f = crate::fsutil::private_file()
            .create(true)
            .append(true)
            .open(&self.path)?;
        f.write_all(buf.as_bytes())?;
        if sync { f.sync_data() } else { Ok(()) }
    }

    /// Entries of `customer` (an id) since `since`, oldest first (see [`AuditLog::read_filtered`]).
    pub fn read(
        &self,
        customer: Option<&str>,
        since: Option<&str>,
    ) -> std::io::Result<(Vec<Entry>, Vec<String>)> {
        self.read_filtered(&Filter {
            customers: customer.map(str::to_string).into_iter().collect(),
            since: since.map(str::to_string),
            ..Filter::default()
        })
    }

    /// Entries matching the filter, oldest first. Unreadable lines are reported, not
    /// dropped silently.
    pub fn read_filtered(&self, filter: &Filter) -> std::io::Result<(Vec<Entry>, Vec<String>)> {
        let f = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((vec![], vec![])),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        let mut bad = Vec::new();
        for (n, line) in BufReader::new(f).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Entry>(&line) {
                Ok(e) if filter.matches(&e) => out.push(e),
                Ok(_) => {}
                Err(err) => bad.push(format!("line {}: {err}", n + 1)),
            }
        }
        Ok((out, bad))
    }
}

/// The entry as written: the person added when the writer did not say, and a reveal
/// (which makes no call, but shows a customer's details) given a correlation id of its
/// own so it can be quoted. A refusal keeps none: nothing was sent.
fn stamped(e: &Entry) -> Entry {
    let mut e = e.clone();
    if e.person.is_none() {
        let p = Person::current();
        e.person = Some(p.name.clone());
        e.from = e.from.or_else(|| p.from.clone());
    }
    if e.correlation_id.is_none() && e.action == REVEAL {
        e.correlation_id = Some(uuid::Uuid::new_v4().to_string());
    }
    e
}

/// Free text (a server's error message) made safe for the audit log: anything shaped
/// like an email address is masked, and digit runs long enough to be a phone, account
/// or passcode are blanked (only a long run keeps its last four).
pub fn scrub(text: &str) -> String {
    let mut out = Vec::new();
    for word in text.split(' ') {
        if word.contains('@') {
            let trimmed = word.trim_matches(|c: char| !c.is_alphanumeric());
            out.push(word.replace(trimmed, &crate::domain::mask::email(trimmed)));
            continue;
        }
        let mut w = String::with_capacity(word.len());
        let mut run = String::new();
        let flush = |run: &mut String, w: &mut String| {
            let n = run.chars().count();
            if n >= 8 {
                w.push_str(&crate::domain::mask::digits(run));
            } else if n >= 6 {
                w.push_str(&"•".repeat(n));
            } else {
                w.push_str(run);
            }
            run.clear();
        };
        for c in word.chars() {
            if c.is_ascii_digit() {
                run.push(c);
            } else {
                flush(&mut run, &mut w);
                w.push(c);
            }
        }
        flush(&mut run, &mut w);
        out.push(w);
    }
    out.join(" ")
}

/// `--since` accepts `today`, `yesterday`, a date (2026-11-21: from local midnight), an
/// RFC 3339 time, or a duration ago like `2h` or `7d`. Answers the UTC lower bound.
pub fn parse_since(s: &str) -> Result<String, String> {
    parse_since_at(s, chrono::Local::now())
}

fn parse_since_at<Tz: chrono::TimeZone>(
    s: &str,
    now: chrono::DateTime<Tz>,
) -> Result<String, String> {
    let utc = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let s = s.trim();
    let midnight = |d: chrono::NaiveDate| -> Result<String, String> {
        let local = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        now.timezone()
            .from_local_datetime(&local)
            .earliest()
            .map(|t| utc(t.with_timezone(&chrono::Utc)))
            .ok_or_else(|| format!("--since '{s}': that midnight does not exist here"))
    };
    let today = now.date_naive();
    match s.to_ascii_lowercase().as_str() {
        "today" => return midnight(today),
        "yesterday" => return midnight(today.pred_opt().unwrap_or(today)),
        _ => {}
    }
    if let Ok(d) = humantime::parse_duration(s) {
        let t = now.with_timezone(&chrono::Utc)
            - chrono::Duration::from_std(d).map_err(|e| e.to_string())?;
        return Ok(utc(t));
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(utc(t.with_timezone(&chrono::Utc)));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return midnight(d);
    }
    Err(format!(
        "--since '{s}': use today, yesterday, a date (2026-11-21), a time (2026-11-21T09:00:00Z) or a duration ago (2h, 7d)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn appends_and_filters() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.log"));
        log.append(&Entry::new("agent", "c1", "reveal", "reason: caller asked"))
            .unwrap();
        log.append(&Entry::new("agent", "c2", "update_email", "ok"))
            .unwrap();
        let (all, bad) = log.read(None, None).unwrap();
        assert_eq!(all.len(), 2);
        assert!(bad.is_empty());
        let only = |f: Filter| log.read_filtered(&f).unwrap().0;
        let c2 = Filter {
            customers: vec!["c2".into()],
            ..Filter::default()
        };
        assert_eq!(only(c2)[0].action, "update_email");
        let later = Filter {
            since: Some("2999-01-01".into()),
            ..Filter::default()
        };
        assert!(only(later).is_empty());
        let update = Filter {
            action: Some("update".into()),
            ..Filter::default()
        };
        assert_eq!(only(update).len(), 1);
        // Every entry names the person; a reveal has a correlation id of its own.
        for e in &all {
            assert_eq!(e.person.as_deref(), Some(Person::current().name.as_str()));
            assert_eq!(e.client, "agent");
        }
        assert_eq!(all[0].correlation_id.as_ref().map(String::len), Some(36));
        assert_eq!(all[1].correlation_id, None, "made no call");
        let by_person = Filter {
            agent: Some(Person::current().name.to_uppercase()),
            ..Filter::default()
        };
        assert_eq!(only(by_person).len(), 2);
        let nobody = Filter {
            agent: Some("nobody-at-all".into()),
            ..Filter::default()
        };
        assert!(only(nobody).is_empty());
    }

    #[test]
    fn old_entries_read_with_their_client_called_agent() {
        let e: Entry = serde_json::from_str(
            r#"{"time":"2026-11-21T09:00:00.000Z","agent":"backoffice","customer":"c1","action":"reveal","outcome":"ok"}"#,
        )
        .unwrap();
        assert_eq!(e.client, "backoffice");
        assert_eq!(e.person, None);
    }

    #[test]
    fn the_person_is_the_configured_name_else_the_login_user_with_the_ssh_address() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let ssh = env(&[
            ("USER", "ada"),
            ("SSH_CONNECTION", "203.0.113.9 52144 10.0.0.5 22"),
        ]);
        assert_eq!(
            Person::from_env(Some("Ada Lovelace (desk 4)"), ssh),
            Person {
                name: "Ada Lovelace (desk 4)".into(),
                from: Some("203.0.113.9".into())
            }
        );
        assert_eq!(Person::from_env(Some("  "), ssh).name, "ada");
        let local = Person::from_env(None, env(&[("LOGNAME", "bob")]));
        assert_eq!((local.name.as_str(), local.from), ("bob", None));
        let old_ssh = Person::from_env(
            None,
            env(&[("USER", "cy"), ("SSH_CLIENT", "198.51.100.7 6000 22")]),
        );
        assert_eq!(old_ssh.from.as_deref(), Some("198.51.100.7"));
        assert_eq!(
            Person::from_env(None, env(&[("HOME", "/home/dee")])).name,
            "dee"
        );
        assert_eq!(Person::from_env(None, env(&[])).name, "unknown user");
    }

    #[test]
    fn since_takes_words_dates_times_and_durations() {
        use chrono::TimeZone;
        let tz = chrono::FixedOffset::east_opt(2 * 3600).unwrap();
        let now = tz.with_ymd_and_hms(2026, 11, 21, 1, 30, 0).unwrap();
        let at = |s: &str| parse_since_at(s, now);
        // Local midnight, in UTC: 21 Nov 00:00 +02:00 is 20 Nov 22:00Z.
        assert_eq!(at("today").unwrap(), "2026-11-20T22:00:00.000Z");
        assert_eq!(at("Yesterday").unwrap(), "2026-11-19T22:00:00.000Z");
        assert_eq!(at("2026-11-01").unwrap(), "2026-10-31T22:00:00.000Z");
        assert_eq!(at("2h").unwrap(), "2026-11-20T21:30:00.000Z");
        assert_eq!(
            at("2026-11-21T09:00:00Z").unwrap(),
            "2026-11-21T09:00:00.000Z"
        );
        let e = at("last tuesday").unwrap_err();
        assert!(e.contains("yesterday") && e.contains("2h"), "{e}");
    }

    #[test]
    fn scrub_masks_contact_details_and_codes() {
        let s = scrub(
            "conflict (409): ada.new@example.org is held; call 07700900999, code 123456, 2 attempts left",
        );
        assert!(
            !s.contains("ada.new") && !s.contains("900999") && !s.contains("123456"),
            "{s}"
        );
        assert!(
            s.contains("a•••@e•••.org")
                && s.contains("•••••••0999,")
                && s.contains("2 attempts left"),
            "{s}"
        );
        assert_eq!(
            scrub("server error (503): down"),
            "server error (503): down"
        );
    }
}
