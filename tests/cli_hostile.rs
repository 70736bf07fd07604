//! A hostile server against the CLI in a real terminal (tmux): escape sequences in error
//! messages, error types and params, undecodable bodies and paging cursors must not set the
//! pane title, write the clipboard (OSC 52), clear the screen or leave the alternate screen.

use std::process::Command;
use std::time::{Duration, Instant};

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_convtui");
/// OSC 0 (title), OSC 52 (clipboard), clear screen, leave the alternate screen.
const EVIL: &str =
    "\u{1b}]0;PWNED-TITLE\u{7}\u{1b}]52;c;UFdORUQtQ0xJUA==\u{7}\u{1b}[2J\u{1b}[?1049l";

fn hostile() -> Router {
    Router::new()
        .route(
            "/v1/conversations/conv_err",
            get(|| async {
                let body = json!({"error": {"message": format!("bad {EVIL} thing"),
                    "type": format!("t{EVIL}"), "param": format!("p{EVIL}"), "code": "c"}});
                (StatusCode::BAD_REQUEST, Json(body))
            }),
        )
        .route(
            "/v1/conversations/conv_text",
            get(|| async {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(header::CONTENT_TYPE, "text/plain")],
                    format!("oops {EVIL}"),
                )
                    .into_response()
            }),
        )
        .route(
            "/v1/conversations/conv_body",
            get(|| async { format!("{EVIL} not json") }),
        )
        .route(
            "/v1/conversations/conv_page/items",
            get(|| async {
                let cursor = format!("m{EVIL}");
                Json(json!({"object": "list",
                    "data": [{"type": "message", "id": "m1", "role": "user", "content": "a"}],
                    "first_id": "m1", "last_id": cursor, "has_more": true}))
            }),
        )
        .route(
            "/v1/conversations/conv_item/items/msg_1",
            get(|| async {
                Json(json!({"type": "message", "id": "msg_1", "role": "user",
                    "content": [{"type": "input_text",
                        "text": format!("x{EVIL}\u{9b}2J\u{2028}\u{2029}y")}]}))
            }),
        )
}

struct Pane {
    socket: String,
}

impl Pane {
    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn a_hostile_server_cannot_drive_the_terminal_through_the_cli() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, hostile()).await.unwrap() });
        format!("http://{addr}/v1")
    });
    let dir = tempfile::tempdir().unwrap();
    let go = dir.path().join("go");
    let import = dir.path().join("ids.txt");
    std::fs::write(&import, format!("conv_good\nnot an id {EVIL}\n")).unwrap();
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let run = |args: &[&str]| {
        let mut parts = vec![
            "env -u OPENAI_API_KEY -u CONVTUI_PROFILE -u OPENAI_BASE_URL".to_string(),
            format!("CONVTUI_DATA_DIR={}", quote(dir.path().to_str().unwrap())),
            format!(
                "XDG_CONFIG_HOME={}",
                quote(dir.path().join("cfg").to_str().unwrap())
            ),
            quote(BIN),
            "--base-url".into(),
            quote(&url),
        ];
        parts.extend(args.iter().map(|a| quote(a)));
        parts.join(" ")
    };
    let script = [
        format!(
            "while [ ! -e {} ]; do sleep 0.05; done",
            quote(go.to_str().unwrap())
        ),
        "echo MARKER-TOP".into(),
        run(&["conversations", "get", "conv_err"]),
        run(&["conversations", "get", "conv_text"]),
        run(&["conversations", "get", "conv_body"]),
        run(&["items", "list", "conv_page", "--all"]),
        run(&["items", "get", "conv_item", "msg_1"]),
        run(&["import", import.to_str().unwrap()]),
        "echo ALL-DONE".into(),
        "sleep 60".into(),
    ]
    .join("; ");
    let pane = Pane {
        socket: format!("convtui-hostile-{}", std::process::id()),
    };
    let started = Command::new("tmux")
        .args(["-L", &pane.socket, "-f", "/dev/null", "new-session", "-d"])
        .args(["-s", "main", "-x", "200", "-y", "50", "sh", "-c", &script])
        .status()
        .expect("tmux must be installed for the end-to-end tests");
    assert!(started.success());
    // Let an application write the clipboard and the title, so that a leak would show.
    pane.tmux(&["set-option", "-g", "set-clipboard", "on"]);
    pane.tmux(&["set-option", "-g", "allow-rename", "on"]);
    let title_before = pane.tmux(&["display-message", "-p", "-t", "main", "#{pane_title}"]);
    std::fs::write(&go, "").unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let screen = loop {
        let screen = pane.tmux(&["capture-pane", "-p", "-t", "main"]);
        if screen.contains("ALL-DONE") {
            break screen;
        }
        assert!(
            Instant::now() < deadline,
            "the commands did not finish:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let title = pane.tmux(&["display-message", "-p", "-t", "main", "#{pane_title}"]);
    assert_eq!(title, title_before, "the pane title changed");
    assert!(!title.contains("PWNED"), "{title}");
    let buffers = pane.tmux(&["list-buffers"]);
    assert!(buffers.trim().is_empty(), "OSC 52 reached tmux: {buffers}");
    // Nothing was cleared: the first line is still there, and each hostile text shows as text.
    assert!(
        screen.contains("MARKER-TOP"),
        "the screen was cleared:\n{screen}"
    );
    assert!(
        screen.contains("error: bad ␛]0;PWNED-TITLE"),
        "the error message, made visible:\n{screen}"
    );
    assert!(screen.contains("HTTP 400 t␛]0;PWNED-TITLE"), "{screen}");
    assert!(screen.contains("param p␛]0;PWNED-TITLE"), "{screen}");
    assert!(screen.contains("error: oops ␛]0;PWNED-TITLE"), "{screen}");
    assert!(
        screen.contains("it starts with: ␛]0;PWNED-TITLE"),
        "{screen}"
    );
    assert!(screen.contains("warning: the server sent"), "{screen}");
    assert!(screen.contains("after 'm␛]0;PWNED-TITLE"), "{screen}");
    assert!(
        screen.contains("not an id ␛]0;PWNED-TITLE"),
        "the bad import line, made visible:\n{screen}"
    );
    // Standard output stays JSON, with the escapes written as JSON escapes.
    let item = screen
        .lines()
        .find(|l| l.contains("\"msg_1\""))
        .unwrap_or_else(|| panic!("no item line:\n{screen}"));
    assert!(
        item.contains(r"x\u001b]0;PWNED-TITLE\u0007\u001b]52;c;"),
        "{item}"
    );
    assert!(item.contains(r"\u009b2J\u2028\u2029y"), "{item}");
}
