//! Every endpoint of `convtui serve`, over real HTTP.

mod common;

use common::{start_any_types, start_memory, Http};
use serde_json::json;

fn is_hex_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|h| h.len() == 48 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

#[tokio::test]
async fn conversation_lifecycle() {
    let server = start_memory().await;
    let http = Http::new(&server);

    let created = http
        .post(
            "/conversations",
            json!({"metadata": {"topic": "demo"}, "items": [{"type": "message", "role": "user", "content": "Hello!"}]}),
        )
        .await;
    assert_eq!(created.status, 200);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert!(is_hex_id(&id, "conv_"), "{id}");
    assert_eq!(created.body["object"], "conversation");
    assert!(created.body["created_at"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(created.body["metadata"], json!({"topic": "demo"}));
    let rid = created.request_id.unwrap();
    assert!(rid.starts_with("req_") && rid.len() == 36);

    let got = http.get(&format!("/conversations/{id}")).await;
    assert_eq!(got.body, created.body);

    // Update replaces the whole map.
    let updated = http
        .post(
            &format!("/conversations/{id}"),
            json!({"metadata": {"a": "1"}}),
        )
        .await;
    assert_eq!(updated.body["metadata"], json!({"a": "1"}));
    // null clears it.
    let cleared = http
        .post(&format!("/conversations/{id}"), json!({"metadata": null}))
        .await;
    assert_eq!(cleared.body["metadata"], json!({}));

    let deleted = http.delete(&format!("/conversations/{id}")).await;
    assert_eq!(
        deleted.body,
        json!({"id": id, "object": "conversation.deleted", "deleted": true})
    );
    for path in [
        format!("/conversations/{id}"),
        format!("/conversations/{id}/items"),
    ] {
        let r = http.get(&path).await;
        assert_eq!(r.status, 404);
        assert_eq!(
            r.error().2,
            format!("Conversation with id '{id}' not found.")
        );
    }
    assert_eq!(
        http.delete(&format!("/conversations/{id}")).await.status,
        404
    );
}

#[tokio::test]
async fn create_without_body_has_empty_metadata() {
    let server = start_memory().await;
    let http = Http::new(&server);
    let r = http.send("POST", "/conversations", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["metadata"], json!({}));
}

#[tokio::test]
async fn items_create_list_get_delete() {
    let server = start_any_types().await;
    let http = Http::new(&server);
    let conv = http.conversation().await;
    let items = json!({"items": [
        {"type": "message", "role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}", "status": "completed"},
        {"type": "function_call_output", "call_id": "call_1", "output": "{\"temp_c\":21}"},
        {"type": "future_thing", "nested": {"a": [1, 2, {"b": null}]}}
    ]});
    let created = http
        .post(
            &format!("/conversations/{conv}/items?include[]=message.output_text.logprobs"),
            items,
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let data = created.body["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 5);
    assert_eq!(created.body["has_more"], false);
    assert_eq!(created.body["first_id"], data[0]["id"]);
    assert_eq!(created.body["last_id"], data[4]["id"]);
    assert!(is_hex_id(data[0]["id"].as_str().unwrap(), "msg_"));
    assert!(is_hex_id(data[2]["id"].as_str().unwrap(), "fc_"));
    assert_eq!(
        data[0]["content"],
        json!([{"type": "input_text", "text": "Hi"}])
    );
    assert_eq!(data[0]["status"], "completed");
    assert_eq!(data[1]["content"][0]["type"], "output_text");
    assert_eq!(data[1]["content"][0]["text"], "Hello");
    assert_eq!(data[2]["arguments"], "{\"city\":\"Paris\"}");
    assert_eq!(data[4]["nested"], json!({"a": [1, 2, {"b": null}]}));

    // Default order is desc.
    let listed = http.get(&format!("/conversations/{conv}/items")).await;
    let ids: Vec<_> = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    let mut expected: Vec<_> = data.iter().map(|i| i["id"].clone()).collect();
    expected.reverse();
    assert_eq!(ids, expected);

    let fc_id = data[2]["id"].as_str().unwrap();
    let one = http
        .get(&format!(
            "/conversations/{conv}/items/{fc_id}?include=code_interpreter_call.outputs"
        ))
        .await;
    assert_eq!(one.body, data[2]);

    let after_delete = http
        .delete(&format!("/conversations/{conv}/items/{fc_id}"))
        .await;
    assert_eq!(after_delete.body["object"], "conversation");
    assert_eq!(after_delete.body["id"], conv.as_str());
    let gone = http
        .get(&format!("/conversations/{conv}/items/{fc_id}"))
        .await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.error().2,
        format!("Item with id '{fc_id}' not found in conversation.")
    );
    let listed = http
        .get(&format!("/conversations/{conv}/items?order=asc"))
        .await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn empty_page_has_null_ids() {
    let server = start_memory().await;
    let http = Http::new(&server);
    let conv = http.conversation().await;
    let r = http.get(&format!("/conversations/{conv}/items")).await;
    assert_eq!(
        r.body,
        json!({"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false})
    );
}

#[tokio::test]
async fn item_reference_copies_an_item() {
    let server = start_memory().await;
    let http = Http::new(&server);
    let a = http.conversation().await;
    let b = http.conversation().await;
    let created = http
        .post(
            &format!("/conversations/{a}/items"),
            json!({"items": [{"role": "user", "content": "shared"}]}),
        )
        .await;
    let src = created.body["data"][0]["id"].as_str().unwrap().to_string();
    let copied = http
        .post(
            &format!("/conversations/{b}/items"),
            json!({"items": [{"type": "item_reference", "id": src}]}),
        )
        .await;
    assert_eq!(copied.status, 200, "{}", copied.body);
    assert_eq!(copied.body["data"][0]["content"][0]["text"], "shared");
    assert_ne!(copied.body["data"][0]["id"], src.as_str());
}

#[tokio::test]
async fn conversation_list_extension_pages() {
    let server = start_memory().await;
    let http = Http::new(&server);
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(http.conversation().await);
    }
    let first = http.get("/conversations?limit=2&order=asc").await;
    assert_eq!(first.body["object"], "list");
    assert_eq!(first.body["has_more"], true);
    let last = first.body["last_id"].as_str().unwrap();
    let next = http
        .get(&format!("/conversations?limit=10&order=asc&after={last}"))
        .await;
    let mut ids: Vec<String> = first.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .chain(next.body["data"].as_array().unwrap())
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, made);
    assert_eq!(next.body["has_more"], false);
    // desc is newest first, and deleted conversations are not listed.
    http.delete(&format!("/conversations/{}", made[4])).await;
    let desc = http.get("/conversations").await;
    ids = desc.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let mut expected = made[..4].to_vec();
    expected.reverse();
    assert_eq!(ids, expected);
}

/// Every demo item (every item type of the contract, and an unknown one) is stored and returned
/// exactly as sent, apart from the id the server assigns and a message's normalised content.
#[tokio::test]
async fn every_item_type_round_trips() {
    let server = start_any_types().await;
    let http = Http::new(&server);
    let mut types = std::collections::BTreeSet::new();
    for demo in convtui::demo::conversations().unwrap() {
        let conv = http.conversation().await;
        let stored = http.add_items(&conv, &demo.items).await;
        // Listing gives the same as the create answers.
        let mut listed = Vec::new();
        let mut after = String::new();
        loop {
            let r = http
                .get(&format!(
                    "/conversations/{conv}/items?order=asc&limit=100{after}"
                ))
                .await;
            listed.extend(r.body["data"].as_array().unwrap().clone());
            if r.body["has_more"] != true {
                break;
            }
            after = format!("&after={}", r.body["last_id"].as_str().unwrap());
        }
        assert_eq!(listed, stored);
        for (sent, got) in demo.items.iter().zip(&stored) {
            let mut got = got.as_object().unwrap().clone();
            let id = got.remove("id").unwrap();
            let kind = got["type"].as_str().unwrap().to_string();
            types.insert(kind.clone());
            assert!(id.as_str().unwrap().len() > 48, "{id}");
            let mut sent = sent.as_object().unwrap().clone();
            if kind == "message" {
                sent.entry("type").or_insert(json!("message"));
                sent.entry("status").or_insert(json!("completed"));
                if let Some(text) = sent["content"].as_str().map(String::from) {
                    let part = if sent["role"] == "assistant" {
                        json!({"type": "output_text", "text": text, "annotations": [], "logprobs": []})
                    } else {
                        json!({"type": "input_text", "text": text})
                    };
                    sent.insert("content".into(), json!([part]));
                }
            }
            assert_eq!(got, sent);
        }
    }
    assert!(types.len() >= 30, "{types:?}");
    assert!(types.contains("memory_snapshot"));
}
