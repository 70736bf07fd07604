//! The runtime against a real server: file writes are ordered, latest wins, and quitting
//! waits for the ones still running.

mod common;

use convtui::api::{Client, ClientSettings};
use convtui::registry::{Change, Registry};
use convtui::tui::editor::drafts;
use convtui::tui::message::Effect;
use convtui::tui::message::Message;
use convtui::tui::runtime::Runtime;
use convtui::tui::state::App;
use convtui::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
    // Many growing lists of changes to the registry, and many versions of a draft, spawned at
    // once.
    let mut changes = Vec::new();
    for i in 0..30 {
        let id = format!("conv_{i:048}");
        changes.push((i + 1, Change::Add(id)));
        runtime.spawn(Effect::SaveRegistry(changes.clone()));
        runtime.spawn(Effect::Draft {
            name: "conv_x".into(),
            seq: i + 1,
            text: Some(format!("version {i}")),
        });
    }
    runtime.finish_writes().await;
    // Nothing is awaited after this: what is on disk now is what quitting leaves.
    let saved = Registry::load(&registry_path).expect("the registry was written");
    assert_eq!(saved.conversations.len(), 30, "every change is on disk");
    assert_eq!(
        drafts::read(&drafts_dir, "conv_x").unwrap().as_deref(),
        Some("version 29")
    );
    drop(runtime);
    server.shutdown().await.expect("the server stops");
}

/// Runs `effects` and feeds their replies back, until none is left.
async fn settle(
    app: &mut App,
    runtime: &Runtime,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Message>,
    effects: Vec<Effect>,
) {
    let mut waiting = 0;
    for e in effects {
        runtime.spawn(e);
        waiting += 1;
    }
    while waiting > 0 {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
            .await
            .expect("a reply")
            .expect("the channel is open");
        waiting -= 1;
        for e in update(app, msg) {
            runtime.spawn(e);
            waiting += 1;
        }
    }
}

#[tokio::test]
async fn the_ui_keeps_what_another_process_changed_in_the_registry() {
    let server = common::start_memory().await;
    let http = common::Http::new(&server);
    let (a, b, c) = (
        http.conversation().await,
        http.conversation().await,
        http.conversation().await,
    );
    let client = Client::new(ClientSettings::new(server.base_url())).expect("client");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry/p.json");
    Registry::change(&path, |r| _ = r.add([a.as_str()])).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runtime = Runtime::new(
        client,
        tx,
        "p",
        dir.path().join("deleted.jsonl"),
        path.clone(),
        dir.path().join("drafts"),
    );
    let mut app = App::new("p", &server.base_url(), Registry::load(&path).unwrap());
    // While the UI runs, another process (`convtui add`) adds B.
    Registry::change(&path, |r| _ = r.add([b.as_str()])).unwrap();
    // The UI takes A off its list (`x`): B stays in the file.
    let x = Message::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    let effects = update(&mut app, x);
    settle(&mut app, &runtime, &mut rx, effects).await;
    let saved = Registry::load(&path).unwrap();
    let ids: Vec<_> = saved.conversations.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [b.as_str()], "B, added elsewhere, is kept");
    assert_eq!(saved.hidden, std::slice::from_ref(&a));
    assert!(app.registry.contains(&b), "the UI's copy is the file's");
    // Another process adds C and forgets B; `R` reads the file again: C joins the list,
    // loaded from the server, and B leaves it.
    Registry::change(&path, |r| {
        r.add([c.as_str()]);
        r.hide(&b);
    })
    .unwrap();
    let r = Message::Key(KeyEvent::new(KeyCode::Char('R'), KeyModifiers::NONE));
    let effects = update(&mut app, r);
    assert!(effects.contains(&Effect::ReadRegistry), "{effects:?}");
    settle(&mut app, &runtime, &mut rx, effects).await;
    let listed: Vec<_> = app.convs.items.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(listed, [c.as_str()]);
    assert!(app.convs.items[0].info.is_some(), "C was loaded");
    drop(runtime);
    server.shutdown().await.expect("the server stops");
}
