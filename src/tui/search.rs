//! Search in the terminal UI: `S` or `:search QUERY` opens the search pane
//! (`panes::search`); the runtime searches the local mirror in a task and answers with
//! `Message::Searched` (an answer of an older or stopped search is dropped). `Enter` on a hit
//! opens its conversation and loads pages until the item is there (within the listing
//! limits), selects it, and marks the match in the detail with the filter's highlighting.
//!
//! Items and their pages are those of
//! <https://platform.openai.com/docs/api-reference/conversations/list-items>.

use crossterm::event::KeyEvent;

use super::filter::Query;
use super::keymap::Action;
use super::message::Effect;
use super::modal::Modal;
use super::panes::search::{Outcome, Phase, Search};
use super::panes::Focus;
use super::sanitize;
use super::state::{App, Status};
use crate::mirror::Hit;

/// An item a search result asked for, until the timeline has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Seek {
    pub conversation: String,
    pub item: String,
    pub term: Query,
}

/// What search leaves in the app: the item being looked for, and the match to mark in the
/// detail of the item it found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Found {
    pub seek: Option<Seek>,
    pub mark: Option<Seek>,
    /// The pane as it was closed: `S` brings its results back.
    pub last: Option<Box<Search>>,
    /// The detail is still to be scrolled to the marked match (once its item is rendered).
    pub scroll_to_mark: bool,
}

/// Opens the search pane; with a query, searches at once. Without one, the prompt opens on
/// the last query, with the last results still shown below it.
pub fn open(app: &mut App, query: Option<&str>) -> Vec<Effect> {
    let query = query.map(str::trim).unwrap_or("");
    let last = app.search.last.take().filter(|_| query.is_empty());
    let pane = match last {
        Some(mut s) => {
            s.reopen();
            s
        }
        None => Box::new(Search::prompt(query)),
    };
    app.modals.push(Modal::Search(pane));
    if query.is_empty() {
        return vec![];
    }
    submit(app, query)
}

fn submit(app: &mut App, query: &str) -> Vec<Effect> {
    let generation = app.generation();
    let Some(s) = app.modals.search_mut() else {
        return vec![];
    };
    s.start(query, generation);
    vec![Effect::Search {
        generation,
        query: query.to_string(),
    }]
}

/// A key while the search pane is in front.
pub fn on_key(app: &mut App, action: Option<Action>, ev: &KeyEvent) -> Vec<Effect> {
    let page = app.page_step() as isize;
    let Some(Modal::Search(s)) = app.modals.front_mut() else {
        return vec![];
    };
    if s.editing && !matches!(action, Some(Action::Submit | Action::Cancel)) {
        s.input.on_key(ev);
        return vec![];
    }
    match s.on_action(action, page) {
        Outcome::Nothing => vec![],
        Outcome::Empty => {
            app.status = Some(Status::Info(
                "The query is empty: type the words to search for".into(),
            ));
            vec![]
        }
        Outcome::Submit(text) => submit(app, &text),
        Outcome::Cancel => {
            // The task's answer, when it comes, is dropped: the search is marked stopped.
            app.status = Some(Status::Info("Search stopped".into()));
            vec![]
        }
        Outcome::Close => {
            close(app);
            vec![]
        }
        Outcome::Open(hit) => {
            close(app);
            open_hit(app, &hit)
        }
        Outcome::Help => {
            let help = super::modal::Help::new(super::keymap::Context::Search);
            app.modals.push(Modal::Help(help));
            vec![]
        }
        Outcome::Copy(text, label) => {
            app.status = Some(Status::Info(format!(
                "Copied {label} {} ({} bytes)",
                sanitize::line(&text),
                text.len()
            )));
            vec![Effect::Copy(text)]
        }
    }
}

/// Closes the pane in front, keeping it for the next `S`; a search still running is stopped.
fn close(app: &mut App) {
    if let Some(Modal::Search(mut s)) = app.modals.pop() {
        if s.phase == Phase::Running {
            s.phase = Phase::Cancelled;
        }
        app.search.last = Some(s);
    }
}

/// A paste into the prompt.
pub fn on_paste(app: &mut App, text: &str) -> bool {
    match app.modals.front_mut() {
        Some(Modal::Search(s)) if s.editing => {
            s.input.paste(text);
            true
        }
        _ => false,
    }
}

/// The answer of a search task.
pub fn on_result(app: &mut App, generation: u64, result: Result<Vec<Hit>, String>) {
    if let Some(s) = app.modals.search_mut() {
        s.on_result(generation, result);
    }
}

/// The first matched text of a hit's snippet, for marking it in the detail.
pub fn first_match(hit: &Hit) -> Query {
    let text = hit
        .pieces()
        .into_iter()
        .find(|(t, matched)| *matched && !t.trim().is_empty())
        .map(|(t, _)| t.trim().to_lowercase())
        .unwrap_or_default();
    Query::new(&text)
}

/// Opens the hit's conversation, and looks for its item.
pub fn open_hit(app: &mut App, hit: &Hit) -> Vec<Effect> {
    let conv = hit.conversation.clone();
    let already = app
        .timeline
        .as_ref()
        .is_some_and(|t| t.conversation == conv);
    let mut effects = if already {
        if let Some(i) = app.convs.items.iter().position(|c| c.id == conv) {
            app.convs.selected = i;
        }
        vec![]
    } else {
        super::root::open_by_id(app, &conv)
    };
    app.search.mark = None;
    match &hit.item {
        None => {
            app.search.seek = None;
            app.status = Some(Status::Info(
                "The conversation's own metadata or id matched".into(),
            ));
        }
        Some(item) => {
            app.search.seek = Some(Seek {
                conversation: conv,
                item: item.clone(),
                term: first_match(hit),
            });
            app.status = Some(Status::Info(format!(
                "Looking for {} in the conversation…",
                sanitize::line(item)
            )));
            effects.extend(after_page(app));
        }
    }
    effects
}

/// After a page arrived (or failed): selects the item looked for once it is loaded, asks
/// for the next page while there is one, and says so when the item is not on the server.
pub fn after_page(app: &mut App) -> Vec<Effect> {
    let Some(seek) = app.search.seek.clone() else {
        return vec![];
    };
    let Some(tl) = app.timeline.as_mut() else {
        app.search.seek = None;
        return vec![];
    };
    if tl.conversation != seek.conversation {
        app.search.seek = None;
        return vec![];
    }
    if let Some(pos) = tl
        .list
        .items
        .iter()
        .position(|i| i.id() == Some(seek.item.as_str()))
    {
        let hidden = tl.list.shown_indices().is_some_and(|s| !s.contains(&pos));
        if hidden {
            super::filter::clear(app, Focus::Timeline);
        }
        if let Some(tl) = app.timeline.as_mut() {
            tl.list.selected = pos;
            tl.paging.follow_end = false;
        }
        app.focus = Focus::Timeline;
        app.detail.scroll = 0;
        app.search.seek = None;
        app.search.mark = Some(seek);
        app.search.scroll_to_mark = true;
        app.status = Some(Status::Info(
            "Found; the match is marked in the detail".into(),
        ));
        return vec![];
    }
    if tl.paging.loading {
        return vec![];
    }
    if tl.failed.is_some() {
        // The page's own error is on the status line already.
        app.search.seek = None;
        return vec![];
    }
    if tl.paging.has_more {
        if let Some(next) = tl.load_next() {
            return vec![next];
        }
        app.search.seek = None;
        app.status = Some(Status::Warning(format!(
            "{} was not among the first {} items: loading stopped at the listing limits",
            sanitize::line(&seek.item),
            tl.list.items.len()
        )));
        return vec![];
    }
    app.search.seek = None;
    app.status = Some(Status::Warning(format!(
        "{} is gone on the server: only the mirror's copy has it (it is not among the \
         conversation's {} items)",
        sanitize::line(&seek.item),
        tl.list.items.len()
    )));
    vec![]
}

/// Rows shown above the match the detail is scrolled to.
const ABOVE_MATCH: usize = 2;

/// Once the item the search found is rendered in the detail, scrolls the detail so that its
/// first match is in view (near the top). Dropped once that item is no longer shown.
pub fn scroll_to_mark(app: &mut App, wrapped: Option<&super::panes::detail::Wrapped>) {
    if !app.search.scroll_to_mark {
        return;
    }
    let Some(term) = detail_term(app) else {
        app.search.scroll_to_mark = false;
        return;
    };
    // A big item renders off the UI thread: tried again when it lands.
    let Some(w) = wrapped else { return };
    let (rows, width) = app.geometry.detail_size();
    let row = w.first_row_of(term, width).unwrap_or(0);
    let max = w.total().saturating_sub(rows.max(1));
    app.detail.scroll = row.saturating_sub(ABOVE_MATCH).min(max);
    app.search.scroll_to_mark = false;
}

/// The match to mark in the detail: only while the item the search found is shown there.
pub fn detail_term(app: &App) -> Option<&Query> {
    let mark = app.search.mark.as_ref()?;
    let tl = app.timeline.as_ref()?;
    let shown = tl.conversation == mark.conversation
        && app
            .detail_item()
            .and_then(|i| i.id())
            .is_some_and(|id| id == mark.item);
    (shown && !mark.term.is_empty()).then_some(&mark.term)
}

/// Searches the mirror on a blocking thread, so the event loop never waits for the disk.
pub async fn run(
    file: Option<std::path::PathBuf>,
    query: String,
) -> Result<Vec<crate::mirror::Hit>, String> {
    let Some(file) = file else {
        return Err(
            "The local mirror is off for this profile (mirror = false): there is nothing to search"
                .into(),
        );
    };
    let (handle, interrupt) = tokio::sync::oneshot::channel();
    let task = tokio::task::spawn_blocking(move || {
        let mirror = crate::mirror::Mirror::open_path(&file).map_err(|e| e.to_string())?;
        let _ = handle.send(mirror.conn().get_interrupt_handle());
        let mut q = crate::mirror::SearchQuery::new(query);
        q.limit = super::panes::search::MAX_HITS;
        mirror
            .search(&q)
            .map(|hits| {
                hits.into_iter()
                    .map(super::panes::search::bounded)
                    .collect()
            })
            .map_err(|e| e.to_string())
    });
    // Stopped (`Esc`, another search): this future is dropped, and with it the guard, which
    // interrupts the query rather than let it run on, unseen, on its thread.
    let mut guard = Interrupt(interrupt.await.ok());
    let result = task.await;
    guard.0 = None;
    result.map_err(|e| format!("the search stopped: {e}"))?
}

/// Interrupts a search's query when dropped while it holds the query's handle.
struct Interrupt(Option<rusqlite::InterruptHandle>);

impl Drop for Interrupt {
    fn drop(&mut self) {
        if let Some(h) = self.0.take() {
            h.interrupt();
        }
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
