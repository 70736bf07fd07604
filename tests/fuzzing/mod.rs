//! Strategies shared by the fuzz targets. Each target runs a few hundred cases by default; set
//! `PROPTEST_CASES` for a longer run (`PROPTEST_CASES=100000 cargo test --test fuzz_text`).
#![allow(dead_code)]

use proptest::prelude::*;
use serde_json::{Map, Value};

/// The cases to run: `PROPTEST_CASES` when set, else `default`.
pub fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Characters that have broken terminals, layouts or parsers, made likely.
pub fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(vec![
            '\u{0}',
            '\u{7}',
            '\u{8}',
            '\t',
            '\n',
            '\r',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{9b}',
            '\u{ad}',
            '\u{301}',
            '\u{34f}',
            '\u{61c}',
            '\u{600}',
            '\u{115f}',
            '\u{1160}',
            '\u{180e}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{200e}',
            '\u{2028}',
            '\u{202e}',
            '\u{2060}',
            '\u{2066}',
            '\u{2069}',
            '\u{3164}',
            '\u{fe0e}',
            '\u{fe0f}',
            '\u{feff}',
            '\u{fff9}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{ff9e}',
            '\u{ff9f}',
            '\u{ffa0}',
            '\u{e000}',
            '\u{e0001}',
            '\u{e0041}',
            '\u{e007f}',
            '\u{e0100}',
            '\u{10ffff}',
            '\u{1f3f4}',
            '\u{1f3fb}',
            '\u{1f1ef}',
            '\u{1f1f5}',
            '\u{1f468}',
            '\u{1f469}',
            '\u{1f467}',
            '\u{2764}',
            '\u{1faff}',
            '\u{2fffd}',
            '日',
            'ｶ',
            '한',
            'ﾞ',
            ' ',
            '=',
            '#',
            '\\',
            '"',
            '{',
            '}',
            '[',
            ']',
            ':',
            ',',
            'é',
            'a',
            'z',
            '0',
        ]),
        any::<char>(),
    ]
}

/// Strings of any characters, with the troublesome ones made likely.
pub fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..=max).prop_map(|v| v.into_iter().collect())
}

/// Keys and `type` values the decoders and renderers look at.
const KEYS: &[&str] = &[
    "type",
    "id",
    "role",
    "content",
    "text",
    "status",
    "name",
    "arguments",
    "input",
    "output",
    "result",
    "summary",
    "action",
    "query",
    "queries",
    "results",
    "call_id",
    "code",
    "outputs",
    "server_label",
    "tools",
    "error",
    "phase",
    "refusal",
    "annotations",
    "image_url",
    "file_id",
    "filename",
    "url",
    "command",
    "commands",
    "patch",
    "diff",
    "operation",
    "metadata",
    "created_at",
    "object",
    "data",
    "has_more",
    "first_id",
    "last_id",
    "approve",
    "reason",
];

const TYPES: &[&str] = &[
    "message",
    "input_text",
    "output_text",
    "refusal",
    "input_image",
    "input_file",
    "input_audio",
    "summary_text",
    "reasoning_text",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "reasoning",
    "web_search_call",
    "file_search_call",
    "computer_call",
    "computer_call_output",
    "computer_screenshot",
    "code_interpreter_call",
    "image_generation_call",
    "local_shell_call",
    "local_shell_call_output",
    "shell_call",
    "shell_call_output",
    "apply_patch_call",
    "apply_patch_call_output",
    "mcp_call",
    "mcp_list_tools",
    "mcp_approval_request",
    "mcp_approval_response",
    "compaction",
    "tool_search_call",
    "tool_search_output",
    "additional_tools",
    "configuration_update",
    "program",
    "program_output",
    "search",
    "logs",
    "files",
    "user",
    "assistant",
    "system",
    "developer",
    "completed",
    "in_progress",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(String::from),
        1 => text(8),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(TYPES).prop_map(Value::from),
        text(40).prop_map(Value::String),
    ]
}

/// Any JSON value, shaped enough like items that the decoders go deep.
pub fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An object with a known `type` and a few fields, like an item from a server.
pub fn item() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(TYPES),
        prop::collection::vec((key(), json()), 0..8),
    )
        .prop_map(|(t, fields)| {
            let mut m: Map<String, Value> = fields.into_iter().collect();
            m.insert("type".into(), Value::from(t));
            Value::Object(m)
        })
}
