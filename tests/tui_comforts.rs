//! Snapshots of the `/` filter and the `:` command line with completion, on TestBackend,
//! each with a semantic check beside it.

use convtui::registry::Registry;
use convtui::tui::message::{Message, PageData};
use convtui::tui::state::{App, ConvInfo};
use convtui::tui::{update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use serde_json::json;

const NOW: i64 = 1_764_000_000;

fn press(app: &mut App, code: KeyCode) {
    update::update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn app() -> App {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    app.now = NOW;
    let titles = [
        "Trip to Lisbon",
        "Billing question",
        "Lisbon hotels",
        "Cats",
    ];
    let listed = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                format!("conv_{:048x}", i + 1),
                ConvInfo {
                    created_at: NOW - 3600 * (i as i64 + 1),
                    metadata: [("title".to_string(), t.to_string())].into(),
                },
            )
        })
        .collect();
    app.pending = 1;
    update::update(&mut app, Message::ConversationsListed(Ok(Some(listed))));
    app
}

fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    update::update(app, Message::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal
}

#[test]
fn the_filter_narrows_the_timeline_and_marks_the_matches() {
    let mut app = app();
    press(&mut app, KeyCode::Enter);
    let tl = app.timeline.as_ref().unwrap();
    let (conversation, generation) = (tl.conversation.clone(), tl.paging.generation);
    let items = (0..40)
        .map(|i| {
            let text = if i % 10 == 3 {
                format!("about Lisbon {i}")
            } else {
                format!("other {i}")
            };
            json!({"id": format!("msg_{i:03}"), "type": "message", "role": "user",
                   "content": [{"type": "input_text", "text": text}]})
        })
        .collect();
    update::update(
        &mut app,
        Message::ItemsLoaded {
            conversation,
            generation,
            result: Ok(PageData::of(items, true)),
        },
    );
    type_text(&mut app, "/lisbon");
    let terminal = draw(&mut app, 120, 30);
    let screen = terminal.backend().to_string();
    insta::assert_snapshot!("filter_timeline_typing", screen);
    assert!(
        screen.contains("4 matches in 40 loaded · more on the server"),
        "{screen}"
    );
    assert!(!screen.contains("other 1"), "only the matches are listed");
    assert!(
        screen.contains(" 1/4 ") && !screen.contains("/40 "),
        "the counter counts the matches"
    );
    // The matches are marked where they show: the rows and the detail.
    let buf = terminal.backend().buffer();
    let marked = buf
        .content()
        .iter()
        .filter(|c| c.bg == Color::Yellow)
        .count();
    assert!(marked >= 6 * 5, "{marked} cells marked");
    // Enter keeps the filter; n goes to the next match; Esc clears it.
    press(&mut app, KeyCode::Enter);
    let selected = |app: &App| app.timeline.as_ref().unwrap().list.selected;
    let first = selected(&app);
    type_text(&mut app, "n");
    assert_ne!(selected(&app), first, "n moves to the next match");
    assert!(
        app.editor().is_none(),
        "n is not 'new conversation' while a filter is in effect"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.timeline.as_ref().unwrap().list.shown_len(), 40);
}

#[test]
fn the_filter_narrows_the_conversation_list_with_smart_case() {
    let mut app = app();
    type_text(&mut app, "/Lisbon");
    let screen = draw(&mut app, 80, 20).backend().to_string();
    insta::assert_snapshot!("filter_conversations", screen);
    assert!(screen.contains("Trip to Lisbon") && screen.contains("Lisbon hotels"));
    assert!(!screen.contains("Billing question"));
    assert!(screen.contains("2 matches in 4 conversations"), "{screen}");
    type_text(&mut app, " H");
    assert_eq!(
        app.convs.shown_len(),
        0,
        "a capital makes case matter: 'hotels' is lower case"
    );
}

#[test]
fn the_command_line_completes_and_lists_the_candidates() {
    let mut app = app();
    type_text(&mut app, ":toggle-");
    press(&mut app, KeyCode::Tab);
    let screen = draw(&mut app, 100, 24).backend().to_string();
    insta::assert_snapshot!("command_line_completion", screen);
    assert!(
        screen.contains(":toggle-order"),
        "the first candidate is filled in"
    );
    for name in ["toggle-order", "toggle-raw", "toggle-wrap"] {
        assert!(screen.contains(name), "{name} is listed:\n{screen}");
    }
    assert!(
        !screen.contains("toggle-json"),
        "an editor's key is no command:\n{screen}"
    );
    press(&mut app, KeyCode::Tab);
    let screen = draw(&mut app, 100, 24).backend().to_string();
    assert!(
        screen.contains(":toggle-raw"),
        "a second Tab takes the next"
    );
    press(&mut app, KeyCode::Enter);
    assert!(app.detail.raw, "the action ran by its name");
    // The id of a conversation completes too.
    type_text(&mut app, ":open conv_0000");
    press(&mut app, KeyCode::Tab);
    let screen = draw(&mut app, 100, 24).backend().to_string();
    insta::assert_snapshot!("command_line_id_completion", screen);
    assert!(screen.contains(&format!("conv_{:048x}", 4)), "{screen}");
    // Up recalls the last command.
    press(&mut app, KeyCode::Esc);
    type_text(&mut app, ":");
    press(&mut app, KeyCode::Up);
    let screen = draw(&mut app, 100, 24).backend().to_string();
    assert!(screen.contains(":toggle-raw"), "{screen}");
}
