//! Deleting, always backed up first: the full JSON goes to the backup file, synced, before the
//! DELETE is sent. Used by the terminal UI and the CLI alike.

use std::path::PathBuf;

use futures::StreamExt;
use serde_json::{json, Value};

use crate::api::{ApiError, Client, ListParams, Order, PageEvent};

/// Where backups go, and the profile they are recorded under.
#[derive(Debug, Clone)]
pub struct Backup {
    pub path: PathBuf,
    pub profile: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    #[error("could not write the backup {path}: {reason}; nothing was deleted")]
    Backup { path: String, reason: String },
    #[error("not deleted: its items could not all be read for the backup ({0})")]
    Incomplete(String),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl Backup {
    async fn write(
        &self,
        client: &Client,
        conversation: &str,
        kind: &str,
        object: Value,
    ) -> Result<(), DeleteError> {
        let (path, profile) = (self.path.clone(), self.profile.clone());
        let (base_url, conversation, kind) = (
            client.base_url().to_string(),
            conversation.to_string(),
            kind.to_string(),
        );
        let failed = |reason: String| DeleteError::Backup {
            path: self.path.display().to_string(),
            reason,
        };
        tokio::task::spawn_blocking(move || {
            crate::backup::append(&path, &profile, &base_url, &conversation, &kind, &object)
        })
        .await
        .map_err(|e| failed(e.to_string()))?
        .map_err(|e| failed(e.to_string()))
    }
}

/// Backs up an item, then deletes it; answers the server's reply. Without `known`, the item is
/// fetched first so that the backup holds all of it.
pub async fn item(
    client: &Client,
    backup: &Backup,
    conversation: &str,
    item: &str,
    known: Option<Value>,
) -> Result<Value, DeleteError> {
    // Read-only: refused before the backup reads anything.
    client.writable("delete an item")?;
    let object = match known {
        Some(v) => v,
        None => client.get_item(conversation, item, &[]).await?.0,
    };
    backup.write(client, conversation, "item", object).await?;
    Ok(client.delete_item_raw(conversation, item).await?)
}

/// Backs up a conversation and every one of its items, fetched fresh, then deletes it; answers
/// the server's reply. If the items cannot all be read, nothing is deleted.
pub async fn conversation(
    client: &Client,
    backup: &Backup,
    id: &str,
) -> Result<Value, DeleteError> {
    client.writable("delete a conversation")?;
    let conversation = client.get_conversation(id).await?;
    let items = all_items(client, id).await?;
    let record = json!({"conversation": conversation, "items": items});
    backup.write(client, id, "conversation", record).await?;
    let deleted = client.delete_conversation(id).await?;
    Ok(serde_json::to_value(deleted).unwrap_or(Value::Null))
}

async fn all_items(client: &Client, id: &str) -> Result<Vec<Value>, DeleteError> {
    let params = ListParams {
        order: Order::Asc,
        ..ListParams::default()
    };
    let mut pages = std::pin::pin!(client.item_pages(id, params));
    let mut items = Vec::new();
    while let Some(event) = pages.next().await {
        match event? {
            PageEvent::Page(page) => items.extend(page.data.into_iter().map(|i| i.0)),
            PageEvent::Stopped(why) => return Err(DeleteError::Incomplete(why)),
        }
    }
    Ok(items)
}
