//! The client against servers that stray from OpenAI's contract (CONTRACT §12), and retries.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use convtui::api::{Client, ClientSettings, ContentPart, ErrorKind, ListParams, PageEvent};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn serve(app: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

fn client_with(base: &str, timeout: Duration, max_retries: u32) -> Client {
    Client::new(ClientSettings {
        timeout,
        max_retries,
        ..ClientSettings::new(base)
    })
    .unwrap()
}

fn client(base: &str) -> Client {
    client_with(base, Duration::from_secs(10), 2)
}

fn msg(id: &str) -> Value {
    json!({"type": "message", "id": id, "status": "completed", "role": "user",
           "content": [{"type": "input_text", "text": id}]})
}

/// Collects every event of a full listing; panics if it runs away.
async fn list_all(c: &Client, limit: u32) -> (Vec<String>, Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut warnings = Vec::new();
    let mut pages = 0;
    let mut s = Box::pin(c.item_pages(
        "conv_1",
        ListParams {
            limit,
            ..Default::default()
        },
    ));
    while let Some(ev) = s.next().await {
        pages += 1;
        assert!(pages < 50, "paging does not stop");
        match ev.unwrap() {
            PageEvent::Page(p) => ids.extend(p.data.iter().map(|i| i.id().unwrap().to_string())),
            PageEvent::Stopped(w) => warnings.push(w),
        }
    }
    (ids, warnings, pages)
}

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

#[tokio::test]
async fn repeated_page_with_has_more_forever_stops_with_a_warning() {
    let hits = counter();
    let h = hits.clone();
    let app = Router::new().route(
        "/v1/conversations/conv_1/items",
        get(move || {
            h.fetch_add(1, Ordering::SeqCst);
            async {
                Json(json!({"object": "list", "data": [msg("m1"), msg("m2")],
                            "first_id": "m1", "last_id": "m2", "has_more": true}))
            }
        }),
    );
    let c = client(&serve(app).await);
    let (ids, warnings, _) = list_all(&c, 2).await;
    assert_eq!(ids, ["m1", "m2"]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("again"), "{warnings:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn limit_is_always_sent_and_truncation_just_shows() {
    let app = Router::new().route(
        "/v1/conversations/conv_1/items",
        get(|RawQuery(q): RawQuery| async move {
            let q = q.unwrap_or_default();
            assert!(q.contains("limit=7"), "{q}");
            assert!(q.contains("order=desc"), "{q}");
            Json(json!({"object": "list", "data": [msg("a"), msg("b")],
                        "first_id": "a", "last_id": "b", "has_more": false}))
        }),
    );
    let c = client(&serve(app).await);
    let (ids, warnings, pages) = list_all(&c, 7).await;
    assert_eq!(ids, ["a", "b"]);
    assert!(warnings.is_empty());
    assert_eq!(pages, 1);
}

#[tokio::test]
async fn has_more_then_empty_page_ends() {
    let app = Router::new().route(
        "/v1/conversations/conv_1/items",
        get(|RawQuery(q): RawQuery| async move {
            if q.unwrap_or_default().contains("after=b") {
                Json(json!({"object": "list", "data": [], "first_id": "", "last_id": null, "has_more": true}))
            } else {
                Json(json!({"object": "list", "data": [msg("a"), msg("b")],
                            "first_id": "a", "last_id": "b", "has_more": true}))
            }
        }),
    );
    let c = client(&serve(app).await);
    let (ids, warnings, _) = list_all(&c, 2).await;
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(warnings.len(), 1);
}

#[tokio::test]
async fn empty_or_null_ids_and_missing_has_more() {
    let app = Router::new()
        .route(
            "/v1/conversations/conv_1/items",
            get(|| async {
                Json(json!({"object": "list", "data": [], "first_id": "", "last_id": ""}))
            }),
        )
        .route(
            "/v1/conversations/conv_2/items",
            get(|| async {
                Json(json!({"data": null, "first_id": null, "last_id": null, "has_more": null}))
            }),
        );
    let c = client(&serve(app).await);
    for conv in ["conv_1", "conv_2"] {
        let p = c.list_items(conv, &ListParams::default()).await.unwrap();
        assert!(p.data.is_empty());
        assert_eq!((p.first_id, p.last_id, p.has_more), (None, None, false));
    }
}

#[tokio::test]
async fn null_metadata_extra_fields_and_long_ids() {
    let long = format!("conv_{}", "ab".repeat(25));
    let l = long.clone();
    let app = Router::new().route(
        "/v1/conversations/{id}",
        get(move || {
            let l = l.clone();
            async move {
                Json(json!({"id": l, "object": "conversation", "created_at": 1,
                            "metadata": null, "items": null}))
            }
        }),
    );
    let c = client(&serve(app).await);
    let conv = c.get_conversation(&long).await.unwrap();
    assert_eq!(conv.id, long);
    assert!(conv.metadata.is_empty());
    let back = serde_json::to_value(&conv).unwrap();
    assert!(back.as_object().unwrap().contains_key("items"));
}

#[tokio::test]
async fn delete_item_accepts_a_deleted_marker() {
    let app = Router::new()
        .route(
            "/v1/conversations/conv_1/items/{item}",
            axum::routing::delete(|| async {
                Json(json!({"id": "msg_1", "object": "conversation.item.deleted", "deleted": true}))
            }),
        )
        .route(
            "/v1/conversations/conv_2/items/{item}",
            axum::routing::delete(|| async {
                Json(json!({"id": "conv_2", "object": "conversation", "created_at": 1, "metadata": {}}))
            }),
        );
    let c = client(&serve(app).await);
    c.delete_item("conv_1", "msg_1").await.unwrap();
    c.delete_item("conv_2", "msg_1").await.unwrap();
}

#[tokio::test]
async fn foreign_error_bodies_are_readable() {
    let app = Router::new()
        .route(
            "/v1/conversations/detail",
            get(|| async {
                (
                    StatusCode::NOT_FOUND,
                    Json(json!({"detail": "Conversation not found"})),
                )
            }),
        )
        .route(
            "/v1/conversations/bare",
            get(|| async {
                (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": {"message": "bad cursor"}})),
                )
            }),
        )
        .route(
            "/v1/conversations/plain",
            get(|| async { (StatusCode::BAD_REQUEST, "plain text\nproblem") }),
        );
    let c = client(&serve(app).await);
    let e = c.get_conversation("detail").await.unwrap_err();
    assert_eq!(e.to_string(), "Conversation not found (HTTP 404)");
    let e = c.get_conversation("bare").await.unwrap_err();
    assert_eq!(
        (
            e.message.as_str(),
            e.error_type.as_deref(),
            e.code.as_deref()
        ),
        ("bad cursor", None, None)
    );
    let e = c.get_conversation("plain").await.unwrap_err();
    assert_eq!(e.message, "plain text problem");
}

#[tokio::test]
async fn string_content_with_null_status() {
    let app = Router::new().route(
        "/v1/conversations/conv_1/items/{item}",
        get(|| async { Json(json!({"type": "message", "id": "m", "role": "assistant", "content": "hi there", "status": null})) }),
    );
    let c = client(&serve(app).await);
    let item = c.get_item("conv_1", "m", &[]).await.unwrap();
    assert_eq!(item.status(), None);
    let m = item.as_message().unwrap();
    assert_eq!(m.content.len(), 1);
    assert_eq!(m.content[0].text(), Some("hi there"));
    assert!(matches!(m.content[0], ContentPart::OutputText { .. }));
}

#[tokio::test]
async fn listing_conversations_where_unsupported() {
    let app = Router::new();
    let c = client(&serve(app).await);
    let e = c
        .list_conversations(&ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotSupported);
}

/// Answers `first` for the first `n` requests, then a conversation.
fn flaky(hits: Arc<AtomicUsize>, n: usize, first: fn() -> Response) -> Router {
    let ok = move || {
        let hits = hits.clone();
        async move {
            if hits.fetch_add(1, Ordering::SeqCst) < n {
                first()
            } else {
                Json(json!({"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}}))
                    .into_response()
            }
        }
    };
    Router::new()
        .route("/v1/conversations/conv_1", get(ok.clone()))
        .route("/v1/conversations", post(ok))
}

fn rate_limited() -> Response {
    let mut h = HeaderMap::new();
    h.insert("retry-after-ms", "100".parse().unwrap());
    h.insert("retry-after", "100".parse().unwrap());
    (StatusCode::TOO_MANY_REQUESTS, h, Json(json!({"error": {"message": "slow down", "type": "requests", "code": "rate_limit_exceeded", "param": null}}))).into_response()
}

fn server_error() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": {"message": "oops", "type": "server_error", "param": null, "code": null}}))).into_response()
}

#[tokio::test]
async fn retries_429_after_the_asked_delay() {
    let hits = counter();
    let c = client(&serve(flaky(hits.clone(), 1, rate_limited)).await);
    c.get_conversation("conv_1").await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // A create is retried on 429 too: it was not applied.
    let hits = counter();
    let c = client(&serve(flaky(hits.clone(), 1, rate_limited)).await);
    c.create_conversation(None, &[]).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn retries_a_500_read_but_not_a_500_create() {
    let hits = counter();
    let c = client(&serve(flaky(hits.clone(), 1, server_error)).await);
    c.get_conversation("conv_1").await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    let hits = counter();
    let c = client(&serve(flaky(hits.clone(), 1, server_error)).await);
    let e = c.create_conversation(None, &[]).await.unwrap_err();
    assert_eq!(e.status, Some(500));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn gives_up_after_max_retries() {
    let hits = counter();
    let c = client_with(
        &serve(flaky(hits.clone(), 100, rate_limited)).await,
        Duration::from_secs(5),
        1,
    );
    let e = c.get_conversation("conv_1").await.unwrap_err();
    assert_eq!(e.status, Some(429));
    assert_eq!(e.code.as_deref(), Some("rate_limit_exceeded"));
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn timeouts_retry_reads_but_not_creates() {
    let hits = counter();
    let h = hits.clone();
    let slow = move || {
        let h = h.clone();
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(3)).await;
            Json(json!({}))
        }
    };
    let long = "conv_0123456789abcdef0123456789abcdef0123456789abcdef";
    let app = Router::new()
        .route("/v1/conversations/conv_1", get(slow.clone()))
        .route(&format!("/v1/conversations/{long}/items"), post(slow));
    let base = serve(app).await;
    let c = client_with(&base, Duration::from_millis(200), 1);
    let e = c
        .create_items(long, &[json!({"role": "user", "content": "x"})], &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // The cause first, the URL shortened in the middle, and no false "not created".
    assert_eq!(
        e.message,
        "timed out: POST …/conversations/conv_01…/items; it may have been created; check before sending again"
    );
    let e = c.get_conversation("conv_1").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert_eq!(e.message, "timed out: GET …/conversations/conv_1");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

/// A raw HTTP server that drops the first `drops` connections after reading the request.
async fn dropping_server(drops: usize, hits: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let n = hits.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            if n < drops {
                drop(sock);
                continue;
            }
            let body = r#"{"id":"conv_1","object":"conversation","created_at":1,"metadata":{}}"#;
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
        }
    });
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_reads_only() {
    let hits = counter();
    let c = client(&dropping_server(1, hits.clone()).await);
    c.get_conversation("conv_1").await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    let hits = counter();
    let c = client(&dropping_server(1, hits.clone()).await);
    let e = c.create_conversation(None, &[]).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network, "{e}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert!(e.message.starts_with("connection failed ("), "{e}");
    assert!(
        e.message.ends_with(
            ": POST …/conversations; it may have been created; check before sending again"
        ),
        "{e}"
    );
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_creates() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = client_with(&format!("http://{addr}/v1"), Duration::from_secs(5), 1);
    let started = std::time::Instant::now();
    let e = c.create_conversation(None, &[]).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connect, "{e}");
    // Never sent, so never "may have been created".
    assert!(e.message.starts_with("cannot connect ("), "{e}");
    assert!(!e.message.contains("may have been"), "{e}");
    // One backoff (0.375 to 0.5 s) shows that it was retried.
    assert!(started.elapsed() >= Duration::from_millis(300));
}

/// A conversation whose items cannot all be read is not deleted: its backup would be partial.
#[tokio::test]
async fn a_conversation_is_not_deleted_when_its_backup_would_be_incomplete() {
    let deletes = counter();
    let d = deletes.clone();
    let app = Router::new()
        .route(
            "/v1/conversations/conv_1",
            get(|| async { Json(json!({"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}})) })
                .delete(move || {
                    d.fetch_add(1, Ordering::SeqCst);
                    async { Json(json!({"id": "conv_1", "object": "conversation.deleted", "deleted": true})) }
                }),
        )
        .route(
            "/v1/conversations/conv_1/items",
            get(|| async {
                Json(json!({"object": "list", "data": [msg("m1")], "first_id": "m1", "last_id": "m1", "has_more": true}))
            }),
        );
    let base = serve(app).await;
    let dir = tempfile::tempdir().unwrap();
    let backup = convtui::deletion::Backup {
        path: dir.path().join("deleted.jsonl"),
        profile: "test".into(),
    };
    let err = convtui::deletion::conversation(&client(&base), &backup, "conv_1")
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("not deleted"), "{err}");
    assert_eq!(deletes.load(Ordering::SeqCst), 0, "no DELETE was sent");
    assert!(!backup.path.exists());
}
