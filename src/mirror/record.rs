//! The CLI's recording of what it reads: one writer for the process, set up by [`start`].
//!
//! Each hook is a no-op when the profile's mirror is off or could not be opened.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::api::{Conversation, Item, ItemPage, Order};
use crate::config::Profile;

use super::row::Row;
use super::{base_key, path_for, MirrorWriter};

/// The process's writer, opened on first use so that commands that record nothing create no
/// file.
#[derive(Default)]
struct Slot {
    path: Option<PathBuf>,
    writer: Option<MirrorWriter>,
    thread: Option<std::thread::JoinHandle<()>>,
}

static SLOT: Mutex<Slot> = Mutex::new(Slot {
    path: None,
    writer: None,
    thread: None,
});

/// Keeps the process's writer; dropping it waits until everything is written.
pub struct Recording(());

/// Starts recording into the profile's mirror (unless `mirror = false`).
pub fn start(profile: &Profile, data_dir: &Path) -> Recording {
    if profile.mirror {
        if let Ok(mut slot) = SLOT.lock() {
            slot.path = Some(path_for(
                data_dir,
                &profile.name,
                &base_key(profile.base_url.as_deref()),
            ));
        }
    }
    Recording(())
}

impl Drop for Recording {
    fn drop(&mut self) {
        let (writer, thread) = match SLOT.lock() {
            Ok(mut slot) => {
                slot.path = None;
                (slot.writer.take(), slot.thread.take())
            }
            Err(_) => return,
        };
        drop(writer);
        if let Some(thread) = thread {
            let _ = thread.join();
        }
        if let Some(e) = ERROR.lock().ok().and_then(|mut e| e.take()) {
            crate::commands::warn(&format!("the local mirror could not be updated: {e}"));
        }
    }
}

static ERROR: Mutex<Option<String>> = Mutex::new(None);

fn writer() -> Option<MirrorWriter> {
    let mut slot = SLOT.lock().ok()?;
    if slot.writer.is_none() {
        let path = slot.path.take()?;
        match MirrorWriter::start_joinable(&path, crate::mirror::Memory::LARGE) {
            Ok((writer, thread)) => {
                slot.writer = Some(writer);
                slot.thread = Some(thread);
            }
            Err(e) => {
                crate::commands::warn(&format!("the local mirror is not updated: {e}"));
                return None;
            }
        }
    }
    slot.writer.clone()
}

fn note_error(w: &MirrorWriter) {
    if let Some(e) = w.error() {
        if let Ok(mut slot) = ERROR.lock() {
            slot.get_or_insert(e);
        }
    }
}

/// A page of a listing of `conv`, fetched with cursor `after`.
pub async fn page(conv: &str, page: &ItemPage, order: Order, after: Option<&str>) {
    if let Some(w) = writer() {
        let _ = w.record_listed_wait(conv, page, order, after, 0).await;
        note_error(&w);
    }
}

/// Whether pages are recorded (the profile's mirror is on and could be opened).
pub fn active() -> bool {
    writer().is_some()
}

/// Like [`page`], with the rows of its items made by the caller (see [`Row::with_raw`]).
pub async fn rows(conv: &str, rows: Vec<Row>, order: Order, after: Option<&str>) {
    if let Some(w) = writer() {
        let _ = w.record_rows_wait(conv, rows, order, after, 0).await;
        note_error(&w);
    }
}

/// An item read on its own.
pub async fn item(conv: &str, item: &Item) {
    if let Some(w) = writer() {
        let _ = w.record_item_wait(conv, item.0.clone()).await;
        note_error(&w);
    }
}

/// A conversation object.
pub fn conversation(c: &Conversation) {
    if let (Some(w), Ok(value)) = (writer(), serde_json::to_value(c)) {
        w.record_conversation(&value);
    }
}

/// An item deleted through convtui.
pub fn item_deleted(conv: &str, item: &str) {
    if let Some(w) = writer() {
        w.mark_deleted(conv, item);
    }
}

/// A conversation deleted through convtui.
pub fn conversation_deleted(conv: &str) {
    if let Some(w) = writer() {
        w.mark_conversation_deleted(conv);
    }
}
