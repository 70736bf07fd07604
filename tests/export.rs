//! `convtui export` against `convtui serve`: every page is fetched, and what is written is
//! what the API lists.

use std::process::Output;

use convtui::api::{Client, ClientSettings, ListParams, Order, PageEvent};
use futures::StreamExt;
use serde_json::{json, Value};

mod common;

use common::serve::serve;

fn export(dir: &std::path::Path, url: &str, args: &[&str]) -> Output {
    common::cli::command_in(dir)
        .args(["--base-url", url, "export"])
        .args(args)
        .output()
        .unwrap()
}

/// A conversation of `n` items: user and assistant messages, tool calls and their outputs.
async fn conversation(client: &Client, n: usize) -> String {
    let items: Vec<Value> = (0..n)
        .map(|i| match i % 4 {
            0 => json!({"type": "message", "role": "user", "content": format!("question {i}")}),
            1 => json!({"type": "function_call", "call_id": format!("call_{i}"), "name": "lookup",
                        "arguments": format!("{{\"n\":{i}}}")}),
            2 => json!({"type": "function_call_output", "call_id": format!("call_{}", i - 1),
                        "output": format!("result {i}")}),
            _ => json!({"type": "message", "role": "assistant",
                        "content": [{"type": "output_text", "text": format!("# answer {i}\n\n- one\n- two")}]}),
        })
        .collect();
    let meta = [("title".to_string(), "Exported".to_string())].into();
    let conv = client
        .create_conversation(Some(&meta), &items[..20.min(n)])
        .await
        .unwrap();
    for chunk in items[20.min(n)..].chunks(20) {
        client.create_items(&conv.id, chunk, &[]).await.unwrap();
    }
    conv.id
}

async fn api_items(client: &Client, id: &str) -> Vec<Value> {
    let params = ListParams {
        order: Order::Asc,
        ..Default::default()
    };
    let mut pages = std::pin::pin!(client.item_pages(id, params));
    let mut out = Vec::new();
    while let Some(ev) = pages.next().await {
        if let PageEvent::Page(p) = ev.unwrap() {
            out.extend(p.data.into_iter().map(|i| i.0));
        }
    }
    out
}

#[tokio::test]
async fn exports_match_the_apis_items_in_every_format() {
    let server = serve();
    let client = Client::new(ClientSettings::new(&server.url)).unwrap();
    let id = conversation(&client, 250).await;
    let expected = api_items(&client, &id).await;
    assert_eq!(expected.len(), 250);
    let dir = tempfile::tempdir().unwrap();
    let url = server.url.clone();
    let (d, i) = (dir.path().to_path_buf(), id.clone());
    let outs = tokio::task::spawn_blocking(move || {
        ["json", "jsonl", "md"].map(|ext| {
            let path = d.join(format!("out.{ext}"));
            let out = export(&d, &url, &[&i, "-o", path.to_str().unwrap()]);
            (out, path)
        })
    })
    .await
    .unwrap();
    for (out, path) in &outs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("exported: 250 items"));
        assert!(!dir
            .path()
            .join(format!("{}.partial", path.display()))
            .exists());
    }
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&outs[0].1).unwrap()).unwrap();
    assert_eq!(json["conversation"]["id"], json!(id));
    assert_eq!(json["items"].as_array().unwrap(), &expected);
    let lines: Vec<Value> = std::fs::read_to_string(&outs[1].1)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, expected);
    let md = std::fs::read_to_string(&outs[2].1).unwrap();
    assert!(md.starts_with("# Exported\n"), "{}", &md[..200]);
    assert_eq!(md.matches("\n## User").count(), 63);
    assert_eq!(md.matches("\n## Assistant").count(), 62);
    assert_eq!(md.matches("### Tool call: lookup").count(), 63);
    assert_eq!(md.matches("### Tool output").count(), 62);
    // Oldest first: the first question comes before the last answer.
    assert!(md.find("question 0").unwrap() < md.find("answer 247").unwrap());
}

#[tokio::test]
async fn stdout_bad_format_and_unknown_conversation() {
    let server = serve();
    let client = Client::new(ClientSettings::new(&server.url)).unwrap();
    let id = conversation(&client, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let url = server.url.clone();
    let d = dir.path().to_path_buf();
    let (ok, bad, missing) = tokio::task::spawn_blocking(move || {
        (
            export(&d, &url, &[&id, "--format", "jsonl"]),
            export(&d, &url, &[&id, "-o", d.join("x.txt").to_str().unwrap()]),
            export(
                &d,
                &url,
                &["conv_nope", "-o", d.join("y.md").to_str().unwrap()],
            ),
        )
    })
    .await
    .unwrap();
    assert!(ok.status.success());
    assert_eq!(String::from_utf8_lossy(&ok.stdout).lines().count(), 3);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--format"));
    assert_eq!(missing.status.code(), Some(1));
    assert!(!dir.path().join("y.md").exists() && !dir.path().join("y.md.partial").exists());
}
