//! Tests of how items read.

use super::*;
use ratatui::style::Color;
use ratatui::text::Line;
use serde_json::json;

fn text_of(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn summaries_read_well() {
    let m = json!({"type":"message","id":"msg_1","role":"user","content":[{"type":"input_text","text":"Hello\nthere"}]});
    let s = summary(&m);
    assert_eq!(
        (s.icon, s.label.as_str(), s.preview.as_str()),
        ("▷", "user", "Hello there")
    );
    let f = json!({"type":"function_call","name":"get_weather","arguments":"{\"city\":\"Paris\"}"});
    assert_eq!(summary(&f).label, "function_call get_weather");
    let plain = json!({"type":"message","role":"assistant","content":"plain string","status":null});
    assert_eq!(summary(&plain).preview, "plain string");
    let hostile = json!({"type":"message","role":"user\u{1b}[31m","content":"x\u{1b}]0;pwn\u{7}"});
    let s = summary(&hostile);
    assert!(!s.label.contains('\u{1b}') && !s.preview.contains('\u{7}'));
}

#[test]
fn detail_shows_arguments_pretty_and_diffs() {
    let f = json!({"type":"function_call","id":"fc_1","name":"get_weather","call_id":"c1","arguments":"{\"city\":\"Paris\"}","status":"completed"});
    let t = text_of(&detail(&f));
    assert!(t.contains("\"city\": \"Paris\""), "{t}");
    let p = json!({"type":"apply_patch_call","operation":{"type":"update_file","path":"a.rs","diff":"@@ -1 +1 @@\n-old\n+new"}});
    let lines = detail(&p);
    let plus = lines
        .iter()
        .find(|l| l.spans.iter().any(|s| s.content == "+new"))
        .unwrap();
    assert_eq!(plus.style.fg, Some(Color::Green));
}

#[test]
fn images_are_placeholders_and_unknown_types_raw() {
    let m = json!({"type":"message","role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==","detail":"auto"}]});
    let t = text_of(&detail(&m));
    assert!(t.contains("[image: inline image/png"), "{t}");
    assert!(!t.contains("iVBOR"));
    let u = json!({"type":"memory_snapshot","id":"x","nested":{"a":1}});
    let t = text_of(&detail(&u));
    assert!(
        t.contains("unknown item type 'memory_snapshot'") && t.contains("\"a\": 1"),
        "{t}"
    );
}

#[test]
fn raw_json_is_coloured_by_type_and_its_text_parses() {
    crate::tui::theme::set(crate::tui::theme::Theme::DARK);
    let item = json!({"id": "msg_1", "n": -2.5, "ok": true, "none": null, "list": ["a", 3]});
    let lines = pretty_json_lines(&item);
    let back: serde_json::Value = serde_json::from_str(&text_of(&lines)).unwrap();
    assert_eq!(back, item);
    let style_of = |needle: &str| {
        lines
            .iter()
            .flat_map(|l| l.spans.iter())
            .find(|s| s.content.contains(needle))
            .and_then(|s| s.style.fg)
    };
    assert_eq!(style_of("\"msg_1\""), Some(Color::Green));
    assert_eq!(style_of("-2.5"), Some(Color::LightBlue));
    assert_eq!(style_of("true"), Some(Color::Magenta));
    assert_eq!(style_of("null"), Some(Color::Magenta));
    assert_eq!(style_of("\"a\""), Some(Color::Green), "array elements too");
}
