//! The mirror's writer: a thread with its own connection, fed by a bounded channel, so that
//! recording a page never waits for the disk.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::fresh::Fresh;
use super::gone::Gone;
use super::row::Row;
use super::writer_file::File;
use super::{now, text, MirrorError};
use crate::api::Order;

/// Operations waiting at most. The senders that wait (`*_wait`) wait for room; the others
/// (`record_conversation`, `mark_deleted`, …) leave the operation out (see [`MirrorWriter::dropped`]).
pub const QUEUE: usize = 64;

enum Op {
    Page {
        conv: String,
        items: Items,
        order: Order,
        after: Option<String>,
        generation: i64,
    },
    Conversation(Value),
    ConversationGone(String),
    ItemGone {
        conv: String,
        item: String,
    },
    /// After a complete listing: marks the items not seen in it as deleted.
    EndFull {
        conv: String,
        generation: i64,
        reply: oneshot::Sender<u64>,
    },
    Complete(String),
    Flush(oneshot::Sender<()>),
}

/// A page's items: as read (the writer makes their rows), or as rows made by the reader.
enum Items {
    Values(Vec<Value>),
    Rows(Vec<Row>),
}

impl Items {
    fn len(&self) -> usize {
        match self {
            Items::Values(v) => v.len(),
            Items::Rows(r) => r.len(),
        }
    }
}

/// Sends pages, conversations and deletions to the mirror's writer thread.
#[derive(Clone)]
pub struct MirrorWriter {
    tx: mpsc::Sender<Op>,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    error: Option<String>,
    dropped: u64,
}

impl MirrorWriter {
    /// Opens its own connection to `path` and starts the thread. The thread ends once every
    /// clone of the writer is dropped and what they sent is written.
    pub fn start(path: &Path, memory: Memory) -> Result<MirrorWriter, MirrorError> {
        Self::start_joinable(path, memory).map(|(w, _)| w)
    }

    /// Like [`Self::start`], also answering the thread, to wait for it at exit.
    pub fn start_joinable(
        path: &Path,
        memory: Memory,
    ) -> Result<(MirrorWriter, std::thread::JoinHandle<()>), MirrorError> {
        let file = File::open(path, memory)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let thread = std::thread::Builder::new()
            .name("convtui-mirror".into())
            .spawn(move || run(file, rx, shared))
            .map_err(|e| MirrorError::Directory {
                path: path.display().to_string(),
                source: e,
            })?;
        Ok((MirrorWriter { tx, state }, thread))
    }

    fn offer(&self, op: Op) {
        if self.tx.try_send(op).is_err() {
            if let Ok(mut s) = self.state.lock() {
                s.dropped += 1;
            }
        }
    }

    /// Records one page of a listing of `conv` in `order`, fetched with cursor `after`;
    /// waits for room in the queue (see [`QUEUE`]).
    pub async fn record_page_wait(
        &self,
        conv: &str,
        items: Vec<Value>,
        order: Order,
        after: Option<&str>,
        generation: i64,
    ) -> Result<(), MirrorError> {
        self.send(page(conv, Items::Values(items), order, after, generation))
            .await
    }

    /// Like [`Self::record_page_wait`], with the rows made already (see [`Row::of`]), so that
    /// the writer's thread has only the writing to do.
    pub async fn record_rows_wait(
        &self,
        conv: &str,
        rows: Vec<Row>,
        order: Order,
        after: Option<&str>,
        generation: i64,
    ) -> Result<(), MirrorError> {
        self.send(page(conv, Items::Rows(rows), order, after, generation))
            .await
    }

    /// Records a page of a listing, its rows made here on the caller's task (see
    /// [`Row::of_page`]), so that the writer's thread has only the writing to do.
    pub async fn record_listed_wait(
        &self,
        conv: &str,
        page: &crate::api::ItemPage,
        order: Order,
        after: Option<&str>,
        generation: i64,
    ) -> Result<(), MirrorError> {
        self.record_rows_wait(conv, Row::of_page(page), order, after, generation)
            .await
    }

    async fn send(&self, op: Op) -> Result<(), MirrorError> {
        self.tx.send(op).await.map_err(|_| MirrorError::Stopped)
    }

    /// Records one item read on its own (its place in the order is kept when the mirror has
    /// it, else it is taken as the newest).
    pub async fn record_item_wait(&self, conv: &str, item: Value) -> Result<(), MirrorError> {
        // An ascending page after a cursor the mirror does not know goes above the newest item.
        self.record_page_wait(conv, vec![item], Order::Asc, Some(""), 0)
            .await
    }

    /// Records a conversation object (its metadata is searched too).
    pub fn record_conversation(&self, conversation: &Value) {
        self.offer(Op::Conversation(conversation.clone()));
    }

    /// Like [`Self::record_conversation`], but waits for room instead of leaving it out.
    pub async fn record_conversation_wait(&self, conversation: Value) -> Result<(), MirrorError> {
        self.send(Op::Conversation(conversation)).await
    }

    /// Marks a conversation deleted on the server.
    pub fn mark_conversation_deleted(&self, conv: &str) {
        self.offer(Op::ConversationGone(conv.to_string()));
    }

    /// Marks an item deleted on the server.
    pub fn mark_deleted(&self, conv: &str, item: &str) {
        self.offer(Op::ItemGone {
            conv: conv.to_string(),
            item: item.to_string(),
        });
    }

    /// Like [`Self::mark_deleted`], but waits for room instead of leaving the mark out.
    pub async fn mark_deleted_wait(&self, conv: &str, item: &str) -> Result<(), MirrorError> {
        self.send(Op::ItemGone {
            conv: conv.to_string(),
            item: item.to_string(),
        })
        .await
    }

    /// Like [`Self::mark_conversation_deleted`], but waits for room instead of leaving the
    /// mark out.
    pub async fn mark_conversation_deleted_wait(&self, conv: &str) -> Result<(), MirrorError> {
        self.send(Op::ConversationGone(conv.to_string())).await
    }

    /// After a complete listing recorded with `generation`: marks every item of `conv` not in
    /// it as deleted, and answers how many were marked.
    pub async fn end_full(&self, conv: &str, generation: i64) -> Result<u64, MirrorError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Op::EndFull {
                conv: conv.to_string(),
                generation,
                reply,
            })
            .await
            .map_err(|_| MirrorError::Stopped)?;
        answer.await.map_err(|_| MirrorError::Stopped)
    }

    /// Notes that a listing of `conv` reached its oldest item.
    pub async fn complete(&self, conv: &str) -> Result<(), MirrorError> {
        self.tx
            .send(Op::Complete(conv.to_string()))
            .await
            .map_err(|_| MirrorError::Stopped)
    }

    /// Waits until everything sent so far is written. Answers the first write error, if any.
    pub async fn flush(&self) -> Result<(), String> {
        let (reply, done) = oneshot::channel();
        if self.tx.send(Op::Flush(reply)).await.is_ok() {
            let _ = done.await;
        }
        self.error().map_or(Ok(()), Err)
    }

    /// The first write error, if one happened.
    pub fn error(&self) -> Option<String> {
        self.state.lock().ok().and_then(|s| s.error.clone())
    }

    /// Operations left out because the writer was behind.
    pub fn dropped(&self) -> u64 {
        self.state.lock().map(|s| s.dropped).unwrap_or(0)
    }
}

fn page(conv: &str, items: Items, order: Order, after: Option<&str>, generation: i64) -> Op {
    Op::Page {
        conv: conv.to_string(),
        items,
        order,
        after: after.map(str::to_string),
        generation,
    }
}

/// What one writer may hold in memory: SQLite's page cache and the full-text index's terms
/// before they are flushed to the file; and how far the write-ahead log grows before its pages
/// are copied into the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    pub cache_kib: i64,
    pub index_bytes: i64,
    pub log_bytes: i64,
}

impl Memory {
    /// For `sync` and the CLI's listings, which write many pages at once: a page cache large
    /// enough for the index's merges and the id index's random inserts (the default 2 MiB
    /// rereads pages from the file all the time), fewer, larger index segments, and a log of
    /// 40 MB, so that a page written by several transactions is copied into the file once
    /// (about a tenth of the time of writing a long listing).
    pub const LARGE: Memory = Memory {
        cache_kib: 32 * 1024,
        index_bytes: 16 * 1024 * 1024,
        log_bytes: 40 * 1024 * 1024,
    };
    /// For the terminal UI, which stays open all day and writes a page at a time: SQLite's
    /// default cache, the index's default flush size and SQLite's default log (1,000 pages of
    /// 4 KB).
    pub const SMALL: Memory = Memory {
        cache_kib: 2 * 1024,
        index_bytes: 1024 * 1024,
        log_bytes: 4 * 1024 * 1024,
    };
}

/// How long the writer waits for the next operation before it commits.
const IDLE: Duration = Duration::from_millis(50);
/// Longest a transaction stays open, and most items in one: few large transactions keep the
/// full-text index in few segments, which is most of the cost of writing it.
const MAX_HOLD: Duration = Duration::from_secs(2);
const MAX_ITEMS: usize = 50_000;

fn run(mut file: File, mut rx: mpsc::Receiver<Op>, state: Arc<Mutex<State>>) {
    let timer = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .ok();
    // The next operation: waits at most IDLE when a transaction is open.
    let next = |rx: &mut mpsc::Receiver<Op>, open: bool| -> Option<Op> {
        match rx.try_recv() {
            Ok(op) => Some(op),
            Err(mpsc::error::TryRecvError::Disconnected) => None,
            Err(mpsc::error::TryRecvError::Empty) if !open => rx.blocking_recv(),
            Err(mpsc::error::TryRecvError::Empty) => timer
                .as_ref()
                .and_then(|t| {
                    t.block_on(async { tokio::time::timeout(IDLE, rx.recv()).await })
                        .ok()
                })
                .flatten(),
        }
    };
    let mut fresh = Fresh::default();
    let mut gone = Gone::default();
    while let Some(first) = next(&mut rx, false) {
        let started = Instant::now();
        let mut replies = Vec::new();
        if let Err(e) = file.reopen_if_gone(&mut fresh) {
            tracing::warn!("the mirror could not be opened again: {e}");
        }
        let conn = &mut file.conn;
        let result = (|| -> rusqlite::Result<()> {
            // Immediate: the write lock is taken at the start, so what this transaction looked
            // up cannot be changed by another writer (the terminal UI's and a `sync`) before it
            // writes; the other waits for it (the busy timeout) instead.
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            fresh.begin(&tx)?;
            let mut op = first;
            let mut items = 0usize;
            loop {
                let urgent = matches!(op, Op::Flush(_) | Op::EndFull { .. });
                items += match &op {
                    Op::Page { items, .. } => items.len(),
                    _ => 1,
                };
                apply(&tx, op, &mut replies, &mut fresh, &mut gone)?;
                if urgent || items >= MAX_ITEMS || started.elapsed() >= MAX_HOLD {
                    break;
                }
                match next(&mut rx, true) {
                    Some(more) => op = more,
                    None => break,
                }
            }
            tx.commit()
        })();
        if let Err(e) = result {
            tracing::warn!("the mirror could not be written: {e}");
            fresh.forget();
            if let Ok(mut s) = state.lock() {
                s.error.get_or_insert_with(|| e.to_string());
            }
        }
        for reply in replies {
            reply();
        }
    }
}

type Reply = Box<dyn FnOnce() + Send>;

/// The conversation's row, added when missing. Looked up first: the insert runs a trigger,
/// and a statement with a trigger opens a savepoint, at which the full-text index writes out
/// what it holds in memory (a segment for every page, and their merges, were most of the cost
/// of writing a listing).
fn conv_row(tx: &Transaction, conv: &str) -> rusqlite::Result<i64> {
    let mut select = tx.prepare_cached("SELECT rowid FROM conversations WHERE id = ?1")?;
    if let Some(rowid) = select.query_row([conv], |r| r.get(0)).optional()? {
        return Ok(rowid);
    }
    tx.prepare_cached("INSERT INTO conversations(id) VALUES (?1)")?
        .execute([conv])?;
    Ok(tx.last_insert_rowid())
}

fn apply(
    tx: &Transaction,
    op: Op,
    replies: &mut Vec<Reply>,
    fresh: &mut Fresh,
    gone: &mut Gone,
) -> rusqlite::Result<()> {
    match op {
        Op::Page {
            conv,
            items,
            order,
            after,
            generation,
        } => {
            let after = after.as_deref();
            write_page(tx, (fresh, gone), &conv, items, order, after, generation)
        }
        Op::Conversation(value) => {
            let Some(id) = value.get("id").and_then(Value::as_str) else {
                return Ok(());
            };
            let raw = value.to_string();
            // Read before its delete, it stays deleted (see `Gone`).
            let dead = gone.holds_conversation(id).then(now);
            tx.execute(
                "INSERT INTO conversations(id, raw, read_at, deleted_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET raw = excluded.raw, read_at = excluded.read_at,
                 deleted_at = CASE WHEN ?4 IS NULL THEN NULL ELSE COALESCE(deleted_at, ?4) END",
                params![id, raw, now(), dead],
            )?;
            Ok(())
        }
        Op::ConversationGone(conv) => {
            gone.conversation(&conv);
            // Its items went with it.
            let at = now();
            tx.execute(
                "UPDATE items SET deleted_at = ?2 WHERE deleted_at IS NULL
                 AND conv = (SELECT rowid FROM conversations WHERE id = ?1)",
                params![conv, at],
            )?;
            tx.execute(
                "UPDATE conversations SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
                params![conv, at],
            )?;
            Ok(())
        }
        Op::ItemGone { conv, item } => {
            gone.item(&conv, &item);
            tx.execute(
                "UPDATE items SET deleted_at = ?3
                 WHERE key = id_key(?2) AND id = ?2 AND deleted_at IS NULL
                 AND +conv = (SELECT rowid FROM conversations WHERE id = ?1)",
                params![conv, item, now()],
            )?;
            Ok(())
        }
        Op::EndFull {
            conv,
            generation,
            reply,
        } => {
            let marked = tx.execute(
                "UPDATE items SET deleted_at = ?3 WHERE deleted_at IS NULL AND seen_gen < ?2
                 AND conv = (SELECT rowid FROM conversations WHERE id = ?1)",
                params![conv, generation, now()],
            )?;
            replies.push(Box::new(move || {
                let _ = reply.send(marked as u64);
            }));
            Ok(())
        }
        Op::Complete(conv) => {
            tx.execute(
                "UPDATE conversations SET complete = 1, synced_at = ?2 WHERE id = ?1",
                params![conv, now()],
            )?;
            Ok(())
        }
        Op::Flush(reply) => {
            replies.push(Box::new(move || {
                let _ = reply.send(());
            }));
            Ok(())
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn write_page(
    tx: &Transaction,
    (fresh, gone): (&mut Fresh, &Gone),
    conv: &str,
    items: Items,
    order: Order,
    after: Option<&str>,
    generation: i64,
) -> rusqlite::Result<()> {
    let rows = match items {
        Items::Values(values) => Row::all(&values),
        Items::Rows(rows) => rows,
    };
    // An id twice in a page is kept once.
    let mut rows = rows;
    let first: Vec<bool> = {
        let mut ids = std::collections::HashSet::with_capacity(rows.len());
        rows.iter().map(|r| ids.insert(r.id.as_str())).collect()
    };
    let mut first = first.into_iter();
    rows.retain(|_| first.next().unwrap_or(true));
    if rows.is_empty() {
        return Ok(());
    }
    let rowid = conv_row(tx, conv)?;
    // Two subqueries, so that each is one index lookup.
    let bounds: (Option<i64>, Option<i64>) = tx
        .prepare_cached(
            "SELECT (SELECT MIN(pos) FROM items WHERE conv = ?1),
                    (SELECT MAX(pos) FROM items WHERE conv = ?1)",
        )?
        .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if bounds == (None, None) {
        fresh.track(rowid);
    }
    let keys: Vec<i64> = rows.iter().map(|r| super::id_key(&r.id)).collect();
    // The ids to look up: all of them, unless the writer knows the conversation's items.
    let ask: Vec<&str> = rows
        .iter()
        .zip(&keys)
        .filter(|(_, key)| fresh.may_hold(rowid, **key) != Some(false))
        .map(|(row, _)| row.id.as_str())
        .collect();
    // Each known item's row, position and whether its JSON is unchanged: one statement for
    // the page (a statement per item cost more than the lookups themselves).
    let mut found = std::collections::HashMap::new();
    if !ask.is_empty() {
        let page_ids = serde_json::to_string(&ask).unwrap_or_else(|_| "[]".into());
        let mut lookup = tx.prepare_cached(
            // `IN`, not a join with `json_each`: the join is planned as a scan of the
            // conversation's items.
            "SELECT id, rowid, pos, raw FROM items
             WHERE key IN (SELECT id_key(value) FROM json_each(?2))
             AND id IN (SELECT value FROM json_each(?2)) AND +conv = ?1",
        )?;
        let mut answers = lookup.query(params![rowid, page_ids])?;
        while let Some(r) = answers.next()? {
            let raw = r.get_ref(3)?.as_str().unwrap_or_default().to_string();
            found.insert(
                r.get::<_, String>(0)?,
                (r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, raw),
            );
        }
    }
    let known: Vec<Option<(i64, i64, bool)>> = rows
        .iter()
        .map(|row| {
            found
                .get(&row.id)
                .map(|(item, pos, raw)| (*item, *pos, *raw == row.raw))
        })
        .collect();
    let cursor = match after {
        Some(a) => tx
            .prepare_cached(
                "SELECT pos FROM items WHERE key = id_key(?2) AND id = ?2 AND +conv = ?1",
            )?
            .query_row(params![rowid, a], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let known_pos: Vec<Option<i64>> = known.iter().map(|k| k.map(|(_, pos, _)| pos)).collect();
    let positions = text::place(
        &known_pos,
        cursor,
        after.is_none(),
        order == Order::Asc,
        (bounds.0.unwrap_or(0), bounds.1.unwrap_or(0)),
    );
    let mut insert = tx.prepare_cached(
        "INSERT INTO items(conv, id, key, pos, type, role, raw, seen_gen, deleted_at)
         VALUES (?1, ?2, ?8, ?3, ?4, ?5, ?6, ?7, ?9)",
    )?;
    let mut index =
        tx.prepare_cached("INSERT INTO search(rowid, body, ids) VALUES (?1, ?2, NULL)")?;
    // Changed JSON goes through the trigger that indexes it again; an item seen again as it
    // was is only marked seen, by a statement without a trigger (see `conv_row`).
    // A listed item is live, unless this writer marked it deleted (see `Gone`): then `dead`,
    // the time it is marked at, is not null, and a mark it has is kept.
    let mut replace = tx.prepare_cached(
        "UPDATE items SET raw = ?2, type = ?3, role = ?4, seen_gen = MAX(seen_gen, ?5),
         deleted_at = CASE WHEN ?6 IS NULL THEN NULL ELSE COALESCE(deleted_at, ?6) END
         WHERE rowid = ?1",
    )?;
    let mut seen = tx.prepare_cached(
        "UPDATE items SET seen_gen = MAX(seen_gen, ?2),
         deleted_at = CASE WHEN ?3 IS NULL THEN NULL ELSE COALESCE(deleted_at, ?3) END
         WHERE rowid = ?1",
    )?;
    let at = (!gone.is_empty()).then(now);
    for (((row, pos), was_known), key) in rows.iter().zip(positions).zip(&known).zip(&keys) {
        let dead = at.filter(|_| gone.holds(conv, &row.id));
        match was_known {
            Some((item, _, true)) => {
                seen.execute(params![item, generation, dead])?;
            }
            Some((item, _, false)) => {
                replace.execute(params![item, row.raw, row.kind, row.role, generation, dead])?;
            }
            None => {
                insert.execute(params![
                    rowid, row.id, pos, row.kind, row.role, row.raw, generation, key, dead
                ])?;
                index.execute(params![tx.last_insert_rowid(), row.text])?;
                fresh.added(rowid, *key);
            }
        }
    }
    Ok(())
}
