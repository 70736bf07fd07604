//! Every error row of CONTRACT §6.2, plus body and auth checks, over real HTTP.

mod common;

use common::{start_memory, start_with, Http};
use convtui::server::{self, Database, ServeError, ServeOptions};
use serde_json::{json, Map, Value};

async fn setup() -> (convtui::server::RunningServer, Http, String) {
    let server = start_memory().await;
    let http = Http::new(&server);
    let conv = http.conversation().await;
    (server, http, conv)
}

fn assert_error(r: &common::Reply, status: u16, code: Value, param: Value, message: &str) {
    assert_eq!(r.status, status, "body: {}", r.body);
    assert!(r
        .request_id
        .as_deref()
        .is_some_and(|id| id.starts_with("req_")));
    let (c, p, m) = r.error();
    assert_eq!((c, p, m.as_str()), (code, param, message));
}

#[tokio::test]
async fn not_found_rows() {
    let (_s, http, conv) = setup().await;
    let msg = "Conversation with id 'conv_missing' not found.";
    for (method, path) in [
        ("GET", "/conversations/conv_missing"),
        ("DELETE", "/conversations/conv_missing"),
        ("GET", "/conversations/conv_missing/items"),
        ("GET", "/conversations/conv_missing/items/msg_1"),
        ("DELETE", "/conversations/conv_missing/items/msg_1"),
    ] {
        let r = http.send(method, path, None).await;
        assert_error(&r, 404, Value::Null, Value::Null, msg);
    }
    let r = http
        .post("/conversations/conv_missing", json!({"metadata": {}}))
        .await;
    assert_error(&r, 404, Value::Null, Value::Null, msg);
    let r = http
        .post(
            "/conversations/conv_missing/items",
            json!({"items": [{"role": "user", "content": "x"}]}),
        )
        .await;
    assert_error(&r, 404, Value::Null, Value::Null, msg);
    let r = http
        .get(&format!("/conversations/{conv}/items/msg_nope"))
        .await;
    assert_error(
        &r,
        404,
        Value::Null,
        Value::Null,
        "Item with id 'msg_nope' not found in conversation.",
    );
    let r = http
        .delete(&format!("/conversations/{conv}/items/msg_nope"))
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn limit_rows() {
    let (_s, http, conv) = setup().await;
    let r = http
        .get(&format!("/conversations/{conv}/items?limit=1000"))
        .await;
    assert_error(&r, 400, json!("integer_above_max_value"), json!("limit"),
        "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 1000 instead.");
    let r = http
        .get(&format!("/conversations/{conv}/items?limit=0"))
        .await;
    assert_error(
        &r,
        400,
        json!("integer_below_min_value"),
        json!("limit"),
        "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    );
    let r = http
        .get(&format!("/conversations/{conv}/items?limit=abc"))
        .await;
    assert_error(
        &r,
        400,
        json!("invalid_type"),
        json!("limit"),
        "Invalid type for 'limit': expected an integer, but got a string instead.",
    );
    let r = http
        .get(&format!("/conversations/{conv}/items?order=up"))
        .await;
    assert_error(
        &r,
        400,
        json!("invalid_value"),
        json!("order"),
        "Invalid value: 'up'. Supported values are: 'asc' and 'desc'.",
    );
    let r = http
        .get(&format!("/conversations/{conv}/items?after=msg_unknown"))
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn include_rows() {
    let (_s, http, conv) = setup().await;
    for q in [
        "include[]=bogus",
        "include=bogus",
        "include%5B%5D=reasoning.encrypted_content&include%5B%5D=bogus",
    ] {
        let r = http.get(&format!("/conversations/{conv}/items?{q}")).await;
        assert_eq!(r.status, 400, "{q}");
        let (code, param, message) = r.error();
        assert_eq!((code, param), (json!("invalid_value"), json!("include")));
        assert!(
            message.starts_with(
                "Invalid value: 'bogus'. Supported values are: 'file_search_call.results',"
            ),
            "{message}"
        );
    }
    let ok = http
        .get(&format!("/conversations/{conv}/items?include[]=reasoning.encrypted_content&include=message.output_text.logprobs"))
        .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn item_rows() {
    let (_s, http, conv) = setup().await;
    let path = format!("/conversations/{conv}/items");
    let r = http
        .post(
            &path,
            json!({"items": [{"type": "message", "content": "no role"}]}),
        )
        .await;
    assert_error(
        &r,
        400,
        json!("invalid_value"),
        json!("items[0]"),
        "Invalid value: ''. Supported values are: 'assistant', 'system', 'developer', and 'user'.",
    );
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"role": "user", "content": format!("m{i}")}))
        .collect();
    let r = http.post(&path, json!({"items": many})).await;
    assert_error(&r, 400, json!("array_above_max_length"), json!("items"),
        "Invalid 'items': array too long. Expected an array with maximum length 20, but got an array with length 21 instead.");
    let r = http.post("/conversations", json!({"items": many})).await;
    assert_eq!(r.status, 400);
    let r = http.post(&path, json!({})).await;
    assert_error(
        &r,
        400,
        json!("missing_required_parameter"),
        json!("items"),
        "Missing required parameter: 'items'.",
    );
    let r = http.post(&path, json!({"items": "x"})).await;
    assert_error(
        &r,
        400,
        json!("invalid_type"),
        json!("items"),
        "Invalid type for 'items': expected an array, but got a string instead.",
    );
    let r = http
        .post(&path, json!({"items": [{"role": "user", "content": 5}]}))
        .await;
    assert_error(&r, 400, json!("invalid_type"), json!("items[0].content"),
        "Invalid type for 'items[0].content': expected a string or an array, but got an integer instead.");
    let r = http
        .post(
            &path,
            json!({"items": [{"type": "function_call", "name": "f", "arguments": "{}"}]}),
        )
        .await;
    assert_error(
        &r,
        400,
        json!("missing_required_parameter"),
        json!("items[0].call_id"),
        "Missing required parameter: 'items[0].call_id'.",
    );
    let r = http.post(&path, json!({"items": [{"type": 7}]})).await;
    assert_eq!(r.error().1, json!("items[0].type"));
    let r = http.post(&path, json!({"items": [], "extra": 1})).await;
    assert_error(
        &r,
        400,
        json!("unknown_parameter"),
        json!("extra"),
        "Unknown parameter: 'extra'.",
    );
    let r = http.post(&path, json!({"items": []})).await;
    assert_eq!(r.error().0, json!("empty_array"));
    // Nothing of a rejected batch is stored.
    let listed = http.get(&path).await;
    assert_eq!(listed.body["data"], json!([]));
}

#[tokio::test]
async fn metadata_rows() {
    let (_s, http, conv) = setup().await;
    let path = format!("/conversations/{conv}");
    let many: Map<String, Value> = (0..17).map(|i| (format!("k{i}"), json!("v"))).collect();
    let r = http.post(&path, json!({"metadata": many})).await;
    assert_error(&r, 400, json!("object_above_max_properties"), json!("metadata"),
        "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.");
    let r = http
        .post(&path, json!({"metadata": {"k": "v".repeat(600)}}))
        .await;
    assert_error(&r, 400, json!("string_above_max_length"), json!("metadata.k"),
        "Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but got a string with length 600 instead.");
    let key = "k".repeat(70);
    let r = http
        .post(&path, json!({"metadata": {key.clone(): "v"}}))
        .await;
    assert_error(&r, 400, json!("property_name_above_max_length"), json!(format!("metadata.{key}")),
        &format!("Invalid property name in 'metadata': '{key}' is too long. Expected a string with maximum length 64, but got a string with length 70 instead."));
    let r = http.post(&path, json!({"metadata": {"n": 5}})).await;
    assert_error(
        &r,
        400,
        json!("invalid_type"),
        json!("metadata.n"),
        "Invalid type for 'metadata.n': expected a string, but got an integer instead.",
    );
    let r = http.post(&path, json!({"metadata": "x"})).await;
    assert_error(
        &r,
        400,
        json!("invalid_type"),
        json!("metadata"),
        "Invalid type for 'metadata': expected an object, but got a string instead.",
    );
    let r = http.post(&path, json!({})).await;
    assert_error(
        &r,
        400,
        json!("missing_required_parameter"),
        json!("metadata"),
        "Missing required parameter: 'metadata'.",
    );
    let r = http
        .post(&path, json!({"metadata": {}, "title": "x"}))
        .await;
    assert_error(
        &r,
        400,
        json!("unknown_parameter"),
        json!("title"),
        "Unknown parameter: 'title'.",
    );
    let r = http.post("/conversations", json!({"metadata": many})).await;
    assert_eq!(r.status, 400);
    // The limits themselves are accepted.
    let ok: Map<String, Value> = (0..16)
        .map(|i| (format!("{i}{}", "k".repeat(62)), json!("v".repeat(512))))
        .collect();
    assert_eq!(http.post(&path, json!({"metadata": ok})).await.status, 200);
}

#[tokio::test]
async fn body_rows() {
    let (_s, http, conv) = setup().await;
    let path = format!("/conversations/{conv}/items");
    let r = http
        .raw("POST", &path, "application/json", b"{\"items\": [".to_vec())
        .await;
    let (code, _, message) = r.error();
    assert_eq!((r.status, code), (400, Value::Null));
    assert!(message.starts_with("We could not parse the JSON body of your request."));
    let r = http
        .raw("POST", &path, "text/plain", br#"{"items":[]}"#.to_vec())
        .await;
    assert_error(
        &r,
        400,
        json!("unsupported_content_type"),
        Value::Null,
        "Invalid Content-Type header (text/plain), expected application/json.",
    );
    let r = http
        .raw(
            "POST",
            &path,
            "application/json; charset=utf-8",
            br#"{"items":[{"role":"user","content":"ok"}]}"#.to_vec(),
        )
        .await;
    assert_eq!(r.status, 200);
    let big = format!(
        r#"{{"items":[{{"role":"user","content":"{}"}}]}}"#,
        "x".repeat(17 * 1024 * 1024)
    );
    let r = http
        .raw("POST", &path, "application/json", big.into_bytes())
        .await;
    assert_eq!(r.status, 413);
    assert_eq!(r.error().0, json!("request_too_large"));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(br#"{"items":[{"role":"user","content":"bom"}]}"#);
    assert_eq!(
        http.raw("POST", &path, "application/json", bom)
            .await
            .status,
        200
    );
    let r = http
        .raw("POST", &path, "application/json", b"[1]".to_vec())
        .await;
    assert_eq!(r.error().0, json!("invalid_type"));
    let r = http.get("/nowhere").await;
    assert_error(
        &r,
        404,
        Value::Null,
        Value::Null,
        "Invalid URL (GET /v1/nowhere)",
    );
}

#[tokio::test]
async fn api_key_rules() {
    let server = start_with(Database::Memory, Some("sk-test-secret-1234")).await;
    let mut http = Http::new(&server);
    let r = http.get("/conversations/conv_x").await;
    assert_eq!(r.status, 401);
    let (code, _, message) = r.error();
    assert_eq!(code, Value::Null);
    assert!(message.starts_with("You didn't provide an API key."));
    http.key = Some("sk-wrong-key-98765".into());
    let r = http.get("/conversations/conv_x").await;
    assert_eq!(r.status, 401);
    let (code, _, message) = r.error();
    assert_eq!(code, json!("invalid_api_key"));
    assert!(
        message.starts_with("Incorrect API key provided: sk-"),
        "{message}"
    );
    assert!(
        !message.contains("sk-wrong-key-98765"),
        "the key is not echoed"
    );
    http.key = Some("sk-test-secret-1234".into());
    assert_eq!(http.get("/conversations/conv_x").await.status, 404);
}

#[tokio::test]
async fn non_loopback_needs_a_key() {
    let refused = server::start(ServeOptions {
        addr: "0.0.0.0:0".parse().unwrap(),
        database: Database::Memory,
        api_key: None,
    })
    .await;
    match refused {
        Err(e @ ServeError::NoKeyOnNetwork(_)) => assert!(e.to_string().contains("--api-key")),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a non-loopback server without a key must be refused"),
    }
    let allowed = server::start(ServeOptions {
        addr: "0.0.0.0:0".parse().unwrap(),
        database: Database::Memory,
        api_key: Some("k".into()),
    })
    .await
    .expect("allowed with a key");
    allowed.shutdown().await.unwrap();
}
