//! The timeline at scale: one frame drawn, and one page of 100 items taken in, with 100,
//! 10,000 and 100,000 items loaded. Both should cost the same at every size (a frame depends
//! on the rows on screen, a page on its own items). Also a key and a frame in the detail of a
//! 10 MB Markdown message, wrapped and not. Run with `cargo bench --bench timeline`.

use std::hint::black_box;

use convtui::registry::Registry;
use convtui::tui::loaded::Loaded;
use convtui::tui::message::{Effect, Message, PageData};
use convtui::tui::state::App;
use convtui::tui::{update, view};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::{json, Value};

const SIZES: [usize; 3] = [100, 10_000, 100_000];

/// 100 messages like those of a long conversation, from `start`.
fn page(start: usize, has_more: bool) -> PageData {
    let items: Vec<Value> = (start..start + 100)
        .map(|i| json!({"type": "message", "id": format!("msg_{i:048}"), "status": "completed",
            "role": if i % 2 == 0 { "user" } else { "assistant" },
            "content": [{"type": "output_text", "text": format!("item {i}: {}", "lorem ipsum dolor sit amet ".repeat(12)), "annotations": []}]}))
        .collect();
    PageData::of(items, has_more)
}

fn key(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// An app with a conversation open and `n` items loaded, 120×40.
fn loaded(n: usize) -> (App, u64) {
    let mut registry = Registry::default();
    registry.add(["conv_bench"]);
    let mut app = App::new("bench", "http://127.0.0.1:8787/v1", registry);
    update::start(&mut app);
    update::update(&mut app, Message::Resize(120, 40));
    update::update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let generation = app.timeline.as_ref().map_or(0, |t| t.paging.generation);
    for start in (0..n).step_by(100) {
        update::update(
            &mut app,
            Message::ItemsLoaded {
                conversation: "conv_bench".into(),
                generation,
                result: Ok(page(start, true)),
            },
        );
    }
    let len = app.timeline.as_ref().map_or(0, |t| t.list.items.len());
    assert_eq!(len, n, "loaded");
    (app, generation)
}

fn frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame 120x40");
    for n in SIZES {
        let (mut app, _) = loaded(n);
        if let Some(tl) = app.timeline.as_ref() {
            let items = &tl.list.items;
            let json: usize = items.iter().map(Loaded::size).sum();
            let held = Loaded::held(items);
            println!(
                "{n} items loaded: {:.2} MB of JSON held in {:.2} MB ({:.2}×)",
                json as f64 / 1e6,
                held as f64 / 1e6,
                held as f64 / json as f64
            );
        }
        // Half way down, so the rows drawn are deep in the list.
        for _ in 0..n / 2 {
            update::update(&mut app, key('j'));
        }
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                update::update(&mut app, key('j'));
                update::update(&mut app, key('k'));
                terminal.draw(|f| view::draw(f, &app)).expect("draw");
            })
        });
        let tl = app.timeline.as_ref().expect("open");
        assert_eq!(tl.list.selected, n / 2, "the selection came back");
    }
    group.finish();
}

fn intake(c: &mut Criterion) {
    let mut group = c.benchmark_group("take in a page of 100");
    group.sample_size(20);
    for n in SIZES {
        let (app, generation) = loaded(n);
        let next = page(n, true);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter_batched(
                // Only the page's own cost is timed: copying the loaded items is setup. A copy
                // has no spare room, unlike the list it copies (which grows by doubling), so
                // room for the page is made here too; else every sample would time moving
                // all n items to a larger buffer, which a live list does once in a while.
                || {
                    let mut timeline = app.timeline.clone();
                    if let Some(tl) = timeline.as_mut() {
                        tl.list.items.reserve(100);
                    }
                    (timeline, next.clone())
                },
                |(timeline, p)| {
                    let mut a = App::new("bench", "x", Registry::default());
                    a.timeline = timeline;
                    update::update(
                        &mut a,
                        Message::ItemsLoaded {
                            conversation: "conv_bench".into(),
                            generation,
                            result: Ok(p),
                        },
                    );
                    let len = a.timeline.as_ref().map_or(0, |t| t.list.items.len());
                    assert_eq!(len, n + 100);
                    black_box(a)
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// Runs the detail renders among `effects` here, as the runtime would in a blocking task, and
/// hands their answers back; answers how long the renders took.
fn rendered(app: &mut App, effects: Vec<Effect>) -> std::time::Duration {
    let mut took = std::time::Duration::ZERO;
    for e in effects {
        if let Effect::RenderDetail(job) = e {
            let start = std::time::Instant::now();
            let wrapped = convtui::tui::panes::rendering::build(&job).map(std::sync::Arc::new);
            took += start.elapsed();
            let r = convtui::tui::panes::rendering::Rendered {
                key: job.key,
                wrapped,
            };
            update::update(app, Message::DetailRendered(r));
        }
    }
    took
}

/// A key and a frame in the detail of one 10 MB Markdown message: the rendering is made once
/// per item, mode and width (off the UI thread), so each key only moves the window.
fn huge_detail(c: &mut Criterion) {
    let mut registry = Registry::default();
    registry.add(["conv_bench"]);
    let mut app = App::new("bench", "http://127.0.0.1:8787/v1", registry);
    update::start(&mut app);
    update::update(&mut app, Message::Resize(120, 40));
    update::update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let generation = app.timeline.as_ref().map_or(0, |t| t.paging.generation);
    let paragraph = "Some **bold** and *soft* text with `code`, a [link](https://example.com) \
        and a long run of words that wraps across the pane several times over.\n- one\n- two\n\n";
    let text = paragraph.repeat(10_000_000 / paragraph.len());
    let item = json!({"type": "message", "id": "msg_huge", "status": "completed",
        "role": "assistant", "content": [{"type": "output_text", "text": text, "annotations": []}]});
    let effects = update::update(
        &mut app,
        Message::ItemsLoaded {
            conversation: "conv_bench".into(),
            generation,
            result: Ok(PageData::of(vec![item], false)),
        },
    );
    let mut took = rendered(&mut app, effects);
    let effects = update::update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    took += rendered(&mut app, effects);
    eprintln!("rendering the 10 MB message once, wrapped at the detail's width: {took:?}");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    let mut group = c.benchmark_group("detail of a 10 MB message");
    group.sample_size(20);
    for (name, toggle) in [("wrapped", false), ("no wrap", true)] {
        if toggle {
            let effects = update::update(&mut app, key('w'));
            let took = rendered(&mut app, effects);
            eprintln!("rendering it once, not wrapped: {took:?}");
        }
        for _ in 0..1000 {
            update::update(&mut app, key('j'));
        }
        group.bench_function(format!("a key and a frame, {name}"), |b| {
            b.iter(|| {
                update::update(&mut app, key('j'));
                update::update(&mut app, key('k'));
                terminal.draw(|f| view::draw(f, &app)).expect("draw");
            })
        });
        assert_eq!(app.detail.scroll, 1000, "the window came back");
        assert_eq!(app.detail.no_wrap, toggle);
    }
    group.finish();
}

criterion_group!(benches, frame, intake, huge_detail);
criterion_main!(benches);
