//! The next page of a timeline that is loading everything (`L`, `G`), asked for while the
//! page before it travels to the event loop and is taken in. At most one page waits; a
//! request for anything else drops it, which cancels it, and so does `Esc` (a cancel). A page
//! asked for more than [`MAX_AGE`] before it is wanted is asked for again: the server may have
//! changed since.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use crate::api::{paging, ApiError, Client, ErrorKind, ItemPage, ListParams};

/// What a page asked for ahead was asked with: only the very same request takes it.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    conversation: String,
    generation: u64,
    params: ListParams,
}

/// Longest a page read ahead is kept for the request that wants it.
pub const MAX_AGE: Duration = Duration::from_secs(5);

struct Ahead {
    key: Key,
    asked: Instant,
    task: JoinHandle<Result<ItemPage, ApiError>>,
}

impl Drop for Ahead {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The one page asked for ahead, if any.
#[derive(Default)]
pub struct Slot(Mutex<Option<Ahead>>);

impl Slot {
    /// The page `params` asks for: the one asked for ahead when it is that very request,
    /// else a new request. Whatever else waited is cancelled.
    pub async fn fetch(
        &self,
        client: &Client,
        conversation: &str,
        generation: u64,
        params: &ListParams,
    ) -> Result<ItemPage, ApiError> {
        let key = Key {
            conversation: conversation.to_string(),
            generation,
            params: params.clone(),
        };
        let waiting = self
            .lock()
            .take()
            .filter(|a| a.key == key && a.asked.elapsed() <= MAX_AGE);
        match waiting {
            // Dropped while awaited (the request was cancelled), it is cancelled too.
            Some(mut ahead) => (&mut ahead.task).await.unwrap_or_else(|e| {
                Err(ApiError::new(
                    ErrorKind::Network,
                    format!("the page asked for ahead was lost: {e}"),
                ))
            }),
            None => client.list_items(conversation, params).await,
        }
    }

    /// After `page`, which `params` asked for: asks for the page that follows it, if the
    /// server says one does.
    pub fn ask_next(
        &self,
        client: &Client,
        conversation: &str,
        generation: u64,
        params: &ListParams,
        page: &ItemPage,
    ) {
        let next = paging::cursor_after(page).filter(|c| Some(c) != params.after.as_ref());
        let Some(after) = next.filter(|_| !page.data.is_empty()) else {
            return;
        };
        let params = ListParams {
            after: Some(after),
            ..params.clone()
        };
        let (client, conv, ask) = (client.clone(), conversation.to_string(), params.clone());
        let task = tokio::spawn(async move { client.list_items(&conv, &ask).await });
        *self.lock() = Some(Ahead {
            key: Key {
                conversation: conversation.to_string(),
                generation,
                params,
            },
            asked: Instant::now(),
            task,
        });
    }

    /// Drops (cancels) the page waiting, if any.
    pub fn clear(&self) {
        self.lock().take();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Ahead>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
