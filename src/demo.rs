//! Demo data for the built-in local server, seeded on first run.

use std::path::Path;

use serde_json::Value;

use crate::api::{Client, ListParams, Metadata};

const FILES: &[&str] = &[
    include_str!("../assets/demo/01-trip-planning.json"),
    include_str!("../assets/demo/02-rust-flaky-test.json"),
    include_str!("../assets/demo/03-q3-sales-analysis.json"),
    include_str!("../assets/demo/04-ops-agent-offsite.json"),
    include_str!("../assets/demo/05-marathon-training-log.json"),
];

/// A demo conversation: metadata and input items.
pub struct DemoConversation {
    pub metadata: Metadata,
    pub items: Vec<Value>,
}

/// The demo conversations, parsed.
pub fn conversations() -> Result<Vec<DemoConversation>, String> {
    FILES
        .iter()
        .map(|text| {
            let v: Value = serde_json::from_str(text).map_err(|e| format!("demo data: {e}"))?;
            let metadata = crate::api::models::metadata_from_value(&v["metadata"]);
            let items = v["items"].as_array().cloned().unwrap_or_default();
            Ok(DemoConversation { metadata, items })
        })
        .collect()
}

/// Seeds the demo conversations once per data directory, and only into an empty server.
/// Answers how many conversations were created.
pub async fn seed_if_new(client: &Client, data_dir: &Path) -> Result<usize, String> {
    let marker = data_dir.join("demo-seeded");
    if marker.exists() {
        return Ok(0);
    }
    let existing = client
        .list_conversations(&ListParams {
            limit: 1,
            ..ListParams::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    let mut created = 0;
    if existing.data.is_empty() {
        for demo in conversations()? {
            let (first, rest) = demo.items.split_at(demo.items.len().min(20));
            let conv = client
                .create_conversation(Some(&demo.metadata), first)
                .await
                .map_err(|e| e.to_string())?;
            for chunk in rest.chunks(20) {
                client
                    .create_items(&conv.id, chunk, &[])
                    .await
                    .map_err(|e| e.to_string())?;
            }
            created += 1;
        }
    }
    std::fs::create_dir_all(data_dir).map_err(|e| e.to_string())?;
    std::fs::write(&marker, b"").map_err(|e| e.to_string())?;
    Ok(created)
}
