//! Tests of offline reading: the offer, the routing to the mirror, refusals, coming back.

use super::*;
use crate::registry::Registry;
use crate::tui::message::Message;
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{json, Value};

const NOW: i64 = 1_764_000_000;

fn key(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub(super) fn items(ids: &[&str]) -> Vec<Value> {
    ids.iter()
        .map(|i| json!({"type": "message", "id": i, "role": "user", "content": format!("text of {i}")}))
        .collect()
}

fn unreachable() -> Failure {
    Failure::new("cannot connect to http://127.0.0.1:9/v1: connection refused")
}

/// An app that was offered the mirror, said yes, and read its conversations.
fn offline_app() -> (App, Vec<Effect>) {
    let mut registry = Registry::default();
    registry.add(["conv_1"]);
    let mut app = App::new("local", "http://127.0.0.1:9/v1", registry);
    app.now = NOW;
    assert!(update(&mut app, Message::Unreachable(unreachable())).is_empty());
    assert!(matches!(
        app.modals.front(),
        Some(Modal::Confirm(c)) if c.pending == Pending::ReadOffline
    ));
    let effects = update(&mut app, key('y'));
    assert!(app.offline.active);
    update(
        &mut app,
        Message::MirrorRead(Ok(vec![
            MirroredConversation {
                id: "conv_1".into(),
                raw: Some(
                    json!({"id": "conv_1", "object": "conversation", "created_at": 100,
                    "metadata": {"title": "Trip"}}),
                ),
                written_at: Some(NOW - 3 * 3600),
            },
            MirroredConversation {
                id: "conv_2".into(),
                raw: None,
                written_at: Some(NOW - 600),
            },
        ])),
    );
    (app, effects)
}

fn open_first(app: &mut App) -> u64 {
    app.convs.selected = app
        .convs
        .items
        .iter()
        .position(|c| c.id == "conv_1")
        .unwrap();
    let effects = update(
        app,
        Message::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let [Effect::LoadMirrorItems {
        conversation,
        generation,
        after: None,
        ..
    }] = effects.as_slice()
    else {
        panic!("the first page comes from the mirror: {effects:?}")
    };
    assert_eq!(conversation, "conv_1");
    *generation
}

fn mirror_page(app: &mut App, generation: u64, ids: &[&str], gone: &[&str]) -> Vec<Effect> {
    update(
        app,
        Message::MirrorItemsLoaded {
            conversation: "conv_1".into(),
            generation,
            result: Ok((
                PageData::of(items(ids), false),
                gone.iter().map(|s| s.to_string()).collect(),
            )),
            unread: false,
        },
    )
}

#[test]
fn the_mirror_is_offered_once_and_read_with_its_age_in_the_header() {
    let (mut app, effects) = offline_app();
    assert!(effects.contains(&Effect::ReadMirror));
    assert!(effects.contains(&Effect::RetryServer(RETRY_SECS)));
    assert_eq!(app.convs.items.len(), 2);
    assert_eq!(app.title_of("conv_1"), "Trip");
    // The newest write of the whole copy, until a conversation is open.
    assert_eq!(
        header(&app).as_deref(),
        Some("offline · copy from 10 min ago")
    );
    let generation = open_first(&mut app);
    mirror_page(&mut app, generation, &["msg_2", "msg_1"], &[]);
    assert_eq!(header(&app).as_deref(), Some("offline · copy from 3 h ago"));
    // A second failure offers nothing new: it only schedules the next try, once.
    assert!(update(&mut app, Message::Unreachable(unreachable())).is_empty());
    assert_eq!(
        update(&mut app, Message::RetryDue),
        vec![Effect::ListConversations]
    );
    let again = update(&mut app, Message::Unreachable(unreachable()));
    assert_eq!(again, vec![Effect::RetryServer(RETRY_SECS)]);
    let listed = update(&mut app, Message::ConversationsListed(Err(unreachable())));
    assert!(listed.is_empty(), "one timer at a time: {listed:?}");
    assert!(app.modals.is_empty());
}

#[test]
fn saying_no_leaves_the_ui_online_with_a_note() {
    let mut app = App::new("local", "http://127.0.0.1:9/v1", Registry::default());
    update(&mut app, Message::Unreachable(unreachable()));
    let effects = update(&mut app, key('n'));
    assert!(effects.is_empty() && !app.offline.active);
    assert!(matches!(&app.status, Some(Status::Info(s)) if s.contains("R tries again")));
    assert!(update(&mut app, Message::Unreachable(unreachable())).is_empty());
    assert!(app.modals.is_empty(), "offered once");
}

#[test]
fn every_change_is_refused_offline() {
    let (mut app, _) = offline_app();
    let generation = open_first(&mut app);
    mirror_page(&mut app, generation, &["msg_2", "msg_1"], &[]);
    for c in ['d', 'X', 'e', 'n', 'a', 'u'] {
        app.status = None;
        let effects = update(&mut app, key(c));
        assert!(effects.is_empty(), "{c}: {effects:?}");
        assert!(app.modals.is_empty(), "{c} opened nothing");
        let Some(Status::Warning(w)) = &app.status else {
            panic!("{c}: {:?}", app.status)
        };
        assert!(
            w.starts_with("Read-only (offline · copy from 3 h ago)"),
            "{w}"
        );
    }
    // The command line goes through the same refusal.
    let effects = crate::tui::command::run(&mut app, "delete");
    assert!(effects.is_empty());
    // And nothing that writes reaches the runtime even if asked for.
    let routed = route(
        &mut app,
        vec![
            Effect::DeleteConversation {
                id: "conv_1".into(),
            },
            Effect::ListConversations,
        ],
    );
    assert_eq!(routed, vec![Effect::ListConversations]);
}

#[test]
fn mirror_items_the_server_no_longer_has_are_marked() {
    let (mut app, _) = offline_app();
    let generation = open_first(&mut app);
    mirror_page(
        &mut app,
        generation,
        &["msg_3", "msg_2", "msg_1"],
        &["msg_2"],
    );
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!(tl.items().len(), 3);
    assert!(tl.gone.contains("msg_2") && tl.gone.len() == 1);
}

#[test]
fn a_failed_try_keeps_the_copy_and_the_timer_tries_again() {
    let (mut app, _) = offline_app();
    assert_eq!(
        update(&mut app, Message::RetryDue),
        vec![Effect::ListConversations]
    );
    // An error status is an answer too, but not the list: still offline, and tried again.
    let f = Failure {
        message: "upstream failed".into(),
        status: Some(502),
        request_id: None,
    };
    app.status = None;
    let effects = update(&mut app, Message::ConversationsListed(Err(f.clone())));
    assert_eq!(effects, vec![Effect::RetryServer(RETRY_SECS)]);
    assert!(app.offline.active);
    assert_eq!(app.listing, crate::tui::load::Load::Loaded);
    assert!(matches!(&app.status, Some(Status::Warning(w)) if w.starts_with("Still offline")));
    // A message already showing is not pushed away by the timer's tries.
    app.status = Some(Status::Info("Found".into()));
    update(&mut app, Message::RetryDue);
    update(&mut app, Message::ConversationsListed(Err(f)));
    assert_eq!(app.status, Some(Status::Info("Found".into())));
}

/// The generation of conv_1's first page asked of the server, in `effects`.
fn reload_of(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadItems {
                conversation,
                generation,
                after: None,
                ..
            } if conversation == "conv_1" => Some(*generation),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the timeline reloads from the server: {effects:?}"))
}

#[test]
fn when_the_server_answers_live_data_replaces_the_copy_and_gone_items_are_marked() {
    let (mut app, _) = offline_app();
    let generation = open_first(&mut app);
    mirror_page(
        &mut app,
        generation,
        &["msg_4", "msg_3", "msg_2", "msg_1"],
        &[],
    );
    let effects = update(&mut app, Message::ConversationsListed(Ok(Some(vec![]))));
    assert!(!app.offline.active);
    assert!(header(&app).is_none());
    let reload = reload_of(&effects);
    assert!(effects.contains(&Effect::LoadConversation("conv_1".into())));
    // The server no longer has msg_3.
    let marked = update(
        &mut app,
        Message::ItemsLoaded {
            conversation: "conv_1".into(),
            generation: reload,
            result: Ok(PageData::of(
                items(&["msg_5", "msg_4", "msg_2", "msg_1"]),
                false,
            )),
        },
    );
    assert_eq!(
        marked,
        vec![Effect::MarkGoneInMirror {
            conversation: "conv_1".into(),
            items: vec!["msg_3".into()]
        }]
    );
    let tl = app.timeline.as_ref().unwrap();
    let ids: Vec<&str> = tl.items().iter().filter_map(|i| i.id()).collect();
    assert_eq!(ids, ["msg_5", "msg_4", "msg_3", "msg_2", "msg_1"]);
    assert_eq!(tl.gone.iter().collect::<Vec<_>>(), [&"msg_3".to_string()]);
    assert!(
        matches!(&app.status, Some(Status::Warning(w)) if w.contains("1 item of the offline copy is gone"))
    );
    assert!(app.offline.check.is_none(), "all settled");
    // Live again: deletes go to the server.
    let effects = update(&mut app, key('d'));
    assert!(effects.is_empty());
    assert!(matches!(app.modals.front(), Some(Modal::Confirm(_))));
    update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    // But not of an item the server no longer has: nothing is asked, nothing backed up.
    app.timeline.as_mut().unwrap().list.selected = 2;
    let effects = update(&mut app, key('d'));
    assert!(effects.is_empty() && app.modals.front().is_none());
    assert!(
        matches!(&app.status, Some(Status::Info(t)) if t.contains("already gone on the server"))
    );
    // The detail says so too.
    let backend = ratatui::backend::TestBackend::new(120, 30);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal.draw(|f| crate::tui::view::draw(f, &app)).unwrap();
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("Detail · gone on the server"), "{screen}");
    // Marked with a live one, it is left out of the question.
    update(&mut app, key(' '));
    app.timeline.as_mut().unwrap().list.selected = 3;
    update(&mut app, key(' '));
    update(&mut app, key('D'));
    let Some(Modal::Confirm(c)) = app.modals.front() else {
        panic!("a question: {:?}", app.status)
    };
    assert_eq!(c.title, "Delete 1 marked items?");
    let text: Vec<String> = c.lines.iter().map(|l| l.to_string()).collect();
    assert!(
        text.iter()
            .any(|l| l.contains("1 marked item already gone on the server left out")),
        "{text:?}"
    );
    let Pending::DeleteMarked { items, .. } = &c.pending else {
        panic!()
    };
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], "msg_2");
}

#[test]
fn a_copy_item_past_the_live_pages_waits_for_them() {
    let (mut app, _) = offline_app();
    let generation = open_first(&mut app);
    mirror_page(
        &mut app,
        generation,
        &["msg_4", "msg_3", "msg_2", "msg_1"],
        &[],
    );
    let effects = update(&mut app, Message::ConversationsListed(Ok(None)));
    let reload = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadItems { generation, .. } => Some(*generation),
            _ => None,
        })
        .unwrap();
    // A first live page that reaches msg_3 only; msg_2 and msg_1 may be on the next.
    let marked = update(
        &mut app,
        Message::ItemsLoaded {
            conversation: "conv_1".into(),
            generation: reload,
            result: Ok(PageData::of(items(&["msg_4", "msg_3"]), true)),
        },
    );
    assert!(marked
        .iter()
        .all(|e| !matches!(e, Effect::MarkGoneInMirror { .. })));
    assert!(app.timeline.as_ref().unwrap().gone.is_empty());
    assert!(app.offline.check.is_some(), "still waiting");
}

#[test]
fn a_retrieval_that_failed_before_going_offline_keeps_quiet() {
    let (mut app, _) = offline_app();
    app.status = Some(Status::Warning("Read-only".into()));
    update(
        &mut app,
        Message::ConversationLoaded {
            id: "conv_1".into(),
            result: Err(unreachable()),
        },
    );
    assert_eq!(app.status, Some(Status::Warning("Read-only".into())));
    assert_eq!(app.title_of("conv_1"), "Trip", "the copy's entry stays");
}

#[test]
fn ages_read_plainly() {
    assert_eq!(age(NOW, NOW - 5), "just now");
    assert_eq!(age(NOW, NOW - 180), "3 min ago");
    assert_eq!(age(NOW, NOW - 3 * 3600 - 5), "3 h ago");
    assert_eq!(age(NOW, NOW - 2 * 86_400), "2 d ago");
}

/// `R` while offline, and the generation of the reload of the open timeline from the copy.
fn press_r(app: &mut App) -> u64 {
    let effects = update(app, key('R'));
    assert!(effects.contains(&Effect::ListConversations), "{effects:?}");
    let Some(generation) = effects.iter().find_map(|e| match e {
        Effect::LoadMirrorItems { generation, .. } => Some(*generation),
        _ => None,
    }) else {
        panic!("the timeline reloads from the mirror: {effects:?}")
    };
    assert!(
        matches!(&app.status, Some(Status::Info(s)) if s.starts_with("Asking the server again")),
        "{:?}",
        app.status
    );
    generation
}

fn says_still_offline(app: &App) {
    let Some(Status::Warning(w)) = &app.status else {
        panic!("{:?}", app.status)
    };
    assert!(
        w.starts_with("Still offline: the server cannot be reached")
            && w.contains("the mirror's copy is shown"),
        "{w}"
    );
}

#[test]
fn r_while_the_server_is_still_down_says_so_and_shows_the_copy() {
    let (mut app, _) = offline_app();
    let generation = open_first(&mut app);
    mirror_page(&mut app, generation, &["msg_2", "msg_1"], &[]);
    // The copy's page first, then the failed list.
    let generation = press_r(&mut app);
    mirror_page(&mut app, generation, &["msg_2", "msg_1"], &[]);
    assert!(
        !matches!(&app.status, Some(Status::Info(s)) if s.starts_with("Reloaded")),
        "{:?}",
        app.status
    );
    update(&mut app, Message::ConversationsListed(Err(unreachable())));
    says_still_offline(&app);
    assert!(app.offline.active);
    assert_eq!(app.timeline.as_ref().map(|t| t.items().len()), Some(2));
    // The failed list first, then the copy's page.
    app.offline.retrying = false;
    let generation = press_r(&mut app);
    update(&mut app, Message::ConversationsListed(Err(unreachable())));
    mirror_page(&mut app, generation, &["msg_2", "msg_1"], &[]);
    says_still_offline(&app);
}

#[test]
fn export_offline_is_refused_at_once() {
    let (mut app, _) = offline_app();
    let generation = open_first(&mut app);
    mirror_page(&mut app, generation, &["msg_2", "msg_1"], &[]);
    for c in ["command", "key"] {
        app.status = None;
        let effects = if c == "command" {
            crate::tui::command::run(&mut app, "export /tmp/never-written.md")
        } else {
            update(&mut app, key('W'))
        };
        assert!(effects.is_empty(), "{c}: {effects:?}");
        assert!(app.export.is_none());
        assert!(
            matches!(&app.status, Some(Status::Warning(w)) if w.starts_with("offline: export needs the server")),
            "{c}: {:?}",
            app.status
        );
    }
}

fn status_text(app: &App) -> String {
    match &app.status {
        Some(Status::Warning(s)) | Some(Status::Info(s)) => s.clone(),
        other => format!("{other:?}"),
    }
}

#[test]
fn a_conversation_the_mirror_holds_nothing_of_is_said_to_be_unread() {
    let (mut app, _) = offline_app();
    let generation = open_first(&mut app);
    // A page of an older generation says nothing.
    update(
        &mut app,
        Message::MirrorItemsLoaded {
            conversation: "conv_1".into(),
            generation: generation - 1,
            result: Ok((PageData::of(Vec::new(), false), Vec::new())),
            unread: true,
        },
    );
    assert!(!status_text(&app).contains("Nothing of this conversation"));
    update(
        &mut app,
        Message::MirrorItemsLoaded {
            conversation: "conv_1".into(),
            generation,
            result: Ok((PageData::of(Vec::new(), false), Vec::new())),
            unread: true,
        },
    );
    let text = status_text(&app);
    assert!(
        text.contains("Nothing of this conversation is in the mirror") && text.contains("R asks"),
        "{text}"
    );
}

#[test]
fn a_copy_shown_again_after_an_id_the_server_does_not_have_is_reloaded_live() {
    let (mut app, _) = offline_app();
    let generation = open_first(&mut app);
    mirror_page(&mut app, generation, &["msg_2", "msg_1"], &[]);
    // Offline, an id that is not in the list is opened (a search hit, `o`).
    let effects = crate::tui::root::open_by_id(&mut app, "conv_elsewhere");
    let effects = route(&mut app, effects);
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::LoadConversation(_))));
    assert_eq!(
        app.timeline.as_ref().unwrap().conversation,
        "conv_elsewhere"
    );
    // The server answers again; it has no such conversation.
    let effects = update(&mut app, Message::ConversationsListed(Ok(Some(vec![]))));
    assert!(effects.contains(&Effect::LoadConversation("conv_elsewhere".into())));
    let effects = update(
        &mut app,
        Message::ConversationLoaded {
            id: "conv_elsewhere".into(),
            result: Err(Failure {
                message: "not found".into(),
                status: Some(404),
                request_id: None,
            }),
        },
    );
    // Back to the first conversation: not its copy as if live, but reloaded from the server.
    assert_eq!(app.timeline.as_ref().unwrap().conversation, "conv_1");
    let reload = reload_of(&effects);
    // An item the copy had and the server no longer has is marked.
    update(
        &mut app,
        Message::ItemsLoaded {
            conversation: "conv_1".into(),
            generation: reload,
            result: Ok(PageData::of(items(&["msg_3", "msg_1"]), false)),
        },
    );
    let tl = app.timeline.as_ref().unwrap();
    let ids: Vec<&str> = tl.items().iter().filter_map(|i| i.id()).collect();
    // (The gone item is put back where the copy had it: before the first item both have.)
    assert_eq!(ids, ["msg_2", "msg_3", "msg_1"]);
    assert!(tl.gone.contains("msg_2") && tl.gone.len() == 1);
}

#[test]
fn an_empty_mirror_is_no_copy_to_read() {
    let mut registry = Registry::default();
    registry.add(["conv_1"]);
    let mut app = App::new("local", "http://127.0.0.1:9/v1", registry);
    update(&mut app, Message::Unreachable(unreachable()));
    update(&mut app, key('y'));
    assert!(app.offline.active);
    update(&mut app, Message::MirrorRead(Ok(Vec::new())));
    assert!(!app.offline.active);
    assert!(header(&app).is_none());
    let text = status_text(&app);
    assert!(
        text.contains("The mirror holds nothing") && text.contains("R tries again"),
        "{text}"
    );
    // Changes are not refused as read-only: the UI is as it was before the offer.
    assert!(refusal(&app).is_none());
}
