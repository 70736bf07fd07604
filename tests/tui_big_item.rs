//! A big item in the detail, on TestBackend: the update that selects it asks the runtime for
//! its lines instead of making them, the pane shows what it is meanwhile, a render no longer
//! wanted is dropped, and the one wanted lands.

use convtui::registry::Registry;
use convtui::tui::message::{Effect, Message, PageData};
use convtui::tui::panes::rendering::{self, Job, Rendered};
use convtui::tui::state::{App, ConvInfo};
use convtui::tui::{update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::{json, Value};
use std::sync::Arc;

fn key(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn note(id: &str, text: String) -> Value {
    json!({"type": "message", "id": id, "role": "user",
        "content": [{"type": "input_text", "text": text}]})
}

/// About 500 KB: a paragraph per line, numbered.
fn big_text() -> String {
    (0..4000)
        .map(|i| format!("paragraph {i:04} {}\n\n", "lorem ipsum ".repeat(8)))
        .collect()
}

/// The conversation open, its items loaded (newest first: the first is selected), at 100x30.
fn app_with(items: Vec<Value>) -> App {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    app.now = 1_764_000_000;
    let listed = vec![(
        "conv_big".to_string(),
        ConvInfo {
            created_at: 1_763_990_000,
            metadata: [("title".to_string(), "Big".to_string())].into(),
        },
    )];
    update::update(&mut app, Message::Resize(100, 30));
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

fn draw(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

fn jobs(effects: &[Effect]) -> Vec<Job> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::RenderDetail(job) => Some(job.clone()),
            _ => None,
        })
        .collect()
}

fn rendered(job: &Job) -> Message {
    Message::DetailRendered(Rendered {
        key: job.key,
        wrapped: rendering::build(job).map(Arc::new),
    })
}

fn width(app: &App) -> u16 {
    app.geometry.detail_size().1
}

#[test]
fn selecting_a_big_item_asks_for_its_lines_and_shows_them_when_they_land() {
    let items = vec![
        note("msg_3", "the newest note".into()),
        note("msg_2", big_text()),
        note("msg_1", "the oldest note".into()),
    ];
    let mut app = app_with(items);
    let selected = |app: &App| app.detail_item().and_then(|i| i.id().map(str::to_string));
    assert_eq!(selected(&app).as_deref(), Some("msg_3"));
    let w = width(&app);

    // Onto the big item: a render for the runtime, and no lines made here.
    let effects = update::update(&mut app, key('j'));
    let first = jobs(&effects);
    assert_eq!(first.len(), 1, "one render asked for: {effects:?}");
    let big = app.detail_item().cloned().expect("selected");
    assert!(rendering::is_big(&big));
    assert!(
        app.detail.kept(&big, w).is_none(),
        "not rendered in the update"
    );
    assert!(app.detail.is_rendering(&big, w));
    let waiting = draw(&app);
    insta::assert_snapshot!("big_item_rendering_100x30", waiting);
    assert!(waiting.contains("rendering 0.5 MB…"), "{waiting}");
    assert!(waiting.contains("paragraph 0000"), "the start of its text");

    // The keys answer meanwhile: moving on, the small item is there at once and the render
    // is abandoned; its answer, if it comes, is dropped.
    let effects = update::update(&mut app, key('j'));
    assert!(jobs(&effects).is_empty());
    assert_eq!(selected(&app).as_deref(), Some("msg_1"));
    let small = app.detail_item().cloned().expect("selected");
    assert!(app.detail.kept(&small, w).is_some());
    assert!(draw(&app).contains("the oldest note"));
    assert!(rendering::build(&first[0]).is_none(), "abandoned early");
    let late = Rendered {
        key: first[0].key,
        wrapped: None,
    };
    update::update(&mut app, Message::DetailRendered(late));
    assert!(
        draw(&app).contains("the oldest note"),
        "nothing stale lands"
    );

    // Back onto it: asked for again; its answer lands and the text shows.
    let effects = update::update(&mut app, key('k'));
    let again = jobs(&effects);
    assert_eq!(again.len(), 1);
    update::update(&mut app, rendered(&again[0]));
    assert!(app.detail.kept(&big, w).is_some(), "landed");
    let shown = draw(&app);
    insta::assert_snapshot!("big_item_rendered_100x30", shown);
    assert!(!shown.contains("rendering"), "{shown}");
    assert!(shown.contains("paragraph 0001"), "{shown}");

    // Scrolling it is the kept lines' window: no render asked for.
    update::update(&mut app, key('l'));
    let effects = update::update(&mut app, key('G'));
    assert!(jobs(&effects).is_empty());
    assert!(
        draw(&app).contains("paragraph 3999"),
        "the end is reachable"
    );
}

#[test]
fn a_resize_or_a_toggle_asks_again_and_drops_the_older_answer() {
    let mut app = app_with(vec![note("msg_1", big_text())]);
    let effects = update::update(&mut app, Message::Resize(100, 30));
    assert!(jobs(&effects).is_empty(), "already asked for at this width");
    // The first page selected it: that update asked.
    let big = app.detail_item().cloned().expect("selected");
    assert!(app.detail.is_rendering(&big, width(&app)));

    let effects = update::update(&mut app, Message::Resize(120, 30));
    let wider = jobs(&effects);
    assert_eq!(wider.len(), 1, "another width, another render");
    let effects = update::update(&mut app, key('r'));
    let raw = jobs(&effects);
    assert_eq!(raw.len(), 1, "raw JSON is another rendering");
    assert!(rendering::build(&wider[0]).is_none(), "the older one stops");

    // The older answer does not land; the newer one does.
    update::update(
        &mut app,
        Message::DetailRendered(Rendered {
            key: wider[0].key,
            wrapped: None,
        }),
    );
    assert!(app.detail.kept(&big, width(&app)).is_none());
    update::update(&mut app, rendered(&raw[0]));
    let w = app.detail.kept(&big, width(&app)).expect("raw landed");
    assert!(w.total() > 10);
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    terminal.draw(|f| view::draw(f, &app)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("raw JSON") && screen.contains("\"content\""),
        "{screen}"
    );
}

#[test]
fn normal_items_render_in_the_update_as_before() {
    let mut app = app_with(vec![
        note("msg_2", "second ".repeat(2000)),
        note("msg_1", "first".into()),
    ]);
    let effects = update::update(&mut app, key('j'));
    assert!(jobs(&effects).is_empty());
    let item = app.detail_item().cloned().expect("selected");
    assert!(!rendering::is_big(&item));
    assert!(app.detail.kept(&item, width(&app)).is_some());
}
