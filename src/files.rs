//! Ordered, latest-wins file writes. Writes run in tasks and may finish in any order, so each
//! carries a sequence number (given out in the order the writes were asked for); a write
//! older than one already done for the same key is skipped. Files are replaced atomically.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct LatestWins {
    /// The newest sequence number done per key. Writes run under this lock, one at a time.
    latest: Mutex<HashMap<String, u64>>,
}

impl LatestWins {
    /// Runs `write` for `key` unless a newer write for it was already done. Answers whether
    /// it ran.
    pub fn apply<E>(
        &self,
        key: &str,
        seq: u64,
        write: impl FnOnce() -> Result<(), E>,
    ) -> Result<bool, E> {
        let mut latest = self
            .latest
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if latest.get(key).is_some_and(|&l| l > seq) {
            return Ok(false);
        }
        latest.insert(key.to_string(), seq);
        write()?;
        Ok(true)
    }
}

/// Replaces a file with `bytes`: written to a temporary file beside it, synced, then renamed.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}

/// Removes a file; one that is not there is already removed.
pub fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_write_never_lands_after_a_newer_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/f.txt");
        let w = LatestWins::default();
        let write = |text: &'static str| {
            let path = path.clone();
            move || replace(&path, text.as_bytes())
        };
        assert!(w.apply("f", 2, write("two")).unwrap());
        assert!(!w.apply("f", 1, write("one")).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert!(w.apply("g", 1, write("other key")).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "other key");
        assert!(w.apply("f", 3, || remove(&path)).unwrap());
        assert!(!path.exists());
        remove(&path).unwrap();
    }
}
