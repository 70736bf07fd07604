//! SQLite storage: conversations and their items, in insertion order.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior,
};
use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::ids;
pub use super::page::{Page, RawPage};
use super::schema::{conversations_sql, items_sql, MIGRATIONS};
pub use crate::protocol::validate::{NewItem, Order};

/// A conversation to create: its metadata and its items.
pub type NewConversation = (Map<String, Value>, Vec<NewItem>);

/// Readers opened beside the writer on a database file. In WAL mode they read while it commits.
const READERS: usize = 4;

/// Largest total of item bytes in one page by default; a page stops early, with `has_more`.
pub const DEFAULT_MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// One writer connection that commits, and a few read-only connections that read in parallel.
/// An in-memory database has only the writer, which then also reads.
pub struct Store {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    max_page_bytes: usize,
}

struct ConversationRow {
    seq: i64,
    id: String,
    created_at: i64,
    metadata: String,
}

impl ConversationRow {
    fn to_json(&self) -> Value {
        let metadata: Value = serde_json::from_str(&self.metadata).unwrap_or_else(|_| json!({}));
        json!({
            "id": self.id,
            "object": "conversation",
            "created_at": self.created_at,
            "metadata": metadata,
        })
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// How much of the database file a reader maps (address space, not memory).
const READER_MMAP_BYTES: i64 = 1 << 30;

/// Writers wait this long for another process's write to finish instead of failing.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

fn lock(conn: &Mutex<Connection>) -> Result<MutexGuard<'_, Connection>, ApiError> {
    conn.lock()
        .map_err(|_| ApiError::internal("storage is unavailable"))
}

fn immediate(conn: &mut Connection) -> rusqlite::Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
}

impl Store {
    /// Opens (creating if needed) the database file, in WAL mode, and migrates it.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let mut store = Self::init(conn)?;
        for _ in 0..READERS {
            let reader = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            reader.busy_timeout(BUSY_TIMEOUT)?;
            // Pages are read in place from the file's mapping rather than copied into each
            // reader's own cache by a system call (most of a listing's CPU time before).
            reader.pragma_update(None, "mmap_size", READER_MMAP_BYTES)?;
            store.readers.push(Mutex::new(reader));
        }
        Ok(store)
    }

    /// An in-memory database, gone when the store is dropped.
    pub fn memory() -> rusqlite::Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> rusqlite::Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let tx = immediate(&mut conn)?;
        let applied: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (n, sql) in MIGRATIONS.iter().enumerate().skip(applied.max(0) as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (n + 1) as i64)?;
        }
        tx.commit()?;
        Ok(Store {
            writer: Mutex::new(conn),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
            max_page_bytes: DEFAULT_MAX_PAGE_BYTES,
        })
    }

    /// Caps the item bytes of one page (at least one item is always sent).
    pub fn set_max_page_bytes(&mut self, bytes: usize) {
        self.max_page_bytes = bytes.max(1);
    }

    /// Runs a read on a free reader (or the writer, for an in-memory database).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, ApiError>) -> Result<T, ApiError> {
        if self.readers.is_empty() {
            return f(&*lock(&self.writer)?);
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let n = self.readers.len();
        for i in 0..n {
            if let Ok(conn) = self.readers[(start + i) % n].try_lock() {
                return read_snapshot(&conn, f);
            }
        }
        let conn = lock(&self.readers[start % n])?;
        read_snapshot(&conn, f)
    }

    /// Runs a write in an immediate transaction, so that it waits for other writers (in this
    /// process or another) rather than failing when it upgrades from reading.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut conn = lock(&self.writer)?;
        let tx = immediate(&mut conn)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> rusqlite::Result<i64> {
        match self.writer.lock() {
            Ok(c) => c.pragma_query_value(None, "user_version", |r| r.get(0)),
            Err(_) => Err(rusqlite::Error::InvalidQuery),
        }
    }

    /// Folds the write-ahead log back into the database file before closing.
    pub fn close(self) {
        drop(self.readers);
        let Ok(conn) = self.writer.into_inner() else {
            return;
        };
        if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);") {
            tracing::warn!(error = %e, "checkpoint on close failed");
        }
        if let Err((_, e)) = conn.close() {
            tracing::warn!(error = %e, "closing the database failed");
        }
    }

    pub fn create_conversation(
        &self,
        metadata: &Map<String, Value>,
        items: Vec<NewItem>,
    ) -> Result<Value, ApiError> {
        self.write(|tx| insert_conversation(tx, metadata, items))
    }

    /// Creates all the given conversations in one transaction, and only if the database has no
    /// live conversation. Answers how many were created.
    pub fn seed(&self, conversations: Vec<NewConversation>) -> Result<usize, ApiError> {
        self.write(|tx| {
            let any: Option<i64> = tx
                .query_row(
                    "SELECT seq FROM conversations WHERE deleted_at IS NULL LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            if any.is_some() {
                return Ok(0);
            }
            let n = conversations.len();
            for (metadata, items) in conversations {
                insert_conversation(tx, &metadata, items)?;
            }
            Ok(n)
        })
    }

    pub fn get_conversation(&self, id: &str) -> Result<Value, ApiError> {
        self.read(|c| Ok(require_conversation(c, id)?.to_json()))
    }

    pub fn update_conversation(
        &self,
        id: &str,
        metadata: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        self.write(|tx| {
            let mut row = require_conversation(tx, id)?;
            row.metadata = Value::Object(metadata.clone()).to_string();
            tx.execute(
                "UPDATE conversations SET metadata = ?1 WHERE seq = ?2",
                params![row.metadata, row.seq],
            )?;
            Ok(row.to_json())
        })
    }

    pub fn delete_conversation(&self, id: &str) -> Result<Value, ApiError> {
        self.write(|tx| {
            let row = require_conversation(tx, id)?;
            tx.execute(
                "UPDATE conversations SET deleted_at = ?1 WHERE seq = ?2",
                params![now(), row.seq],
            )?;
            Ok(json!({"id": row.id, "object": "conversation.deleted", "deleted": true}))
        })
    }

    /// Lists live conversations (an extension: OpenAI's API has no such endpoint).
    pub fn list_conversations(
        &self,
        after: Option<&str>,
        limit: i64,
        order: Order,
    ) -> Result<Page, ApiError> {
        self.read(|c| {
            let after_seq = match after {
                None => None,
                Some(a) => Some(
                    c.query_row("SELECT seq FROM conversations WHERE id = ?1", [a], |r| {
                        r.get::<_, i64>(0)
                    })
                    .optional()?
                    .ok_or_else(|| ApiError::invalid_cursor_conversation(a))?,
                ),
            };
            let sql = conversations_sql(order, after_seq.is_some());
            let mut stmt = c.prepare_cached(sql)?;
            let map = |r: &rusqlite::Row<'_>| {
                Ok(ConversationRow {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    created_at: r.get(2)?,
                    metadata: r.get(3)?,
                })
            };
            let rows = match after_seq {
                Some(s) => stmt.query_map(params![s, limit + 1], map)?,
                None => stmt.query_map(params![limit + 1], map)?,
            }
            .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(page(
                rows.iter().map(ConversationRow::to_json).collect(),
                limit,
            ))
        })
    }

    pub fn add_items(
        &self,
        conversation: &str,
        items: Vec<NewItem>,
    ) -> Result<Vec<Value>, ApiError> {
        self.write(|tx| {
            let seq = tx
                .query_row(
                    "SELECT seq FROM conversations WHERE id = ?1 AND deleted_at IS NULL",
                    [conversation],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
                .ok_or_else(|| ApiError::conversation_not_found(conversation))?;
            insert_items(tx, seq, items)
        })
    }

    /// Adds stored item bodies (each with its `id`) as they are, in one transaction: a fast
    /// bulk load for benchmarks and imports, skipping the API's checks.
    pub fn add_raw_items(&self, conversation: &str, bodies: &[Value]) -> Result<(), ApiError> {
        self.write(|tx| {
            let seq = require_conversation(tx, conversation)?.seq;
            let mut insert = tx.prepare_cached(
                "INSERT INTO items (id, conversation_seq, created_at, body) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let created_at = now();
            for body in bodies {
                let id = body.get("id").and_then(Value::as_str).unwrap_or_default();
                insert.execute(params![id, seq, created_at, body.to_string()])?;
            }
            Ok(())
        })
    }

    pub fn list_items(
        &self,
        conversation: &str,
        after: Option<&str>,
        limit: i64,
        order: Order,
    ) -> Result<RawPage, ApiError> {
        let max_bytes = self.max_page_bytes;
        self.read(|c| {
            let conv = require_conversation(c, conversation)?;
            let after_seq = match after {
                None => None,
                Some(a) => Some(
                    c.query_row(
                        "SELECT seq FROM items WHERE id = ?1 AND conversation_seq = ?2",
                        params![a, conv.seq],
                        |r| r.get::<_, i64>(0),
                    )
                    .optional()?
                    .ok_or_else(|| ApiError::invalid_cursor("after", a))?,
                ),
            };
            let mut stmt = c.prepare_cached(items_sql(order, after_seq.is_some()))?;
            let mut rows = match after_seq {
                Some(s) => stmt.query(params![conv.seq, s, limit + 1])?,
                None => stmt.query(params![conv.seq, limit + 1])?,
            };
            let mut out = RawPage {
                bodies: Vec::new(),
                first_id: None,
                last_id: None,
                has_more: false,
            };
            let mut bytes = 0usize;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let body: String = row.get(1)?;
                let full = out.bodies.len() as i64 >= limit
                    || (!out.bodies.is_empty() && bytes + body.len() > max_bytes);
                if full {
                    out.has_more = true;
                    break;
                }
                bytes += body.len();
                out.first_id.get_or_insert_with(|| id.clone());
                out.last_id = Some(id);
                out.bodies.push(checked_body(body));
            }
            Ok(out)
        })
    }

    pub fn get_item(&self, conversation: &str, item: &str) -> Result<Value, ApiError> {
        self.read(|c| {
            let conv = require_conversation(c, conversation)?;
            let body: Option<String> = c
                .query_row(
                    "SELECT body FROM items WHERE id = ?1 AND conversation_seq = ?2 AND deleted_at IS NULL",
                    params![item, conv.seq],
                    |r| r.get(0),
                )
                .optional()?;
            body.map(|b| parse_body(&b))
                .ok_or_else(|| ApiError::item_not_found(item))
        })
    }

    /// Deletes an item; answers the parent conversation.
    pub fn delete_item(&self, conversation: &str, item: &str) -> Result<Value, ApiError> {
        self.write(|tx| {
            let conv = require_conversation(tx, conversation)?;
            let changed = tx.execute(
                "UPDATE items SET deleted_at = ?1
                 WHERE id = ?2 AND conversation_seq = ?3 AND deleted_at IS NULL",
                params![now(), item, conv.seq],
            )?;
            if changed == 0 {
                return Err(ApiError::item_not_found(item));
            }
            Ok(conv.to_json())
        })
    }
}

/// Both statements of a read see one snapshot of the database.
fn read_snapshot<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let tx = conn.unchecked_transaction()?;
    let out = f(&tx);
    tx.finish()?;
    out
}

fn conversation_row(c: &Connection, id: &str) -> rusqlite::Result<Option<ConversationRow>> {
    c.query_row(
        "SELECT seq, id, created_at, metadata FROM conversations
         WHERE id = ?1 AND deleted_at IS NULL",
        [id],
        |r| {
            Ok(ConversationRow {
                seq: r.get(0)?,
                id: r.get(1)?,
                created_at: r.get(2)?,
                metadata: r.get(3)?,
            })
        },
    )
    .optional()
}

fn require_conversation(c: &Connection, id: &str) -> Result<ConversationRow, ApiError> {
    conversation_row(c, id)?.ok_or_else(|| ApiError::conversation_not_found(id))
}

fn insert_conversation(
    tx: &Transaction<'_>,
    metadata: &Map<String, Value>,
    items: Vec<NewItem>,
) -> Result<Value, ApiError> {
    let id = ids::conversation_id();
    let created_at = now();
    let text = Value::Object(metadata.clone()).to_string();
    tx.execute(
        "INSERT INTO conversations (id, created_at, metadata) VALUES (?1, ?2, ?3)",
        params![id, created_at, text],
    )?;
    let seq = tx.last_insert_rowid();
    insert_items(tx, seq, items)?;
    Ok(ConversationRow {
        seq,
        id,
        created_at,
        metadata: text,
    }
    .to_json())
}

/// A stored body goes out as it is when it is JSON, which it always is unless the file was
/// changed by hand.
fn checked_body(body: String) -> String {
    if serde_json::from_str::<serde::de::IgnoredAny>(&body).is_ok() {
        body
    } else {
        parse_body(&body).to_string()
    }
}

fn page(mut data: Vec<Value>, limit: i64) -> Page {
    let has_more = data.len() as i64 > limit;
    data.truncate(limit.max(0) as usize);
    Page { data, has_more }
}

fn parse_body(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| json!({"type": "unreadable", "raw": body}))
}

/// Inserts items in order, assigning ids; answers the stored bodies.
fn insert_items(
    tx: &Transaction<'_>,
    conversation_seq: i64,
    items: Vec<NewItem>,
) -> Result<Vec<Value>, ApiError> {
    let created_at = now();
    let mut stored = Vec::with_capacity(items.len());
    let mut insert = tx.prepare_cached(
        "INSERT INTO items (id, conversation_seq, created_at, body) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for item in items {
        let body = match item {
            NewItem::Body(body) => body,
            NewItem::Reference(id) => {
                let text: Option<String> = tx
                    .query_row(
                        "SELECT body FROM items WHERE id = ?1 AND deleted_at IS NULL",
                        [&id],
                        |r| r.get(0),
                    )
                    .optional()?;
                match text.map(|t| parse_body(&t)) {
                    Some(Value::Object(m)) => m,
                    _ => return Err(ApiError::item_not_found(&id)),
                }
            }
        };
        let with_id = assign_id(body);
        let id = with_id
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let value = Value::Object(with_id);
        insert.execute(params![id, conversation_seq, created_at, value.to_string()])?;
        stored.push(value);
    }
    Ok(stored)
}

/// Gives the item a fresh id of its type, placed right after `type`.
fn assign_id(body: Map<String, Value>) -> Map<String, Value> {
    let kind = body
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("item")
        .to_string();
    let mut out = Map::with_capacity(body.len() + 1);
    out.insert("type".into(), Value::String(kind.clone()));
    out.insert("id".into(), Value::String(ids::item_id(&kind)));
    for (k, v) in body {
        if k != "id" && k != "type" {
            out.insert(k, v);
        }
    }
    out
}
