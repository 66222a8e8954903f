//! The append-only audit log: one JSON line per write, refusal or reveal, in the data
//! directory. Values are masked before they get here; tokens and passcodes never do.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// RFC 3339, UTC.
    pub time: String,
    pub agent: String,
    pub customer: String,
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
    pub fn new(agent: &str, customer: &str, action: &str, outcome: impl Into<String>) -> Entry {
        Entry {
            time: chrono::Utc::now()
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string(),
            agent: agent.to_string(),
            customer: customer.to_string(),
            action: action.to_string(),
            old: None,
            new: None,
            correlation_id: None,
            outcome: outcome.into(),
        }
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
        let mut line = serde_json::to_string(e).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut f = crate::sandbox::logging::private(OpenOptions::new().create(true).append(true))
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
            buf.push_str(&serde_json::to_string(e).map_err(std::io::Error::other)?);
            buf.push('\n');
        }
        let mut f = crate::sandbox::logging::private(OpenOptions::new().create(true).append(true))
            .open(&self.path)?;
        f.write_all(buf.as_bytes())?;
        if sync { f.sync_data() } else { Ok(()) }
    }

    /// Entries matching the filters, oldest first. Unreadable lines are reported, not
    /// dropped silently.
    pub fn read(
        &self,
        customer: Option<&str>,
        since: Option<&str>,
    ) -> std::io::Result<(Vec<Entry>, Vec<String>)> {
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
                Ok(e) => {
                    if customer.is_some_and(|c| c != e.customer)
                        || since.is_some_and(|s| e.time.as_str() < s)
                    {
                        continue;
                    }
                    out.push(e);
                }
                Err(err) => bad.push(format!("line {}: {err}", n + 1)),
            }
        }
        Ok((out, bad))
    }
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
                w.push_str(&crate::domain::mask::phone(run));
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

/// `--since` accepts an RFC 3339 time, a date, or a duration ago like `2h` or `7d`.
pub fn parse_since(s: &str) -> Result<String, String> {
    if let Ok(d) = humantime::parse_duration(s) {
        let t = chrono::Utc::now() - chrono::Duration::from_std(d).map_err(|e| e.to_string())?;
        return Ok(t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(format!("{}T00:00:00.000Z", d.format("%Y-%m-%d")));
    }
    Err(format!(
        "--since '{s}': use a time (2026-11-21T09:00:00Z), a date (2026-11-21) or a duration ago (2h, 7d)"
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
        assert_eq!(
            log.read(Some("c2"), None).unwrap().0[0].action,
            "update_email"
        );
        assert!(log.read(None, Some("2999-01-01")).unwrap().0.is_empty());
        assert!(parse_since("2h").is_ok());
        assert!(parse_since("yesterday").is_err());
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
