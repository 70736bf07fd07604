//! The real binary under tmux: `W` exports a 1,000-item conversation to Markdown with a
//! progress bar, and `Esc` cancels an export, leaving no file. The server is `convtui serve`
//! behind a proxy that slows each page of items, so that the progress can be seen.

mod common;

use std::time::Duration;

use common::proxy::{Options, Proxy};
use common::tmux::{command_line, Served, Tmux};
use serde_json::{json, Value};

fn call(method: &str, url: &str, body: Value) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let res = reqwest::Client::new()
            .request(method.parse().unwrap(), url)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
        res.json().await.unwrap()
    })
}

#[test]
fn export_a_thousand_items_to_markdown_with_progress_and_cancel() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let c = call(
        "POST",
        &format!("{}/conversations", served.base_url),
        json!({"metadata": {"title": "Thousand"}}),
    );
    let id = c["id"].as_str().unwrap().to_string();
    let items: Vec<Value> = (0..1000)
        .map(|i| match i % 3 {
            0 => json!({"role": "user", "content": format!("question {i}")}),
            1 => json!({"type": "function_call", "call_id": format!("call_{i}"), "name": "lookup", "arguments": "{\"q\":1}"}),
            _ => json!({"role": "assistant", "content": [{"type": "output_text", "text": format!("**answer** {i}")}]}),
        })
        .collect();
    for chunk in items.chunks(20) {
        call(
            "POST",
            &format!("{}/conversations/{id}/items", served.base_url),
            json!({"items": chunk}),
        );
    }
    // Slowed, so that the progress can be seen.
    let proxy = Proxy::start_blocking(
        &served.base_url,
        Options {
            delay: Duration::from_millis(400),
            ..Options::default()
        },
    );
    let base = proxy.url.clone();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let data = dir.path().join("data").display().to_string();
    let line = format!(
        "cd '{}' && {}",
        work.display(),
        command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base])
    );
    let tmux = Tmux::start("export", 110, 32, &line);
    tmux.wait_for("Thousand", 20);
    tmux.keys(&["Enter"]);
    tmux.wait_for("100 loaded", 20);

    // W writes CONV_ID.md; the bar shows the pages as they arrive.
    tmux.keys(&["W"]);
    tmux.wait_for("Exporting to conv_", 10);
    let during = tmux.wait_for("items · 2 pages · more", 20);
    assert!(during.contains("Esc cancel"), "{during}");
    let done = tmux.wait_for("Exported 1000 items", 30);
    assert!(!done.contains("Exporting to"), "{done}");
    let path = work.join(format!("{id}.md"));
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(md.starts_with("# Thousand\n"), "{}", &md[..100]);
    assert_eq!(md.matches("\n## User").count(), 334);
    assert_eq!(md.matches("\n## Assistant").count(), 333);
    assert_eq!(md.matches("### Tool call: lookup").count(), 333);
    assert!(md.find("question 0\n").unwrap() < md.find("**answer** 998").unwrap());

    // A second export, cancelled with Esc: no file, and the screen says so.
    std::fs::remove_file(&path).unwrap();
    tmux.keys(&["W"]);
    tmux.wait_for("items · 1 pages · more", 20);
    tmux.keys(&["Escape"]);
    tmux.wait_for("Export cancelled", 20);
    std::thread::sleep(Duration::from_millis(300));
    let left: Vec<_> = std::fs::read_dir(&work).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    tmux.keys(&["q"]);
    tmux.wait_exit(10);
}
