//! A huge message in the real binary, in a real terminal (tmux), against `convtui serve`:
//! moving the selection past it and back answers at once, and its text shows when its
//! rendering (off the UI thread) lands.

mod common;

use common::call;

use std::time::{Duration, Instant};

use common::tmux::{command_line, Served, Tmux};
use serde_json::{json, Value};

/// About 6 MB of Markdown: a first paragraph longer than a timeline row's preview, then
/// numbered paragraphs.
fn huge_text() -> String {
    let mut text = format!("BIGSTART {}\n\n", "alpha ".repeat(100));
    for i in 0..60_000 {
        text.push_str(&format!(
            "huge paragraph {i:05} {}\n\n",
            "lorem ipsum ".repeat(7)
        ));
    }
    text
}

fn message(text: String) -> Value {
    json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})
}

/// Waits until `pred` holds for the screen; answers it and the time it took.
fn wait_until(tmux: &Tmux, secs: u64, what: &str, pred: impl Fn(&str) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let screen = tmux.screen();
        if pred(&screen) {
            return start.elapsed();
        }
        if start.elapsed() > Duration::from_secs(secs) {
            panic!("timed out waiting for {what}; the screen was:\n{screen}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The detail pane shows `text` on one of its rows (the pane right of the conversations).
fn detail_shows(screen: &str, text: &str) -> bool {
    screen.lines().any(|l| l.contains(&format!("││{text}")))
}

#[test]
fn moving_past_a_huge_message_answers_at_once_and_its_text_lands() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("big.sqlite3"));
    let base = served.base_url.clone();
    let (status, c) = call(
        "POST",
        &format!("{base}/conversations"),
        Some(json!({"metadata": {"title": "Huge message"}})),
    );
    assert_eq!(status, 200);
    let conv = c["id"].as_str().unwrap().to_string();
    let url = format!("{base}/conversations/{conv}/items");
    // Oldest first: notes 0-2, the huge one, notes 3-5.
    for i in 0..3 {
        let (s, _) = call(
            "POST",
            &url,
            Some(json!({"items": [message(format!("note number {i}"))]})),
        );
        assert_eq!(s, 200);
    }
    let text = huge_text();
    assert!(text.len() > 5_000_000);
    let (s, _) = call("POST", &url, Some(json!({"items": [message(text)]})));
    assert_eq!(s, 200);
    for i in 3..6 {
        let (s, _) = call(
            "POST",
            &url,
            Some(json!({"items": [message(format!("note number {i}"))]})),
        );
        assert_eq!(s, 200);
    }

    let data = dir.path().join("data");
    let tmux = Tmux::start(
        "bigitem",
        100,
        30,
        &command_line(
            &[("CONVTUI_DATA_DIR", &data.display().to_string())],
            &["--base-url", &base],
        ),
    );
    tmux.wait_for("Huge message", 30);
    tmux.keys(&["Enter"]);
    tmux.wait_for("7 loaded · all", 60);
    // Newest first: note 5 is selected, the huge message is the fourth row.
    wait_until(&tmux, 30, "note 5 in the detail", |s| {
        detail_shows(s, "note number 5")
    });

    // Past it with keys sent at once: note 2, below it, shows promptly.
    tmux.keys(&["j", "j", "j", "j"]);
    let past = wait_until(&tmux, 2, "note 2 in the detail", |s| {
        detail_shows(s, "note number 2")
    });
    // Back onto it: what it is shows at once, then its text when the rendering lands.
    tmux.keys(&["k"]);
    wait_until(&tmux, 2, "the rendering note", |s| {
        s.contains("rendering 6.")
    });
    // Moving on while it renders answers at once too; back again asks for it anew.
    tmux.keys(&["k"]);
    wait_until(&tmux, 2, "note 3 in the detail", |s| {
        detail_shows(s, "note number 3")
    });
    tmux.keys(&["j"]);
    wait_until(&tmux, 2, "the rendering note again", |s| {
        s.contains("rendering 6.")
    });
    let landed = wait_until(&tmux, 120, "the huge message's text", |s| {
        detail_shows(s, "message · user") && detail_shows(s, "BIGSTART alpha")
    });
    let screen = tmux.screen();
    assert!(!screen.contains("rendering 6."), "{screen}");
    // Its end is reachable: the kept lines scroll without another render.
    tmux.keys(&["l", "G"]);
    wait_until(&tmux, 5, "the last paragraph", |s| {
        s.contains("huge paragraph 59999")
    });
    // Past it and back: its lines were kept, so it shows at once.
    tmux.keys(&["h", "k", "j"]);
    wait_until(&tmux, 2, "the huge message again", |s| {
        detail_shows(s, "message · user") && detail_shows(s, "BIGSTART alpha")
    });
    // Raw JSON is another rendering; quitting while it renders ends the program promptly.
    tmux.keys(&["r"]);
    wait_until(&tmux, 2, "the raw rendering note", |s| {
        s.contains("raw JSON") && s.contains("rendering 6.")
    });
    eprintln!("moving past: {past:?}; the text landed after {landed:?}");
    tmux.keys(&["q"]);
    tmux.wait_exit(10);
}
