//! Paging at depth, page size caps, two servers on one file, item types, and demo seeding.

mod common;

use common::{start_limited, start_memory, start_with, Http};
use convtui::server::{Database, Limits};
use serde_json::{json, Value};

/// Every page from `after` onward, by plain HTTP: the ids in order.
async fn pages_from(
    http: &Http,
    conv: &str,
    order: &str,
    limit: usize,
    after: Option<&str>,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = after.map(String::from);
    loop {
        let mut path = format!("/conversations/{conv}/items?limit={limit}&order={order}");
        if let Some(a) = &after {
            path.push_str(&format!("&after={a}"));
        }
        let r = http.get(&path).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let data = r.body["data"].as_array().unwrap();
        ids.extend(data.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        if r.body["has_more"] != true {
            return ids;
        }
        after = r.body["last_id"].as_str().map(String::from);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_cursors_give_the_same_items_in_both_orders_around_deleted_items() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(Database::File(dir.path().join("db.sqlite3")), None).await;
    let http = Http::new(&server);
    let conv = http.conversation().await;
    let bodies: Vec<Value> = (0..3000)
        .map(|i| json!({"type": "message", "id": format!("msg_{i:06}"), "status": "completed", "role": "user", "content": [{"type": "input_text", "text": format!("m{i}")}]}))
        .collect();
    let c = conv.clone();
    server
        .with_store(move |s| s.add_raw_items(&c, &bodies))
        .await
        .unwrap();
    // Delete a run and scattered items, including ones used as cursors below.
    let deleted: Vec<usize> = (1000..1010)
        .chain([0, 1499, 1500, 2998, 2999])
        .chain((1..30).map(|k| k * 97))
        .collect();
    for d in &deleted {
        let r = http
            .delete(&format!("/conversations/{conv}/items/msg_{d:06}"))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let live: Vec<String> = (0..3000)
        .filter(|i| !deleted.contains(i))
        .map(|i| format!("msg_{i:06}"))
        .collect();
    let all_ids: Vec<String> = (0..3000).map(|i| format!("msg_{i:06}")).collect();
    for (cursor, limit) in [
        (None, 100),
        (Some(1499), 100),
        (Some(1500), 7),
        (Some(999), 33),
        (Some(2500), 100),
        (Some(1005), 1),
    ] {
        let after = cursor.map(|c: usize| all_ids[c].clone());
        let asc = pages_from(&http, &conv, "asc", limit, after.as_deref()).await;
        let want_asc: Vec<String> = live
            .iter()
            .filter(|id| after.as_ref().is_none_or(|a| *id > a))
            .cloned()
            .collect();
        assert_eq!(asc, want_asc, "asc after {cursor:?}");
        let desc = pages_from(&http, &conv, "desc", limit, after.as_deref()).await;
        let want_desc: Vec<String> = live
            .iter()
            .rev()
            .filter(|id| after.as_ref().is_none_or(|a| *id < a))
            .cloned()
            .collect();
        assert_eq!(desc, want_desc, "desc after {cursor:?}");
    }
}

#[tokio::test]
async fn a_page_stops_early_at_its_byte_cap() {
    let limits = Limits {
        max_page_bytes: 10_000,
        ..Limits::default()
    };
    let server = start_limited(Database::Memory, None, limits).await;
    let http = Http::new(&server);
    let conv = http.conversation().await;
    let items: Vec<Value> = (0..30)
        .map(|i| json!({"role": "user", "content": format!("{i:02}{}", "x".repeat(3000))}))
        .collect();
    let made: Vec<String> = http
        .add_items(&conv, &items)
        .await
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let r = http
        .get(&format!("/conversations/{conv}/items?limit=100&order=asc"))
        .await;
    let data = r.body["data"].as_array().unwrap();
    assert!(data.len() < 4 && !data.is_empty(), "{} items", data.len());
    assert_eq!(r.body["has_more"], true);
    assert_eq!(r.body["last_id"], data.last().unwrap()["id"]);
    // Paging on still gives every item once, in order.
    assert_eq!(pages_from(&http, &conv, "asc", 100, None).await, made);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_file_lose_no_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.sqlite3");
    let a = start_with(Database::File(path.clone()), None).await;
    let b = start_with(Database::File(path.clone()), None).await;
    let conv = Http::new(&a).conversation().await;
    let mut tasks = Vec::new();
    for t in 0..8 {
        let base = if t % 2 == 0 {
            a.base_url()
        } else {
            b.base_url()
        };
        let conv = conv.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut failed = Vec::new();
            for i in 0..60 {
                let r = client
                    .post(format!("{base}/conversations/{conv}/items"))
                    .json(&json!({"items": [{"role": "user", "content": format!("{t}-{i}")}]}))
                    .send()
                    .await
                    .unwrap();
                if r.status() != 200 {
                    failed.push(r.text().await.unwrap_or_default());
                }
                // Conversations too, and reads between writes.
                let r = client
                    .post(format!("{base}/conversations"))
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                if r.status() != 200 {
                    failed.push(r.text().await.unwrap_or_default());
                }
            }
            failed
        }));
    }
    let mut failed = Vec::new();
    for t in tasks {
        failed.extend(t.await.unwrap());
    }
    assert!(
        failed.is_empty(),
        "{} failed writes, e.g. {:?}",
        failed.len(),
        failed.first()
    );
    let ids = pages_from(&Http::new(&b), &conv, "asc", 100, None).await;
    assert_eq!(ids.len(), 480);
}

#[tokio::test]
async fn unknown_item_types_are_refused_the_way_openai_does() {
    let server = start_memory().await;
    let http = Http::new(&server);
    let conv = http.conversation().await;
    let r = http
        .post(
            &format!("/conversations/{conv}/items"),
            json!({"items": [{"role": "user", "content": "ok"}, {"type": "hologram", "data": 1}]}),
        )
        .await;
    assert_eq!(r.status, 400);
    let (code, param, message) = r.error();
    assert_eq!(code, "invalid_value");
    assert_eq!(param, "items[1]");
    assert!(message.starts_with("Invalid value: 'hologram'. Supported values are: 'message', 'item_reference', 'function_call',"), "{message}");
    assert!(
        message.ends_with(", and 'configuration_update'."),
        "{message}"
    );
    // Nothing of the refused request was stored; creating a conversation checks too.
    assert!(pages_from(&http, &conv, "asc", 100, None).await.is_empty());
    let r = http
        .post("/conversations", json!({"items": [{"type": "hologram"}]}))
        .await;
    assert_eq!((r.status, r.error().1), (400, json!("items[0]")));

    let open = start_limited(
        Database::Memory,
        None,
        Limits {
            allow_unknown_item_types: true,
            ..Limits::default()
        },
    )
    .await;
    let http = Http::new(&open);
    let conv = http.conversation().await;
    let stored = http
        .add_items(&conv, &[json!({"type": "hologram", "data": 1})])
        .await;
    assert_eq!(stored[0]["type"], "hologram");
    assert_eq!(stored[0]["data"], 1);
}

#[tokio::test]
async fn the_demo_is_seeded_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("local.sqlite3");
    let server = start_with(Database::File(path.clone()), None).await;
    // A failure part-way through (here a trigger; in life a kill or a full disk).
    let side = rusqlite::Connection::open(&path).unwrap();
    side.execute_batch(
        "CREATE TRIGGER fail_late AFTER INSERT ON items WHEN (SELECT count(*) FROM items) >= 150
         BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    )
    .unwrap();
    let data_dir = dir.path().join("data");
    assert!(convtui::demo::seed_if_new(&server, &data_dir)
        .await
        .is_err());
    let http = Http::new(&server);
    let r = http.get("/conversations?limit=100").await;
    assert_eq!(r.body["data"], json!([]), "a partial demo was left");
    assert!(!data_dir.join("demo-seeded").exists());

    side.execute_batch("DROP TRIGGER fail_late;").unwrap();
    let demo = convtui::demo::conversations().unwrap();
    assert_eq!(
        convtui::demo::seed_if_new(&server, &data_dir)
            .await
            .unwrap(),
        demo.len()
    );
    let r = http.get("/conversations?limit=100&order=asc").await;
    let convs = r.body["data"].as_array().unwrap();
    assert_eq!(convs.len(), demo.len());
    for (conv, d) in convs.iter().zip(&demo) {
        let id = conv["id"].as_str().unwrap();
        assert_eq!(
            pages_from(&http, id, "asc", 100, None).await.len(),
            d.items.len()
        );
    }
    // Seeded once only.
    assert_eq!(
        convtui::demo::seed_if_new(&server, &data_dir)
            .await
            .unwrap(),
        0
    );
}
