//! Demo data for the built-in local server, seeded on first run.

use std::path::Path;

use serde_json::{Map, Value};

use crate::api::Metadata;
use crate::protocol::validate::{self, ItemTypes};
use crate::server::store::NewConversation;
use crate::server::RunningServer;

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

/// The demo conversations as the store takes them: items checked and normalised as a create
/// would, in any type (the demo shows a type the API does not list yet).
pub fn new_conversations() -> Result<Vec<NewConversation>, String> {
    conversations()?
        .into_iter()
        .map(|demo| {
            let metadata: Map<String, Value> = demo
                .metadata
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let mut items = Vec::with_capacity(demo.items.len());
            for chunk in validate::chunks(&demo.items) {
                let list = Value::Array(chunk.to_vec());
                items.extend(
                    validate::items_of(&list, true, ItemTypes::Any)
                        .map_err(|e| format!("demo data: {}", e.message))?,
                );
            }
            Ok((metadata, items))
        })
        .collect()
}

/// Seeds the demo conversations once per data directory, and only into an empty server, in one
/// transaction: an interrupted first run leaves either all of the demo or none of it.
/// Answers how many conversations were created.
pub async fn seed_if_new(server: &RunningServer, data_dir: &Path) -> Result<usize, String> {
    let marker = data_dir.join("demo-seeded");
    if marker.exists() {
        return Ok(0);
    }
    let demo = new_conversations()?;
    let created = server
        .with_store(move |store| store.seed(demo))
        .await
        .map_err(|e| e.message)?;
    std::fs::create_dir_all(data_dir).map_err(|e| e.to_string())?;
    std::fs::write(&marker, b"").map_err(|e| e.to_string())?;
    Ok(created)
}
