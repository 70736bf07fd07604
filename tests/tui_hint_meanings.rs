//! The hint bar tells what each key really does: with a filter in effect its keys come first
//! and a key is offered once, with the meaning it has; read-only or offline, the keys that
//! would change the server are left out. Checked on the bottom row of a rendered frame.

use convtui::registry::Registry;
use convtui::tui::message::{Message, PageData};
use convtui::tui::panes::Focus;
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

/// One conversation opened, with three items loaded: two say "apple".
fn app() -> App {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    let listed = vec![(
        ID.to_string(),
        ConvInfo {
            created_at: 1,
            metadata: Default::default(),
        },
    )];
    update::update(&mut app, Message::ConversationsListed(Ok(Some(listed))));
    update::update(&mut app, key(KeyCode::Enter));
    let generation = app.timeline.as_ref().unwrap().paging.generation;
    let items = ["apple one", "pear", "apple two"]
        .iter()
        .enumerate()
        .map(|(i, text)| json!({"type": "message", "id": format!("msg_{i}"), "role": "user", "content": text}))
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

/// The bottom row of a 200×40 frame, as its hints: `key meaning` pairs.
fn hints(app: &mut App) -> Vec<String> {
    update::update(app, Message::Resize(200, 40));
    let mut terminal = Terminal::new(TestBackend::new(200, 40)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    let buffer = terminal.backend().buffer();
    let row: String = (0..200).map(|x| buffer[(x, 39)].symbol()).collect();
    row.split("  ")
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(String::from)
        .collect()
}

fn keys(hints: &[String]) -> Vec<&str> {
    hints
        .iter()
        .map(|h| h.split_once(' ').map_or(h.as_str(), |(k, _)| k))
        .collect()
}

#[test]
fn with_a_filter_each_key_is_offered_once_with_the_meaning_it_has() {
    let mut app = app();
    for c in "/apple".chars() {
        update::update(&mut app, ch(c));
    }
    update::update(&mut app, key(KeyCode::Enter));
    update::update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.focus, Focus::Detail);
    let shown = hints(&mut app);
    assert!(shown.contains(&"n next match".to_string()), "{shown:?}");
    assert!(shown.contains(&"Esc clear filter".to_string()), "{shown:?}");
    let keys = keys(&shown);
    let mut once = keys.clone();
    once.sort();
    once.dedup();
    assert_eq!(once.len(), keys.len(), "a key offered twice: {shown:?}");

    // What the bar says is what happens: n moves to the next match, it opens no editor.
    let before = app.timeline.as_ref().unwrap().list.selected;
    update::update(&mut app, ch('n'));
    assert!(app.modals.is_empty(), "n opened something");
    assert_ne!(app.timeline.as_ref().unwrap().list.selected, before);
    // Esc clears the filter and stays in the pane.
    update::update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.focus, Focus::Detail);
    assert!(convtui::tui::filter::active(&app, app.focus).is_none());
}

const WRITES: [&str; 4] = ["d delete", "e edit", "n new", "a add"];

fn offered_writes(shown: &[String]) -> Vec<&str> {
    WRITES
        .into_iter()
        .filter(|w| shown.iter().any(|h| h.starts_with(w)))
        .collect()
}

#[test]
fn read_only_and_offline_leave_the_writing_keys_out() {
    let mut app = app();
    let writable = hints(&mut app);
    assert!(!offered_writes(&writable).is_empty(), "{writable:?}");

    app.read_only = true;
    let shown = hints(&mut app);
    assert_eq!(offered_writes(&shown), Vec::<&str>::new(), "{shown:?}");
    assert!(shown.iter().any(|h| h == "? help"), "{shown:?}");

    app.read_only = false;
    app.offline.active = true;
    let shown = hints(&mut app);
    assert_eq!(offered_writes(&shown), Vec::<&str>::new(), "{shown:?}");
    assert!(shown.iter().any(|h| h == "? help"), "{shown:?}");
}
