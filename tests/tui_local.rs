//! The terminal UI's undo, partial-backup confirm, stats and listing limits: the runtime
//! against real HTTP servers, and the views on TestBackend.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use convtui::api::{Client, ClientSettings, Limits};
use convtui::backup::{Journal, Status as JournalStatus};
use convtui::registry::Registry;
use convtui::tui::message::{Effect, Message, PageData};
use convtui::tui::modal::{Modal, Pending};
use convtui::tui::runtime::Runtime;
use convtui::tui::state::{App, Status};
use convtui::tui::{update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::{json, Value};
use tokio::net::TcpListener;

fn key(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn msg(id: &str, role: &str) -> Value {
    json!({"type": "message", "id": id, "status": "completed", "role": role,
           "content": [{"type": "input_text", "text": format!("text of {id}")}]})
}

/// A server that answers every listing with the same page and `has_more`, as the official
/// spec's mock server does; it counts DELETEs.
async fn repeating(deletes: Arc<AtomicUsize>) -> String {
    let app = Router::new()
        .route(
            "/v1/conversations/conv_1",
            get(|| async {
                Json(
                    json!({"id": "conv_1", "object": "conversation", "created_at": 1,
                            "metadata": {"title": "Repeats"}}),
                )
            })
            .delete(move || {
                deletes.fetch_add(1, Ordering::SeqCst);
                async {
                    Json(json!({"id": "conv_1", "object": "conversation.deleted", "deleted": true}))
                }
            }),
        )
        .route(
            "/v1/conversations/conv_1/items",
            get(|| async {
                Json(
                    json!({"object": "list", "data": [msg("m1", "user"), msg("m2", "assistant")],
                            "first_id": "m1", "last_id": "m2", "has_more": true}),
                )
            }),
        );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

fn runtime(
    base: &str,
    dir: &tempfile::TempDir,
) -> (Runtime, tokio::sync::mpsc::UnboundedReceiver<Message>) {
    let client = Client::new(ClientSettings {
        timeout: Duration::from_secs(10),
        max_retries: 0,
        ..ClientSettings::new(base)
    })
    .unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let rt = Runtime::new(
        client,
        tx,
        "p",
        dir.path().join("deleted.jsonl"),
        dir.path().join("registry.json"),
        dir.path().join("drafts"),
    );
    (rt, rx)
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Message>) -> Message {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("an answer in time")
        .expect("the channel is open")
}

#[tokio::test]
async fn a_partial_backup_asks_again_and_a_yes_deletes_with_what_was_saved() {
    let deletes = Arc::new(AtomicUsize::new(0));
    let base = repeating(deletes.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let (rt, mut rx) = runtime(&base, &dir);
    let mut registry = Registry::default();
    registry.add(["conv_1"]);
    let mut app = App::new("p", &base, registry);

    // The first confirm: `d` on the list, then yes.
    let effects = update::update(&mut app, key('d'));
    assert!(effects.is_empty());
    let effects = update::update(&mut app, key('y'));
    assert_eq!(
        effects,
        vec![Effect::DeleteConversation {
            id: "conv_1".into()
        }]
    );
    rt.spawn(effects[0].clone());
    let answer = next(&mut rx).await;
    assert!(
        matches!(&answer, Message::DeletePartial { saved: 2, .. }),
        "{answer:?}"
    );
    assert_eq!(deletes.load(Ordering::SeqCst), 0, "refused by default");
    update::update(&mut app, answer);

    // The second confirm says how many were saved.
    let Some(Modal::Confirm(c)) = app.modals.front() else {
        panic!("a second confirm is in front")
    };
    assert_eq!(
        c.pending,
        Pending::DeleteConversationPartial {
            id: "conv_1".into(),
            saved: 2
        }
    );
    let text: String = c.lines.iter().map(|l| l.to_string()).collect();
    assert!(text.contains("Only 2 items could be saved"), "{text}");

    let effects = update::update(&mut app, key('y'));
    assert_eq!(
        effects,
        vec![Effect::DeleteConversationPartial {
            id: "conv_1".into()
        }]
    );
    rt.spawn(effects[0].clone());
    let answer = next(&mut rx).await;
    assert_eq!(
        answer,
        Message::ConversationDeleted {
            id: "conv_1".into(),
            result: Ok(())
        }
    );
    update::update(&mut app, answer);
    assert!(app.convs.items.is_empty(), "it left the list");
    assert_eq!(deletes.load(Ordering::SeqCst), 1);
    let (entries, _) = Journal::new(dir.path().join("deleted.jsonl"))
        .read()
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].partial);
    assert_eq!(entries[0].item_count(), 2);
    assert_eq!(entries[0].status, JournalStatus::Done);
}

#[tokio::test]
async fn a_no_to_the_second_confirm_deletes_nothing() {
    let deletes = Arc::new(AtomicUsize::new(0));
    let base = repeating(deletes.clone()).await;
    let mut registry = Registry::default();
    registry.add(["conv_1"]);
    let mut app = App::new("p", &base, registry);
    app.pending = 1;
    update::update(
        &mut app,
        Message::DeletePartial {
            id: "conv_1".into(),
            saved: 2,
            reason: "the server repeated a page".into(),
        },
    );
    let effects = update::update(&mut app, key('n'));
    assert!(effects.is_empty());
    assert!(app.modals.is_empty());
    assert_eq!(app.convs.items.len(), 1, "still listed");
}

#[tokio::test]
async fn u_restores_a_deleted_item_through_the_runtime() {
    let server = common::start_memory().await;
    let base = server.base_url();
    let dir = tempfile::tempdir().unwrap();
    let (rt, mut rx) = runtime(&base, &dir);
    let http = reqwest::Client::new();
    let conv: Value = http
        .post(format!("{base}/conversations"))
        .json(&json!({"items": [{"role": "user", "content": "keep me"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conv_id = conv["id"].as_str().unwrap().to_string();
    let page: Value = http
        .get(format!("{base}/conversations/{conv_id}/items"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let item = page["data"][0].clone();
    let item_id = item["id"].as_str().unwrap().to_string();

    rt.spawn(Effect::DeleteItem {
        conversation: conv_id.clone(),
        item,
    });
    assert!(matches!(
        next(&mut rx).await,
        Message::ItemDeleted { result: Ok(()), .. }
    ));

    let mut app = App::new("p", &base, Registry::default());
    let effects = update::update(&mut app, key('u'));
    assert_eq!(effects, vec![Effect::UndoDelete]);
    rt.spawn(Effect::UndoDelete);
    let answer = next(&mut rx).await;
    update::update(&mut app, answer);
    let Some(Status::Info(note)) = &app.status else {
        panic!("{:?}", app.status)
    };
    assert!(note.contains(&item_id) && note.contains("new id"), "{note}");

    let page: Value = http
        .get(format!("{base}/conversations/{conv_id}/items"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"][0]["content"][0]["text"], "keep me");
    assert_ne!(page["data"][0]["id"], item_id.as_str());

    // A second `u` has nothing left to undo, and says so.
    rt.spawn(Effect::UndoDelete);
    update::update(&mut app, next(&mut rx).await);
    assert!(
        matches!(&app.status, Some(Status::Error(f)) if f.message.contains("nothing to undo")),
        "{:?}",
        app.status
    );
    drop(rt);
    server.shutdown().await.unwrap();
}

fn open_with(items: Vec<Value>, has_more: bool, limits: Limits) -> (App, Vec<Effect>) {
    let mut registry = Registry::default();
    registry.add(["conv_1"]);
    let mut app = App::new("local", "http://127.0.0.1:1/v1", registry);
    app.limits = limits;
    let effects = update::update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let generation = app.timeline.as_ref().unwrap().paging.generation;
    assert_eq!(effects.len(), 1);
    let effects = update::update(
        &mut app,
        Message::ItemsLoaded {
            conversation: "conv_1".into(),
            generation,
            result: Ok(PageData::of(items, has_more)),
        },
    );
    (app, effects)
}

fn render(app: &mut App, w: u16, h: u16) -> String {
    update::update(app, Message::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn i_shows_the_open_conversations_items_by_type_and_role() {
    let items = vec![
        msg("m1", "user"),
        msg("m2", "assistant"),
        msg("m3", "user"),
        json!({"type": "function_call", "id": "fc_1", "call_id": "c1", "name": "lookup",
               "arguments": "{}", "status": "completed"}),
    ];
    let (mut app, _) = open_with(items, false, Limits::default());
    update::update(&mut app, key('i'));
    assert!(matches!(app.modals.front(), Some(Modal::Stats(_))));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("4 items (all loaded)"), "{screen}");
    assert!(screen.contains("3  message"), "{screen}");
    assert!(screen.contains("1  function_call"), "{screen}");
    assert!(screen.contains("2  user"), "{screen}");
    insta::assert_snapshot!("stats_100x30", screen);
    update::update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(app.modals.is_empty(), "Esc closes it");
}

#[test]
fn load_all_stops_at_the_page_limit_with_a_clear_error() {
    let limits = Limits {
        max_pages: 2,
        max_items: 1_000_000,
    };
    let page = |from: usize| -> Vec<Value> {
        (from..from + 3)
            .map(|i| msg(&format!("m{i}"), "user"))
            .collect()
    };
    // The first page is short, so the second is asked for at once.
    let (mut app, effects) = open_with(page(0), true, limits);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadItems { after: Some(a), .. }] if a == "m2"),
        "{effects:?}"
    );
    app.focus = convtui::tui::state::Focus::Timeline;
    update::update(&mut app, key('L'));
    assert!(app.timeline.as_ref().unwrap().paging.load_all);
    let generation = app.timeline.as_ref().unwrap().paging.generation;
    let effects = update::update(
        &mut app,
        Message::ItemsLoaded {
            conversation: "conv_1".into(),
            generation,
            result: Ok(PageData::of(page(3), true)),
        },
    );
    assert!(effects.is_empty(), "no third page: {effects:?}");
    assert!(
        matches!(&app.status, Some(Status::Error(f)) if f.message.contains("listing limit is 2 pages")),
        "{:?}",
        app.status
    );
    assert!(
        app.counts().contains("6 loaded · stopped"),
        "{}",
        app.counts()
    );
}

#[tokio::test]
async fn what_the_tui_reads_goes_into_the_mirror_and_a_delete_is_marked() {
    let server = common::start_memory().await;
    let base = server.base_url();
    let http = reqwest::Client::new();
    let conv: Value = http
        .post(format!("{base}/conversations"))
        .json(&json!({"metadata": {"title": "Mirrored"},
                      "items": [{"role": "user", "content": "lisbon train times"},
                                {"role": "assistant", "content": "the 9:05 from Oriente"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conv_id = conv["id"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mirror.sqlite3");
    let writer =
        convtui::mirror::MirrorWriter::start(&path, convtui::mirror::Memory::SMALL).unwrap();
    let (rt, mut rx) = runtime(&base, &dir);
    let rt = rt.with_mirror(Some(writer));

    rt.spawn(Effect::LoadConversation(conv_id.clone()));
    assert!(matches!(
        next(&mut rx).await,
        Message::ConversationLoaded { result: Ok(_), .. }
    ));
    rt.spawn(Effect::LoadItems {
        conversation: conv_id.clone(),
        generation: 1,
        after: None,
        ascending: false,
        all: false,
    });
    let Message::ItemsLoaded {
        result: Ok(page), ..
    } = next(&mut rx).await
    else {
        panic!("a page")
    };
    rt.flush_mirror().await.unwrap();
    let mirror = convtui::mirror::Mirror::open_path(&path).unwrap();
    let items = mirror.items(&conv_id).unwrap();
    assert_eq!(items.len(), 2, "the page is in the mirror");
    assert!(items.iter().all(|i| !i.deleted));
    let hits = mirror
        .search(&convtui::mirror::SearchQuery::new("lisbon"))
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].conversation, conv_id);

    let item = page.data[0].0.clone();
    rt.spawn(Effect::DeleteItem {
        conversation: conv_id.clone(),
        item,
    });
    assert!(matches!(
        next(&mut rx).await,
        Message::ItemDeleted { result: Ok(()), .. }
    ));
    rt.flush_mirror().await.unwrap();
    let items = convtui::mirror::Mirror::open_path(&path)
        .unwrap()
        .items(&conv_id)
        .unwrap();
    assert_eq!(
        items.iter().filter(|i| i.deleted).count(),
        1,
        "marked, not dropped"
    );
    drop(rt);
    server.shutdown().await.unwrap();
}
