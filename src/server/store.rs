//! SQLite storage: conversations and their items, in insertion order.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::ids;
pub use crate::protocol::validate::{NewItem, Order};

/// Schema migrations, applied in order; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[r#"
    CREATE TABLE conversations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        metadata TEXT NOT NULL,
        deleted_at INTEGER
    );
    CREATE TABLE items (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        conversation_seq INTEGER NOT NULL REFERENCES conversations(seq),
        created_at INTEGER NOT NULL,
        body TEXT NOT NULL,
        deleted_at INTEGER
    );
    CREATE INDEX items_by_conversation ON items(conversation_seq, seq);
"#];

/// One page of a listing.
#[derive(Debug)]
pub struct Page {
    pub data: Vec<Value>,
    pub has_more: bool,
}

impl Page {
    pub fn to_json(&self, id_of: impl Fn(&Value) -> Option<&str>) -> Value {
        let first = self.data.first().and_then(&id_of);
        let last = self.data.last().and_then(&id_of);
        json!({
            "object": "list",
            "data": self.data,
            "first_id": first,
            "last_id": last,
            "has_more": self.has_more,
        })
    }
}

pub struct Store {
    conn: Connection,
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

impl Store {
    /// Opens (creating if needed) the database file, in WAL mode, and migrates it.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        Self::init(conn)
    }

    /// An in-memory database, gone when the store is dropped.
    pub fn memory() -> rusqlite::Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> rusqlite::Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let applied: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (n, sql) in MIGRATIONS.iter().enumerate().skip(applied.max(0) as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (n + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Store { conn })
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> rusqlite::Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
    }

    /// Folds the write-ahead log back into the database file before closing.
    pub fn close(self) {
        if let Err(e) = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);") {
            tracing::warn!(error = %e, "checkpoint on close failed");
        }
        if let Err((_, e)) = self.conn.close() {
            tracing::warn!(error = %e, "closing the database failed");
        }
    }

    fn conversation_row(&self, id: &str) -> rusqlite::Result<Option<ConversationRow>> {
        self.conn
            .query_row(
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

    fn require_conversation(&self, id: &str) -> Result<ConversationRow, ApiError> {
        self.conversation_row(id)?
            .ok_or_else(|| ApiError::conversation_not_found(id))
    }

    pub fn create_conversation(
        &mut self,
        metadata: &Map<String, Value>,
        items: Vec<NewItem>,
    ) -> Result<Value, ApiError> {
        let tx = self.conn.transaction()?;
        let id = ids::conversation_id();
        let created_at = now();
        tx.execute(
            "INSERT INTO conversations (id, created_at, metadata) VALUES (?1, ?2, ?3)",
            params![id, created_at, Value::Object(metadata.clone()).to_string()],
        )?;
        let seq = tx.last_insert_rowid();
        insert_items(&tx, seq, items)?;
        tx.commit()?;
        Ok(ConversationRow {
            seq,
            id,
            created_at,
            metadata: Value::Object(metadata.clone()).to_string(),
        }
        .to_json())
    }

    pub fn get_conversation(&self, id: &str) -> Result<Value, ApiError> {
        Ok(self.require_conversation(id)?.to_json())
    }

    pub fn update_conversation(
        &mut self,
        id: &str,
        metadata: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let mut row = self.require_conversation(id)?;
        row.metadata = Value::Object(metadata.clone()).to_string();
        self.conn.execute(
            "UPDATE conversations SET metadata = ?1 WHERE seq = ?2",
            params![row.metadata, row.seq],
        )?;
        Ok(row.to_json())
    }

    pub fn delete_conversation(&mut self, id: &str) -> Result<Value, ApiError> {
        let row = self.require_conversation(id)?;
        self.conn.execute(
            "UPDATE conversations SET deleted_at = ?1 WHERE seq = ?2",
            params![now(), row.seq],
        )?;
        Ok(json!({"id": row.id, "object": "conversation.deleted", "deleted": true}))
    }

    /// Lists live conversations (an extension: OpenAI's API has no such endpoint).
    pub fn list_conversations(
        &self,
        after: Option<&str>,
        limit: i64,
        order: Order,
    ) -> Result<Page, ApiError> {
        let after_seq = match after {
            None => None,
            Some(a) => Some(
                self.conn
                    .query_row("SELECT seq FROM conversations WHERE id = ?1", [a], |r| {
                        r.get::<_, i64>(0)
                    })
                    .optional()?
                    .ok_or_else(|| ApiError::invalid_cursor_conversation(a))?,
            ),
        };
        let (cmp, dir) = order_sql(order);
        let sql = format!(
            "SELECT seq, id, created_at, metadata FROM conversations
             WHERE deleted_at IS NULL AND (?1 IS NULL OR seq {cmp} ?1)
             ORDER BY seq {dir} LIMIT ?2"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params![after_seq, limit + 1], |r| {
                Ok(ConversationRow {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    created_at: r.get(2)?,
                    metadata: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(page(
            rows.iter().map(ConversationRow::to_json).collect(),
            limit,
        ))
    }

    pub fn add_items(
        &mut self,
        conversation: &str,
        items: Vec<NewItem>,
    ) -> Result<Vec<Value>, ApiError> {
        let tx = self.conn.transaction()?;
        let seq = tx
            .query_row(
                "SELECT seq FROM conversations WHERE id = ?1 AND deleted_at IS NULL",
                [conversation],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .ok_or_else(|| ApiError::conversation_not_found(conversation))?;
        let stored = insert_items(&tx, seq, items)?;
        tx.commit()?;
        Ok(stored)
    }

    pub fn list_items(
        &self,
        conversation: &str,
        after: Option<&str>,
        limit: i64,
        order: Order,
    ) -> Result<Page, ApiError> {
        let conv = self.require_conversation(conversation)?;
        let after_seq = match after {
            None => None,
            Some(a) => Some(
                self.conn
                    .query_row(
                        "SELECT seq FROM items WHERE id = ?1 AND conversation_seq = ?2",
                        params![a, conv.seq],
                        |r| r.get::<_, i64>(0),
                    )
                    .optional()?
                    .ok_or_else(|| ApiError::invalid_cursor("after", a))?,
            ),
        };
        let (cmp, dir) = order_sql(order);
        let sql = format!(
            "SELECT body FROM items
             WHERE conversation_seq = ?1 AND deleted_at IS NULL AND (?2 IS NULL OR seq {cmp} ?2)
             ORDER BY seq {dir} LIMIT ?3"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params![conv.seq, after_seq, limit + 1], |r| {
                r.get::<_, String>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let data = rows.iter().map(|b| parse_body(b)).collect();
        Ok(page(data, limit))
    }

    pub fn get_item(&self, conversation: &str, item: &str) -> Result<Value, ApiError> {
        let conv = self.require_conversation(conversation)?;
        let body: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM items WHERE id = ?1 AND conversation_seq = ?2 AND deleted_at IS NULL",
                params![item, conv.seq],
                |r| r.get(0),
            )
            .optional()?;
        body.map(|b| parse_body(&b))
            .ok_or_else(|| ApiError::item_not_found(item))
    }

    /// Deletes an item; answers the parent conversation.
    pub fn delete_item(&mut self, conversation: &str, item: &str) -> Result<Value, ApiError> {
        let conv = self.require_conversation(conversation)?;
        let changed = self.conn.execute(
            "UPDATE items SET deleted_at = ?1
             WHERE id = ?2 AND conversation_seq = ?3 AND deleted_at IS NULL",
            params![now(), item, conv.seq],
        )?;
        if changed == 0 {
            return Err(ApiError::item_not_found(item));
        }
        Ok(conv.to_json())
    }
}

fn order_sql(order: Order) -> (&'static str, &'static str) {
    match order {
        Order::Asc => (">", "ASC"),
        Order::Desc => ("<", "DESC"),
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
    tx: &rusqlite::Transaction<'_>,
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
