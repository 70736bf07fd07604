//! Restore: re-creates deleted items and conversations from the journal
//! (`DATA_DIR/deleted.jsonl`, see [`crate::backup`]).
//!
//! The API gives a re-created item a new id and adds it after the conversation's other items
//! (<https://platform.openai.com/docs/api-reference/conversations/create-items>); a
//! conversation is re-created with its metadata and its items in order, 20 to a call
//! (<https://platform.openai.com/docs/api-reference/conversations/create>).

use std::path::Path;

use futures::StreamExt;
use serde_json::{json, Value};

use crate::api::input::{self, AddError, ItemSource};
use crate::api::{ApiError, Client, Metadata};
use crate::backup::{Entry, Items, Journal, Kind, Status};
use crate::cli::RestoreArgs;
use crate::deletion::Backup;

/// How a restore may go on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreOptions {
    /// Restore even an entry already restored, one whose original is still on the server, or
    /// one recorded for another server.
    pub force: bool,
}

/// What a restore re-created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restored {
    Item {
        entry: usize,
        conversation: String,
        old_id: String,
        new_id: String,
    },
    Conversation {
        entry: usize,
        old_id: String,
        new_id: String,
        items: usize,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("cannot use the journal {path}: {reason}")]
    Journal { path: String, reason: String },
    #[error("nothing in the journal matches '{0}' (run `convtui restore` to list it)")]
    NoMatch(String),
    #[error("entry {number}: the delete of {what} failed ({why}); it was never deleted, so there is nothing to restore")]
    DeleteFailed {
        number: usize,
        what: String,
        why: String,
    },
    #[error("entry {number}: {what} was restored already, as {as_id}; --force restores it again")]
    AlreadyRestored {
        number: usize,
        what: String,
        as_id: String,
    },
    #[error("entry {number} was recorded for {recorded}, not for this profile's server {current}; --force restores it to {current}")]
    OtherServer {
        number: usize,
        recorded: String,
        current: String,
    },
    #[error("entry {number}: {what} is still on the server, so its delete did not happen; --force restores a copy")]
    StillThere { number: usize, what: String },
    #[error("nothing to undo: no delete on this server is waiting to be restored")]
    NothingToUndo,
    #[error("{0}")]
    Add(String),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<AddError> for RestoreError {
    fn from(e: AddError) -> Self {
        match e {
            AddError::Input(why) => RestoreError::Add(why),
            AddError::Api(e) => RestoreError::Api(e),
        }
    }
}

fn journal_error(journal: &Journal, e: impl ToString) -> RestoreError {
    RestoreError::Journal {
        path: journal.path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Reads the journal's entries off the async threads.
pub async fn entries(journal: &Journal) -> Result<Vec<Entry>, RestoreError> {
    let j = journal.clone();
    tokio::task::spawn_blocking(move || j.read())
        .await
        .map_err(|e| journal_error(journal, e))?
        .map(|(entries, _)| entries)
        .map_err(|e| journal_error(journal, e))
}

/// The entry `what` names: an entry number, or a deleted item's or conversation's id (the
/// latest entry about it whose delete did not fail, else the latest).
pub fn find<'a>(entries: &'a [Entry], what: &str) -> Result<&'a Entry, RestoreError> {
    if let Ok(n) = what.parse::<usize>() {
        return entries
            .iter()
            .find(|e| e.number == n)
            .ok_or_else(|| RestoreError::NoMatch(what.to_string()));
    }
    let about: Vec<&Entry> = entries.iter().filter(|e| e.target_id() == what).collect();
    about
        .iter()
        .rev()
        .find(|e| !matches!(e.status, Status::Failed(_)))
        .or(about.last())
        .copied()
        .ok_or_else(|| RestoreError::NoMatch(what.to_string()))
}

/// The latest entry for this server that was deleted and not restored: what `u` undoes.
pub fn last_deleted<'a>(entries: &'a [Entry], base_url: &str) -> Option<&'a Entry> {
    entries
        .iter()
        .rev()
        .find(|e| same_server(&e.base_url, base_url) && e.status == Status::Done)
}

fn same_server(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// A short description: `item msg_1 (message) of conv_1`, `conversation conv_1 (3 items)`.
pub fn describe(e: &Entry) -> String {
    match e.kind {
        Kind::Item => format!(
            "item {} ({}) of {}",
            e.target_id(),
            crate::protocol::models::kind_of(&e.object),
            e.conversation_id
        ),
        Kind::Conversation => format!(
            "conversation {} ({} item{}{})",
            e.conversation_id,
            e.item_count(),
            if e.item_count() == 1 { "" } else { "s" },
            if e.partial { ", partial backup" } else { "" }
        ),
    }
}

/// Checks that `entry` may be restored to `client`'s server.
async fn check(
    client: &Client,
    entry: &Entry,
    options: RestoreOptions,
) -> Result<(), RestoreError> {
    let (number, what) = (entry.number, describe(entry));
    match &entry.status {
        Status::Failed(why) => {
            return Err(RestoreError::DeleteFailed {
                number,
                what,
                why: why.clone(),
            })
        }
        Status::Restored { as_id } if !options.force => {
            return Err(RestoreError::AlreadyRestored {
                number,
                what,
                as_id: as_id.clone(),
            })
        }
        _ => {}
    }
    if !options.force && !same_server(&entry.base_url, client.base_url()) {
        return Err(RestoreError::OtherServer {
            number,
            recorded: entry.base_url.clone(),
            current: client.base_url().to_string(),
        });
    }
    if options.force || entry.status == Status::Done {
        return Ok(());
    }
    // The outcome was not recorded: ask the server whether the original is still there.
    let still = match entry.kind {
        Kind::Item => client
            .get_item(&entry.conversation_id, entry.target_id(), &[])
            .await
            .map(|_| ()),
        Kind::Conversation => client
            .get_conversation(&entry.conversation_id)
            .await
            .map(|_| ()),
    };
    match still {
        Ok(()) => Err(RestoreError::StillThere { number, what }),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// An item as it goes back in: without its old id, which the server replaces.
fn as_input(mut item: Value) -> Value {
    if let Some(obj) = item.as_object_mut() {
        obj.remove("id");
    }
    item
}

/// Where a deleted conversation is now: the id the journal says it was re-created with (and
/// that one's, if it was deleted and restored again), else its own. An item deleted from it
/// goes back there.
fn restored_as(entries: &[Entry], conversation: &str) -> String {
    let mut id = conversation.to_string();
    // Each step follows a newer restore; the bound only guards against a journal edited by hand.
    for _ in 0..entries.len() {
        let next = entries.iter().rev().find_map(|e| match &e.status {
            Status::Restored { as_id }
                if matches!(e.kind, Kind::Conversation) && e.conversation_id == id =>
            {
                Some(as_id.clone())
            }
            _ => None,
        });
        match next {
            Some(n) if n != id && !n.is_empty() => id = n,
            _ => break,
        }
    }
    id
}

/// Re-creates what `entry` deleted on `client`'s server and marks the entry restored.
pub async fn restore(
    client: &Client,
    journal: &Journal,
    entry: &Entry,
    options: RestoreOptions,
) -> Result<Restored, RestoreError> {
    // Read-only: refused before anything is read or sent.
    client.writable("restore a deleted item or conversation")?;
    let _lock = lock(journal).await?;
    // The entry as the journal has it now: another restore may have marked it meanwhile.
    let now = entries(journal).await?;
    let entry = now
        .iter()
        .find(|e| e.number == entry.number && e.entry_id == entry.entry_id)
        .unwrap_or(entry);
    restore_locked(client, journal, &now, entry, options).await
}

/// Waits for the journal's restore lock (see [`Journal::lock_restores`]).
async fn lock(journal: &Journal) -> Result<std::fs::File, RestoreError> {
    let j = journal.clone();
    tokio::task::spawn_blocking(move || j.lock_restores())
        .await
        .map_err(|e| journal_error(journal, e))?
        .map_err(|e| journal_error(journal, e))
}

/// [`restore`] with the lock held and the journal's entries `now` read under it.
async fn restore_locked(
    client: &Client,
    journal: &Journal,
    now: &[Entry],
    entry: &Entry,
    options: RestoreOptions,
) -> Result<Restored, RestoreError> {
    check(client, entry, options).await?;
    let restored = match entry.kind {
        Kind::Item => {
            let item = as_input(entry.object.clone());
            let conversation = restored_as(now, &entry.conversation_id);
            let page = client.create_items(&conversation, &[item], &[]).await?;
            Restored::Item {
                entry: entry.number,
                conversation,
                old_id: entry.target_id().to_string(),
                new_id: page
                    .data
                    .first()
                    .and_then(|i| i.id())
                    .unwrap_or_default()
                    .to_string(),
            }
        }
        Kind::Conversation => conversation(client, journal, entry).await?,
    };
    if let Some(id) = &entry.entry_id {
        let as_id = match &restored {
            Restored::Item { new_id, .. } | Restored::Conversation { new_id, .. } => new_id.clone(),
        };
        let (j, id) = (journal.clone(), id.clone());
        tokio::task::spawn_blocking(move || j.mark(&id, &Status::Restored { as_id }))
            .await
            .map_err(|e| journal_error(journal, e))?
            .map_err(|e| journal_error(journal, e))?;
    }
    Ok(restored)
}

async fn conversation(
    client: &Client,
    journal: &Journal,
    entry: &Entry,
) -> Result<Restored, RestoreError> {
    let metadata: Metadata = entry
        .object
        .get("metadata")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let items = match &entry.items {
        Items::None => futures::stream::empty().boxed(),
        Items::Line { line, .. } => {
            let (j, line) = (journal.clone(), *line);
            let list = tokio::task::spawn_blocking(move || j.inline_items(line))
                .await
                .map_err(|e| journal_error(journal, e))?
                .map_err(|e| journal_error(journal, e))?;
            futures::stream::iter(list.into_iter().map(Ok)).boxed()
        }
        Items::File { count: 0, .. } => futures::stream::empty().boxed(),
        Items::File { path, .. } => ItemSource::file(path).items().boxed(),
    };
    let mut chunks = Box::pin(input::chunked(items.map(|r| r.map(as_input))));
    let first = chunks
        .next()
        .await
        .transpose()
        .map_err(RestoreError::Add)?
        .unwrap_or_default();
    let conv = client
        .create_conversation((!metadata.is_empty()).then_some(&metadata), &first)
        .await?;
    let added = input::add_chunks(client, &conv.id, &[], chunks, first.len(), |_| Ok(()))
        .await
        .map_err(|e| {
            RestoreError::Add(format!(
                "conversation {} was re-created, but adding its items failed: {e}",
                conv.id
            ))
        })?;
    Ok(Restored::Conversation {
        entry: entry.number,
        old_id: entry.conversation_id.clone(),
        new_id: conv.id,
        items: added,
    })
}

/// Undoes the latest delete on `client`'s server that is not restored yet (the terminal UI's
/// `u`).
pub async fn undo_last(client: &Client, backup: &Backup) -> Result<Restored, RestoreError> {
    client.writable("undo a delete")?;
    let journal = Journal::new(&backup.path);
    // The entry is chosen under the lock: `u` pressed again while an undo runs undoes the
    // delete before it, not the same one again.
    let _lock = lock(&journal).await?;
    let all = entries(&journal).await?;
    let entry = last_deleted(&all, client.base_url()).ok_or(RestoreError::NothingToUndo)?;
    restore_locked(client, &journal, &all, entry, RestoreOptions::default()).await
}

/// `convtui restore ID…`: restores each in turn, prints one JSON line for each, says on stderr
/// what the API did with the ids, and adds restored conversations to the profile's registry.
pub async fn command(
    client: &Client,
    backup: &Backup,
    registry_path: &Path,
    args: &RestoreArgs,
) -> Result<(), RestoreError> {
    let journal = Journal::new(&backup.path);
    let options = RestoreOptions { force: args.force };
    for what in &args.ids {
        let all = entries(&journal).await?;
        let found = find(&all, what)?;
        let restored = restore(client, &journal, found, options).await?;
        let line = match &restored {
            Restored::Item {
                entry,
                conversation,
                old_id,
                new_id,
            } => {
                let moved = if *conversation != found.conversation_id {
                    format!(
                        "; its conversation {} was restored as {conversation}",
                        found.conversation_id
                    )
                } else {
                    String::new()
                };
                crate::commands::eprint_line(
                    "restored",
                    &format!("item {old_id} as {new_id} at the end of {conversation} (the API gives a re-created item a new id and adds it after the others){moved}"),
                );
                json!({"restored": "item", "entry": entry, "id": old_id, "new_id": new_id, "conversation": conversation})
            }
            Restored::Conversation {
                entry,
                old_id,
                new_id,
                items,
            } => {
                let path = registry_path.to_path_buf();
                let saved = crate::registry::Registry::change(&path, |r| {
                    r.add([new_id.as_str()]);
                });
                if let Err(e) = saved {
                    crate::commands::warn(&e.to_string());
                }
                crate::commands::eprint_line(
                    "restored",
                    &format!("conversation {old_id} as {new_id} with {items} item(s) (the API gives it a new id)"),
                );
                json!({"restored": "conversation", "entry": entry, "id": old_id, "new_id": new_id, "items": items})
            }
        };
        use std::io::Write;
        let line = crate::commands::to_json_line(&line).unwrap_or_default();
        let _ = writeln!(std::io::stdout(), "{line}");
    }
    Ok(())
}

/// `convtui restore` without ids: lists the journal's entries.
pub fn list(journal: &Journal, as_json: bool) -> Result<(), String> {
    let (entries, skipped) = journal
        .read()
        .map_err(|e| format!("cannot read {}: {e}", journal.path.display()))?;
    let mut out = Vec::new();
    if entries.is_empty() && !as_json {
        out.push(format!("nothing deleted yet ({})", journal.path.display()));
    }
    for e in &entries {
        let when = httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(e.deleted_at),
        );
        let status = match &e.status {
            Status::Failed(why) => format!("delete failed: {why}"),
            Status::Restored { as_id } => format!("restored as {as_id}"),
            Status::Pending => "may have been deleted (no outcome recorded)".into(),
            Status::Unknown => "outcome unknown (an entry of an earlier version)".into(),
            Status::Done => "deleted".into(),
        };
        if as_json {
            out.push(
                crate::commands::to_json_line(
                    &json!({"number": e.number, "kind": e.kind.as_str(), "id": e.target_id(),
                       "conversation_id": e.conversation_id, "type": match e.kind {
                           Kind::Item => crate::protocol::models::kind_of(&e.object),
                           Kind::Conversation => "conversation",
                       },
                       "items": (e.kind == Kind::Conversation).then(|| e.item_count()),
                       "deleted_at": e.deleted_at, "profile": e.profile, "base_url": e.base_url,
                       "status": e.status.label(), "detail": status}),
                )
                .unwrap_or_default(),
            );
        } else {
            out.push(crate::sanitize::line(&format!(
                "{:>3}  {when}  {}  [{} @ {}]  {status}",
                e.number,
                describe(e),
                e.profile,
                e.base_url
            )));
        }
    }
    if skipped > 0 {
        crate::commands::warn(&format!(
            "{skipped} line(s) of the journal could not be read"
        ));
    }
    let mut stdout = std::io::stdout().lock();
    for line in out {
        use std::io::Write;
        if writeln!(stdout, "{line}").is_err() {
            break;
        }
    }
    Ok(())
}
