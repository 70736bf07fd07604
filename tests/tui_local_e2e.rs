//! The real binary in tmux against `convtui serve`: `u` undoes a delete.

mod common;

use common::call;

use common::tmux::{command_line, Served, Tmux};
use serde_json::json;

fn texts(base: &str, conv: &str) -> Vec<String> {
    let (status, page) = call(
        "GET",
        &format!("{base}/conversations/{conv}/items?order=asc"),
        None,
    );
    assert_eq!(status, 200);
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["content"][0]["text"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn u_brings_back_a_deleted_item() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    let (_, c) = call(
        "POST",
        &format!("{base}/conversations"),
        Some(json!({"metadata": {"title": "Undo me"},
                    "items": [{"role": "user", "content": "first words"},
                              {"role": "user", "content": "parting words"}]})),
    );
    let conv = c["id"].as_str().unwrap().to_string();
    let data = dir.path().join("data").display().to_string();
    let tmux = Tmux::start(
        "undo",
        120,
        30,
        &command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base]),
    );
    tmux.wait_for("Undo me", 20);
    tmux.keys(&["Enter"]);
    tmux.wait_for("2 loaded · all", 20);
    let (_, before) = call(
        "GET",
        &format!("{base}/conversations/{conv}/items?order=asc"),
        None,
    );
    let old_id = before["data"][1]["id"].as_str().unwrap().to_string();
    // Newest first: the selected item is "parting words".
    tmux.keys(&["d"]);
    tmux.wait_for("Delete this item?", 20);
    tmux.keys(&["y"]);
    tmux.wait_for("1 loaded · all", 20);
    assert_eq!(texts(&base, &conv), ["first words"]);

    tmux.keys(&["u"]);
    let screen = tmux.wait_for("new id", 20);
    assert!(screen.contains("Restored item"), "{screen}");
    // The panes refresh: the item is back in the timeline.
    let screen = tmux.wait_for("2 loaded · all", 20);
    assert!(screen.contains("parting words"), "{screen}");
    assert_eq!(texts(&base, &conv), ["first words", "parting words"]);
    // The status line names the new id, not the old one.
    let (_, after) = call(
        "GET",
        &format!("{base}/conversations/{conv}/items?order=asc"),
        None,
    );
    let new_id = after["data"][1]["id"].as_str().unwrap().to_string();
    assert_ne!(new_id, old_id);
    let status = screen
        .lines()
        .find(|l| l.contains("Restored item"))
        .unwrap_or_default();
    let at_new = status.find(&new_id[..16]);
    assert!(at_new.is_some(), "{new_id}: {screen}");
    if let Some(at_old) = status.find(&old_id[..16]) {
        assert!(at_new < Some(at_old), "the new id comes first: {screen}");
    }

    tmux.keys(&["q"]);
    tmux.wait_exit(20);
}
