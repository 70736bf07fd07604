//! A switch to the built-in `local` profile in the running UI seeds the demo conversations
//! into its embedded server the first time, as start-up does; a second switch adds none.

use convtui::api::ListParams;
use convtui::tui::message::Message;
use convtui::tui::profiles;

async fn switched_ids(config: &std::path::Path) -> Vec<String> {
    let msg = profiles::connect("local".into(), Some(config.to_path_buf()), false).await;
    let Message::ProfileReady(result) = msg else {
        panic!("the switch answers with the profile")
    };
    let ready = match *result {
        Ok(r) => r,
        Err(e) => panic!("local opens: {e}"),
    };
    assert!(
        ready.base_url.starts_with("http://127.0.0.1:"),
        "{}",
        ready.base_url
    );
    let connected = ready
        .handover
        .take()
        .expect("the connection is handed over");
    assert!(connected.server.is_some(), "local runs the embedded server");
    let page = connected
        .client
        .list_conversations(&ListParams::default())
        .await
        .expect("the embedded server lists its conversations");
    page.data.into_iter().map(|c| c.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_to_local_seeds_the_demo_once_like_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The only test in this binary: the data directory is the process's own.
    std::env::set_var("CONVTUI_DATA_DIR", &data);
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let first = switched_ids(&config).await;
    let demo = convtui::demo::new_conversations().unwrap().len();
    assert!(demo > 0);
    assert_eq!(first.len(), demo, "the demo is seeded: {first:?}");
    assert!(data.join("demo-seeded").exists());
    // Seeded once per data directory, as at start-up.
    let second = switched_ids(&config).await;
    assert_eq!(second.len(), demo, "{second:?}");
}
