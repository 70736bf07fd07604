//! The `/` filter: narrows the conversation list (by title, id or metadata) or the loaded
//! items (by text, type, role or id) as the query is typed. Case matters only when the query
//! has a capital. Each row is searched by a short text built once per row (its "hay"), and a
//! query that only grows searches only the rows still shown, so a key costs little however
//! many items are loaded.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use serde_json::Value;

use crate::api::models::id_of as item_id;
use crate::tui::data::ConvEntry;
use crate::tui::panes::Focus;
use crate::tui::render;
use crate::tui::state::App;

/// The most of a row's text that is searched; longer text is cut, so memory stays bounded.
pub const HAY_LIMIT: usize = 400;

/// A query with smart case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    text: String,
    /// The query has a capital: match case exactly.
    exact: bool,
}

impl Query {
    pub fn new(text: &str) -> Query {
        Query {
            exact: text.chars().any(char::is_uppercase),
            text: if text.chars().any(char::is_uppercase) {
                text.to_string()
            } else {
                text.to_lowercase()
            },
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn matches(&self, hay: &Hay) -> bool {
        let against = if self.exact { &hay.exact } else { &hay.lower };
        against.contains(&self.text)
    }

    /// Every row `self` matches is also matched by `before`: a narrowing of it.
    fn narrows(&self, before: &Query) -> bool {
        self.exact == before.exact && self.text.contains(&before.text)
    }

    /// The char ranges of the matches in a line of text.
    pub fn find_in(&self, chars: &[char]) -> Vec<(usize, usize)> {
        let q: Vec<char> = self.text.chars().collect();
        if q.is_empty() || q.len() > chars.len() {
            return vec![];
        }
        let same = |a: char, b: char| {
            if self.exact {
                a == b
            } else {
                a.to_lowercase().eq(b.to_lowercase())
            }
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i + q.len() <= chars.len() {
            if q.iter().zip(&chars[i..]).all(|(a, b)| same(*b, *a)) {
                out.push((i, i + q.len()));
                i += q.len();
            } else {
                i += 1;
            }
        }
        out
    }
}

/// The text a row is searched by, as typed and in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hay {
    exact: String,
    lower: String,
}

impl Hay {
    pub fn new(parts: &[&str]) -> Hay {
        let mut exact = String::new();
        for p in parts.iter().filter(|p| !p.is_empty()) {
            if exact.len() >= HAY_LIMIT {
                break;
            }
            exact.push_str(p);
            exact.push(' ');
        }
        if exact.len() > HAY_LIMIT {
            let mut cut = HAY_LIMIT;
            while !exact.is_char_boundary(cut) {
                cut -= 1;
            }
            exact.truncate(cut);
        }
        Hay {
            lower: exact.to_lowercase(),
            exact,
        }
    }

    /// An item: its type, role, id, and the text its row shows.
    pub fn of_item(loaded: &crate::tui::loaded::Loaded) -> Hay {
        let value = loaded.value();
        let item = &value;
        let s = render::summary(item);
        let field = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or("");
        Hay::new(&[
            field("type"),
            field("role"),
            item_id(item).unwrap_or(""),
            &s.label,
            &s.preview,
        ])
    }

    /// A conversation: its title, id and metadata.
    pub fn of_conversation(c: &ConvEntry) -> Hay {
        let meta: Vec<String> = c
            .info
            .as_ref()
            .map(|i| i.metadata.iter().map(|(k, v)| format!("{k}={v}")).collect())
            .unwrap_or_default();
        let mut parts = vec![c.title(), c.id.as_str()];
        parts.extend(meta.iter().map(String::as_str));
        Hay::new(&parts)
    }
}

/// A filter on one list: the query, the hay of each row (by index), and what the rows were.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub query: Query,
    hays: Vec<Hay>,
    /// The ids of the first and last row the hays were built from, to notice a reload.
    ends: (Option<String>, Option<String>),
    /// The conversation whose items these are (the timeline's filter).
    pub conversation: Option<String>,
}

/// The filters of the two lists; the detail pane shares the timeline's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filters {
    pub conversations: Option<Filter>,
    pub timeline: Option<Filter>,
}

/// Which list a pane filters.
pub fn list_of(focus: Focus) -> Focus {
    match focus {
        Focus::Conversations => Focus::Conversations,
        _ => Focus::Timeline,
    }
}

fn ends_of<T>(items: &[T], len: usize, id: impl Fn(&T) -> Option<String>) -> EndIds {
    (
        items.first().and_then(&id),
        len.checked_sub(1).and_then(|i| items.get(i)).and_then(&id),
    )
}

type EndIds = (Option<String>, Option<String>);

/// The indices among `within` (or all `hays`) that the query matches.
fn matching(query: &Query, hays: &[Hay], within: Option<Vec<usize>>) -> Vec<usize> {
    match within {
        Some(rows) => rows
            .into_iter()
            .filter(|&i| hays.get(i).is_some_and(|h| query.matches(h)))
            .collect(),
        None => (0..hays.len())
            .filter(|&i| query.matches(&hays[i]))
            .collect(),
    }
}

/// Sets the query of the focused pane's list and narrows it.
pub fn set_query(app: &mut App, focus: Focus, text: &str) {
    let query = Query::new(text);
    match list_of(focus) {
        Focus::Conversations => {
            let f = app
                .filters
                .conversations
                .get_or_insert_with(Filter::default);
            let within = (query.narrows(&f.query) && !f.query.is_empty())
                .then(|| app.convs.shown_indices().map(<[usize]>::to_vec))
                .flatten();
            f.query = query;
            sync_conversations(app, within);
        }
        _ => {
            let Some(tl) = app.timeline.as_mut() else {
                return;
            };
            let f = app.filters.timeline.get_or_insert_with(Filter::default);
            if f.conversation.as_deref() != Some(tl.conversation.as_str()) {
                *f = Filter {
                    conversation: Some(tl.conversation.clone()),
                    ..Filter::default()
                };
            }
            let within = (query.narrows(&f.query) && !f.query.is_empty())
                .then(|| tl.list.shown_indices().map(<[usize]>::to_vec))
                .flatten();
            f.query = query;
            sync_timeline(app, within, true);
        }
    }
}

/// Clears the filter of the focused pane's list.
pub fn clear(app: &mut App, focus: Focus) {
    match list_of(focus) {
        Focus::Conversations => {
            app.filters.conversations = None;
            app.convs.show_only(None);
        }
        _ => {
            app.filters.timeline = None;
            if let Some(tl) = app.timeline.as_mut() {
                tl.list.show_only(None);
            }
        }
    }
}

/// The query in effect on the focused pane's list, if any.
pub fn active(app: &App, focus: Focus) -> Option<&Query> {
    let f = match list_of(focus) {
        Focus::Conversations => app.filters.conversations.as_ref(),
        _ => app.filters.timeline.as_ref(),
    }?;
    (!f.query.is_empty()).then_some(&f.query)
}

/// Keeps the filters in step with their lists after any change: rows that arrived are
/// searched (only those), a reload or a delete searches again, and a timeline of another
/// conversation drops its filter.
pub fn sync(app: &mut App) {
    if app.filters.conversations.is_some() {
        sync_conversations(app, None);
    }
    if app.filters.timeline.is_some() {
        sync_timeline(app, None, false);
    }
}

fn sync_conversations(app: &mut App, within: Option<Vec<usize>>) {
    let Some(f) = app.filters.conversations.as_mut() else {
        return;
    };
    // The list is short and re-sorted as conversations load: its hays are built afresh.
    f.hays = app.convs.items.iter().map(Hay::of_conversation).collect();
    if f.query.is_empty() {
        app.convs.show_only(None);
        return;
    }
    let rows = matching(&f.query, &f.hays, within);
    app.convs.show_only(Some(rows));
}

fn sync_timeline(app: &mut App, within: Option<Vec<usize>>, requery: bool) {
    let Some(f) = app.filters.timeline.as_mut() else {
        return;
    };
    let Some(tl) = app.timeline.as_mut() else {
        app.filters.timeline = None;
        return;
    };
    if f.conversation.as_deref() != Some(tl.conversation.as_str()) {
        app.filters.timeline = None;
        tl.list.show_only(None);
        return;
    }
    let items = &tl.list.items;
    let id = |v: &crate::tui::loaded::Loaded| v.id().map(String::from);
    let built = f.hays.len();
    let same = built <= items.len() && ends_of(items, built, id) == f.ends;
    let mut within = within;
    if !same {
        f.hays.clear();
        within = None;
    }
    let fresh = f.hays.len();
    let unchanged = fresh == items.len() && same;
    f.hays.extend(items[fresh..].iter().map(Hay::of_item));
    f.ends = ends_of(items, f.hays.len(), id);
    if f.query.is_empty() {
        tl.list.show_only(None);
        return;
    }
    if unchanged && !requery && tl.list.shown_indices().is_some() {
        return;
    }
    let rows = match (within, tl.list.shown_indices(), same && !requery) {
        (Some(w), _, _) => matching(&f.query, &f.hays, Some(w)),
        // New rows only: the old ones were searched already.
        (None, Some(old), true) => {
            let mut rows = old.to_vec();
            rows.extend((fresh..f.hays.len()).filter(|&i| f.query.matches(&f.hays[i])));
            rows
        }
        _ => matching(&f.query, &f.hays, None),
    };
    tl.list.show_only(Some(rows));
}

/// `12 matches in 300 loaded · more on the server`, for the focused pane's list.
pub fn summary(app: &App) -> Option<String> {
    active(app, app.focus)?;
    match list_of(app.focus) {
        Focus::Conversations => Some(format!(
            "{} in {}",
            count(app.convs.shown_len(), "match", "matches"),
            count(app.convs.items.len(), "conversation", "conversations")
        )),
        _ => {
            let tl = app.timeline.as_ref()?;
            let more = if tl.paging.has_more {
                " · more on the server"
            } else {
                " · all loaded"
            };
            Some(format!(
                "{} in {} loaded{more}",
                count(tl.list.shown_len(), "match", "matches"),
                tl.list.items.len()
            ))
        }
    }
}

/// `1 match`, `2 matches`: a count with its noun in the right number.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Moves the selection to the next (or previous) match, wrapping around.
pub fn jump(app: &mut App, forward: bool) {
    let list_len;
    let at;
    match list_of(app.focus) {
        Focus::Conversations => {
            list_len = app.convs.shown_len();
            at = app.convs.position();
        }
        _ => {
            let Some(tl) = app.timeline.as_ref() else {
                return;
            };
            list_len = tl.list.shown_len();
            at = tl.list.position();
        }
    }
    if list_len == 0 {
        return;
    }
    let to = if forward {
        (at + 1) % list_len
    } else {
        (at + list_len - 1) % list_len
    };
    let delta = to as isize - at as isize;
    match list_of(app.focus) {
        Focus::Conversations => app.convs.move_by(delta),
        _ => {
            if let Some(tl) = app.timeline.as_mut() {
                tl.list.move_by(delta);
                app.detail.scroll = 0;
            }
        }
    }
}

/// How a match is marked on screen; bold and underlined too, for terminals without colour.
pub fn match_style() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// Marks every match of the query inside `area` of a drawn frame: rows and the detail alike.
pub fn highlight(buf: &mut Buffer, area: Rect, query: &Query) {
    let area = area.intersection(buf.area);
    if query.is_empty() || area.is_empty() {
        return;
    }
    for y in area.top()..area.bottom() {
        // One char per cell; a wide char's trailing cell is empty and is skipped.
        let mut chars = Vec::with_capacity(area.width as usize);
        let mut xs = Vec::with_capacity(area.width as usize);
        for x in area.left()..area.right() {
            let sym = buf[(x, y)].symbol();
            let mut it = sym.chars();
            if let Some(c) = it.next() {
                chars.push(c);
                xs.push(x);
            }
        }
        for (from, to) in query.find_in(&chars) {
            for &x in &xs[from..to] {
                buf[(x, y)].set_style(match_style());
            }
        }
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
