//! The local registry of conversation ids, one file per profile.
//!
//! OpenAI's API cannot list conversations, so convtui remembers the ids it has seen. The file is
//! replaced atomically (write a temporary file, sync, rename), so a crash never leaves it torn.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    /// Unix seconds when the id was added.
    pub added_at: i64,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    pub conversations: Vec<Entry>,
    /// Ids the user removed from the list, kept out of it even when the server lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden: Vec<String>,
}

/// One change to the list, as the terminal UI makes them: it sends its changes, not its copy of
/// the list, so that ids another process added or hid meanwhile are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Add(String),
    Remove(String),
    /// Removed, and kept out of the list even when the server lists it.
    Hide(String),
}

/// Holds the registry file's lock until dropped.
fn lock(path: &Path) -> Result<std::fs::File, RegistryError> {
    let err = |source| RegistryError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(name)
        .map_err(err)?;
    file.lock().map_err(err)?;
    Ok(file)
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot read the registry {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the registry {path} is not valid JSON: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("cannot write the registry {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The registry file of a profile at its base URL: `registry/NAME.HASH.json`. The name keeps
/// `[A-Za-z0-9_-]` and writes every other byte as `%XX`, so two profiles never share a file; the
/// hash is of the base URL, so `--base-url` elsewhere gets a list of its own. An older file named
/// after the profile alone is copied into place the first time, when the base URL is the
/// profile's own (not `--base-url`).
pub fn path_for_profile(data_dir: &Path, profile: &crate::config::Profile) -> PathBuf {
    let path = path_for(data_dir, &profile.name, profile.base_url.as_deref());
    if !profile.base_url_from_flag && !path.exists() {
        let legacy = legacy_path(data_dir, &profile.name);
        if legacy.is_file() {
            if let Err(e) = std::fs::copy(&legacy, &path) {
                tracing::warn!("cannot copy the registry {}: {e}", legacy.display());
            }
        }
    }
    path
}

/// The registry file for a profile name and base URL (`None`: the embedded server).
pub fn path_for(data_dir: &Path, profile: &str, base_url: Option<&str>) -> PathBuf {
    let mut name = String::new();
    for b in profile.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            name.push(b as char);
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    let server = match base_url {
        None => "embedded".to_string(),
        Some(url) => {
            let url = url.trim().trim_end_matches('/');
            reqwest::Url::parse(url)
                .map(|u| u.as_str().trim_end_matches('/').to_string())
                .unwrap_or_else(|_| url.to_string())
        }
    };
    data_dir
        .join("registry")
        .join(format!("{name}.{:016x}.json", fnv1a(server.as_bytes())))
}

/// The file of earlier versions, keyed by the profile alone (and not injective).
fn legacy_path(data_dir: &Path, profile: &str) -> PathBuf {
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    data_dir.join("registry").join(format!("{safe}.json"))
}

/// 64-bit FNV-1a: stable across builds and platforms, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Registry {
    /// Loads the registry; a missing file is an empty registry.
    pub fn load(path: &Path) -> Result<Registry, RegistryError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| RegistryError::Parse {
                path: path.display().to_string(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Registry::default()),
            Err(source) => Err(RegistryError::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Writes the registry atomically.
    pub fn save(&self, path: &Path) -> Result<(), RegistryError> {
        let err = |source| RegistryError::Write {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| err(std::io::Error::other(e)))?;
        let mut file = std::fs::File::create(&tmp).map_err(err)?;
        file.write_all(&bytes).map_err(err)?;
        file.sync_all().map_err(err)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(err)?;
        if let Some(dir) = path.parent() {
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }

    /// Reads the list at `path`, changes it and writes it back, holding the file's lock
    /// (`NAME.json.lock`) throughout, so that two processes changing it at once (the terminal
    /// UI and a `convtui add`) both keep their change. Answers the list as written.
    pub fn change(path: &Path, f: impl FnOnce(&mut Registry)) -> Result<Registry, RegistryError> {
        let _lock = lock(path)?;
        let mut registry = Registry::load(path)?;
        f(&mut registry);
        registry.save(path)?;
        Ok(registry)
    }

    /// Applies one change; answers whether the list changed.
    pub fn apply(&mut self, change: &Change) -> bool {
        match change {
            Change::Add(id) => {
                let was_hidden = self.is_hidden(id);
                self.add([id.as_str()]) > 0 || was_hidden
            }
            Change::Remove(id) => self.remove(id),
            Change::Hide(id) => {
                let changed = self.contains(id) || !self.is_hidden(id);
                self.hide(id);
                changed
            }
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.conversations.iter().any(|e| e.id == id)
    }

    /// Adds ids not yet present, keeping the order given; answers how many were new.
    pub fn add<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) -> usize {
        let mut added = 0;
        for id in ids {
            let id = id.trim();
            self.hidden.retain(|h| h != id);
            if id.is_empty() || self.contains(id) {
                continue;
            }
            self.conversations.push(Entry {
                id: id.to_string(),
                added_at: now(),
            });
            added += 1;
        }
        added
    }

    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.conversations.len();
        self.conversations.retain(|e| e.id != id);
        before != self.conversations.len()
    }

    /// Removes the id and keeps it out of the list until it is added again.
    pub fn hide(&mut self, id: &str) {
        self.remove(id);
        if !self.is_hidden(id) {
            self.hidden.push(id.to_string());
        }
    }

    pub fn is_hidden(&self, id: &str) -> bool {
        self.hidden.iter().any(|h| h == id)
    }
}

/// Longest id accepted.
pub const MAX_ID_LEN: usize = 256;

/// What text that holds no conversation id (see [`id_in`]) is told; shown sanitized.
pub fn not_an_id(text: &str) -> String {
    format!(
        "not a conversation id: '{}' (ids look like conv_…, made of A-Z, a-z, 0-9, _ and -)",
        crate::sanitize::truncate(&crate::sanitize::line(text), 80)
    )
}

/// The conversation id in a line of text: a `conv_…` token made of `[A-Za-z0-9_-]`, alone or
/// inside other text (a URL, `id: conv_…`). `None` when the text holds no such id. `add`,
/// `import` and the terminal UI's open-by-id all use this, so they take the same ids.
pub fn id_in(text: &str) -> Option<String> {
    let is_id_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut rest = text;
    while let Some(i) = rest.find("conv_") {
        let starts_word = !rest[..i].chars().next_back().is_some_and(is_id_char);
        let id: String = rest[i..].chars().take_while(|c| is_id_char(*c)).collect();
        if starts_word && id.len() > "conv_".len() && id.len() <= MAX_ID_LEN {
            return Some(id);
        }
        rest = &rest[i + "conv_".len()..];
    }
    None
}

/// What an import file holds: the ids of its good lines, and the bad lines by number.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Import {
    pub ids: Vec<String>,
    /// `line N: no conversation id in '…'` (the text as it was: sanitize before showing it).
    pub bad: Vec<String>,
}

/// Reads ids from import text, one per line; blank lines and `#` comments are skipped.
pub fn parse_import(text: &str) -> Import {
    let mut import = Import::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match id_in(line) {
            Some(id) => import.ids.push(id),
            None => {
                let shown = crate::sanitize::truncate(line, 80);
                import
                    .bad
                    .push(format!("line {}: no conversation id in '{shown}'", n + 1));
            }
        }
    }
    import
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_remove_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), "my profile", None);
        assert!(path.starts_with(dir.path().join("registry")));
        assert!(path.to_string_lossy().contains("my%20profile."), "{path:?}");
        let mut r = Registry::load(&path).unwrap();
        assert_eq!(r.add(["conv_a", "conv_b", "conv_a", " "]), 2);
        assert_eq!(r.add(["conv_b"]), 0);
        r.save(&path).unwrap();
        let loaded = Registry::load(&path).unwrap();
        assert_eq!(loaded, r);
        let mut loaded = loaded;
        assert!(loaded.remove("conv_a"));
        assert!(!loaded.remove("conv_a"));
        assert_eq!(loaded.conversations.len(), 1);
        loaded.hide("conv_b");
        assert!(loaded.is_hidden("conv_b") && loaded.conversations.is_empty());
        loaded.add(["conv_b"]);
        assert!(!loaded.is_hidden("conv_b") && loaded.contains("conv_b"));
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_an_empty_registry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(&path, b"{not json").unwrap();
        assert!(matches!(
            Registry::load(&path),
            Err(RegistryError::Parse { .. })
        ));
    }

    #[test]
    fn import_skips_blanks_and_comments() {
        assert_eq!(
            parse_import("conv_1\n\n# note\n  conv_2  \n").ids,
            ["conv_1", "conv_2"]
        );
        assert_eq!(
            parse_import("https://x.test/logs/conv_ab12?x=1").ids,
            ["conv_ab12"]
        );
        let got = parse_import("conv_1\nnot an id\nconv_3\ngarbage\n");
        assert_eq!(got.ids, ["conv_1", "conv_3"]);
        assert_eq!(
            got.bad,
            [
                "line 2: no conversation id in 'not an id'",
                "line 4: no conversation id in 'garbage'"
            ]
        );
    }

    #[test]
    fn ids_are_found_in_pasted_text() {
        assert_eq!(id_in("  id: conv_9f3a-b  ").as_deref(), Some("conv_9f3a-b"));
        assert_eq!(id_in("conv_ab\u{1b}]0;x").as_deref(), Some("conv_ab"));
        // Only conversation ids, made of [A-Za-z0-9_-].
        for junk in [
            "resp_123",
            "garbage",
            "hello world",
            "   ",
            "conv_",
            "xconv_1",
            "conv_\u{1b}",
        ] {
            assert_eq!(id_in(junk), None, "{junk:?}");
        }
        assert_eq!(id_in(&format!("conv_{}", "a".repeat(MAX_ID_LEN))), None);
    }

    #[test]
    fn registry_files_are_per_profile_and_server_and_never_shared() {
        let d = Path::new("/data");
        let a = path_for(d, "a.b", Some("http://x/v1"));
        let b = path_for(d, "a_b", Some("http://x/v1"));
        assert_ne!(a, b);
        assert_ne!(path_for(d, "a/b", None), path_for(d, "a%2Fb", None));
        assert_ne!(
            path_for(d, "local", None),
            path_for(d, "local", Some("http://elsewhere/v1"))
        );
        // The same server however it is written.
        assert_eq!(
            path_for(d, "w", Some("http://X:80/v1/")),
            path_for(d, "w", Some("http://x/v1"))
        );
    }
}
