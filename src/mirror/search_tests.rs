//! Search against FTS5's own answers: the same hits in the same bm25 order as
//! `ORDER BY rank`, the same snippets as `snippet()` row by row, filters, the bound on ranked
//! matches, and the read-only open.

use super::search::{CLOSE, OPEN};
use super::*;
use crate::api::Order;
use serde_json::json;

const WORDS: &[&str] = &[
    "lisbon", "porto", "train", "tram", "station", "ferry", "lisboa", "times", "map", "ticket",
    "river", "bridge", "castle", "tower", "harbour", "market",
];

/// Item `n` of a conversation: a message of 3 to 12 words chosen by a fixed rule, so that
/// words repeat unevenly and bm25 has something to order.
fn item(conv: usize, n: usize) -> serde_json::Value {
    let len = 3 + (n * 7 + conv) % 10;
    let text: Vec<&str> = (0..len)
        .map(|k| WORDS[(n * 31 + k * k * 17 + conv * 5) % WORDS.len()])
        .collect();
    let role = if n.is_multiple_of(3) {
        "assistant"
    } else {
        "user"
    };
    json!({"type": "message", "id": format!("msg_{conv}_{n}"), "role": role,
           "content": [{"type": "input_text", "text": text.join(" ")}]})
}

/// Two conversations of 150 items each, one titled "Trip to lisbon".
async fn fixture(dir: &Path) -> Mirror {
    let m = Mirror::open(dir, "p", "local").unwrap();
    let w = m.writer().unwrap();
    for conv in 0..2 {
        let id = format!("conv_{conv}");
        w.record_conversation(&json!({"id": id, "object": "conversation",
            "metadata": {"title": if conv == 0 { "Trip to lisbon" } else { "Work" }}}));
        let items: Vec<_> = (0..150).rev().map(|n| item(conv, n)).collect();
        for (k, page) in items.chunks(40).enumerate() {
            let after = (k > 0).then(|| format!("msg_{conv}_{}", 150 - 40 * k));
            w.record_page_wait(&id, page.to_vec(), Order::Desc, after.as_deref(), 0)
                .await
                .unwrap();
        }
    }
    w.flush().await.unwrap();
    m
}

/// FTS5's own top `limit`: (item id or conversation id, snippet), best first.
fn oracle(m: &Mirror, query: &str, join: &str, limit: usize) -> Vec<(String, String)> {
    let sql = format!(
        "SELECT search.rowid, snippet(search, -1, ?2, ?3, '…', 16) FROM search {join}
         WHERE search MATCH ?1 ORDER BY search.rank, search.rowid LIMIT ?4"
    );
    let mut stmt = m.conn().prepare(&sql).unwrap();
    let rows = stmt
        .query_map(
            rusqlite::params![query, OPEN.to_string(), CLOSE.to_string(), limit as i64],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows.into_iter()
        .map(|(rowid, snippet)| (id_of_row(m, rowid), snippet))
        .collect()
}

/// The item id of an index row, or the conversation id for a conversation's row.
fn id_of_row(m: &Mirror, rowid: i64) -> String {
    let sql = if rowid > 0 {
        "SELECT id FROM items WHERE rowid = ?1"
    } else {
        "SELECT id FROM conversations WHERE rowid = -?1"
    };
    m.conn().query_row(sql, [rowid], |r| r.get(0)).unwrap()
}

fn got(hits: &[Hit]) -> Vec<(String, String)> {
    hits.iter()
        .map(|h| {
            (
                h.item.clone().unwrap_or_else(|| h.conversation.clone()),
                h.snippet.clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn hits_and_snippets_are_fts5s_own_in_bm25_order() {
    let dir = tempfile::tempdir().unwrap();
    let m = fixture(dir.path()).await;
    for query in [
        "lisbon",
        "lisb*",
        "\"train times\"",
        "tram OR ferry",
        "station NOT river",
        "(castle OR tower) AND market",
        "t*",
        // A column filter, and conversations' rows (their ids are a column of their own).
        "body: lisbon",
        "ids: conv OR porto",
    ] {
        for limit in [1, 5, 20, 400] {
            let mut q = SearchQuery::new(query);
            q.limit = limit;
            let hits = m.search(&q).unwrap();
            let want = oracle(&m, query, "", limit);
            assert!(!want.is_empty(), "{query}: the fixture should match");
            assert_eq!(got(&hits), want, "{query} --limit {limit}");
            assert!(hits.windows(2).all(|w| w[0].rank <= w[1].rank), "{query}");
            for h in &hits {
                assert!(
                    h.snippet.contains(OPEN) && h.snippet.contains(CLOSE),
                    "{h:?}"
                );
            }
        }
    }
    // The conversation's metadata is a hit of its own, with its title.
    let hits = m.search(&SearchQuery::new("trip")).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].item.as_ref(), hits[0].kind.as_str()),
        (None, "conversation")
    );
    assert_eq!(hits[0].title.as_deref(), Some("Trip to lisbon"));
}

#[tokio::test]
async fn filters_match_a_join_on_the_items() {
    let dir = tempfile::tempdir().unwrap();
    let m = fixture(dir.path()).await;
    let conv1: i64 = m
        .conn()
        .query_row(
            "SELECT rowid FROM conversations WHERE id = 'conv_1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for query in ["lisbon", "t*", "tram OR ferry"] {
        let mut q = SearchQuery::new(query);
        q.limit = 50;
        q.role = Some("assistant".into());
        let join = "JOIN items i ON i.rowid = search.rowid AND i.role = 'assistant'";
        assert_eq!(
            got(&m.search(&q).unwrap()),
            oracle(&m, query, join, 50),
            "{query} role"
        );
        q.role = None;
        q.conversation = Some("conv_1".into());
        let join = format!("JOIN items i ON i.rowid = search.rowid AND i.conv = {conv1}");
        let hits = m.search(&q).unwrap();
        assert!(hits.iter().all(|h| h.conversation == "conv_1"));
        assert_eq!(
            got(&hits),
            oracle(&m, query, &join, 50),
            "{query} conversation"
        );
        q.role = Some("user".into());
        let join = format!("{join} AND i.role = 'user'");
        assert_eq!(
            got(&m.search(&q).unwrap()),
            oracle(&m, query, &join, 50),
            "{query} both"
        );
    }
    let mut q = SearchQuery::new("lisbon OR trip");
    q.kind = Some("conversation".into());
    let hits = m.search(&q).unwrap();
    assert_eq!(got(&hits).len(), 1);
    assert_eq!(hits[0].conversation, "conv_0");
    q.kind = Some("message".into());
    assert!(m.search(&q).unwrap().iter().all(|h| h.kind == "message"));
    q.conversation = Some("conv_unknown".into());
    assert!(m.search(&q).unwrap().is_empty());
}

#[tokio::test]
async fn a_broad_query_ranks_a_bounded_number_of_matches() {
    let dir = tempfile::tempdir().unwrap();
    let m = fixture(dir.path()).await;
    let q = SearchQuery::new("t*");
    let all: Vec<i64> = m
        .conn()
        .prepare("SELECT rowid FROM search WHERE search MATCH 't*' ORDER BY rowid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(all.len() > 100, "{}", all.len());
    // Ranking only the first 30 matches: the best of those 30, in order, nothing else.
    let hits = m.search_ranking(&q, 30).unwrap();
    let first: Vec<String> = all[..30].iter().map(|r| id_of_row(&m, *r)).collect();
    assert_eq!(hits.len(), 20);
    for (id, _) in got(&hits) {
        assert!(
            first.contains(&id),
            "{id} is not among the first 30 matches"
        );
    }
    assert!(hits.windows(2).all(|w| w[0].rank <= w[1].rank));
    // With room for every match the ranking is exact.
    let exact = m.search_ranking(&q, all.len()).unwrap();
    assert_eq!(got(&exact), oracle(&m, "t*", "", 20));
}

#[tokio::test]
async fn known_ids_are_those_of_the_conversation_only() {
    let dir = tempfile::tempdir().unwrap();
    let m = fixture(dir.path()).await;
    let known = m
        .known(
            "conv_0",
            &["msg_0_3", "msg_1_3", "msg_0_149", "nope", "msg_0_3"],
        )
        .unwrap();
    let mut known: Vec<_> = known.into_iter().collect();
    known.sort();
    assert_eq!(known, ["msg_0_149", "msg_0_3"]);
    assert!(m.known("conv_9", &["msg_0_3"]).unwrap().is_empty());
    assert!(m.known("conv_0", &[]).unwrap().is_empty());
}

#[tokio::test]
async fn read_only_opens_search_and_migrate_an_old_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path()).await.path().to_path_buf();
    let m = Mirror::open_read_only(&path).unwrap();
    assert!(m.conn().is_readonly(rusqlite::MAIN_DB).unwrap());
    assert_eq!(m.search(&SearchQuery::new("lisbon")).unwrap().len(), 20);
    assert!(m.conn().execute("DELETE FROM items", []).is_err());
    drop(m);
    // A mirror of the first schema gets the second before it is read.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "DELETE FROM search_config WHERE k IN ('hashsize', 'automerge')",
            [],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let m = Mirror::open_read_only(&path).unwrap();
    let version: i64 = m
        .conn()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, MIGRATIONS.len() as i64);
    let automerge: i64 = m
        .conn()
        .query_row(
            "SELECT v FROM search_config WHERE k = 'automerge'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(automerge, 8);
    assert_eq!(m.search(&SearchQuery::new("lisbon")).unwrap().len(), 20);
    assert!(Mirror::open_read_only(&dir.path().join("absent.sqlite3")).is_err());
}
