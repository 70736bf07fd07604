//! The CLI's recording of what it reads: one writer for the process, set up by [`start`].
//!
//! Each hook is a no-op when the profile's mirror is off or could not be opened.

use std::path::Path;
use std::sync::Mutex;

use crate::api::{Conversation, Item, ItemPage, Order};
use crate::config::Profile;

use super::{base_key, path_for, MirrorWriter};

static WRITER: Mutex<Option<MirrorWriter>> = Mutex::new(None);

/// Keeps the process's writer; dropping it waits until everything is written.
pub struct Recording {
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Starts recording into the profile's mirror (unless `mirror = false`).
pub fn start(profile: &Profile, data_dir: &Path) -> Recording {
    if !profile.mirror {
        return Recording { thread: None };
    }
    let path = path_for(
        data_dir,
        &profile.name,
        &base_key(profile.base_url.as_deref()),
    );
    match MirrorWriter::start_joinable(&path) {
        Ok((writer, thread)) => {
            if let Ok(mut w) = WRITER.lock() {
                *w = Some(writer);
            }
            Recording {
                thread: Some(thread),
            }
        }
        Err(e) => {
            eprintln!("warning: the local mirror is not updated: {e}");
            Recording { thread: None }
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        let writer = WRITER.lock().ok().and_then(|mut w| w.take());
        let error = writer.as_ref().and_then(MirrorWriter::error);
        drop(writer);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(e) = error {
            eprintln!("warning: the local mirror could not be updated: {e}");
        }
    }
}

fn writer() -> Option<MirrorWriter> {
    WRITER.lock().ok().and_then(|w| w.clone())
}

/// A page of a listing of `conv`, fetched with cursor `after`.
pub async fn page(conv: &str, page: &ItemPage, order: Order, after: Option<&str>) {
    if let Some(w) = writer() {
        let items = page.data.iter().map(|i| i.0.clone()).collect();
        let _ = w.record_page_wait(conv, items, order, after, 0).await;
    }
}

/// An item read on its own.
pub async fn item(conv: &str, item: &Item) {
    if let Some(w) = writer() {
        let _ = w.record_item_wait(conv, item.0.clone()).await;
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
