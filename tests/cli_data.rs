//! The CLI on data: `convtui restore` end to end: the binary deletes an item and a conversation on
//! `convtui serve`, lists the journal, restores both, and the API shows them back. Also
//! `items create` from a file and from stdin, read in chunks, and `--allow-partial-backup`.

use std::process::Output;

use serde_json::{json, Value};

mod common;

use common::serve::serve;

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    /// The binary with a home of its own.
    fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, url: &str, args: &[&str], stdin: Option<&str>) -> Output {
        let mut c = common::cli::command_in(self.dir.path());
        c.args(["--base-url", url]).args(args);
        common::cli::output(&mut c, stdin)
    }

    fn ok(&self, url: &str, args: &[&str]) -> (Vec<Value>, String) {
        let out = self.run(url, args, None);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines = stdout
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        (lines, err)
    }

    fn fails(&self, url: &str, args: &[&str]) -> String {
        self.fails_with(url, args, 1)
    }

    fn fails_with(&self, url: &str, args: &[&str], code: i32) -> String {
        let out = self.run(url, args, None);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    }

    fn listing(&self, url: &str) -> String {
        let out = self.run(url, &["restore"], None);
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    }
}

fn texts(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["content"][0]["text"].as_str().unwrap_or("").to_string())
        .collect()
}

fn all_items(cli: &Cli, url: &str, conv: &str) -> Vec<Value> {
    cli.ok(url, &["items", "list", conv, "--all", "--order", "asc"])
        .0
}

#[test]
fn a_deleted_item_and_conversation_come_back_with_restore() {
    let server = serve();
    let url = server.url.as_str();
    let cli = Cli::new();
    // A conversation with metadata and 45 items (three create calls), and a second one.
    let items: Vec<Value> = (0..45)
        .map(|i| json!({"role": "user", "content": format!("m{i}")}))
        .collect();
    let file = cli.dir.path().join("items.json");
    std::fs::write(&file, serde_json::to_string(&items).unwrap()).unwrap();
    let (conv, _) = cli.ok(
        url,
        &[
            "conversations",
            "create",
            "--metadata",
            "topic=trip",
            "--items",
            file.to_str().unwrap(),
        ],
    );
    let big = conv[0]["id"].as_str().unwrap().to_string();
    let (small, _) = cli.ok(url, &["conversations", "create"]);
    let small = small[0]["id"].as_str().unwrap().to_string();
    let jsonl = "{\"role\":\"user\",\"content\":\"a\"}\n{\"role\":\"user\",\"content\":\"b\"}\n";
    let out = cli.run(url, &["items", "create", &small, "-"], Some(jsonl));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before_big = all_items(&cli, url, &big);
    assert_eq!(
        texts(&before_big),
        (0..45).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    let before_small = all_items(&cli, url, &small);
    assert_eq!(texts(&before_small), ["a", "b"]);

    // Delete the first item of the small one, then the whole big one.
    let item_id = before_small[0]["id"].as_str().unwrap().to_string();
    cli.ok(url, &["items", "delete", &small, &item_id]);
    cli.ok(url, &["conversations", "delete", &big]);
    cli.fails(url, &["conversations", "get", &big]);

    let listing = cli.listing(url);
    let rows: Vec<&str> = listing.lines().collect();
    assert_eq!(rows.len(), 2, "{listing}");
    assert!(
        rows[0].contains(&format!("item {item_id} (message) of {small}")),
        "{listing}"
    );
    assert!(
        rows[1].contains(&format!("conversation {big} (45 items)")),
        "{listing}"
    );
    assert!(
        rows.iter()
            .all(|r| r.ends_with("deleted") && r.contains(url)),
        "{listing}"
    );

    // The item: by its id. It comes back at the end, with a new id, and stderr says so.
    let (restored, err) = cli.ok(url, &["restore", &item_id]);
    assert!(
        err.contains("new id") && err.contains("at the end"),
        "{err}"
    );
    let new_item = restored[0]["new_id"].as_str().unwrap().to_string();
    assert_ne!(new_item, item_id);
    let after_small = all_items(&cli, url, &small);
    assert_eq!(texts(&after_small), ["b", "a"]);
    assert_eq!(after_small[1]["id"], new_item.as_str());
    assert_eq!(after_small[1]["role"], before_small[0]["role"]);

    // The conversation: by its entry number. Metadata and all items, in order.
    let (restored, _) = cli.ok(url, &["restore", "2"]);
    assert_eq!(restored[0]["items"], 45);
    let new_conv = restored[0]["new_id"].as_str().unwrap().to_string();
    let (got, _) = cli.ok(url, &["conversations", "get", &new_conv]);
    assert_eq!(got[0]["metadata"], json!({"topic": "trip"}));
    let after_big = all_items(&cli, url, &new_conv);
    assert_eq!(texts(&after_big), texts(&before_big));
    let registry = std::fs::read_to_string(convtui::registry::path_for(
        cli.dir.path(),
        "local",
        Some(url),
    ))
    .unwrap();
    assert!(registry.contains(&new_conv), "{registry}");

    // Never twice by accident; --force on purpose.
    let listing = cli.listing(url);
    assert!(
        listing.contains(&format!("restored as {new_conv}")),
        "{listing}"
    );
    // Refused by the journal before anything is sent: a bad argument (2).
    let err = cli.fails_with(url, &["restore", &big], 2);
    assert!(
        err.contains("restored already") && err.contains("--force"),
        "{err}"
    );
    for what in ["99", "garbage", "msg_nonexistent"] {
        let err = cli.fails_with(url, &["restore", what], 2);
        assert!(err.contains("nothing in the journal matches"), "{err}");
    }
    let (again, _) = cli.ok(url, &["restore", "--force", &item_id]);
    assert_ne!(again[0]["new_id"], new_item.as_str());
    assert_eq!(texts(&all_items(&cli, url, &small)), ["b", "a", "a"]);

    // Another server: refused unless --force.
    let other = serve();
    let (third, _) = cli.ok(url, &["conversations", "create"]);
    let third = third[0]["id"].as_str().unwrap().to_string();
    cli.ok(url, &["conversations", "delete", &third]);
    let err = cli.fails_with(&other.url, &["restore", &third], 2);
    assert!(err.contains("recorded for") && err.contains(url), "{err}");
    cli.ok(&other.url, &["restore", "--force", &third]);
}

#[test]
fn items_create_checks_every_item_of_stdin_before_sending_any() {
    let server = serve();
    let url = server.url.as_str();
    let cli = Cli::new();
    let (conv, _) = cli.ok(url, &["conversations", "create"]);
    let conv = conv[0]["id"].as_str().unwrap().to_string();
    let mut lines: Vec<String> = (0..30)
        .map(|i| json!({"role": "user", "content": format!("m{i}")}).to_string())
        .collect();
    lines.push(json!({"role": "robot", "content": "x"}).to_string());
    let out = cli.run(
        url,
        &["items", "create", &conv, "-"],
        Some(&lines.join("\n")),
    );
    // Found before sending: a usage error.
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("items[30]"), "{err}");
    assert!(all_items(&cli, url, &conv).is_empty());

    // The {"items": [...]} form, 41 of them: three calls, in order.
    let wrapped = json!({"items": (0..41).map(|i| json!({"role": "user", "content": format!("w{i}")})).collect::<Vec<_>>()});
    let out = cli.run(
        url,
        &["items", "create", &conv, "-"],
        Some(&wrapped.to_string()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    assert_eq!(
        texts(&all_items(&cli, url, &conv)),
        (0..41).map(|i| format!("w{i}")).collect::<Vec<_>>()
    );
}

#[test]
fn allow_partial_backup_deletes_a_conversation_whose_items_repeat() {
    use axum::{routing::get, Json, Router};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(async {
        let app = Router::new()
            .route(
                "/v1/conversations/conv_1",
                get(|| async { Json(json!({"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}})) })
                    .delete(|| async { Json(json!({"id": "conv_1", "object": "conversation.deleted", "deleted": true})) }),
            )
            .route(
                "/v1/conversations/conv_1/items",
                get(|| async {
                    Json(json!({"object": "list",
                        "data": [{"type": "message", "id": "m1", "role": "user", "content": [{"type": "input_text", "text": "a"}]}],
                        "first_id": "m1", "last_id": "m1", "has_more": true}))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/v1")
    });
    let cli = Cli::new();
    let err = cli.fails(&url, &["conversations", "delete", "conv_1"]);
    assert!(
        err.contains("not deleted") && err.contains("--allow-partial-backup"),
        "{err}"
    );
    let (answer, err) = cli.ok(
        &url,
        &[
            "conversations",
            "delete",
            "conv_1",
            "--allow-partial-backup",
        ],
    );
    assert_eq!(answer[0]["deleted"], true);
    assert!(
        err.contains("partial backup: 1 item(s) were saved"),
        "{err}"
    );
    assert!(cli.listing(&url).contains("(1 item, partial backup)"));
}

#[test]
fn items_list_all_ends_with_a_clear_error_at_the_page_limit() {
    use axum::{routing::get, Json, Router};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(async {
        // Every page has a new item and says more follow.
        let app = Router::new().route(
            "/v1/conversations/conv_1/items",
            get(|| async move {
                static PAGES: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                let n = PAGES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let id = format!("m{n}");
                Json(json!({"object": "list",
                    "data": [{"type": "message", "id": id, "role": "user", "content": "a"}],
                    "last_id": id, "has_more": true}))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/v1")
    });
    let cli = Cli::new();
    let out = cli.run(
        &url,
        &["items", "list", "conv_1", "--all", "--max-list-pages", "3"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stopped after 3 pages") && err.contains("--max-list-pages"),
        "{err}"
    );
}

#[test]
fn entries_of_the_earlier_format_are_listed_and_restored() {
    let server = serve();
    let url = server.url.as_str();
    let cli = Cli::new();
    let item = |id: &str, text: &str| {
        json!({"type": "message", "id": id, "status": "completed", "role": "user",
               "content": [{"type": "input_text", "text": text}]})
    };
    let lines = [
        json!({"deleted_at": 1_700_000_000u64, "profile": "local", "base_url": url,
               "conversation_id": "conv_old", "kind": "conversation",
               "object": {"conversation": {"id": "conv_old", "object": "conversation", "created_at": 1,
                          "metadata": {"k": "v"}},
                          "items": [item("msg_a", "first"), item("msg_b", "second")]}}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(cli.dir.path().join("deleted.jsonl"), text).unwrap();
    let listing = cli.listing(url);
    assert!(
        listing.contains("conversation conv_old (2 items)"),
        "{listing}"
    );
    assert!(listing.contains("outcome unknown"), "{listing}");
    // Its outcome was not recorded: the server says conv_old is gone, so it is restored.
    let (restored, _) = cli.ok(url, &["restore", "conv_old"]);
    let new_conv = restored[0]["new_id"].as_str().unwrap().to_string();
    assert_eq!(texts(&all_items(&cli, url, &new_conv)), ["first", "second"]);
    let (got, _) = cli.ok(url, &["conversations", "get", &new_conv]);
    assert_eq!(got[0]["metadata"], json!({"k": "v"}));
}

/// The API cannot list conversations, so one made on the command line joins the profile's list
/// (and `sync` finds it); a deleted one leaves it.
#[test]
fn a_created_conversation_joins_the_list_and_a_deleted_one_leaves_it() {
    let server = serve();
    let url = server.url.as_str();
    let cli = Cli::new();
    let (conv, _) = cli.ok(url, &["conversations", "create"]);
    let id = conv[0]["id"].as_str().unwrap().to_string();
    let (listed, _) = cli.ok(url, &["conversations", "list"]);
    let entry = listed.iter().find(|l| l["id"] == id.as_str()).unwrap();
    assert_eq!(entry["in_list"], true, "{entry}");
    let (_, synced) = cli.ok(url, &["sync"]);
    assert!(!synced.contains("no registered"), "{synced}");
    cli.ok(url, &["conversations", "delete", &id]);
    let (listed, _) = cli.ok(url, &["conversations", "list"]);
    assert!(listed.iter().all(|l| l["id"] != id.as_str()), "{listed:?}");
}

/// A new conversation holding "a" then "b", and the id of "a" (the first listed).
fn conversation_of_two(cli: &Cli, url: &str) -> (String, String) {
    let (conv, _) = cli.ok(url, &["conversations", "create"]);
    let conv = conv[0]["id"].as_str().unwrap().to_string();
    let jsonl = "{\"role\":\"user\",\"content\":\"a\"}\n{\"role\":\"user\",\"content\":\"b\"}\n";
    assert!(cli
        .run(url, &["items", "create", &conv, "-"], Some(jsonl))
        .status
        .success());
    let item = all_items(cli, url, &conv)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (conv, item)
}

#[test]
fn restores_at_the_same_time_re_create_an_item_once() {
    let server = serve();
    let url = server.url.as_str();
    let cli = Cli::new();
    let (conv, item) = conversation_of_two(&cli, url);
    cli.ok(url, &["items", "delete", &conv, &item]);

    // Four processes restore the same entry at once: one re-creates it, the others are told
    // it was restored already.
    let children: Vec<_> = (0..4)
        .map(|_| {
            common::cli::command_in(cli.dir.path())
                .args(["--base-url", url, "restore", &item])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let ok = outs.iter().filter(|o| o.status.success()).count();
    let refused = outs
        .iter()
        .filter(|o| String::from_utf8_lossy(&o.stderr).contains("was restored already"))
        .count();
    assert_eq!((ok, refused), (1, 3), "{outs:?}");
    assert_eq!(texts(&all_items(&cli, url, &conv)), ["b", "a"]);
}

#[test]
fn an_item_goes_back_to_where_its_restored_conversation_is() {
    let server = serve();
    let url = server.url.as_str();
    let cli = Cli::new();
    let (conv, item) = conversation_of_two(&cli, url);
    // The item, then its conversation; the conversation comes back first, with a new id.
    cli.ok(url, &["items", "delete", &conv, &item]);
    cli.ok(url, &["conversations", "delete", &conv]);
    let (back, _) = cli.ok(url, &["restore", &conv]);
    let moved = back[0]["new_id"].as_str().unwrap().to_string();
    assert_eq!(texts(&all_items(&cli, url, &moved)), ["b"]);
    let (restored, err) = cli.ok(url, &["restore", &item]);
    assert_eq!(restored[0]["conversation"], moved.as_str(), "{err}");
    assert!(
        err.contains(&format!("its conversation {conv} was restored as {moved}")),
        "{err}"
    );
    assert_eq!(texts(&all_items(&cli, url, &moved)), ["b", "a"]);
    // The journal as JSON: each entry's type, a conversation's too.
    let (listed, _) = cli.ok(url, &["restore", "--json"]);
    let types: Vec<(&str, &str)> = listed
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        types,
        [("item", "message"), ("conversation", "conversation")]
    );
}
