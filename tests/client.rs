//! The client against the real server, started in this process.

use std::time::Duration;

use convtui::api::{
    ApiError, Client, ClientSettings, ErrorKind, ListParams, Metadata, Order, PageEvent, Secret,
};
use convtui::server::{self, Database, RunningServer, ServeOptions};
use futures::StreamExt;
use serde_json::{json, Value};

async fn start(api_key: Option<&str>) -> RunningServer {
    server::start(ServeOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        database: Database::Memory,
        api_key: api_key.map(str::to_string),
    })
    .await
    .unwrap()
}

fn client(server: &RunningServer, key: Option<&str>) -> Client {
    Client::new(ClientSettings {
        api_key: key.map(Secret::new),
        timeout: Duration::from_secs(10),
        max_retries: 0,
        ..ClientSettings::new(server.base_url())
    })
    .unwrap()
}

fn md(pairs: &[(&str, &str)]) -> Metadata {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn user(text: &str) -> Value {
    json!({"type": "message", "role": "user", "content": text})
}

#[tokio::test]
async fn every_endpoint() {
    let server = start(None).await;
    let c = client(&server, None);
    assert_eq!(c.base_url(), server.base_url());

    let conv = c
        .create_conversation(Some(&md(&[("topic", "demo")])), &[user("hello")])
        .await
        .unwrap();
    assert!(conv.id.starts_with("conv_"));
    assert_eq!(conv.object, "conversation");
    assert_eq!(conv.metadata, md(&[("topic", "demo")]));
    let empty = c.create_conversation(None, &[]).await.unwrap();
    assert!(empty.metadata.is_empty());

    let got = c.get_conversation(&conv.id).await.unwrap();
    assert_eq!(got, conv);

    let updated = c
        .update_conversation(&conv.id, Some(&md(&[("a", "b")])))
        .await
        .unwrap();
    assert_eq!(updated.metadata, md(&[("a", "b")]));
    let cleared = c.update_conversation(&conv.id, None).await.unwrap();
    assert!(cleared.metadata.is_empty());

    let created = c
        .create_items(
            &conv.id,
            &[user("one"), json!({"role": "assistant", "content": "two"})],
            &["message.output_text.logprobs".to_string()],
        )
        .await
        .unwrap();
    assert_eq!(created.data.len(), 2);
    assert!(!created.has_more);
    let m = created.data[1].as_message().unwrap();
    assert_eq!(m.role, "assistant");
    assert_eq!(m.text(), "two");

    let page = c
        .list_items(
            &conv.id,
            &ListParams {
                limit: 2,
                order: Order::Asc,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.data.len(), 2);
    assert!(page.has_more);
    assert_eq!(page.data[0].as_message().unwrap().text(), "hello");
    assert_eq!(page.first_id.as_deref(), page.data[0].id());

    let mut all = Vec::new();
    let mut stream = Box::pin(c.item_pages(
        &conv.id,
        ListParams {
            limit: 1,
            order: Order::Asc,
            ..Default::default()
        },
    ));
    while let Some(ev) = stream.next().await {
        match ev.unwrap() {
            PageEvent::Page(p) => all.extend(p.data),
            PageEvent::Stopped(w) => panic!("unexpected stop: {w}"),
        }
    }
    let texts: Vec<String> = all.iter().map(|i| i.as_message().unwrap().text()).collect();
    assert_eq!(texts, ["hello", "one", "two"]);

    let one_id = created.data[0].id().unwrap().to_string();
    let item = c.get_item(&conv.id, &one_id, &[]).await.unwrap();
    assert_eq!(item.id(), Some(one_id.as_str()));
    assert_eq!(item.kind(), "message");
    c.delete_item(&conv.id, &one_id).await.unwrap();
    let e = c.get_item(&conv.id, &one_id, &[]).await.unwrap_err();
    assert_eq!(e.status, Some(404));
    assert_eq!(
        e.message,
        format!("Item with id '{one_id}' not found in conversation.")
    );

    let listed = c.list_conversations(&ListParams::default()).await.unwrap();
    assert!(listed.data.iter().any(|x| x.id == conv.id));

    let deleted = c.delete_conversation(&conv.id).await.unwrap();
    assert!(deleted.deleted);
    assert_eq!(deleted.id, conv.id);
    assert_eq!(deleted.object, "conversation.deleted");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn server_errors() {
    let server = start(None).await;
    let c = client(&server, None);
    let e = c.get_conversation("conv_missing").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Status);
    assert_eq!(e.status, Some(404));
    assert_eq!(e.error_type.as_deref(), Some("invalid_request_error"));
    let rid = e.request_id.clone().expect("x-request-id");
    assert_eq!(
        e.to_string(),
        format!("Conversation with id 'conv_missing' not found. (HTTP 404 invalid_request_error, request {rid})")
    );

    let conv = c.create_conversation(None, &[]).await.unwrap();
    // 400 validation from the server.
    let e = c
        .list_items(
            &conv.id,
            &ListParams {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status, Some(400));
    assert_eq!(e.code.as_deref(), Some("integer_above_max_value"));
    assert_eq!(e.param.as_deref(), Some("limit"));
    let e = c
        .create_items(&conv.id, &[json!({"type": "message", "content": "x"})], &[])
        .await
        .unwrap_err();
    assert_eq!(e.code.as_deref(), Some("invalid_value"));
    let e = c
        .list_items(
            &conv.id,
            &ListParams {
                include: vec!["bogus".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status, Some(400));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn authentication() {
    let server = start(Some("sk-right-key-123456")).await;
    let ok = client(&server, Some("sk-right-key-123456"));
    ok.create_conversation(None, &[]).await.unwrap();
    let wrong = client(&server, Some("sk-wrong-key-987654"));
    let e = wrong.create_conversation(None, &[]).await.unwrap_err();
    assert_eq!(e.status, Some(401));
    assert_eq!(e.code.as_deref(), Some("invalid_api_key"));
    for text in [e.to_string(), format!("{e:?}"), format!("{wrong:?}")] {
        assert!(!text.contains("sk-wrong-key-987654"), "{text}");
    }
    let none = client(&server, None);
    let e = none.get_conversation("conv_x").await.unwrap_err();
    assert_eq!(e.status, Some(401));
    assert!(e.message.starts_with("You didn't provide an API key."));
    server.shutdown().await.unwrap();
}

fn rejected(e: ApiError) -> ApiError {
    assert_eq!(e.kind, ErrorKind::Validation, "{e}");
    assert_eq!(e.status, None);
    e
}

#[tokio::test]
async fn checked_before_sending() {
    // Nothing listens here: any request sent would fail with a connect error.
    let c = Client::new(ClientSettings {
        max_retries: 0,
        ..ClientSettings::new("http://127.0.0.1:9/v1")
    })
    .unwrap();
    let many: Metadata = (0..17).map(|i| (format!("k{i}"), "v".into())).collect();
    let e = rejected(c.create_conversation(Some(&many), &[]).await.unwrap_err());
    assert_eq!(e.message, "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.");
    let long_key = md(&[(&"k".repeat(65), "v")]);
    let e = rejected(
        c.update_conversation("conv_1", Some(&long_key))
            .await
            .unwrap_err(),
    );
    assert_eq!(e.code.as_deref(), Some("property_name_above_max_length"));
    let long_value = md(&[("k", &"v".repeat(513))]);
    let e = rejected(
        c.update_conversation("conv_1", Some(&long_value))
            .await
            .unwrap_err(),
    );
    assert_eq!(e.message, "Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but got a string with length 513 instead.");
    let e = rejected(
        c.create_conversation(Some(&md(&[("", "v")])), &[])
            .await
            .unwrap_err(),
    );
    assert_eq!(e.code.as_deref(), Some("property_name_below_min_length"));
    let items: Vec<Value> = (0..21).map(|i| user(&i.to_string())).collect();
    let e = rejected(c.create_items("conv_1", &items, &[]).await.unwrap_err());
    assert_eq!(e.message, "Invalid 'items': array too long. Expected an array with maximum length 20, but got an array with length 21 instead.");
    rejected(c.create_conversation(None, &items).await.unwrap_err());
    rejected(c.create_items("conv_1", &[], &[]).await.unwrap_err());
    rejected(c.get_conversation("").await.unwrap_err());
    rejected(c.get_item("conv_1", "", &[]).await.unwrap_err());
    rejected(c.delete_item("", "msg_1").await.unwrap_err());
    // And a real send to nowhere is a connect error.
    let e = c.get_conversation("conv_1").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connect, "{e}");
}

#[tokio::test]
async fn ids_are_path_segments() {
    let server = start(None).await;
    let c = client(&server, None);
    let e = c.get_conversation("a/b?c#d").await.unwrap_err();
    assert_eq!(e.status, Some(404));
    assert_eq!(e.message, "Conversation with id 'a/b?c#d' not found.");
    server.shutdown().await.unwrap();
}

#[test]
fn bad_base_url_is_a_setup_error() {
    let e = Client::new(ClientSettings::new("not a url")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Setup);
}

#[tokio::test]
async fn a_password_in_the_base_url_is_never_shown() {
    let c = Client::new(ClientSettings::new(
        "http://user:sk-secret-pw@127.0.0.1:9/v1",
    ))
    .unwrap();
    assert_eq!(c.base_url(), "http://user:****@127.0.0.1:9/v1");
    let e = c.get_conversation("conv_x").await.unwrap_err();
    assert!(!e.to_string().contains("sk-secret-pw"), "{e}");
    let e = Client::new(ClientSettings::new("ht!tp://u:sk-secret-pw@")).unwrap_err();
    assert!(!e.to_string().contains("sk-secret-pw"), "{e}");
}
