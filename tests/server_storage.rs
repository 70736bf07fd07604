//! Pagination, persistence across restarts, and concurrent writers, over real HTTP.

mod common;

use std::collections::HashSet;

use common::{start_memory, start_with, Http};
use convtui::server::Database;
use serde_json::{json, Value};

/// Pages through a conversation's items with `limit`, answering the ids in order.
async fn page_all(http: &Http, conv: &str, order: &str, limit: usize) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = format!("/conversations/{conv}/items?limit={limit}&order={order}");
        if let Some(a) = &after {
            path.push_str(&format!("&after={a}"));
        }
        let r = http.get(&path).await;
        assert_eq!(r.status, 200, "{}", r.body);
        pages += 1;
        let data = r.body["data"].as_array().unwrap();
        assert!(data.len() <= limit);
        ids.extend(data.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        if r.body["has_more"] != true {
            break;
        }
        assert_eq!(r.body["last_id"], data.last().unwrap()["id"]);
        after = r.body["last_id"].as_str().map(String::from);
    }
    (ids, pages)
}

async fn add_messages(http: &Http, conv: &str, n: usize) -> Vec<String> {
    let texts: Vec<Value> = (0..n)
        .map(|i| json!({"role": "user", "content": format!("message {i}")}))
        .collect();
    http.add_items(conv, &texts)
        .await
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn pagination_in_both_orders() {
    let server = start_memory().await;
    let http = Http::new(&server);
    let conv = http.conversation().await;
    let created = add_messages(&http, &conv, 105).await;

    let (asc, pages) = page_all(&http, &conv, "asc", 20).await;
    assert_eq!(asc, created);
    assert_eq!(pages, 6);
    let (desc, _) = page_all(&http, &conv, "desc", 33).await;
    let mut reversed = created.clone();
    reversed.reverse();
    assert_eq!(desc, reversed);

    // An exactly full last page says has_more: false.
    let r = http
        .get(&format!(
            "/conversations/{conv}/items?limit=5&order=asc&after={}",
            created[99]
        ))
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 5);
    assert_eq!(r.body["has_more"], false);
    assert_eq!(r.body["first_id"], created[100].as_str());

    // A cursor on a deleted item still pages on.
    http.delete(&format!("/conversations/{conv}/items/{}", created[50]))
        .await;
    let r = http
        .get(&format!(
            "/conversations/{conv}/items?limit=2&order=asc&after={}",
            created[50]
        ))
        .await;
    assert_eq!(r.body["first_id"], created[51].as_str());
    let (after_delete, _) = page_all(&http, &conv, "asc", 100).await;
    assert_eq!(after_delete.len(), 104);
    assert!(!after_delete.contains(&created[50]));
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nested/dir/local.sqlite3");
    let server = start_with(Database::File(file.clone()), None).await;
    let http = Http::new(&server);
    let conv = http.conversation().await;
    http.post(
        &format!("/conversations/{conv}"),
        json!({"metadata": {"title": "kept"}}),
    )
    .await;
    let ids = add_messages(&http, &conv, 30).await;
    server.shutdown().await.unwrap();

    let server = start_with(Database::File(file.clone()), None).await;
    let http = Http::new(&server);
    let r = http.get(&format!("/conversations/{conv}")).await;
    assert_eq!(r.body["metadata"], json!({"title": "kept"}));
    let (listed, _) = page_all(&http, &conv, "asc", 100).await;
    assert_eq!(listed, ids);
    server.shutdown().await.unwrap();

    let conn = rusqlite::Connection::open(&file).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(Database::File(dir.path().join("db.sqlite3")), None).await;
    let http = Http::new(&server);
    let conv = http.conversation().await;
    let mut tasks = Vec::new();
    for t in 0..8 {
        let base = http.base.clone();
        let conv = conv.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut mine = Vec::new();
            for i in 0..200 {
                let r = client
                    .post(format!("{base}/conversations/{conv}/items"))
                    .json(&json!({"items": [{"role": "user", "content": format!("task {t} item {i}")}]}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let body: Value = r.json().await.unwrap();
                mine.push(body["data"][0]["id"].as_str().unwrap().to_string());
            }
            mine
        }));
    }
    let mut per_task = Vec::new();
    for t in tasks {
        per_task.push(t.await.unwrap());
    }
    let (asc, _) = page_all(&http, &conv, "asc", 100).await;
    assert_eq!(asc.len(), 1600);
    assert_eq!(
        asc.iter().collect::<HashSet<_>>().len(),
        1600,
        "no duplicates"
    );
    // Each writer's items appear in the order it wrote them.
    for mine in &per_task {
        let positions: Vec<usize> = mine
            .iter()
            .map(|id| asc.iter().position(|x| x == id).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
    }
    let (mut desc, _) = page_all(&http, &conv, "desc", 100).await;
    desc.reverse();
    assert_eq!(desc, asc, "both orders agree");
}
