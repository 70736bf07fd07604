//! The offline header and the marks of items gone on the server, on TestBackend: snapshots,
//! each with what it must say beside it.

use convtui::mirror::read::MirroredConversation;
use convtui::registry::Registry;
use convtui::tui::message::{Effect, Message, PageData};
use convtui::tui::state::{App, Failure};
use convtui::tui::{update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::json;

const NOW: i64 = 1_764_000_000;

fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn render(app: &mut App, w: u16, h: u16) -> String {
    update::update(app, Message::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

fn offline() -> App {
    let mut registry = Registry::default();
    registry.add(["conv_trip"]);
    let mut app = App::new("work", "http://127.0.0.1:9/v1", registry);
    app.now = NOW;
    update::update(
        &mut app,
        Message::Unreachable(Failure::new(
            "cannot connect to http://127.0.0.1:9/v1: connection refused",
        )),
    );
    let effects = update::update(&mut app, key(KeyCode::Char('y')));
    assert!(effects.contains(&Effect::ReadMirror), "{effects:?}");
    update::update(
        &mut app,
        Message::MirrorRead(Ok(vec![MirroredConversation {
            id: "conv_trip".into(),
            raw: Some(json!({"id": "conv_trip", "object": "conversation",
                "created_at": NOW - 86_400, "metadata": {"title": "Trip to Portugal"}})),
            written_at: Some(NOW - 3 * 3600 - 120),
        }])),
    );
    app
}

#[test]
fn the_offer_names_the_failure_and_asks() {
    let mut registry = Registry::default();
    registry.add(["conv_trip"]);
    let mut app = App::new("work", "http://127.0.0.1:9/v1", registry);
    update::update(
        &mut app,
        Message::Unreachable(Failure::new(
            "cannot connect to http://127.0.0.1:9/v1: connection refused",
        )),
    );
    let screen = render(&mut app, 100, 24);
    insta::assert_snapshot!("offline_offer_100x24", screen);
    assert!(screen.contains("The server cannot be reached"));
    assert!(screen.contains("connection refused"));
    assert!(screen.contains("Read the local mirror's copy instead, read-only"));
}

#[test]
fn the_header_says_offline_and_the_age_of_the_copy() {
    let mut app = offline();
    let screen = render(&mut app, 100, 24);
    insta::assert_snapshot!("offline_list_100x24", screen);
    let header = screen.lines().next().unwrap();
    assert!(
        header.contains("offline · copy from 3 h ago"),
        "the header: {header}"
    );
    assert!(
        screen.contains("Trip to Portugal"),
        "the list is the copy's"
    );
    // Narrow terminals keep it in sight.
    let narrow = render(&mut app, 60, 20);
    assert!(narrow
        .lines()
        .next()
        .unwrap()
        .contains("offline · copy from 3 h ago"));
}

#[test]
fn items_the_server_no_longer_has_are_marked_and_deletes_refused() {
    let mut app = offline();
    let effects = update::update(&mut app, key(KeyCode::Enter));
    let [Effect::LoadMirrorItems { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update::update(
        &mut app,
        Message::MirrorItemsLoaded {
            conversation: "conv_trip".into(),
            generation: *generation,
            result: Ok((
                PageData::of(
                    vec![
                        json!({"type": "message", "id": "msg_2", "role": "user",
                            "content": [{"type": "input_text", "text": "the Lisbon train times"}]}),
                        json!({"type": "message", "id": "msg_1", "role": "user",
                            "content": [{"type": "input_text", "text": "an old question"}]}),
                    ],
                    false,
                ),
                vec!["msg_1".into()],
            )),
            unread: false,
        },
    );
    update::update(&mut app, key(KeyCode::Char('d')));
    let screen = render(&mut app, 120, 30);
    insta::assert_snapshot!("offline_timeline_120x30", screen);
    let row = |text: &str| {
        screen
            .lines()
            .find(|l| l.contains(text))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row("an old question").contains("[gone on the server]"));
    assert!(!row("the Lisbon train times").contains("[gone on the server]"));
    assert!(screen.contains("Read-only (offline · copy from 3 h ago)"));
    assert!(!screen.contains("Delete this item?"));
}
