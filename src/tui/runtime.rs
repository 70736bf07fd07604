//! Runs effects as tokio tasks; each answers with a message on the channel.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use super::data::{ConvInfo, Failure};
use super::deleting;
use super::editor::drafts;
use super::message::{Effect, Message};
use super::state::item_id;
use crate::api::{ApiError, Client, Conversation, ErrorKind, ListParams, Order};
use crate::deletion;
use crate::registry::Registry;

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
    /// Requests still running, so that they can be cancelled.
    cancels: Arc<super::cancel::Cancels>,
}

/// What tasks need besides the client.
struct Context {
    backup: deletion::Backup,
    registry: PathBuf,
    drafts: PathBuf,
    /// Registry and draft writes: an older one never lands after a newer one.
    writes: crate::files::LatestWins,
    /// The `include` values for pages of items (`:include`).
    include: std::sync::Mutex<Vec<String>>,
    /// The local mirror's writer, unless `mirror = false` (see `tui::mirroring`).
    mirror: Option<crate::mirror::MirrorWriter>,
    /// The mirror's file, for searching and reading it; `None` with `mirror = false`.
    mirror_file: Option<PathBuf>,
    /// The next page of a timeline loading everything.
    ahead: super::ahead::Slot,
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
                include: std::sync::Mutex::new(Vec::new()),
                mirror: None,
                mirror_file: None,
                ahead: Default::default(),
            })),
            server: std::sync::Mutex::new(None),
            spawned: std::sync::atomic::AtomicU64::new(0),
            in_flight: std::sync::Mutex::new(Vec::new()),
            cancels: Arc::default(),
        }
    }

    /// Records what the tasks read into the local mirror through `writer`. Called before
    /// anything is spawned.
    pub fn with_mirror(self, writer: Option<crate::mirror::MirrorWriter>) -> Self {
        if let Some(ctx) = Arc::get_mut(&mut lock(&self.context)) {
            ctx.mirror = writer;
        }
        self
    }

    /// Searches and reads the mirror at `path`. Called before anything is spawned.
    pub fn with_mirror_file(self, path: Option<PathBuf>) -> Self {
        if let Some(ctx) = Arc::get_mut(&mut lock(&self.context)) {
            ctx.mirror_file = path;
        }
        self
    }

    /// The mirror writer in use (another profile's after `install`).
    pub fn mirror(&self) -> Option<crate::mirror::MirrorWriter> {
        lock(&self.context).mirror.clone()
    }

    /// Waits until what was sent to the mirror is written (tests, and quitting).
    pub async fn flush_mirror(&self) -> Result<(), String> {
        match self.mirror() {
            Some(w) => w.flush().await,
            None => Ok(()),
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
        let previous = {
            let mut context = lock(&self.context);
            let include = lock(&context.include).clone();
            std::mem::replace(
                &mut *context,
                Arc::new(Context {
                    backup: deletion::Backup {
                        path: c.backup,
                        profile: c.profile,
                    },
                    registry: c.registry_path,
                    drafts: c.drafts,
                    writes: crate::files::LatestWins::default(),
                    include: std::sync::Mutex::new(include),
                    mirror: c.mirror,
                    mirror_file: c.mirror_file,
                    ahead: Default::default(),
                }),
            )
        };
        let old = std::mem::replace(&mut *lock(&self.server), c.server);
        // The previous profile's mirror writes what it was sent; then its server stops.
        let old_mirror = previous.mirror.clone();
        tokio::spawn(async move {
            if let Some(w) = old_mirror {
                if let Err(e) = w.flush().await {
                    tracing::warn!("the previous profile's mirror could not be updated: {e}");
                }
            }
        });
        if let Some(old) = old {
            tokio::spawn(async move {
                if let Err(e) = old.shutdown().await {
                    tracing::warn!("the previous profile's server did not stop cleanly: {e}");
                }
            });
        }
    }

    pub fn spawn(&self, effect: Effect) {
        if let Effect::SetInclude(values) = effect {
            *lock(&lock(&self.context).include) = values;
            return;
        }
        if let Effect::Cancel(which) = &effect {
            // A page read ahead is a request too: it goes with the others.
            lock(&self.context).ahead.clear();
            let n = self.cancels.cancel(which);
            tracing::debug!("cancelled {n} request(s)");
            return;
        }
        if effect.is_request() {
            return self.spawn_request(effect);
        }
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

impl Runtime {
    /// A request that can be cancelled: when it is, its reply is the cancelled one and the
    /// task stops at once, dropping whatever the server would still send.
    fn spawn_request(&self, effect: Effect) {
        let (client, tx) = (lock(&self.client).clone(), self.tx.clone());
        let ctx = lock(&self.context).clone();
        let cancels = self.cancels.clone();
        let seq = self
            .spawned
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let stop = cancels.register(seq, &effect);
        let on_cancel = super::cancel::reply(&effect);
        tokio::spawn(async move {
            let msg = tokio::select! {
                biased;
                Ok(()) = stop, if on_cancel.is_some() => on_cancel,
                msg = run(&client, &ctx, &tx, effect, seq) => Some(msg),
            };
            cancels.finished(seq);
            if let Some(msg) = msg {
                let _ = tx.send(msg);
            }
        });
    }
}

/// A create's failure: when no answer came, the server may have made it.
fn created_failure(e: &ApiError) -> Failure {
    let mut f = failure(e);
    if e.may_have_applied() {
        f.message = format!("{}: it {}", f.message, super::data::MAY_HAVE_BEEN_CREATED);
    }
    f
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
        Effect::ListConversations => {
            super::offline::listed(tx, list_all(client).await, ctx.mirror_file.clone()).await
        }
        Effect::LoadConversation(id) => {
            let result = client
                .get_conversation(&id)
                .await
                .inspect(|c| record_conversation(ctx, c))
                .map(|c| info(&c))
                .map_err(|e| failure(&e));
            Message::ConversationLoaded { id, result }
        }
        Effect::LoadItems {
            conversation,
            generation,
            after,
            ascending,
            all,
        } => {
            let params = ListParams {
                limit: 100,
                order: if ascending { Order::Asc } else { Order::Desc },
                after,
                include: lock(&ctx.include).clone(),
            };
            let fetched = ctx
                .ahead
                .fetch(client, &conversation, generation, &params)
                .await;
            if let (true, Ok(page)) = (all, &fetched) {
                ctx.ahead
                    .ask_next(client, &conversation, generation, &params, page);
            }
            let result = fetched.map_err(|e| failure(&e));
            if let (Ok(page), Some(w)) = (&result, &ctx.mirror) {
                let (order, after) = (params.order, params.after.as_deref());
                super::mirroring::record_page(w, &conversation, page, order, after).await;
            }
            Message::ItemsLoaded {
                conversation,
                generation,
                result,
            }
        }
        Effect::DeleteItem { conversation, item } => {
            let id = item_id(&item).unwrap_or_default().to_string();
            let result = deleting::item(
                client,
                &ctx.backup,
                ctx.mirror.as_ref(),
                &conversation,
                &item,
            )
            .await;
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
                match deleting::item(
                    client,
                    &ctx.backup,
                    ctx.mirror.as_ref(),
                    &conversation,
                    item,
                )
                .await
                {
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
            deleting::conversation(client, &ctx.backup, ctx.mirror.as_ref(), id, false).await
        }
        Effect::DeleteConversationPartial { id } => {
            deleting::conversation(client, &ctx.backup, ctx.mirror.as_ref(), id, true).await
        }
        Effect::UndoDelete => Message::Undone(
            crate::restore::undo_last(client, &ctx.backup)
                .await
                .map_err(|e| match e {
                    crate::restore::RestoreError::Api(e) => failure(&e),
                    other => Failure::new(other.to_string()),
                }),
        ),
        Effect::SaveRegistry(changes) => {
            let ctx = ctx.clone();
            let upto = changes.last().map_or(0, |(n, _)| *n);
            let result = tokio::task::spawn_blocking(move || {
                let mut written = None;
                ctx.writes.apply("registry", seq, || {
                    let change =
                        |r: &mut Registry| changes.iter().for_each(|(_, c)| _ = r.apply(c));
                    written = Some((Registry::change(&ctx.registry, change)?, upto));
                    Ok::<_, crate::registry::RegistryError>(())
                })?;
                Ok::<_, crate::registry::RegistryError>(written)
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()));
            Message::RegistrySaved(result)
        }
        Effect::ReadRegistry => {
            let path = ctx.registry.clone();
            let result = tokio::task::spawn_blocking(move || Registry::load(&path))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
            Message::RegistryRead(result)
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
                .map_err(|e| created_failure(&e)),
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
        Effect::InstallProfile(_) => Message::ProfileReady(Box::new(Err(
            "a profile can only be installed by the event loop".into(),
        ))),
        Effect::ExternalEdit { conversation, .. } => Message::ExternalEdited {
            conversation,
            result: Err("the external editor can only run from the event loop".into()),
        },
        Effect::RenderDetail(job) => super::panes::rendering::run(job).await,
        Effect::Search { generation, query } => Message::Searched {
            generation,
            result: super::search::run(ctx.mirror_file.clone(), query).await,
        },
        e @ (Effect::ReadMirror
        | Effect::LoadMirrorItems { .. }
        | Effect::RetryServer(_)
        | Effect::MarkGoneInMirror { .. }) => {
            super::offline::run(e, ctx.mirror_file.clone(), ctx.mirror.as_ref()).await
        }
        // The event loop writes the clipboard, and `spawn` keeps the include values: neither
        // comes here, and neither has an answer.
        Effect::Copy(_) | Effect::SetInclude(_) | Effect::Cancel(_) => Message::Tick,
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
                result: Err(created_failure(&e)),
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

async fn list_all(client: &Client) -> Result<Option<Vec<(String, ConvInfo)>>, ApiError> {
    let mut params = ListParams::default();
    let mut out: Vec<(String, ConvInfo)> = Vec::new();
    loop {
        let page = match client.list_conversations(&params).await {
            Ok(p) => p,
            Err(e) if e.kind == ErrorKind::NotSupported => return Ok(None),
            Err(e) => return Err(e),
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

/// Hands a conversation to the mirror's writer (see [`super::mirroring::send_later`]).
fn record_conversation(ctx: &Context, c: &Conversation) {
    if let (Some(w), Ok(value)) = (ctx.mirror.clone(), serde_json::to_value(c)) {
        super::mirroring::send_later("a conversation", async move {
            w.record_conversation_wait(value).await
        });
    }
}
