//! Runs effects as tokio tasks; each answers with a message on the channel.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use super::data::{ConvInfo, Failure};
use super::editor::drafts;
use super::message::{Effect, Message};
use super::state::item_id;
use crate::api::{ApiError, Client, Conversation, ErrorKind, ListParams, Order};
use crate::deletion::{self, DeleteError};

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
    /// The profile's client and files; `install` puts another profile's in their place.
    client: std::sync::Mutex<Client>,
    tx: UnboundedSender<Message>,
    context: std::sync::Mutex<Arc<Context>>,
    /// The embedded server of the profile, if it has one.
    server: std::sync::Mutex<Option<crate::server::RunningServer>>,
    /// Numbers effects in the order they were spawned (registry writes use it).
    spawned: std::sync::atomic::AtomicU64,
    /// File writes still running; awaited on quit.
    in_flight: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// What tasks need besides the client.
struct Context {
    backup: deletion::Backup,
    registry: PathBuf,
    drafts: PathBuf,
    /// Registry and draft writes: an older one never lands after a newer one.
    writes: crate::files::LatestWins,
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
            client: std::sync::Mutex::new(client),
            tx,
            context: std::sync::Mutex::new(Arc::new(Context {
                backup: deletion::Backup {
                    path: backup,
                    profile: profile.to_string(),
                },
                registry,
                drafts,
                writes: crate::files::LatestWins::default(),
            })),
            server: std::sync::Mutex::new(None),
            spawned: std::sync::atomic::AtomicU64::new(0),
            in_flight: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Waits for the file writes still running (the registry, drafts), so that quitting loses
    /// none of them.
    pub async fn finish_writes(&self) {
        let pending = std::mem::take(&mut *lock(&self.in_flight));
        for task in pending {
            if let Err(e) = task.await {
                tracing::warn!("a file write did not finish: {e}");
            }
        }
    }

    /// Keeps the profile's embedded server running while the runtime uses it.
    pub fn keep_server(&self, server: Option<crate::server::RunningServer>) {
        *lock(&self.server) = server;
    }

    /// The embedded server in use, to shut down on quit.
    pub fn take_server(&self) -> Option<crate::server::RunningServer> {
        lock(&self.server).take()
    }

    /// Uses another profile's client, files and server from now on. The old server stops once
    /// its file writes are done; tasks still running finish on the old client.
    pub fn install(&self, c: super::profiles::Connected) {
        *lock(&self.client) = c.client;
        *lock(&self.context) = Arc::new(Context {
            backup: deletion::Backup {
                path: c.backup,
                profile: c.profile,
            },
            registry: c.registry_path,
            drafts: c.drafts,
            writes: crate::files::LatestWins::default(),
        });
        let old = std::mem::replace(&mut *lock(&self.server), c.server);
        if let Some(old) = old {
            tokio::spawn(async move {
                if let Err(e) = old.shutdown().await {
                    tracing::warn!("the previous profile's server did not stop cleanly: {e}");
                }
            });
        }
    }

    pub fn spawn(&self, effect: Effect) {
        let client = lock(&self.client).clone();
        let tx = self.tx.clone();
        let ctx = lock(&self.context).clone();
        let is_write = matches!(effect, Effect::SaveRegistry(_) | Effect::Draft { .. });
        // Effects are spawned in order, so the numbers follow the order of the changes.
        let seq = self
            .spawned
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let task = tokio::spawn(async move {
            let msg = run(&client, &ctx, &tx, effect, seq).await;
            // The receiver is gone only when the app is quitting.
            let _ = tx.send(msg);
        });
        if is_write {
            let mut in_flight = lock(&self.in_flight);
            in_flight.retain(|t| !t.is_finished());
            in_flight.push(task);
        }
    }
}

/// A lock that survives a panic in another holder (the data is a plain value).
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn run(
    client: &Client,
    ctx: &Arc<Context>,
    tx: &UnboundedSender<Message>,
    effect: Effect,
    seq: u64,
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
            let mut rest = items.iter();
            for item in rest.by_ref() {
                let id = item_id(item).unwrap_or_default().to_string();
                match delete_one(client, ctx, &conversation, item).await {
                    Ok(()) => deleted.push(id),
                    // No answer at all (the server is unreachable): stop instead of trying
                    // every remaining item in turn.
                    Err(f) if f.status.is_none() => {
                        failed.push((id, f));
                        break;
                    }
                    Err(f) => failed.push((id, f)),
                }
            }
            if let Some((_, first)) = failed.last().filter(|(_, f)| f.status.is_none()).cloned() {
                for item in rest {
                    let id = item_id(item).unwrap_or_default().to_string();
                    failed.push((id, Failure::new(format!("not tried: {}", first.message))));
                }
            }
            Message::MarkedDeleted {
                conversation,
                deleted,
                failed,
            }
        }
        Effect::DeleteConversation { id } => {
            let result = deletion::conversation(client, &ctx.backup, &id)
                .await
                .map(|_| ())
                .map_err(deletion_failure);
            Message::ConversationDeleted { id, result }
        }
        Effect::SaveRegistry(registry) => {
            let ctx = ctx.clone();
            let result = tokio::task::spawn_blocking(move || {
                ctx.writes
                    .apply("registry", seq, || registry.save(&ctx.registry))
                    .map(|_| ())
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()));
            Message::RegistrySaved(result)
        }
        Effect::UpdateMetadata {
            conversation,
            metadata,
            base,
        } => {
            // Replace only what the user saw: another client may have changed it meanwhile.
            let current = match client.get_conversation(&conversation).await {
                Ok(c) => info(&c),
                Err(e) => {
                    return Message::MetadataSaved {
                        conversation,
                        result: Err(failure(&e)),
                    }
                }
            };
            if current.metadata != base {
                return Message::MetadataConflict {
                    conversation,
                    current,
                };
            }
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
            let ctx = ctx.clone();
            let result = tokio::task::spawn_blocking(move || {
                let key = format!("draft:{name}");
                ctx.writes
                    .apply(&key, seq, || {
                        drafts::write(&ctx.drafts, &name, text.as_deref())
                    })
                    .map(|_| ())
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()));
            Message::DraftWritten(result)
        }
        Effect::Export {
            conversation,
            path,
            format,
            cancel,
        } => super::export::run(client, tx, conversation, path, format, cancel).await,
        Effect::SwitchProfile {
            name,
            config_path,
            read_only,
        } => super::profiles::connect(name, config_path, read_only).await,
        Effect::Pager { .. } => {
            Message::PagerClosed(Err("the pager can only run from the event loop".into()))
        }
        Effect::InstallProfile(_) => Message::ProfileReady(Err(
            "a profile can only be installed by the event loop".into(),
        )),
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
    for chunk in crate::protocol::validate::chunks(&items) {
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

fn deletion_failure(e: DeleteError) -> Failure {
    match e {
        DeleteError::Api(e) => failure(&e),
        other => Failure::new(other.to_string()),
    }
}

/// Deletes one item after backing it up. An item the server no longer has, in a conversation
/// it still has, is already where the user wanted it: that counts as deleted.
async fn delete_one(
    client: &Client,
    ctx: &Context,
    conversation: &str,
    item: &Value,
) -> Result<(), Failure> {
    let id = item_id(item).unwrap_or_default();
    match deletion::item(client, &ctx.backup, conversation, id, Some(item.clone())).await {
        Ok(_) => Ok(()),
        Err(DeleteError::Api(e)) if e.is_not_found() => {
            match client.get_conversation(conversation).await {
                Ok(_) => Ok(()),
                Err(_) => Err(failure(&e)),
            }
        }
        Err(e) => Err(deletion_failure(e)),
    }
}
