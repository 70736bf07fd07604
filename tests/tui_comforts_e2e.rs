//! The real binary under tmux against `convtui serve`: the filter and the clipboard, a
//! custom keymap, and the mouse.

mod common;

use common::call;

use common::tmux::{command_line, Served, Tmux};
use serde_json::json;

fn create(base: &str, title: &str) -> String {
    let (status, c) = call(
        "POST",
        &format!("{base}/conversations"),
        Some(json!({"metadata": {"title": title}})),
    );
    assert_eq!(status, 200);
    c["id"].as_str().unwrap().to_string()
}

/// A conversation with `n` messages, `note number 0` the oldest.
fn seed(base: &str, title: &str, n: usize) -> String {
    common::seed_with(
        base,
        title,
        n,
        |i| json!({"role": "user", "content": format!("note number {i}")}),
    )
}

#[test]
fn with_255_conversations_a_filter_finds_one_and_y_copies_its_full_id() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("filter.sqlite3"));
    let base = served.base_url.clone();
    let mut wanted = String::new();
    for i in 0..255 {
        let title = if i == 77 {
            "Zebra migration plan".to_string()
        } else {
            format!("Weekly notes {i}")
        };
        let id = create(&base, &title);
        if i == 77 {
            wanted = id;
        }
    }
    let data = dir.path().join("data").display().to_string();
    let tmux = Tmux::start(
        "filter",
        120,
        40,
        &command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base]),
    );
    tmux.tmux(&["set-option", "-g", "set-clipboard", "on"]);
    tmux.wait_for("Weekly notes 254", 20);
    tmux.keys(&["/"]);
    tmux.type_text("zebra m");
    let screen = tmux.wait_for("1 match in 255 conversations", 10);
    assert!(screen.contains("Zebra migration plan"), "{screen}");
    assert!(
        !screen.contains("Weekly notes"),
        "the list narrowed:\n{screen}"
    );
    tmux.keys(&["Enter"]);
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("Copied conv_", 10);
    assert!(
        screen.contains(&wanted),
        "the full id is on screen:\n{screen}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let buffer = tmux.tmux(&["show-buffer"]);
        if buffer == wanted {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the tmux buffer is {buffer:?}, not {wanted:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Esc clears the filter: the other conversations are back, the selection stays.
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("Weekly notes", 10);
    assert!(screen.contains("▌Zebra migration plan"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_exit(10);
}

#[test]
fn a_custom_keymap_changes_the_behaviour_and_the_help() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("keys.sqlite3"));
    let base = served.base_url.clone();
    seed(&base, "Rebound keys", 5);
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "mouse = false\n\n[keys.timeline]\nx = \"mark\"\n\"ctrl-i\" = \"delete\"\n",
    )
    .unwrap();
    let data = dir.path().join("data").display().to_string();
    let tmux = Tmux::start(
        "keys",
        120,
        40,
        &command_line(
            &[("CONVTUI_DATA_DIR", &data)],
            &[
                "--config",
                &config.display().to_string(),
                "--base-url",
                &base,
            ],
        ),
    );
    // The binding terminals cannot tell apart is refused, naming its line.
    let screen = tmux.wait_for("config.toml line 5", 20);
    assert!(screen.contains("ctrl-i as Tab"), "{screen}");
    tmux.wait_for("Rebound keys", 20);
    tmux.keys(&["Enter"]);
    tmux.wait_for("5 loaded", 20);
    // x now marks the item.
    tmux.keys(&["x"]);
    tmux.wait_for("1 marked", 10);
    tmux.keys(&["?"]);
    let help = tmux.wait_for("mark or unmark the item", 10);
    let row = help
        .lines()
        .find(|l| l.contains("mark or unmark the item"))
        .unwrap();
    assert!(row.contains("x/space"), "help shows the new key: {row}");
    tmux.keys(&["Escape"]);
    // Help closes before q goes in, so that the two are not read as one alt-q.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while tmux.screen().contains("Help · Esc closes") {
        assert!(std::time::Instant::now() < deadline, "help did not close");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tmux.keys(&["q"]);
    tmux.wait_exit(10);
}

#[test]
fn a_click_on_a_timeline_row_selects_it() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("mouse.sqlite3"));
    let base = served.base_url.clone();
    seed(&base, "Clickable", 30);
    let data = dir.path().join("data").display().to_string();
    let tmux = Tmux::start(
        "mouse",
        120,
        40,
        &command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base]),
    );
    tmux.wait_for("Clickable", 20);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("note number 20 ", 20);
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("note number 20 "))
        .unwrap();
    assert!(!line.contains('▌'), "not selected before the click: {line}");
    let x = line.chars().position(|c| c == 'n').unwrap() + 5;
    // SGR mouse: press and release of the left button, 1-based.
    tmux.type_text(&format!("\x1b[<0;{};{}M", x + 1, y + 1));
    tmux.type_text(&format!("\x1b[<0;{};{}m", x + 1, y + 1));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let screen = tmux.screen();
        let row = screen.lines().nth(y).unwrap_or("").to_string();
        if row.contains('▌') && row.contains("note number 20 ") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the clicked row is not selected:\n{screen}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tmux.keys(&["q"]);
    tmux.wait_exit(10);
}
