//! The database schema and the statements whose shape matters for speed.

use crate::protocol::validate::Order;

/// Schema migrations, applied in order; `PRAGMA user_version` counts those applied.
pub const MIGRATIONS: &[&str] = &[r#"
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

/// A page's statement. Each shape has its own statement, so that a cursor is a range of the
/// `(conversation_seq, seq)` index and a page costs the same at any depth.
pub fn items_sql(order: Order, after: bool) -> &'static str {
    match (order, after) {
        (Order::Asc, false) => {
            "SELECT id, body FROM items WHERE conversation_seq = ?1 AND deleted_at IS NULL
             ORDER BY seq ASC LIMIT ?2"
        }
        (Order::Desc, false) => {
            "SELECT id, body FROM items WHERE conversation_seq = ?1 AND deleted_at IS NULL
             ORDER BY seq DESC LIMIT ?2"
        }
        (Order::Asc, true) => {
            "SELECT id, body FROM items WHERE conversation_seq = ?1 AND seq > ?2
             AND deleted_at IS NULL ORDER BY seq ASC LIMIT ?3"
        }
        (Order::Desc, true) => {
            "SELECT id, body FROM items WHERE conversation_seq = ?1 AND seq < ?2
             AND deleted_at IS NULL ORDER BY seq DESC LIMIT ?3"
        }
    }
}

pub fn conversations_sql(order: Order, after: bool) -> &'static str {
    match (order, after) {
        (Order::Asc, false) => {
            "SELECT seq, id, created_at, metadata FROM conversations WHERE deleted_at IS NULL
             ORDER BY seq ASC LIMIT ?1"
        }
        (Order::Desc, false) => {
            "SELECT seq, id, created_at, metadata FROM conversations WHERE deleted_at IS NULL
             ORDER BY seq DESC LIMIT ?1"
        }
        (Order::Asc, true) => {
            "SELECT seq, id, created_at, metadata FROM conversations WHERE seq > ?1
             AND deleted_at IS NULL ORDER BY seq ASC LIMIT ?2"
        }
        (Order::Desc, true) => {
            "SELECT seq, id, created_at, metadata FROM conversations WHERE seq < ?1
             AND deleted_at IS NULL ORDER BY seq DESC LIMIT ?2"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn plan(conn: &Connection, sql: &str, args: &[i64]) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
            .unwrap();
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join("; ")
    }

    /// A cursor is a range search, never a scan from the start of the conversation.
    #[test]
    fn pages_after_a_cursor_search_a_range() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        for order in [Order::Asc, Order::Desc] {
            let p = plan(&conn, items_sql(order, true), &[1, 50_000, 101]);
            assert!(p.contains("SEARCH items"), "{p}");
            assert!(p.contains("seq>?") || p.contains("seq<?"), "{p}");
            let p = plan(&conn, conversations_sql(order, true), &[5, 101]);
            assert!(p.contains("rowid>?") || p.contains("rowid<?"), "{p}");
        }
    }
}
