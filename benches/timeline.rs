//! How long the UI takes to take in a page and to draw a frame, with 1,000 items loaded.
//! Goal: a frame well under 16 ms, so holding a key never lags. Run with `cargo bench`.

use std::time::{Duration, Instant};

use convtui::registry::Registry;
use convtui::tui::message::{Message, PageData};
use convtui::tui::state::App;
use convtui::tui::{update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::{json, Value};

fn page(start: usize) -> PageData {
    let items: Vec<Value> = (start..start + 100)
        .map(|i| json!({"type": "message", "id": format!("msg_{i:048}"), "status": "completed", "role": if i % 2 == 0 { "user" } else { "assistant" },
            "content": [{"type": "output_text", "text": format!("item {i}: {}", "lorem ipsum dolor sit amet ".repeat(20)), "annotations": []}]}))
        .collect();
    PageData::of(items, start + 100 < 1000)
}

fn time<F: FnMut()>(name: &str, runs: u32, mut f: F) {
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    let each = start.elapsed() / runs;
    println!("{name:<40} {:>10.3} ms", each.as_secs_f64() * 1000.0);
    assert!(each < Duration::from_secs(1), "{name} is far too slow");
}

fn main() {
    let mut registry = Registry::default();
    registry.add(["conv_bench"]);
    let mut app = App::new("bench", "http://127.0.0.1:8787/v1", registry);
    update::start(&mut app);
    update::update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let generation = app
        .timeline
        .as_ref()
        .map(|t| t.paging.generation)
        .unwrap_or(0);
    let pages: Vec<PageData> = (0..10).map(|p| page(p * 100)).collect();
    time("take in 10 pages of 100 items", 20, || {
        let mut a = App::new("bench", "x", Registry::default());
        a.timeline = app.timeline.clone();
        for p in &pages {
            update::update(
                &mut a,
                Message::ItemsLoaded {
                    conversation: "conv_bench".into(),
                    generation,
                    result: Ok(p.clone()),
                },
            );
        }
    });
    for p in &pages {
        update::update(
            &mut app,
            Message::ItemsLoaded {
                conversation: "conv_bench".into(),
                generation,
                result: Ok(p.clone()),
            },
        );
    }
    assert_eq!(
        app.timeline.as_ref().map(|t| t.list.items.len()),
        Some(1000)
    );
    for (w, h) in [(120u16, 40u16), (200, 60)] {
        update::update(&mut app, Message::Resize(w, h));
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        time(&format!("draw a frame at {w}x{h}, 1000 items"), 200, || {
            update::update(
                &mut app,
                Message::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
            );
            terminal.draw(|f| view::draw(f, &app)).expect("draw");
        });
    }
}
