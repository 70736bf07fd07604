//! `conversations list`, `forget`, `update --set/--unset`, `completions` and the help layout.

use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

mod common;

use common::serve::serve;

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    common::cli::command_in(dir).args(args).output().unwrap()
}

fn ok(dir: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn list_merges_the_server_and_the_id_list_and_forget_hides() {
    let server = serve();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = server.url.as_str();
    let id = |v: &Vec<Value>| v[0]["id"].as_str().unwrap().to_string();
    let a = id(&ok(d, &["--base-url", url, "conversations", "create"]));
    // `b` is made by another user of the server: it is in the server's listing only.
    let other = tempfile::tempdir().unwrap();
    let b = id(&ok(
        other.path(),
        &["--base-url", url, "conversations", "create"],
    ));
    ok(d, &["--base-url", url, "add", &a, "conv_only_here"]);
    let listed = ok(d, &["--base-url", url, "conversations", "list"]);
    let ids: Vec<&str> = listed.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [b.as_str(), a.as_str(), "conv_only_here"],
        "{listed:?}"
    );
    assert_eq!(listed[0]["in_list"], false);
    assert_eq!(listed[1]["in_list"], true);
    assert_eq!(listed[1]["conversation"]["id"], a.as_str());
    assert_eq!(listed[2]["conversation"], Value::Null);

    let out = ok(d, &["--base-url", url, "forget", &a, "conv_only_here"]);
    assert_eq!(out[0]["removed"], 2);
    let listed = ok(d, &["--base-url", url, "conversations", "list"]);
    let ids: Vec<&str> = listed.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [b.as_str()],
        "forgotten ids stay out, even when the server lists them"
    );
    // Adding it again brings it back.
    ok(d, &["--base-url", url, "add", &a]);
    assert_eq!(
        ok(d, &["--base-url", url, "conversations", "list"]).len(),
        2
    );
    let bad = run(d, &["--base-url", url, "forget", "garbage"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn update_set_and_unset_merge_while_metadata_replaces() {
    let server = serve();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = server.url.as_str();
    let conv = ok(
        d,
        &[
            "--base-url",
            url,
            "conversations",
            "create",
            "--metadata",
            "a=1",
            "--metadata",
            "b=2",
        ],
    );
    let id = conv[0]["id"].as_str().unwrap();
    let up = ok(
        d,
        &[
            "--base-url",
            url,
            "conversations",
            "update",
            id,
            "--set",
            "c=3",
            "--set",
            "b=two",
            "--unset",
            "a",
        ],
    );
    assert_eq!(up[0]["metadata"], json!({"b": "two", "c": "3"}));
    let up = ok(
        d,
        &[
            "--base-url",
            url,
            "conversations",
            "update",
            id,
            "--metadata",
            "z=9",
        ],
    );
    assert_eq!(up[0]["metadata"], json!({"z": "9"}));
    let mixed = run(
        d,
        &[
            "--base-url",
            url,
            "conversations",
            "update",
            id,
            "--metadata",
            "x=1",
            "--set",
            "y=2",
        ],
    );
    assert_eq!(mixed.status.code(), Some(2));
    let help = run(d, &["conversations", "update", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("replace the whole metadata"), "{help}");
    assert!(help.contains("keeping the others"), "{help}");
}

#[test]
fn completions_and_global_options_in_help() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = run(dir.path(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("convtui") && script.contains("conversations"),
            "{shell}"
        );
    }
    let bash = run(dir.path(), &["completions", "bash"]);
    let check = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(&bash.stdout)?;
            c.wait()
        })
        .unwrap();
    assert!(check.success(), "the bash script parses");
    let help = run(dir.path(), &["items", "list", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    let global = help.find("Global options:").expect("a heading of its own");
    assert!(help[global..].contains("--base-url"), "{help}");
    assert!(!help[..global].contains("--base-url"), "{help}");
}
