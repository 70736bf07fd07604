//! `u` pressed again while an undo runs: each undoes the delete before the last one undone,
//! never the same one twice. Against the real server, in process.

use std::time::Duration;

use convtui::api::{Client, ClientSettings, ListParams};
use convtui::deletion::{self, Backup};
use serde_json::json;

mod common;

#[tokio::test]
async fn undos_at_the_same_time_each_restore_another_delete() {
    let server = common::start_memory().await;
    let client = Client::new(ClientSettings {
        timeout: Duration::from_secs(10),
        max_retries: 0,
        ..ClientSettings::new(server.base_url())
    })
    .unwrap();
    let items: Vec<_> = (0..3)
        .map(|i| json!({"type": "message", "role": "user", "content": format!("m{i}")}))
        .collect();
    let conv = client.create_conversation(None, &items).await.unwrap();
    let listed = client
        .list_items(&conv.id, &ListParams::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let backup = Backup {
        path: dir.path().join("deleted.jsonl"),
        profile: "test".into(),
    };
    let mut deleted = Vec::new();
    for item in &listed.data {
        let id = item.id().unwrap().to_string();
        deletion::item(&client, &backup, &conv.id, &id, None)
            .await
            .unwrap();
        deleted.push(id);
    }
    let (a, b, c) = tokio::join!(
        convtui::restore::undo_last(&client, &backup),
        convtui::restore::undo_last(&client, &backup),
        convtui::restore::undo_last(&client, &backup),
    );
    let mut undone: Vec<String> = [a, b, c]
        .into_iter()
        .map(|r| match r.unwrap() {
            convtui::restore::Restored::Item { old_id, .. } => old_id,
            other => panic!("{other:?}"),
        })
        .collect();
    undone.sort();
    deleted.sort();
    assert_eq!(undone, deleted);
    let after = client
        .list_items(&conv.id, &ListParams::default())
        .await
        .unwrap();
    assert_eq!(after.data.len(), 3);
    // Nothing is left to undo.
    assert!(matches!(
        convtui::restore::undo_last(&client, &backup).await,
        Err(convtui::restore::RestoreError::NothingToUndo)
    ));
}
