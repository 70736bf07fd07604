//! The real binary in a real terminal (tmux) against `convtui serve`.

mod common;

use common::tmux::{command_line, Served, Tmux};
use serde_json::{json, Value};

/// A plain blocking HTTP call: method, URL and optional JSON body; answers status and body.
fn call(method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut req = reqwest::Client::new().request(method.parse().unwrap(), url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    })
}

/// Creates a conversation with `n` user messages and answers its id.
fn seed(base: &str, title: &str, n: usize) -> String {
    let (_, c) = call(
        "POST",
        &format!("{base}/conversations"),
        Some(json!({"metadata": {"title": title}})),
    );
    let id = c["id"].as_str().unwrap().to_string();
    let items: Vec<Value> = (0..n)
        .map(|i| json!({"role": if i % 2 == 0 { "user" } else { "assistant" }, "content": format!("note number {i}")}))
        .collect();
    for chunk in items.chunks(20) {
        let (status, _) = call(
            "POST",
            &format!("{base}/conversations/{id}/items"),
            Some(json!({"items": chunk})),
        );
        assert_eq!(status, 200);
    }
    id
}

#[test]
fn browse_page_and_delete_an_item() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    let conv = seed(&base, "Paging and deleting", 250);
    let data = dir.path().join("data");
    let data_s = data.display().to_string();

    let tmux = Tmux::start(
        "browse",
        120,
        40,
        &command_line(&[("CONVTUI_DATA_DIR", &data_s)], &["--base-url", &base]),
    );
    tmux.wait_for("Paging and deleting", 20);
    tmux.keys(&["Enter"]);
    tmux.wait_for("100 loaded · more", 10);
    // Scroll past the first page: the next pages load by themselves.
    tmux.keys(&["G"]);
    tmux.wait_for("200 loaded", 10);
    tmux.keys(&["G"]);
    tmux.wait_for("250 loaded · all", 10);
    // G goes to the last loaded item; once everything is loaded that is the oldest.
    tmux.keys(&["G"]);
    tmux.wait_for("note number 0 ", 5);

    // Delete the selected item (the oldest, at the bottom), confirming.
    tmux.keys(&["d"]);
    let dialog = tmux.wait_for("Delete this item?", 5);
    let item = dialog
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| w.starts_with("msg_") && w.len() == 52)
        .unwrap_or_else(|| panic!("the dialog names the item:\n{dialog}"))
        .to_string();
    tmux.keys(&["y"]);
    tmux.wait_for(&format!("Deleted {item}"), 10);
    tmux.wait_for("249 loaded · all", 5);

    // The server no longer has it, and the backup does.
    let (status, _) = call(
        "GET",
        &format!("{base}/conversations/{conv}/items/{item}"),
        None,
    );
    assert_eq!(status, 404);
    let backup = std::fs::read_to_string(data.join("deleted.jsonl")).unwrap();
    let record: Value = serde_json::from_str(backup.lines().last().unwrap()).unwrap();
    assert_eq!(record["object"]["id"], item.as_str());
    assert_eq!(record["conversation_id"], conv.as_str());
    assert_eq!(record["object"]["content"][0]["text"], "note number 0");

    tmux.keys(&["q"]);
    tmux.wait_exit(10);
}

#[test]
fn a_failed_delete_keeps_the_item_and_shows_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    let conv = seed(&base, "Vanishing", 3);
    let data = dir.path().join("data").display().to_string();
    let tmux = Tmux::start(
        "fail",
        100,
        30,
        &command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base]),
    );
    tmux.wait_for("Vanishing", 20);
    tmux.keys(&["Enter"]);
    tmux.wait_for("3 loaded · all", 10);
    // The conversation disappears on the server before the delete.
    call("DELETE", &format!("{base}/conversations/{conv}"), None);
    tmux.keys(&["d"]);
    tmux.wait_for("Delete this item?", 5);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("not found", 10);
    assert!(screen.contains("HTTP 404"), "{screen}");
    assert!(screen.contains("3 loaded"), "the item stays:\n{screen}");
    tmux.keys(&["C-c"]);
    tmux.wait_exit(10);
}
