//! `serve --chaos`: each fault against the real server, and a seed that repeats a run.

mod common;

use std::time::{Duration, Instant};

use common::start_limited;
use convtui::server::{chaos, Database, Limits, RunningServer};

async fn chaotic(spec: &str) -> RunningServer {
    let limits = Limits {
        chaos: Some(chaos::parse(spec).expect("a valid spec")),
        ..Limits::default()
    };
    start_limited(Database::Memory, None, limits).await
}

async fn get(server: &RunningServer, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", server.base_url()))
        .send()
        .await
        .expect("an answer")
}

#[tokio::test]
async fn each_fault_does_what_it_says() {
    let s = chaotic("429=7@GET /v1/conversations").await;
    let r = get(&s, "/conversations").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
    assert!(r.headers().contains_key("x-request-id"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");
    // Only the named path and method.
    let r = reqwest::Client::new()
        .post(format!("{}/conversations", s.base_url()))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    for (spec, status) in [("500", 500), ("503", 503)] {
        let r = get(&chaotic(spec).await, "/conversations").await;
        assert_eq!(r.status(), status);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["type"], "server_error");
    }

    let r = get(&chaotic("garbage").await, "/conversations").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.json::<serde_json::Value>().await.is_err(),
        "garbage parsed as JSON"
    );

    let r = get(&chaotic("error200").await, "/conversations").await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["error"]["message"].is_string());

    let r = get(&chaotic("reset").await, "/conversations").await;
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.is_err(), "the body arrived whole");

    let s = chaotic("latency=300ms").await;
    let started = Instant::now();
    assert_eq!(get(&s, "/conversations").await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let s = chaotic("stall=30s").await;
    let r = get(&s, "/conversations").await;
    let body = tokio::time::timeout(Duration::from_millis(800), r.bytes()).await;
    assert!(body.is_err(), "a stalled body arrived");
}

/// The same seed and the same requests meet the same faults; every=N counts requests.
#[tokio::test]
async fn a_seed_repeats_a_run() {
    async fn run(spec: &str) -> Vec<u16> {
        let s = chaotic(spec).await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(get(&s, "/conversations").await.status().as_u16());
        }
        statuses
    }
    let spec = "500:0.2,503:0.2,429:every=5;seed=42";
    let a = run(spec).await;
    assert_eq!(a, run(spec).await);
    assert!(
        a.contains(&500) && a.contains(&503) && a.contains(&200),
        "{a:?}"
    );
    let every = run("503:every=4").await;
    for (i, s) in every.iter().enumerate() {
        assert_eq!(
            *s,
            if (i + 1) % 4 == 0 { 503 } else { 200 },
            "request {}",
            i + 1
        );
    }
}
