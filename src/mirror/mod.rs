//! The local mirror: a SQLite database per profile and base URL holding the conversations and
//! items convtui has read, with one full-text index (FTS5) over them.
//!
//! OpenAI's API cannot list or search conversations
//! (https://platform.openai.com/docs/api-reference/conversations); the mirror can, offline too.
//! Writes go through [`MirrorWriter`], a thread of its own, so reading a page never waits for
//! the disk. [`Mirror`] reads: search, stats, ids already known.

pub mod cli;
mod cli_search;
mod fresh;
mod gone;
pub mod read;
pub mod record;
pub mod row;
mod schema;
pub mod search;
pub mod sync;
pub mod text;
pub mod writer;
mod writer_file;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::functions::FunctionFlags;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

pub use schema::id_key;
use schema::MIGRATIONS;
pub use search::{Hit, SearchError, SearchQuery};
pub use writer::{Memory, MirrorWriter};

#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error("cannot create the mirror directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the mirror {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("the mirror failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the mirror's writer has stopped")]
    Stopped,
}

/// The page size of a new mirror: with 16 KB pages rather than SQLite's 4 KB, writing a long
/// listing (rows, the id index, the full-text index's leaves) takes about 12% less time.
pub const PAGE_BYTES: i64 = 16 * 1024;

/// How much of a mirror a reader maps into memory (address space, not memory).
const MMAP_BYTES: i64 = 1 << 30;

/// The directory holding every mirror.
pub fn dir_in(data_dir: &Path) -> PathBuf {
    data_dir.join("mirror")
}

/// Characters kept as they are in a file name; every other byte is written `%XX`.
fn keep(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// FNV-1a: a stable 64-bit hash for names too long for a file system.
fn fnv64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

const MAX_NAME: usize = 200;

/// The mirror file of a profile and base URL: `PROFILE@BASE.sqlite3`, both escaped so that
/// different pairs never share a file. A name too long for a file system keeps its start and
/// ends in `~` and a hash (`~` never appears in an escaped name).
pub fn path_for(data_dir: &Path, profile: &str, base_url: &str) -> PathBuf {
    let mut name = format!("{}@{}", escape(profile), escape(base_url));
    if name.len() > MAX_NAME {
        let hash = fnv64(&format!("{profile}\0{base_url}"));
        name.truncate(MAX_NAME - 17);
        name = format!("{name}~{hash:016x}");
    }
    dir_in(data_dir).join(format!("{name}.sqlite3"))
}

/// What identifies a profile's server in the file name: its base URL without a password, or
/// `local` for the server embedded in convtui.
pub fn base_key(base_url: Option<&str>) -> String {
    let Some(url) = base_url.map(|u| u.trim().trim_end_matches('/')) else {
        return "local".into();
    };
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(None);
            u.as_str().trim_end_matches('/').to_string()
        }
        _ => url.to_string(),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Held while a mirror file is created: see [`prepare`].
static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Creates the directory (0700) and the file (0600) before SQLite opens it; SQLite gives its
/// journal files the database file's permissions.
///
/// An existing file is never opened here. Closing any descriptor of a database file drops
/// every POSIX lock this process holds on it (https://www.sqlite.org/howtocorrupt.html,
/// section 2.2), the locks of the process's other connections too (the terminal UI's writer):
/// another process closing its connection then thought itself the last one and removed the
/// write-ahead log under them. A new file is created under a lock, so that no other thread
/// of the process can open it before the creating descriptor is closed.
fn prepare(path: &Path) -> Result<(), MirrorError> {
    let dir_err = |source| MirrorError::Directory {
        path: path
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
        source,
    };
    if let Some(dir) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(dir_err)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(dir_err)?;
        }
    }
    let _creating = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    let mut options = std::fs::OpenOptions::new();
    options.create_new(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(created) => {
            drop(created);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(MirrorError::Directory {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Opens a connection with the functions the index needs, migrating the schema.
pub(crate) fn connect(path: &Path) -> Result<Connection, MirrorError> {
    prepare(path)?;
    let open_err = |source| MirrorError::Open {
        path: path.display().to_string(),
        source,
    };
    let mut conn = Connection::open(path).map_err(open_err)?;
    register(&conn).map_err(open_err)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(open_err)?;
    // Only a new file takes it (before it is in WAL mode): a mirror made earlier keeps its own.
    conn.pragma_update(None, "page_size", PAGE_BYTES)
        .map_err(open_err)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(open_err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(open_err)?;
    let applied: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(open_err)?;
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(applied.max(0) as usize) {
        let tx = conn.transaction().map_err(open_err)?;
        tx.execute_batch(sql).map_err(open_err)?;
        tx.pragma_update(None, "user_version", (n + 1) as i64)
            .map_err(open_err)?;
        tx.commit().map_err(open_err)?;
    }
    Ok(conn)
}

fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("item_text", 1, flags, |ctx| {
        let raw: Option<String> = ctx.get(0)?;
        Ok(raw.map(|r| text::item_text(&r)).unwrap_or_default())
    })?;
    conn.create_scalar_function("conversation_text", 1, flags, |ctx| {
        let raw: Option<String> = ctx.get(0)?;
        Ok(text::conversation_text(raw.as_deref()))
    })?;
    conn.create_scalar_function("id_key", 1, flags, |ctx| {
        let id: Option<String> = ctx.get(0)?;
        Ok(id.map(|id| id_key(&id)))
    })
}

/// The reader's temporary tables (the hits a search makes snippets of) in memory, not in a
/// file of their own.
fn temp_in_memory(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "temp_store", "MEMORY")
}

/// Counts of a conversation's mirrored items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub conversation: String,
    /// Items the mirror holds that the server still has (as far as the mirror knows).
    pub items: u64,
    pub by_type: BTreeMap<String, u64>,
    pub by_role: BTreeMap<String, u64>,
    /// Bytes of the items' JSON.
    pub bytes: u64,
    /// Items the server no longer has.
    pub deleted: u64,
    /// Unix seconds of the last sync, if any.
    pub synced_at: Option<i64>,
    /// Unix seconds when the conversation itself was found deleted on the server (its items
    /// are counted in `deleted` then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_deleted_at: Option<i64>,
}

/// A mirrored item, for reading offline.
#[derive(Debug, Clone, PartialEq)]
pub struct MirroredItem {
    pub raw: serde_json::Value,
    pub deleted: bool,
}

/// Read access to a mirror file.
pub struct Mirror {
    path: PathBuf,
    conn: Connection,
}

impl Mirror {
    /// Opens (creating it if needed) the mirror of `profile` at `base_url` (see [`base_key`]).
    pub fn open(data_dir: &Path, profile: &str, base_url: &str) -> Result<Mirror, MirrorError> {
        Mirror::open_path(&path_for(data_dir, profile, base_url))
    }

    pub fn open_path(path: &Path) -> Result<Mirror, MirrorError> {
        let conn = connect(path)?;
        temp_in_memory(&conn).map_err(|source| MirrorError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Mirror {
            path: path.to_path_buf(),
            conn,
        })
    }

    /// Opens an existing mirror for reading only: no directory or permission checks, no
    /// journal-mode change and no migration when its schema is current (a process that only
    /// searches spends most of its time opening). An older schema is migrated first.
    pub fn open_read_only(path: &Path) -> Result<Mirror, MirrorError> {
        let open_err = |source| MirrorError::Open {
            path: path.display().to_string(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        let applied: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(open_err)?;
        if applied < MIGRATIONS.len() as i64 {
            drop(conn);
            return Mirror::open_path(path);
        }
        register(&conn).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(open_err)?;
        // Pages read straight from the file's mapping rather than copied into a page cache
        // the process must first allocate: a search reading thousands of pages does half the
        // work. Only the mapping's size is reserved, not memory.
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)
            .map_err(open_err)?;
        temp_in_memory(&conn).map_err(open_err)?;
        Ok(Mirror {
            path: path.to_path_buf(),
            conn,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a writer on this mirror's file.
    pub fn writer(&self) -> Result<MirrorWriter, MirrorError> {
        MirrorWriter::start(&self.path, Memory::SMALL)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Which of `ids` the mirror already holds for `conv`.
    pub fn known(&self, conv: &str, ids: &[&str]) -> Result<HashSet<String>, MirrorError> {
        // One statement (one read transaction) for the page rather than one per id.
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM items WHERE key IN (SELECT id_key(value) FROM json_each(?2))
             AND id IN (SELECT value FROM json_each(?2))
             AND +conv = (SELECT rowid FROM conversations WHERE id = ?1)",
        )?;
        let out = stmt
            .query_map(params![conv, list], |r| r.get::<_, String>(0))?
            .collect::<Result<HashSet<_>, _>>()?;
        Ok(out)
    }

    /// Whether the mirror holds any item of `conv`, deleted ones included.
    pub fn has_items(&self, conv: &str) -> Result<bool, MirrorError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM items
             WHERE conv = (SELECT rowid FROM conversations WHERE id = ?1))",
            [conv],
            |r| r.get(0),
        )?)
    }

    /// The id of the oldest item the mirror holds for `conv` that the server still has.
    pub fn oldest(&self, conv: &str) -> Result<Option<String>, MirrorError> {
        Ok(self
            .conn
            .query_row(
                "SELECT i.id FROM items i JOIN conversations c ON c.rowid = i.conv
                 WHERE c.id = ?1 AND i.deleted_at IS NULL ORDER BY i.pos, i.rowid LIMIT 1",
                [conv],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Whether a sync has once listed `conv` to its oldest item.
    pub fn is_complete(&self, conv: &str) -> Result<bool, MirrorError> {
        Ok(self
            .conn
            .query_row(
                "SELECT complete FROM conversations WHERE id = ?1",
                [conv],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .is_some_and(|c| c != 0))
    }

    /// The highest full-sync generation recorded for `conv`.
    pub fn generation(&self, conv: &str) -> Result<i64, MirrorError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(i.seen_gen), 0) FROM items i
             JOIN conversations c ON c.rowid = i.conv WHERE c.id = ?1",
            [conv],
            |r| r.get(0),
        )?)
    }

    /// Conversations in the mirror the server still has, oldest recorded first.
    pub fn conversations(&self) -> Result<Vec<String>, MirrorError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM conversations WHERE deleted_at IS NULL ORDER BY rowid")?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    /// The mirrored items of `conv`, oldest first (deleted ones are marked).
    pub fn items(&self, conv: &str) -> Result<Vec<MirroredItem>, MirrorError> {
        let mut stmt = self.conn.prepare(
            "SELECT i.raw, i.deleted_at IS NOT NULL FROM items i
             JOIN conversations c ON c.rowid = i.conv WHERE c.id = ?1 ORDER BY i.pos, i.rowid",
        )?;
        let rows = stmt.query_map([conv], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (raw, deleted) = row?;
            if let Ok(raw) = serde_json::from_str(&raw) {
                out.push(MirroredItem { raw, deleted });
            }
        }
        Ok(out)
    }

    /// Counts of `conv`'s items by type and role, and their size.
    pub fn stats(&self, conv: &str) -> Result<Stats, MirrorError> {
        let (synced_at, conversation_deleted_at) = self
            .conn
            .query_row(
                "SELECT synced_at, deleted_at FROM conversations WHERE id = ?1",
                [conv],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((None, None));
        let mut stats = Stats {
            conversation: conv.to_string(),
            synced_at,
            conversation_deleted_at,
            ..Stats::default()
        };
        let mut stmt = self.conn.prepare(
            "SELECT i.type, i.role, i.deleted_at IS NOT NULL, COUNT(*), SUM(LENGTH(CAST(i.raw AS BLOB)))
             FROM items i JOIN conversations c ON c.rowid = i.conv WHERE c.id = ?1
             GROUP BY 1, 2, 3",
        )?;
        let rows = stmt.query_map([conv], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })?;
        for row in rows {
            let (kind, role, deleted, count, bytes) = row?;
            let count = count.max(0) as u64;
            if deleted {
                stats.deleted += count;
                continue;
            }
            stats.items += count;
            stats.bytes += bytes.unwrap_or(0).max(0) as u64;
            *stats.by_type.entry(kind).or_default() += count;
            if let Some(role) = role {
                *stats.by_role.entry(role).or_default() += count;
            }
        }
        Ok(stats)
    }
}

/// Removes a mirror file and its journal files; answers whether there was one.
pub fn remove(path: &Path) -> std::io::Result<bool> {
    let mut removed = false;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(PathBuf::from(p)) {
            Ok(()) => removed |= suffix.is_empty(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

/// Every mirror file in the data directory.
pub fn all_files(data_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    match std::fs::read_dir(dir_in(data_dir)) {
        Ok(entries) => {
            for entry in entries {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "sqlite3") {
                    out.push(path);
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_readable_and_never_shared() {
        let d = Path::new("/d");
        let p = path_for(d, "work", "https://api.openai.com/v1");
        assert_eq!(
            p,
            Path::new("/d/mirror/work@https%3A%2F%2Fapi.openai.com%2Fv1.sqlite3")
        );
        assert_ne!(path_for(d, "a@b", "c"), path_for(d, "a", "b@c"));
        assert_ne!(path_for(d, "a%40b", "c"), path_for(d, "a@b", "c"));
        let long = "x".repeat(500);
        let (p1, p2) = (
            path_for(d, "p", &long),
            path_for(d, "p", &format!("{long}y")),
        );
        assert_ne!(p1, p2);
        assert!(p1.file_name().unwrap().len() <= MAX_NAME + 8);
        assert_eq!(base_key(None), "local");
        assert_eq!(
            base_key(Some("https://u:secret@h.example/v1/")),
            "https://u@h.example/v1"
        );
    }
}

#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod writer_tests;
