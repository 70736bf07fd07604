//! A loaded item, kept compactly: its JSON text and its id. The JSON is parsed again when
//! the item is opened, and the one-line summary a row shows is made the first time the row
//! is drawn, so holding many items costs little more than their text, and taking in a page
//! costs the same however many are loaded.

use std::sync::OnceLock;

use serde_json::Value;

use crate::tui::render;

/// What a timeline row shows: icon, label and the start of the preview, already sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub icon: &'static str,
    pub label: Box<str>,
    pub preview: Box<str>,
}

/// Characters of the preview kept for a row; no row is wider.
const PREVIEW_CHARS: usize = 400;

#[derive(Debug, Clone)]
pub struct Loaded {
    json: Box<str>,
    id: Option<Box<str>>,
    row: OnceLock<Box<Row>>,
}

impl PartialEq for Loaded {
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json
    }
}

impl Loaded {
    /// Keeps an item as it came in a page.
    pub fn new(item: &Value) -> Self {
        let json = serde_json::to_string(item).unwrap_or_else(|_| "null".into());
        Loaded {
            json: json.into_boxed_str(),
            id: crate::api::models::id_of(item).map(Box::from),
            row: OnceLock::new(),
        }
    }

    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The item's JSON text, compact.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The item as JSON, parsed again from its text.
    pub fn value(&self) -> Value {
        // The text was written by serde_json from a Value, so it parses back; Null is a
        // fallback that cannot be reached in practice.
        serde_json::from_str(&self.json).unwrap_or(Value::Null)
    }

    /// The bytes this item holds (its text and id), for memory figures.
    pub fn size(&self) -> usize {
        self.json.len() + self.id.as_ref().map_or(0, |i| i.len())
    }

    /// Identifies this item's text while it is loaded (for caches keyed by item).
    pub fn key(&self) -> (usize, usize) {
        (self.json.as_ptr() as usize, self.json.len())
    }

    /// The row's summary, made on first use.
    pub fn row(&self) -> &Row {
        self.row.get_or_init(|| {
            let s = render::summary(&self.value());
            Box::new(Row {
                icon: s.icon,
                label: s.label.into_boxed_str(),
                preview: s
                    .preview
                    .chars()
                    .take(PREVIEW_CHARS)
                    .collect::<String>()
                    .into_boxed_str(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_item_round_trips_and_its_row_is_made_once() {
        let item = json!({"type": "message", "id": "msg_1", "role": "user",
            "content": [{"type": "input_text", "text": "hello\u{1b}]0;x\u{7} there"}]});
        let l = Loaded::new(&item);
        assert_eq!(l.value(), item, "parsed again, the same JSON");
        assert_eq!(l.id(), Some("msg_1"));
        let row = l.row();
        assert_eq!((row.icon, &*row.label), ("▷", "user"));
        assert!(
            !row.preview.contains('\u{1b}'),
            "sanitized: {:?}",
            row.preview
        );
        assert!(std::ptr::eq(row, l.row()), "made once");
    }

    #[test]
    fn a_huge_item_keeps_a_short_preview() {
        let item = json!({"type": "message", "role": "user", "content": "word ".repeat(100_000)});
        let l = Loaded::new(&item);
        assert_eq!(l.id(), None);
        assert_eq!(l.row().preview.chars().count(), PREVIEW_CHARS);
        assert!(l.size() > 500_000);
    }
}
