//! Brings mirrored conversations up to date with the server.
//!
//! Incremental: items are listed newest first (`order=desc`,
//! https://platform.openai.com/docs/api-reference/conversations/list-items) until a page holds
//! an item the mirror already has. A conversation never listed to its oldest item is then
//! continued after the oldest item the mirror has. `full` lists everything and marks items the
//! server no longer has as deleted.

use std::collections::HashSet;

use serde::Serialize;

use super::{Mirror, MirrorError, MirrorWriter};
use crate::api::paging::{self, Seen};
use crate::api::{
    next_cursor, ApiError, Client, ErrorKind, ItemPage, ListParams, Next, Order, PageEvent,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOptions {
    pub full: bool,
    /// Items per list request.
    pub page_size: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            full: false,
            page_size: 100,
        }
    }
}

/// What a sync of one conversation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub conversation: String,
    /// Items received that the mirror did not have.
    pub new: u64,
    /// Items received in all.
    pub received: u64,
    /// List requests sent.
    pub list_requests: u64,
    /// Items marked deleted (with `full`).
    pub deleted: u64,
    /// The server no longer has the conversation.
    pub gone: bool,
    /// Whether the mirror now holds the conversation to its oldest item.
    pub complete: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Mirror(#[from] MirrorError),
}

/// Syncs one conversation. `progress` is told the number of items received so far.
pub async fn conversation(
    client: &Client,
    mirror: &Mirror,
    writer: &MirrorWriter,
    conv: &str,
    opts: SyncOptions,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport {
        conversation: conv.to_string(),
        ..SyncReport::default()
    };
    match client.get_conversation(conv).await {
        Ok(c) => {
            let value = serde_json::to_value(&c).unwrap_or_default();
            writer.record_conversation(&value);
        }
        Err(e) if e.status == Some(404) => {
            // Its items went with it: those the mirror still had as live are marked too.
            report.deleted = mirror.stats(conv)?.items;
            writer.mark_conversation_deleted_wait(conv).await?;
            report.gone = true;
            return Ok(report);
        }
        Err(e) => return Err(e.into()),
    }
    let generation = if opts.full {
        mirror.generation(conv)? + 1
    } else {
        0
    };
    let was_complete = mirror.is_complete(conv)?;
    let oldest = mirror.oldest(conv)?;
    // A conversation the mirror has nothing of: no page can hold a known item (pages of one
    // listing never share items), so the pages are not looked up.
    let listing = Listing {
        client,
        mirror,
        writer,
        conv,
        generation,
        page_size: opts.page_size,
        empty: !mirror.has_items(conv)?,
    };
    // The newest end first; stop at a known item unless listing everything.
    let head = listing
        .list(None, !opts.full, &mut report, progress)
        .await?;
    let mut complete = head == End::Last;
    if head == End::Known && !was_complete {
        if let Some(oldest) = oldest {
            // The mirror has items now: the tail's pages are looked up.
            let tail = Listing {
                empty: false,
                ..listing
            };
            let end = tail
                .list(Some(oldest), false, &mut report, progress)
                .await?;
            complete = end == End::Last;
        }
    }
    if opts.full && complete {
        report.deleted = writer.end_full(conv, generation).await?;
    }
    report.complete = complete || (was_complete && head == End::Known);
    if report.complete {
        writer.complete(conv).await?;
    }
    Ok(report)
}

#[derive(Debug, PartialEq, Eq)]
enum End {
    /// The listing reached the oldest item.
    Last,
    /// A page held an item the mirror had.
    Known,
    /// The server made no progress; the listing may be incomplete.
    Stalled,
}

/// A page asked for ahead; dropped (an error, the listing stopped), the request is cancelled.
struct Ahead(tokio::task::JoinHandle<Result<ItemPage, ApiError>>);

impl Drop for Ahead {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A conversation's listings of one sync.
#[derive(Clone, Copy)]
struct Listing<'a> {
    client: &'a Client,
    mirror: &'a Mirror,
    writer: &'a MirrorWriter,
    conv: &'a str,
    generation: i64,
    /// Items per list request.
    page_size: u32,
    /// The mirror has nothing of the conversation: no page can hold a known item (pages of
    /// one listing never share items), so the pages are not looked up.
    empty: bool,
}

impl Listing<'_> {
    /// Counts a page in; answers whether it held an item the mirror had.
    fn look(
        &self,
        page: &ItemPage,
        report: &mut SyncReport,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<bool, SyncError> {
        let ids: Vec<&str> = page.data.iter().filter_map(|i| i.id()).collect();
        let known = if self.empty {
            HashSet::new()
        } else {
            self.mirror.known(self.conv, &ids)?
        };
        report.received += page.data.len() as u64;
        report.new += ids.iter().filter(|id| !known.contains(**id)).count() as u64;
        progress(report.received);
        Ok(!known.is_empty())
    }

    /// Records a page fetched with cursor `after`.
    async fn record(&self, page: &ItemPage, after: Option<&str>) -> Result<(), SyncError> {
        // The rows are made on this task, beside the writer's thread rather than on it.
        self.writer
            .record_listed_wait(self.conv, page, Order::Desc, after, self.generation)
            .await?;
        Ok(())
    }

    /// Lists to the oldest item, the next page always on its way (`api::paging::ahead`).
    async fn list_to_the_end(
        &self,
        params: ListParams,
        report: &mut SyncReport,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<End, SyncError> {
        let mut after = params.after.clone();
        let mut pages = paging::ahead(Box::pin(self.client.item_pages(self.conv, params)));
        let mut end = End::Last;
        while let Some(event) = pages.rx.recv().await {
            match event {
                Ok(PageEvent::Page(page)) => {
                    report.list_requests += 1;
                    self.look(&page, report, progress)?;
                    self.record(&page, after.as_deref()).await?;
                    // The cursor the stream asks the next page with (`last_id`, else the last
                    // item's id): the writer places that page after it.
                    after = paging::cursor_after(&page).or(after);
                }
                Ok(PageEvent::Stopped(why)) => {
                    report.warnings.push(why);
                    end = End::Stalled;
                }
                // The listing limits (pages, items) end it as a server that makes no
                // progress does: what came is kept, the conversation is not complete.
                Err(e) if e.kind == ErrorKind::Limit => {
                    report.warnings.push(e.message);
                    end = End::Stalled;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(end)
    }
}

impl Listing<'_> {
    /// Lists newest first from `after`; with `stop_at_known`, until a page holds an item the
    /// mirror has.
    async fn list(
        self,
        after: Option<String>,
        stop_at_known: bool,
        report: &mut SyncReport,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<End, SyncError> {
        let params = ListParams {
            limit: self.page_size,
            order: Order::Desc,
            after,
            include: Vec::new(),
        };
        // No known item can stop it: every page is wanted, so the next is always asked for.
        if !stop_at_known || self.empty {
            return self.list_to_the_end(params, report, progress).await;
        }
        self.list_to_a_known_item(params, report, progress).await
    }

    /// Lists until a page holds an item the mirror has (or to the end).
    async fn list_to_a_known_item(
        self,
        mut params: ListParams,
        report: &mut SyncReport,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<End, SyncError> {
        let mut seen = Seen::default();
        // The next page, asked for while this one is looked up and recorded: only once a page
        // held nothing known, so that an incremental sync that ends on its first page sends one
        // request.
        let mut ahead: Option<Ahead> = None;
        loop {
            let page = match ahead.take() {
                Some(mut fetch) => (&mut fetch.0).await.map_err(|e| {
                    ApiError::new(ErrorKind::Network, format!("the listing stopped: {e}"))
                })??,
                None => {
                    report.list_requests += 1;
                    self.client.list_items(self.conv, &params).await?
                }
            };
            let next = next_cursor(params.after.as_deref(), &page, &mut seen);
            let known = self.look(&page, report, progress)?;
            if let (false, Next::After(cursor)) = (known, &next) {
                let (client, conv) = (self.client.clone(), self.conv.to_string());
                let mut ask = params.clone();
                ask.after = Some(cursor.clone());
                report.list_requests += 1;
                ahead = Some(Ahead(tokio::spawn(async move {
                    client.list_items(&conv, &ask).await
                })));
            }
            self.record(&page, params.after.as_deref()).await?;
            if known {
                // A known item on the last page: the listing reached the oldest item as well.
                return Ok(if matches!(next, Next::Done) {
                    End::Last
                } else {
                    End::Known
                });
            }
            match next {
                Next::After(cursor) => params.after = Some(cursor),
                Next::Done => return Ok(End::Last),
                Next::Stalled(why) => {
                    report.warnings.push(why);
                    return Ok(End::Stalled);
                }
            }
        }
    }
}
