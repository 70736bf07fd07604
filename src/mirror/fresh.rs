//! What the writer knows without asking the file: the items it added to conversations that
//! had none when it first wrote to them. While no other connection has written to the file
//! (`PRAGMA data_version`, https://www.sqlite.org/pragma.html#pragma_data_version, unchanged),
//! the mirror holds no other item of those conversations, so a page of a first listing needs
//! no lookup at all.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

/// Most ids kept for one conversation; past that its pages are looked up in the file again.
const MAX_IDS: usize = 1_000_000;

#[derive(Default)]
pub(super) struct Fresh {
    version: Option<i64>,
    /// Conversation rowid → the keys (`id_key`) of the items this writer added.
    /// (The default hasher, keyed at random: `id_key` alone is plain FNV-1a, and a server could
    /// choose ids whose keys all fall in the same buckets.)
    convs: HashMap<i64, HashSet<i64>>,
}

impl Fresh {
    /// At the start of a transaction: forgets everything if another connection has written
    /// since the last one.
    pub(super) fn begin(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let version: i64 = conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
        if self.version != Some(version) {
            self.convs.clear();
            self.version = Some(version);
        }
        Ok(())
    }

    /// After a transaction that failed: what it added was rolled back.
    pub(super) fn forget(&mut self) {
        self.convs.clear();
        self.version = None;
    }

    /// A conversation found without items: from now on every item of it is one this writer adds.
    pub(super) fn track(&mut self, conv: i64) {
        self.convs.entry(conv).or_default();
    }

    /// For a tracked conversation, whether the mirror may hold `key`: `Some(false)` when it
    /// surely does not. `None` when the conversation is not tracked (ask the file).
    pub(super) fn may_hold(&self, conv: i64, key: i64) -> Option<bool> {
        self.convs.get(&conv).map(|keys| keys.contains(&key))
    }

    /// Notes an item added to `conv`.
    pub(super) fn added(&mut self, conv: i64, key: i64) {
        if let Some(keys) = self.convs.get_mut(&conv) {
            keys.insert(key);
            if keys.len() > MAX_IDS {
                self.convs.remove(&conv);
            }
        }
    }
}
