//! Deletes that cannot lie: against servers that answer 200 with the wrong thing, repeat pages,
//! never stop paging or fail the DELETE, the backup and the journal tell the truth.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use convtui::api::{Client, ClientSettings, ErrorKind, Limits, ListParams};
use convtui::backup::{Items, Journal, Status};
use convtui::deletion::{self, Backup, DeleteError, DeleteOptions};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::net::TcpListener;

async fn serve(app: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

fn client(base: &str, limits: Limits) -> Client {
    Client::new(ClientSettings {
        timeout: Duration::from_secs(10),
        max_retries: 0,
        limits,
        ..ClientSettings::new(base)
    })
    .unwrap()
}

fn msg(id: &str) -> Value {
    json!({"type": "message", "id": id, "status": "completed", "role": "user",
           "content": [{"type": "input_text", "text": format!("{id} {}", "x".repeat(1000))}]})
}

fn conv() -> Json<Value> {
    Json(json!({"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {"a": "b"}}))
}

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

fn backup(dir: &tempfile::TempDir) -> Backup {
    Backup {
        path: dir.path().join("deleted.jsonl"),
        profile: "test".into(),
    }
}

/// The `after` cursor of a query string, as a number (`m7` -> 7).
fn after(q: &Option<String>) -> usize {
    q.as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("after=m"))
        .and_then(|n| n.parse().ok())
        .map_or(0, |n: usize| n + 1)
}

/// A server whose item and conversation routes answer as given, counting DELETEs.
fn app(item: Value, items: Value, deletes: Arc<AtomicUsize>) -> Router {
    let d = deletes.clone();
    Router::new()
        .route(
            "/v1/conversations/conv_1",
            get(|| async { conv() }).delete(move || {
                d.fetch_add(1, Ordering::SeqCst);
                async {
                    Json(json!({"id": "conv_1", "object": "conversation.deleted", "deleted": true}))
                }
            }),
        )
        .route(
            "/v1/conversations/conv_1/items",
            get(move || {
                let items = items.clone();
                async move { Json(items) }
            }),
        )
        .route(
            "/v1/conversations/conv_1/items/msg_1",
            get(move || {
                let item = item.clone();
                async move { Json(item) }
            })
            .delete(move || {
                deletes.fetch_add(1, Ordering::SeqCst);
                async { conv() }
            }),
        )
}

#[tokio::test]
async fn a_200_that_is_not_the_item_is_no_backup_and_nothing_is_deleted() {
    for answer in [
        json!({"error": {"message": "overloaded", "type": "server_error"}}),
        msg("msg_2"),
    ] {
        let deletes = counter();
        let base = serve(app(answer.clone(), json!({}), deletes.clone())).await;
        let dir = tempfile::tempdir().unwrap();
        let b = backup(&dir);
        let err = deletion::item(
            &client(&base, Limits::default()),
            &b,
            "conv_1",
            "msg_1",
            None,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, DeleteError::NotTheObject(_)), "{err}");
        assert!(err.to_string().contains("'msg_1'"), "{err}");
        assert_eq!(deletes.load(Ordering::SeqCst), 0, "no DELETE for {answer}");
        assert!(!b.path.exists());
    }
}

#[tokio::test]
async fn a_200_listing_that_is_not_a_page_is_no_backup_and_nothing_is_deleted() {
    let deletes = counter();
    let error = json!({"error": {"message": "overloaded", "type": "server_error"}});
    let base = serve(app(msg("msg_1"), error, deletes.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let b = backup(&dir);
    let err = deletion::conversation(&client(&base, Limits::default()), &b, "conv_1")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("an error object"), "{err}");
    assert_eq!(deletes.load(Ordering::SeqCst), 0);
    assert_eq!(Journal::new(&b.path).read().unwrap().0.len(), 0);
}

#[tokio::test]
async fn repeated_pages_refuse_by_default_and_allow_partial_deletes_saying_how_many() {
    let deletes = counter();
    let page = json!({"object": "list", "data": [msg("m1"), msg("m2")], "first_id": "m1",
                      "last_id": "m2", "has_more": true});
    let base = serve(app(msg("msg_1"), page, deletes.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let b = backup(&dir);
    let c = client(&base, Limits::default());
    let err = deletion::conversation(&c, &b, "conv_1").await.unwrap_err();
    assert!(
        matches!(err, DeleteError::Partial { saved: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().starts_with("not deleted"), "{err}");
    assert_eq!(deletes.load(Ordering::SeqCst), 0);

    let options = DeleteOptions {
        allow_partial: true,
    };
    let done = deletion::conversation_with(&c, &b, "conv_1", options)
        .await
        .unwrap();
    assert_eq!((done.saved, done.partial), (2, true));
    assert_eq!(deletes.load(Ordering::SeqCst), 1);
    let (entries, _) = Journal::new(&b.path).read().unwrap();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].partial);
    assert_eq!(entries[0].status, Status::Done);
    assert_eq!(entries[0].item_count(), 2);
}

/// A server that never stops paging: every page has new items and `has_more`.
fn endless(requests: Arc<AtomicUsize>, deletes: Arc<AtomicUsize>) -> Router {
    Router::new()
        .route(
            "/v1/conversations/conv_1",
            get(|| async { conv() }).delete(move || {
                deletes.fetch_add(1, Ordering::SeqCst);
                async { Json(json!({"id": "conv_1", "deleted": true})) }
            }),
        )
        .route(
            "/v1/conversations/conv_1/items",
            get(move |RawQuery(q): RawQuery| {
                requests.fetch_add(1, Ordering::SeqCst);
                let start = after(&q);
                let data: Vec<Value> = (start..start + 10).map(|n| msg(&format!("m{n}"))).collect();
                async move {
                    Json(
                        json!({"object": "list", "data": data, "last_id": format!("m{}", start + 9),
                                "has_more": true}),
                    )
                }
            }),
        )
}

#[tokio::test]
async fn a_listing_that_never_ends_stops_at_its_limits_with_a_clear_error() {
    let requests = counter();
    let base = serve(endless(requests.clone(), counter())).await;
    let limits = Limits {
        max_pages: 5,
        max_items: 1_000,
    };
    let c = client(&base, limits);
    let mut pages = Box::pin(c.item_pages("conv_1", ListParams::default()));
    let mut items = 0;
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = pages.next().await {
            match ev {
                Ok(convtui::api::PageEvent::Page(p)) => items += p.data.len(),
                Ok(other) => panic!("{other:?}"),
                Err(e) => return e,
            }
        }
        panic!("the listing ended without an error")
    })
    .await
    .expect("paging stops");
    assert_eq!(ended.kind, ErrorKind::Limit);
    assert!(ended.message.contains("max_list_pages"), "{ended}");
    assert_eq!(requests.load(Ordering::SeqCst), 5);
    assert_eq!(items, 50);

    // The item limit, within a backup: nothing is deleted by default.
    let deletes = counter();
    let base = serve(endless(counter(), deletes.clone())).await;
    let limits = Limits {
        max_pages: 1_000,
        max_items: 35,
    };
    let dir = tempfile::tempdir().unwrap();
    let err = tokio::time::timeout(
        Duration::from_secs(20),
        deletion::conversation(&client(&base, limits), &backup(&dir), "conv_1"),
    )
    .await
    .expect("the backup stops")
    .unwrap_err();
    assert!(err.to_string().contains("max_list_items"), "{err}");
    assert_eq!(deletes.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_backup_is_written_as_pages_arrive() {
    // On the fourth page, the server looks at what the backup already holds on disk.
    let dir = tempfile::tempdir().unwrap();
    let deleted_dir = dir.path().join("deleted");
    let seen_on_disk = counter();
    let seen = seen_on_disk.clone();
    let app = Router::new()
        .route(
            "/v1/conversations/conv_1",
            get(|| async { conv() })
                .delete(|| async { Json(json!({"id": "conv_1", "deleted": true})) }),
        )
        .route(
            "/v1/conversations/conv_1/items",
            get(move |RawQuery(q): RawQuery| {
                let start = after(&q);
                if start == 60 {
                    let lines: usize = std::fs::read_dir(&deleted_dir)
                        .into_iter()
                        .flatten()
                        .flatten()
                        .map(|f| std::fs::read_to_string(f.path()).unwrap_or_default())
                        .map(|t| t.lines().count())
                        .sum();
                    seen.store(lines, Ordering::SeqCst);
                }
                let data: Vec<Value> = (start..start + 20).map(|n| msg(&format!("m{n}"))).collect();
                async move {
                    Json(json!({"object": "list", "data": data, "last_id": format!("m{}", start + 19),
                                "has_more": start < 80}))
                }
            }),
        );
    let base = serve(app).await;
    let b = backup(&dir);
    let done = deletion::conversation_with(
        &client(&base, Limits::default()),
        &b,
        "conv_1",
        DeleteOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!((done.saved, done.partial), (100, false));
    let on_disk = seen_on_disk.load(Ordering::SeqCst);
    assert!(
        on_disk >= 40,
        "only {on_disk} items were on disk after three pages"
    );
    let (entries, _) = Journal::new(&b.path).read().unwrap();
    let Items::File { path, count } = &entries[0].items else {
        panic!("{:?}", entries[0].items)
    };
    assert_eq!(*count, 100);
    let ids: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, (0..100).map(|n| format!("m{n}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_journal_says_whether_the_delete_happened() {
    let app = Router::new()
        .route(
            "/v1/conversations/conv_1/items/msg_1",
            get(|| async { Json(msg("msg_1")) }).delete(|| async {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(json!({"error": {"message": "boom", "type": "server_error"}})),
                )
            }),
        )
        .route(
            "/v1/conversations/conv_1/items/msg_2",
            get(|| async { Json(msg("msg_2")) }).delete(|| async { conv() }),
        );
    let base = serve(app).await;
    let dir = tempfile::tempdir().unwrap();
    let b = backup(&dir);
    let c = client(&base, Limits::default());
    deletion::item(&c, &b, "conv_1", "msg_1", None)
        .await
        .unwrap_err();
    deletion::item(&c, &b, "conv_1", "msg_2", None)
        .await
        .unwrap();
    let (entries, _) = Journal::new(&b.path).read().unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        matches!(&entries[0].status, Status::Failed(why) if why.contains("boom")),
        "{:?}",
        entries[0].status
    );
    assert_eq!(entries[1].status, Status::Done);

    // A failed delete is never restored as if it had happened.
    let err = convtui::restore::restore(
        &c,
        &Journal::new(&b.path),
        &entries[0],
        convtui::restore::RestoreOptions { force: true },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("never deleted"), "{err}");
}
