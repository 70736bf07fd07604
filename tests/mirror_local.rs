//! The commands that read the mirror only (`search`, `stats`, `mirror path`) need nothing of
//! the server's credentials: the real binary, with a mirror filled by `convtui sync` from
//! `convtui serve`.

use std::path::Path;
use std::process::Output;

mod common;

use common::serve::serve;

fn convtui(home: &Path, config: &Path, args: &[&str]) -> Output {
    common::cli::command(&home.join("data"), &home.join("config"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn reading_the_mirror_runs_no_key_command() {
    let server = serve();
    let home = tempfile::tempdir().unwrap();
    let marker = home.path().join("key-command-ran");
    let config = home.path().join("settings.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.keyed]\nbase_url = \"{}\"\napi_key_command = \"touch '{}' && echo sk-test\"\n",
            server.url,
            marker.display()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--profile", "keyed"];
        all.extend_from_slice(args);
        convtui(home.path(), &config, &all)
    };
    let conv: serde_json::Value =
        serde_json::from_str(&ok(run(&["conversations", "create"]))).unwrap();
    let conv = conv["id"].as_str().unwrap().to_string();
    let items = home.path().join("items.json");
    std::fs::write(
        &items,
        r#"[{"role": "user", "content": "the quokka smiles"}]"#,
    )
    .unwrap();
    ok(run(&[
        "items",
        "create",
        &conv,
        "--file",
        items.to_str().unwrap(),
    ]));
    ok(run(&["sync", &conv]));
    assert!(marker.exists(), "requests to the server use the key");

    std::fs::remove_file(&marker).unwrap();
    let hits = ok(run(&["search", "quokka", "--json"]));
    assert_eq!(hits.lines().count(), 1, "{hits}");
    let hit: serde_json::Value = serde_json::from_str(hits.trim()).unwrap();
    assert_eq!(hit["conversation"], conv.as_str());
    let stats: serde_json::Value = serde_json::from_str(&ok(run(&["stats", &conv]))).unwrap();
    assert!(stats.is_object(), "{stats}");
    assert!(ok(run(&["mirror", "path"])).contains("keyed@"));
    assert!(
        !marker.exists(),
        "search, stats and mirror path ran api_key_command"
    );
}

#[test]
fn searching_an_openai_profile_needs_no_key() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("settings.toml");
    std::fs::write(&config, "default_profile = \"openai\"\n").unwrap();
    // Nothing mirrored yet: the answer is about the mirror, not about a missing key.
    let out = convtui(home.path(), &config, &["search", "lisbon"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing is mirrored yet"), "{stderr}");
    assert!(!stderr.contains("API key"), "{stderr}");
    let path = ok(convtui(home.path(), &config, &["mirror", "path"]));
    assert!(path.contains("openai@"), "{path}");
    // A request still needs one.
    let out = convtui(home.path(), &config, &["sync", "conv_1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("API key"));
}
