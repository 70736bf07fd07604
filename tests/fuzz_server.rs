//! Fuzz target for the local server's request validation, over real HTTP to `server::start`
//! on 127.0.0.1: any method, path, query and body gets an answer, never a 5xx, and every error
//! is OpenAI's error envelope with a request id.
//! `PROPTEST_CASES=20000 cargo test --test fuzz_server` for a long run.

mod common;
mod fuzzing;

use std::sync::OnceLock;

use convtui::server::RunningServer;
use proptest::prelude::*;
use serde_json::{json, Value};

use common::Http;
use fuzzing::{config, item, json, text};

struct Fixture {
    runtime: tokio::runtime::Runtime,
    _server: RunningServer,
    http: Http,
    conv: String,
    item: String,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (server, http, conv, item) = runtime.block_on(async {
            let server = common::start_memory().await;
            let http = Http::new(&server);
            let conv = http.conversation().await;
            let added = http
                .add_items(
                    &conv,
                    &[json!({"type": "message", "role": "user", "content": "hello"})],
                )
                .await;
            let item = added[0]["id"].as_str().expect("item id").to_string();
            (server, http, conv, item)
        });
        Fixture {
            runtime,
            _server: server,
            http,
            conv,
            item,
        }
    })
}

/// Percent-encodes everything but unreserved characters, so any text is one path segment.
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn body() -> impl Strategy<Value = Value> {
    prop_oneof![
        json(),
        prop::collection::vec(item(), 0..24).prop_map(|items| json!({ "items": items })),
        (json(), prop::collection::vec(item(), 0..3))
            .prop_map(|(metadata, items)| json!({"metadata": metadata, "items": items})),
        prop::collection::btree_map(text(70), text(600), 0..20)
            .prop_map(|m| json!({ "metadata": m })),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec!["limit", "order", "after", "include", "include[]", "x"]);
    let value = prop_oneof![
        text(12),
        prop::sample::select(vec![
            "1",
            "0",
            "100",
            "101",
            "-1",
            "asc",
            "desc",
            "9999999999999"
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec((key, value), 0..4).prop_map(|kv| {
        kv.iter()
            .map(|(k, v)| format!("{}={}", segment(k), segment(v)))
            .collect::<Vec<_>>()
            .join("&")
    })
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn every_request_gets_an_answer_or_an_error_envelope(
        method in prop::sample::select(vec!["GET", "POST", "DELETE", "PUT", "PATCH"]),
        shape in 0usize..6,
        id in prop_oneof![Just(None), text(20).prop_map(Some)],
        q in query(),
        b in prop_oneof![Just(None), body().prop_map(Some)],
    ) {
        let f = fixture();
        let conv = id.as_deref().map(segment).unwrap_or_else(|| f.conv.clone());
        let path = match shape {
            0 => "/conversations".to_string(),
            1 => format!("/conversations/{conv}"),
            2 => format!("/conversations/{conv}/items"),
            3 => format!("/conversations/{}/items/{}", f.conv, id.as_deref().map(segment).unwrap_or_else(|| f.item.clone())),
            4 => format!("/conversations/{conv}/items/{}", f.item),
            _ => format!("/{}", segment(id.as_deref().unwrap_or("x"))),
        };
        let path = if q.is_empty() { path } else { format!("{path}?{q}") };
        let reply = f.runtime.block_on(f.http.send(method, &path, b.clone()));
        prop_assert!(reply.status < 500, "{} {} {:?} answered {}: {}", method, path, b, reply.status, reply.body);
        prop_assert!(reply.request_id.is_some(), "{} {} answered without x-request-id", method, path);
        if reply.status >= 400 {
            let e = &reply.body["error"];
            prop_assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{} {}: {}", method, path, reply.body);
            prop_assert!(e["type"].is_string(), "{} {}: {}", method, path, reply.body);
            prop_assert!(e.get("param").is_some() && e.get("code").is_some(), "{} {}: {}", method, path, reply.body);
        }
    }

    /// Bodies that are not JSON at all, under any content type.
    #[test]
    fn any_body_bytes_get_an_error_envelope(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        ct in prop::sample::select(vec!["application/json", "text/plain", "application/json; charset=utf-8", ""]),
        shape in 0usize..3,
    ) {
        let f = fixture();
        let path = match shape {
            0 => "/conversations".to_string(),
            1 => format!("/conversations/{}", f.conv),
            _ => format!("/conversations/{}/items", f.conv),
        };
        let reply = f.runtime.block_on(f.http.raw("POST", &path, ct, bytes.clone()));
        prop_assert!(reply.status < 500, "POST {} answered {}: {}", path, reply.status, reply.body);
        if reply.status >= 400 {
            prop_assert!(reply.body["error"]["message"].is_string(), "POST {}: {}", path, reply.body);
        }
    }
}
