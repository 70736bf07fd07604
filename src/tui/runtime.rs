//! Runs effects as tokio tasks; each answers with a message on the channel.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use super::editor::drafts;
use super::message::{Effect, Message};
use super::state::{item_id, ConvInfo, Failure};
use crate::api::{ApiError, Client, Conversation, ErrorKind, ListParams, Order};

/// Most conversations read from a server's list at start.
const MAX_LISTED: usize = 1000;

pub fn failure(e: &ApiError) -> Failure {
    Failure {
        message: e.message.clone(),
        status: e.status,
        request_id: e.request_id.clone(),
    }
}

fn info(c: &Conversation) -> ConvInfo {
    ConvInfo {
        created_at: c.created_at,
        metadata: c.metadata.clone(),
    }
}

pub struct Runtime {
    client: Client,
    tx: UnboundedSender<Message>,
    context: Arc<Context>,
}

/// What tasks need besides the client.
struct Context {
    profile: String,
    backup: PathBuf,
    registry: PathBuf,
    drafts: PathBuf,
    draft_store: Arc<drafts::Store>,
}

impl Runtime {
    pub fn new(
        client: Client,
        tx: UnboundedSender<Message>,
        profile: &str,
        backup: PathBuf,
        registry: PathBuf,
        drafts: PathBuf,
    ) -> Self {
        Runtime {
            client,
            tx,
            context: Arc::new(Context {
                profile: profile.to_string(),
                backup,
                registry,
                drafts,
                draft_store: Arc::new(drafts::Store::default()),
            }),
        }
    }

    pub fn spawn(&self, effect: Effect) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        let ctx = self.context.clone();
        tokio::spawn(async move {
            let msg = run(&client, &ctx, &tx, effect).await;
            // The receiver is gone only when the app is quitting.
            let _ = tx.send(msg);
        });
    }
}

async fn run(
    client: &Client,
    ctx: &Context,
    tx: &UnboundedSender<Message>,
    effect: Effect,
) -> Message {
    match effect {
        Effect::ListConversations => Message::ConversationsListed(list_all(client).await),
        Effect::LoadConversation(id) => {
            let result = client
                .get_conversation(&id)
                .await
                .map(|c| info(&c))
                .map_err(|e| failure(&e));
            Message::ConversationLoaded { id, result }
        }
        Effect::LoadItems {
            conversation,
            generation,
            after,
            ascending,
        } => {
            let params = ListParams {
                limit: 100,
                order: if ascending { Order::Asc } else { Order::Desc },
                after,
                include: Vec::new(),
            };
            let result = client
                .list_items(&conversation, &params)
                .await
                .map_err(|e| failure(&e));
            Message::ItemsLoaded {
                conversation,
                generation,
                result,
            }
        }
        Effect::DeleteItem { conversation, item } => {
            let id = item_id(&item).unwrap_or_default().to_string();
            let result = delete_one(client, ctx, &conversation, &item).await;
            Message::ItemDeleted {
                conversation,
                item: id,
                result,
            }
        }
        Effect::DeleteItems {
            conversation,
            items,
        } => {
            let mut deleted = Vec::new();
            let mut failed = Vec::new();
            for item in &items {
                let id = item_id(item).unwrap_or_default().to_string();
                match delete_one(client, ctx, &conversation, item).await {
                    Ok(()) => deleted.push(id),
                    Err(f) => failed.push((id, f)),
                }
            }
            Message::MarkedDeleted {
                conversation,
                deleted,
                failed,
            }
        }
        Effect::DeleteConversation {
            id,
            conversation,
            items,
        } => {
            let result = delete_conversation(client, ctx, &id, conversation, items).await;
            Message::ConversationDeleted { id, result }
        }
        Effect::SaveRegistry(registry) => {
            let path = ctx.registry.clone();
            let result = tokio::task::spawn_blocking(move || registry.save(&path))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
            Message::RegistrySaved(result)
        }
        Effect::UpdateMetadata {
            conversation,
            metadata,
        } => {
            let result = client
                .update_conversation(&conversation, Some(&metadata))
                .await
                .map(|c| info(&c))
                .map_err(|e| failure(&e));
            Message::MetadataSaved {
                conversation,
                result,
            }
        }
        Effect::CreateConversation { metadata, items } => Message::ConversationCreated(
            client
                .create_conversation(Some(&metadata), &items)
                .await
                .map(|c| (c.id.clone(), info(&c)))
                .map_err(|e| failure(&e)),
        ),
        Effect::AddItems {
            conversation,
            items,
        } => add_items(client, tx, conversation, items).await,
        Effect::LoadDraft { name } => {
            let dir = ctx.drafts.clone();
            let key = name.clone();
            let result = tokio::task::spawn_blocking(move || drafts::read(&dir, &key))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
            Message::DraftLoaded { name, result }
        }
        Effect::Draft { name, seq, text } => {
            let dir = ctx.drafts.clone();
            let store = ctx.draft_store.clone();
            let result =
                tokio::task::spawn_blocking(move || store.apply(&dir, &name, seq, text.as_deref()))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()));
            Message::DraftWritten(result)
        }
        Effect::ExternalEdit { conversation, .. } => Message::ExternalEdited {
            conversation,
            result: Err("the external editor can only run from the event loop".into()),
        },
    }
}

/// Sends items in order, 20 at a time, reporting each chunk; stops at the first failure.
async fn add_items(
    client: &Client,
    tx: &UnboundedSender<Message>,
    conversation: String,
    items: Vec<Value>,
) -> Message {
    let total = items.len();
    let mut sent = 0;
    for chunk in items.chunks(crate::server::validate::MAX_ITEMS) {
        if let Err(e) = client.create_items(&conversation, chunk, &[]).await {
            return Message::ItemsAdded {
                conversation,
                sent,
                total,
                result: Err(failure(&e)),
            };
        }
        sent += chunk.len();
        if sent < total {
            let _ = tx.send(Message::ItemsProgress {
                conversation: conversation.clone(),
                sent,
                total,
            });
        }
    }
    Message::ItemsAdded {
        conversation,
        sent,
        total,
        result: Ok(()),
    }
}

async fn list_all(client: &Client) -> Result<Option<Vec<(String, ConvInfo)>>, Failure> {
    let mut params = ListParams::default();
    let mut out: Vec<(String, ConvInfo)> = Vec::new();
    loop {
        let page = match client.list_conversations(&params).await {
            Ok(p) => p,
            Err(e) if e.kind == ErrorKind::NotSupported => return Ok(None),
            Err(e) => return Err(failure(&e)),
        };
        let before = out.len();
        for c in &page.data {
            if !out.iter().any(|(id, _)| id == &c.id) {
                out.push((c.id.clone(), info(c)));
            }
        }
        let next = page.last_id.filter(|l| !l.is_empty());
        if !page.has_more
            || out.len() == before
            || next.is_none()
            || next == params.after
            || out.len() >= MAX_LISTED
        {
            return Ok(Some(out));
        }
        params.after = next;
    }
}

/// Appends to the backup file on the blocking pool; nothing is deleted unless this succeeds.
async fn backup(
    ctx: &Context,
    conversation: &str,
    kind: &str,
    object: Value,
    base_url: String,
) -> Result<(), Failure> {
    let path = ctx.backup.clone();
    let profile = ctx.profile.clone();
    let conversation = conversation.to_string();
    let kind = kind.to_string();
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || {
        crate::backup::append(&path, &profile, &base_url, &conversation, &kind, &object)
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r.map_err(|e| e.to_string()))
    .map_err(|e| {
        Failure::new(format!(
            "could not write the backup {shown}: {e}; nothing was deleted"
        ))
    })
}

async fn delete_one(
    client: &Client,
    ctx: &Context,
    conversation: &str,
    item: &Value,
) -> Result<(), Failure> {
    let id = item_id(item).unwrap_or_default();
    backup(
        ctx,
        conversation,
        "item",
        item.clone(),
        client.base_url().to_string(),
    )
    .await?;
    client
        .delete_item(conversation, id)
        .await
        .map_err(|e| failure(&e))
}

async fn delete_conversation(
    client: &Client,
    ctx: &Context,
    id: &str,
    known: Value,
    items: Vec<Value>,
) -> Result<(), Failure> {
    // The freshest copy of the conversation, when the server still answers.
    let object = match client.get_conversation(id).await {
        Ok(c) => serde_json::to_value(&c).unwrap_or(known),
        Err(e) if e.is_not_found() => return Err(failure(&e)),
        Err(_) => known,
    };
    let record = serde_json::json!({"conversation": object, "items": items});
    backup(
        ctx,
        id,
        "conversation",
        record,
        client.base_url().to_string(),
    )
    .await?;
    client
        .delete_conversation(id)
        .await
        .map(|_| ())
        .map_err(|e| failure(&e))
}
