//! The search pane and the detail of a found item, on TestBackend: snapshots, and beside each
//! the cells that carry the match style.

use convtui::mirror::search::{CLOSE, OPEN};
use convtui::mirror::Hit;
use convtui::registry::Registry;
use convtui::tui::message::{Effect, Message, PageData};
use convtui::tui::state::App;
use convtui::tui::{filter, update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use serde_json::json;

fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn draw(app: &mut App, w: u16, h: u16) -> (String, Buffer) {
    update::update(app, Message::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    (
        terminal.backend().to_string(),
        terminal.backend().buffer().clone(),
    )
}

/// The runs of text drawn in the match style, row by row.
fn marked(buf: &Buffer) -> Vec<String> {
    let style = filter::match_style();
    let mut out = Vec::new();
    let a = buf.area;
    for y in a.top()..a.bottom() {
        let mut run = String::new();
        for x in a.left()..a.right() {
            let cell = &buf[(x, y)];
            if cell.bg == style.bg.unwrap() && cell.fg == style.fg.unwrap() {
                run.push_str(cell.symbol());
            } else if !run.is_empty() {
                out.push(std::mem::take(&mut run));
            }
        }
        if !run.is_empty() {
            out.push(run);
        }
    }
    out
}

fn hits() -> Vec<Hit> {
    vec![
        Hit {
            conversation: "conv_trip".into(),
            title: Some("Trip to Portugal".into()),
            item: Some("msg_lisbon".into()),
            kind: "message".into(),
            role: Some("user".into()),
            snippet: format!("which are the {OPEN}Lisbon{CLOSE} train times on Sunday"),
            rank: -3.0,
            deleted: false,
        },
        Hit {
            conversation: "conv_notes".into(),
            // A hostile title: an escape sequence that must not reach the terminal.
            title: Some("Notes \u{1b}[2Jcleared".into()),
            item: Some("fc_1".into()),
            kind: "function_call".into(),
            role: None,
            snippet: format!("{{\"city\":\"{OPEN}Lisbon{CLOSE}\"}}"),
            rank: -1.0,
            deleted: true,
        },
    ]
}

fn searched() -> App {
    let mut registry = Registry::default();
    registry.add(["conv_trip"]);
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", registry);
    let effects = update::update(&mut app, key(KeyCode::Char('S')));
    assert!(effects.is_empty());
    for c in "lisbon".chars() {
        update::update(&mut app, key(KeyCode::Char(c)));
    }
    let effects = update::update(&mut app, key(KeyCode::Enter));
    let [Effect::Search { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update::update(
        &mut app,
        Message::Searched {
            generation: *generation,
            result: Ok(hits()),
        },
    );
    app
}

#[test]
fn the_results_pane_highlights_the_match_in_each_snippet() {
    let mut app = searched();
    let (screen, buf) = draw(&mut app, 100, 24);
    insta::assert_snapshot!("search_results_100x24", screen);
    assert_eq!(marked(&buf), ["Lisbon", "Lisbon"], "{screen}");
    assert!(screen.contains("Trip to Portugal") && screen.contains("message · user"));
    assert!(screen.contains("function_call · gone on the server"));
    assert!(!screen.contains('\u{1b}'), "the title was sanitized");
    assert!(screen.contains("2 hits"));
}

#[test]
fn a_query_the_index_cannot_parse_shows_its_error() {
    let mut registry = Registry::default();
    registry.add(["conv_trip"]);
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", registry);
    let effects = convtui::tui::command::run(&mut app, "search \"unterminated");
    let [Effect::Search { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update::update(
        &mut app,
        Message::Searched {
            generation: *generation,
            result: Err("cannot parse the search query: unterminated string".into()),
        },
    );
    let (screen, _) = draw(&mut app, 100, 24);
    insta::assert_snapshot!("search_parse_error_100x24", screen);
    assert!(screen.contains("cannot parse the search query: unterminated string"));
}

#[test]
fn the_found_item_is_selected_and_its_match_marked_in_the_detail() {
    let mut app = searched();
    update::update(&mut app, key(KeyCode::Enter));
    let generation = app.timeline.as_ref().unwrap().paging.generation;
    let items = vec![
        json!({"type": "message", "id": "msg_other", "role": "assistant",
               "content": [{"type": "output_text", "text": "Porto is nice"}]}),
        json!({"type": "message", "id": "msg_lisbon", "role": "user",
               "content": [{"type": "input_text", "text": "which are the Lisbon train times on Sunday"}]}),
    ];
    update::update(
        &mut app,
        Message::ItemsLoaded {
            conversation: "conv_trip".into(),
            generation,
            result: Ok(PageData::of(items, false)),
        },
    );
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!(tl.selected_item().and_then(|i| i.id()), Some("msg_lisbon"));
    let (screen, buf) = draw(&mut app, 120, 30);
    insta::assert_snapshot!("search_found_detail_120x30", screen);
    let g = app.geometry;
    let in_detail: Vec<String> = {
        let mut d = Buffer::empty(g.detail);
        for y in g.detail.top()..g.detail.bottom() {
            for x in g.detail.left()..g.detail.right() {
                d[(x, y)] = buf[(x, y)].clone();
            }
        }
        marked(&d)
    };
    assert!(
        !in_detail.is_empty() && in_detail.iter().all(|m| m.eq_ignore_ascii_case("lisbon")),
        "the detail marks the match: {in_detail:?}\n{screen}"
    );
}

/// The app after a search whose answer is `result`.
fn answered(result: Result<Vec<Hit>, String>) -> App {
    let mut registry = Registry::default();
    registry.add(["conv_trip"]);
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", registry);
    let effects = convtui::tui::command::run(&mut app, "search lisbon");
    let [Effect::Search { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update::update(
        &mut app,
        Message::Searched {
            generation: *generation,
            result,
        },
    );
    app
}

#[test]
fn at_80_columns_each_snippet_shows_its_match() {
    let mut far = hits();
    far[0].snippet = format!(
        "…we talked about the weather, the hotels near the river and the museums before \
         asking which are the {OPEN}Lisbon{CLOSE} train times on Sunday"
    );
    // An escape in the item's text is shown, not dropped.
    far[1].snippet = format!("{{\"cmd\":\"\u{1b}[2J\",\"city\":\"{OPEN}Lisbon{CLOSE}\"}}");
    let mut app = answered(Ok(far));
    let (screen, buf) = draw(&mut app, 80, 24);
    insta::assert_snapshot!("search_results_far_match_80x24", screen);
    assert_eq!(marked(&buf), ["Lisbon", "Lisbon"], "{screen}");
    let row = screen
        .lines()
        .find(|l| l.contains("Lisbon train"))
        .expect("the first snippet's row");
    assert!(row.contains('…') && !row.contains("weather"), "{row}");
    assert!(screen.contains("\"cmd\":\"␛[2J\""), "{screen}");
}

#[test]
fn at_80_columns_a_parse_error_is_shown_whole() {
    let error = "cannot parse the search query: unterminated string. Words are matched as \
                 they are; use \"double quotes\" for a phrase or for text with punctuation, \
                 word* for a prefix, and AND, OR, NOT (in capitals) to combine";
    let mut app = answered(Err(error.into()));
    let (screen, _) = draw(&mut app, 80, 24);
    insta::assert_snapshot!("search_parse_error_80x24", screen);
    let shown: Vec<&str> = screen
        .split(|c: char| c.is_whitespace() || matches!(c, '│' | '┃' | '"'))
        .filter(|w| !w.is_empty())
        .collect();
    let words: Vec<&str> = error
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|w| !w.is_empty())
        .collect();
    assert!(
        shown.windows(words.len()).any(|w| w == words.as_slice()),
        "every word of the error, in order:\n{screen}"
    );
}
