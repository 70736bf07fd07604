//! Offline reading against a real mirror file: what is offered, and what a first page says.

use super::tests::items;
use super::*;
use crate::tui::message::Message;
use serde_json::json;

#[tokio::test]
async fn a_first_page_says_whether_the_mirror_holds_anything_of_the_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.sqlite3");
    let m = crate::mirror::Mirror::open_path(&file).unwrap();
    let w = m.writer().unwrap();
    w.record_page_wait(
        "conv_1",
        items(&["msg_2", "msg_1"]),
        crate::api::Order::Desc,
        None,
        0,
    )
    .await
    .unwrap();
    w.flush().await.unwrap();
    let read = |conv: &str, after: Option<&str>| {
        read_page(
            Some(file.clone()),
            conv.to_string(),
            after.map(String::from),
            false,
        )
    };
    let (page, _, unread) = read("conv_1", None).await.unwrap();
    assert_eq!((page.data.len(), unread), (2, false));
    let (page, _, unread) = read("conv_other", None).await.unwrap();
    assert_eq!((page.data.len(), unread), (0, true));
    // Past the last item: an empty page, but not an unread conversation.
    let (page, _, unread) = read("conv_1", Some("msg_1")).await.unwrap();
    assert_eq!((page.data.len(), unread), (0, false));
}

#[tokio::test]
async fn the_mirror_is_offered_only_when_it_holds_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.sqlite3");
    let unreachable = || {
        Err(crate::api::ApiError::new(
            crate::api::ErrorKind::Connect,
            "cannot connect",
        ))
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // No file, the mirror off, or a file with nothing in it (the UI's writer creates it at
    // start): no offer.
    listed(&tx, unreachable(), Some(file.clone())).await;
    listed(&tx, unreachable(), None).await;
    let m = crate::mirror::Mirror::open_path(&file).unwrap();
    listed(&tx, unreachable(), Some(file.clone())).await;
    assert!(rx.try_recv().is_err());
    let w = m.writer().unwrap();
    w.record_conversation_wait(json!({"id": "conv_1", "object": "conversation"}))
        .await
        .unwrap();
    w.flush().await.unwrap();
    listed(&tx, unreachable(), Some(file.clone())).await;
    assert!(matches!(rx.try_recv(), Ok(Message::Unreachable(_))));
}
