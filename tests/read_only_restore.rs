//! `--read-only` on the calls that re-create: `restore` and `items create` from stdin are
//! refused before anything is sent, against the real `convtui serve`; the journal and the
//! conversation stay as they were.

use std::process::Output;

use serde_json::Value;

mod common;

use common::serve::serve;

fn run(dir: &std::path::Path, url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = common::cli::command_in(dir);
    c.args(["--base-url", url]).args(args);
    common::cli::output(&mut c, stdin)
}

fn json_lines(out: &Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn refused(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("read-only mode") && stderr.contains("nothing was sent"),
        "{stderr}"
    );
}

#[test]
fn read_only_refuses_restore_and_streamed_items() {
    let server = serve();
    let url = server.url.as_str();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let conv = json_lines(&run(dir, url, &["conversations", "create"], None));
    let conv = conv[0]["id"].as_str().unwrap().to_string();
    let jsonl = "{\"role\":\"user\",\"content\":\"a\"}\n{\"role\":\"user\",\"content\":\"b\"}\n";
    json_lines(&run(
        dir,
        url,
        &["items", "create", &conv, "-"],
        Some(jsonl),
    ));
    let list = |dir| json_lines(&run(dir, url, &["items", "list", &conv, "--all"], None));
    let before = list(dir);
    assert_eq!(before.len(), 2);
    let item = before[0]["id"].as_str().unwrap().to_string();
    json_lines(&run(dir, url, &["items", "delete", &conv, &item], None));

    // The journal holds the delete; restoring it read-only is refused.
    let out = run(dir, url, &["--read-only", "restore", &item], None);
    refused(&out);
    assert_eq!(out.status.code(), Some(2), "a read-only refusal exits 2");
    let listing = run(dir, url, &["restore"], None);
    let listing = String::from_utf8_lossy(&listing.stdout).to_string();
    assert!(
        listing
            .lines()
            .any(|l| l.contains(&item) && l.ends_with("deleted")),
        "still to restore: {listing}"
    );
    // Items on stdin, read-only: none is added.
    refused(&run(
        dir,
        url,
        &["--read-only", "items", "create", &conv, "-"],
        Some(jsonl),
    ));
    assert_eq!(list(dir).len(), 1, "nothing reached the server");
    // The same restore without read-only goes through.
    json_lines(&run(dir, url, &["restore", &item], None));
    assert_eq!(list(dir).len(), 2);
}

#[tokio::test]
async fn read_only_undo_is_refused_before_the_journal_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let client = convtui::api::Client::new(convtui::api::ClientSettings {
        read_only: true,
        max_retries: 0,
        ..convtui::api::ClientSettings::new("http://127.0.0.1:9/v1")
    })
    .unwrap();
    let backup = convtui::deletion::Backup {
        path: dir.path().join("deleted.jsonl"),
        profile: "local".into(),
    };
    let e = convtui::restore::undo_last(&client, &backup)
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("read-only mode") && text.contains("nothing was sent"),
        "{text}"
    );
}
