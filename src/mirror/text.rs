//! The searchable text of items and conversations, and where new items go in the order.
//!
//! Item shapes follow https://platform.openai.com/docs/api-reference/conversations/list-items-object:
//! message text, tool names and arguments, tool outputs, reasoning summaries, shell commands and
//! patches are all string leaves of the item, so every string leaf is indexed except the keys
//! below, which hold ids, enums or binary data.

use serde_json::Value;

/// Most text indexed for one item; the rest of a huge item is still stored, only not indexed.
pub const MAX_TEXT: usize = 256 * 1024;

/// A string longer than this without a space is binary (base64 images, encrypted content).
const MAX_WORD: usize = 2048;

/// Keys whose values are ids, enums or opaque data rather than text (a `match`: it runs for
/// every key of every item written).
fn skip(key: &str) -> bool {
    matches!(
        key,
        "id" | "type"
            | "status"
            | "call_id"
            | "role"
            | "phase"
            | "object"
            | "encrypted_content"
            | "image_url"
            | "file_data"
            | "file_id"
            | "logprobs"
            | "top_logprobs"
            | "bytes"
            | "created_by"
            | "approval_request_id"
            | "request_id"
            | "container_id"
            | "fingerprint"
            | "detail"
            | "execution"
            | "prompt_cache_breakpoint"
    )
}

/// The text of an item's JSON for the index. Deterministic: the index relies on getting the
/// same text again when a row is replaced. Control characters become spaces.
pub fn item_text(raw: &str) -> String {
    match serde_json::from_str::<Value>(raw) {
        Ok(value) => value_text(&value),
        Err(_) => String::new(),
    }
}

/// [`item_text`] of an item already parsed.
pub fn value_text(value: &Value) -> String {
    let mut out = String::new();
    let image = value.get("type").and_then(Value::as_str) == Some("image_generation_call");
    walk(value, &mut out, image);
    out
}

fn walk(value: &Value, out: &mut String, image: bool) {
    match value {
        Value::String(s) => push(out, s),
        Value::Array(values) => values.iter().for_each(|v| walk(v, out, image)),
        Value::Object(map) => {
            for (k, v) in map {
                if skip(k) || (image && k == "result") {
                    continue;
                }
                walk(v, out, image);
            }
        }
        _ => {}
    }
}

fn push(out: &mut String, s: &str) {
    if s.is_empty() || out.len() >= MAX_TEXT {
        return;
    }
    if s.len() > MAX_WORD && !s.contains(char::is_whitespace) {
        return;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    // Coloured output (a shell's, a tool's) holds escape sequences: `\x1b[31merror` is the word
    // `error` on a terminal, and so it is for the index.
    let s = &*without_escapes(s);
    // The match markers of snippets become spaces, so that they stay unambiguous; every other
    // control character is kept for the reader's sanitizer to show (`␛`), and, like a space,
    // it separates words for the index.
    let marker = |c: char| c == super::search::OPEN || c == super::search::CLOSE;
    if out.len() + s.len() <= MAX_TEXT && !s.contains(marker) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        if out.len() >= MAX_TEXT {
            break;
        }
        out.push(if marker(c) { ' ' } else { c });
    }
}

/// `s` without its complete escape sequences (CSI, with `ESC [` or U+009B, OSC up to its BEL
/// or `ESC \\`, and the two-character ones), as a terminal would not show them; an escape
/// that starts no complete sequence is kept.
pub fn without_escapes(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['\u{1b}', '\u{9b}']) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(['\u{1b}', '\u{9b}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match escape_len(tail) {
            Some(n) => rest = &tail[n..],
            None => {
                let c = tail.chars().next().map_or(1, char::len_utf8);
                out.push_str(&tail[..c]);
                rest = &tail[c..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The length in bytes of the escape sequence `s` starts with, if it is complete.
fn escape_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, then a final byte 0x40–0x7E.
    let csi = |start: usize| {
        let mut i = start;
        while b.get(i).is_some_and(|c| (0x20..=0x3f).contains(c)) {
            i += 1;
        }
        b.get(i)
            .filter(|c| (0x40..=0x7e).contains(*c))
            .map(|_| i + 1)
    };
    if s.starts_with('\u{9b}') {
        return csi('\u{9b}'.len_utf8());
    }
    match b.get(1)? {
        b'[' => csi(2),
        // OSC (a title, a hyperlink), ended by BEL or ST (`ESC \\`).
        b']' => {
            let body = &s[2..];
            let end = body.find(['\u{7}', '\u{1b}'])?;
            match body.as_bytes()[end] {
                7 => Some(2 + end + 1),
                _ if body.as_bytes().get(end + 1) == Some(&b'\\') => Some(2 + end + 2),
                _ => None,
            }
        }
        // A character set's designation: `ESC ( B`.
        b'(' | b')' | b'*' | b'+' => b.get(2).filter(|c| c.is_ascii_graphic()).map(|_| 3),
        0x30..=0x7e => Some(2),
        _ => None,
    }
}

/// The text of a conversation's JSON for the index: its metadata, keys and values.
pub fn conversation_text(raw: Option<&str>) -> String {
    let Some(value) = raw.and_then(|r| serde_json::from_str::<Value>(r).ok()) else {
        return String::new();
    };
    let mut out = String::new();
    if let Some(Value::Object(meta)) = value.get("metadata") {
        for (k, v) in meta {
            push(&mut out, k);
            if let Value::String(s) = v {
                push(&mut out, s);
            }
        }
    }
    out
}

/// The title of a conversation's JSON: its metadata's `title`, `topic` or `name`.
pub fn title_of(raw: &str) -> Option<String> {
    let value: Value = serde_json::from_str(raw).ok()?;
    let meta = value.get("metadata")?;
    ["title", "topic", "name"].iter().find_map(|k| {
        meta.get(*k)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    })
}

/// Space left between neighbouring items' positions, so later items fit between them.
pub const GAP: i64 = 1 << 16;

/// Positions for the items of one page of a listing, in the page's order.
///
/// `known[k]` is the position of item `k` if the mirror has it already; `cursor` the position
/// of the `after` item when it is known; `first_page` whether the listing started at its
/// beginning (no `after`). `ascending`: the page is oldest first. `max`/`min`: the highest and
/// lowest positions in the conversation so far. Larger positions are newer.
pub fn place(
    known: &[Option<i64>],
    cursor: Option<i64>,
    first_page: bool,
    ascending: bool,
    (min, max): (i64, i64),
) -> Vec<i64> {
    let d: i64 = if ascending { 1 } else { -1 };
    let n = known.len();
    let mut out: Vec<i64> = vec![0; n];
    let mut k = 0;
    while k < n {
        if let Some(p) = known[k] {
            out[k] = p;
            k += 1;
            continue;
        }
        let a = k;
        let mut b = k;
        while b < n && known[b].is_none() {
            b += 1;
        }
        let left = if a == 0 { cursor } else { Some(out[a - 1]) };
        let right = if b < n { known[b] } else { None };
        let len = (b - a) as i64;
        for (offset, slot) in out[a..b].iter_mut().enumerate() {
            let step = offset as i64 + 1;
            *slot = match (left, right) {
                (Some(l), Some(r)) => l + (r - l) * step / (len + 1),
                (Some(l), None) => l.saturating_add(d * GAP * step),
                (None, Some(r)) => r.saturating_sub(d * GAP * (len + 1 - step)),
                // The newest items of a listing that starts at the newest end.
                (None, None) if first_page && !ascending => {
                    max.saturating_add(GAP * (len + 1 - step))
                }
                (None, None) if first_page => min.saturating_sub(GAP * (len + 1 - step)),
                // Somewhere in a listing whose cursor is unknown: beyond what is known.
                (None, None) if ascending => max.saturating_add(GAP * step),
                (None, None) => min.saturating_sub(GAP * step),
            };
        }
        k = b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_covers_messages_tools_reasoning_shell_and_patches() {
        let items = [
            (
                r#"{"type":"message","id":"msg_1","role":"user","status":"completed","content":[{"type":"input_text","text":"Lisbon trains"}]}"#,
                "Lisbon trains",
            ),
            (
                r#"{"type":"function_call","id":"fc_1","call_id":"c","name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}"#,
                "get_weather\n{\"city\":\"Paris\"}",
            ),
            (
                r#"{"type":"function_call_output","id":"o","call_id":"c","output":"{\"temp_c\":21}"}"#,
                "{\"temp_c\":21}",
            ),
            (
                r#"{"type":"reasoning","id":"rs","summary":[{"type":"summary_text","text":"Checked."}],"encrypted_content":"gAAAA"}"#,
                "Checked.",
            ),
            (
                r#"{"type":"shell_call","id":"sh","call_id":"c","action":{"commands":["ls -la"],"timeout_ms":null},"status":"completed"}"#,
                "ls -la",
            ),
            (
                r#"{"type":"apply_patch_call","id":"p","call_id":"c","status":"completed","operation":{"type":"update_file","path":"src/main.rs","diff":"@@ fn"}}"#,
                "src/main.rs\n@@ fn",
            ),
            (
                r#"{"type":"image_generation_call","id":"ig","status":"completed","result":"iVBOR"}"#,
                "",
            ),
        ];
        for (raw, want) in items {
            assert_eq!(item_text(raw), want, "{raw}");
        }
        assert_eq!(item_text("not json"), "");
        // The snippet markers go, and so do escape sequences; an escape that starts none
        // stays, for the sanitizer to show.
        assert_eq!(
            item_text(r#"{"text":"a\u0002b\u0003c\u001b[2J \u001b[31mred\u001b[0m\u001b"}"#),
            "a b c red\u{1b}"
        );
        let huge = format!(r#"{{"text":"{}"}}"#, "x ".repeat(MAX_TEXT));
        assert!(item_text(&huge).len() <= MAX_TEXT + 4);
    }

    #[test]
    fn escape_sequences_are_left_out_as_a_terminal_shows_them() {
        let cases = [
            ("\u{1b}[1;31merror\u{1b}[0m: disk", "error: disk"),
            ("\u{9b}32mok\u{9b}0m", "ok"),
            (
                "\u{1b}]8;;https://x.test\u{7}link\u{1b}]8;;\u{1b}\\ here",
                "link here",
            ),
            ("\u{1b}]0;title\u{7}text", "text"),
            ("\u{1b}(Bplain\u{1b}=", "plain"),
            // Incomplete: kept, so that no text after them is lost.
            ("\u{1b}[31", "\u{1b}[31"),
            ("\u{1b}]0;no end", "\u{1b}]0;no end"),
            ("end\u{1b}", "end\u{1b}"),
            ("\u{1b}\u{1b}[0mx", "\u{1b}x"),
            ("café \u{1b}[4mnaïve\u{1b}[24m", "café naïve"),
        ];
        for (text, want) in cases {
            assert_eq!(without_escapes(text), want, "{text:?}");
        }
        assert!(matches!(
            without_escapes("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn conversation_text_and_title() {
        let raw = r#"{"id":"conv_1","metadata":{"topic":"Lisbon","x":"y"}}"#;
        assert_eq!(conversation_text(Some(raw)), "topic\nLisbon\nx\ny");
        assert_eq!(title_of(raw).as_deref(), Some("Lisbon"));
        assert_eq!(conversation_text(None), "");
    }

    #[test]
    fn places_new_items_between_and_beyond_known_ones() {
        // Newest first, nothing known: above everything, the first one newest.
        let p = place(&[None, None], None, true, false, (0, 100));
        assert!(p[0] > p[1] && p[1] > 100, "{p:?}");
        // Newest first, reaching a known item: just above it.
        let p = place(&[None, None, Some(10)], None, true, false, (0, 10));
        assert!(p[0] > p[1] && p[1] > 10, "{p:?}");
        // Between two known items: strictly between, in order.
        let p = place(
            &[Some(0), None, None, Some(300)],
            None,
            false,
            true,
            (0, 300),
        );
        assert!(0 < p[1] && p[1] < p[2] && p[2] < 300, "{p:?}");
        // After a known cursor, oldest first: above it.
        let p = place(&[None], Some(50), false, true, (0, 50));
        assert!(p[0] > 50);
        // After a known cursor, newest first: below it.
        let p = place(&[None, None], Some(50), false, false, (0, 50));
        assert!(p[0] < 50 && p[1] < p[0], "{p:?}");
        // Oldest first from the start, nothing known: below everything.
        let p = place(&[None, None], None, true, true, (5, 9));
        assert!(p[0] < p[1] && p[1] < 5, "{p:?}");
    }
}
