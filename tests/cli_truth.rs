//! The binary tells the truth: exit statuses, whole error messages, hints, where keys go, and
//! one id list per profile and server.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

mod common;

use common::serve::BIN;

/// `convtui serve --memory` on a free port; killed on drop.
struct Serve {
    child: std::process::Child,
    url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(extra: &[&str], env: &[(&str, &str)]) -> (Serve, std::process::ChildStderr) {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--memory"])
        .args(extra)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://"), "{line}");
    let stderr = child.stderr.take().unwrap();
    (Serve { child, url }, stderr)
}

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run_env(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        common::cli::command_in(self.dir.path())
            .envs(env.iter().copied())
            .args(args)
            .output()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_env(&[], args)
    }

    fn config(&self, text: &str) -> String {
        let path = self.dir.path().join("settings.toml");
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_lines(out: &Output) -> Vec<Value> {
    assert!(out.status.success(), "{:?}: {}", out.status, stderr(out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn http_server(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

#[test]
fn problems_found_before_sending_exit_2_and_api_errors_exit_1() {
    let (server, _err) = serve(&[], &[]);
    let cli = Cli::new();
    let url = server.url.as_str();
    let many: Vec<String> = (0..17).map(|i| format!("k{i}=v")).collect();
    let mut seventeen = vec!["--base-url", url, "conversations", "create"];
    for pair in &many {
        seventeen.extend(["--metadata", pair.as_str()]);
    }
    let long = format!("k={}", "v".repeat(513));
    let bad_config = cli.config("[profiles.x]\ntimeout_s = \"soon\"\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--base-url",
                url,
                "conversations",
                "create",
                "--metadata",
                "novalue",
            ],
            "expected KEY=VALUE",
        ),
        (seventeen, "too many properties"),
        (
            vec![
                "--base-url",
                url,
                "conversations",
                "create",
                "--metadata",
                &long,
            ],
            "string too long",
        ),
        (
            vec![
                "--base-url",
                url,
                "conversations",
                "create",
                "--metadata",
                "a=1",
                "--metadata",
                "a=2",
            ],
            "duplicate key 'a'",
        ),
        (
            vec!["--base-url", "not a url", "conversations", "get", "conv_1"],
            "invalid base URL",
        ),
        (
            vec!["--config", &bad_config, "conversations", "get", "conv_1"],
            "profiles.x.timeout_s",
        ),
    ];
    for (args, says) in &cases {
        let out = cli.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    // Nothing was created by any of them.
    let listed = json_lines(&cli.run(&["--base-url", url, "conversations", "create"]));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let page: Value = rt.block_on(async {
        reqwest::get(format!("{url}/conversations?limit=100"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(page["data"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["data"][0]["id"], listed[0]["id"]);
    // The API's own refusal is exit status 1.
    let out = cli.run(&["--base-url", url, "conversations", "get", "conv_nope"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("HTTP 404"), "{}", stderr(&out));
}

#[test]
fn the_whole_api_message_is_printed_and_a_missing_v1_is_pointed_out() {
    let values: Vec<String> = (0..40).map(|i| format!("'choice_{i}'")).collect();
    let message = format!(
        "Invalid value: 'x'. Supported values are: {}.",
        values.join(", ")
    );
    assert!(message.len() > 400);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let body = json!({"error": {"message": message, "type": "invalid_request_error",
        "param": "items[0]", "code": "invalid_value"}});
    let url = rt.block_on(http_server(Router::new().route(
        "/v1/conversations/conv_1",
        get(move || {
            let body = body.clone();
            async move { (StatusCode::BAD_REQUEST, Json(body)) }
        }),
    )));
    let cli = Cli::new();
    let out = cli.run(&["--base-url", &url, "conversations", "get", "conv_1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&message), "{err}");
    assert!(!err.contains('…'), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    let (server, _e) = serve(&[], &[]);
    let root = server.url.trim_end_matches("/v1").to_string();
    let out = cli.run(&["--base-url", &root, "conversations", "get", "conv_1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&format!("(did you mean {root}/v1?)")), "{err}");
    // With /v1 a plain 404 gets no such hint.
    let out = cli.run(&["--base-url", &server.url, "conversations", "get", "conv_1"]);
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
}

#[test]
fn with_no_key_for_openai_nothing_is_sent_and_the_variable_is_named() {
    let cli = Cli::new();
    let out = cli.run(&["--profile", "openai", "conversations", "get", "conv_1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("set OPENAI_API_KEY"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    let cfg = cli.config("[profiles.far]\nbase_url = \"http://far.invalid/v1\"\n");
    let out = cli.run_env(
        &[("OPENAI_API_KEY", "sk-not-for-far")],
        &[
            "--config",
            &cfg,
            "--profile",
            "far",
            "conversations",
            "get",
            "conv_1",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("api_key_env") && err.contains("[profiles.far]"),
        "{err}"
    );
    assert!(!err.contains("sk-not-for-far"), "{err}");
}

#[test]
fn openai_api_key_is_not_sent_to_other_servers() {
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let record = seen.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(http_server(Router::new().route(
        "/v1/conversations/conv_1",
        get(move |headers: HeaderMap| {
            let record = record.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(String::from);
                record.lock().unwrap().push(auth);
                Json(json!({"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}}))
            }
        }),
    )));
    let cli = Cli::new();
    let key = [("OPENAI_API_KEY", "sk-only-for-openai")];
    let cfg = cli.config(&format!("[profiles.plain]\nbase_url = \"{url}\"\n"));
    for args in [
        vec![
            "--profile",
            "local",
            "--base-url",
            &url,
            "conversations",
            "get",
            "conv_1",
        ],
        vec![
            "--config",
            &cfg,
            "--profile",
            "plain",
            "conversations",
            "get",
            "conv_1",
        ],
        vec!["--base-url", &url, "conversations", "get", "conv_1"],
    ] {
        let out = cli.run_env(&key, &args);
        assert_eq!(json_lines(&out)[0]["id"], "conv_1", "{args:?}");
    }
    assert_eq!(*seen.lock().unwrap(), vec![None, None, None]);
    // A profile that names the variable itself does send it.
    let cfg = cli.config(&format!(
        "[profiles.mine]\nbase_url = \"{url}\"\napi_key_env = \"OPENAI_API_KEY\"\n"
    ));
    let out = cli.run_env(
        &key,
        &[
            "--config",
            &cfg,
            "--profile",
            "mine",
            "conversations",
            "get",
            "conv_1",
        ],
    );
    json_lines(&out);
    assert_eq!(
        seen.lock().unwrap().last().cloned().flatten().as_deref(),
        Some("Bearer sk-only-for-openai")
    );
}

#[test]
fn the_id_list_belongs_to_the_profile_and_the_server() {
    let cli = Cli::new();
    let registry = |out: &Output| -> (String, u64) {
        let v = &json_lines(out)[0];
        (
            v["registry"].as_str().unwrap().to_string(),
            v["total"].as_u64().unwrap(),
        )
    };
    // A list from an older version, keyed by the profile alone, is still read.
    let dir = cli.dir.path().join("registry");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("local.json"),
        r#"{"conversations":[{"id":"conv_old","added_at":1}]}"#,
    )
    .unwrap();
    let (home, total) = registry(&cli.run(&["add", "conv_a"]));
    assert_eq!(total, 2, "the old list was kept");
    // Elsewhere, a list of its own: the first server's ids are not shown there.
    let (far, total) =
        registry(&cli.run(&["--base-url", "http://127.0.0.1:1/v1", "add", "conv_b"]));
    assert_eq!(total, 1);
    assert_ne!(home, far);
    let (again, total) = registry(&cli.run(&["add", "conv_c"]));
    assert_eq!((again.as_str(), total), (home.as_str(), 3));
    // Profiles whose names differ only in punctuation never share a file.
    let cfg = cli.config(
        "[profiles.\"a.b\"]\nbase_url = \"http://127.0.0.1:2/v1\"\n[profiles.a_b]\nbase_url = \"http://127.0.0.1:2/v1\"\n",
    );
    let (dot, _) = registry(&cli.run(&["--config", &cfg, "--profile", "a.b", "add", "conv_d"]));
    let (under, total) =
        registry(&cli.run(&["--config", &cfg, "--profile", "a_b", "add", "conv_e"]));
    assert_ne!(dot, under);
    assert_eq!(total, 1);
}

#[test]
fn a_serve_key_on_the_command_line_is_warned_about() {
    let (server, mut err) = serve(&["--api-key", "k-argv-1234"], &[]);
    drop(server);
    let mut text = String::new();
    err.read_to_string(&mut text).unwrap();
    assert!(
        text.contains("warning: --api-key on the command line"),
        "{text}"
    );
    assert!(text.contains("CONVTUI_SERVE_API_KEY"), "{text}");
    assert!(!text.contains("k-argv-1234"), "{text}");
    let (server, mut err) = serve(&[], &[("CONVTUI_SERVE_API_KEY", "k-env-1234")]);
    drop(server);
    let mut text = String::new();
    err.read_to_string(&mut text).unwrap();
    assert!(!text.contains("warning"), "{text}");
    let help = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("Prefer the environment variable"));
}
