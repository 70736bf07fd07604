//! The real binary under tmux against `convtui serve`: Esc presses that reach the program in
//! one read each count, a lone Esc goes back one level, and ESC followed by a letter in one
//! read is still Esc, then the letter.

mod common;

use common::tmux::{command_line, Served, Tmux};
use common::Http;
use serde_json::json;
use std::time::{Duration, Instant};

/// A conversation with one message, through the server's HTTP API.
fn seed(base: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = Http {
            base: base.to_string(),
            client: reqwest::Client::new(),
            key: None,
        };
        let r = http
            .post(
                "/conversations",
                json!({"metadata": {"title": "Two levels"}}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let conv = r.body["id"].as_str().unwrap().to_string();
        let stored = http
            .add_items(
                &conv,
                &[json!({"role": "user", "content": "hello from the detail"})],
            )
            .await;
        assert_eq!(stored.len(), 1);
    });
}

/// Waits until `pred` holds for the screen; panics with the screen after `secs`.
fn wait_until(tmux: &Tmux, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let screen = tmux.screen();
        if pred(&screen) {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; the screen was:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The focused pane has the thick border; the hint bar names the focused pane's keys.
fn detail_focused(screen: &str) -> bool {
    screen.contains("┏ Detail") && screen.contains("Esc back")
}
fn timeline_focused(screen: &str) -> bool {
    screen.contains("┏ Items") && !screen.contains("Esc back") && !screen.contains("x forget")
}
fn conversations_focused(screen: &str) -> bool {
    screen.contains("┏ Conversations") && screen.contains("x forget")
}

/// What a program in the pane gets from `send-keys -H 1b 1b`: both bytes in one read.
#[test]
fn tmux_writes_two_hex_esc_bytes_in_one_read() {
    let tmux = Tmux::start(
        "escread",
        80,
        10,
        "stty raw -echo; printf 'ready\\r\\n'; dd bs=1024 count=1 2>/dev/null | od -An -tx1; \
         printf 'read done\\r\\n'; sleep 30",
    );
    tmux.wait_for("ready", 10);
    // Let dd block in its read before the bytes arrive.
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["-H", "1b", "1b"]);
    let screen = tmux.wait_for("read done", 10);
    let bytes = screen
        .lines()
        .find(|l| l.trim_start().starts_with("1b"))
        .unwrap_or_else(|| panic!("no bytes shown:\n{screen}"));
    assert_eq!(bytes.trim(), "1b 1b", "one read of both bytes:\n{screen}");
}

#[test]
fn two_esc_in_one_read_go_back_two_levels() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("esc.sqlite3"));
    let base = served.base_url.clone();
    seed(&base);
    let data = dir.path().join("data").display().to_string();
    let tmux = Tmux::start(
        "esc",
        120,
        30,
        &command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base]),
    );
    tmux.wait_for("Two levels", 20);
    let open_detail = || {
        tmux.keys(&["Enter"]);
        tmux.wait_for("hello from the detail", 20);
        wait_until(&tmux, "the timeline", 20, timeline_focused);
        tmux.keys(&["Enter"]);
        wait_until(&tmux, "the detail", 20, detail_focused);
    };

    // Two levels deep: the item's detail over the timeline over the conversations.
    open_detail();
    // Both ESC bytes in one write, so the program reads them together: two presses.
    tmux.keys(&["-H", "1b", "1b"]);
    let screen = wait_until(&tmux, "the conversations", 10, conversations_focused);
    assert!(!screen.contains("┏ Detail"), "{screen}");
    assert!(!screen.contains("┏ Items"), "{screen}");

    // A lone Esc goes back exactly one level.
    open_detail();
    tmux.keys(&["-H", "1b"]);
    let screen = wait_until(&tmux, "the timeline", 10, timeline_focused);
    assert!(!conversations_focused(&screen), "{screen}");

    // ESC and a letter in one read are still read as Esc, then the letter: from the
    // detail, `ESC r` goes back to the timeline and toggles it to raw JSON.
    tmux.keys(&["Enter"]);
    let screen = wait_until(&tmux, "the detail", 20, detail_focused);
    assert!(screen.contains("Detail · rendered"), "{screen}");
    tmux.keys(&["-H", "1b", "72"]);
    let screen = wait_until(&tmux, "the raw timeline", 10, |s| {
        timeline_focused(s) && s.contains("Detail · raw JSON")
    });
    assert!(!conversations_focused(&screen), "{screen}");

    tmux.keys(&["q"]);
    tmux.wait_exit(10);
}
