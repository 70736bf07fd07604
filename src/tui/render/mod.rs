//! How items read: a one-line summary for the timeline, and a complete rendering for the detail
//! view. Everything passes through `sanitize`.

use serde_json::Value;

use super::sanitize;

mod detail;
pub mod markdown;
pub use detail::{detail, pretty_json_lines};

pub struct Summary {
    pub icon: &'static str,
    pub label: String,
    pub preview: String,
}

fn s<'a>(item: &'a Value, key: &str) -> &'a str {
    item.get(key).and_then(Value::as_str).unwrap_or("")
}

pub use crate::api::models::kind_of as kind;

fn icon(item: &Value) -> &'static str {
    match kind(item) {
        "message" => match s(item, "role") {
            "user" => "▷",
            "assistant" => "◁",
            "system" => "□",
            "developer" => "■",
            _ => "○",
        },
        "reasoning" => "∴",
        "function_call" | "custom_tool_call" | "mcp_call" | "tool_search_call" | "program" => "◆",
        "function_call_output"
        | "custom_tool_call_output"
        | "computer_call_output"
        | "local_shell_call_output"
        | "shell_call_output"
        | "apply_patch_call_output"
        | "tool_search_output"
        | "program_output" => "◇",
        "web_search_call" | "file_search_call" => "◎",
        "image_generation_call" => "▣",
        "computer_call" => "▤",
        "code_interpreter_call" => "▥",
        "local_shell_call" | "shell_call" => "$",
        "apply_patch_call" => "±",
        "mcp_list_tools" | "mcp_approval_request" | "mcp_approval_response" => "◈",
        "compaction" => "≡",
        "additional_tools" | "configuration_update" => "⚙",
        _ => "?",
    }
}

/// The text of message-like content: a string, or the text of each part.
pub fn content_text(content: &Value) -> String {
    match content {
        Value::String(t) => t.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| {
                p.get("text")
                    .or_else(|| p.get("refusal"))
                    .and_then(Value::as_str)
                    .map(String::from)
                    .or_else(|| part_placeholder(p))
            })
            .collect::<Vec<_>>()
            .join(" "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The start of [`content_text`] (about `PREVIEW_BYTES`), without copying all of a huge text.
fn content_start(content: Option<&Value>) -> String {
    let Some(Value::Array(parts)) = content else {
        return content.map(content_text).unwrap_or_default();
    };
    let mut out = String::new();
    for p in parts {
        if out.len() >= PREVIEW_BYTES {
            break;
        }
        let text = p
            .get("text")
            .or_else(|| p.get("refusal"))
            .and_then(Value::as_str);
        let placeholder;
        let part = match text {
            Some(t) => t,
            None => match part_placeholder(p) {
                Some(ph) => {
                    placeholder = ph;
                    &placeholder
                }
                None => continue,
            },
        };
        if !out.is_empty() {
            out.push(' ');
        }
        let mut end = part.len().min(PREVIEW_BYTES);
        while !part.is_char_boundary(end) {
            end -= 1;
        }
        out.push_str(&part[..end]);
    }
    out
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(t) => t.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Bytes of an item's text a preview is made from; rows, dialogs and the filter use less.
const PREVIEW_BYTES: usize = 16 * 1024;

/// A one-line summary: icon, role or type, and a preview.
pub fn summary(item: &Value) -> Summary {
    let k = kind(item);
    let (label, preview) = match k {
        "message" => {
            let mut label = s(item, "role").to_string();
            if let Some(phase) = item.get("phase").and_then(Value::as_str) {
                label.push_str(&format!(" ({phase})"));
            }
            (label, content_start(item.get("content")))
        }
        "function_call" | "custom_tool_call" => {
            let args = item.get("arguments").or_else(|| item.get("input"));
            (
                format!("{k} {}", s(item, "name")),
                args.map(compact).unwrap_or_default(),
            )
        }
        "function_call_output"
        | "custom_tool_call_output"
        | "apply_patch_call_output"
        | "program_output" => (
            k.to_string(),
            item.get("output")
                .or_else(|| item.get("result"))
                .map(|o| match o {
                    Value::Array(_) => content_text(o),
                    other => compact(other),
                })
                .unwrap_or_default(),
        ),
        "reasoning" => (
            k.to_string(),
            item.get("summary").map(content_text).unwrap_or_default(),
        ),
        "web_search_call" => {
            let a = item.get("action").unwrap_or(&Value::Null);
            let what = [s(a, "query"), s(a, "url"), s(a, "pattern")]
                .into_iter()
                .find(|x| !x.is_empty())
                .unwrap_or("");
            (format!("{k} {}", s(a, "type")), what.to_string())
        }
        "file_search_call" => (
            k.to_string(),
            compact(item.get("queries").unwrap_or(&Value::Null)),
        ),
        "computer_call" => {
            let a = item.get("action").unwrap_or(&Value::Null);
            (format!("{k} {}", s(a, "type")), compact(a))
        }
        "code_interpreter_call" | "program" => (k.to_string(), s(item, "code").to_string()),
        "local_shell_call" => (
            k.to_string(),
            item.pointer("/action/command")
                .map(join_words)
                .unwrap_or_default(),
        ),
        "shell_call" => (
            k.to_string(),
            item.pointer("/action/commands")
                .map(join_words)
                .unwrap_or_default(),
        ),
        "apply_patch_call" => {
            let op = item.get("operation").unwrap_or(&Value::Null);
            (format!("{k} {}", s(op, "type")), s(op, "path").to_string())
        }
        "mcp_call" | "mcp_approval_request" => (
            format!("{k} {}.{}", s(item, "server_label"), s(item, "name")),
            s(item, "arguments").to_string(),
        ),
        "mcp_list_tools" => (format!("{k} {}", s(item, "server_label")), tool_names(item)),
        "mcp_approval_response" => (
            k.to_string(),
            match item.get("approve").and_then(Value::as_bool) {
                Some(true) => "approved".into(),
                Some(false) => "denied".into(),
                None => String::new(),
            },
        ),
        "compaction" => (k.to_string(), "compacted context (encrypted)".into()),
        "shell_call_output" => (
            k.to_string(),
            item.get("output")
                .and_then(Value::as_array)
                .and_then(|outs| outs.first())
                .map(|o| format!("{} {}", s(o, "stdout"), s(o, "stderr")))
                .unwrap_or_default(),
        ),
        "local_shell_call_output" => {
            let out = s(item, "output");
            let parsed: Option<Value> = serde_json::from_str(out).ok();
            let text = parsed
                .as_ref()
                .and_then(|v| v.get("stdout"))
                .and_then(Value::as_str)
                .unwrap_or(out);
            (k.to_string(), text.to_string())
        }
        "computer_call_output" => {
            let out = item.get("output").unwrap_or(&Value::Null);
            (
                k.to_string(),
                part_placeholder(out).unwrap_or_else(|| compact(out)),
            )
        }
        "tool_search_call" => (
            k.to_string(),
            compact(item.get("arguments").unwrap_or(&Value::Null)),
        ),
        "tool_search_output" | "additional_tools" => (k.to_string(), tool_names(item)),
        "image_generation_call" => (k.to_string(), s(item, "status").to_string()),
        _ => {
            let mut rest = item.clone();
            if let Some(m) = rest.as_object_mut() {
                m.remove("type");
                m.remove("id");
                m.remove("status");
            }
            (k.to_string(), compact(&rest))
        }
    };
    // A row shows a few hundred characters: only the start of a huge text is made into the
    // preview, so a 10 MB item costs no more than a small one here.
    let mut end = preview.len().min(PREVIEW_BYTES);
    while !preview.is_char_boundary(end) {
        end -= 1;
    }
    Summary {
        icon: icon(item),
        label: sanitize::line(&label),
        preview: sanitize::line(
            preview[..end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .as_str(),
        ),
    }
}

/// The names in an item's `tools` list.
fn tool_names(item: &Value) -> String {
    item.get("tools")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .map(|t| s(t, "name"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn join_words(v: &Value) -> String {
    match v {
        Value::Array(a) => a.iter().map(compact).collect::<Vec<_>>().join(" "),
        other => compact(other),
    }
}

/// A placeholder for a non-text content part, naming its URL or id.
fn part_placeholder(p: &Value) -> Option<String> {
    match s(p, "type") {
        "input_image" | "computer_screenshot" => Some(format!(
            "[image: {}]",
            url_or_id(p, &["image_url", "file_id"])
        )),
        "input_file" => Some(format!(
            "[file: {}]",
            url_or_id(p, &["filename", "file_id", "file_url"])
        )),
        "input_audio" => Some("[audio]".into()),
        _ => None,
    }
}

fn url_or_id(p: &Value, keys: &[&str]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .filter_map(|k| p.get(*k).and_then(Value::as_str))
        .filter(|v| !v.is_empty())
        .map(describe_url)
        .collect();
    if parts.is_empty() {
        "no url or id".into()
    } else {
        parts.join(" · ")
    }
}

/// Data URLs are described by media type and size instead of dumped.
fn describe_url(url: &str) -> String {
    match url.strip_prefix("data:") {
        Some(rest) => {
            let media = rest.split([';', ',']).next().unwrap_or("data");
            let payload = rest.split_once(',').map(|(_, d)| d.len()).unwrap_or(0);
            format!("inline {media}, {}", size(payload * 3 / 4))
        }
        None => url.to_string(),
    }
}

fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

// ---- detail rendering ----

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
