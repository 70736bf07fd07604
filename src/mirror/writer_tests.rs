//! The writer and the reader together: order, index updates, hostile pages.

use super::*;
use crate::api::Order;
use serde_json::json;

fn msg(id: &str, text: &str) -> serde_json::Value {
    json!({"type": "message", "id": id, "role": "user", "content": [{"type": "input_text", "text": text}]})
}

fn ids(m: &Mirror, conv: &str) -> Vec<String> {
    m.items(conv)
        .unwrap()
        .iter()
        .map(|i| i.raw["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn pages_keep_the_server_order_and_updates_replace_the_indexed_text() {
    let dir = tempfile::tempdir().unwrap();
    let m = Mirror::open(dir.path(), "p", "local").unwrap();
    let w = m.writer().unwrap();
    // Newest first: m5 m4, then after m4: m3 m2.
    w.record_page_wait(
        "c",
        vec![msg("m5", "e"), msg("m4", "d")],
        Order::Desc,
        None,
        0,
    )
    .await
    .unwrap();
    w.record_page_wait(
        "c",
        vec![msg("m3", "oldword"), msg("m2", "b")],
        Order::Desc,
        Some("m4"),
        0,
    )
    .await
    .unwrap();
    // Two newer items, reaching a known one.
    w.record_page_wait(
        "c",
        vec![msg("m7", "g"), msg("m6", "f"), msg("m5", "e")],
        Order::Desc,
        None,
        0,
    )
    .await
    .unwrap();
    // Oldest first from the start.
    w.record_page_wait(
        "c",
        vec![msg("m1", "a"), msg("m2", "b")],
        Order::Asc,
        None,
        0,
    )
    .await
    .unwrap();
    // The text of m3 changes: the old word is gone from the index, the new one is in.
    w.record_page_wait("c", vec![msg("m3", "quokka")], Order::Asc, Some("m2"), 0)
        .await
        .unwrap();
    w.flush().await.unwrap();
    assert_eq!(ids(&m, "c"), ["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);
    let found = |q: &str| -> Vec<Option<String>> {
        m.search(&SearchQuery::new(q))
            .unwrap()
            .into_iter()
            .map(|h| h.item)
            .collect()
    };
    assert_eq!(found("quokka"), [Some("m3".to_string())]);
    assert!(
        found("oldword").is_empty(),
        "the old text of m3 is no longer indexed"
    );
    w.mark_deleted("c", "m7");
    w.flush().await.unwrap();
    let stats = m.stats("c").unwrap();
    assert_eq!((stats.items, stats.deleted), (6, 1));
    assert_eq!(stats.by_type["message"], 6);
    assert_eq!(stats.by_role["user"], 6);
    assert!(m.search(&SearchQuery::new("g")).unwrap()[0].deleted);
}

#[tokio::test]
async fn a_hostile_page_is_recorded_without_error() {
    let dir = tempfile::tempdir().unwrap();
    let m = Mirror::open(dir.path(), "p", "local").unwrap();
    let w = m.writer().unwrap();
    let page = vec![
        msg("m1", "first"),
        msg("m1", "again"),
        json!({"type": "message", "content": "no id"}),
        json!("not an object"),
        json!({"id": 7}),
    ];
    w.record_page_wait("c", page, Order::Desc, None, 0)
        .await
        .unwrap();
    w.flush().await.unwrap();
    assert_eq!(ids(&m, "c"), ["m1"]);
    assert_eq!(m.search(&SearchQuery::new("first")).unwrap().len(), 1);
}

/// The terminal UI's writer keeps the index's terms to 1 MiB before a flush and the default
/// page cache; a `sync` writer on the same file takes 16 MiB while it runs.
#[tokio::test]
async fn each_writer_sets_its_own_memory_for_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let m = Mirror::open(dir.path(), "p", "local").unwrap();
    let hashsize = |m: &Mirror| -> i64 {
        m.conn()
            .query_row(
                "SELECT v FROM search_config WHERE k = 'hashsize'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let large = MirrorWriter::start(m.path(), Memory::LARGE).unwrap();
    large.flush().await.unwrap();
    assert_eq!(hashsize(&m), 16 * 1024 * 1024);
    drop(large);
    let small = m.writer().unwrap();
    small.flush().await.unwrap();
    assert_eq!(hashsize(&m), 1024 * 1024);
    assert_eq!(Memory::SMALL.cache_kib, 2 * 1024);
}

/// A listing's pages, written in one transaction, make one segment of the index, not one a
/// page: no statement of the writer may open a savepoint, at which the index writes out what
/// it holds (and a segment a page, with their merges, cost most of the time of writing).
#[tokio::test]
async fn a_listing_written_at_once_makes_one_index_segment() {
    let dir = tempfile::tempdir().unwrap();
    let m = Mirror::open(dir.path(), "p", "local").unwrap();
    let w = MirrorWriter::start(m.path(), Memory::LARGE).unwrap();
    // Each page is queued, not yet written, when the call returns.
    let mut after: Option<String> = None;
    for page in 0..20 {
        let items: Vec<_> = (0..50)
            .map(|k| msg(&format!("m{}", 10_000 - page * 50 - k), "a word or two"))
            .collect();
        let rows = items.iter().filter_map(super::row::Row::of).collect();
        w.record_rows_wait("c", rows, Order::Desc, after.as_deref(), 0)
            .await
            .unwrap();
        after = Some(format!("m{}", 10_000 - page * 50 - 49));
    }
    // An item seen again as it was, and one whose text changed, in the same transaction.
    w.record_page_wait(
        "c",
        vec![msg("m10000", "a word or two")],
        Order::Desc,
        None,
        0,
    )
    .await
    .unwrap();
    w.flush().await.unwrap();
    // https://www.sqlite.org/fts5.html: `search_idx` has a row per leaf of each segment.
    let segments: i64 = m
        .conn()
        .query_row("SELECT count(DISTINCT segid) FROM search_idx", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(segments, 1);
    assert_eq!(ids(&m, "c").len(), 1000);
    assert_eq!(m.search(&SearchQuery::new("word")).unwrap().len(), 20);
}

/// A new mirror is made with 16 KB pages; one made with SQLite's 4 KB keeps them (a file in
/// WAL mode cannot change its page size) and works as before.
#[tokio::test]
async fn a_new_mirror_has_large_pages_and_an_older_one_keeps_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let page_size = |m: &Mirror| -> i64 {
        m.conn()
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .unwrap()
    };
    let new = Mirror::open(dir.path(), "p", "local").unwrap();
    assert_eq!(page_size(&new), PAGE_BYTES);
    let old_path = dir.path().join("old.sqlite3");
    {
        let conn = rusqlite::Connection::open(&old_path).unwrap();
        conn.pragma_update(None, "page_size", 4096).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE before_us (x)").unwrap();
    }
    let old = Mirror::open_path(&old_path).unwrap();
    assert_eq!(page_size(&old), 4096);
    let w = MirrorWriter::start(&old_path, Memory::LARGE).unwrap();
    w.record_page_wait("c", vec![msg("m1", "wombat")], Order::Desc, None, 0)
        .await
        .unwrap();
    w.flush().await.unwrap();
    assert_eq!(old.search(&SearchQuery::new("wombat")).unwrap().len(), 1);
}

/// A mirror made before items were keyed by a hash of their id is rebuilt when opened: its
/// items keep their rowids (the full-text index refers to them), are found by id, searched,
/// marked deleted, and seen again without being added twice.
#[tokio::test]
async fn a_mirror_from_before_the_id_key_is_rebuilt_with_its_items() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        crate::mirror::register(&conn).unwrap();
        for sql in &crate::mirror::MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute("INSERT INTO conversations(id) VALUES ('c')", [])
            .unwrap();
        for (rowid, id, pos, word) in [(7, "msg_1", 10, "aardvark"), (9, "msg_2", 20, "quokka")] {
            let raw = msg(id, word).to_string();
            conn.execute(
                "INSERT INTO items(rowid, conv, id, pos, type, role, raw) VALUES (?1, 1, ?2, ?3, 'message', 'user', ?4)",
                rusqlite::params![rowid, id, pos, raw],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO search(rowid, body, ids) VALUES (?1, item_text(?2), NULL)",
                rusqlite::params![rowid, raw],
            )
            .unwrap();
        }
    }
    let m = Mirror::open_path(&path).unwrap();
    assert_eq!(ids(&m, "c"), ["msg_1", "msg_2"]);
    let hit = &m.search(&SearchQuery::new("quokka")).unwrap()[0];
    assert_eq!(hit.item.as_deref(), Some("msg_2"));
    assert_eq!(
        m.search(&SearchQuery::new("msg_1")).unwrap().len(),
        1,
        "by item id"
    );
    assert_eq!(m.known("c", &["msg_1", "msg_3"]).unwrap().len(), 1);
    let w = m.writer().unwrap();
    w.record_page_wait(
        "c",
        vec![msg("msg_3", "wombat"), msg("msg_2", "quokka")],
        Order::Desc,
        None,
        0,
    )
    .await
    .unwrap();
    w.mark_deleted("c", "msg_1");
    w.flush().await.unwrap();
    assert_eq!(ids(&m, "c"), ["msg_1", "msg_2", "msg_3"]);
    assert_eq!(m.stats("c").unwrap().deleted, 1);
    let key_of = |id: &str| -> i64 {
        m.conn()
            .query_row("SELECT key FROM items WHERE id = ?1", [id], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(key_of("msg_1"), crate::mirror::id_key("msg_1"));
    assert_eq!(key_of("msg_3"), crate::mirror::id_key("msg_3"));
}

/// Every lookup of an item by id goes through the key's index, not a scan of the
/// conversation's items (a join with `json_each` was planned as one, 300 s for 100,000 items).
#[test]
fn lookups_by_id_use_the_key_index() {
    let dir = tempfile::tempdir().unwrap();
    let m = Mirror::open(dir.path(), "p", "local").unwrap();
    for sql in [
        "SELECT id, rowid, pos, raw FROM items
         WHERE key IN (SELECT id_key(value) FROM json_each(?2))
         AND id IN (SELECT value FROM json_each(?2)) AND +conv = ?1",
        "SELECT pos FROM items WHERE key = id_key(?2) AND id = ?2 AND +conv = ?1",
    ] {
        let plan: Vec<String> = m
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map(rusqlite::params![1, "[\"m1\"]"], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            plan.iter().any(|p| p.contains("USING INDEX items_key")),
            "{sql}: {plan:?}"
        );
    }
}

/// The writer answers a first listing's lookups itself (the conversation had no items), and
/// asks the file again once another connection has written: an item added meanwhile by
/// someone else is not added twice, and one seen twice by this writer is updated, not doubled.
#[tokio::test]
async fn items_added_by_another_connection_are_not_added_twice() {
    let dir = tempfile::tempdir().unwrap();
    let m = Mirror::open(dir.path(), "p", "local").unwrap();
    let w = MirrorWriter::start(m.path(), Memory::LARGE).unwrap();
    w.record_page_wait(
        "c",
        vec![msg("m9", "a"), msg("m8", "b")],
        Order::Desc,
        None,
        0,
    )
    .await
    .unwrap();
    // The same item again, in the same and in a later transaction: updated in place.
    w.record_page_wait("c", vec![msg("m8", "b2")], Order::Desc, Some("m9"), 0)
        .await
        .unwrap();
    w.flush().await.unwrap();
    assert_eq!(ids(&m, "c"), ["m8", "m9"]);
    // Another connection (another process, say) adds m7.
    {
        let other = crate::mirror::connect(m.path()).unwrap();
        let raw = msg("m7", "c").to_string();
        other
            .execute(
                "INSERT INTO items(conv, id, key, pos, type, role, raw)
                 VALUES (1, 'm7', ?1, -1000000, 'message', 'user', ?2)",
                rusqlite::params![crate::mirror::id_key("m7"), raw],
            )
            .unwrap();
    }
    w.record_page_wait(
        "c",
        vec![msg("m7", "c"), msg("m6", "d")],
        Order::Desc,
        Some("m8"),
        0,
    )
    .await
    .unwrap();
    w.record_page_wait("c", vec![msg("m8", "b3")], Order::Desc, Some("m9"), 0)
        .await
        .unwrap();
    w.flush().await.unwrap();
    assert_eq!(ids(&m, "c"), ["m6", "m7", "m8", "m9"]);
    assert_eq!(m.search(&SearchQuery::new("b3")).unwrap().len(), 1);
    assert!(m.search(&SearchQuery::new("b2")).unwrap().is_empty());
}

/// `convtui mirror clear` while a writer (the terminal UI's) runs: what it writes next goes
/// into a new file, not into the removed one.
#[tokio::test]
async fn a_writer_opens_its_file_again_once_it_was_removed() {
    let dir = tempfile::tempdir().unwrap();
    let m = Mirror::open(dir.path(), "p", "local").unwrap();
    let path = m.path().to_path_buf();
    drop(m);
    let w = MirrorWriter::start(&path, Memory::SMALL).unwrap();
    w.record_page_wait("c", vec![msg("m1", "before")], Order::Desc, None, 0)
        .await
        .unwrap();
    w.flush().await.unwrap();
    assert!(remove(&path).unwrap());
    w.record_page_wait("c", vec![msg("m2", "after")], Order::Desc, None, 0)
        .await
        .unwrap();
    w.flush().await.unwrap();
    let m = Mirror::open_path(&path).unwrap();
    assert_eq!(ids(&m, "c"), ["m2"]);
    let hits = m.search(&SearchQuery::new("after")).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(w.error().is_none());
}

#[tokio::test]
async fn a_page_read_before_a_delete_and_written_after_it_keeps_the_item_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let m = Mirror::open(dir.path(), "p", "local").unwrap();
    let deleted = |m: &Mirror, conv: &str| -> Vec<String> {
        let items = m.items(conv).unwrap();
        let gone = items.iter().filter(|i| i.deleted);
        gone.map(|i| i.raw["id"].as_str().unwrap().to_string())
            .collect()
    };
    let page = vec![msg("m2", "b"), msg("m1", "a")];
    {
        let w = m.writer().unwrap();
        // The mark comes before the page that still listed the item (first written, then seen
        // again, then with its text changed), and before its conversation's stale page.
        w.mark_deleted_wait("c", "m2").await.unwrap();
        w.record_page_wait("c", page.clone(), Order::Desc, None, 0)
            .await
            .unwrap();
        w.flush().await.unwrap();
        assert_eq!(deleted(&m, "c"), ["m2"], "written deleted");
        w.record_page_wait("c", page.clone(), Order::Desc, None, 0)
            .await
            .unwrap();
        let changed = vec![msg("m2", "changed"), msg("m1", "a")];
        w.record_page_wait("c", changed, Order::Desc, None, 0)
            .await
            .unwrap();
        w.mark_conversation_deleted_wait("d").await.unwrap();
        w.record_page_wait("d", vec![msg("n1", "x")], Order::Desc, None, 0)
            .await
            .unwrap();
        w.record_conversation_wait(json!({"id": "d", "object": "conversation"}))
            .await
            .unwrap();
        w.flush().await.unwrap();
        assert_eq!(deleted(&m, "c"), ["m2"], "seen again, still deleted");
        assert_eq!(deleted(&m, "d"), ["n1"]);
        let live = m.conversation_list(10).unwrap();
        let live: Vec<_> = live.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(live, ["c"], "its conversation stays deleted too");
    }
    // A later writer that still reads it from the server takes it as live.
    let w = m.writer().unwrap();
    w.record_page_wait("c", page, Order::Desc, None, 0)
        .await
        .unwrap();
    w.flush().await.unwrap();
    assert!(deleted(&m, "c").is_empty(), "listed again by a later run");
}

/// A mirror indexed when escape sequences were kept in the text (`31mredword`) is indexed
/// again when opened: the coloured word is found, and an update of the item takes out of the
/// index exactly what is in it.
#[tokio::test]
async fn a_mirror_indexed_with_escape_sequences_is_indexed_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    let coloured = msg("msg_1", "disk \u{1b}[31mredword\u{1b}[0m full");
    let n = crate::mirror::MIGRATIONS.len();
    {
        let m = Mirror::open_path(&path).unwrap();
        let w = m.writer().unwrap();
        w.record_page_wait("c", vec![coloured.clone()], Order::Desc, None, 0)
            .await
            .unwrap();
        w.flush().await.unwrap();
        drop(w);
        // The index as the older text made it, and the file's version before this one.
        let conn = rusqlite::Connection::open(&path).unwrap();
        crate::mirror::register(&conn).unwrap();
        let raw = coloured.to_string();
        let old_text = "disk \u{1b}[31mredword\u{1b}[0m full";
        conn.execute(
            "INSERT INTO search(search, rowid, body, ids) VALUES ('delete', 1, item_text(?1), NULL)",
            [&raw],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO search(rowid, body, ids) VALUES (1, ?1, NULL)",
            [old_text],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", (n - 1) as i64)
            .unwrap();
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM search WHERE search MATCH 'redword'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 0, "the older index does not hold the word");
    }
    let m = Mirror::open_path(&path).unwrap();
    let hits = m.search(&SearchQuery::new("redword")).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].item.as_deref(), Some("msg_1"));
    let w = m.writer().unwrap();
    w.record_page_wait("c", vec![msg("msg_1", "plain")], Order::Desc, None, 0)
        .await
        .unwrap();
    w.flush().await.unwrap();
    assert!(m.search(&SearchQuery::new("redword")).unwrap().is_empty());
    m.conn()
        .execute(
            "INSERT INTO search(search, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .expect("the index matches the items");
}
