//! The real binary under tmux: ctrl-p switches to another profile of the settings while
//! running (a new client, list and header), a read-only profile refuses a delete at the key,
//! the built-in local profile comes with the demo, and one that cannot open is passed over.

mod common;

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
        res.json().await.unwrap_or(Value::Null)
    })
}

#[test]
fn ctrl_p_switches_profile_and_read_only_refuses_a_delete() {
    let dir = tempfile::tempdir().unwrap();
    let lab = Served::start(&dir.path().join("lab.sqlite3"));
    let prod = Served::start(&dir.path().join("prod.sqlite3"));
    call(
        "POST",
        &format!("{}/conversations", lab.base_url),
        json!({"metadata": {"title": "Only in the lab"}}),
    );
    let c = call(
        "POST",
        &format!("{}/conversations", prod.base_url),
        json!({"metadata": {"title": "Only in production"}}),
    );
    let prod_id = c["id"].as_str().unwrap().to_string();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.lab]\nbase_url = \"{}\"\nlabel = \"LAB\"\naccent = \"green\"\n\n[profiles.prod]\nbase_url = \"{}\"\nlabel = \"PROD\"\naccent = \"red\"\nread_only = true\n",
            lab.base_url, prod.base_url
        ),
    )
    .unwrap();
    let data = dir.path().join("data").display().to_string();
    let line = command_line(
        &[("CONVTUI_DATA_DIR", &data), ("OPENAI_API_KEY", "")],
        &["--config", config.to_str().unwrap(), "--profile", "prod"],
    );
    let tmux = Tmux::start("profiles", 110, 30, &line);
    let first = tmux.wait_for("Only in production", 20);
    let header = first.lines().next().unwrap();
    assert!(header.contains("profile prod  PROD  read-only"), "{first}");
    assert!(header.contains(&prod.base_url), "{first}");

    // A delete on the read-only profile is refused at the key, before any confirm; the
    // conversation stays.
    tmux.keys(&["d"]);
    let refused = tmux.wait_for("read-only mode: refused to delete a conversation", 20);
    assert!(!refused.contains("Delete this conversation?"), "{refused}");
    let still = call(
        "GET",
        &format!("{}/conversations/{prod_id}", prod.base_url),
        Value::Null,
    );
    assert_eq!(still["id"], json!(prod_id));

    // The profiles in the settings' order are lab, local, openai, prod: the next is lab.
    tmux.keys(&["C-p"]);
    let second = tmux.wait_for("Only in the lab", 20);
    let header = second.lines().next().unwrap();
    assert!(header.contains("profile lab  LAB"), "{second}");
    assert!(!header.contains("read-only"), "{second}");
    assert!(!second.contains("Only in production"), "{second}");
    // Nothing is left in flight: the spinner stops.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let last = tmux.screen();
    assert!(!"⠋⠙⠹⠸⠼⠴⠦⠧".chars().any(|c| last.contains(c)), "{last}");

    // The built-in local profile starts its embedded server with the demo, as at start-up.
    tmux.keys(&["C-p"]);
    let local = tmux.wait_for("Q3 sales", 30);
    assert!(
        local.lines().next().unwrap().contains("profile local"),
        "{local}"
    );
    // openai has no key here: the switch fails with its reason, and the next ctrl-p goes
    // past it, to prod.
    tmux.keys(&["C-p"]);
    let failed = tmux.wait_for("cannot switch profile", 20);
    assert!(failed.contains("no API key"), "{failed}");
    assert!(
        failed.lines().next().unwrap().contains("profile local"),
        "{failed}"
    );
    tmux.keys(&["C-p"]);
    let prod_again = tmux.wait_for("Only in production", 20);
    assert!(
        prod_again.lines().next().unwrap().contains("profile prod"),
        "{prod_again}"
    );
    tmux.keys(&["q"]);
    tmux.wait_exit(10);
}
