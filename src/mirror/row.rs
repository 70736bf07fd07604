//! One item as the mirror stores it: its id, type and role, its JSON and its searchable text,
//! made where the item was read so that the writer's thread only writes.

use serde_json::Value;

use super::text;
use crate::api::ItemPage;
use crate::protocol::models::{id_of, kind_of};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    pub kind: String,
    pub role: Option<String>,
    /// The item's JSON, as [`crate::json_line::to_json_line`] writes it.
    pub raw: String,
    /// [`text::value_text`] of the item: what the index holds for it.
    pub text: String,
}

impl Row {
    /// The row of an item; `None` for an item without an id (it cannot be told apart).
    pub fn of(item: &Value) -> Option<Row> {
        let raw = crate::json_line::to_json_line(item).ok()?;
        Row::with_raw(item, raw)
    }

    /// Like [`Row::of`], with the item's JSON already written by
    /// [`crate::json_line::to_json_line`] (a listing that prints it as well).
    pub fn with_raw(item: &Value, raw: String) -> Option<Row> {
        let id = id_of(item).filter(|id| !id.is_empty())?;
        Some(Row {
            id: id.to_string(),
            kind: kind_of(item).to_string(),
            role: item.get("role").and_then(Value::as_str).map(str::to_string),
            raw,
            text: text::value_text(item),
        })
    }

    /// The rows of items, those without an id left out.
    pub fn all(items: &[Value]) -> Vec<Row> {
        items.iter().filter_map(Row::of).collect()
    }

    /// The rows of a page's items, those without an id left out.
    pub fn of_page(page: &ItemPage) -> Vec<Row> {
        page.data.iter().filter_map(|i| Row::of(&i.0)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_row_holds_what_the_index_and_the_reader_need() {
        let item = json!({"id": "msg_1", "type": "message", "role": "user",
            "content": [{"type": "input_text", "text": "Lisbon train\u{9b}times"}]});
        let row = Row::of(&item).unwrap();
        assert_eq!(row.id, "msg_1");
        assert_eq!(row.kind, "message");
        assert_eq!(row.role.as_deref(), Some("user"));
        // The stored JSON is the same item, with the C1 control escaped.
        assert!(row.raw.contains("\\u009b"), "{}", row.raw);
        assert_eq!(serde_json::from_str::<Value>(&row.raw).unwrap(), item);
        // The index's text is what `item_text` finds again in the stored JSON.
        assert_eq!(row.text, text::item_text(&row.raw));
        assert!(Row::of(&json!({"type": "message"})).is_none());
        assert!(Row::of(&json!({"id": ""})).is_none());
    }
}
