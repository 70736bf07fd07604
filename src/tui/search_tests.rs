//! Tests of search in the UI: the prompt, stale answers, and finding the item.

use super::*;
use crate::mirror::search::{CLOSE, OPEN};
use crate::registry::Registry;
use crate::tui::message::{Message, PageData};
use crate::tui::update::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{json, Value};

fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, key(KeyCode::Char(c)));
    }
}

fn items(range: std::ops::Range<usize>) -> Vec<Value> {
    range
        .map(|i| json!({"type": "message", "id": format!("msg_{i}"), "role": "user", "content": format!("m{i}")}))
        .collect()
}

fn hit(conv: &str, item: Option<&str>) -> Hit {
    Hit {
        conversation: conv.into(),
        title: Some("Trip".into()),
        item: item.map(String::from),
        kind: "message".into(),
        role: Some("user".into()),
        snippet: format!("the {OPEN}Lisbon{CLOSE} train"),
        rank: -2.0,
        deleted: false,
    }
}

fn app() -> App {
    let mut registry = Registry::default();
    registry.add(["conv_1", "conv_2"]);
    App::new("local", "http://x/v1", registry)
}

fn search_pane(app: &App) -> Option<&Search> {
    app.modals.iter().find_map(|m| match m {
        Modal::Search(s) => Some(s.as_ref()),
        _ => None,
    })
}

fn page_of(app: &mut App, conv: &str, items: Vec<Value>, has_more: bool) -> Vec<Effect> {
    let generation = app.timeline.as_ref().unwrap().paging.generation;
    update(
        app,
        Message::ItemsLoaded {
            conversation: conv.into(),
            generation,
            result: Ok(PageData::of(items, has_more)),
        },
    )
}

#[test]
fn the_key_opens_a_prompt_and_enter_searches_in_a_task() {
    let mut app = app();
    assert!(update(&mut app, key(KeyCode::Char('S'))).is_empty());
    // Enter on nothing searches nothing, and says why.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(matches!(&app.status, Some(Status::Info(t)) if t.contains("query is empty")));
    typed(&mut app, "lisb*");
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::Search { generation, query }] = effects.as_slice() else {
        panic!("one search effect: {effects:?}")
    };
    assert_eq!(query, "lisb*");
    let pane = search_pane(&app).unwrap();
    assert_eq!(pane.generation, *generation);
    assert!(!pane.editing);
    // An older generation's answer is dropped; this one's fills the pane.
    update(
        &mut app,
        Message::Searched {
            generation: generation - 1,
            result: Ok(vec![hit("conv_9", Some("msg_9"))]),
        },
    );
    assert!(search_pane(&app).unwrap().list.items.is_empty());
    update(
        &mut app,
        Message::Searched {
            generation: *generation,
            result: Ok(vec![hit("conv_2", Some("msg_150"))]),
        },
    );
    assert_eq!(search_pane(&app).unwrap().list.items.len(), 1);
}

#[test]
fn esc_stops_a_running_search_and_its_answer_is_dropped() {
    let mut app = app();
    let effects = open(&mut app, Some("train"));
    let [Effect::Search { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let generation = *generation;
    assert!(update(&mut app, key(KeyCode::Esc)).is_empty());
    assert_eq!(app.status, Some(Status::Info("Search stopped".into())));
    update(
        &mut app,
        Message::Searched {
            generation,
            result: Ok(vec![hit("conv_1", Some("msg_1"))]),
        },
    );
    let pane = search_pane(&app).expect("the pane stays open");
    assert!(pane.list.items.is_empty(), "a stopped search shows nothing");
    update(&mut app, key(KeyCode::Esc));
    assert!(search_pane(&app).is_none(), "a second Esc closes it");
}

#[test]
fn command_line_search_runs_the_query() {
    let mut app = app();
    update(&mut app, key(KeyCode::Char(':')));
    typed(&mut app, "search \"train times\"");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Search { query, .. }] if query == "\"train times\""
    ));
    assert!(search_pane(&app).is_some());
}

#[test]
fn a_parse_error_is_shown_in_the_pane() {
    let mut app = app();
    let effects = open(&mut app, Some("\"open"));
    let [Effect::Search { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update(
        &mut app,
        Message::Searched {
            generation: *generation,
            result: Err("cannot parse the search query: unterminated string".into()),
        },
    );
    let pane = search_pane(&app).unwrap();
    assert!(
        matches!(&pane.phase, crate::tui::panes::search::Phase::Failed(e) if e.contains("cannot parse"))
    );
}

#[test]
fn enter_on_a_hit_loads_pages_until_the_item_is_there_and_selects_it() {
    let mut app = app();
    let effects = open(&mut app, Some("lisbon"));
    let [Effect::Search { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update(
        &mut app,
        Message::Searched {
            generation: *generation,
            result: Ok(vec![hit("conv_2", Some("msg_150"))]),
        },
    );
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(search_pane(&app).is_none(), "the pane closed");
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::LoadItems { conversation, after: None, .. } if conversation == "conv_2")));
    assert_eq!(app.timeline.as_ref().unwrap().conversation, "conv_2");
    // The first page does not have it: the next is asked for.
    let next = page_of(&mut app, "conv_2", items(0..100), true);
    assert!(
        next.iter()
            .any(|e| matches!(e, Effect::LoadItems { after: Some(a), .. } if a == "msg_99")),
        "{next:?}"
    );
    assert!(app.search.seek.is_some());
    let done = page_of(&mut app, "conv_2", items(100..200), false);
    assert!(done.is_empty());
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!(tl.selected_item().and_then(|i| i.id()), Some("msg_150"));
    assert_eq!(app.focus, Focus::Timeline);
    assert!(app.search.seek.is_none());
    assert_eq!(detail_term(&app).map(|q| q.text()), Some("lisbon"));
    // Moving off the item unmarks the detail.
    update(&mut app, key(KeyCode::Down));
    assert!(detail_term(&app).is_none());
}

#[test]
fn an_item_gone_from_the_server_says_so() {
    let mut app = app();
    open_hit(&mut app, &hit("conv_1", Some("msg_gone")));
    let effects = page_of(&mut app, "conv_1", items(0..3), false);
    assert!(effects.is_empty());
    assert!(app.search.seek.is_none());
    let Some(Status::Warning(w)) = &app.status else {
        panic!("a warning: {:?}", app.status)
    };
    assert!(w.contains("msg_gone is gone on the server"), "{w}");
    assert!(app.search.mark.is_none());
}

#[test]
fn a_hit_in_the_open_conversation_is_selected_without_reloading() {
    let mut app = app();
    open_hit(&mut app, &hit("conv_1", None));
    page_of(&mut app, "conv_1", items(0..5), false);
    let effects = open_hit(&mut app, &hit("conv_1", Some("msg_3")));
    assert!(effects.is_empty(), "{effects:?}");
    let tl = app.timeline.as_ref().unwrap();
    assert_eq!(tl.selected_item().and_then(|i| i.id()), Some("msg_3"));
}

#[test]
fn opening_another_conversation_drops_the_seek() {
    let mut app = app();
    open_hit(&mut app, &hit("conv_1", Some("msg_150")));
    crate::tui::navigate::open_conversation(&mut app, "conv_2");
    page_of(&mut app, "conv_2", items(0..3), true);
    assert!(app.search.seek.is_none());
}

#[test]
fn s_opens_the_prompt_on_the_last_query_over_the_last_results() {
    let mut app = app();
    let effects = open(&mut app, Some("lisbon"));
    let [Effect::Search { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update(
        &mut app,
        Message::Searched {
            generation: *generation,
            result: Ok(vec![
                hit("conv_1", Some("msg_1")),
                hit("conv_2", Some("msg_2")),
            ]),
        },
    );
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Enter));
    assert!(search_pane(&app).is_none());
    assert!(update(&mut app, key(KeyCode::Char('S'))).is_empty());
    let pane = search_pane(&app).expect("the pane is back");
    assert!(pane.editing, "S opens the prompt");
    assert_eq!(pane.input.text(), "lisbon");
    assert_eq!(pane.input.cursor(), "lisbon".len(), "the cursor at its end");
    assert_eq!(pane.list.items.len(), 2, "the last results stay below");
    // Typed letters go to the prompt: none of them is taken as a key of the results.
    update(&mut app, key(KeyCode::Backspace));
    typed(&mut app, "n zanzibar");
    let pane = search_pane(&app).unwrap();
    assert_eq!(pane.input.text(), "lisbon zanzibar");
    assert_eq!(pane.list.selected, 1);
    // Enter runs the new query rather than opening an old hit.
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(effects.as_slice(), [Effect::Search { query, .. }] if query == "lisbon zanzibar"),
        "{effects:?}"
    );
    assert!(search_pane(&app).is_some(), "no hit was opened");
    // `:search` with no query opens the prompt too.
    update(&mut app, key(KeyCode::Char('q')));
    assert!(search_pane(&app).is_none());
    assert!(crate::tui::command::run(&mut app, "search").is_empty());
    let pane = search_pane(&app).unwrap();
    assert!(pane.editing && pane.input.text() == "lisbon zanzibar");
    // A new query from the command line starts afresh.
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, key(KeyCode::Char('q')));
    let effects = crate::tui::command::run(&mut app, "search zanzibar");
    assert!(matches!(effects.as_slice(), [Effect::Search { query, .. }] if query == "zanzibar"));
    assert!(search_pane(&app).unwrap().list.items.is_empty());
}

#[test]
fn a_search_closed_while_running_comes_back_stopped() {
    let mut app = app();
    open(&mut app, Some("lisbon"));
    update(&mut app, key(KeyCode::Char('q')));
    assert!(search_pane(&app).is_none());
    update(&mut app, key(KeyCode::Char('S')));
    let pane = search_pane(&app).unwrap();
    assert_eq!(pane.phase, crate::tui::panes::search::Phase::Cancelled);
    assert!(pane.editing, "no results: the prompt is open");
}

#[test]
fn help_copy_and_hints_in_the_results() {
    let mut app = app();
    let effects = open(&mut app, Some("lisbon"));
    let [Effect::Search { generation, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    update(
        &mut app,
        Message::Searched {
            generation: *generation,
            result: Ok(vec![hit("conv_2", Some("msg_150")), hit("conv_1", None)]),
        },
    );
    let effects = update(&mut app, key(KeyCode::Char('y')));
    assert_eq!(effects, [Effect::Copy("msg_150".into())]);
    let effects = update(&mut app, key(KeyCode::Char('Y')));
    assert_eq!(effects, [Effect::Copy("conv_2".into())]);
    update(&mut app, key(KeyCode::Down));
    let effects = update(&mut app, key(KeyCode::Char('y')));
    assert_eq!(
        effects,
        [Effect::Copy("conv_1".into())],
        "no item: its conversation"
    );
    // The hints say that q closes, and end with help.
    let hints = app.keymap.hints(crate::tui::keymap::Context::Search);
    assert!(hints.contains(&("q".into(), "close")), "{hints:?}");
    assert_eq!(hints.last().map(|h| h.1), Some("help"));
    update(&mut app, key(KeyCode::Char('?')));
    let Some(Modal::Help(help)) = app.modals.front() else {
        panic!("help is in front")
    };
    assert_eq!(help.of, crate::tui::keymap::Context::Search);
    assert!(help
        .groups(&app.keymap)
        .iter()
        .any(|(_, rows)| rows.iter().any(|r| r.1 == "close the search")));
    // Closing the help goes back to the results.
    update(&mut app, key(KeyCode::Esc));
    assert!(matches!(app.modals.front(), Some(Modal::Search(_))));
}

#[test]
fn the_detail_is_scrolled_to_the_match_of_the_item_found() {
    let mut app = app();
    update(&mut app, Message::Resize(120, 30));
    let text: String = (0..300)
        .map(|i| {
            if i == 200 {
                "the Lisbon train leaves at nine\n".to_string()
            } else {
                format!("line {i}\n")
            }
        })
        .collect();
    let long = json!({"type": "message", "id": "msg_long", "role": "user", "content": text});
    open_hit(&mut app, &hit("conv_1", Some("msg_long")));
    page_of(&mut app, "conv_1", vec![long], false);
    assert_eq!(detail_term(&app).map(|q| q.text()), Some("lisbon"));
    // The match's line is in view, near the top, and the detail's rows there hold it.
    let scroll = app.detail.scroll;
    assert!((190..=205).contains(&scroll), "scrolled to {scroll}");
    assert!(!app.search.scroll_to_mark);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
    terminal.draw(|f| crate::tui::view::draw(f, &app)).unwrap();
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("the Lisbon train leaves"), "{screen}");
    // Scrolling by hand afterwards is not undone.
    update(&mut app, key(KeyCode::Tab));
    app.detail.scroll = 0;
    update(&mut app, Message::Resize(120, 30));
    assert_eq!(app.detail.scroll, 0);
}

#[test]
fn dropping_the_guard_interrupts_the_query_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = crate::mirror::Mirror::open_path(&dir.path().join("m.sqlite3")).unwrap();
    let guard = Interrupt(Some(mirror.conn().get_interrupt_handle()));
    let query = std::thread::spawn(move || {
        // Never ends on its own.
        mirror.conn().query_row(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
             SELECT count(*) FROM c",
            [],
            |r| r.get::<_, i64>(0),
        )
    });
    std::thread::sleep(std::time::Duration::from_millis(100));
    drop(guard);
    let result = query.join().unwrap();
    assert!(
        matches!(&result, Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::OperationInterrupted),
        "{result:?}"
    );
}
