//! A failed write that may have happened says so on the status line, even when the rest of
//! the message is cut to fit (TestBackend).

use convtui::registry::Registry;
use convtui::tui::message::Message;
use convtui::tui::state::{App, ConvInfo, Failure};
use convtui::tui::{update, view};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const NOW: i64 = 1_764_000_000;
const CONV: &str = "conv_0000000000000000000000000000000000000000000000a1";

fn app() -> App {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    app.now = NOW;
    let info = ConvInfo {
        created_at: NOW - 60,
        metadata: [("title".to_string(), "Stormy".to_string())].into(),
    };
    app.pending = 1;
    update::update(
        &mut app,
        Message::ConversationsListed(Ok(Some(vec![(CONV.to_string(), info)]))),
    );
    app
}

fn frame(app: &mut App, w: u16, h: u16) -> String {
    update::update(app, Message::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    let buffer = terminal.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buffer[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_delete_that_may_have_happened_says_so_when_cut() {
    let mut app = app();
    app.pending = 1;
    let message = "connection failed (end of file before message length reached): DELETE …/conversations/conv_00…/items/msg_a4… (HTTP 404); it may have been deleted (an attempt got no answer)";
    update::update(
        &mut app,
        Message::ConversationDeleted {
            id: CONV.into(),
            result: Err(Failure {
                message: message.into(),
                status: Some(502),
                request_id: None,
            }),
        },
    );
    let screen = frame(&mut app, 80, 24);
    let status = screen.lines().nth(22).unwrap();
    assert!(
        status.starts_with("error: it may have been deleted: connection failed"),
        "{status}"
    );
    assert!(status.contains('…'), "cut to fit: {status}");
    insta::assert_snapshot!("may_have_been_deleted_80x24", screen);

    // A failure that did not happen reads as before: cause first.
    update::update(
        &mut app,
        Message::ConversationDeleted {
            id: CONV.into(),
            result: Err(Failure {
                message: format!(
                    "The server had an error while processing your request {}",
                    "and more words ".repeat(5)
                ),
                status: Some(500),
                request_id: None,
            }),
        },
    );
    let screen = frame(&mut app, 80, 24);
    let status = screen.lines().nth(22).unwrap();
    assert!(
        status.starts_with("error: The server had an error"),
        "{status}"
    );
    assert!(!status.contains("may have"), "{status}");
}

/// A row's preview of a huge text is made from its start only (benches/big_item.sh measures
/// what that saves); it reads the same as a small one's.
#[test]
fn the_preview_of_a_huge_text_is_its_start() {
    let text = format!("BIGSTART  two\n\nwords {}", "and more ".repeat(1_000_000));
    let item = serde_json::json!({"type": "message", "role": "user",
        "content": [{"type": "input_text", "text": text}, {"type": "input_text", "text": "tail"}]});
    let s = convtui::tui::render::summary(&item);
    assert!(
        s.preview.starts_with("BIGSTART two words and more"),
        "{}",
        &s.preview[..40]
    );
    assert!(s.preview.len() <= 16 * 1024, "{}", s.preview.len());
    assert_eq!(s.label, "user");
    let small = serde_json::json!({"type": "message", "role": "user",
        "content": [{"type": "input_text", "text": "one"}, {"type": "input_text", "text": "two"}]});
    assert_eq!(convtui::tui::render::summary(&small).preview, "one two");
}
