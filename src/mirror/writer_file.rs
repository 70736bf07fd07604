//! The mirror writer's connection: opened with the writer's memory settings, and opened again
//! when the file was removed meanwhile (`convtui mirror clear` while the UI runs).

use std::path::Path;

use rusqlite::Connection;

use super::fresh::Fresh;
use super::writer::Memory;
use super::{connect, MirrorError};

/// The writer's connection, and what it needs to open the file again.
pub(super) struct File {
    pub(super) conn: Connection,
    path: std::path::PathBuf,
    memory: Memory,
    /// Device and inode of the file opened: `convtui mirror clear` may remove it meanwhile.
    id: Option<(u64, u64)>,
}

fn file_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).ok().map(|_| (0, 0))
    }
}

impl File {
    pub(super) fn open(path: &Path, memory: Memory) -> Result<File, MirrorError> {
        let conn = connect(path)?;
        conn.pragma_update(None, "cache_size", -memory.cache_kib)
            .map_err(MirrorError::Sql)?;
        let page: i64 = conn
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .map_err(MirrorError::Sql)?;
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            (memory.log_bytes / page.max(512)).max(1),
        )
        .map_err(MirrorError::Sql)?;
        // The index's setting is kept in the file, so each writer sets its own
        // (https://www.sqlite.org/fts5.html#the_hashsize_configuration_option).
        conn.execute(
            "INSERT INTO search(search, rank) VALUES ('hashsize', ?1)",
            [memory.index_bytes],
        )
        .map_err(MirrorError::Sql)?;
        Ok(File {
            conn,
            path: path.to_path_buf(),
            memory,
            id: file_id(path),
        })
    }

    /// Opens the file again (a new, empty mirror) when the one open was removed or replaced,
    /// so that what comes next is not written into a file nobody can open any more.
    pub(super) fn reopen_if_gone(&mut self, fresh: &mut Fresh) -> Result<(), MirrorError> {
        if file_id(&self.path).is_some_and(|id| Some(id) == self.id) {
            return Ok(());
        }
        *self = File::open(&self.path.clone(), self.memory)?;
        fresh.forget();
        Ok(())
    }
}
