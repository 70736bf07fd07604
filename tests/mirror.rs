//! The local mirror and search, end to end: the real binary against `convtui serve`, with a
//! counting proxy in front of the server where requests are counted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

mod common;

use common::proxy::{Options, Proxy};
use common::serve::serve;

/// The binary with its own data directory, on `url`.
struct Cli {
    dir: tempfile::TempDir,
    url: String,
}

impl Cli {
    fn new(url: &str) -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
            url: url.to_string(),
        }
    }

    fn command(&self) -> Command {
        common::cli::command_in(self.dir.path())
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command()
            .args(["--base-url", &self.url])
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Vec<Value> {
        self.ok(args)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Creates a conversation with these items, registered; answers its id and the item ids.
    fn conversation(&self, title: &str, items: &[Value]) -> (String, Vec<String>) {
        let conv = self.json(&[
            "conversations",
            "create",
            "--metadata",
            &format!("title={title}"),
        ]);
        let id = conv[0]["id"].as_str().unwrap().to_string();
        let ids = self.add_items(&id, items);
        self.ok(&["add", &id]);
        (id, ids)
    }

    fn add_items(&self, conv: &str, items: &[Value]) -> Vec<String> {
        let file = self.dir.path().join("items.json");
        std::fs::write(&file, serde_json::to_string(items).unwrap()).unwrap();
        self.json(&["items", "create", conv, "--file", file.to_str().unwrap()])
            .iter()
            .flat_map(|page| page["data"].as_array().unwrap().clone())
            .map(|item| item["id"].as_str().unwrap().to_string())
            .collect()
    }

    fn mirror_file(&self) -> PathBuf {
        PathBuf::from(self.ok(&["mirror", "path"]).trim())
    }

    /// The (conversation, item) of each hit of a JSON search.
    fn hits(&self, args: &[&str]) -> Vec<(String, Option<String>)> {
        let mut all = vec!["search", "--json"];
        all.extend_from_slice(args);
        self.json(&all)
            .iter()
            .map(|h| {
                (
                    h["conversation"].as_str().unwrap().to_string(),
                    h["item"].as_str().map(str::to_string),
                )
            })
            .collect()
    }
}

fn user(text: &str) -> Value {
    json!({"role": "user", "content": text})
}

fn filler(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| user(&format!("ordinary message number {i}")))
        .collect()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn sync_then_search_finds_exactly_the_items_holding_each_word() {
    let server = serve();
    let cli = Cli::new(&server.url);
    let mut a_items = filler(3);
    a_items.push(user("Which train leaves Lisbon first?"));
    let (a, a_ids) = cli.conversation("Trip", &a_items);
    let mut b_items = filler(2);
    b_items.push(
        json!({"type": "function_call", "call_id": "c1", "name": "lookup_quokka",
        "arguments": "{\"island\":\"Rottnest\"}", "status": "completed"}),
    );
    b_items.push(json!({"type": "function_call_output", "call_id": "c1",
        "output": "quokka count: 12000"}));
    let (b, b_ids) = cli.conversation("Animals", &b_items);
    let mut c_items = filler(4);
    c_items.push(
        json!({"role": "assistant", "content": [{"type": "output_text",
        "text": "Run zanzibar-setup then reboot", "annotations": []}]}),
    );
    let (c, c_ids) = cli.conversation("Ops", &c_items);

    // Nothing is searched before it is mirrored.
    let before = cli.run(&["search", "lisbon"]);
    assert_eq!(before.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&before.stderr).contains("convtui sync"));

    let reports = cli.json(&["sync"]);
    let synced: Vec<&str> = reports
        .iter()
        .map(|r| r["conversation"].as_str().unwrap())
        .collect();
    assert_eq!(synced, [a.as_str(), b.as_str(), c.as_str()]);
    assert_eq!(reports[0]["new"], 4);

    assert_eq!(cli.hits(&["lisbon"]), [(a.clone(), Some(a_ids[3].clone()))]);
    let mut quokka = cli.hits(&["quokka"]);
    quokka.sort();
    let mut want = vec![
        (b.clone(), Some(b_ids[2].clone())),
        (b.clone(), Some(b_ids[3].clone())),
    ];
    want.sort();
    assert_eq!(quokka, want, "the tool name and the tool output");
    assert_eq!(
        cli.hits(&["zanzibar"]),
        [(c.clone(), Some(c_ids[4].clone()))]
    );
    // Conversation metadata and ids are searched too.
    assert_eq!(cli.hits(&["animals"]), [(b.clone(), None)]);
    assert_eq!(
        cli.hits(&[&a_ids[3]]),
        [(a.clone(), Some(a_ids[3].clone()))]
    );

    // The text form names conversation, item, type and role, and marks the match.
    let text = cli.ok(&["search", "lisbon"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0],
        format!("Trip ({a}) · {} · message · user", a_ids[3])
    );
    assert_eq!(lines[1], "    Which train leaves [Lisbon] first?");
}

#[test]
fn query_syntax_filters_and_errors() {
    let server = serve();
    let cli = Cli::new(&server.url);
    let (a, a_ids) = cli.conversation(
        "One",
        &[
            user("Lisbon train times"),
            user("Lisbon tram map"),
            json!({"role": "assistant", "content": "the train times to Porto"}),
        ],
    );
    let (b, b_ids) = cli.conversation("Two", &[user("Lisboa is Lisbon in Portuguese")]);
    cli.ok(&["sync"]);
    let items = |args: &[&str]| -> Vec<String> {
        let mut got: Vec<String> = cli.hits(args).into_iter().filter_map(|(_, i)| i).collect();
        got.sort();
        got
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<String>>()
    };
    assert_eq!(
        items(&["\"train times\""]),
        sorted(vec![&a_ids[0], &a_ids[2]])
    );
    assert_eq!(
        items(&["lisb*"]),
        sorted(vec![&a_ids[0], &a_ids[1], &b_ids[0]])
    );
    assert_eq!(items(&["lisbon AND tram"]), [a_ids[1].clone()]);
    assert_eq!(
        items(&["tram OR portuguese"]),
        sorted(vec![&a_ids[1], &b_ids[0]])
    );
    assert_eq!(
        items(&["lisbon NOT train"]),
        sorted(vec![&a_ids[1], &b_ids[0]])
    );
    // Filters.
    assert_eq!(items(&["lisbon", "--conversation", &b]), [b_ids[0].clone()]);
    assert_eq!(items(&["train", "--role", "assistant"]), [a_ids[2].clone()]);
    assert_eq!(
        cli.hits(&["one", "--type", "conversation"]),
        [(a.clone(), None)]
    );
    assert!(cli.hits(&["lisbon", "--type", "function_call"]).is_empty());
    assert_eq!(cli.hits(&["lisbon", "--limit", "1"]).len(), 1);
    // bm25: the longer item, where "lisbon" is one word of five, ranks below the short ones.
    let ranked = cli.hits(&["lisbon"]);
    assert_eq!(ranked.len(), 3);
    assert_eq!(ranked[2], (b.clone(), Some(b_ids[0].clone())));
    // JSON hits carry everything the text form shows.
    let hit = &cli.json(&["search", "--json", "tram"])[0];
    assert_eq!(hit["title"], "One");
    assert_eq!(hit["type"], "message");
    assert_eq!(hit["role"], "user");
    assert_eq!(hit["snippet"], "Lisbon [tram] map");
    assert_eq!(hit["snippet_text"], "Lisbon tram map");
    assert_eq!(hit["matches"], json!([[7, 11]]));
    assert_eq!(hit["deleted"], false);
    // No hits: stdout stays empty, stderr says why when a filter explains it.
    for (args, why) in [
        (vec!["search", "zebra"], "nothing mirrored matches"),
        (
            vec!["search", "tram", "--type", "mesage"],
            "'mesage' is not an item type the API lists",
        ),
        (
            vec!["search", "tram", "--conversation", "conv_unknown"],
            "the mirror has nothing of conversation 'conv_unknown'",
        ),
    ] {
        let out = cli.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && out.stdout.is_empty(), "{args:?}");
        assert!(
            err.starts_with("no hits: ") && err.contains(why),
            "{args:?}: {err}"
        );
    }
    for args in [
        vec!["stats", "not-an-id"],
        vec!["search", "tram", "--conversation", "bogus"],
    ] {
        let out = cli.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a conversation id"));
    }
    // Queries FTS5 cannot parse: a clear error and status 2, never a crash.
    for bad in ["lisbon AND", "\"unclosed", "lisbon-porto", "(", "NOT", " "] {
        let out = cli.run(&["search", bad]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {err}");
        assert!(
            err.starts_with("error: cannot parse the search query"),
            "{bad:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // FTS5's words for ordinary text's mistakes are said in the query's terms.
    for (bad, said) in [
        ("lisbon-porto", "'porto' is read as a field name"),
        ("title:zanzibar", "'title' is read as a field name"),
        ("*", "a lone * is no word"),
    ] {
        let out = cli.run(&["search", bad]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{bad:?}: {err}");
    }
    // A query longer than a long phrase is refused before it runs.
    let long = "lisbon ".repeat(200);
    let out = cli.run(&["search", &long]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("too long (1400 bytes; at most 1024)"));
    // The parser quotes the query back; its control characters reach stderr as stand-ins.
    let out = cli.run(&["search", "evil\u{1b}]0;HACK\u{7}:x"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot parse the search query"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
}

#[test]
fn incremental_sync_sends_one_list_request_for_ten_new_items() {
    let server = serve();
    let proxy = Proxy::start_blocking(&server.url, Options::default());
    let cli = Cli::new(&proxy.url);
    let (conv, _) = cli.conversation("Long", &filler(150));
    let first = cli.json(&["sync"]);
    assert_eq!(first[0]["new"], 150);
    assert_eq!(first[0]["complete"], true);
    assert_eq!(proxy.lists(), 2, "150 items in pages of 100");

    let mut fresh = filler(9);
    fresh.push(user("a wombat appears"));
    let new_ids = cli.add_items(&conv, &fresh);
    let before = proxy.lists();
    let second = cli.json(&["sync"]);
    assert_eq!(proxy.lists() - before, 1, "one list request");
    assert_eq!(second[0]["list_requests"], 1);
    assert_eq!(second[0]["new"], 10);
    assert_eq!(
        cli.hits(&["wombat"]),
        [(conv.clone(), Some(new_ids[9].clone()))]
    );
    let stats = &cli.json(&["stats", &conv])[0];
    assert_eq!(stats["items"], 160);
    assert_eq!(stats["by_role"]["user"], 160);

    // Nothing new: still one request.
    let before = proxy.lists();
    let third = cli.json(&["sync", &conv]);
    assert_eq!(
        (proxy.lists() - before, third[0]["new"].as_u64()),
        (1, Some(0))
    );
}

#[test]
fn without_last_id_pages_are_mirrored_in_the_servers_order() {
    let server = serve();
    let proxy = Proxy::start_blocking(
        &server.url,
        Options {
            strip_last_id: true,
            ..Options::default()
        },
    );
    let (conv, ids) = Cli::new(&proxy.url).conversation("No cursor", &filler(35));
    // The mirror's order (oldest first) after `sync`, and after `items list --all`.
    for args in [
        vec!["sync", "--page-size", "10"],
        vec!["items", "list", &conv, "--all", "--limit", "10"],
    ] {
        let cli = Cli::new(&proxy.url);
        cli.ok(&["add", &conv]);
        let before = proxy.lists();
        cli.ok(&args);
        assert_eq!(
            proxy.lists() - before,
            4,
            "{args:?}: 35 items in pages of 10"
        );
        let mirrored: Vec<String> = convtui::mirror::Mirror::open_path(&cli.mirror_file())
            .unwrap()
            .items(&conv)
            .unwrap()
            .iter()
            .map(|i| i.raw["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(mirrored, ids, "{args:?}");
    }
}

#[test]
fn a_known_item_on_the_last_page_ends_the_sync_complete() {
    let server = serve();
    let cli = Cli::new(&server.url);
    let (conv, _) = cli.conversation("Short", &filler(7));
    // The newest item is mirrored; the first page of the sync holds it and all the others.
    cli.ok(&["items", "list", &conv, "--limit", "1"]);
    let report = &cli.json(&["sync"])[0];
    assert_eq!(
        (
            &report["new"],
            &report["received"],
            &report["list_requests"],
            &report["complete"]
        ),
        (&json!(6), &json!(7), &json!(1), &json!(true)),
        "{report}"
    );
    assert_eq!(cli.json(&["stats", &conv])[0]["items"], 7);
}

#[test]
fn an_interrupted_first_sync_is_continued_from_the_oldest_item() {
    let server = serve();
    let proxy = Proxy::start_blocking(&server.url, Options::default());
    let cli = Cli::new(&proxy.url);
    let (conv, ids) = cli.conversation("Long", &filler(30));
    // Reading the newest page only (as the TUI or `items list` does) mirrors ten items.
    cli.ok(&["items", "list", &conv, "--limit", "10"]);
    let report = &cli.json(&["sync", "--page-size", "10"])[0];
    assert_eq!(report["new"], 20);
    assert_eq!(report["complete"], true);
    // One page reaching the known newest items, then two after the oldest known one.
    assert_eq!(report["list_requests"], 3);
    assert_eq!(
        cli.hits(&["\"number 0\""]),
        [(conv.clone(), Some(ids[0].clone()))]
    );
}

#[test]
fn full_sync_marks_items_the_server_no_longer_has() {
    let server = serve();
    let cli = Cli::new(&server.url);
    let (conv, ids) = cli.conversation("Del", &[user("keep this"), user("platypus facts")]);
    cli.ok(&["sync"]);
    // Deleted behind convtui's back, straight through the API.
    let url = format!("{}/conversations/{conv}/items/{}", server.url, ids[1]);
    assert_eq!(common::delete_behind(&url), "200");
    let plain = cli.json(&["sync"]);
    assert_eq!(plain[0]["deleted"], 0, "an incremental sync cannot know");
    let full = cli.json(&["sync", "--full"]);
    assert_eq!(full[0]["deleted"], 1);
    let hit = &cli.json(&["search", "--json", "platypus"])[0];
    assert_eq!(hit["deleted"], true);
    assert!(cli
        .ok(&["search", "platypus"])
        .contains("deleted on the server"));
    let stats = &cli.json(&["stats", &conv])[0];
    assert_eq!(
        (stats["items"].as_u64(), stats["deleted"].as_u64()),
        (Some(1), Some(1))
    );
    // A conversation deleted on the server, behind convtui's back too, is reported as gone,
    // and its items are marked deleted with it (the one still live here).
    let url = format!("{}/conversations/{conv}", server.url);
    assert_eq!(common::delete_behind(&url), "200");
    let gone = cli.json(&["sync", &conv]);
    assert_eq!(gone[0]["gone"], true);
    assert_eq!(gone[0]["deleted"], 1, "the item still live in the mirror");
    let hit = &cli.json(&["search", "--json", "keep"])[0];
    assert_eq!(hit["deleted"], true, "{hit}");
    let stats = &cli.json(&["stats", &conv])[0];
    assert_eq!(
        (stats["items"].as_u64(), stats["deleted"].as_u64()),
        (Some(0), Some(2))
    );
    assert!(stats["conversation_deleted_at"].is_i64(), "{stats}");
    let out = cli.run(&["stats", &conv]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is deleted on the server"), "{err}");
}

#[test]
fn reading_records_into_a_private_mirror() {
    let server = serve();
    let cli = Cli::new(&server.url);
    let (conv, ids) = cli.conversation(
        "Read",
        &[
            user("echidna spotted"),
            user("hello \u{1b}]52;c;eA==\u{7} echidna"),
        ],
    );
    // No sync: `items list` alone records what it read.
    cli.ok(&["items", "list", &conv]);
    cli.ok(&["conversations", "get", &conv]);
    let file = cli.mirror_file();
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("local@http%3A%2F%2F127.0.0.1%3A"),
        "{name}"
    );
    let mut found: Vec<Option<String>> = cli.hits(&["echidna"]).into_iter().map(|h| h.1).collect();
    found.sort();
    let mut want = vec![Some(ids[0].clone()), Some(ids[1].clone())];
    want.sort();
    assert_eq!(found, want);
    // Server text never reaches the terminal raw.
    let text = cli.ok(&["search", "echidna"]);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("Read ("), "{text}");
    // The escape sequence is left out of the indexed text, as a terminal would not show it
    // (the item's detail shows it, as `␛`).
    let hits = cli.json(&["search", "--json", "hello"]);
    assert_eq!(hits[0]["snippet_text"], "hello echidna", "{hits:?}");
    // `items get` records too; `items delete` marks the item.
    cli.ok(&["items", "get", &conv, &ids[0]]);
    cli.ok(&["items", "delete", &conv, &ids[0]]);
    let hits = cli.json(&["search", "--json", "spotted"]);
    assert_eq!(hits[0]["deleted"], true);
}

#[test]
fn mirror_false_turns_it_off_and_clear_removes_it() {
    let server = serve();
    let cli = Cli::new(&server.url);
    let config = cli.dir.path().join("settings.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.off]\nbase_url = \"{0}\"\nmirror = false\n[profiles.on]\nbase_url = \"{0}\"\n",
            server.url
        ),
    )
    .unwrap();
    let run = |profile: &str, args: &[&str]| {
        cli.command()
            .args(["--config", config.to_str().unwrap(), "--profile", profile])
            .args(args)
            .output()
            .unwrap()
    };
    let (conv, _) = cli.conversation("Off", &[user("kookaburra")]);
    assert!(run("off", &["items", "list", &conv]).status.success());
    let off_file = String::from_utf8(run("off", &["mirror", "path"]).stdout).unwrap();
    assert!(off_file.contains("off@http"), "{off_file}");
    let mirror_dir = cli.dir.path().join("mirror");
    assert!(
        !mirror_dir.exists(),
        "nothing is written with mirror = false"
    );
    let sync = run("off", &["sync", &conv]);
    assert_eq!(sync.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&sync.stderr).contains("mirror = false"));
    assert_eq!(run("off", &["search", "kookaburra"]).status.code(), Some(1));

    // Two mirrors: one per profile and server.
    assert!(run("on", &["sync", &conv]).status.success());
    cli.ok(&["sync"]);
    let files = || {
        let names: Vec<PathBuf> = std::fs::read_dir(&mirror_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        for f in &names {
            assert_eq!(mode(f), 0o600, "{}", f.display());
        }
        names
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "sqlite3"))
            .count()
    };
    assert_eq!(files(), 2);
    let cleared: Value = serde_json::from_slice(&run("on", &["mirror", "clear"]).stdout).unwrap();
    assert_eq!(cleared["removed"].as_array().unwrap().len(), 1);
    assert_eq!(files(), 1);
    assert_eq!(
        cli.hits(&["kookaburra"]).len(),
        1,
        "the other mirror is untouched"
    );
    let all = cli.json(&["mirror", "clear", "--all"]);
    assert_eq!(all[0]["removed"].as_array().unwrap().len(), 1);
    assert_eq!(files(), 0);
    assert_eq!(cli.run(&["search", "kookaburra"]).status.code(), Some(1));
}

/// A process that opens the mirror again while its own writer has it open (the terminal UI
/// searching while it mirrors) must not drop the writer's locks: another process closing its
/// connection would then take itself for the last one and remove the write-ahead log.
#[test]
fn opening_the_mirror_again_keeps_the_writers_log() {
    let server = serve();
    let cli = Cli::new(&server.url);
    let (conv, _) = cli.conversation("Held", &[user("first words")]);
    cli.ok(&["sync"]);
    let path = cli.mirror_file();
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let writer =
        convtui::mirror::MirrorWriter::start(&path, convtui::mirror::Memory::SMALL).unwrap();
    let page = |id: &str, text: &str| {
        runtime
            .block_on(writer.record_page_wait(
                "conv_local",
                vec![json!({"type": "message", "id": id, "role": "user", "content": text})],
                convtui::api::Order::Desc,
                None,
                0,
            ))
            .unwrap();
        runtime.block_on(writer.flush()).unwrap();
    };
    page("msg_a", "written before");
    // What a search in the same process does, then another process that writes and closes.
    drop(convtui::mirror::Mirror::open_path(&path).unwrap());
    cli.ok(&["items", "list", &conv]);
    assert!(wal.exists(), "the log was removed under the open writer");
    page("msg_b", "zebraword written after");
    drop(writer);
    let hits = cli.hits(&["zebraword"]);
    assert_eq!(
        hits,
        [("conv_local".to_string(), Some("msg_b".to_string()))]
    );
}
