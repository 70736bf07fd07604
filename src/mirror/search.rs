//! Full-text search over the mirror (SQLite FTS5, ranked by bm25).

use rusqlite::{params_from_iter, types::Value as Sql, OptionalExtension};
use serde::Serialize;

use super::{text, Mirror, MirrorError};

/// Marks the start and the end of a match in a snippet. Item text never holds control
/// characters (see [`text::item_text`]), so these are unambiguous.
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
    #[error(transparent)]
    Mirror(#[from] MirrorError),
}

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

fn sql_err(e: rusqlite::Error) -> SearchError {
    match is_query_error(&e) {
        Some(msg) => SearchError::Query(msg),
        None => SearchError::Mirror(e.into()),
    }
}

impl Mirror {
    /// Searches items and conversations, best match first.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>, SearchError> {
        if q.text.trim().is_empty() {
            return Err(SearchError::Query("the query is empty".into()));
        }
        let limit = q.limit.clamp(1, 10_000) as i64;
        let mut args: Vec<Sql> = vec![Sql::Text(q.text.clone())];
        let sql = if q.conversation.is_none() && q.kind.is_none() && q.role.is_none() {
            "SELECT rowid, rank FROM search WHERE search MATCH ?1 ORDER BY rank LIMIT ?2"
                .to_string()
        } else {
            let mut sql = String::from(
                "SELECT search.rowid, search.rank FROM search
                 LEFT JOIN items i ON i.rowid = search.rowid
                 LEFT JOIN conversations ic ON ic.rowid = i.conv
                 LEFT JOIN conversations c ON c.rowid = -search.rowid
                 WHERE search MATCH ?1",
            );
            let mut filter = |clause: &str, value: &Option<String>| {
                if let Some(v) = value {
                    args.push(Sql::Text(v.clone()));
                    sql.push_str(&format!(" AND {clause} = ?{}", args.len() + 1));
                }
            };
            filter("COALESCE(ic.id, c.id)", &q.conversation);
            filter("COALESCE(i.type, 'conversation')", &q.kind);
            filter("i.role", &q.role);
            sql.push_str(" ORDER BY search.rank LIMIT ?2");
            sql
        };
        args.insert(1, Sql::Integer(limit));
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql).map_err(sql_err)?;
        let found = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?))
            })
            .map_err(sql_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_err)?;
        let mut snippet = conn
            .prepare_cached(
                "SELECT snippet(search, -1, ?3, ?4, '…', 16) FROM search
                 WHERE search MATCH ?1 AND rowid = ?2",
            )
            .map_err(sql_err)?;
        let mut hits = self.by_item_id(q)?;
        for (rowid, rank) in found {
            let snip: String = snippet
                .query_row(
                    rusqlite::params![q.text, rowid, OPEN.to_string(), CLOSE.to_string()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql_err)?
                .unwrap_or_default();
            if let Some(hit) = self.describe(rowid, rank, snip)? {
                hits.push(hit);
            }
        }
        hits.truncate(limit as usize);
        Ok(hits)
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
            .prepare_cached("SELECT rowid, raw FROM items WHERE id = ?1")
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
            if let Some(hit) = self.describe(rowid, ID_RANK, snippet)? {
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

    fn describe(&self, rowid: i64, rank: f64, snippet: String) -> Result<Option<Hit>, SearchError> {
        let conn = self.conn();
        let row = if rowid > 0 {
            conn.query_row(
                "SELECT c.id, c.raw, i.id, i.type, i.role, i.deleted_at IS NOT NULL
                 FROM items i JOIN conversations c ON c.rowid = i.conv WHERE i.rowid = ?1",
                [rowid],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
        } else {
            conn.query_row(
                "SELECT id, raw, NULL, 'conversation', NULL, deleted_at IS NOT NULL
                 FROM conversations WHERE rowid = ?1",
                [-rowid],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
        }
        .optional()
        .map_err(sql_err)?;
        let Some((conversation, raw, item, kind, role, deleted)) = row else {
            return Ok(None);
        };
        let raw: Option<String> = raw;
        Ok(Some(Hit {
            conversation,
            title: raw.as_deref().and_then(text::title_of),
            item,
            kind,
            role,
            snippet,
            rank,
            deleted,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
