//! Files only their owner may read: every data file custdesk writes (the sandbox's
//! database and logs, the audit log, a bulk job's journal and plan) is created so.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;

/// Open options for a file created readable and writable by its owner only (mode 0600
/// on Unix).
pub fn private_file() -> OpenOptions {
    #[allow(unused_mut)]
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

/// Create `path` empty and private (0600) if it does not exist yet.
pub fn create_private(path: &Path) -> io::Result<()> {
    match private_file().write(true).create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
