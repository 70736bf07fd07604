//! The runtime's deletes: each item or conversation is backed up, then deleted, then marked
//! deleted in the mirror (https://platform.openai.com/docs/api-reference/conversations/delete,
//! https://platform.openai.com/docs/api-reference/conversations/delete-item).

use serde_json::Value;

use super::data::Failure;
use super::message::Message;
use super::mirroring::send_later;
use super::runtime::failure;
use super::state::item_id;
use crate::api::Client;
use crate::deletion::{self, Backup, DeleteError};
use crate::mirror::MirrorWriter;

/// Backs up a conversation and deletes it. A backup that could not read every item is
/// refused unless `allow_partial` (the second confirm's yes).
pub async fn conversation(
    client: &Client,
    backup: &Backup,
    mirror: Option<&MirrorWriter>,
    id: String,
    allow_partial: bool,
) -> Message {
    let options = deletion::DeleteOptions { allow_partial };
    match deletion::conversation_with(client, backup, &id, options).await {
        Ok(_) => {
            if let Some(w) = mirror.cloned() {
                let conv = id.clone();
                send_later("a delete", async move {
                    w.mark_conversation_deleted_wait(&conv).await
                });
            }
            Message::ConversationDeleted { id, result: Ok(()) }
        }
        Err(DeleteError::Partial { saved, reason }) => Message::DeletePartial { id, saved, reason },
        Err(e) => Message::ConversationDeleted {
            id,
            result: Err(failure_of(e)),
        },
    }
}

pub fn failure_of(e: DeleteError) -> Failure {
    match e {
        DeleteError::Api(e) => failure(&e),
        other => Failure::new(other.to_string()),
    }
}

/// Deletes one item after backing it up. An item the server no longer has, in a conversation
/// it still has, is already where the user wanted it: that counts as deleted.
pub async fn item(
    client: &Client,
    backup: &Backup,
    mirror: Option<&MirrorWriter>,
    conversation: &str,
    item: &Value,
) -> Result<(), Failure> {
    let id = item_id(item).unwrap_or_default();
    match deletion::item(client, backup, conversation, id, Some(item.clone())).await {
        Ok(_) => {
            if let Some(w) = mirror.cloned() {
                let (conv, item) = (conversation.to_string(), id.to_string());
                send_later("a delete", async move {
                    w.mark_deleted_wait(&conv, &item).await
                });
            }
            Ok(())
        }
        Err(DeleteError::Api(e)) if e.is_not_found() => {
            match client.get_conversation(conversation).await {
                Ok(_) => Ok(()),
                Err(_) => Err(failure(&e)),
            }
        }
        Err(e) => Err(failure_of(e)),
    }
}
