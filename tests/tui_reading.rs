//! Reading comforts on TestBackend: zoom, the wrap toggle, position counters and scrollbars.

use convtui::registry::Registry;
use convtui::tui::message::{Message, PageData};
use convtui::tui::state::{App, ConvInfo, Focus};
use convtui::tui::{update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::{json, Value};

fn key(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn app_with(items: Vec<Value>) -> App {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    app.now = 1_764_000_000;
    let listed = vec![(
        "conv_reading".to_string(),
        ConvInfo {
            created_at: 1_763_990_000,
            metadata: [("title".to_string(), "Reading".to_string())].into(),
        },
    )];
    update::update(&mut app, Message::ConversationsListed(Ok(Some(listed))));
    update::update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let tl = app.timeline.as_ref().unwrap();
    let (conversation, generation) = (tl.conversation.clone(), tl.paging.generation);
    update::update(
        &mut app,
        Message::ItemsLoaded {
            conversation,
            generation,
            result: Ok(PageData::of(items, false)),
        },
    );
    app
}

fn render(app: &mut App, w: u16, h: u16) -> String {
    update::update(app, Message::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

fn notes(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"type": "message", "id": format!("msg_{i:03}"), "role": "user", "content": format!("note {i}")}))
        .collect()
}

#[test]
fn zoom_gives_the_timeline_the_whole_screen_with_a_counter() {
    let mut app = app_with(notes(40));
    assert_eq!(app.focus, Focus::Timeline);
    for _ in 0..4 {
        update::update(&mut app, key('j'));
    }
    update::update(&mut app, key('z'));
    let screen = render(&mut app, 80, 20);
    insta::assert_snapshot!("zoom_timeline_80x20", screen);
    let rows: Vec<&str> = screen.lines().collect();
    assert!(rows[1].starts_with("\"┏ Items"), "{}", rows[1]);
    assert!(!screen.contains("Conversations") && !screen.contains("Detail"));
    assert!(screen.contains(" 5/40 "), "the position counter");
    assert!(screen.contains('█'), "a scrollbar: 40 items do not fit");
    // z again: the three panes are back.
    update::update(&mut app, key('z'));
    let screen = render(&mut app, 120, 30);
    assert!(screen.contains("Conversations") && screen.contains("Detail"));
}

#[test]
fn a_list_hidden_by_the_zoom_keeps_its_window() {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    let info = |t: &str| ConvInfo {
        created_at: 1_763_990_000,
        metadata: [("title".to_string(), t.to_string())].into(),
    };
    let listed = vec![
        ("conv_first".to_string(), info("First")),
        ("conv_second".to_string(), info("Second")),
    ];
    update::update(&mut app, Message::ConversationsListed(Ok(Some(listed))));
    render(&mut app, 120, 30);
    update::update(&mut app, key('j'));
    update::update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert_eq!(app.focus, Focus::Timeline);
    update::update(&mut app, key('z'));
    assert!(!render(&mut app, 120, 30).contains("First"));
    update::update(&mut app, key('z'));
    let screen = render(&mut app, 120, 30);
    assert!(
        screen.contains("First") && screen.contains("Second"),
        "both conversations fit, so both show: {screen}"
    );
}

#[test]
fn the_wrap_toggle_cuts_long_lines_in_the_detail() {
    let long = format!("start {} finish", "word ".repeat(40));
    let mut app = app_with(vec![
        json!({"type": "message", "id": "msg_long", "role": "user", "content": long}),
    ]);
    update::update(&mut app, key('l'));
    assert_eq!(app.focus, Focus::Detail);
    let wrapped = render(&mut app, 120, 30);
    assert!(
        wrapped.contains("finish"),
        "wrapped, the end of the line shows"
    );
    update::update(&mut app, key('w'));
    let cut = render(&mut app, 120, 30);
    insta::assert_snapshot!("detail_no_wrap_120x30", cut);
    assert!(cut.contains("Detail · rendered · no wrap"));
    assert!(
        cut.contains("start word") && !cut.contains("finish"),
        "{cut}"
    );
}

#[test]
fn markdown_in_a_message_is_rendered_and_r_still_shows_the_json() {
    let md = "# Itinerary\n\nTake the **train** to *Porto*.\n\n- day one\n- day two\n\n```\nlisbon -> porto\n```\n\n| city | nights |\n|---|---|\n| Lisbon | 4 |\n";
    let mut app = app_with(vec![
        json!({"type": "message", "id": "msg_md", "role": "assistant",
        "content": [{"type": "output_text", "text": md}]}),
    ]);
    update::update(&mut app, key('l'));
    let screen = render(&mut app, 120, 40);
    insta::assert_snapshot!("detail_markdown_120x40", screen);
    // The detail pane: below its title (the timeline row above previews the raw text).
    let screen = &screen[screen.find("Detail ·").unwrap()..];
    assert!(screen.contains("Itinerary") && !screen.contains("# Itinerary"));
    assert!(screen.contains("Take the train to Porto.") && !screen.contains("**train**"));
    assert!(screen.contains("• day one") && screen.contains("  lisbon -> porto"));
    assert!(screen.contains("city   │ nights") && screen.contains("Lisbon │ 4"));
    update::update(&mut app, key('r'));
    let raw = render(&mut app, 120, 40);
    assert!(
        raw.contains("raw JSON") && raw.contains("# Itinerary"),
        "{raw}"
    );
}
