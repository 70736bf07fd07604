//! The mirror's tables, index and triggers, as migrations, and the key items are found by.

/// Schema migrations, applied in order; `PRAGMA user_version` counts those applied.
///
/// Item text is kept once, in `raw`: the index reads it through `item_text(raw)`, a function
/// registered on every connection, so the mirror stays small. New items are indexed by the
/// writer (it has their JSON parsed already); changes and deletes by the triggers. Item ids are
/// not in the index (each is a term of its own, which would make it much larger): a query that
/// is an item id is looked up in `items` instead.
pub(super) const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE conversations (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        raw TEXT,
        read_at INTEGER,
        synced_at INTEGER,
        complete INTEGER NOT NULL DEFAULT 0,
        deleted_at INTEGER
    );
    CREATE TABLE items (
        rowid INTEGER PRIMARY KEY,
        conv INTEGER NOT NULL,
        id TEXT NOT NULL,
        pos INTEGER NOT NULL,
        type TEXT NOT NULL,
        role TEXT,
        raw TEXT NOT NULL,
        seen_gen INTEGER NOT NULL DEFAULT 0,
        deleted_at INTEGER,
        UNIQUE (id, conv)
    );
    CREATE INDEX items_order ON items(conv, pos);
    CREATE VIEW search_source AS
        SELECT rowid AS rid, item_text(raw) AS body, NULL AS ids FROM items
        UNION ALL
        SELECT -rowid AS rid, conversation_text(raw) AS body, id AS ids FROM conversations;
    CREATE VIRTUAL TABLE search USING fts5(body, ids, content='search_source', content_rowid='rid');
    CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
        INSERT INTO search(search, rowid, body, ids)
            VALUES ('delete', old.rowid, item_text(old.raw), NULL);
    END;
    CREATE TRIGGER items_au AFTER UPDATE OF raw ON items WHEN old.raw IS NOT new.raw BEGIN
        INSERT INTO search(search, rowid, body, ids)
            VALUES ('delete', old.rowid, item_text(old.raw), NULL);
        INSERT INTO search(rowid, body, ids) VALUES (new.rowid, item_text(new.raw), NULL);
    END;
    CREATE TRIGGER conversations_ai AFTER INSERT ON conversations BEGIN
        INSERT INTO search(rowid, body, ids)
            VALUES (-new.rowid, conversation_text(new.raw), new.id);
    END;
    CREATE TRIGGER conversations_au AFTER UPDATE OF raw ON conversations
        WHEN old.raw IS NOT new.raw BEGIN
        INSERT INTO search(search, rowid, body, ids)
            VALUES ('delete', -old.rowid, conversation_text(old.raw), old.id);
        INSERT INTO search(rowid, body, ids)
            VALUES (-new.rowid, conversation_text(new.raw), new.id);
    END;
"#,
    // Fewer, larger segments while writing: the in-memory part of the index is flushed at 16
    // MiB rather than 1 MiB, and segments are merged 8 at a time rather than 4
    // (https://www.sqlite.org/fts5.html#the_automerge_configuration_option).
    r#"
    INSERT INTO search(search, rank) VALUES ('hashsize', 16777216);
    INSERT INTO search(search, rank) VALUES ('automerge', 8);
"#,
    // Items are found by a 64-bit hash of their id (`id_key`, checked against the id itself)
    // rather than by a unique index on the id's text: the index is a third of the size and
    // writing a long listing's rows about a fifth cheaper. The table is rebuilt with its rowids,
    // which the full-text index refers to.
    r#"
    DROP TRIGGER items_ad;
    DROP TRIGGER items_au;
    DROP VIEW search_source;
    CREATE TABLE items_keyed (
        rowid INTEGER PRIMARY KEY,
        conv INTEGER NOT NULL,
        id TEXT NOT NULL,
        key INTEGER NOT NULL,
        pos INTEGER NOT NULL,
        type TEXT NOT NULL,
        role TEXT,
        raw TEXT NOT NULL,
        seen_gen INTEGER NOT NULL DEFAULT 0,
        deleted_at INTEGER
    );
    INSERT INTO items_keyed(rowid, conv, id, key, pos, type, role, raw, seen_gen, deleted_at)
        SELECT rowid, conv, id, id_key(id), pos, type, role, raw, seen_gen, deleted_at FROM items;
    DROP TABLE items;
    ALTER TABLE items_keyed RENAME TO items;
    CREATE INDEX items_order ON items(conv, pos);
    CREATE INDEX items_key ON items(key);
    CREATE VIEW search_source AS
        SELECT rowid AS rid, item_text(raw) AS body, NULL AS ids FROM items
        UNION ALL
        SELECT -rowid AS rid, conversation_text(raw) AS body, id AS ids FROM conversations;
    CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
        INSERT INTO search(search, rowid, body, ids)
            VALUES ('delete', old.rowid, item_text(old.raw), NULL);
    END;
    CREATE TRIGGER items_au AFTER UPDATE OF raw ON items WHEN old.raw IS NOT new.raw BEGIN
        INSERT INTO search(search, rowid, body, ids)
            VALUES ('delete', old.rowid, item_text(old.raw), NULL);
        INSERT INTO search(rowid, body, ids) VALUES (new.rowid, item_text(new.raw), NULL);
    END;
"#,
    // The text of an item leaves out its escape sequences now (`text::without_escapes`): the
    // index is made again from it, so that what a delete takes out is what was put in.
    r#"
    INSERT INTO search(search) VALUES ('rebuild');
"#,
];

/// The key an item is found by: FNV-1a, 64 bits, of its id (stable across builds, as the file
/// keeps it). Every lookup compares the id too, so two ids with one key are still told apart.
pub fn id_key(id: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash as i64
}
