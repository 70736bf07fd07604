//! How items read: a one-line summary for the timeline, and a complete rendering for the detail
//! view. Everything passes through `sanitize`.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use serde_json::Value;

use super::sanitize;

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

fn compact(v: &Value) -> String {
    match v {
        Value::String(t) => t.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A one-line summary: icon, role or type, and a preview.
pub fn summary(item: &Value) -> Summary {
    let k = kind(item);
    let (label, preview) = match k {
        "message" => {
            let mut label = s(item, "role").to_string();
            if let Some(phase) = item.get("phase").and_then(Value::as_str) {
                label.push_str(&format!(" ({phase})"));
            }
            (
                label,
                content_text(item.get("content").unwrap_or(&Value::Null)),
            )
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
    Summary {
        icon: icon(item),
        label: sanitize::line(&label),
        preview: sanitize::line(
            preview
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

struct Out {
    lines: Vec<Line<'static>>,
}

const HEAD: Style = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
const KEY: Style = Style::new().fg(Color::Yellow);
const DIM: Style = Style::new().fg(Color::DarkGray);

impl Out {
    fn heading(&mut self, text: &str) {
        self.blank();
        self.lines
            .push(Line::from(Span::styled(sanitize::line(text), HEAD)));
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.spans.is_empty()) {
            self.lines.push(Line::default());
        }
    }

    fn field(&mut self, key: &str, value: &str) {
        if value.is_empty() {
            return;
        }
        self.lines.push(Line::from(vec![
            Span::styled(format!("{}: ", sanitize::line(key)), KEY),
            Span::raw(sanitize::line(value)),
        ]));
    }

    fn text(&mut self, text: &str) {
        for l in sanitize::lines(text) {
            self.lines.push(Line::raw(l));
        }
    }

    fn styled(&mut self, text: &str, style: Style) {
        for l in sanitize::lines(text) {
            self.lines.push(Line::styled(l, style));
        }
    }

    fn json(&mut self, v: &Value) {
        for l in pretty_json_lines(v) {
            self.lines.push(l);
        }
    }

    /// A string that may hold JSON: pretty-printed when it does.
    fn maybe_json(&mut self, text: &str) {
        match serde_json::from_str::<Value>(text) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => self.json(&v),
            _ => self.text(text),
        }
    }

    fn output(&mut self, v: &Value) {
        match v {
            Value::String(t) => self.maybe_json(t),
            Value::Array(parts) => self.parts(parts),
            Value::Null => self.styled("(none)", DIM),
            other => self.json(other),
        }
    }

    fn parts(&mut self, parts: &[Value]) {
        for p in parts {
            let t = s(p, "type");
            match t {
                "input_text" | "output_text" | "text" | "summary_text" | "reasoning_text" => {
                    self.text(s(p, "text"));
                    if let Some(a) = p.get("annotations").and_then(Value::as_array) {
                        for ann in a {
                            let what = [s(ann, "url"), s(ann, "filename"), s(ann, "file_id")]
                                .into_iter()
                                .find(|x| !x.is_empty())
                                .unwrap_or("");
                            let title = s(ann, "title");
                            self.styled(&format!("  [{}] {title} {what}", s(ann, "type")), DIM);
                        }
                    }
                }
                "refusal" => self.styled(
                    &format!("Refusal: {}", s(p, "refusal")),
                    Style::new().fg(Color::Red),
                ),
                _ => match part_placeholder(p) {
                    Some(ph) => self.styled(&ph, Style::new().fg(Color::Magenta)),
                    None => self.json(p),
                },
            }
            self.blank();
        }
    }

    fn diff(&mut self, diff: &str) {
        for l in sanitize::lines(diff) {
            let style = if l.starts_with("+++") || l.starts_with("---") {
                Style::new().add_modifier(Modifier::BOLD)
            } else if l.starts_with('+') {
                Style::new().fg(Color::Green)
            } else if l.starts_with('-') {
                Style::new().fg(Color::Red)
            } else if l.starts_with("@@") {
                Style::new().fg(Color::Cyan)
            } else {
                Style::new()
            };
            self.lines.push(Line::styled(l, style));
        }
    }

    /// Every field but the given ones, each as text or pretty JSON.
    fn rest(&mut self, item: &Value, skip: &[&str]) {
        let Some(obj) = item.as_object() else { return };
        for (k, v) in obj {
            if ["type", "id", "status"].contains(&k.as_str()) || skip.contains(&k.as_str()) {
                continue;
            }
            match v {
                Value::Null => {}
                Value::String(t) if !t.contains('\n') && t.chars().count() < 120 => {
                    self.field(k, t)
                }
                Value::String(t) => {
                    self.heading(k);
                    self.maybe_json(t);
                }
                Value::Bool(_) | Value::Number(_) => self.field(k, &v.to_string()),
                other => {
                    self.heading(k);
                    self.json(other);
                }
            }
        }
    }
}

/// The complete rendering of an item.
pub fn detail(item: &Value) -> Vec<Line<'static>> {
    let mut o = Out { lines: Vec::new() };
    let k = kind(item);
    let mut head = vec![Span::styled(sanitize::line(k), HEAD)];
    for key in ["role", "status"] {
        if !s(item, key).is_empty() {
            head.push(Span::styled(
                format!(" · {}", sanitize::line(s(item, key))),
                DIM,
            ));
        }
    }
    o.lines.push(Line::from(head));
    o.styled(s(item, "id"), DIM);
    match k {
        "message" => {
            o.blank();
            match item.get("content") {
                Some(Value::Array(parts)) => o.parts(parts),
                Some(other) => o.output(other),
                None => {}
            }
            o.rest(item, &["role", "content"]);
        }
        "function_call" | "custom_tool_call" => {
            // A function call's input is `arguments`; a custom tool call's is `input`.
            let input = if k == "function_call" {
                "arguments"
            } else {
                "input"
            };
            o.field("name", s(item, "name"));
            o.field("call_id", s(item, "call_id"));
            o.heading(input);
            o.maybe_json(s(item, input));
            o.rest(item, &["name", "call_id", input]);
        }
        "function_call_output" | "custom_tool_call_output" | "apply_patch_call_output" => {
            o.field("call_id", s(item, "call_id"));
            o.heading("output");
            o.output(item.get("output").unwrap_or(&Value::Null));
            o.rest(item, &["call_id", "output"]);
        }
        "reasoning" => {
            o.heading("summary");
            if let Some(Value::Array(parts)) = item.get("summary") {
                o.parts(parts);
            }
            if let Some(Value::Array(parts)) = item.get("content") {
                o.heading("reasoning");
                o.parts(parts);
            }
            if let Some(enc) = item.get("encrypted_content").and_then(Value::as_str) {
                o.field(
                    "encrypted_content",
                    &format!("({} characters, encrypted)", enc.len()),
                );
            }
            o.rest(item, &["summary", "content", "encrypted_content"]);
        }
        "image_generation_call" => {
            match item.get("result").and_then(Value::as_str) {
                Some(r) => o.styled(
                    &format!("[generated image: base64, {}]", size(r.len() * 3 / 4)),
                    Style::new().fg(Color::Magenta),
                ),
                None => o.styled("(no image yet)", DIM),
            }
            o.rest(item, &["result"]);
        }
        "code_interpreter_call" => {
            o.field("container_id", s(item, "container_id"));
            o.heading("code");
            o.styled(s(item, "code"), Style::new().fg(Color::LightBlue));
            if let Some(Value::Array(outs)) = item.get("outputs") {
                o.heading("outputs");
                for out in outs {
                    match s(out, "type") {
                        "logs" => o.text(s(out, "logs")),
                        "image" => o.styled(
                            &format!("[image: {}]", describe_url(s(out, "url"))),
                            Style::new().fg(Color::Magenta),
                        ),
                        _ => o.json(out),
                    }
                }
            }
            o.rest(item, &["container_id", "code", "outputs"]);
        }
        "local_shell_call" | "shell_call" => {
            o.field("call_id", s(item, "call_id"));
            let cmds = item
                .pointer("/action/command")
                .or_else(|| item.pointer("/action/commands"));
            o.heading("command");
            if let Some(Value::Array(c)) = cmds {
                let sep = if k == "shell_call" { "\n" } else { " " };
                o.styled(
                    &format!("$ {}", c.iter().map(compact).collect::<Vec<_>>().join(sep)),
                    Style::new().fg(Color::LightBlue),
                );
            }
            o.rest(item, &["call_id"]);
        }
        "local_shell_call_output" => {
            o.field("call_id", s(item, "call_id"));
            // The output is a JSON string; its stdout and stderr read best as text.
            let out = item.get("output").unwrap_or(&Value::Null);
            match out
                .as_str()
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
            {
                Some(v @ Value::Object(_)) if v.get("stdout").is_some() => {
                    o.heading("stdout");
                    o.text(s(&v, "stdout"));
                    if !s(&v, "stderr").is_empty() {
                        o.heading("stderr");
                        o.styled(s(&v, "stderr"), Style::new().fg(Color::Red));
                    }
                    o.rest(&v, &["stdout", "stderr"]);
                }
                _ => {
                    o.heading("output");
                    o.output(out);
                }
            }
            o.rest(item, &["output", "call_id"]);
        }
        "computer_call_output" => {
            o.field("call_id", s(item, "call_id"));
            let out = item.get("output").unwrap_or(&Value::Null);
            match part_placeholder(out) {
                Some(ph) => o.styled(&ph, Style::new().fg(Color::Magenta)),
                None => o.json(out),
            }
            o.rest(item, &["output", "call_id"]);
        }
        "shell_call_output" => {
            o.field("call_id", s(item, "call_id"));
            if let Some(Value::Array(outs)) = item.get("output") {
                for out in outs {
                    o.heading("stdout");
                    o.text(s(out, "stdout"));
                    if !s(out, "stderr").is_empty() {
                        o.heading("stderr");
                        o.styled(s(out, "stderr"), Style::new().fg(Color::Red));
                    }
                    if let Some(outcome) = out.get("outcome") {
                        o.field("outcome", &compact(outcome));
                    }
                }
            }
            o.rest(item, &["call_id", "output"]);
        }
        "apply_patch_call" => {
            let op = item.get("operation").unwrap_or(&Value::Null);
            o.field("call_id", s(item, "call_id"));
            o.field("operation", s(op, "type"));
            o.field("path", s(op, "path"));
            if !s(op, "diff").is_empty() {
                o.heading("diff");
                o.diff(s(op, "diff"));
            }
            o.rest(item, &["call_id", "operation"]);
        }
        "mcp_list_tools" => {
            o.field("server", s(item, "server_label"));
            o.heading("tools");
            if let Some(Value::Array(tools)) = item.get("tools") {
                for t in tools {
                    o.lines.push(Line::from(vec![
                        Span::styled(format!("• {}", sanitize::line(s(t, "name"))), KEY),
                        Span::raw(format!("  {}", sanitize::line(s(t, "description")))),
                    ]));
                }
            }
            o.rest(item, &["server_label", "tools"]);
        }
        "mcp_call" | "mcp_approval_request" => {
            o.field("server", s(item, "server_label"));
            o.field("tool", s(item, "name"));
            o.heading("arguments");
            o.maybe_json(s(item, "arguments"));
            if let Some(out) = item.get("output").filter(|v| !v.is_null()) {
                o.heading("output");
                o.output(out);
            }
            if let Some(err) = item.get("error").filter(|v| !v.is_null()) {
                o.heading("error");
                o.styled(&compact(err), Style::new().fg(Color::Red));
            }
            o.rest(
                item,
                &["server_label", "name", "arguments", "output", "error"],
            );
        }
        "compaction" => {
            let n = s(item, "encrypted_content").len();
            o.text(&format!(
                "Earlier context was compacted into an encrypted summary ({n} characters)."
            ));
            o.rest(item, &["encrypted_content"]);
        }
        "mcp_approval_response"
        | "web_search_call"
        | "file_search_call"
        | "computer_call"
        | "tool_search_call"
        | "tool_search_output"
        | "additional_tools"
        | "program"
        | "program_output"
        | "configuration_update" => {
            o.blank();
            o.rest(item, &[]);
        }
        _ => {
            o.heading(&format!("unknown item type '{k}' (raw JSON)"));
            o.json(item);
        }
    }
    o.lines
}

/// Pretty JSON, one styled line per line, sanitized.
pub fn pretty_json_lines(v: &Value) -> Vec<Line<'static>> {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.lines()
        .map(|l| {
            // serde_json escapes control characters inside strings, but keep to the rule.
            let safe = sanitize::line(l);
            match safe.split_once("\": ") {
                Some((key, rest)) if key.trim_start().starts_with('"') => Line::from(vec![
                    Span::styled(format!("{key}\": "), KEY),
                    Span::raw(rest.to_string()),
                ]),
                _ => Line::raw(safe),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let f =
            json!({"type":"function_call","name":"get_weather","arguments":"{\"city\":\"Paris\"}"});
        assert_eq!(summary(&f).label, "function_call get_weather");
        let plain =
            json!({"type":"message","role":"assistant","content":"plain string","status":null});
        assert_eq!(summary(&plain).preview, "plain string");
        let hostile =
            json!({"type":"message","role":"user\u{1b}[31m","content":"x\u{1b}]0;pwn\u{7}"});
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
}
