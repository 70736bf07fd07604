//! The real binary in a real terminal (tmux) against `convtui serve`.

mod common;

use common::call;

use common::tmux::{command_line, Served, Tmux};
use serde_json::{json, Value};

/// Creates a conversation with `n` messages, user and assistant in turn, and answers its id.
fn seed(base: &str, title: &str, n: usize) -> String {
    common::seed_with(base, title, n, |i| {
        let role = if i % 2 == 0 { "user" } else { "assistant" };
        json!({"role": role, "content": format!("note number {i}")})
    })
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
    tmux.wait_for("100 loaded · more", 20);
    // Scroll past the first page: the next pages load by themselves.
    tmux.keys(&[
        "j", "j", "PageDown", "PageDown", "PageDown", "PageDown", "PageDown", "PageDown",
    ]);
    tmux.wait_for("200 loaded", 20);
    // G goes to the very last item, loading what is left on the way.
    tmux.keys(&["G"]);
    tmux.wait_for("250 loaded · all", 20);
    tmux.wait_for("note number 0 ", 20);

    // Delete the selected item (the oldest, at the bottom), confirming.
    tmux.keys(&["d"]);
    let dialog = tmux.wait_for("Delete this item?", 20);
    let item = dialog
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| w.starts_with("msg_") && w.len() == 52)
        .unwrap_or_else(|| panic!("the dialog names the item:\n{dialog}"))
        .to_string();
    tmux.keys(&["y"]);
    tmux.wait_for(&format!("Deleted {item}"), 20);
    tmux.wait_for("249 loaded · all", 20);

    // The server no longer has it, and the backup does.
    let (status, _) = call(
        "GET",
        &format!("{base}/conversations/{conv}/items/{item}"),
        None,
    );
    assert_eq!(status, 404);
    let journal = convtui::backup::Journal::new(data.join("deleted.jsonl"));
    let record = journal.read().unwrap().0.pop().unwrap();
    assert_eq!(record.object["id"], item.as_str());
    assert_eq!(record.conversation_id, conv.as_str());
    assert_eq!(record.object["content"][0]["text"], "note number 0");
    assert_eq!(record.status, convtui::backup::Status::Done);

    tmux.keys(&["q"]);
    tmux.wait_exit(20);
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
    tmux.wait_for("3 loaded · all", 20);
    // The conversation disappears on the server before the delete.
    call("DELETE", &format!("{base}/conversations/{conv}"), None);
    tmux.keys(&["d"]);
    tmux.wait_for("Delete this item?", 20);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("HTTP 404", 20);
    assert!(screen.contains("3 loaded"), "the item stays:\n{screen}");
    // The status line has one row; the message log has all of it.
    tmux.keys(&["m"]);
    let screen = tmux.wait_for("not found", 20);
    assert!(screen.contains("HTTP 404"), "{screen}");
    tmux.keys(&["C-c"]);
    tmux.wait_exit(20);
}

/// The conversation's metadata, straight from the server.
fn metadata_of(base: &str, conv: &str) -> Value {
    call("GET", &format!("{base}/conversations/{conv}"), None).1["metadata"].clone()
}

#[test]
fn edit_metadata_save_and_reload() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    let conv = seed(&base, "Editable", 1);
    let data = dir.path().join("data").display().to_string();
    let line = command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base]);
    let tmux = Tmux::start("edit", 120, 40, &line);
    tmux.wait_for("Editable", 20);
    tmux.keys(&["e"]);
    tmux.wait_for("1/16 keys", 20);
    tmux.keys(&["End", "Enter"]);
    tmux.type_text(r"note = a = b\nline two");
    tmux.wait_for("2/16 keys", 20);
    tmux.keys(&["C-s"]);
    tmux.wait_for("1 added · 0 changed · 0 removed", 20);
    tmux.keys(&["y"]);
    tmux.wait_for("Saved. The server has 2 keys.", 20);
    assert_eq!(
        metadata_of(&base, &conv),
        json!({"title": "Editable", "note": "a = b\nline two"})
    );
    // Reload everything and open the editor again: the same text.
    tmux.keys(&["Escape"]);
    // Alone, so that the terminal does not read Escape and R as alt-R.
    std::thread::sleep(std::time::Duration::from_millis(300));
    tmux.keys(&["R"]);
    tmux.wait_for("note=a = b", 20);
    tmux.keys(&["e"]);
    let screen = tmux.wait_for("2/16 keys", 20);
    assert!(screen.contains(r"note = a = b\nline two"), "{screen}");

    // A 17th key is refused before anything is sent.
    let extra: Vec<String> = (0..15).map(|i| format!("k{i:02} = v")).collect();
    tmux.keys(&["End"]);
    for line in &extra {
        tmux.keys(&["Enter"]);
        tmux.type_text(line);
    }
    tmux.wait_for("17/16 keys", 20);
    tmux.keys(&["C-s"]);
    tmux.wait_for("nothing was sent", 20);
    tmux.wait_for("at most 16", 20);
    assert_eq!(metadata_of(&base, &conv).as_object().unwrap().len(), 2);
    tmux.keys(&["C-c"]);
    tmux.wait_exit(20);
}

#[test]
fn a_failed_save_keeps_the_text_and_a_killed_session_offers_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    let conv = seed(&base, "Doomed", 1);
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let line = command_line(&[("CONVTUI_DATA_DIR", &data_s)], &["--base-url", &base]);
    let tmux = Tmux::start("savefail", 100, 30, &line);
    tmux.wait_for("Doomed", 20);
    tmux.keys(&["e"]);
    tmux.wait_for("1/16 keys", 20);
    tmux.keys(&["End", "Enter"]);
    tmux.type_text("keep = every word");
    tmux.wait_for("2/16 keys", 20);
    // The conversation goes away on the server before the save.
    call("DELETE", &format!("{base}/conversations/{conv}"), None);
    tmux.keys(&["C-s"]);
    tmux.wait_for("Save these changes?", 20);
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("Not saved", 20);
    assert!(screen.contains("HTTP 404"), "{screen}");
    assert!(screen.contains("keep = every word"), "{screen}");
    let draft = data
        .join("drafts")
        .join("local")
        .join(format!("{conv}.txt"));
    // Drafts are written in the background, in order: wait for the last one.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut text = String::new();
    while !text.contains("keep = every word") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
        text = std::fs::read_to_string(&draft).unwrap_or_default();
    }
    assert!(text.contains("keep = every word"), "{text}");

    // Killed mid-edit: the next session offers the draft back.
    drop(tmux);
    let conv2 = seed(&base, "Second", 0);
    let tmux = Tmux::start("draft1", 100, 30, &line);
    tmux.wait_for("Second", 20);
    tmux.keys(&["e"]);
    tmux.wait_for("1/16 keys", 20);
    tmux.keys(&["End", "Enter"]);
    tmux.type_text("unsaved = typed before the kill");
    tmux.wait_for("2/16 keys", 20);
    let draft2 = data
        .join("drafts")
        .join("local")
        .join(format!("{conv2}.txt"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !std::fs::read_to_string(&draft2).is_ok_and(|t| t.contains("the kill")) {
        assert!(std::time::Instant::now() < deadline, "the draft is written");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    drop(tmux); // kills the tmux server and the program in it
    let tmux = Tmux::start("draft2", 100, 30, &line);
    tmux.wait_for("Second", 20);
    tmux.keys(&["e"]);
    tmux.wait_for("Restore the draft?", 20);
    tmux.keys(&["y"]);
    tmux.wait_for("unsaved = typed before the kill", 20);
    tmux.keys(&["C-c"]);
    tmux.wait_exit(20);
}

#[test]
fn create_a_conversation_add_a_message_and_see_it() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let line = command_line(&[("CONVTUI_DATA_DIR", &data_s)], &["--base-url", &base]);
    let tmux = Tmux::start("create", 120, 40, &line);
    tmux.wait_for("Conversations", 20);
    tmux.keys(&["n"]);
    tmux.wait_for("New conversation", 20);
    tmux.type_text("title = Made in the terminal");
    tmux.keys(&["Tab"]);
    tmux.type_text("first words");
    tmux.keys(&["C-s"]);
    tmux.wait_for("Create this conversation?", 20);
    tmux.keys(&["y"]);
    tmux.wait_for("1 loaded · all", 20);
    tmux.wait_for("first words", 20);
    tmux.wait_for("Created conv_", 20);
    // The new conversation joined the registry.
    // The registry is written in the background: wait for it.
    let registry_path = convtui::registry::path_for(&data, "local", Some(&base));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !registry_path.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let registry: Value =
        serde_json::from_str(&std::fs::read_to_string(&registry_path).unwrap()).unwrap();
    let id = registry["conversations"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        metadata_of(&base, &id),
        json!({"title": "Made in the terminal"})
    );

    // Add an assistant message.
    tmux.keys(&["a"]);
    tmux.wait_for("role:", 20);
    tmux.keys(&["Tab"]);
    tmux.type_text("a reply from the terminal");
    tmux.keys(&["C-s"]);
    tmux.wait_for("Added 1 item", 20);
    tmux.wait_for("2 loaded · all", 20);
    tmux.wait_for("a reply from the terminal", 20);
    let (_, items) = call(
        "GET",
        &format!("{base}/conversations/{id}/items?order=asc"),
        None,
    );
    assert_eq!(items["data"][1]["role"], "assistant");
    tmux.keys(&["C-c"]);
    tmux.wait_exit(20);
}

#[test]
fn external_editor_edits_json_and_a_failing_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    let conv = seed(&base, "Outside", 0);
    let data = dir.path().join("data").display().to_string();
    let failing = command_line(
        &[("CONVTUI_DATA_DIR", &data), ("VISUAL", "false")],
        &["--base-url", &base],
    );
    let tmux = Tmux::start("extfail", 100, 30, &failing);
    tmux.wait_for("Outside", 20);
    tmux.keys(&["E"]);
    tmux.wait_for("nothing changed", 20);
    drop(tmux);
    assert_eq!(metadata_of(&base, &conv), json!({"title": "Outside"}));

    let sed = command_line(
        &[
            ("CONVTUI_DATA_DIR", &data),
            ("VISUAL", "sed -i s/Outside/Inside/"),
        ],
        &["--base-url", &base],
    );
    let tmux = Tmux::start("ext", 100, 30, &sed);
    tmux.wait_for("Outside", 20);
    tmux.keys(&["E"]);
    tmux.wait_for("Save these changes?", 20);
    tmux.wait_for("~ title: Outside → Inside", 20);
    tmux.keys(&["y"]);
    tmux.wait_for("Saved.", 20);
    assert_eq!(metadata_of(&base, &conv), json!({"title": "Inside"}));
    tmux.keys(&["C-c"]);
    tmux.wait_exit(20);
}

#[test]
fn deleting_a_conversation_backs_up_all_of_its_items() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    let conv = seed(&base, "Doomed", 130);
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let tmux = Tmux::start(
        "delconv",
        100,
        30,
        &command_line(&[("CONVTUI_DATA_DIR", &data_s)], &["--base-url", &base]),
    );
    tmux.wait_for("Doomed", 20);
    tmux.keys(&["d"]);
    let screen = tmux.wait_for("Delete this conversation?", 20);
    assert!(screen.contains("Doomed"), "the dialog names it:\n{screen}");
    tmux.keys(&["y"]);
    tmux.wait_for("Deleted conversation", 20);
    let (status, _) = call("GET", &format!("{base}/conversations/{conv}"), None);
    assert_eq!(status, 404);
    let journal = convtui::backup::Journal::new(data.join("deleted.jsonl"));
    let record = journal.read().unwrap().0.pop().unwrap();
    assert_eq!(record.kind, convtui::backup::Kind::Conversation);
    assert_eq!(record.object["metadata"]["title"], "Doomed");
    assert_eq!(record.status, convtui::backup::Status::Done);
    let convtui::backup::Items::File { path, .. } = &record.items else {
        panic!("{:?}", record.items)
    };
    let items: Vec<Value> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(items.len(), 130, "every item, not just a loaded page");
    assert_eq!(items[0]["content"][0]["text"], "note number 0");
    tmux.keys(&["q"]);
    tmux.wait_exit(20);
}

#[test]
fn an_item_already_deleted_elsewhere_leaves_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    let conv = seed(&base, "Stale", 3);
    let data = dir.path().join("data").display().to_string();
    let tmux = Tmux::start(
        "stale",
        100,
        30,
        &command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base]),
    );
    tmux.wait_for("Stale", 20);
    tmux.keys(&["Enter"]);
    tmux.wait_for("3 loaded · all", 20);
    // The newest item (selected) goes away behind the UI's back.
    let (_, page) = call(
        "GET",
        &format!("{base}/conversations/{conv}/items?limit=1"),
        None,
    );
    let newest = page["data"][0]["id"].as_str().unwrap().to_string();
    call(
        "DELETE",
        &format!("{base}/conversations/{conv}/items/{newest}"),
        None,
    );
    tmux.keys(&["d"]);
    tmux.wait_for("Delete this item?", 20);
    tmux.keys(&["y"]);
    tmux.wait_for(&format!("Deleted {newest}"), 20);
    tmux.wait_for("2 loaded · all", 20);
    tmux.keys(&["q"]);
    tmux.wait_exit(20);
}

#[test]
fn sigterm_gives_the_terminal_back() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    seed(&base, "Signals", 1);
    let data = dir.path().join("data").display().to_string();
    let line = command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base]);
    // The shell prints the exit status once the program is gone.
    let tmux = Tmux::start(
        "sigterm",
        100,
        30,
        &format!("{line}; echo EXIT=$?; sleep 30"),
    );
    tmux.wait_for("Signals", 20);
    // The program itself (not the shell around it): argv[0] is the binary, with our URL.
    let mut killed = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args.first().map(String::as_str) == Some(env!("CARGO_BIN_EXE_convtui"))
            && args.iter().any(|a| a == &base)
            && !args.iter().any(|a| a == "serve")
        {
            let pid = entry.file_name().to_string_lossy().into_owned();
            std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap();
            killed += 1;
        }
    }
    assert_eq!(killed, 1, "found the program");
    let screen = tmux.wait_for("EXIT=143", 20);
    assert!(
        !screen.contains("Conversations ("),
        "the alternate screen is gone:\n{screen}"
    );
}
