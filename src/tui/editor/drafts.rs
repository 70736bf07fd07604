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

/// Reads a draft; a missing file is no draft.
pub fn read(dir: &Path, name: &str) -> std::io::Result<Option<String>> {
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
    match text {
        Some(text) => crate::files::replace(&path, text.as_bytes()),
        None => crate::files::remove(&path),
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
}
