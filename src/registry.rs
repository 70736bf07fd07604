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

/// The registry file of a profile, in the data directory.
pub fn path_for(data_dir: &Path, profile: &str) -> PathBuf {
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

/// The conversation id in a line of text: a `conv_…` token anywhere in it (a URL, `id: conv_…`),
/// else the text itself when it is a single word. `None` when there is no id.
pub fn id_in(text: &str) -> Option<String> {
    let id: String = match text.find("conv_") {
        Some(i) => text[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect(),
        None => text.trim().to_string(),
    };
    (!id.is_empty() && !id.contains(char::is_whitespace)).then_some(id)
}

/// Reads ids from import text, one per line; blank lines and `#` comments are skipped. A line
/// with no id is an error naming its number.
pub fn parse_import(text: &str) -> Result<Vec<String>, String> {
    text.lines()
        .enumerate()
        .map(|(n, l)| (n, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            id_in(l).ok_or_else(|| format!("line {}: no conversation id in '{l}'", n + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_remove_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), "my profile");
        assert!(path.ends_with("registry/my_profile.json"));
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
            parse_import("conv_1\n\n# note\n  conv_2  \n").unwrap(),
            ["conv_1", "conv_2"]
        );
        assert_eq!(
            parse_import("https://x.test/logs/conv_ab12?x=1").unwrap(),
            ["conv_ab12"]
        );
        assert_eq!(
            parse_import("conv_1\nnot an id\n").unwrap_err(),
            "line 2: no conversation id in 'not an id'"
        );
    }

    #[test]
    fn ids_are_found_in_pasted_text() {
        assert_eq!(id_in("  id: conv_9f3a-b  ").as_deref(), Some("conv_9f3a-b"));
        assert_eq!(id_in("resp_123").as_deref(), Some("resp_123"));
        assert_eq!(id_in("hello world"), None);
        assert_eq!(id_in("   "), None);
    }
}
