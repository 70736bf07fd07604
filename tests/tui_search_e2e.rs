//! Search and offline reading in the real binary, in a real terminal (tmux), against
//! `convtui serve`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use common::tmux::{command_line, Tmux};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_convtui");

/// `convtui serve` on a fixed port, so that it can be stopped and started again at the same
/// base URL (the mirror is kept per base URL).
struct Server {
    child: Child,
}

impl Server {
    fn start(db: &Path, port: u16) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--db"])
            .arg(db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.contains("listening on"),
            "unexpected ready line {line:?}"
        );
        Server { child }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The CLI and the TUI with one data directory and config.
struct Env {
    dir: tempfile::TempDir,
    url: String,
}

impl Env {
    fn new(port: u16) -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
            url: format!("http://127.0.0.1:{port}/v1"),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("server.sqlite3")
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn config(&self) -> String {
        self.dir.path().join("config").display().to_string()
    }

    fn run(&self, args: &[&str]) -> Output {
        common::cli::command(Path::new(&self.data()), Path::new(&self.config()))
            .args(["--base-url", &self.url])
            .args(args)
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Vec<Value> {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// A registered conversation with these items; its id and the item ids, oldest first.
    fn conversation(&self, title: &str, items: &[Value]) -> (String, Vec<String>) {
        let conv = self.json(&[
            "conversations",
            "create",
            "--metadata",
            &format!("title={title}"),
        ]);
        let id = conv[0]["id"].as_str().unwrap().to_string();
        let file = self.dir.path().join("items.json");
        std::fs::write(&file, serde_json::to_string(items).unwrap()).unwrap();
        let ids = self
            .json(&["items", "create", &id, "--file", file.to_str().unwrap()])
            .iter()
            .flat_map(|page| page["data"].as_array().unwrap().clone())
            .map(|item| item["id"].as_str().unwrap().to_string())
            .collect();
        self.json(&["add", &id]);
        (id, ids)
    }

    fn tui(&self, name: &str) -> Tmux {
        Tmux::start(
            name,
            120,
            40,
            &command_line(
                &[
                    ("CONVTUI_DATA_DIR", &self.data()),
                    ("XDG_CONFIG_HOME", &self.config()),
                ],
                &["--base-url", &self.url],
            ),
        )
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

#[test]
fn search_opens_the_right_conversation_with_the_item_selected() {
    let port = free_port();
    let env = Env::new(port);
    let server = Server::start(&env.db(), port);
    // The word is in the oldest item, behind a page of newer ones.
    let mut a = vec![user("Which train leaves Lisbon first?")];
    a.extend(filler(150));
    let (conv_a, _) = env.conversation("Trip", &a);
    let mut b = filler(130);
    b.push(user("How many quokka live on Rottnest?"));
    b.extend(filler(120));
    let (conv_b, b_ids) = env.conversation("Animals", &b);
    let mut c = filler(5);
    c.push(user("Run zanzibar-setup then reboot"));
    let (conv_c, _) = env.conversation("Ops", &c);
    let synced = env.json(&["sync"]);
    assert_eq!(synced.len(), 3);

    let tmux = env.tui("search");
    tmux.wait_for("Animals", 20);
    tmux.keys(&["S"]);
    tmux.wait_for("Search the mirror", 20);
    tmux.type_text("quokka");
    tmux.keys(&["Enter"]);
    let results = tmux.wait_for("1 hit", 20);
    assert!(
        results.contains("How many quokka live on Rottnest?"),
        "{results}"
    );
    assert!(!results.contains(&conv_a) && !results.contains(&conv_c));
    tmux.keys(&["Enter"]);
    let found = tmux.wait_for("Found; the match is marked", 20);
    // The item is 121st from the newest: a second page had to load for it.
    assert!(found.contains(&format!("Items · {conv_b}")), "{found}");
    assert!(
        found.contains(&b_ids[130]),
        "the detail shows the item: {found}"
    );
    assert!(found.contains("200 loaded"), "{found}");
    let selected = found
        .lines()
        .find(|l| l.contains("┃▌"))
        .unwrap_or_default()
        .to_string();
    assert!(
        selected.contains("How many quokka"),
        "the selected row: {found}"
    );

    // `S` again opens the prompt on the last query: a new query typed goes to it, and Enter
    // searches rather than opening the old hit.
    tmux.keys(&["S"]);
    tmux.wait_for("search: quokka", 20);
    tmux.keys(&["C-u"]);
    tmux.type_text("zanzibar");
    tmux.keys(&["Enter"]);
    let other = tmux.wait_for("Run zanzibar-setup", 20);
    assert!(other.contains("Search · zanzibar"), "{other}");
    assert!(!other.contains("How many quokka"), "{other}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("Enter open", 20);

    // A query the index cannot parse gets its error in the pane; the TUI goes on.
    tmux.keys(&[":"]);
    tmux.type_text("search \"lisbon");
    tmux.keys(&["Enter"]);
    tmux.wait_for("cannot parse the search query", 20);
    // Esc and q in one read would be alt-q: the pane is closed first.
    tmux.keys(&["Escape"]);
    tmux.wait_for("Enter open", 20);
    tmux.keys(&["q"]);
    tmux.wait_exit(20);
    server.stop();
}

#[test]
fn offline_the_mirror_is_read_only_and_live_data_returns_with_gone_items_marked() {
    let port = free_port();
    let env = Env::new(port);
    let server = Server::start(&env.db(), port);
    let items = vec![
        user("first keepsake note"),
        user("second note, deleted later"),
        user("third note"),
    ];
    let (conv, ids) = env.conversation("Notebook", &items);
    assert_eq!(env.json(&["sync"]).len(), 1);
    // Another client deletes an item after the copy was made; the mirror does not know.
    let url = format!("{}/conversations/{conv}/items/{}", env.url, ids[1]);
    assert_eq!(common::delete_behind(&url), "200");
    server.stop();

    let tmux = env.tui("offline");
    tmux.wait_for("The server cannot be reached", 30);
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("offline · copy from just now", 20);
    assert!(screen.contains("Notebook"), "{screen}");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("third note", 20);
    assert!(
        screen.contains("second note, deleted later"),
        "the copy has it: {screen}"
    );
    assert!(!screen.contains("[gone on the server]"));
    tmux.keys(&["d"]);
    let refused = tmux.wait_for("Read-only (offline", 20);
    assert!(!refused.contains("Delete this item?"), "{refused}");
    // Search works offline too: it is the mirror's.
    tmux.keys(&["S"]);
    tmux.type_text("keepsake");
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 hit", 20);
    tmux.keys(&["Enter"]);
    let found = tmux.wait_for("Found; the match is marked", 20);
    assert!(
        found.contains(&ids[0]),
        "the detail shows the item: {found}"
    );

    let server = Server::start(&env.db(), port);
    tmux.keys(&["R"]);
    let screen = tmux.wait_for("gone on the server (marked)", 30);
    assert!(!screen.contains("offline · copy"), "live again: {screen}");
    let gone_row = screen
        .lines()
        .find(|l| l.contains("second note, deleted later"))
        .unwrap_or_default()
        .to_string();
    assert!(gone_row.contains("[gone on the server]"), "{screen}");
    let live_row = screen
        .lines()
        .find(|l| l.contains("third note"))
        .unwrap_or_default()
        .to_string();
    assert!(!live_row.contains("[gone on the server]"), "{screen}");
    // Live again, a delete is asked for, not refused.
    tmux.keys(&["g", "d"]);
    tmux.wait_for("Delete this item?", 20);
    tmux.keys(&["n"]);
    tmux.keys(&["q"]);
    tmux.wait_exit(20);
    server.stop();
}
