//! The sandbox's logs: what the access log may show, a size-rotated log file created
//! private to its owner, and the subscriber `custdesk sandbox` installs.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

use crate::domain::mask;
use crate::fsutil::private_file;

/// A log file's size before it is rotated.
pub const MAX_LOG_BYTES: u64 = 10 * 1024 * 1024;
/// Rotated files kept beside the live one (`sandbox.log.1` is the newest).
pub const KEEP_LOGS: usize = 3;

/// A path as the access log shows it: contact values masked (an email, a run of seven
/// or more digits: a phone or account number) while a 32-character hex customer id
/// stays whole, so a logged call can be traced to its customer.
pub fn loggable_path(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg.len() == 32 && seg.bytes().all(|b| b.is_ascii_hexdigit()) {
                return seg.to_string();
            }
            let decoded = seg
                .replace("%40", "@")
                .replace("%2B", "+")
                .replace("%2b", "+");
            if decoded.contains('@') {
                return mask::email(&decoded);
            }
            mask_digit_runs(seg)
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Mask every run of seven or more digits but its last four.
fn mask_digit_runs(seg: &str) -> String {
    let mut out = String::with_capacity(seg.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 7 {
            out.push_str(&mask::digits(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in seg.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A log file rotated by size: past [`MAX_LOG_BYTES`] it becomes `NAME.1` (older ones
/// shift up to `NAME.KEEP`, the oldest is dropped) and a new one starts. Every file is
/// created 0600. Hand-written (forty lines) because the rotation crates either rotate by
/// time only or cannot set the mode of the files they create.
pub struct RotatingFile {
    path: PathBuf,
    max_bytes: u64,
    keep: usize,
    file: File,
    size: u64,
}

impl RotatingFile {
    pub fn open(path: &Path, max_bytes: u64, keep: usize) -> io::Result<RotatingFile> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = private_file().create(true).append(true).open(path)?;
        let size = file.metadata()?.len();
        Ok(RotatingFile {
            path: path.to_path_buf(),
            max_bytes,
            keep,
            file,
            size,
        })
    }

    fn numbered(&self, n: usize) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        if self.keep == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            for n in (1..self.keep).rev() {
                let from = self.numbered(n);
                if from.exists() {
                    std::fs::rename(&from, self.numbered(n + 1))?;
                }
            }
            std::fs::rename(&self.path, self.numbered(1))?;
        }
        self.file = private_file().create(true).append(true).open(&self.path)?;
        self.size = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.size > 0 && self.size + buf.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Colour on the terminal only, and never when `NO_COLOR` is set (no-color.org).
pub fn colour_on(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The subscriber of `custdesk sandbox`: every event to `log_file` (rotated by size,
/// 0600, no colour codes), and to stderr on a terminal (coloured unless `NO_COLOR`);
/// a stderr that is not a terminal (redirected to a file that nothing rotates) gets
/// warnings and errors only. The level comes from `CUSTDESK_LOG` or `RUST_LOG`, `info` by default.
pub fn init(log_file: &Path) -> io::Result<()> {
    let filter =
        || EnvFilter::try_new(crate::config::log_filter().0).unwrap_or_else(|_| "info".into());
    let file = RotatingFile::open(log_file, MAX_LOG_BYTES, KEEP_LOGS)?;
    let terminal = io::stderr().is_terminal();
    let _ = tracing_subscriber::registry()
        .with(
            fmt::layer()
                .with_ansi(false)
                .with_writer(Mutex::new(file))
                .with_filter(filter()),
        )
        .with(
            fmt::layer()
                .with_ansi(colour_on(terminal))
                .with_writer(io::stderr)
                .with_filter(if terminal {
                    filter()
                } else {
                    EnvFilter::new("warn")
                }),
        )
        .try_init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_whole_and_contact_values_are_masked() {
        let id = "0123456789abcdef0123456789abcdef";
        let all_digits = "01234567890123456789012345678901";
        assert_eq!(
            loggable_path(&format!("/customer-service/customers/{id}")),
            format!("/customer-service/customers/{id}")
        );
        assert_eq!(
            loggable_path(&format!("/x/{all_digits}/y")),
            format!("/x/{all_digits}/y")
        );
        let p = loggable_path(&format!(
            "/platform/v3/api/cdm/client/demo-bank/customer/{id}/add_phone/07700900123"
        ));
        assert!(p.contains(id), "{p}");
        assert!(!p.contains("07700900123") && p.ends_with("0123"), "{p}");
        let p = loggable_path("/x/ada.quartermaine%40example.com/acct/4929123456782620");
        assert!(
            !p.contains("quartermaine") && !p.contains("4929123456782620"),
            "{p}"
        );
    }

    #[test]
    fn a_full_log_rotates_and_every_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sandbox.log");
        let mut f = RotatingFile::open(&path, 100, 2).unwrap();
        for i in 0..30 {
            writeln!(f, "line {i:02} of the access log").unwrap();
        }
        assert!(std::fs::metadata(&path).unwrap().len() <= 100);
        assert!(dir.path().join("sandbox.log.1").exists());
        assert!(dir.path().join("sandbox.log.2").exists());
        assert!(!dir.path().join("sandbox.log.3").exists(), "only 2 kept");
        #[cfg(unix)]
        for name in ["sandbox.log", "sandbox.log.1", "sandbox.log.2"] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }
}
