//! What keys do, through `update`: the draft question (not now, discard, and typed text that
//! never answers it), ctrl-j in a text area, a bulk delete that keeps the selection on its
//! item, the editor's live problem count and its ctrl-s after a conflict, and the notes of
//! keys that have nothing to act on.

use convtui::registry::Registry;
use convtui::tui::editor::{Editor, Stage};
use convtui::tui::message::{Effect, Message, PageData};
use convtui::tui::modal::{Modal, Pending};
use convtui::tui::state::{App, ConvEntry, ConvInfo, Status};
use convtui::tui::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

const ID: &str = "conv_0000000000000000000000000000000000000000000001";

fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ch(c: char) -> Message {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn app() -> App {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    let listed = vec![(
        ID.to_string(),
        ConvInfo {
            created_at: 1,
            metadata: [("title".to_string(), "Trip".to_string())].into(),
        },
    )];
    update::update(&mut app, Message::ConversationsListed(Ok(Some(listed))));
    app
}

fn status(app: &App) -> String {
    match &app.status {
        Some(Status::Info(t) | Status::Warning(t)) => t.clone(),
        Some(Status::Error(f)) => f.to_string(),
        None => String::new(),
    }
}

fn draft_loaded(app: &mut App, name: &str, draft: Option<&str>) -> Vec<Effect> {
    update::update(
        app,
        Message::DraftLoaded {
            name: name.into(),
            result: Ok(draft.map(String::from)),
        },
    )
}

fn deletes_a_draft(effects: &[Effect]) -> bool {
    effects
        .iter()
        .any(|e| matches!(e, Effect::Draft { text: None, .. }))
}

fn meta_text(app: &App) -> String {
    match app.editor() {
        Some(Editor::Metadata(ed)) => ed.text(),
        _ => panic!("the metadata editor is open"),
    }
}

#[test]
fn esc_on_the_draft_question_means_not_now_and_the_draft_stays() {
    for not_now in [key(KeyCode::Esc), ch('n')] {
        let mut app = app();
        update::update(&mut app, ch('e'));
        draft_loaded(&mut app, ID, Some("title = from the draft"));
        app.modals.arm();
        let effects = update::update(&mut app, not_now);
        assert!(!deletes_a_draft(&effects), "the draft stays: {effects:?}");
        assert!(app.editor().is_none(), "not now: the editor closes");
        assert!(status(&app).contains("kept"), "{}", status(&app));
    }
    // Only discard deletes it, and editing goes on from the server's text.
    let mut app = app();
    update::update(&mut app, ch('e'));
    draft_loaded(&mut app, ID, Some("title = from the draft"));
    app.modals.arm();
    let effects = update::update(&mut app, ch('d'));
    assert!(deletes_a_draft(&effects), "{effects:?}");
    assert_eq!(meta_text(&app), "title = Trip");
}

#[test]
fn typed_text_never_answers_the_draft_question() {
    let mut app = app();
    update::update(&mut app, ch('a'));
    // Typing goes on while the draft check runs; the question appears in the middle of it.
    for c in "hel".chars() {
        update::update(&mut app, ch(c));
    }
    draft_loaded(
        &mut app,
        &format!("{ID}.items"),
        Some(r#"{"role":"user","json":false,"text":"old"}"#),
    );
    // Keys before the question was drawn are text, not answers: `Y` included.
    for c in "loY".chars() {
        update::update(&mut app, ch(c));
    }
    assert!(
        matches!(app.modals.front(), Some(Modal::Confirm(c)) if matches!(c.pending, Pending::RestoreDraft(_))),
        "still asking"
    );
    // Drawn now; but a burst of several keys (typing, a paste) answers nothing either.
    app.modals.arm();
    app.modals.disarm();
    update::update(&mut app, ch('y'));
    assert!(matches!(app.modals.front(), Some(Modal::Confirm(_))));
    // A key on its own, once drawn, answers; everything typed is then in the composer.
    app.modals.arm();
    update::update(&mut app, ch('d'));
    match app.editor() {
        Some(Editor::Compose(c)) => assert_eq!(c.text(), "helloYy"),
        _ => panic!("the composer is open"),
    }
}

#[test]
fn ctrl_j_is_a_newline_and_a_pasted_json_arrives_whole() {
    let mut app = app();
    update::update(&mut app, key(KeyCode::Enter));
    update::update(&mut app, ch('a'));
    draft_loaded(&mut app, &format!("{ID}.items"), None);
    update::update(&mut app, ctrl('t'));
    // Without bracketed paste, each line feed of a paste arrives as ctrl-j.
    let json = "[\n  {\"role\": \"user\", \"content\": \"one\"},\n  {\"role\": \"user\", \"content\": \"two\"}\n]";
    for c in json.chars() {
        update::update(&mut app, if c == '\n' { ctrl('j') } else { ch(c) });
    }
    let Some(Editor::Compose(c)) = app.editor() else {
        panic!("the composer is open")
    };
    assert_eq!(c.text(), json, "nothing was erased");
    let effects = update::update(&mut app, ctrl('s'));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::AddItems { items, .. } if items.len() == 2)),
        "{effects:?}"
    );
}

/// The open conversation with `n` items, `msg_0` first.
fn with_items(n: usize) -> App {
    let mut app = app();
    update::update(&mut app, key(KeyCode::Enter));
    let generation = app.timeline.as_ref().unwrap().paging.generation;
    let items = (0..n)
        .map(|i| json!({"type": "message", "id": format!("msg_{i}"), "role": "user", "content": format!("note {i}")}))
        .collect();
    update::update(
        &mut app,
        Message::ItemsLoaded {
            conversation: ID.into(),
            generation,
            result: Ok(PageData::of(items, false)),
        },
    );
    app
}

fn selected_id(app: &App) -> String {
    let item = app.timeline.as_ref().unwrap().selected_item().unwrap();
    item.id().unwrap().to_string()
}

fn bulk_delete(app: &mut App, deleted: &[&str]) {
    update::update(
        app,
        Message::MarkedDeleted {
            conversation: ID.into(),
            deleted: deleted.iter().map(|s| s.to_string()).collect(),
            failed: vec![],
        },
    );
}

#[test]
fn a_bulk_delete_keeps_the_selection_on_its_item_or_the_nearest_survivor() {
    let mut app = with_items(8);
    // Mark 1 and 2, then go to 5: deleting items above it keeps the cursor on msg_5.
    for k in [ch('j'), ch(' '), ch(' '), ch('j'), ch('j')] {
        update::update(&mut app, k);
    }
    assert_eq!(selected_id(&app), "msg_5");
    bulk_delete(&mut app, &["msg_1", "msg_2"]);
    assert_eq!(selected_id(&app), "msg_5", "the same item");
    // The selected item itself goes: the next one that survives.
    bulk_delete(&mut app, &["msg_5", "msg_6"]);
    assert_eq!(selected_id(&app), "msg_7");
    // At the end, the one before it.
    bulk_delete(&mut app, &["msg_7"]);
    assert_eq!(selected_id(&app), "msg_4");
}

#[test]
fn keys_with_nothing_to_act_on_say_select_first() {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    update::update(&mut app, Message::ConversationsListed(Ok(Some(vec![]))));
    for k in ['d', 'x', 'X', 'e'] {
        let effects = update::update(&mut app, ch(k));
        assert!(effects.is_empty(), "{k}: {effects:?}");
        assert!(app.modals.is_empty(), "{k}");
        assert_eq!(status(&app), "Select a conversation first.", "{k}");
    }
}

#[test]
fn e_on_a_gone_conversation_says_it_is_gone() {
    let mut app = app();
    app.convs.items.push(ConvEntry {
        id: "conv_gone".into(),
        info: Some(ConvInfo {
            created_at: 0,
            metadata: [("title".to_string(), "Old".to_string())].into(),
        }),
        gone: true,
    });
    update::update(&mut app, ch('j'));
    assert_eq!(app.selected_conv().unwrap().id, "conv_gone");
    let effects = update::update(&mut app, ch('e'));
    assert!(effects.is_empty(), "no draft check, no draft: {effects:?}");
    assert!(app.editor().is_none());
    assert!(status(&app).contains("gone"), "{}", status(&app));
}

#[test]
fn the_problem_count_follows_the_fixes_and_ctrl_s_after_a_conflict_does_what_it_says() {
    let mut app = app();
    update::update(&mut app, ch('e'));
    draft_loaded(&mut app, ID, None);
    update::update(&mut app, key(KeyCode::End));
    for c in "\nbad line".chars() {
        update::update(
            &mut app,
            if c == '\n' {
                key(KeyCode::Enter)
            } else {
                ch(c)
            },
        );
    }
    update::update(&mut app, ctrl('s'));
    let error = |app: &App| match app.editor() {
        Some(Editor::Metadata(ed)) => ed.error.clone(),
        _ => None,
    };
    assert!(error(&app).is_some_and(|e| e.contains("1 problem")));
    // Fixing the line takes the stale message away; the live count shows none.
    for c in " = ok".chars() {
        update::update(&mut app, ch(c));
    }
    assert_eq!(error(&app), None, "no stale 'N problems'");
    let Some(Editor::Metadata(ed)) = app.editor() else {
        panic!()
    };
    assert!(ed.parsed.is_valid());

    // Saving meets a change made elsewhere to the same value: the message asks for ctrl-s.
    update::update(&mut app, ctrl('s'));
    update::update(&mut app, ch('y'));
    let server = ConvInfo {
        created_at: 1,
        metadata: [
            ("title".to_string(), "Trip".to_string()),
            ("bad line".to_string(), "ok".to_string()),
        ]
        .into(),
    };
    update::update(
        &mut app,
        Message::MetadataConflict {
            conversation: ID.into(),
            current: server,
        },
    );
    assert!(error(&app).is_some_and(|e| e.contains("ctrl-s")));
    update::update(&mut app, ctrl('s'));
    let Some(Editor::Metadata(ed)) = app.editor() else {
        panic!()
    };
    assert_eq!(ed.stage, Stage::Editing);
    assert_eq!(ed.error, None, "the conflict message gave way");
    assert_eq!(ed.notice.as_deref(), Some("No changes to save."));
}
