//! Deleting, always backed up first: the full JSON goes to the journal (see [`crate::backup`]),
//! synced, before the DELETE is sent, and the outcome is marked after it. Used by the terminal
//! UI and the CLI alike.
//!
//! See <https://platform.openai.com/docs/api-reference/conversations/delete> and
//! <https://platform.openai.com/docs/api-reference/conversations/delete-item>.

use std::io::Write;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use serde_json::Value;

use crate::api::{ApiError, Client, ErrorKind, ListParams, Order, PageEvent};
use crate::backup::{Journal, Kind, NewEntry, Status};

/// Where backups go, and the profile they are recorded under.
#[derive(Debug, Clone)]
pub struct Backup {
    pub path: PathBuf,
    pub profile: String,
}

/// How a delete may go on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// Delete a conversation even when its items could not all be read for the backup; the
    /// backup then holds the items that could be read.
    pub allow_partial: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    #[error("could not write the backup {path}: {reason}; nothing was deleted")]
    Backup { path: String, reason: String },
    /// The items could not all be read: `saved` of them were. Asking again with
    /// [`DeleteOptions::allow_partial`] deletes it with that partial backup.
    #[error("not deleted: its items could not all be read for the backup ({reason}); {saved} item(s) could be saved (--allow-partial-backup deletes it with those)")]
    Partial { saved: u64, reason: String },
    /// What the server sent to back up is not what was asked for.
    #[error("not deleted: {0}")]
    NotTheObject(String),
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// What a conversation delete did.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationDeleted {
    /// The server's answer.
    pub answer: Value,
    /// Items in the backup.
    pub saved: u64,
    /// Whether the backup holds only the items that could be read.
    pub partial: bool,
}

impl Backup {
    fn journal(&self) -> Journal {
        Journal::new(&self.path)
    }

    fn failed(&self, reason: impl ToString) -> DeleteError {
        DeleteError::Backup {
            path: self.path.display().to_string(),
            reason: reason.to_string(),
        }
    }

    /// Runs journal I/O off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(Journal) -> std::io::Result<T> + Send + 'static,
    ) -> Result<T, DeleteError> {
        let journal = self.journal();
        tokio::task::spawn_blocking(move || f(journal))
            .await
            .map_err(|e| self.failed(e))?
            .map_err(|e| self.failed(e))
    }

    /// Marks the entry with the outcome of its DELETE and passes the result on. A mark that
    /// cannot be written leaves the entry pending, which a restore treats as "may have been
    /// deleted".
    async fn outcome<T>(&self, entry: &str, result: Result<T, ApiError>) -> Result<T, DeleteError> {
        let status = match &result {
            Ok(_) => Status::Done,
            // Sent, but no answer came: it may have happened. The entry stays pending, and a
            // restore asks the server.
            // A success answer that could not be read (or is no confirmation) is as unknown.
            Err(e)
                if matches!(
                    e.kind,
                    ErrorKind::Timeout | ErrorKind::Network | ErrorKind::Decode
                ) =>
            {
                return Ok(result?)
            }
            // Not on the server (an earlier attempt whose answer was lost, or another
            // client): it is gone, and the backup is what remains of it, to restore.
            Err(e) if e.is_not_found() => Status::Done,
            Err(e) => Status::Failed(e.to_string()),
        };
        let id = entry.to_string();
        if let Err(e) = self.blocking(move |j| j.mark(&id, &status)).await {
            tracing::warn!("the delete's outcome was not recorded: {e}");
        }
        Ok(result?)
    }
}

fn not_the_item(requested: &str, got: &Value) -> Option<String> {
    if got.get("id").and_then(Value::as_str) == Some(requested) {
        return None;
    }
    let what = if got.get("error").is_some() {
        "an error object".to_string()
    } else {
        match got.get("id").and_then(Value::as_str) {
            Some(other) => format!("the item '{}'", crate::sanitize::line(other)),
            None => crate::protocol::error::json_kind(got).to_string(),
        }
    };
    Some(format!(
        "the server answered the request for item '{requested}' with {what}, so there is no backup of it"
    ))
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
    if let Some(why) = not_the_item(item, &object) {
        return Err(DeleteError::NotTheObject(why));
    }
    let entry = Journal::new_entry_id();
    let (profile, base_url, conv, id) = (
        backup.profile.clone(),
        client.base_url().to_string(),
        conversation.to_string(),
        entry.clone(),
    );
    backup
        .blocking(move |j| {
            j.begin(
                &id,
                &NewEntry {
                    profile: &profile,
                    base_url: &base_url,
                    conversation_id: &conv,
                    kind: Kind::Item,
                    object: &object,
                    items: None,
                    partial: false,
                },
            )
        })
        .await?;
    let result = client.delete_item_raw(conversation, item).await;
    backup.outcome(&entry, result).await
}

/// Backs up a conversation and every one of its items, fetched fresh, then deletes it; answers
/// the server's reply. If the items cannot all be read, nothing is deleted.
pub async fn conversation(
    client: &Client,
    backup: &Backup,
    id: &str,
) -> Result<Value, DeleteError> {
    conversation_with(client, backup, id, DeleteOptions::default())
        .await
        .map(|d| d.answer)
}

/// Like [`conversation`], with options; says how many items the backup holds.
pub async fn conversation_with(
    client: &Client,
    backup: &Backup,
    id: &str,
    options: DeleteOptions,
) -> Result<ConversationDeleted, DeleteError> {
    // Read-only: refused before the backup reads anything.
    client.writable("delete a conversation")?;
    let conversation = client.get_conversation(id).await?;
    if conversation.id != id {
        return Err(DeleteError::NotTheObject(format!(
            "the server answered the request for conversation '{id}' with the conversation '{}', so there is no backup of it",
            crate::sanitize::line(&conversation.id)
        )));
    }
    let object = serde_json::to_value(&conversation).map_err(|e| backup.failed(e))?;
    let entry = Journal::new_entry_id();
    let items_path = backup.journal().items_path(&entry);
    let (saved, stopped) = match save_items(client, backup, id, &items_path).await {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_file(&items_path);
            return Err(e);
        }
    };
    if let Some(reason) = stopped.clone().filter(|_| !options.allow_partial) {
        let _ = std::fs::remove_file(&items_path);
        return Err(DeleteError::Partial { saved, reason });
    }
    let partial = stopped.is_some();
    let (profile, base_url, conv, entry_id, path) = (
        backup.profile.clone(),
        client.base_url().to_string(),
        id.to_string(),
        entry.clone(),
        items_path.clone(),
    );
    let begun = backup
        .blocking(move |j| {
            j.begin(
                &entry_id,
                &NewEntry {
                    profile: &profile,
                    base_url: &base_url,
                    conversation_id: &conv,
                    kind: Kind::Conversation,
                    object: &object,
                    items: Some((&path, saved)),
                    partial,
                },
            )
        })
        .await;
    if let Err(e) = begun {
        let _ = std::fs::remove_file(&items_path);
        return Err(e);
    }
    let result = client
        .delete_conversation(id)
        .await
        .map(|d| serde_json::to_value(d).unwrap_or(Value::Null));
    let answer = backup.outcome(&entry, result).await?;
    Ok(ConversationDeleted {
        answer,
        saved,
        partial,
    })
}

/// Streams the conversation's items, oldest first, into `path`, one per line, synced; never
/// holds more than one page. Answers how many were saved and, when paging stopped early
/// (a server that repeats pages, or a listing limit), why.
async fn save_items(
    client: &Client,
    backup: &Backup,
    id: &str,
    path: &Path,
) -> Result<(u64, Option<String>), DeleteError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| backup.failed(e))?;
    }
    let file = crate::backup::private_options()
        .write(true)
        .truncate(true)
        .open(path)
        .map_err(|e| backup.failed(e))?;
    let mut out = std::io::BufWriter::new(file);
    let params = ListParams {
        order: Order::Asc,
        ..ListParams::default()
    };
    let mut pages = std::pin::pin!(client.item_pages_checked(id, params));
    let mut saved = 0u64;
    let mut stopped = None;
    while let Some(event) = pages.next().await {
        match event {
            Ok(PageEvent::Page(page)) => {
                for item in &page.data {
                    serde_json::to_writer(&mut out, &item.0).map_err(|e| backup.failed(e))?;
                    out.write_all(b"\n").map_err(|e| backup.failed(e))?;
                    saved += 1;
                }
            }
            Ok(PageEvent::Stopped(why)) => stopped = Some(why),
            Err(e) if e.kind == ErrorKind::Limit => stopped = Some(e.message),
            Err(e) => return Err(e.into()),
        }
    }
    let file = out.into_inner().map_err(|e| backup.failed(e.error()))?;
    file.sync_data().map_err(|e| backup.failed(e))?;
    Ok((saved, stopped))
}
