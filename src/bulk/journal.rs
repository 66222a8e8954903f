//! The journal of a bulk job: `<data dir>/jobs/<job-id>.journal`, append-only NDJSON,
//! beside a copy of the plan (`<job-id>.plan.json`).
//!
//! Records (`t` tells which):
//! - `start`: a run began (apply, resume or retry), by which process and client;
//! - `sending`: item `i`, generation `g` is about to be sent. It is on disk (fsync)
//!   before the request leaves;
//! - `answer`: how the item ended; written after each answer and flushed right away;
//! - `stop`: a run ended (finished, cancelled, or a journal error).
//!
//! On resume the last record of each item tells its state: no record is pending,
//! `sending` without an answer is in doubt and is sent again with the same key (so the
//! server replays if it had applied it), an answer is final until failed items are
//! retried.
//!
//! Writes go through one thread that groups every record waiting into one `write` and
//! one `fdatasync` (group commit), so many items in flight share each disk flush. A
//! process killed mid-write leaves at most a torn last line, which is dropped on open.
//! The journal file is locked while a run holds it: two processes never apply one job.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::Outcome;
use super::failures::Failures;
use crate::audit::{AuditLog, Entry};

/// The jobs directory under the data directory.
pub fn jobs_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("jobs")
}

/// Create the jobs directory readable by its owner only: plans and journals hold the
/// new values (emails, phones) in full.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Open options for a file only its owner reads (kept here for the job files' other
/// writers, the plan and the console's saved plans).
pub use crate::fsutil::private_file;

pub fn journal_path(jobs: &Path, job_id: &str) -> PathBuf {
    jobs.join(format!("{job_id}.journal"))
}

pub fn plan_path(jobs: &Path, job_id: &str) -> PathBuf {
    jobs.join(format!("{job_id}.plan.json"))
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Record {
    Start {
        at: String,
        pid: u32,
        client: String,
        backend: String,
        /// `apply`, `resume` or `retry-failed`.
        mode: String,
        /// SHA-256 of the plan file applied, so another plan with this job id is refused.
        plan_sha: String,
    },
    Sending {
        i: usize,
        g: u32,
    },
    Answer {
        i: usize,
        g: u32,
        outcome: Outcome,
    },
    Stop {
        at: String,
        /// `finished`, `cancelled`, or what went wrong.
        reason: String,
    },
}

/// Where one item stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ItemState {
    /// Never sent.
    #[default]
    Pending,
    /// Sent (or about to be) without a recorded answer: may or may not be applied.
    InDoubt { g: u32 },
    /// Answered.
    Answered { g: u32, outcome: Outcome },
}

/// A job as its journal tells it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobState {
    pub items: Vec<ItemState>,
    /// Runs started.
    pub runs: usize,
    /// When the first run started.
    pub started: Option<String>,
    pub plan_sha: Option<String>,
    /// The backend the last run talked to.
    pub backend: Option<String>,
    /// How the last run ended (`None`: it did not say, i.e. it was killed or is running).
    pub last_stop: Option<String>,
}

/// Counts of a job's items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub applied: usize,
    pub failed: usize,
    pub pending: usize,
    pub in_doubt: usize,
    pub unchanged: usize,
}

impl Counts {
    /// Items with nothing more to do in a plain resume.
    pub fn settled(&self) -> usize {
        self.applied + self.failed + self.unchanged
    }
    /// Items a plain resume would send.
    pub fn left(&self) -> usize {
        self.pending + self.in_doubt
    }
}

impl JobState {
    pub fn new(items: usize) -> JobState {
        JobState {
            items: vec![ItemState::Pending; items],
            ..JobState::default()
        }
    }

    pub fn record(&mut self, r: &Record) -> Result<(), String> {
        let check = |i: usize, n: usize| {
            if i < n {
                Ok(())
            } else {
                Err(format!("item {i} is not in the plan ({n} items)"))
            }
        };
        match r {
            Record::Start {
                at,
                plan_sha,
                backend,
                ..
            } => {
                self.runs += 1;
                self.backend = Some(backend.clone());
                self.started.get_or_insert_with(|| at.clone());
                self.plan_sha = Some(plan_sha.clone());
                self.last_stop = None;
            }
            Record::Sending { i, g } => {
                check(*i, self.items.len())?;
                self.items[*i] = ItemState::InDoubt { g: *g };
            }
            Record::Answer { i, g, outcome } => {
                check(*i, self.items.len())?;
                self.items[*i] = ItemState::Answered {
                    g: *g,
                    outcome: outcome.clone(),
                };
            }
            Record::Stop { reason, .. } => self.last_stop = Some(reason.clone()),
        }
        Ok(())
    }

    /// Counts, with `unchanged` telling which plan items are never sent.
    pub fn counts(&self, unchanged: &[bool]) -> Counts {
        let mut c = Counts {
            total: self.items.len(),
            ..Counts::default()
        };
        for (s, u) in self.items.iter().zip(unchanged) {
            match s {
                _ if *u => c.unchanged += 1,
                ItemState::Pending => c.pending += 1,
                ItemState::InDoubt { .. } => c.in_doubt += 1,
                ItemState::Answered { outcome, .. } if outcome.is_applied() => c.applied += 1,
                ItemState::Answered { .. } => c.failed += 1,
            }
        }
        c
    }
}

impl JobState {
    /// The job's failed items (of its last answers).
    pub fn failures(&self) -> Failures {
        Failures::of(self.items.iter().filter_map(|s| match s {
            ItemState::Answered { outcome, .. } => Some(outcome),
            _ => None,
        }))
    }
}

/// Why a journal could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0} is in use: another custdesk process is applying this job")]
    Busy(PathBuf),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path} line {line}: {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Read a journal for a plan of `items` items. Returns the state and the length of the
/// whole lines (a torn last line, left by a process killed mid-write, is not counted).
pub fn read(path: &Path, items: usize) -> Result<(JobState, u64), OpenError> {
    let io_err = |source| OpenError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    match File::open(path) {
        Ok(mut f) => {
            f.read_to_end(&mut bytes).map_err(io_err)?;
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(e)),
    }
    let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    let mut state = JobState::new(items);
    for (n, line) in bytes[..whole].split(|b| *b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let corrupt = |message: String| OpenError::Corrupt {
            path: path.to_path_buf(),
            line: n + 1,
            message,
        };
        let rec: Record = serde_json::from_slice(line).map_err(|e| corrupt(e.to_string()))?;
        state.record(&rec).map_err(corrupt)?;
    }
    Ok((state, whole as u64))
}

/// Whether another process holds the journal (a run in progress).
pub fn is_busy(path: &Path) -> bool {
    match OpenOptions::new().read(true).open(path) {
        Ok(f) => matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

enum Msg {
    Line {
        bytes: Vec<u8>,
        audit: Option<Box<Entry>>,
        ack: Option<tokio::sync::oneshot::Sender<Result<(), String>>>,
    },
    Flush(tokio::sync::oneshot::Sender<Result<(), String>>),
}

/// An open journal: the writer thread and its lock.
pub struct Journal {
    tx: Option<mpsc::Sender<Msg>>,
    thread: Option<std::thread::JoinHandle<()>>,
    error: Arc<Mutex<Option<String>>>,
    path: PathBuf,
}

/// How often audit entries written by a run reach the disk (they are written to the
/// file, so a killed process loses none; only a machine crash could).
const AUDIT_SYNC_EVERY: Duration = Duration::from_secs(1);

impl Journal {
    /// Open (creating) the journal of a plan of `items` items, lock it, drop a torn
    /// last line, and answer its state. Audit entries given with answers go to `audit`.
    pub fn open(
        path: &Path,
        items: usize,
        audit: Option<AuditLog>,
    ) -> Result<(Journal, JobState), OpenError> {
        let io_err = |source| OpenError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            create_private_dir(dir).map_err(io_err)?;
        }
        let mut file = private_file()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(OpenError::Busy(path.to_path_buf()));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_err(e)),
        }
        let (state, whole) = read(path, items)?;
        let len = file.metadata().map_err(io_err)?.len();
        if len != whole {
            file.set_len(whole).map_err(io_err)?;
            file.sync_data().map_err(io_err)?;
        }
        file.seek(io::SeekFrom::End(0)).map_err(io_err)?;
        let (tx, rx) = mpsc::channel();
        let error = Arc::new(Mutex::new(None));
        let err2 = error.clone();
        let thread = std::thread::Builder::new()
            .name("bulk-journal".into())
            .spawn(move || writer(file, rx, audit, err2))
            .map_err(io_err)?;
        Ok((
            Journal {
                tx: Some(tx),
                thread: Some(thread),
                error,
                path: path.to_path_buf(),
            },
            state,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The first write error, if any: the run must stop sending.
    pub fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn send(&self, msg: Msg) -> Result<(), String> {
        self.tx
            .as_ref()
            .ok_or_else(|| "the journal is closed".to_string())?
            .send(msg)
            .map_err(|_| "the journal writer stopped".to_string())
    }

    fn line(rec: &Record) -> Vec<u8> {
        let mut b = serde_json::to_vec(rec).expect("a journal record serialises");
        b.push(b'\n');
        b
    }

    /// Append a record and wait until it is on disk.
    pub async fn write_synced(&self, rec: &Record) -> Result<(), String> {
        let (ack, done) = tokio::sync::oneshot::channel();
        self.send(Msg::Line {
            bytes: Self::line(rec),
            audit: None,
            ack: Some(ack),
        })?;
        done.await
            .map_err(|_| "the journal writer stopped".to_string())?
    }

    /// Append a record (and its audit entry); it reaches the disk with the next group
    /// flush, which starts at once. Errors show in [`Journal::error`].
    pub fn write(&self, rec: &Record, audit: Option<Entry>) {
        if let Err(e) = self.send(Msg::Line {
            bytes: Self::line(rec),
            audit: audit.map(Box::new),
            ack: None,
        }) {
            self.error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(e);
        }
    }

    /// Wait until everything appended so far (audit entries included) is on disk.
    pub async fn flush(&self) -> Result<(), String> {
        let (ack, done) = tokio::sync::oneshot::channel();
        self.send(Msg::Flush(ack))?;
        done.await
            .map_err(|_| "the journal writer stopped".to_string())?
    }

    /// Flush, stop the writer and release the lock.
    pub fn close(mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn writer(
    mut file: File,
    rx: mpsc::Receiver<Msg>,
    audit: Option<AuditLog>,
    error: Arc<Mutex<Option<String>>>,
) {
    let mut audit_dirty = false;
    let mut audit_synced = Instant::now();
    let set_error = |e: String| {
        error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(e)
            .clone()
    };
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < 8192 {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        let mut buf = Vec::with_capacity(batch.len() * 96);
        let mut entries = Vec::new();
        let mut acks = Vec::new();
        let mut barrier = false;
        for m in batch {
            match m {
                Msg::Line { bytes, audit, ack } => {
                    buf.extend_from_slice(&bytes);
                    entries.extend(audit.map(|e| *e));
                    acks.extend(ack);
                }
                Msg::Flush(ack) => {
                    barrier = true;
                    acks.push(ack);
                }
            }
        }
        let previous = error.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut result: Result<(), String> = match previous {
            Some(e) => Err(e),
            None if buf.is_empty() => Ok(()),
            None => file
                .write_all(&buf)
                .and_then(|_| file.sync_data())
                .map_err(|e| set_error(format!("the journal could not be written: {e}"))),
        };
        if let Some(log) = &audit {
            audit_dirty |= !entries.is_empty();
            let sync = audit_dirty && (barrier || audit_synced.elapsed() >= AUDIT_SYNC_EVERY);
            if !entries.is_empty() || sync {
                if let Err(e) = log.append_all(&entries, sync) {
                    let e = set_error(format!("the audit log could not be written: {e}"));
                    result = result.and(Err(e));
                }
                if sync {
                    audit_dirty = false;
                    audit_synced = Instant::now();
                }
            }
        }
        for ack in acks {
            let _ = ack.send(result.clone());
        }
    }
    if let Some(log) = &audit
        && audit_dirty
    {
        let _ = log.append_all(&[], true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied() -> Outcome {
        Outcome::Applied {
            status: 200,
            replayed: false,
            already: false,
            created_id: None,
            correlation_id: "c".into(),
        }
    }

    #[tokio::test]
    async fn records_survive_reopen_and_torn_tails_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs").join("j.journal");
        let (j, st) = Journal::open(&path, 3, None).unwrap();
        assert_eq!(st.items, vec![ItemState::Pending; 3]);
        j.write_synced(&Record::Sending { i: 0, g: 0 })
            .await
            .unwrap();
        j.write(
            &Record::Answer {
                i: 0,
                g: 0,
                outcome: applied(),
            },
            None,
        );
        j.write_synced(&Record::Sending { i: 1, g: 0 })
            .await
            .unwrap();
        // Another process cannot open it while this one holds it.
        assert!(matches!(
            Journal::open(&path, 3, None),
            Err(OpenError::Busy(_))
        ));
        assert!(is_busy(&path));
        j.close();
        assert!(!is_busy(&path));
        // A torn write from a killed process.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"t":"answer","i":1,"#).unwrap();
        drop(f);
        let (j, st) = Journal::open(&path, 3, None).unwrap();
        assert!(matches!(st.items[0], ItemState::Answered { g: 0, .. }));
        assert_eq!(st.items[1], ItemState::InDoubt { g: 0 });
        assert_eq!(st.items[2], ItemState::Pending);
        j.write_synced(&Record::Sending { i: 2, g: 0 })
            .await
            .unwrap();
        j.close();
        let (st, _) = read(&path, 3).unwrap();
        assert_eq!(st.items[2], ItemState::InDoubt { g: 0 });
        let c = st.counts(&[false, false, false]);
        assert_eq!((c.applied, c.in_doubt, c.pending), (1, 2, 0));
    }

    #[test]
    fn a_bad_whole_line_is_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.journal");
        std::fs::write(&path, "{\"t\":\"sending\",\"i\":9,\"g\":0}\n").unwrap();
        let e = read(&path, 3).unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("not in the plan"), "{e}");
    }
}
