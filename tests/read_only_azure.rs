//! Read-only mode refuses every call that changes something before anything is sent, and an
//! Azure profile sends the `api-key` header and reads Foundry's conversation list (a page
//! without `object`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::any;
use axum::{Json, Router};
use convtui::api::{Auth, Client, ClientSettings, ErrorKind, ListParams, Secret};
use serde_json::json;
use tokio::net::TcpListener;

mod common;

/// A server that counts every request and answers each with an empty conversation.
async fn counting() -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let app = Router::new().fallback(any(move || {
        let c = c.clone();
        async move {
            c.fetch_add(1, Ordering::SeqCst);
            Json(json!({"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}}))
        }
    }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), count)
}

fn client(base: &str, read_only: bool) -> Client {
    Client::new(ClientSettings {
        timeout: Duration::from_secs(10),
        max_retries: 0,
        read_only,
        ..ClientSettings::new(base)
    })
    .unwrap()
}

#[tokio::test]
async fn read_only_refuses_every_mutating_call_before_sending() {
    let (base, count) = counting().await;
    let c = client(&base, true);
    assert!(c.is_read_only());
    let item = json!({"type": "message", "role": "user", "content": "hi"});
    let errors = vec![
        c.create_conversation(None, &[]).await.unwrap_err(),
        c.update_conversation("conv_1", None).await.unwrap_err(),
        c.delete_conversation("conv_1").await.unwrap_err(),
        c.create_items("conv_1", &[item], &[]).await.unwrap_err(),
        c.delete_item("conv_1", "msg_1").await.unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.kind, ErrorKind::Setup, "{e:?}");
        assert!(
            e.message.starts_with("read-only mode: refused to"),
            "{}",
            e.message
        );
        assert!(e.message.contains("nothing was sent"), "{}", e.message);
    }
    assert_eq!(
        count.load(Ordering::SeqCst),
        0,
        "a refused call reached the server"
    );
    // Reads still go out, and the same calls go through without read-only.
    c.get_conversation("conv_1").await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    client(&base, false)
        .delete_conversation("conv_1")
        .await
        .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn read_only_flag_refuses_on_the_command_line() {
    let (base, count) = counting().await;
    let dir = tempfile::tempdir().unwrap();
    let out = tokio::task::spawn_blocking(move || {
        common::cli::command_in(dir.path())
            .args([
                "--read-only",
                "--base-url",
                &base,
                "conversations",
                "delete",
                "conv_1",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("read-only mode"), "{stderr}");
    assert_eq!(count.load(Ordering::SeqCst), 0);
}

/// An Azure-like server: `api-key` required, no `Authorization`, a list page without `object`.
async fn azure() -> String {
    let check = |h: &HeaderMap| {
        h.get("api-key").and_then(|v| v.to_str().ok()) == Some("az-secret")
            && h.get("authorization").is_none()
    };
    let app = Router::new()
        .route(
            "/openai/v1/conversations",
            any(move |h: HeaderMap| async move {
                if !check(&h) {
                    return (StatusCode::UNAUTHORIZED, Json(json!({"error": {"message": "bad key"}})))
                        .into_response();
                }
                Json(json!({
                    "data": [{"id": "conv_az1", "object": "conversation", "created_at": 5, "metadata": {"title": "from azure"}}],
                    "first_id": "conv_az1", "last_id": "conv_az1", "has_more": false
                }))
                .into_response()
            }),
        );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/openai/v1")
}

#[tokio::test]
async fn azure_sends_api_key_and_reads_a_list_without_object() {
    let base = azure().await;
    let c = Client::new(ClientSettings {
        api_key: Some(Secret::new("az-secret")),
        auth: Auth::ApiKeyHeader,
        max_retries: 0,
        ..ClientSettings::new(&base)
    })
    .unwrap();
    let page = c.list_conversations(&ListParams::default()).await.unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].id, "conv_az1");
    // The same key as a bearer token is refused by this server.
    let bearer = Client::new(ClientSettings {
        api_key: Some(Secret::new("az-secret")),
        max_retries: 0,
        ..ClientSettings::new(&base)
    })
    .unwrap();
    assert_eq!(
        bearer
            .list_conversations(&ListParams::default())
            .await
            .unwrap_err()
            .status,
        Some(401)
    );
}

#[tokio::test]
async fn azure_profile_from_the_settings_file_lists_on_the_command_line() {
    let base = azure().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.az]\nkind = \"azure\"\nbase_url = \"{base}\"\napi_key_env = \"AZ_KEY\"\nlabel = \"AZ\"\n\n[profiles.badaz]\nkind = \"azure\"\nbase_url = \"http://127.0.0.1:1/v1\"\nno_api_key = true\n"
        ),
    )
    .unwrap();
    let run = |profile: &'static str| {
        let config = config.clone();
        let data = dir.path().to_path_buf();
        tokio::task::spawn_blocking(move || {
            common::cli::command_in(&data)
                .args(["--config"])
                .arg(&config)
                .args(["--profile", profile, "conversations", "list"])
                .env("AZ_KEY", "az-secret")
                .output()
                .unwrap()
        })
    };
    let out = run("az").await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("conv_az1"), "{stdout}");
    assert!(!stdout.contains("az-secret"));
    let out = run("badaz").await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/openai/v1"), "{stderr}");
}
