//! Drafts of the editors on disk: `DATA_DIR/drafts/<profile>/<name>.txt`, replaced atomically.
//!
//! Writes can finish out of order, so each carries a sequence number and an older one never
//! replaces a newer one (nor brings back a deleted draft): see `files::LatestWins`.

use std::path::{Path, PathBuf};

/// A file name for any name: letters, digits, `-` and `_` stay; anything else becomes `%XX`
/// bytes, so two different names never share a file.
fn safe(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The drafts folder of a profile.
pub fn dir_for(data_dir: &Path, profile: &str) -> PathBuf {
    data_dir.join("drafts").join(safe(profile))
}

/// The draft file of an editor (`name` is a conversation id, or `new`).
pub fn path_in(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{}.txt", safe(name)))
}

/// The file naming the process whose editor a draft belongs to.
pub fn owner_path_in(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{}.owner", safe(name)))
}

/// The process that wrote the draft, if another one that is still running: its editor
/// may still be open, so its draft is not offered (two windows on one data directory).
pub fn live_owner(dir: &Path, name: &str) -> Option<u32> {
    let text = std::fs::read_to_string(owner_path_in(dir, name)).ok()?;
    let pid: u32 = text.trim().parse().ok()?;
    (pid != std::process::id() && is_running(pid)).then_some(pid)
}

/// On Linux, `/proc` tells a running process from one that has exited but not been reaped
/// (a zombie, which `kill` still finds).
#[cfg(target_os = "linux")]
fn is_running(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `pid (comm) state …`: the state follows the last `)`.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next());
    !matches!(state, None | Some("Z" | "X" | "x"))
}

#[cfg(all(unix, not(target_os = "linux")))]
fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // Signal 0 checks that the process exists without touching it.
    // SAFETY: kill with signal 0 sends nothing; it only reports whether the pid exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn is_running(_pid: u32) -> bool {
    false
}

/// Reads a draft; a missing file is no draft, and so is the draft of another convtui that
/// is still running.
pub fn read(dir: &Path, name: &str) -> std::io::Result<Option<String>> {
    if live_owner(dir, name).is_some() {
        return Ok(None);
    }
    match std::fs::read(path_in(dir, name)) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Replaces the draft with `text`, or deletes it when `text` is `None`. Writes that may
/// finish out of order go through `files::LatestWins` (the runtime does).
pub fn write(dir: &Path, name: &str, text: Option<&str>) -> std::io::Result<()> {
    let path = path_in(dir, name);
    let owner = owner_path_in(dir, name);
    match text {
        Some(text) => {
            // Written once per draft and process: it is advisory, so it is not synced.
            let pid = std::process::id().to_string();
            if std::fs::read_to_string(&owner).ok().as_deref() != Some(pid.as_str()) {
                std::fs::create_dir_all(dir)?;
                std::fs::write(&owner, &pid)?;
            }
            crate::files::replace(&path, text.as_bytes())
        }
        // Closing an editor here never deletes the draft of another window that still runs.
        None if live_owner(dir, name).is_some() => Ok(()),
        None => {
            crate::files::remove(&path)?;
            crate::files::remove(&owner)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_names_never_share_a_file() {
        let d = Path::new("/d");
        assert_ne!(path_in(d, "conv.1"), path_in(d, "conv_1"));
        assert_ne!(path_in(d, "X.items"), path_in(d, "X_items"));
        assert_ne!(dir_for(d, "a.b"), dir_for(d, "a_b"));
        assert_eq!(path_in(d, "conv_1"), Path::new("/d/conv_1.txt"));
    }

    #[test]
    fn writes_in_order_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir_for(dir.path(), "my profile");
        let store = crate::files::LatestWins::default();
        let apply = |seq, text: Option<&str>| {
            store
                .apply("conv_1", seq, || write(&d, "conv_1", text))
                .unwrap()
        };
        apply(2, Some("new text"));
        apply(1, Some("old text"));
        assert_eq!(read(&d, "conv_1").unwrap().as_deref(), Some("new text"));
        apply(3, None);
        apply(2, Some("late"));
        assert_eq!(read(&d, "conv_1").unwrap(), None);
        assert!(d.ends_with("drafts/my%20profile"));
    }

    #[test]
    fn a_draft_of_another_live_process_is_not_offered_and_a_dead_ones_is() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "conv_1", Some("mine")).unwrap();
        assert_eq!(read(d, "conv_1").unwrap().as_deref(), Some("mine"));
        // Another process that is running owns it.
        let mut other = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        std::fs::write(owner_path_in(d, "conv_1"), other.id().to_string()).unwrap();
        assert_eq!(live_owner(d, "conv_1"), Some(other.id()));
        assert_eq!(
            read(d, "conv_1").unwrap(),
            None,
            "not offered while it runs"
        );
        write(d, "conv_1", None).unwrap();
        assert!(path_in(d, "conv_1").exists(), "nor deleted from here");
        other.kill().unwrap();
        other.wait().unwrap();
        assert_eq!(
            read(d, "conv_1").unwrap().as_deref(),
            Some("mine"),
            "offered once it died"
        );
        write(d, "conv_1", None).unwrap();
        assert!(!owner_path_in(d, "conv_1").exists());
    }
}
