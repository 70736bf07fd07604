//! `convtui sync` and `convtui search` refuse arguments they cannot use, against the real
//! `convtui serve`: text that is not a conversation id (exit 2, nothing sent), an id the server
//! does not know (exit 1, the others still synced) and an unknown `--role` (exit 2).

use std::process::Output;

use serde_json::Value;

mod common;

use common::serve::serve;

fn run(dir: &std::path::Path, url: &str, args: &[&str]) -> Output {
    common::cli::command_in(dir)
        .args(["--base-url", url])
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// A new, empty conversation's id.
fn new_conversation(dir: &std::path::Path, url: &str) -> String {
    let created = run(dir, url, &["conversations", "create"]);
    assert!(created.status.success(), "{}", stderr(&created));
    json_lines(&created)[0]["id"].as_str().unwrap().to_string()
}

#[test]
fn sync_refuses_text_that_is_no_id_before_sending_anything() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: a request would fail with exit 1, not 2.
    let out = run(dir.path(), "http://127.0.0.1:1/v1", &["sync", "garbage"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a conversation id: 'garbage'"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn sync_of_an_unknown_id_fails_after_syncing_the_others() {
    let server = serve();
    let url = server.url.as_str();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let conv = new_conversation(dir, url);

    let out = run(dir, url, &["sync", "conv_nope", &conv]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("conv_nope") && err.contains("no such conversation"),
        "{err}"
    );
    // A line for each, the one that failed with its error.
    let reports = json_lines(&out);
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(reports[0]["conversation"], "conv_nope");
    assert!(reports[0]["error"]
        .as_str()
        .unwrap()
        .contains("no such conversation"));
    assert_eq!(reports[1]["conversation"], conv.as_str());
    assert_eq!(reports[1]["gone"], false);

    // The known one alone syncs cleanly.
    let ok = run(dir, url, &["sync", &conv]);
    assert!(ok.status.success(), "{}", stderr(&ok));
}

#[test]
fn search_refuses_an_unknown_role() {
    let server = serve();
    let url = server.url.as_str();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let conv = new_conversation(dir, url);
    assert!(run(dir, url, &["sync", &conv]).status.success());

    let out = run(dir, url, &["search", "x", "--role", "bogus"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown role 'bogus'"),
        "{}",
        stderr(&out)
    );
    for role in ["user", "assistant", "system", "developer", "tool"] {
        let ok = run(dir, url, &["search", "x", "--role", role]);
        assert!(ok.status.success(), "{role}: {}", stderr(&ok));
    }
}

#[test]
fn sync_keeps_to_the_listing_limits_of_the_command_line() {
    let server = serve();
    let url = server.url.as_str();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let conv = new_conversation(dir, url);
    let items: Vec<Value> = (0..60)
        .map(|i| serde_json::json!({"role": "user", "content": format!("m{i}")}))
        .collect();
    let file = dir.join("items.json");
    std::fs::write(&file, serde_json::to_string(&items).unwrap()).unwrap();
    let added = run(
        dir,
        url,
        &["items", "create", &conv, "--file", file.to_str().unwrap()],
    );
    assert!(added.status.success(), "{}", stderr(&added));

    for limit in [["--max-list-items", "30"], ["--max-list-pages", "2"]] {
        let _ = std::fs::remove_dir_all(dir.join("mirror"));
        let out = run(
            dir,
            url,
            &[&["sync", &conv, "--page-size", "20"][..], &limit[..]].concat(),
        );
        let err = stderr(&out);
        let report = &json_lines(&out)[0];
        assert!(err.contains("stopped"), "{limit:?}: {err}");
        assert_eq!(report["complete"], false, "{limit:?}: {report}");
        assert!(
            report["received"].as_u64().unwrap() < 60,
            "{limit:?}: {report}"
        );
    }
}
