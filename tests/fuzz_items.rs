//! Fuzz targets for what a server sends and what a user types: item decoding and its
//! accessors, the timeline summary and detail rendering, and the metadata editor's parser.
//! None may panic, and every rendered span is safe for a terminal.
//! `PROPTEST_CASES=100000 cargo test --test fuzz_items` for a long run.

mod cells;
mod fuzzing;

use convtui::protocol::models::{
    metadata_from_value, ContentPart, Conversation, Item, ItemPage, Page,
};
use convtui::tui::editor::metadata_text;
use convtui::tui::render;
use proptest::prelude::*;
use ratatui::backend::TestBackend;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Terminal;
use serde_json::Value;
use unicode_segmentation::UnicodeSegmentation;

use fuzzing::{config, item, json, text};

fn assert_safe(s: &str) -> Result<(), TestCaseError> {
    for g in s.graphemes(true) {
        prop_assert!(
            cells::bad_char(g).is_none(),
            "{:?} in {s:?}",
            cells::bad_char(g)
        );
    }
    Ok(())
}

fn assert_lines_safe(lines: &[Line]) -> Result<(), TestCaseError> {
    for l in lines {
        for span in &l.spans {
            assert_safe(&span.content)?;
        }
    }
    Ok(())
}

/// Decodes `v` every way the client does and reads every accessor.
fn decode_all(v: &Value) {
    let it: Item = serde_json::from_value(v.clone()).expect("any JSON is an item");
    let _ = (it.raw(), it.id(), it.kind(), it.status());
    if let Some(m) = it.as_message() {
        let _ = m.text();
    }
    let _ = ContentPart::from_value(v).text().map(str::len);
    let _ = metadata_from_value(v);
    let _ = serde_json::from_value::<ItemPage>(v.clone());
    let _ = serde_json::from_value::<Conversation>(v.clone());
    let _ = serde_json::from_value::<Page<Conversation>>(v.clone());
    // Re-encoding an item keeps it whole.
    assert_eq!(serde_json::to_value(&it).expect("encodes"), *v);
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_json_decodes_without_panic(v in json()) {
        decode_all(&v);
    }

    #[test]
    fn item_shaped_json_decodes_without_panic(v in item()) {
        decode_all(&v);
        if let Value::Object(m) = &v {
            let page = Value::Object(
                [("object".into(), Value::from("list")), ("data".into(), Value::Array(vec![v.clone(), Value::Object(m.clone())])), ("has_more".into(), Value::from(true))]
                    .into_iter()
                    .collect(),
            );
            decode_all(&page);
        }
    }

    #[test]
    fn any_bytes_decode_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..200), s in text(80)) {
        let _ = serde_json::from_slice::<ItemPage>(&bytes);
        let _ = serde_json::from_slice::<Item>(&bytes);
        let _ = serde_json::from_str::<ItemPage>(&s);
        let _ = serde_json::from_str::<Conversation>(&s);
    }

    /// Every item renders, as a summary and as a detail, with nothing unsafe in any span, and
    /// draws into a bordered block without moving the border.
    #[test]
    fn items_render_safely(v in prop_oneof![item(), json()], w in 3u16..60) {
        let summary = render::summary(&v);
        assert_safe(summary.icon)?;
        assert_safe(&summary.label)?;
        assert_safe(&summary.preview)?;
        let detail = render::detail(&v);
        assert_lines_safe(&detail)?;
        let pretty = render::pretty_json_lines(&v);
        assert_lines_safe(&pretty)?;
        let _ = render::content_text(&v);
        let _ = render::kind(&v);

        let mut terminal = Terminal::new(TestBackend::new(w, 12)).unwrap();
        terminal
            .draw(|f| f.render_widget(Paragraph::new(Text::from(detail)).block(Block::bordered()), f.area()))
            .unwrap();
        if let Err(e) = cells::check(terminal.backend().buffer()) {
            return Err(TestCaseError::fail(format!("{e} drawing {v}")));
        }
    }

    /// The metadata editor's parser takes any text: errors name lines that exist, and what it
    /// accepts reads back the same.
    #[test]
    fn metadata_parser_takes_any_text(lines in prop::collection::vec(text(40), 0..24)) {
        let input = lines.join("\n");
        let parsed = metadata_text::parse(&input);
        let count = input.split('\n').count();
        for e in &parsed.errors {
            prop_assert!(e.line < count, "error on line {} of {}", e.line, count);
            prop_assert!(!e.message.is_empty());
        }
        for (line, _, _) in &parsed.pairs {
            prop_assert!(*line < count);
        }
        let _ = parsed.counter();
        let _ = metadata_text::check(&parsed.map);
        if parsed.is_valid() {
            let again = metadata_text::parse(&metadata_text::to_text(&parsed.map));
            prop_assert_eq!(again.map, parsed.map);
        }
    }
}
