//! Full-text search over the mirror (SQLite FTS5, ranked by bm25).

use std::collections::HashMap;

use rusqlite::{params_from_iter, types::Value as Sql, OptionalExtension};
use serde::Serialize;

use super::{text, Mirror, MirrorError};

/// Marks the start and the end of a match in a snippet. Item text never holds these two
/// (see [`text::item_text`]), so they are unambiguous.
pub const OPEN: char = '\u{2}';
pub const CLOSE: char = '\u{3}';

/// The rank given to an item whose id is the query: before every full-text hit.
pub const ID_RANK: f64 = -1.0e9;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// FTS5 query syntax: words, "phrases", prefixes (`lisb*`), AND, OR, NOT.
    pub text: String,
    pub conversation: Option<String>,
    /// An item type, or `conversation` for conversation metadata.
    pub kind: Option<String>,
    pub role: Option<String>,
    pub limit: usize,
}

impl SearchQuery {
    pub fn new(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            conversation: None,
            kind: None,
            role: None,
            limit: 20,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub conversation: String,
    /// The conversation's title (metadata `title`, `topic` or `name`), when it has one.
    pub title: Option<String>,
    /// The item's id; `None` when the conversation's own metadata or id matched.
    pub item: Option<String>,
    /// The item type, or `conversation`.
    pub kind: String,
    pub role: Option<String>,
    /// Text around the match, matches between [`OPEN`] and [`CLOSE`].
    pub snippet: String,
    /// bm25 score: lower is better.
    pub rank: f64,
    /// The server no longer has it.
    pub deleted: bool,
}

impl Hit {
    /// The snippet as (text, is a match) pieces.
    pub fn pieces(&self) -> Vec<(&str, bool)> {
        let mut out = Vec::new();
        let mut rest = self.snippet.as_str();
        let mut inside = false;
        while !rest.is_empty() {
            let marker = if inside { CLOSE } else { OPEN };
            match rest.find(marker) {
                Some(i) => {
                    if i > 0 {
                        out.push((&rest[..i], inside));
                    }
                    rest = &rest[i + marker.len_utf8()..];
                    inside = !inside;
                }
                None => {
                    out.push((rest, inside));
                    rest = "";
                }
            }
        }
        out
    }

    /// The snippet with matches written `[like this]`.
    pub fn marked(&self) -> String {
        self.snippet.replace(OPEN, "[").replace(CLOSE, "]")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query is not valid FTS5 syntax.
    #[error("cannot parse the search query: {0}. Words are matched as they are; use \"double quotes\" for a phrase or for text with punctuation, word* for a prefix, and AND, OR, NOT (in capitals) to combine")]
    Query(String),
    /// Longer than [`MAX_QUERY`]: its cost grows with every word times every match.
    #[error("the search query is too long ({0} bytes; at most {MAX_QUERY})")]
    TooLong(usize),
    #[error(transparent)]
    Mirror(#[from] MirrorError),
}

/// The longest query searched, in bytes: room for a long phrase, not for a pasted page (a
/// word repeated thousands of times took seconds).
pub const MAX_QUERY: usize = 1024;

/// An error of the MATCH itself: FTS5 reports a query it cannot parse as a plain SQL error
/// ("fts5: syntax error near …", "unterminated string", "no such column: x").
fn is_query_error(e: &rusqlite::Error) -> Option<String> {
    match e {
        rusqlite::Error::SqliteFailure(f, Some(msg))
            if f.code == rusqlite::ErrorCode::Unknown
                && !msg.starts_with("no such table")
                && !msg.starts_with("no such function") =>
        {
            Some(msg.clone())
        }
        _ => None,
    }
}

/// FTS5's words for the mistakes a query of ordinary text makes, said in the query's terms.
fn plainly(msg: String) -> String {
    if let Some(name) = msg.strip_prefix("no such column: ") {
        return format!(
            "'{name}' is read as a field name (a word before ':' or after '-' is one, and the \
             index has none by that name); for text such as a-b or a:b use \"double quotes\""
        );
    }
    if msg.starts_with("unknown special query") {
        return "a lone * is no word; put * right after one (lisb*)".into();
    }
    msg
}

fn sql_err(e: rusqlite::Error) -> SearchError {
    match is_query_error(&e) {
        Some(msg) => SearchError::Query(plainly(msg)),
        None => SearchError::Mirror(e.into()),
    }
}

/// Most matches ranked for one query. A query matching more (a short prefix such as `w1*`
/// can match every item) ranks the first [`RANKED`] in the mirror's order (conversations, then
/// items as they were mirrored), so that its cost stays bounded; below that the ranking is
/// exact.
pub const RANKED: usize = 10_000;

/// The filters of a query as one SQL condition on a row of the index, its arguments pushed
/// onto `args` (numbered by their place there). A condition, not a join, so that the index
/// stays the only table scanned, in rowid order, and stops after [`RANKED`] rows.
fn filter_sql(q: &SearchQuery, args: &mut Vec<Sql>) -> String {
    if q.conversation.is_none() && q.kind.is_none() && q.role.is_none() {
        return String::new();
    }
    let mut item = String::new();
    let mut conversation = String::new();
    let arg = |v: &str, args: &mut Vec<Sql>| {
        args.push(Sql::Text(v.to_string()));
        format!("?{}", args.len())
    };
    if let Some(c) = &q.conversation {
        let n = arg(c, args);
        item.push_str(&format!(
            " AND i.conv = (SELECT rowid FROM conversations WHERE id = {n})"
        ));
        conversation.push_str(&format!(
            " AND -search.rowid = (SELECT rowid FROM conversations WHERE id = {n})"
        ));
    }
    if let Some(k) = &q.kind {
        let n = arg(k, args);
        item.push_str(&format!(" AND i.type = {n}"));
        conversation.push_str(&format!(" AND {n} = 'conversation'"));
    }
    if let Some(r) = &q.role {
        let n = arg(r, args);
        item.push_str(&format!(" AND i.role = {n}"));
        // Conversations have no role.
        conversation.push_str(" AND 0");
    }
    format!(
        " AND CASE WHEN search.rowid > 0
            THEN EXISTS (SELECT 1 FROM items i WHERE i.rowid = search.rowid{item})
            ELSE 1{conversation} END"
    )
}

impl Mirror {
    /// Searches items and conversations, best match (lowest bm25) first.
    ///
    /// Two passes over the index: the first ranks the matches (bm25 only, in rowid order,
    /// at most [`RANKED`]); the second makes snippets for the hits shown and no others.
    /// FTS5's own `ORDER BY rank` would rank every match, and a snippet query per hit would
    /// evaluate the query again for each.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>, SearchError> {
        self.search_ranking(q, RANKED)
    }

    /// [`Self::search`] ranking at most `ranked` matches.
    pub(crate) fn search_ranking(
        &self,
        q: &SearchQuery,
        ranked: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        if q.text.trim().is_empty() {
            return Err(SearchError::Query("the query is empty".into()));
        }
        if q.text.len() > MAX_QUERY {
            return Err(SearchError::TooLong(q.text.len()));
        }
        let limit = q.limit.clamp(1, 10_000);
        let conn = self.conn();
        let mut args: Vec<Sql> = vec![
            Sql::Text(q.text.clone()),
            Sql::Integer(ranked.max(1) as i64),
        ];
        let filter = filter_sql(q, &mut args);
        let sql = format!(
            "SELECT rowid, bm25(search) FROM search WHERE search MATCH ?1{filter} LIMIT ?2"
        );
        let mut stmt = conn.prepare_cached(&sql).map_err(sql_err)?;
        let mut found = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?))
            })
            .map_err(sql_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_err)?;
        // The best `limit` first (an order without ties: rank, then rowid), then only those
        // sorted: ranking thousands of matches to show twenty.
        let best = |a: &(i64, f64), b: &(i64, f64)| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0));
        if found.len() > limit {
            found.select_nth_unstable_by(limit - 1, best);
            found.truncate(limit);
        }
        found.sort_unstable_by(best);
        let snippets = self.snippets(&q.text, &found)?;
        let mut hits = self.by_item_id(q)?;
        let mut titles = HashMap::new();
        for (rowid, rank) in found {
            let snip = snippets.get(&rowid).cloned().unwrap_or_default();
            if let Some(hit) = self.describe(rowid, rank, snip, &mut titles)? {
                hits.push(hit);
            }
        }
        hits.truncate(limit);
        Ok(hits)
    }

    /// Snippets of the rows `hits`, made by FTS5 over just those rows: their text is copied
    /// into a table of the connection's own (temporary, in memory) and the query is evaluated
    /// there. Evaluating it on the mirror's index again would cost as much as the search: a
    /// broad prefix (`w1*`) merges the lists of every word it matches before the first row.
    /// Same text, and the columns and tokenizer of `search` (see `schema.rs`), so the same
    /// matches are marked.
    fn snippets(
        &self,
        text: &str,
        hits: &[(i64, f64)],
    ) -> Result<HashMap<i64, String>, SearchError> {
        if hits.is_empty() {
            return Ok(HashMap::new());
        }
        let conn = self.conn();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.snippet_rows USING fts5(body, ids);
             DELETE FROM temp.snippet_rows;",
        )
        .map_err(sql_err)?;
        let rowids = serde_json::to_string(&hits.iter().map(|h| h.0).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into());
        conn.prepare_cached(
            "INSERT INTO temp.snippet_rows(rowid, body, ids)
             SELECT rowid, item_text(raw), NULL FROM items
             WHERE rowid IN (SELECT value FROM json_each(?1) WHERE value > 0)
             UNION ALL
             SELECT -rowid, conversation_text(raw), id FROM conversations
             WHERE rowid IN (SELECT -value FROM json_each(?1) WHERE value < 0)",
        )
        .map_err(sql_err)?
        .execute([&rowids])
        .map_err(sql_err)?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT rowid, snippet(snippet_rows, -1, ?2, ?3, '…', 16) FROM temp.snippet_rows
                 WHERE snippet_rows MATCH ?1",
            )
            .map_err(sql_err)?;
        let rows = stmt
            .query_map(
                rusqlite::params![text, OPEN.to_string(), CLOSE.to_string()],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)),
            )
            .map_err(sql_err)?;
        let mut out = HashMap::new();
        for row in rows {
            let (rowid, snippet) = row.map_err(sql_err)?;
            out.insert(rowid, short(&snippet.unwrap_or_default()));
        }
        Ok(out)
    }

    /// Items whose id is the whole query (item ids are not in the full-text index).
    fn by_item_id(&self, q: &SearchQuery) -> Result<Vec<Hit>, SearchError> {
        let id = q.text.trim();
        let id_like = id.contains('_')
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !id_like {
            return Ok(Vec::new());
        }
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT rowid, raw FROM items WHERE key = id_key(?1) AND id = ?1")
            .map_err(sql_err)?;
        let rows = stmt
            .query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(sql_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_err)?;
        let mut hits = Vec::new();
        for (rowid, raw) in rows {
            let snippet = format!(
                "{OPEN}{id}{CLOSE} {}",
                crate::sanitize::truncate(&text::item_text(&raw).replace('\n', " "), 80)
            );
            if let Some(hit) = self.describe(rowid, ID_RANK, snippet, &mut HashMap::new())? {
                let wanted = q
                    .conversation
                    .as_ref()
                    .is_none_or(|c| *c == hit.conversation)
                    && q.kind.as_ref().is_none_or(|k| *k == hit.kind)
                    && q.role.as_ref().is_none_or(|r| hit.role.as_ref() == Some(r));
                if wanted {
                    hits.push(hit);
                }
            }
        }
        Ok(hits)
    }

    /// The hit of index row `rowid`; `titles` keeps the titles of conversations seen so far.
    fn describe(
        &self,
        rowid: i64,
        rank: f64,
        snippet: String,
        titles: &mut HashMap<String, Option<String>>,
    ) -> Result<Option<Hit>, SearchError> {
        let conn = self.conn();
        let row = if rowid > 0 {
            conn.prepare_cached(
                "SELECT c.id, c.raw, i.id, i.type, i.role, i.deleted_at IS NOT NULL
                 FROM items i JOIN conversations c ON c.rowid = i.conv WHERE i.rowid = ?1",
            )
            .map_err(sql_err)?
            .query_row([rowid], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
        } else {
            conn.prepare_cached(
                "SELECT id, raw, NULL, 'conversation', NULL, deleted_at IS NOT NULL
                 FROM conversations WHERE rowid = ?1",
            )
            .map_err(sql_err)?
            .query_row([-rowid], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
        }
        .optional()
        .map_err(sql_err)?;
        let Some((conversation, raw, item, kind, role, deleted)) = row else {
            return Ok(None);
        };
        let (conversation, raw): (String, Option<String>) = (conversation, raw);
        let title = titles
            .entry(conversation.clone())
            .or_insert_with(|| raw.as_deref().and_then(text::title_of))
            .clone();
        Ok(Some(Hit {
            conversation,
            title,
            item,
            kind,
            role,
            snippet,
            rank,
            deleted,
        }))
    }
}

/// Most characters of a snippet: FTS5's window is counted in words, and the text between
/// them (a run of 200,000 newlines, one huge word) is kept whole.
pub const MAX_SNIPPET: usize = 480;

/// A snippet with each run of whitespace made one space, and, when still longer than
/// [`MAX_SNIPPET`], cut to a window from a little before its first match, the cut ends marked
/// `…` and the match markers kept in pairs.
pub fn short(snippet: &str) -> String {
    let mut chars: Vec<char> = Vec::with_capacity(snippet.len().min(4 * MAX_SNIPPET));
    for c in snippet.chars() {
        if c.is_whitespace() && chars.last().is_some_and(|l| l.is_whitespace()) {
            if let Some(l) = chars.last_mut() {
                *l = ' ';
            }
            continue;
        }
        chars.push(c);
    }
    if chars.len() <= MAX_SNIPPET {
        return chars.into_iter().collect();
    }
    let first = chars.iter().position(|&c| c == OPEN).unwrap_or(0);
    let start = first.saturating_sub(MAX_SNIPPET / 3);
    let end = (start + MAX_SNIPPET).min(chars.len());
    let inside_at = |at: usize| {
        chars[..at]
            .iter()
            .rev()
            .find(|&&c| c == OPEN || c == CLOSE)
            .is_some_and(|&c| c == OPEN)
    };
    let mut out = String::new();
    if start > 0 {
        out.push('…');
        if inside_at(start) {
            out.push(OPEN);
        }
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        if inside_at(end) {
            out.push(CLOSE);
        }
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_is_short_and_keeps_its_match() {
        assert_eq!(short("a  b\n\n\nc"), "a b c");
        let long = format!("{}{OPEN}deepline{CLOSE} marker", "\n".repeat(200_000));
        assert_eq!(short(&long), format!(" {OPEN}deepline{CLOSE} marker"));
        // One huge word before the match: a window from a little before it.
        let word = "x".repeat(5_000);
        let s = short(&format!("{word} {OPEN}needle{CLOSE} {word}"));
        assert!(s.chars().count() <= MAX_SNIPPET + 2, "{}", s.len());
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert!(s.contains(&format!("{OPEN}needle{CLOSE}")));
        // A cut inside a match keeps the markers in pairs.
        let inside = short(&format!("{OPEN}{}{CLOSE}", "y".repeat(2_000)));
        assert_eq!(inside.matches(OPEN).count(), inside.matches(CLOSE).count());
    }

    #[test]
    fn pieces_split_on_the_markers() {
        let hit = Hit {
            conversation: "c".into(),
            title: None,
            item: None,
            kind: "message".into(),
            role: None,
            snippet: format!("the {OPEN}Lisbon{CLOSE} train {OPEN}times{CLOSE}"),
            rank: 0.0,
            deleted: false,
        };
        assert_eq!(
            hit.pieces(),
            [
                ("the ", false),
                ("Lisbon", true),
                (" train ", false),
                ("times", true)
            ]
        );
        assert_eq!(hit.marked(), "the [Lisbon] train [times]");
    }
}
