//! Reading the mirror back, for offline reading: its conversations, a page of a
//! conversation's items in the server's order, and how old the copy is.
//!
//! Pages follow the shape of
//! <https://platform.openai.com/docs/api-reference/conversations/list-items>: `after` an item
//! id, oldest or newest first, a limit, and whether there is more.

use rusqlite::{params, OptionalExtension};

use super::{Mirror, MirrorError, MirroredItem};

/// Most rows a page holds, whatever is asked.
pub const MAX_PAGE: usize = 100;

/// A mirrored conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct MirroredConversation {
    pub id: String,
    /// Its JSON as the server last gave it, if it was ever retrieved.
    pub raw: Option<serde_json::Value>,
    /// Unix seconds of the newest write for it (its last retrieval or sync).
    pub written_at: Option<i64>,
}

/// A page of mirrored items.
#[derive(Debug, Clone, PartialEq)]
pub struct MirroredPage {
    pub items: Vec<MirroredItem>,
    pub has_more: bool,
}

impl Mirror {
    /// The conversations the server still had when last seen, oldest recorded first; at most
    /// `limit`.
    pub fn conversation_list(
        &self,
        limit: usize,
    ) -> Result<Vec<MirroredConversation>, MirrorError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, raw, NULLIF(MAX(COALESCE(read_at, 0), COALESCE(synced_at, 0)), 0)
             FROM conversations WHERE deleted_at IS NULL ORDER BY rowid LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit.min(i64::MAX as usize) as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, raw, written_at) = row?;
            out.push(MirroredConversation {
                id,
                raw: raw.and_then(|r| serde_json::from_str(&r).ok()),
                written_at,
            });
        }
        Ok(out)
    }

    /// Unix seconds of the newest write for `conv`, or for the whole mirror.
    pub fn written_at(&self, conv: Option<&str>) -> Result<Option<i64>, MirrorError> {
        let newest = "NULLIF(MAX(MAX(COALESCE(read_at, 0), COALESCE(synced_at, 0))), 0)";
        let at = match conv {
            Some(c) => self.conn().query_row(
                &format!("SELECT {newest} FROM conversations WHERE id = ?1"),
                [c],
                |r| r.get(0),
            ),
            None => {
                self.conn()
                    .query_row(&format!("SELECT {newest} FROM conversations"), [], |r| {
                        r.get(0)
                    })
            }
        };
        Ok(at.optional()?.flatten())
    }

    /// The items of `conv` after the item `after` (from the start without one), oldest first
    /// when `ascending`; items the server no longer has are included, marked.
    pub fn page(
        &self,
        conv: &str,
        after: Option<&str>,
        ascending: bool,
        limit: usize,
    ) -> Result<MirroredPage, MirrorError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let conn = self.conn();
        let Some(rowid) = conn
            .query_row(
                "SELECT rowid FROM conversations WHERE id = ?1",
                [conv],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
        else {
            return Ok(MirroredPage {
                items: Vec::new(),
                has_more: false,
            });
        };
        // Where the page starts: past the `after` item, in the order asked.
        let start: (i64, i64) = match after {
            Some(a) => {
                let found = conn
                    .query_row(
                        "SELECT pos, rowid FROM items
                         WHERE key = id_key(?2) AND id = ?2 AND +conv = ?1",
                        params![rowid, a],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                match found {
                    Some(p) => p,
                    None => {
                        return Ok(MirroredPage {
                            items: Vec::new(),
                            has_more: false,
                        })
                    }
                }
            }
            None if ascending => (i64::MIN, i64::MIN),
            None => (i64::MAX, i64::MAX),
        };
        let sql = if ascending {
            "SELECT raw, deleted_at IS NOT NULL FROM items WHERE conv = ?1
             AND (pos > ?2 OR (pos = ?2 AND rowid > ?3)) ORDER BY pos, rowid LIMIT ?4"
        } else {
            "SELECT raw, deleted_at IS NOT NULL FROM items WHERE conv = ?1
             AND (pos < ?2 OR (pos = ?2 AND rowid < ?3)) ORDER BY pos DESC, rowid DESC LIMIT ?4"
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![rowid, start.0, start.1, limit as i64 + 1], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
        })?;
        let mut items = Vec::new();
        let mut more = false;
        for row in rows {
            let (raw, deleted) = row?;
            if items.len() == limit {
                more = true;
                break;
            }
            if let Ok(raw) = serde_json::from_str(&raw) {
                items.push(MirroredItem { raw, deleted });
            }
        }
        Ok(MirroredPage {
            items,
            has_more: more,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Order;
    use serde_json::json;

    fn ids(page: &MirroredPage) -> Vec<String> {
        page.items
            .iter()
            .map(|i| i.raw["id"].as_str().unwrap().to_string())
            .collect()
    }

    #[tokio::test]
    async fn pages_come_back_in_order_with_deleted_items_marked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite3");
        let (writer, thread) =
            crate::mirror::MirrorWriter::start_joinable(&path, crate::mirror::Memory::SMALL)
                .unwrap();
        writer.record_conversation(&json!({"id": "conv_1", "object": "conversation",
            "created_at": 5, "metadata": {"title": "Trip"}}));
        // Newest first, as the TUI loads them: msg_4 … msg_0.
        let items: Vec<_> = (0..5)
            .rev()
            .map(|i| {
                json!({"type": "message", "id": format!("msg_{i}"), "role": "user",
                "content": [{"type": "input_text", "text": format!("m{i}")}]})
            })
            .collect();
        writer
            .record_page_wait("conv_1", items, Order::Desc, None, 0)
            .await
            .unwrap();
        writer.mark_deleted("conv_1", "msg_2");
        drop(writer);
        thread.join().unwrap();

        let m = Mirror::open_path(&path).unwrap();
        let first = m.page("conv_1", None, false, 2).unwrap();
        assert_eq!(ids(&first), ["msg_4", "msg_3"]);
        assert!(first.has_more);
        let second = m.page("conv_1", Some("msg_3"), false, 2).unwrap();
        assert_eq!(ids(&second), ["msg_2", "msg_1"]);
        assert!(second.items[0].deleted && !second.items[1].deleted);
        let last = m.page("conv_1", Some("msg_1"), false, 2).unwrap();
        assert_eq!(
            (ids(&last), last.has_more),
            (vec!["msg_0".to_string()], false)
        );
        let asc = m.page("conv_1", None, true, 3).unwrap();
        assert_eq!(ids(&asc), ["msg_0", "msg_1", "msg_2"]);
        assert!(m
            .page("conv_1", Some("msg_gone"), true, 3)
            .unwrap()
            .items
            .is_empty());
        assert!(m.page("conv_none", None, true, 3).unwrap().items.is_empty());

        let convs = m.conversation_list(10).unwrap();
        assert_eq!(convs.len(), 1);
        assert_eq!(convs[0].raw.as_ref().unwrap()["metadata"]["title"], "Trip");
        let at = convs[0].written_at.expect("a write time");
        assert!((crate::clock::now_unix() - at).abs() < 60);
        assert_eq!(m.written_at(Some("conv_1")).unwrap(), Some(at));
        assert_eq!(m.written_at(None).unwrap(), Some(at));
        assert_eq!(m.written_at(Some("conv_none")).unwrap(), None);
    }
}
