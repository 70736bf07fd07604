//! Whole-frame snapshots of the views, at 120×40 and 60×20, on TestBackend.

use convtui::registry::Registry;
use convtui::tui::message::{Message, PageData};
use convtui::tui::state::{App, ConvInfo, Focus};
use convtui::tui::{update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::Value;

const NOW: i64 = 1_764_000_000;

fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// One item of every type found in the demo data, with stable ids.
fn every_type() -> Vec<Value> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for conv in convtui::demo::conversations().unwrap() {
        for item in conv.items {
            let t = item
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("message")
                .to_string();
            let role = item
                .get("role")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let k = format!("{t}/{role}");
            if seen.contains(&k) {
                continue;
            }
            seen.push(k);
            let mut item = item.clone();
            item.as_object_mut()
                .unwrap()
                .insert("id".into(), Value::String(format!("item_{:03}", out.len())));
            out.push(item);
        }
    }
    out
}

fn app() -> App {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    app.now = NOW;
    let listed = convtui::demo::conversations()
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            (
                format!("conv_{:048x}", i + 1),
                ConvInfo {
                    created_at: NOW - 3600 * (i as i64 * 7 + 1),
                    metadata: c.metadata,
                },
            )
        })
        .collect();
    app.pending = 1;
    update::update(&mut app, Message::ConversationsListed(Ok(Some(listed))));
    app.convs.items.push(convtui::tui::state::ConvEntry {
        id: "conv_gone".into(),
        info: None,
        gone: true,
    });
    app
}

fn with_timeline(items: Vec<Value>) -> App {
    let mut app = app();
    let effects = update::update(&mut app, key(KeyCode::Enter));
    assert_eq!(effects.len(), 1, "opening loads the first page");
    let tl = app.timeline.as_ref().unwrap();
    let (conversation, generation) = (tl.conversation.clone(), tl.paging.generation);
    update::update(
        &mut app,
        Message::ItemsLoaded {
            conversation,
            generation,
            result: Ok(PageData::of(items, true)),
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

fn both_sizes(name: &str, app: &mut App) {
    insta::assert_snapshot!(format!("{name}_120x40"), render(app, 120, 40));
    insta::assert_snapshot!(format!("{name}_60x20"), render(app, 60, 20));
}

#[test]
fn conversation_list() {
    both_sizes("list", &mut app());
}

#[test]
fn timeline_with_every_item_type() {
    let items = every_type();
    let types: Vec<&str> = items
        .iter()
        .filter_map(|i| i.get("type").and_then(Value::as_str))
        .collect();
    for t in [
        "message",
        "function_call",
        "reasoning",
        "apply_patch_call",
        "mcp_call",
        "compaction",
        "memory_snapshot",
    ] {
        assert!(types.contains(&t), "demo data has {t}");
    }
    let mut app = with_timeline(items);
    // Tall enough to show every item.
    insta::assert_snapshot!("timeline_every_type_120x80", render(&mut app, 120, 80));
    both_sizes("timeline", &mut app);
}

fn select_type(app: &mut App, kind: &str) {
    let tl = app.timeline.as_mut().unwrap();
    tl.list.selected = tl
        .list
        .items
        .iter()
        .position(|i| i.value().get("type").and_then(Value::as_str) == Some(kind))
        .unwrap();
    app.focus = Focus::Detail;
}

#[test]
fn detail_and_raw_views() {
    let mut app = with_timeline(every_type());
    select_type(&mut app, "function_call");
    both_sizes("detail_function_call", &mut app);
    select_type(&mut app, "apply_patch_call");
    insta::assert_snapshot!("detail_apply_patch_120x40", render(&mut app, 120, 40));
    update::update(&mut app, key(KeyCode::Char('r')));
    both_sizes("raw_apply_patch", &mut app);
}

#[test]
fn every_type_renders_in_detail() {
    let mut app = with_timeline(every_type());
    let n = app.timeline.as_ref().unwrap().list.items.len();
    let mut all = String::new();
    for i in 0..n {
        app.timeline.as_mut().unwrap().list.selected = i;
        app.focus = Focus::Detail;
        all.push_str(&render(&mut app, 120, 40));
    }
    insta::assert_snapshot!("detail_every_type_120x40", all);
}

#[test]
fn confirm_dialog() {
    let mut app = with_timeline(every_type());
    app.focus = Focus::Timeline;
    update::update(&mut app, key(KeyCode::Char('d')));
    assert!(matches!(
        app.modals.front(),
        Some(convtui::tui::modal::Modal::Confirm(_))
    ));
    both_sizes("confirm_delete", &mut app);
}

#[test]
fn help_screen() {
    let mut app = app();
    update::update(&mut app, key(KeyCode::Char('?')));
    both_sizes("help", &mut app);
}

#[test]
fn tiny_and_odd_sizes_never_panic() {
    let mut app = with_timeline(every_type());
    update::update(&mut app, key(KeyCode::Char('?')));
    for (w, h) in [(40, 10), (1, 1), (39, 9), (300, 5), (41, 200)] {
        render(&mut app, w, h);
    }
    app.modals.clear();
    for focus in [Focus::Conversations, Focus::Timeline, Focus::Detail] {
        app.focus = focus;
        for (w, h) in [(40, 10), (2, 3), (99, 12), (100, 12)] {
            render(&mut app, w, h);
        }
    }
}

#[test]
fn the_highlighted_row_is_the_item_in_detail() {
    let many: Vec<Value> = (0..300)
        .map(|i| serde_json::json!({"type": "message", "id": format!("msg_{i}"), "role": "user", "content": format!("row {i} end")}))
        .collect();
    let mut app = with_timeline(many);
    app.focus = Focus::Timeline;
    for target in [0usize, 5, 37, 150, 299] {
        app.timeline.as_mut().unwrap().list.selected = target;
        let screen = render(&mut app, 120, 40);
        let highlighted: Vec<&str> = screen.lines().filter(|l| l.contains("▌  ▷")).collect();
        assert_eq!(highlighted.len(), 1, "{screen}");
        assert!(
            highlighted[0].contains(&format!("row {target} end")),
            "{screen}"
        );
        assert!(
            screen.contains(&format!("msg_{target}\u{20}")),
            "detail shows the same item"
        );
    }
}

#[test]
fn hostile_server_text_never_reaches_the_terminal_raw() {
    let hostile = "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{9b}31m\r\u{202e}evil";
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    let mut metadata = std::collections::BTreeMap::new();
    metadata.insert(format!("k{hostile}"), hostile.to_string());
    metadata.insert("title".into(), hostile.to_string());
    app.pending = 1;
    update::update(
        &mut app,
        Message::ConversationsListed(Ok(Some(vec![(
            format!("conv_{hostile}"),
            ConvInfo {
                created_at: NOW,
                metadata,
            },
        )]))),
    );
    let items = vec![
        serde_json::json!({"type": format!("x{hostile}"), "id": format!("msg_{hostile}"), "role": hostile, "content": hostile}),
        serde_json::json!({"type": "message", "id": "msg_2", "role": "user", "content": [{"type": "input_text", "text": hostile}]}),
        serde_json::json!({"type": "web_search_call", "id": "ws_3", "status": "completed", format!("k\u{202e}x{hostile}"): hostile, "action": {format!("q\u{2066}x{hostile}"): 1}}),
    ];
    let mut app2 = with_timeline(items);
    app2.convs = app.convs.clone();
    app2.status = Some(convtui::tui::state::Status::Error(
        convtui::tui::state::Failure {
            message: hostile.into(),
            status: Some(500),
            request_id: Some(hostile.into()),
        },
    ));
    for raw in [false, true] {
        app2.detail.raw = raw;
        for i in 0..3 {
            app2.timeline.as_mut().unwrap().list.selected = i;
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            terminal.draw(|f| view::draw(f, &app2)).unwrap();
            let screen = terminal.backend().to_string();
            assert!(
                screen.contains("␛]52;c;"),
                "escapes are shown, not sent:\n{screen}"
            );
            for cell in terminal.backend().buffer().content() {
                let sym = cell.symbol();
                assert!(
                    !sym.chars()
                        .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                    "a control character reached the screen: {sym:?}"
                );
            }
        }
    }
}
