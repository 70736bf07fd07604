//! Tests of the root: keys, replies and what they change.

use super::*;
use crate::registry::Registry;
use crate::tui::message::PageData;
use crate::tui::state::{item_id, Failure};
use crossterm::event::KeyEvent;
use serde_json::{json, Value};

/// A retrieved conversation created at `t`, with no metadata.
fn info(t: i64) -> super::super::state::ConvInfo {
    super::super::state::ConvInfo {
        created_at: t,
        metadata: Default::default(),
    }
}

fn help_scroll(app: &App) -> Option<u16> {
    match app.modals.front() {
        Some(Modal::Help(h)) => Some(h.scroll),
        _ => None,
    }
}

pub(super) fn key(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub(super) fn code(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub(super) fn items(range: std::ops::Range<usize>) -> Vec<Value> {
    range
        .map(|i| json!({"type": "message", "id": format!("msg_{i}"), "role": "user", "content": format!("m{i}")}))
        .collect()
}

pub(super) fn page(items: Vec<Value>, has_more: bool) -> Result<PageData, Failure> {
    Ok(PageData::of(items, has_more))
}

/// An app with one conversation open and its first page requested.
pub(super) fn opened() -> (App, u64) {
    let mut registry = Registry::default();
    registry.add(["conv_1"]);
    let mut app = App::new("local", "http://x/v1", registry);
    let start = start(&mut app);
    assert_eq!(
        start,
        vec![
            Effect::ListConversations,
            Effect::LoadConversation("conv_1".into())
        ]
    );
    let effects = update(&mut app, code(KeyCode::Enter));
    let [Effect::LoadItems {
        generation,
        after: None,
        ascending: false,
        ..
    }] = effects.as_slice()
    else {
        panic!("expected the first page to load: {effects:?}")
    };
    (app, *generation)
}

pub(super) fn loaded(
    app: &mut App,
    generation: u64,
    result: Result<PageData, Failure>,
) -> Vec<Effect> {
    update(
        app,
        Message::ItemsLoaded {
            conversation: "conv_1".into(),
            generation,
            result,
        },
    )
}

#[test]
fn pages_load_as_the_selection_nears_the_end() {
    let (mut app, generation) = opened();
    assert!(loaded(&mut app, generation, page(items(0..100), true)).is_empty());
    assert_eq!(app.pending, 2, "list + conversation still pending");
    let effects = update(&mut app, key('G'));
    let [Effect::LoadItems { after, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(after.as_deref(), Some("msg_99"));
    // Pressing again while the page is on its way asks for nothing more.
    assert!(update(&mut app, key('j')).is_empty());
    loaded(&mut app, generation, page(items(100..150), false));
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!(
        (
            tl.list.items.len(),
            tl.paging.has_more,
            tl.counts().as_str()
        ),
        (150, false, "150 loaded · all")
    );
}

#[test]
fn stale_pages_are_dropped() {
    let (mut app, old) = opened();
    let effects = update(&mut app, key('O'));
    let [Effect::LoadItems {
        generation: new,
        ascending: true,
        ..
    }] = effects.as_slice()
    else {
        panic!()
    };
    let new = *new;
    assert!(new > old);
    loaded(&mut app, old, page(items(0..5), false));
    assert!(
        app.timeline.as_ref().unwrap().list.items.is_empty(),
        "the old order's page is ignored"
    );
    loaded(&mut app, new, page(items(0..3), false));
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!((tl.list.items.len(), tl.paging.ascending), (3, true));
}

#[test]
fn a_repeated_page_stops_paging_with_a_warning() {
    let (mut app, generation) = opened();
    app.timeline.as_mut().unwrap().paging.load_all = true;
    let effects = loaded(&mut app, generation, page(items(0..100), true));
    assert_eq!(effects.len(), 1, "load all asks for the next page");
    let effects = loaded(&mut app, generation, page(items(0..100), true));
    assert!(effects.is_empty(), "no loop");
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!((tl.list.items.len(), tl.paging.has_more), (100, false));
    assert!(matches!(app.status, Some(Status::Warning(_))));
}

#[test]
fn an_empty_page_ends_paging() {
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..100), true));
    update(&mut app, key('G'));
    loaded(&mut app, generation, page(vec![], true));
    let tl = app.timeline.as_ref().unwrap();
    assert!(!tl.paging.has_more && !tl.paging.loading);
}

#[test]
fn a_failed_refresh_keeps_what_is_shown() {
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..10), false));
    update(&mut app, key('j'));
    let effects = update(&mut app, key('R'));
    let Some(Effect::LoadItems { generation: g2, .. }) = effects.last() else {
        panic!()
    };
    let g2 = *g2;
    loaded(&mut app, g2, Err(Failure::new("connection refused")));
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!((tl.list.items.len(), tl.list.selected), (10, 1));
    // A successful refresh replaces the items and keeps the selected one.
    let effects = update(&mut app, key('R'));
    let Some(Effect::LoadItems { generation: g3, .. }) = effects.last() else {
        panic!()
    };
    loaded(&mut app, *g3, page(items(0..12), false));
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!((tl.list.items.len(), tl.list.selected), (12, 1));
}

#[test]
fn delete_asks_then_removes_only_when_the_server_confirms() {
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..3), false));
    assert!(update(&mut app, key('d')).is_empty());
    assert!(matches!(app.modals.front(), Some(Modal::Confirm(_))));
    // n says no.
    update(&mut app, key('n'));
    assert!(app.modals.is_empty());
    update(&mut app, key('d'));
    let effects = update(&mut app, key('y'));
    let [Effect::DeleteItem { item, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(item_id(item), Some("msg_0"));
    assert_eq!(
        app.timeline.as_ref().unwrap().list.items.len(),
        3,
        "still shown until confirmed"
    );
    update(
        &mut app,
        Message::ItemDeleted {
            conversation: "conv_1".into(),
            item: "msg_0".into(),
            result: Err(Failure {
                message: "boom".into(),
                status: Some(500),
                request_id: Some("req_1".into()),
            }),
        },
    );
    assert_eq!(app.timeline.as_ref().unwrap().list.items.len(), 3);
    assert!(
        matches!(&app.status, Some(Status::Error(f)) if f.to_string() == "boom (HTTP 500, request req_1)")
    );
    update(&mut app, key('d'));
    update(&mut app, code(KeyCode::Enter));
    update(
        &mut app,
        Message::ItemDeleted {
            conversation: "conv_1".into(),
            item: "msg_0".into(),
            result: Ok(()),
        },
    );
    assert_eq!(app.timeline.as_ref().unwrap().list.items.len(), 2);
}

#[test]
fn marked_items_are_deleted_together_and_counted() {
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..4), false));
    update(&mut app, key(' '));
    update(&mut app, key(' '));
    assert_eq!(app.timeline.as_ref().unwrap().list.marked.len(), 2);
    update(&mut app, key('D'));
    let effects = update(&mut app, key('y'));
    let [Effect::DeleteItems { items, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(items.len(), 2);
    update(
        &mut app,
        Message::MarkedDeleted {
            conversation: "conv_1".into(),
            deleted: vec!["msg_0".into()],
            failed: vec![("msg_1".into(), Failure::new("nope"))],
        },
    );
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!(tl.list.items.len(), 3);
    assert!(
        matches!(&app.status, Some(Status::Error(f)) if f.message.starts_with("Deleted 1 of 2 items; 1 failed"))
    );
}

#[test]
fn a_404_on_a_later_page_does_not_mark_the_conversation_gone() {
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..100), true));
    update(&mut app, key('G'));
    let not_found = Failure {
        message: "Item not found".into(),
        status: Some(404),
        request_id: None,
    };
    loaded(&mut app, generation, Err(not_found.clone()));
    assert!(!app.convs.items[0].gone);
    assert_eq!(app.timeline.as_ref().unwrap().list.items.len(), 100);
    // On the first page it does.
    let (mut app, generation) = opened();
    loaded(&mut app, generation, Err(not_found));
    assert!(app.convs.items[0].gone);
}

#[test]
fn a_missing_conversation_is_marked_gone_and_can_be_forgotten() {
    let (mut app, _) = opened();
    update(
        &mut app,
        Message::ConversationLoaded {
            id: "conv_1".into(),
            result: Err(Failure {
                message: "not found".into(),
                status: Some(404),
                request_id: None,
            }),
        },
    );
    assert!(app.convs.items[0].gone);
    update(&mut app, code(KeyCode::Esc));
    let effects = update(&mut app, key('x'));
    let hide = crate::registry::Change::Hide("conv_1".into());
    assert_eq!(effects, [Effect::SaveRegistry(vec![(1, hide)])]);
    assert!(app.registry.conversations.is_empty());
    assert!(app.convs.items.is_empty());
}

#[test]
fn open_by_id_opens_and_registers_once_the_server_confirms() {
    let mut app = App::new("local", "http://x/v1", Registry::default());
    update(&mut app, key('o'));
    update(
        &mut app,
        Message::Paste("  see https://example.test/logs/conv_pasted42 \n".into()),
    );
    let effects = update(&mut app, code(KeyCode::Enter));
    assert!(effects.contains(&Effect::LoadConversation("conv_pasted42".into())));
    assert!(!effects.iter().any(|e| matches!(e, Effect::SaveRegistry(_))));
    assert_eq!(app.timeline.as_ref().unwrap().conversation, "conv_pasted42");
    assert_eq!(app.focus, Focus::Timeline);
    let effects = update(
        &mut app,
        Message::ConversationLoaded {
            id: "conv_pasted42".into(),
            result: Ok(info(1)),
        },
    );
    let add = crate::registry::Change::Add("conv_pasted42".into());
    assert_eq!(effects, [Effect::SaveRegistry(vec![(1, add)])]);
    assert!(app.registry.contains("conv_pasted42"));
}

#[test]
fn a_mistyped_id_leaves_nothing_behind() {
    let mut app = App::new("local", "http://x/v1", Registry::default());
    update(&mut app, key('o'));
    update(&mut app, Message::Paste("conv_typo".into()));
    update(&mut app, code(KeyCode::Enter));
    let not_found = Failure {
        message: "not found".into(),
        status: Some(404),
        request_id: None,
    };
    let effects = update(
        &mut app,
        Message::ConversationLoaded {
            id: "conv_typo".into(),
            result: Err(not_found),
        },
    );
    assert!(effects.is_empty());
    assert!(
        app.convs.items.is_empty()
            && app.timeline.is_none()
            && app.registry.conversations.is_empty()
    );
    assert!(matches!(&app.status, Some(Status::Error(f)) if f.message.contains("conv_typo")));
}

#[test]
fn the_list_is_newest_first_and_the_selection_stays_put() {
    let mut registry = Registry::default();
    registry.add(["conv_old", "conv_unknown"]);
    let mut app = App::new("local", "http://x/v1", registry);
    app.convs.selected = 1; // conv_unknown
    app.pending = 2;
    update(
        &mut app,
        Message::ConversationLoaded {
            id: "conv_old".into(),
            result: Ok(info(100)),
        },
    );
    update(
        &mut app,
        Message::ConversationsListed(Ok(Some(vec![("conv_new".into(), info(200))]))),
    );
    let ids: Vec<&str> = app.convs.items.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["conv_new", "conv_old", "conv_unknown"]);
    assert_eq!(
        app.selected_conv().map(|c| c.id.as_str()),
        Some("conv_unknown")
    );
}

#[test]
fn detail_scrolling_stops_at_the_end() {
    let (mut app, generation) = opened();
    let long = json!({"type": "message", "id": "msg_long", "role": "user", "content": (0..50).map(|i| format!("line {i}")).collect::<Vec<_>>().join("\n")});
    loaded(&mut app, generation, page(vec![long], false));
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.focus, Focus::Detail);
    update(&mut app, key('G'));
    let bottom = app.detail.scroll;
    // About 54 lines in a pane that shows 9 at a height of 24: the last screenful, not less.
    assert!((40..50).contains(&bottom), "{bottom}");
    update(&mut app, key('k'));
    assert_eq!(app.detail.scroll, bottom - 1, "one step up moves at once");
    update(&mut app, key('g'));
    assert_eq!(app.detail.scroll, 0);
}

#[test]
fn a_refresh_that_finds_the_conversation_gone_clears_its_items() {
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..10), false));
    let effects = update(&mut app, key('R'));
    let Some(Effect::LoadItems { generation: g2, .. }) = effects.last() else {
        panic!()
    };
    let gone = Failure {
        message: "Conversation not found".into(),
        status: Some(404),
        request_id: None,
    };
    loaded(&mut app, *g2, Err(gone));
    assert!(app.convs.items[0].gone);
    assert!(app.timeline.is_none(), "no stale items that look deletable");
    assert_eq!(app.focus, Focus::Conversations);
}

#[test]
fn a_forgotten_conversation_stays_out_of_the_servers_list() {
    let mut app = App::new("local", "http://x/v1", Registry::default());
    app.pending = 2;
    update(
        &mut app,
        Message::ConversationsListed(Ok(Some(vec![
            ("conv_a".into(), info(2)),
            ("conv_b".into(), info(1)),
        ]))),
    );
    update(&mut app, key('x'));
    assert_eq!(app.convs.items.len(), 1);
    update(
        &mut app,
        Message::ConversationsListed(Ok(Some(vec![
            ("conv_a".into(), info(2)),
            ("conv_b".into(), info(1)),
        ]))),
    );
    let ids: Vec<&str> = app.convs.items.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["conv_b"]);
}

#[test]
fn deleting_a_conversation_already_gone_removes_its_entry() {
    let (mut app, _) = opened();
    let gone = Failure {
        message: "not found".into(),
        status: Some(404),
        request_id: None,
    };
    app.pending = 1;
    let effects = update(
        &mut app,
        Message::ConversationDeleted {
            id: "conv_1".into(),
            result: Err(gone),
        },
    );
    let remove = crate::registry::Change::Remove("conv_1".into());
    assert_eq!(effects, [Effect::SaveRegistry(vec![(1, remove)])]);
    assert!(app.registry.conversations.is_empty());
    assert!(app.convs.items.is_empty() && app.timeline.is_none());
    assert!(matches!(&app.status, Some(Status::Info(t)) if t.contains("already gone")));
}

#[test]
fn g_goes_to_the_real_end_loading_what_is_left() {
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..100), true));
    update(&mut app, key('G'));
    loaded(&mut app, generation, page(items(100..200), true));
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!(tl.list.selected, 199, "the selection follows the end");
    assert!(tl.paging.loading, "and the next page is on its way");
    loaded(&mut app, generation, page(items(200..250), false));
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!(
        (tl.list.selected, tl.list.items.len(), tl.paging.follow_end),
        (249, 250, false)
    );
    // Moving away stops following.
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..100), true));
    update(&mut app, key('G'));
    update(&mut app, key('k'));
    loaded(&mut app, generation, page(items(100..200), true));
    assert_eq!(app.timeline.as_ref().unwrap().list.selected, 98);
}

#[test]
fn a_mistyped_id_gives_back_the_conversation_that_was_open() {
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..5), false));
    update(&mut app, key('o'));
    update(&mut app, Message::Paste("conv_typo".into()));
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.timeline.as_ref().unwrap().conversation, "conv_typo");
    let not_found = Failure {
        message: "not found".into(),
        status: Some(404),
        request_id: None,
    };
    update(
        &mut app,
        Message::ConversationLoaded {
            id: "conv_typo".into(),
            result: Err(not_found),
        },
    );
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!(
        (tl.conversation.as_str(), tl.list.items.len()),
        ("conv_1", 5)
    );
    assert_eq!(app.focus, Focus::Timeline);
}

#[test]
fn help_scrolls_to_its_end_and_no_further() {
    let mut app = App::new("local", "http://x/v1", Registry::default());
    app.height = 20;
    update(&mut app, key('?'));
    update(&mut app, key('G'));
    let Some(bottom) = help_scroll(&app) else {
        panic!()
    };
    assert!(bottom > 0);
    update(&mut app, key('j'));
    assert_eq!(help_scroll(&app), Some(bottom));
    update(&mut app, key('k'));
    assert_eq!(help_scroll(&app), Some(bottom - 1));
    update(&mut app, key('g'));
    assert_eq!(help_scroll(&app), Some(0));
}

#[test]
fn ctrl_c_quits_even_in_a_dialog() {
    let mut app = App::new("local", "http://x/v1", Registry::default());
    update(&mut app, key('?'));
    update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(app.quit);
}

#[test]
fn the_wheel_stops_at_the_end_of_the_detail_where_g_does() {
    use crossterm::event::{MouseEvent, MouseEventKind};
    let (mut app, generation) = opened();
    let long = json!({"type": "message", "id": "msg_long", "role": "user", "content": (0..50).map(|i| format!("line {i}")).collect::<Vec<_>>().join("\n")});
    loaded(&mut app, generation, page(vec![long], false));
    update(&mut app, code(KeyCode::Enter));
    update(&mut app, key('G'));
    let bottom = app.detail.scroll;
    assert!(bottom > 0, "{bottom}");
    update(&mut app, key('g'));
    let d = app.geometry.detail;
    let wheel = |kind| {
        Message::Mouse(MouseEvent {
            kind,
            column: d.x + 1,
            row: d.y + 1,
            modifiers: KeyModifiers::NONE,
        })
    };
    for _ in 0..100 {
        update(&mut app, wheel(MouseEventKind::ScrollDown));
    }
    assert_eq!(app.detail.scroll, bottom, "the wheel stops where G does");
    update(&mut app, wheel(MouseEventKind::ScrollUp));
    assert_eq!(app.detail.scroll, bottom - 3, "one notch up moves at once");
}
