//! Under every modal the hint bar shows that modal's keys and no others: checked on the
//! bottom row of a rendered frame, for the confirm, open-by-id, help, each editor and each
//! of its stages.

use convtui::registry::Registry;
use convtui::tui::keymap::{Context, Keymap};
use convtui::tui::message::{Message, PageData};
use convtui::tui::state::{App, ConvInfo};
use convtui::tui::{update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
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

/// One conversation with metadata, opened, with two items loaded.
fn app() -> App {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    let metadata = [("title".to_string(), "Trip".to_string())].into();
    let listed = vec![(
        ID.to_string(),
        ConvInfo {
            created_at: 1,
            metadata,
        },
    )];
    update::update(&mut app, Message::ConversationsListed(Ok(Some(listed))));
    update::update(&mut app, key(KeyCode::Enter));
    let generation = app.timeline.as_ref().unwrap().paging.generation;
    let items = (0..2)
        .map(|i| json!({"type": "message", "id": format!("msg_{i}"), "role": "user", "content": "hi"}))
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

fn draft_loaded(app: &mut App, name: &str, draft: Option<&str>) {
    update::update(
        app,
        Message::DraftLoaded {
            name: name.into(),
            result: Ok(draft.map(String::from)),
        },
    );
}

/// The bottom row of a 200×40 frame.
fn hint_row(app: &mut App) -> String {
    update::update(app, Message::Resize(200, 40));
    let mut terminal = Terminal::new(TestBackend::new(200, 40)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    let buffer = terminal.backend().buffer();
    (0..200)
        .map(|x| buffer[(x, 39)].symbol().to_string())
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// The hints the keymap has for a context, as the bar writes them.
fn expected(context: Context) -> String {
    Keymap::default()
        .hints(context)
        .iter()
        .map(|(k, what)| format!("{k} {what}"))
        .collect::<Vec<_>>()
        .join("  ")
}

/// Keys of the panes that must never show under a modal.
const PANE_HINTS: [&str; 6] = [
    "space mark",
    "D delete marked",
    "q quit",
    "? help",
    "j/k move",
    "Tab pane",
];

fn assert_only(app: &mut App, context: Context) {
    assert_eq!(app.context(), context);
    let row = hint_row(app);
    assert_eq!(row, expected(context), "the hint bar under {context:?}");
    assert!(!row.is_empty(), "{context:?} has keys to show");
    for pane in PANE_HINTS {
        assert!(!row.contains(pane), "{pane:?} under {context:?}: {row}");
    }
}

#[test]
fn a_pane_shows_its_own_keys() {
    let mut app = app();
    assert_eq!(app.context(), Context::Timeline);
    let row = hint_row(&mut app);
    assert!(
        row.contains("space mark") && row.contains("? help"),
        "{row}"
    );
    assert_eq!(row, expected(Context::Timeline));
}

#[test]
fn the_confirm_shows_only_yes_and_no() {
    let mut app = app();
    update::update(&mut app, ch('d'));
    assert_only(&mut app, Context::Confirm);
    assert_eq!(hint_row(&mut app), "y/Y/Enter yes  n/N/Esc no");
    update::update(&mut app, ch('n'));
    assert_eq!(app.context(), Context::Timeline);
    // Delete marked and delete conversation ask through the same confirm.
    update::update(&mut app, ch(' '));
    update::update(&mut app, ch('D'));
    assert_only(&mut app, Context::Confirm);
    update::update(&mut app, key(KeyCode::Esc));
    update::update(&mut app, ch('X'));
    assert_only(&mut app, Context::Confirm);
}

#[test]
fn open_by_id_and_help_show_their_keys() {
    let mut app = app();
    update::update(&mut app, ch('o'));
    assert_only(&mut app, Context::OpenById);
    // q is text here, not quit.
    update::update(&mut app, ch('q'));
    assert!(!app.quit);
    update::update(&mut app, key(KeyCode::Esc));
    update::update(&mut app, ch('?'));
    assert_only(&mut app, Context::Help);
}

#[test]
fn the_metadata_editor_and_each_of_its_stages_show_their_keys() {
    let mut app = app();
    update::update(&mut app, ch('e'));
    assert_only(&mut app, Context::DraftCheck);
    draft_loaded(&mut app, ID, Some("title = from a draft"));
    // The draft is offered through the one confirm; once drawn, d discards it.
    assert_only(&mut app, Context::Confirm);
    app.modals.arm();
    update::update(&mut app, ch('d'));
    assert_only(&mut app, Context::Metadata);
    update::update(&mut app, key(KeyCode::End));
    update::update(&mut app, ch('!'));
    update::update(&mut app, ctrl('s'));
    assert_only(&mut app, Context::Confirm);
    update::update(&mut app, ch('y'));
    assert_only(&mut app, Context::Sending);
    let mut app = self::app();
    update::update(&mut app, ch('e'));
    draft_loaded(&mut app, ID, None);
    update::update(&mut app, ch('x'));
    update::update(&mut app, key(KeyCode::Esc));
    assert_only(&mut app, Context::Confirm);
}

#[test]
fn the_new_conversation_editor_shows_its_field_key() {
    let mut app = app();
    update::update(&mut app, ch('n'));
    draft_loaded(&mut app, "new", None);
    assert_only(&mut app, Context::NewConversation);
    assert!(hint_row(&mut app).contains("Tab field"));
}

#[test]
fn the_composer_shows_its_keys_in_each_mode_and_stage() {
    let mut app = app();
    update::update(&mut app, ch('a'));
    assert_only(&mut app, Context::DraftCheck);
    draft_loaded(&mut app, &format!("{ID}.items"), None);
    assert_only(&mut app, Context::Composer);
    update::update(&mut app, ctrl('t'));
    assert_only(&mut app, Context::ComposerJson);
    update::update(&mut app, ch('x'));
    update::update(&mut app, key(KeyCode::Esc));
    assert_only(&mut app, Context::Confirm);
    update::update(&mut app, ch('n'));
    update::update(&mut app, ctrl('t'));
    update::update(&mut app, ctrl('s'));
    assert_only(&mut app, Context::Sending);
}
