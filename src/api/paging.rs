//! Cursor pagination that never loops on a server that makes no progress, and never runs past
//! the listing limits (pages and items) however long the server keeps saying `has_more`.
//!
//! See <https://platform.openai.com/docs/api-reference/conversations/list-items>.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

use futures::{Stream, StreamExt};
use reqwest::Method;
use serde_json::Value;

use super::models::{Item, ItemPage};
use super::{ApiError, Client, Effect, ErrorKind, ListParams};

/// Default most pages one listing may fetch.
pub const DEFAULT_MAX_PAGES: u64 = 10_000;
/// Default most items one listing may hold.
pub const DEFAULT_MAX_ITEMS: u64 = 1_000_000;

/// Bounds on one listing (`items list --all`, a conversation's backup, the terminal UI's
/// load-all): a server that never stops paging meets a clear error instead of endless memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_pages: u64,
    pub max_items: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pages: DEFAULT_MAX_PAGES,
            max_items: DEFAULT_MAX_ITEMS,
        }
    }
}

impl Limits {
    /// `Err` with a message that names the setting once `pages` pages or `items` items go past
    /// the limits.
    pub fn check(&self, pages: u64, items: u64) -> Result<(), String> {
        if pages > self.max_pages {
            return Err(format!(
                "stopped after {} pages: the listing limit is {} pages (raise max_list_pages in the profile, CONVTUI_MAX_LIST_PAGES or --max-list-pages)",
                self.max_pages, self.max_pages
            ));
        }
        if items > self.max_items {
            return Err(format!(
                "stopped before the listing went past its limit of {} items; the page that would have is left out (raise max_list_items in the profile, CONVTUI_MAX_LIST_ITEMS or --max-list-items)",
                self.max_items
            ));
        }
        Ok(())
    }

    /// `CONVTUI_MAX_LIST_PAGES` / `CONVTUI_MAX_LIST_ITEMS` from `env`, over a profile's
    /// `max_list_pages` / `max_list_items`, over the defaults.
    pub fn resolve(
        pages: Option<u64>,
        items: Option<u64>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Limits, String> {
        let pick = |var: &str, setting: Option<u64>, default: u64| {
            let n = match env(var) {
                Some(text) => text
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| format!("{var} must be a whole number above 0"))?,
                None => setting.unwrap_or(default),
            };
            if n == 0 {
                return Err(format!("{var} (or its profile setting) must be above 0"));
            }
            Ok(n)
        };
        Ok(Limits {
            max_pages: pick("CONVTUI_MAX_LIST_PAGES", pages, DEFAULT_MAX_PAGES)?,
            max_items: pick("CONVTUI_MAX_LIST_ITEMS", items, DEFAULT_MAX_ITEMS)?,
        })
    }

    /// The error a listing ends with when [`Limits::check`] fails.
    pub fn error(message: String) -> ApiError {
        ApiError::new(ErrorKind::Limit, message)
    }
}

/// The ids a listing has received, to tell a server that sends items again.
pub trait SeenIds {
    /// Adds an id; `false` when it was there already.
    fn insert_id(&mut self, id: &str) -> bool;
    fn contains_id(&self, id: &str) -> bool;
    fn count(&self) -> usize;
}

impl SeenIds for HashSet<String> {
    fn insert_id(&mut self, id: &str) -> bool {
        self.insert(id.to_string())
    }
    fn contains_id(&self, id: &str) -> bool {
        self.contains(id)
    }
    fn count(&self) -> usize {
        self.len()
    }
}

/// Seen ids kept compactly, as 64-bit hashes under a key drawn once per process (8 bytes an
/// id instead of a `String`), for listings that hold a great many. A server cannot aim for a
/// collision without knowing the key; by chance, one is about as likely as 1 in 10^8 at a
/// million items, and would only end paging early with a warning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen(HashSet<u64>);

impl Seen {
    fn hash(id: &str) -> u64 {
        static KEY: OnceLock<RandomState> = OnceLock::new();
        KEY.get_or_init(RandomState::new).hash_one(id)
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.0.contains(&Seen::hash(id))
    }
}

impl SeenIds for Seen {
    fn insert_id(&mut self, id: &str) -> bool {
        self.0.insert(Seen::hash(id))
    }
    fn contains_id(&self, id: &str) -> bool {
        self.contains(id)
    }
    fn count(&self) -> usize {
        self.0.len()
    }
}

/// What to do after a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Fetch the next page with `after` set to this cursor.
    After(String),
    /// The listing is complete.
    Done,
    /// Stop: the server made no progress. The text explains why.
    Stalled(String),
}

/// One event of an item listing.
#[derive(Debug, Clone, PartialEq)]
pub enum PageEvent {
    /// A page, one for every request answered; items already received on an earlier page
    /// are left out (so it may hold none).
    Page(ItemPage),
    /// Paging stopped because the server made no progress (the listing may be incomplete).
    Stopped(String),
}

/// Decides how to continue after `page`, fetched with cursor `prev`. `seen` holds the ids of
/// items received so far; this page's ids are added to it. Past the default item limit the
/// listing stops (a caller with its own [`Limits`] uses [`Limits::check`] as well).
pub fn next_cursor(prev: Option<&str>, page: &ItemPage, seen: &mut impl SeenIds) -> Next {
    let next = decide(prev, page, seen);
    if let Next::After(_) = next {
        if let Err(why) = Limits::default().check(0, seen.count() as u64) {
            return Next::Stalled(why);
        }
    }
    next
}

fn decide(prev: Option<&str>, page: &ItemPage, seen: &mut impl SeenIds) -> Next {
    let mut repeated = 0usize;
    for id in page.data.iter().filter_map(Item::id) {
        if !seen.insert_id(id) {
            repeated += 1;
        }
    }
    if page.data.is_empty() {
        return if page.has_more {
            Next::Stalled(
                "the server said more items follow but sent an empty page; stopped there".into(),
            )
        } else {
            Next::Done
        };
    }
    if repeated > 0 {
        return Next::Stalled(format!(
            "the server sent {repeated} item(s) again{}; it may not support the 'after' cursor, so paging stopped (the list may be incomplete)",
            prev.map(|p| format!(" after '{p}'")).unwrap_or_default()
        ));
    }
    if !page.has_more {
        return Next::Done;
    }
    match cursor_after(page) {
        None => Next::Stalled(
            "the server said more items follow but gave no cursor; stopped there".into(),
        ),
        Some(c) if Some(c.as_str()) == prev => Next::Stalled(format!(
            "the server returned the same cursor '{c}' again; paging stopped (the list may be incomplete)"
        )),
        Some(c) => Next::After(c),
    }
}

/// The cursor of the page after `page`: its `last_id`, or its last item's id from a server
/// that leaves `last_id` out. `None` at the end, or when there is nothing to go on.
pub fn cursor_after(page: &ItemPage) -> Option<String> {
    if !page.has_more {
        return None;
    }
    page.last_id
        .clone()
        .or_else(|| page.data.last().and_then(Item::id).map(str::to_string))
}

/// Keeps only the items whose ids are not in `seen` (items without an id are kept).
pub fn unseen(page: &ItemPage, seen: &impl SeenIds) -> Vec<Item> {
    page.data
        .iter()
        .filter(|it| it.id().is_none_or(|id| !seen.contains_id(id)))
        .cloned()
        .collect()
}

/// How strictly a listing reads its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// Tolerant of servers that stray (a missing `data` is an empty page).
    Lenient,
    /// For a backup: every page must carry a `data` array of objects, or the listing fails.
    Checked,
}

/// Checks that an answer is a page of items: an object with a `data` array of objects. A 200
/// whose body is `{"error": ...}` or an item is not.
pub fn check_page(value: &Value, what: &str) -> Result<(), ApiError> {
    let data = value.get("data").and_then(Value::as_array).ok_or_else(|| {
        let shape = if value.get("error").is_some() {
            "an error object"
        } else {
            crate::protocol::error::json_kind(value)
        };
        ApiError::new(
            ErrorKind::Decode,
            format!("the answer to {what} is {shape}, not a page of items with a 'data' array"),
        )
    })?;
    if let Some(i) = data.iter().position(|v| !v.is_object()) {
        return Err(ApiError::new(
            ErrorKind::Decode,
            format!("the answer to {what} is not a page of items: data[{i}] is not an object"),
        ));
    }
    Ok(())
}

struct State {
    client: Client,
    conversation: String,
    params: ListParams,
    strictness: Strictness,
    seen: Seen,
    pages: u64,
    items: u64,
    warning: Option<String>,
    done: bool,
}

impl State {
    async fn fetch(&self) -> Result<ItemPage, ApiError> {
        if self.strictness == Strictness::Lenient {
            return self
                .client
                .list_items(&self.conversation, &self.params)
                .await;
        }
        super::check_id("conversation_id", &self.conversation)?;
        let value: Value = self
            .client
            .call(
                Method::GET,
                &["conversations", &self.conversation, "items"],
                &self.params.query(),
                None,
                Effect::ReadOrIdempotent,
            )
            .await?;
        let what = format!("GET /conversations/{}/items", self.conversation);
        check_page(&value, &what)?;
        serde_json::from_value(value)
            .map_err(|e| ApiError::new(ErrorKind::Decode, format!("cannot read {what}: {e}")))
    }
}

/// All items of a conversation, page by page, following `after` while `has_more`, within the
/// client's [`Limits`]. Ends after the last page, after an error (a limit is an error of kind
/// [`ErrorKind::Limit`]), or with [`PageEvent::Stopped`] when the server makes no progress.
pub(super) fn stream(
    client: &Client,
    conversation: &str,
    params: ListParams,
    strictness: Strictness,
) -> impl Stream<Item = Result<PageEvent, ApiError>> + Send + 'static {
    let state = State {
        client: client.clone(),
        conversation: conversation.to_string(),
        params,
        strictness,
        seen: Seen::default(),
        pages: 0,
        items: 0,
        warning: None,
        done: false,
    };
    futures::stream::unfold(state, |mut st| async move {
        if let Some(why) = st.warning.take() {
            return Some((Ok(PageEvent::Stopped(why)), st));
        }
        if st.done {
            return None;
        }
        let limits = st.client.limits();
        if let Err(why) = limits.check(st.pages + 1, st.items) {
            st.done = true;
            return Some((Err(Limits::error(why)), st));
        }
        let page = match st.fetch().await {
            Ok(p) => p,
            Err(e) => {
                st.done = true;
                return Some((Err(e), st));
            }
        };
        st.pages += 1;
        // Which items are new, before this page's ids join the seen ones; they are then moved
        // out of the page, not copied.
        let fresh: Vec<bool> = page
            .data
            .iter()
            .map(|it| it.id().is_none_or(|id| !st.seen.contains_id(id)))
            .collect();
        st.items += fresh.iter().filter(|&&f| f).count() as u64;
        if let Err(why) = limits.check(st.pages, st.items) {
            st.done = true;
            return Some((Err(Limits::error(why)), st));
        }
        let prev = st.params.after.clone();
        let next = decide(prev.as_deref(), &page, &mut st.seen);
        let mut page = page;
        let mut keep = fresh.into_iter();
        page.data.retain(|_| keep.next().unwrap_or(true));
        let event = match next {
            Next::After(cursor) => {
                st.params.after = Some(cursor);
                PageEvent::Page(page)
            }
            Next::Done => {
                st.done = true;
                PageEvent::Page(page)
            }
            Next::Stalled(why) => {
                st.done = true;
                // The page (its new items, maybe none), then the warning: one page event for
                // every request answered.
                st.warning = Some(why);
                PageEvent::Page(page)
            }
        };
        Some((Ok(event), st))
    })
}

/// Events of a stream, fetched by a task of their own one step ahead of the reader; the
/// task ends when this is dropped.
pub struct Ahead<T> {
    pub rx: tokio::sync::mpsc::Receiver<T>,
    task: tokio::task::JoinHandle<()>,
}

impl<T> Drop for Ahead<T> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Drives `stream` in a task of its own, so that its next item (for a listing, the next page)
/// is on its way while the reader handles this one.
pub fn ahead<S>(mut stream: S) -> Ahead<S::Item>
where
    S: futures::Stream + Unpin + Send + 'static,
    S::Item: Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    let task = tokio::spawn(async move {
        while let Some(event) = stream.next().await {
            if tx.send(event).await.is_err() {
                break;
            }
        }
    });
    Ahead { rx, task }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(ids: &[&str], last: Option<&str>, has_more: bool) -> ItemPage {
        ItemPage {
            object: "list".into(),
            data: ids.iter().map(|id| Item(json!({"id": id}))).collect(),
            first_id: ids.first().map(|s| s.to_string()),
            last_id: last.map(str::to_string),
            has_more,
        }
    }

    #[test]
    fn follows_last_id() {
        let mut seen = HashSet::new();
        let p = page(&["a", "b"], Some("b"), true);
        assert_eq!(next_cursor(None, &p, &mut seen), Next::After("b".into()));
        let p = page(&["c"], Some("c"), false);
        assert_eq!(next_cursor(Some("b"), &p, &mut seen), Next::Done);
    }

    #[test]
    fn repeated_page_stalls() {
        let mut seen = HashSet::new();
        let p = page(&["a", "b"], Some("b"), true);
        assert_eq!(next_cursor(None, &p, &mut seen), Next::After("b".into()));
        assert!(matches!(
            next_cursor(Some("b"), &p, &mut seen),
            Next::Stalled(_)
        ));
    }

    #[test]
    fn repeated_cursor_stalls() {
        let mut seen = HashSet::new();
        let p = page(&["c"], Some("b"), true);
        assert!(matches!(
            next_cursor(Some("b"), &p, &mut seen),
            Next::Stalled(_)
        ));
    }

    #[test]
    fn empty_page_ends() {
        let mut seen = HashSet::new();
        assert_eq!(
            next_cursor(None, &page(&[], None, false), &mut seen),
            Next::Done
        );
        assert!(matches!(
            next_cursor(Some("x"), &page(&[], None, true), &mut seen),
            Next::Stalled(_)
        ));
    }

    #[test]
    fn missing_last_id_uses_the_last_item() {
        let mut seen = HashSet::new();
        assert_eq!(
            next_cursor(None, &page(&["a", "b"], None, true), &mut seen),
            Next::After("b".into())
        );
        let anon = ItemPage {
            data: vec![Item(json!({"type": "x"}))],
            ..page(&[], None, true)
        };
        assert!(matches!(
            next_cursor(None, &anon, &mut seen),
            Next::Stalled(_)
        ));
    }

    #[test]
    fn limits_name_the_setting() {
        let l = Limits {
            max_pages: 2,
            max_items: 5,
        };
        assert!(l.check(2, 5).is_ok());
        assert!(l.check(3, 0).unwrap_err().contains("max_list_pages"));
        assert!(l.check(1, 6).unwrap_err().contains("max_list_items"));
    }

    #[test]
    fn a_page_needs_a_data_array_of_objects() {
        let ok = json!({"object": "list", "data": [{"id": "a"}], "has_more": false});
        assert!(check_page(&ok, "GET x").is_ok());
        let e = check_page(&json!({"error": {"message": "no"}}), "GET x").unwrap_err();
        assert!(e.message.contains("an error object"), "{e}");
        assert!(check_page(&json!({"id": "msg_1", "type": "message"}), "GET x").is_err());
        assert!(check_page(&json!({"data": [1]}), "GET x").is_err());
    }

    #[tokio::test]
    async fn read_ahead_keeps_the_order_and_stops_when_dropped() {
        let mut a = ahead(futures::stream::iter(0..5));
        let mut got = Vec::new();
        while let Some(x) = a.rx.recv().await {
            got.push(x);
        }
        assert_eq!(got, [0, 1, 2, 3, 4]);
        // A fetch that never answers: only the abort on drop ends its task.
        let stuck = ahead(futures::stream::pending::<u8>());
        let task = stuck.task.abort_handle();
        drop(stuck);
        for _ in 0..1000 {
            if task.is_finished() {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(task.is_finished(), "the task ends with its reader");
    }

    #[test]
    fn hashed_ids_tell_repeats_as_strings_do() {
        let mut seen = Seen::default();
        let p = page(&["a", "b"], Some("b"), true);
        assert_eq!(next_cursor(None, &p, &mut seen), Next::After("b".into()));
        assert_eq!(seen.len(), 2);
        assert!(seen.contains("a") && !seen.contains("c"));
        assert!(matches!(
            next_cursor(Some("b"), &page(&["c", "a"], Some("a"), true), &mut seen),
            Next::Stalled(why) if why.contains("1 item(s) again")
        ));
        let fresh = unseen(&page(&["a", "d"], Some("d"), true), &seen);
        assert_eq!(fresh.len(), 1);
        assert_eq!(fresh[0].id(), Some("d"));
        seen.clear();
        assert!(seen.is_empty());
    }

    #[test]
    fn unseen_filters_duplicates() {
        let seen: HashSet<String> = ["a".to_string()].into();
        let p = page(&["a", "b"], Some("b"), true);
        let fresh = unseen(&p, &seen);
        assert_eq!(fresh.len(), 1);
        assert_eq!(fresh[0].id(), Some("b"));
    }
}
