//! The binary as a subprocess, against `convtui serve` and on the local profile.

use std::process::Output;

use serde_json::Value;

mod common;

use common::serve::serve;

use common::cli::{command_in as cmd, output as run};

fn lines(out: &Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "status {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

struct Cli {
    dir: tempfile::TempDir,
    url: Option<String>,
}

impl Cli {
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut c = cmd(self.dir.path());
        if let Some(u) = &self.url {
            c.args(["--base-url", u]);
        }
        c.args(args);
        run(&mut c, stdin)
    }
    fn ok(&self, args: &[&str]) -> Vec<Value> {
        lines(&self.run(args, None))
    }
    /// A new, empty conversation's id.
    fn new_conversation(&self) -> String {
        self.ok(&["conversations", "create"])[0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// A client of `server`, with a data directory of its own.
fn client_of(server: &common::serve::Server) -> Cli {
    Cli {
        dir: tempfile::tempdir().unwrap(),
        url: Some(server.url.clone()),
    }
}

fn items_json(n: usize) -> String {
    let items: Vec<Value> = (0..n)
        .map(|i| serde_json::json!({"role": "user", "content": format!("m{i}")}))
        .collect();
    serde_json::to_string(&items).unwrap()
}

#[test]
fn every_command_against_serve() {
    let server = serve();
    let cli = client_of(&server);
    let file = cli.dir.path().join("items.json");
    std::fs::write(&file, items_json(25)).unwrap();
    let f = file.to_str().unwrap();

    let out = cli.ok(&[
        "conversations",
        "create",
        "--metadata",
        "topic=demo",
        "--items",
        f,
    ]);
    assert_eq!(out.len(), 1);
    let conv = out[0]["id"].as_str().unwrap().to_string();
    assert_eq!(out[0]["metadata"]["topic"], "demo");

    let got = cli.ok(&["conversations", "get", &conv]);
    assert_eq!(got[0]["id"], conv.as_str());

    let up = cli.ok(&[
        "conversations",
        "update",
        &conv,
        "--metadata",
        "a=1",
        "--metadata",
        "b=2",
    ]);
    assert_eq!(up[0]["metadata"], serde_json::json!({"a": "1", "b": "2"}));
    let up = cli.ok(&[
        "conversations",
        "update",
        &conv,
        "--metadata-json",
        r#"{"c":"3"}"#,
    ]);
    assert_eq!(up[0]["metadata"], serde_json::json!({"c": "3"}));
    let up = cli.ok(&["conversations", "update", &conv, "--clear"]);
    assert_eq!(up[0]["metadata"], serde_json::json!({}));

    // 25 items from the create, 22 more by stdin as JSON Lines (two chunks).
    let jsonl: String = (0..22)
        .map(|i| format!("{{\"role\":\"user\",\"content\":\"s{i}\"}}\n"))
        .collect();
    let out = lines(&cli.run(&["items", "create", &conv, "-"], Some(&jsonl)));
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["data"].as_array().unwrap().len(), 20);
    assert_eq!(out[1]["data"].as_array().unwrap().len(), 2);
    let out = cli.ok(&["items", "create", &conv, "--file", f]);
    assert_eq!(out.len(), 2);

    let page = cli.ok(&["items", "list", &conv, "--limit", "3", "--order", "asc"]);
    assert_eq!(page.len(), 1);
    assert_eq!(page[0]["data"][0]["content"][0]["text"], "m0");
    assert_eq!(page[0]["has_more"], true);
    let after = page[0]["last_id"].as_str().unwrap().to_string();
    let next = cli.ok(&[
        "items", "list", &conv, "--limit", "1", "--order", "asc", "--after", &after,
    ]);
    assert_eq!(next[0]["data"][0]["content"][0]["text"], "m3");

    let all = cli.run(
        &[
            "items", "list", &conv, "--all", "--limit", "7", "--order", "asc",
        ],
        None,
    );
    let all_items = lines(&all);
    assert_eq!(all_items.len(), 25 + 22 + 25);
    assert_eq!(all_items[25]["content"][0]["text"], "s0");
    assert!(all.stderr.is_empty());

    let id = all_items[0]["id"].as_str().unwrap().to_string();
    let item = cli.ok(&[
        "items",
        "get",
        &conv,
        &id,
        "--include",
        "message.output_text.logprobs",
    ]);
    assert_eq!(item[0]["id"], id.as_str());
    let del = cli.ok(&["items", "delete", &conv, &id]);
    assert_eq!(del[0]["id"], conv.as_str());

    let gone = cli.run(&["items", "get", &conv, &id], None);
    assert_eq!(gone.status.code(), Some(1));
    let err = String::from_utf8(gone.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with(&format!("error: Item with id '{id}' not found in conversation. (HTTP 404 invalid_request_error, request req_")), "{err}");

    let del = cli.ok(&["conversations", "delete", &conv]);
    assert_eq!(del[0]["deleted"], true);
    let gone = cli.run(&["conversations", "get", &conv], None);
    assert_eq!(gone.status.code(), Some(1));
    assert!(gone.stdout.is_empty());

    // Both deletes were backed up first, in full, and marked done after.
    let journal = convtui::backup::Journal::new(cli.dir.path().join("deleted.jsonl"));
    let (records, skipped) = journal.read().unwrap();
    assert_eq!((records.len(), skipped), (2, 0), "{records:?}");
    assert_eq!(records[0].kind, convtui::backup::Kind::Item);
    assert_eq!(records[0].object, item[0]);
    assert_eq!(records[0].status, convtui::backup::Status::Done);
    assert_eq!(records[1].kind, convtui::backup::Kind::Conversation);
    assert_eq!(records[1].object["id"], conv.as_str());
    assert_eq!(records[1].status, convtui::backup::Status::Done);
    let convtui::backup::Items::File { path, count } = &records[1].items else {
        panic!("{:?}", records[1].items)
    };
    assert_eq!(*count as usize, all_items.len() - 1);
    let saved = std::fs::read_to_string(path).unwrap();
    assert_eq!(saved.lines().count(), all_items.len() - 1);
}

#[test]
fn local_profile_needs_no_setup() {
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        url: None,
    };
    let out = cli.ok(&["conversations", "create", "--metadata", "k=v"]);
    let conv = out[0]["id"].as_str().unwrap().to_string();
    // A second process sees it: it went to the database file in CONVTUI_DATA_DIR.
    let got = cli.ok(&["conversations", "get", &conv]);
    assert_eq!(got[0]["metadata"]["k"], "v");
    assert!(cli.dir.path().join("local.sqlite3").exists());
    let out = lines(&cli.run(&["items", "create", &conv, "-"], Some(&items_json(2))));
    assert_eq!(out[0]["data"].as_array().unwrap().len(), 2);
}

#[test]
fn errors_and_usage() {
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        url: None,
    };
    let out = cli.run(&["items", "list"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = cli.run(&["conversations", "update", "conv_1"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = cli.run(&["items", "list", "conv_1", "--order", "sideways"], None);
    assert_eq!(out.status.code(), Some(2));
    // Checked before sending.
    let out = cli.run(&["items", "create", "conv_1", "-"], Some("[]"));
    assert_eq!(out.status.code(), Some(2));
    let out = cli.run(
        &[
            "conversations",
            "create",
            "--metadata",
            &format!("{}=v", "k".repeat(65)),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: Invalid property name in 'metadata'"),
        "{err}"
    );
    // A bad settings file names itself.
    let bad = cli.dir.path().join("bad.toml");
    std::fs::write(&bad, "[profiles.x]\ntimeout_s = \"soon\"\n").unwrap();
    let out = cli.run(
        &[
            "--config",
            bad.to_str().unwrap(),
            "conversations",
            "get",
            "c",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("bad.toml") && err.contains("profiles.x.timeout_s"),
        "{err}"
    );
    // Help lists the commands.
    let help = cli.run(&["--help"], None);
    let text = String::from_utf8(help.stdout).unwrap();
    for word in [
        "serve",
        "conversations",
        "items",
        "--config",
        "--profile",
        "--base-url",
    ] {
        assert!(text.contains(word), "{word} missing from --help");
    }
}

#[test]
fn an_api_key_never_shows() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cmd(dir.path());
    c.env("OPENAI_API_KEY", "sk-test-secret-abcdef").args([
        "--base-url",
        "http://127.0.0.1:9/v1",
        "conversations",
        "get",
        "conv_1",
    ]);
    let out = run(&mut c, None);
    assert_eq!(out.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("sk-test-secret-abcdef"), "{all}");
}

#[test]
fn list_all_ends_with_a_warning_on_a_repeating_server() {
    use axum::{routing::get, Json, Router};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(async {
        let app = Router::new().route(
            "/v1/conversations/conv_1/items",
            get(|| async {
                Json(serde_json::json!({"object": "list",
                    "data": [{"type": "message", "id": "m1", "role": "user", "content": "a"}],
                    "first_id": "m1", "last_id": "m1", "has_more": true}))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/v1")
    });
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        url: Some(url),
    };
    let out = cli.run(&["items", "list", "conv_1", "--all"], None);
    let items = lines(&out);
    assert_eq!(items.len(), 1);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("warning: "), "{err}");
}

#[test]
fn add_and_import_register_ids_and_refuse_junk() {
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        url: None,
    };
    let out = cli.ok(&["add", "conv_a", "https://platform.test/logs/conv_b?x=1"]);
    assert_eq!(out[0]["added"], 2);
    let registry = std::path::PathBuf::from(out[0]["registry"].as_str().unwrap());
    let ids = |path: &std::path::Path| -> Vec<String> {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&registry), ["conv_a", "conv_b"]);

    for junk in ["not an id", "garbage", "resp_123"] {
        let bad = cli.run(&["add", "conv_c", junk], None);
        assert_eq!(bad.status.code(), Some(2), "{junk}");
        let err = String::from_utf8_lossy(&bad.stderr);
        assert!(
            err.contains(&format!("not a conversation id: '{junk}'")),
            "{err}"
        );
        assert_eq!(ids(&registry), ["conv_a", "conv_b"], "nothing added");
    }

    let list = cli.dir.path().join("ids.txt");
    std::fs::write(&list, "# mine\nconv_c\n\nid: conv_d\n").unwrap();
    let out = cli.ok(&["import", list.to_str().unwrap()]);
    assert_eq!(out[0]["added"], 2);
    assert_eq!(ids(&registry), ["conv_a", "conv_b", "conv_c", "conv_d"]);
    // The good lines are taken and the bad ones named; the same text `add` refuses.
    std::fs::write(&list, "conv_e\nwhat is this\ngarbage\nconv_f\n").unwrap();
    let out = cli.run(&["import", list.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2: no conversation id in 'what is this'; skipped"),
        "{err}"
    );
    assert!(
        err.contains("line 3: no conversation id in 'garbage'"),
        "{err}"
    );
    assert_eq!(lines(&out)[0]["added"], 2);
    assert_eq!(
        ids(&registry),
        ["conv_a", "conv_b", "conv_c", "conv_d", "conv_e", "conv_f"]
    );
    // Nothing could be taken: exit 1.
    std::fs::write(&list, "what is this\n").unwrap();
    let bad = cli.run(&["import", list.to_str().unwrap()], None);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nothing was added"));
}

#[test]
fn an_unknown_profile_is_a_usage_error() {
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        url: None,
    };
    let out = cli.run(
        &["--profile", "nosuch", "conversations", "get", "conv_x"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("unknown profile 'nosuch' (known: local, openai)"));
}

#[test]
fn a_bad_item_anywhere_in_a_file_sends_nothing_and_is_named() {
    let server = serve();
    let cli = client_of(&server);
    let conv = cli.new_conversation();
    let lines: Vec<String> = (0..45)
        .map(|i| {
            let role = if i == 22 { "bogus" } else { "user" };
            format!(r#"{{"role":"{role}","content":"n{i}"}}"#)
        })
        .collect();
    let file = cli.dir.path().join("bad.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = cli.run(
        &["items", "create", &conv, "--file", file.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Supported values are") && err.contains("param items[22]"),
        "{err}"
    );
    let listed = cli.ok(&["items", "list", &conv]);
    assert_eq!(listed[0]["data"], serde_json::json!([]), "nothing was sent");
    // Creating a conversation with the file sends nothing either.
    let out = cli.run(
        &["conversations", "create", "--items", file.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// A pipe given as the file (`--file <(jq …)`) can be read once only: it is kept first, then
/// checked and sent like a file.
#[test]
fn items_create_reads_a_pipe_given_as_the_file() {
    let server = serve();
    let cli = client_of(&server);
    let conv = cli.new_conversation();
    let fifo = cli.dir.path().join("items.fifo");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates the file.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, items_json(3)).unwrap())
    };
    let out = cli.ok(&["items", "create", &conv, "--file", fifo.to_str().unwrap()]);
    writer.join().unwrap();
    assert_eq!(out[0]["data"].as_array().map(Vec::len), Some(3), "{out:?}");
    let listed = cli.ok(&["items", "list", &conv, "--order", "asc"]);
    let texts: Vec<_> = listed[0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["content"][0]["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts, ["m0", "m1", "m2"]);
}
