//! Loaded items, kept compactly. The items of a page are written out as compact JSON text,
//! side by side, and that text is compressed (LZ4) in blocks of a few dozen items; each item
//! keeps only where its text and its id lie in its block. The JSON is parsed again when the
//! item is opened, and the one-line summary a row shows is made the first time the row is
//! drawn, so holding many items costs less than their text, and taking in a page costs the
//! same however many are loaded.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

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

/// Bytes of item text after which a block is closed. A larger block compresses better; a
/// smaller one is quicker to open for one item.
const BLOCK_BYTES: usize = 32 * 1024;

/// Several items' JSON text, compressed as one, and their ids, uncompressed (rows, marks and
/// deletions look ids up all the time).
#[derive(Debug)]
struct Block {
    /// Tells this block's text apart in the cache of the last block opened.
    serial: u64,
    packed: Box<[u8]>,
    ids: Box<str>,
}

/// Largest block text kept open after use.
const CACHE_BYTES: usize = 1024 * 1024;

static SERIAL: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The text of the block opened last: reading the items of one block one after another
    /// (a filter, the stats) opens it once.
    static LAST: RefCell<Option<(u64, Arc<str>)>> = const { RefCell::new(None) };
}

impl Block {
    fn new(text: &[u8], ids: String) -> Arc<Block> {
        Arc::new(Block {
            serial: SERIAL.fetch_add(1, Ordering::Relaxed),
            packed: lz4_flex::compress_prepend_size(text).into_boxed_slice(),
            ids: ids.into_boxed_str(),
        })
    }

    /// The block's text, decompressed (or the one already open).
    fn text(&self) -> Arc<str> {
        if let Some(text) = LAST.with(|l| {
            l.borrow()
                .as_ref()
                .filter(|(s, _)| *s == self.serial)
                .map(|(_, t)| t.clone())
        }) {
            return text;
        }
        // The block was compressed here from JSON text, so it decompresses to UTF-8; an empty
        // text is a fallback that cannot be reached in practice.
        let text: Arc<str> = lz4_flex::decompress_size_prepended(&self.packed)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
            .into();
        // A block of one huge item is not kept open: it is opened rarely, and would stay.
        let keep = (text.len() <= CACHE_BYTES).then(|| (self.serial, text.clone()));
        LAST.with(|l| *l.borrow_mut() = keep);
        text
    }
}

/// A range of a block's text, as u32 offsets (a block is never near 4 GB: it closes after
/// [`BLOCK_BYTES`], and one item alone is bounded by the client's answer size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn of(start: usize, len: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(len).unwrap_or(0),
        }
    }

    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

#[derive(Debug, Clone)]
pub struct Loaded {
    block: Arc<Block>,
    text: Span,
    id: Option<Span>,
    row: OnceLock<Box<Row>>,
}

impl PartialEq for Loaded {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}

impl Loaded {
    /// Keeps one item as it came in a page.
    pub fn new(item: &Value) -> Self {
        let text = serde_json::to_vec(item).unwrap_or_else(|_| b"null".to_vec());
        let id = crate::api::models::id_of(item);
        Loaded {
            block: Block::new(&text, id.unwrap_or_default().to_string()),
            text: Span::of(0, text.len()),
            id: id.map(|i| Span::of(0, i.len())),
            row: OnceLock::new(),
        }
    }

    /// Keeps the items of a page, in order, a block at a time.
    pub fn page<'a>(items: impl IntoIterator<Item = &'a Value>) -> Vec<Loaded> {
        let mut out = Vec::new();
        let mut text: Vec<u8> = Vec::new();
        let mut ids = String::new();
        let mut spans: Vec<(Span, Option<Span>)> = Vec::new();
        let close = |text: &mut Vec<u8>, ids: &mut String, spans: &mut Vec<_>, out: &mut Vec<_>| {
            if spans.is_empty() {
                return;
            }
            let block = Block::new(text, std::mem::take(ids));
            text.clear();
            out.extend(spans.drain(..).map(|(text, id)| Loaded {
                block: block.clone(),
                text,
                id,
                row: OnceLock::new(),
            }));
        };
        for item in items {
            let start = text.len();
            // Writing a Value into memory cannot fail: its keys are strings.
            if serde_json::to_writer(&mut text, item).is_err() {
                text.truncate(start);
                text.extend_from_slice(b"null");
            }
            let id = crate::api::models::id_of(item).map(|id| {
                let span = Span::of(ids.len(), id.len());
                ids.push_str(id);
                span
            });
            spans.push((Span::of(start, text.len() - start), id));
            if text.len() >= BLOCK_BYTES {
                close(&mut text, &mut ids, &mut spans, &mut out);
            }
        }
        close(&mut text, &mut ids, &mut spans, &mut out);
        out
    }

    pub fn id(&self) -> Option<&str> {
        self.id.and_then(|s| self.block.ids.get(s.range()))
    }

    /// The item's JSON text, compact.
    pub fn json(&self) -> String {
        self.block
            .text()
            .get(self.text.range())
            .unwrap_or("null")
            .to_string()
    }

    /// The item as JSON, parsed again from its text.
    pub fn value(&self) -> Value {
        // The text was written by serde_json from a Value, so it parses back; Null is a
        // fallback that cannot be reached in practice.
        let block = self.block.text();
        block
            .get(self.text.range())
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null)
    }

    /// The bytes of this item's text and id, uncompressed, for memory figures.
    pub fn size(&self) -> usize {
        self.text.len as usize + self.id.map_or(0, |i| i.len as usize)
    }

    /// Identifies this item's text while it is loaded (for caches keyed by item).
    pub fn key(&self) -> (usize, usize) {
        (
            Arc::as_ptr(&self.block) as usize + self.text.start as usize,
            self.text.len as usize,
        )
    }

    /// The bytes a run of loaded items holds: each block once (compressed text and ids) and
    /// each item's own record, rows made so far left out. For memory figures.
    pub fn held(items: &[Loaded]) -> usize {
        let mut last = None;
        let blocks: usize = items
            .iter()
            .filter(|l| last.replace(Arc::as_ptr(&l.block)) != Some(Arc::as_ptr(&l.block)))
            .map(|l| l.block.packed.len() + l.block.ids.len())
            .sum();
        blocks + std::mem::size_of_val(items)
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

    /// Many items across several blocks: each reads back as itself, in any order, and the
    /// blocks hold less than the text.
    #[test]
    fn a_page_splits_into_blocks_that_read_back_item_by_item() {
        let items: Vec<Value> = (0..500)
            .map(|i| {
                json!({"type": "message", "id": format!("msg_{i}"), "role": "user",
                    "content": [{"type": "input_text", "text": format!("é {i} ") .repeat(i % 40 + 1)}]})
            })
            .chain([json!({"type": "note"})])
            .collect();
        let loaded = Loaded::page(&items);
        assert_eq!(loaded.len(), items.len());
        let blocks: std::collections::HashSet<_> =
            loaded.iter().map(|l| Arc::as_ptr(&l.block)).collect();
        assert!(blocks.len() > 1, "more than one block");
        for i in [499, 0, 250, 3, 500, 1] {
            assert_eq!(loaded[i].value(), items[i], "item {i}");
            assert_eq!(loaded[i].json(), items[i].to_string());
        }
        assert_eq!(loaded[7].id(), Some("msg_7"));
        assert_eq!(loaded[500].id(), None);
        let keys: std::collections::HashSet<_> = loaded.iter().map(Loaded::key).collect();
        assert_eq!(keys.len(), loaded.len(), "keys tell items apart");
        let text: usize = loaded.iter().map(Loaded::size).sum();
        let held = Loaded::held(&loaded);
        assert!(held < text, "compressed: {held} of {text} bytes");
        let one_by_one: Vec<Loaded> = items.iter().map(Loaded::new).collect();
        assert!(
            Loaded::held(&one_by_one) > held,
            "a block of many compresses better than one item each"
        );
        assert_eq!(loaded[3].clone(), loaded[3]);
        assert_ne!(loaded[3], loaded[4]);
    }
}
