//! The editors through `update`, and snapshots of them on TestBackend.

use convtui::registry::Registry;
use convtui::tui::editor::{ComposeStage, Editor, Stage};
use convtui::tui::message::{Effect, Message};
use convtui::tui::modal::{Confirm, Modal, Pending};
use convtui::tui::state::{App, ConvInfo, Failure, Focus};
use convtui::tui::{update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const ID: &str = "conv_0000000000000000000000000000000000000000000001";

fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn app() -> App {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    app.now = 1_764_000_000;
    let metadata = [
        ("title", "Trip planning"),
        ("topic", "travel"),
        ("owner", "sam"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let listed = vec![(
        ID.to_string(),
        ConvInfo {
            created_at: 1_763_990_000,
            metadata,
        },
    )];
    app.pending = 1;
    update::update(&mut app, Message::ConversationsListed(Ok(Some(listed))));
    app
}

/// Sends each character as a key press; answers every effect.
fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        let k = if c == '\n' {
            key(KeyCode::Enter)
        } else {
            key(KeyCode::Char(c))
        };
        effects.extend(update::update(app, k));
    }
    effects
}

/// `e` on the selected conversation, with no draft on disk.
fn open_editor(app: &mut App) {
    let effects = update::update(app, key(KeyCode::Char('e')));
    assert_eq!(
        effects,
        [
            Effect::LoadConversation(ID.to_string()),
            Effect::LoadDraft {
                name: ID.to_string()
            }
        ]
    );
    update::update(
        app,
        Message::DraftLoaded {
            name: ID.into(),
            result: Ok(None),
        },
    );
}

/// `a` on the open conversation, with no draft on disk.
fn open_composer(app: &mut App) {
    update::update(app, key(KeyCode::Enter));
    update::update(app, key(KeyCode::Char('a')));
    update::update(
        app,
        Message::DraftLoaded {
            name: format!("{ID}.items"),
            result: Ok(None),
        },
    );
}

fn meta(app: &App) -> &convtui::tui::editor::MetadataEditor {
    match app.editor() {
        Some(Editor::Metadata(ed)) => ed,
        _ => panic!("the metadata editor is open"),
    }
}

/// The question in front of the editor, if one is asked.
fn question(app: &App) -> Option<&Confirm> {
    match app.modals.front() {
        Some(Modal::Confirm(c)) => Some(c),
        _ => None,
    }
}

fn asks(app: &App, pending: fn(&Pending) -> bool) -> bool {
    question(app).is_some_and(|c| pending(&c.pending))
}

/// The text of a question's lines.
fn question_text(app: &App) -> String {
    question(app)
        .map(|c| {
            c.lines
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn render(app: &mut App, w: u16, h: u16) -> String {
    update::update(app, Message::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn editor_shows_errors_beside_their_lines() {
    let mut app = app();
    open_editor(&mut app);
    // To the end of the text, then a bad line, a duplicate and a too-long key.
    for _ in 0..3 {
        update::update(&mut app, key(KeyCode::Down));
    }
    update::update(&mut app, key(KeyCode::End));
    type_text(
        &mut app,
        &format!(
            "\nno equals sign\ntitle = again\n{} = x\nnote = a = b\\nline two",
            "k".repeat(70)
        ),
    );
    let ed = meta(&app);
    assert_eq!(ed.parsed.errors.len(), 3, "{:?}", ed.parsed.errors);
    assert_eq!(ed.parsed.counter(), "4/16");
    insta::assert_snapshot!("editor_errors_120x40", render(&mut app, 120, 40));
    insta::assert_snapshot!("editor_errors_60x20", render(&mut app, 60, 20));
    // Saving is refused, and nothing is sent.
    let effects = update::update(&mut app, ctrl('s'));
    assert!(effects.is_empty());
    assert!(meta(&app)
        .error
        .as_deref()
        .unwrap()
        .contains("nothing was sent"));
}

#[test]
fn a_seventeenth_key_is_refused_with_the_api_reason() {
    let mut app = app();
    open_editor(&mut app);
    let lines: Vec<String> = (0..14).map(|i| format!("k{i:02} = {i}")).collect();
    update::update(&mut app, Message::Paste(format!("{}\n", lines.join("\n"))));
    assert_eq!(meta(&app).parsed.counter(), "17/16");
    assert!(update::update(&mut app, ctrl('s')).is_empty());
    let error = meta(&app).error.clone().unwrap();
    assert!(
        error.contains("Expected an object with at most 16 properties, but got an object with 17 properties instead."),
        "{error}"
    );
}

#[test]
fn ctrl_s_shows_the_diff_then_saves_with_one_call() {
    let mut app = app();
    open_editor(&mut app);
    // Lines are in key order: owner, title, topic. Remove owner, change title, add note.
    update::update(&mut app, ctrl('k'));
    update::update(&mut app, key(KeyCode::Down));
    update::update(&mut app, key(KeyCode::End));
    type_text(&mut app, "!\nnote =  padded\\s");
    let effects = update::update(&mut app, ctrl('s'));
    assert!(effects.is_empty());
    assert!(asks(&app, |p| *p == Pending::SaveMetadata));
    assert_eq!(meta(&app).stage, Stage::Editing);
    insta::assert_snapshot!("editor_diff_120x40", render(&mut app, 120, 40));
    insta::assert_snapshot!("editor_diff_60x20", render(&mut app, 60, 20));

    let effects = update::update(&mut app, key(KeyCode::Char('y')));
    let [Effect::UpdateMetadata {
        conversation,
        metadata,
        base,
    }] = effects.as_slice()
    else {
        panic!("one update call: {effects:?}");
    };
    assert_eq!(conversation, ID);
    assert_eq!(
        base.get("owner").map(String::as_str),
        Some("sam"),
        "the diff's base"
    );
    assert_eq!(metadata.get("note").map(String::as_str), Some("padded "));
    assert_eq!(
        metadata.get("title").map(String::as_str),
        Some("Trip planning!")
    );
    assert!(!metadata.contains_key("owner"));
    assert_eq!(meta(&app).stage, Stage::Saving);

    // The server merges instead: the editor shows what it returned.
    let mut returned = metadata.clone();
    returned.insert("owner".into(), "sam".into());
    let effects = update::update(
        &mut app,
        Message::MetadataSaved {
            conversation: ID.into(),
            result: Ok(ConvInfo {
                created_at: 1,
                metadata: returned.clone(),
            }),
        },
    );
    assert!(matches!(
        effects.as_slice(),
        [Effect::Draft { text: None, .. }]
    ));
    let ed = meta(&app);
    assert_eq!(ed.parsed.map, returned);
    assert!(ed
        .notice
        .as_deref()
        .unwrap()
        .contains("the server kept something else"));
    assert!(!ed.is_dirty());
}

#[test]
fn a_failed_save_keeps_the_text_and_the_draft() {
    let mut app = app();
    open_editor(&mut app);
    let effects = type_text(&mut app, "x");
    assert!(
        matches!(effects.last(), Some(Effect::Draft { text: Some(t), .. }) if t.starts_with("xowner = sam")),
        "every change writes the draft: {effects:?}"
    );
    update::update(&mut app, ctrl('s'));
    update::update(&mut app, key(KeyCode::Enter));
    let before = meta(&app).text();
    let effects = update::update(
        &mut app,
        Message::MetadataSaved {
            conversation: ID.into(),
            result: Err(Failure {
                message: "upstream broke".into(),
                status: Some(502),
                request_id: Some("req_1".into()),
            }),
        },
    );
    assert!(effects.is_empty(), "the draft stays: {effects:?}");
    let ed = meta(&app);
    assert_eq!(ed.stage, Stage::Editing);
    assert_eq!(ed.text(), before);
    assert!(ed.error.as_deref().unwrap().contains("HTTP 502"));
    // Esc with unsaved changes asks first.
    update::update(&mut app, key(KeyCode::Esc));
    assert!(asks(&app, |p| *p == Pending::DiscardChanges));
    update::update(&mut app, key(KeyCode::Char('n')));
    assert!(question(&app).is_none());
    assert_eq!(meta(&app).stage, Stage::Editing);
}

#[test]
fn a_draft_is_offered_back() {
    let mut app = app();
    update::update(&mut app, key(KeyCode::Char('e')));
    update::update(
        &mut app,
        Message::DraftLoaded {
            name: ID.into(),
            result: Ok(Some("title = from the draft".into())),
        },
    );
    assert!(asks(&app, |p| matches!(p, Pending::RestoreDraft(_))));
    // The question is on screen (the event loop arms it once it is drawn).
    app.modals.arm();
    update::update(&mut app, key(KeyCode::Char('y')));
    assert_eq!(meta(&app).text(), "title = from the draft");
}

#[test]
fn new_conversation_with_a_first_message_joins_the_registry_and_opens() {
    let mut app = app();
    update::update(&mut app, key(KeyCode::Char('n')));
    update::update(
        &mut app,
        Message::DraftLoaded {
            name: "new".into(),
            result: Ok(None),
        },
    );
    type_text(&mut app, "title = Fresh");
    update::update(&mut app, key(KeyCode::Tab));
    update::update(&mut app, Message::Paste("hello\nthere".into()));
    update::update(&mut app, ctrl('s'));
    let effects = update::update(&mut app, key(KeyCode::Char('y')));
    let [Effect::CreateConversation { metadata, items }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(metadata.get("title").map(String::as_str), Some("Fresh"));
    assert_eq!(items[0]["content"], "hello\nthere");
    let new_id = "conv_0000000000000000000000000000000000000000000002";
    let effects = update::update(
        &mut app,
        Message::ConversationCreated(Ok((
            new_id.into(),
            ConvInfo {
                created_at: 2,
                metadata: metadata.clone(),
            },
        ))),
    );
    assert!(app.editor().is_none());
    assert!(app.registry.contains(new_id));
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveRegistry(_))));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::LoadItems { conversation, .. } if conversation == new_id)));
    assert_eq!(app.focus, Focus::Timeline);
}

#[test]
fn composer_sends_json_items_and_shows_progress() {
    let mut app = app();
    open_composer(&mut app);
    update::update(&mut app, key(KeyCode::Tab)); // role: assistant
    insta::assert_snapshot!("composer_60x20", render(&mut app, 60, 20));
    update::update(&mut app, ctrl('t'));
    let items: Vec<String> = (0..45)
        .map(|i| format!(r#"{{"role":"user","content":"n{i}"}}"#))
        .collect();
    update::update(
        &mut app,
        Message::Paste(format!("{{\"items\":[{}]}}", items.join(","))),
    );
    let effects = update::update(&mut app, ctrl('s'));
    let [Effect::AddItems { items, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(items.len(), 45);
    update::update(
        &mut app,
        Message::ItemsProgress {
            conversation: ID.into(),
            sent: 20,
            total: 45,
        },
    );
    assert!(render(&mut app, 120, 40).contains("Sending… 20 of 45 added"));
    // The second chunk fails: the text keeps only what was not added.
    update::update(
        &mut app,
        Message::ItemsAdded {
            conversation: ID.into(),
            sent: 20,
            total: 45,
            result: Err(Failure::new("boom")),
        },
    );
    let Some(Editor::Compose(c)) = app.editor() else {
        panic!("the composer stays open");
    };
    assert_eq!(c.stage, ComposeStage::Editing);
    assert!(c.error.as_deref().unwrap().contains("Added 20 of 45"));
    let rest: serde_json::Value = serde_json::from_str(&c.text()).unwrap();
    assert_eq!(rest.as_array().unwrap().len(), 25);
    assert_eq!(rest[0]["content"], "n20");
}

#[test]
fn deleting_a_conversation_names_it_and_asks_for_a_full_backup() {
    let mut app = app();
    update::update(&mut app, key(KeyCode::Char('d')));
    let screen = render(&mut app, 120, 40);
    assert!(screen.contains("Delete this conversation?"), "{screen}");
    assert!(screen.contains("Trip planning"), "{screen}");
    let effects = update::update(&mut app, key(KeyCode::Char('y')));
    assert!(matches!(
        effects.as_slice(),
        [Effect::DeleteConversation { id }] if id == ID
    ));
}

#[test]
fn the_editor_follows_the_servers_latest_metadata() {
    let fresh = |pairs: &[(&str, &str)]| ConvInfo {
        created_at: 1_764_000_000,
        metadata: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let mut app = app();
    open_editor(&mut app);
    // Untouched text follows the server.
    update::update(
        &mut app,
        Message::ConversationLoaded {
            id: ID.into(),
            result: Ok(fresh(&[("title", "Trip planning"), ("added", "elsewhere")])),
        },
    );
    assert!(
        meta(&app).text().contains("added = elsewhere"),
        "{}",
        meta(&app).text()
    );
    // Edited text is kept, and the diff is against what the server has now.
    type_text(&mut app, "mine = 1\n");
    update::update(
        &mut app,
        Message::ConversationLoaded {
            id: ID.into(),
            result: Ok(fresh(&[("title", "Trip planning")])),
        },
    );
    let ed = meta(&app);
    assert!(ed.text().contains("mine = 1") && ed.text().contains("added = elsewhere"));
    assert_eq!(ed.base.len(), 1);
    assert!(ed
        .notice
        .as_deref()
        .unwrap_or("")
        .contains("changed on the server"));
}

#[test]
fn a_save_over_changes_made_elsewhere_is_stopped_and_shown() {
    let mut app = app();
    open_editor(&mut app);
    update::update(&mut app, key(KeyCode::End));
    type_text(&mut app, "\nmine = 1");
    update::update(&mut app, ctrl('s'));
    let effects = update::update(&mut app, key(KeyCode::Char('y')));
    assert!(matches!(
        effects.as_slice(),
        [Effect::UpdateMetadata { .. }]
    ));
    // Another client added a key meanwhile: the runtime found it and sent nothing.
    let mut current = meta(&app).base.clone();
    current.insert("other".into(), "x".into());
    update::update(
        &mut app,
        Message::MetadataConflict {
            conversation: ID.into(),
            current: ConvInfo {
                created_at: 1_764_000_000,
                metadata: current,
            },
        },
    );
    let ed = meta(&app);
    assert_eq!(ed.stage, Stage::Editing);
    assert!(ed
        .error
        .as_deref()
        .unwrap_or("")
        .contains("changed on the server"));
    assert!(ed.text().contains("mine = 1"), "the text is kept");
    // Saving again shows that `other` would go.
    update::update(&mut app, ctrl('s'));
    assert!(
        asks(&app, |p| *p == Pending::SaveMetadata),
        "the diff is shown"
    );
    let shown = question_text(&app);
    assert!(shown.contains("other") && shown.contains("mine"), "{shown}");
}

#[test]
fn json_typed_as_a_message_asks_before_sending() {
    let mut app = app();
    open_composer(&mut app);
    update::update(
        &mut app,
        Message::Paste(r#"[{"role":"user","content":"x"}]"#.into()),
    );
    assert!(
        update::update(&mut app, ctrl('s')).is_empty(),
        "not sent yet"
    );
    let effects = update::update(&mut app, ctrl('s'));
    let [Effect::AddItems { items, .. }] = effects.as_slice() else {
        panic!("sent as a message on the second ctrl-s: {effects:?}")
    };
    assert_eq!(items[0]["type"], "message");
    assert!(items[0]["content"].as_str().unwrap().starts_with("[{"));
}

#[test]
fn input_during_the_draft_check_is_applied_not_lost() {
    let mut app = app();
    update::update(&mut app, key(KeyCode::Char('e')));
    update::update(&mut app, key(KeyCode::End));
    type_text(&mut app, "z");
    update::update(&mut app, Message::Paste("\npasted = 1".into()));
    assert_eq!(meta(&app).stage, Stage::CheckingDraft);
    let effects = update::update(
        &mut app,
        Message::DraftLoaded {
            name: ID.into(),
            result: Ok(None),
        },
    );
    let ed = meta(&app);
    assert!(ed.text().contains("pasted = 1"), "{}", ed.text());
    assert!(ed.text().lines().any(|l| l.ends_with('z')), "{}", ed.text());
    assert!(
        !effects.is_empty(),
        "the replayed input is written to the draft"
    );
}
