//! The server's protection against held-open connections and oversized requests, over real
//! TCP: header, body and idle timeouts, the connection cap, and refusals in the API's envelope.

mod common;

use std::time::{Duration, Instant};

use common::start_limited;
use convtui::server::{Database, Limits};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn quick() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(1),
        ..Limits::default()
    }
}

/// Reads until the server closes the connection (or `within` passes: then `None`).
async fn read_to_close(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(out),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Splits a raw answer into status, headers (lowercase) and JSON body.
fn parse(raw: &[u8]) -> (u16, String, Value) {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a full answer");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, head.to_ascii_lowercase(), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_are_closed_after_the_header_timeout_even_with_a_key() {
    let server = start_limited(Database::Memory, Some("sk-test-key"), quick()).await;
    let mut conns = Vec::new();
    for _ in 0..200 {
        conns.push(TcpStream::connect(server.addr()).await.unwrap());
    }
    // One more sends half a request head and stops.
    let mut slow = TcpStream::connect(server.addr()).await.unwrap();
    slow.write_all(b"GET /v1/conversations HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    for c in conns.iter_mut().chain(std::iter::once(&mut slow)) {
        let got = read_to_close(c, Duration::from_secs(10)).await;
        assert!(got.is_some(), "a silent connection is still open");
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    // The server still answers.
    let r = reqwest::Client::new()
        .get(format!("{}/conversations", server.base_url()))
        .bearer_auth("sk-test-key")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let server = start_limited(Database::Memory, None, quick()).await;
    let mut c = TcpStream::connect(server.addr()).await.unwrap();
    c.write_all(b"GET /v1/conversations HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let raw = read_to_close(&mut c, Duration::from_secs(10))
        .await
        .expect("closed once idle");
    let (status, _, body) = parse(&raw);
    assert_eq!(status, 200);
    assert_eq!(body["object"], "list");
}

#[tokio::test]
async fn a_body_that_never_arrives_is_a_408_in_the_envelope() {
    let server = start_limited(Database::Memory, None, quick()).await;
    let mut c = TcpStream::connect(server.addr()).await.unwrap();
    c.write_all(
        b"POST /v1/conversations HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"meta",
    )
    .await
    .unwrap();
    let raw = read_to_close(&mut c, Duration::from_secs(10))
        .await
        .expect("answered and closed");
    let (status, head, body) = parse(&raw);
    assert_eq!(status, 408);
    assert!(head.contains("x-request-id: req_"), "{head}");
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

async fn raw_request(
    server: &convtui::server::RunningServer,
    request: Vec<u8>,
) -> (u16, String, Value) {
    let mut c = TcpStream::connect(server.addr()).await.unwrap();
    // The server may refuse before reading everything; a failed write is fine then.
    let _ = c.write_all(&request).await;
    let raw = read_to_close(&mut c, Duration::from_secs(10))
        .await
        .expect("an answer");
    parse(&raw)
}

#[tokio::test]
async fn refusals_before_the_router_use_the_envelope_and_a_request_id() {
    let server = start_limited(Database::Memory, None, Limits::default()).await;
    let cases: Vec<(u16, Vec<u8>)> = vec![
        (
            431,
            format!("GET /v1/conversations/{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(1 << 20)).into_bytes(),
        ),
        (
            414,
            format!("GET /v1/conversations/{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(100 << 10)).into_bytes(),
        ),
        (
            400,
            b"POST /v1/conversations HTTP/1.1\r\nHost: x\r\ncontent-type: application/\0json\r\ncontent-length: 2\r\n\r\n{}".to_vec(),
        ),
    ];
    for (want, request) in cases {
        let (status, head, body) = raw_request(&server, request).await;
        assert_eq!(status, want, "{head}");
        assert!(head.contains("x-request-id: req_"), "{head}");
        assert!(head.contains("content-type: application/json"), "{head}");
        let e = body["error"].as_object().expect("the error envelope");
        let keys: Vec<&String> = e.keys().collect();
        assert_eq!(keys, ["message", "type", "param", "code"]);
        assert_eq!(e["type"], "invalid_request_error");
    }
    // A normal request on a new connection is unaffected.
    let (status, _, body) = raw_request(
        &server,
        b"GET /v1/conversations HTTP/1.1\r\nHost: x\r\nconnection: close\r\n\r\n".to_vec(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["object"], "list");
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_their_turn() {
    let limits = Limits {
        max_connections: 1,
        header_timeout: Duration::from_secs(30),
        ..Limits::default()
    };
    let server = start_limited(Database::Memory, None, limits).await;
    let holder = TcpStream::connect(server.addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut waiting = TcpStream::connect(server.addr()).await.unwrap();
    waiting
        .write_all(b"GET /v1/conversations HTTP/1.1\r\nHost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(
        read_to_close(&mut waiting, Duration::from_millis(700))
            .await
            .is_none(),
        "served beyond the cap"
    );
    drop(holder);
    let raw = read_to_close(&mut waiting, Duration::from_secs(10))
        .await
        .expect("served once a slot is free");
    assert_eq!(parse(&raw).0, 200);
}
