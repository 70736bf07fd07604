//! The runtime against a real server: file writes are ordered, latest wins, and quitting
//! waits for the ones still running.

mod common;

use convtui::api::{Client, ClientSettings};
use convtui::registry::Registry;
use convtui::tui::editor::drafts;
use convtui::tui::message::Effect;
use convtui::tui::runtime::Runtime;

#[tokio::test]
async fn writes_in_flight_finish_before_quitting_and_the_newest_wins() {
    let server = common::start_memory().await;
    let client = Client::new(ClientSettings::new(server.base_url())).expect("client");
    let dir = tempfile::tempdir().unwrap();
    let registry_path = dir.path().join("registry/p.json");
    let drafts_dir = dir.path().join("drafts/p");
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let runtime = Runtime::new(
        client,
        tx,
        "p",
        dir.path().join("deleted.jsonl"),
        registry_path.clone(),
        drafts_dir.clone(),
    );
    // Many snapshots of a growing registry, and many versions of a draft, spawned at once.
    let mut registry = Registry::default();
    for i in 0..30 {
        let id = format!("conv_{i:048}");
        registry.add([id.as_str()]);
        runtime.spawn(Effect::SaveRegistry(registry.clone()));
        runtime.spawn(Effect::Draft {
            name: "conv_x".into(),
            seq: i + 1,
            text: Some(format!("version {i}")),
        });
    }
    runtime.finish_writes().await;
    // Nothing is awaited after this: what is on disk now is what quitting leaves.
    let saved = Registry::load(&registry_path).expect("the registry was written");
    assert_eq!(
        saved.conversations.len(),
        30,
        "the newest snapshot is on disk"
    );
    assert_eq!(
        drafts::read(&drafts_dir, "conv_x").unwrap().as_deref(),
        Some("version 29")
    );
    drop(runtime);
    server.shutdown().await.expect("the server stops");
}
