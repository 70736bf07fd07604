//! The complete rendering of an item for the detail view, and raw JSON.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use serde_json::Value;

use super::*;
use crate::tui::theme::THEME;

struct Out {
    lines: Vec<Line<'static>>,
}

fn head() -> Style {
    THEME.heading()
}
fn key_style() -> Style {
    THEME.fg_of(THEME.label)
}
fn dim() -> Style {
    THEME.dim()
}

impl Out {
    fn heading(&mut self, text: &str) {
        self.blank();
        self.lines
            .push(Line::from(Span::styled(sanitize::line(text), head())));
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
            Span::styled(format!("{}: ", sanitize::line(key)), key_style()),
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
            Value::Null => self.styled("(none)", dim()),
            other => self.json(other),
        }
    }

    fn annotations(&mut self, p: &Value) {
        if let Some(a) = p.get("annotations").and_then(Value::as_array) {
            for ann in a {
                let what = [s(ann, "url"), s(ann, "filename"), s(ann, "file_id")]
                    .into_iter()
                    .find(|x| !x.is_empty())
                    .unwrap_or("");
                let title = s(ann, "title");
                self.styled(&format!("  [{}] {title} {what}", s(ann, "type")), dim());
            }
        }
    }

    fn parts(&mut self, parts: &[Value]) {
        for p in parts {
            let t = s(p, "type");
            match t {
                "input_text" | "output_text" | "text" => {
                    self.lines.extend(super::markdown::lines(s(p, "text")));
                    self.annotations(p);
                }
                "summary_text" | "reasoning_text" => {
                    self.text(s(p, "text"));
                    if let Some(a) = p.get("annotations").and_then(Value::as_array) {
                        for ann in a {
                            let what = [s(ann, "url"), s(ann, "filename"), s(ann, "file_id")]
                                .into_iter()
                                .find(|x| !x.is_empty())
                                .unwrap_or("");
                            let title = s(ann, "title");
                            self.styled(&format!("  [{}] {title} {what}", s(ann, "type")), dim());
                        }
                    }
                }
                "refusal" => self.styled(&format!("Refusal: {}", s(p, "refusal")), THEME.error()),
                _ => match part_placeholder(p) {
                    Some(ph) => self.styled(&ph, THEME.fg_of(THEME.special)),
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
                THEME.ok()
            } else if l.starts_with('-') {
                THEME.error()
            } else if l.starts_with("@@") {
                THEME.accent()
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
    let mut head = vec![Span::styled(sanitize::line(k), head())];
    for key in ["role", "status"] {
        if !s(item, key).is_empty() {
            head.push(Span::styled(
                format!(" · {}", sanitize::line(s(item, key))),
                dim(),
            ));
        }
    }
    o.lines.push(Line::from(head));
    o.styled(s(item, "id"), dim());
    match k {
        "message" => {
            o.blank();
            match item.get("content") {
                Some(Value::Array(parts)) => o.parts(parts),
                Some(Value::String(t)) => o.lines.extend(super::markdown::lines(t)),
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
                    THEME.fg_of(THEME.special),
                ),
                None => o.styled("(no image yet)", dim()),
            }
            o.rest(item, &["result"]);
        }
        "code_interpreter_call" => {
            o.field("container_id", s(item, "container_id"));
            o.heading("code");
            o.styled(s(item, "code"), THEME.fg_of(THEME.code));
            if let Some(Value::Array(outs)) = item.get("outputs") {
                o.heading("outputs");
                for out in outs {
                    match s(out, "type") {
                        "logs" => o.text(s(out, "logs")),
                        "image" => o.styled(
                            &format!("[image: {}]", describe_url(s(out, "url"))),
                            THEME.fg_of(THEME.special),
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
                    THEME.fg_of(THEME.code),
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
                        o.styled(s(&v, "stderr"), THEME.error());
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
                Some(ph) => o.styled(&ph, THEME.fg_of(THEME.special)),
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
                        o.styled(s(out, "stderr"), THEME.error());
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
                        Span::styled(format!("• {}", sanitize::line(s(t, "name"))), key_style()),
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
                o.styled(&compact(err), THEME.error());
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
/// One JSON value of a pretty-printed line, coloured by its type: strings, numbers, and
/// `true`/`false`/`null`; brackets stay plain.
fn json_value(text: &str) -> Span<'static> {
    let value = text.trim_end_matches(',');
    let style = match value.chars().next() {
        Some('"') => THEME.ok(),
        Some(c) if c == '-' || c.is_ascii_digit() => THEME.fg_of(THEME.code),
        _ if matches!(value, "true" | "false" | "null") => THEME.fg_of(THEME.special),
        _ => return Span::raw(text.to_string()),
    };
    Span::styled(text.to_string(), style)
}

/// The item as pretty-printed JSON, syntax-coloured. The text of the lines is the JSON
/// itself (only characters a terminal would act on are replaced), so a copy parses.
pub fn pretty_json_lines(v: &Value) -> Vec<Line<'static>> {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.lines()
        .map(|l| {
            // serde_json escapes control characters inside strings, but keep to the rule.
            let safe = sanitize::line(l);
            match safe.split_once("\": ") {
                Some((key, rest)) if key.trim_start().starts_with('"') => Line::from(vec![
                    Span::styled(format!("{key}\": "), key_style()),
                    json_value(rest),
                ]),
                _ => {
                    let indent = safe.len() - safe.trim_start().len();
                    Line::from(vec![
                        Span::raw(safe[..indent].to_string()),
                        json_value(&safe[indent..]),
                    ])
                }
            }
        })
        .collect()
}
