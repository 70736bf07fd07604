//! Shared test helpers: a real server on 127.0.0.1 and a plain HTTP helper.
#![allow(dead_code)]

pub mod cli;
pub mod proxy;
pub mod serve;
pub mod tmux;

use convtui::server::{self, Database, RunningServer, ServeOptions};
use serde_json::Value;

/// Sends a DELETE to `url` with curl, as another client would, behind convtui's back;
/// answers the HTTP status.
pub fn delete_behind(url: &str) -> String {
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "DELETE",
            url,
        ])
        .output()
        .expect("curl runs");
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub async fn start_with(database: Database, api_key: Option<&str>) -> RunningServer {
    server::start(ServeOptions {
        addr: "127.0.0.1:0".parse().expect("address"),
        database,
        api_key: api_key.map(String::from),
    })
    .await
    .expect("server starts")
}

pub async fn start_memory() -> RunningServer {
    start_with(Database::Memory, None).await
}

/// An in-memory server with the given limits.
pub async fn start_limited(
    database: Database,
    api_key: Option<&str>,
    limits: server::Limits,
) -> RunningServer {
    server::start_with(
        ServeOptions {
            addr: "127.0.0.1:0".parse().expect("address"),
            database,
            api_key: api_key.map(String::from),
        },
        limits,
    )
    .await
    .expect("server starts")
}

/// An in-memory server that keeps item types the API does not list (`--allow-unknown-item-types`).
pub async fn start_any_types() -> RunningServer {
    let limits = server::Limits {
        allow_unknown_item_types: true,
        ..server::Limits::default()
    };
    start_limited(Database::Memory, None, limits).await
}

/// A raw HTTP response: status, request id and JSON body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: Value,
}

impl Reply {
    /// Asserts the OpenAI error envelope and returns (code, param, message).
    pub fn error(&self) -> (Value, Value, String) {
        let e = &self.body["error"];
        assert_eq!(e["type"], "invalid_request_error", "body: {}", self.body);
        let keys: Vec<&String> = e.as_object().expect("error object").keys().collect();
        assert_eq!(keys, ["message", "type", "param", "code"]);
        (
            e["code"].clone(),
            e["param"].clone(),
            e["message"].as_str().unwrap_or_default().to_string(),
        )
    }
}

pub struct Http {
    pub base: String,
    pub client: reqwest::Client,
    pub key: Option<String>,
}

impl Http {
    pub fn new(server: &RunningServer) -> Self {
        Http {
            base: server.base_url(),
            client: reqwest::Client::new(),
            key: None,
        }
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let mut req = self.client.request(
            method.parse().expect("method"),
            format!("{}{}", self.base, path),
        );
        if let Some(k) = &self.key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        reply(req).await
    }

    pub async fn raw(&self, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let req = self
            .client
            .request(
                method.parse().expect("method"),
                format!("{}{}", self.base, path),
            )
            .header("content-type", content_type)
            .body(body);
        reply(req).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send("POST", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None).await
    }

    /// Adds items in chunks of 20 and answers what the server stored, in order.
    pub async fn add_items(&self, conv: &str, items: &[Value]) -> Vec<Value> {
        let mut stored = Vec::new();
        for chunk in items.chunks(20) {
            let r = self
                .post(
                    &format!("/conversations/{conv}/items"),
                    serde_json::json!({"items": chunk}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            stored.extend(r.body["data"].as_array().cloned().unwrap_or_default());
        }
        stored
    }

    /// Creates a conversation and answers its id.
    pub async fn conversation(&self) -> String {
        let r = self.post("/conversations", serde_json::json!({})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["id"].as_str().expect("id").to_string()
    }
}

/// One blocking request for tests that drive the binary from plain threads: status and JSON
/// body (`null` when the body is not JSON).
pub fn call(method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut req = reqwest::Client::new().request(method.parse().unwrap(), url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    })
}

/// Creates a conversation titled `title` holding `item(0)…item(n-1)`, oldest first, sent 20
/// at a time (the API's limit per request); answers its id.
pub fn seed_with(base: &str, title: &str, n: usize, item: impl Fn(usize) -> Value) -> String {
    let (status, c) = call(
        "POST",
        &format!("{base}/conversations"),
        Some(serde_json::json!({"metadata": {"title": title}})),
    );
    assert_eq!(status, 200, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let items: Vec<Value> = (0..n).map(item).collect();
    for chunk in items.chunks(20) {
        let (status, body) = call(
            "POST",
            &format!("{base}/conversations/{id}/items"),
            Some(serde_json::json!({"items": chunk})),
        );
        assert_eq!(status, 200, "{body}");
    }
    id
}

pub async fn reply(req: reqwest::RequestBuilder) -> Reply {
    let res = req.send().await.expect("request sent");
    let status = res.status().as_u16();
    let request_id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let text = res.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        request_id,
        body,
    }
}
