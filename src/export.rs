//! Writes a whole conversation, every page of its items, as JSON, JSON Lines or Markdown.
//! Shared by `convtui export` and the terminal UI's `:export`.
//!
//! Items are read oldest first with `GET /conversations/{id}/items?order=asc`, following
//! `after` (https://platform.openai.com/docs/api-reference/conversations/list-items), and
//! written as they arrive, so memory stays at one page whatever the conversation's size.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::StreamExt;
use serde_json::Value;

use crate::api::{ApiError, Client, Conversation, ListParams, Order, PageEvent};
use crate::sanitize;

/// What an export is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{"conversation": {…}, "items": [… oldest first]}`
    Json,
    /// One item per line, oldest first (as `items list --all --order asc` prints them).
    Jsonl,
    /// Readable: roles as headings, tool calls and outputs as fenced code, reasoning as a quote.
    Markdown,
}

impl Format {
    /// The format a file name asks for: `.json`, `.jsonl` or `.md`.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "jsonl" => Ok(Format::Jsonl),
            "md" | "markdown" => Ok(Format::Markdown),
            other => Err(format!(
                "unknown export format '{other}': expected md, json or jsonl"
            )),
        }
    }
}

/// How far an export has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Items written so far.
    pub items: usize,
    /// Pages read so far.
    pub pages: usize,
    /// The server said more pages follow.
    pub more: bool,
}

/// A finished export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub items: usize,
    pub pages: usize,
    /// Paging stopped early because the server made no progress: the export may be incomplete.
    pub warning: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("cannot write the export: {0}")]
    Io(#[from] io::Error),
    #[error("export cancelled; nothing was written")]
    Cancelled,
}

/// Exports the conversation `id` into `out`. `cancel` is checked between pages; `progress`
/// is told after each page.
pub async fn write(
    client: &Client,
    id: &str,
    format: Format,
    out: &mut (dyn Write + Send),
    cancel: &AtomicBool,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Done, ExportError> {
    let conversation = client.get_conversation(id).await?;
    let mut writer = Writer::new(format, out);
    writer.begin(&conversation)?;
    let params = ListParams {
        order: Order::Asc,
        ..ListParams::default()
    };
    let mut pages = std::pin::pin!(client.item_pages(id, params));
    let mut state = Progress::default();
    let mut warning = None;
    while let Some(event) = pages.next().await {
        if cancel.load(Ordering::SeqCst) {
            return Err(ExportError::Cancelled);
        }
        match event? {
            PageEvent::Page(page) => {
                for item in &page.data {
                    writer.item(&item.0)?;
                }
                state.items += page.data.len();
                state.pages += 1;
                state.more = page.has_more;
                progress(state);
            }
            PageEvent::Stopped(why) => warning = Some(why),
        }
    }
    if cancel.load(Ordering::SeqCst) {
        return Err(ExportError::Cancelled);
    }
    writer.finish()?;
    Ok(Done {
        items: state.items,
        pages: state.pages,
        warning,
    })
}

/// Exports into the file at `path`: written next to it first, then renamed, so that a
/// cancelled or failed export leaves no partial file (and an existing file stays as it was).
pub async fn to_file(
    client: &Client,
    id: &str,
    format: Format,
    path: &Path,
    cancel: &AtomicBool,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Done, ExportError> {
    let partial = partial_path(path);
    let file = std::fs::File::create(&partial)?;
    let mut out = io::BufWriter::new(file);
    let result = write(client, id, format, &mut out, cancel, progress).await;
    let result = result.and_then(|done| {
        out.flush()?;
        drop(out);
        std::fs::rename(&partial, path)?;
        Ok(done)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Writes one export, item by item.
struct Writer<'a> {
    format: Format,
    out: &'a mut (dyn Write + Send),
    count: usize,
}

impl<'a> Writer<'a> {
    fn new(format: Format, out: &'a mut (dyn Write + Send)) -> Self {
        Writer {
            format,
            out,
            count: 0,
        }
    }

    fn begin(&mut self, c: &Conversation) -> io::Result<()> {
        match self.format {
            Format::Json => {
                let head = json_text(c)?;
                write!(self.out, "{{\n\"conversation\": {head},\n\"items\": [")
            }
            Format::Jsonl => Ok(()),
            Format::Markdown => {
                let title = c.metadata.get("title").map(String::as_str).unwrap_or("");
                if title.is_empty() {
                    writeln!(self.out, "# Conversation {}\n", text_line(&c.id))?;
                } else {
                    writeln!(self.out, "# {}\n", text_line(title))?;
                }
                writeln!(self.out, "- id: `{}`", text_line(&c.id))?;
                writeln!(self.out, "- created_at: {}", c.created_at)?;
                for (k, v) in &c.metadata {
                    writeln!(self.out, "- {}: {}", text_line(k), text_line(v))?;
                }
                writeln!(self.out)
            }
        }
    }

    fn item(&mut self, item: &Value) -> io::Result<()> {
        self.count += 1;
        match self.format {
            Format::Json => {
                let sep = if self.count == 1 { "\n" } else { ",\n" };
                let text = json_text(item)?;
                write!(self.out, "{sep}{text}")
            }
            Format::Jsonl => {
                let text = json_text(item)?;
                writeln!(self.out, "{text}")
            }
            Format::Markdown => {
                let text = markdown_item(item);
                writeln!(self.out, "{text}")
            }
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        match self.format {
            Format::Json => writeln!(self.out, "\n]\n}}"),
            _ => Ok(()),
        }
    }
}

/// A value as one line of JSON with every character a terminal would act on escaped.
fn json_text<T: serde::Serialize>(value: &T) -> io::Result<String> {
    crate::commands::to_json_line(value).map_err(io::Error::other)
}

/// One line of server text, safe to read in a terminal (`cat`).
fn text_line(s: &str) -> String {
    sanitize::line(s)
}

/// Server text of many lines, safe to read in a terminal; newlines kept.
fn text_block(s: &str) -> String {
    sanitize::lines(s).join("\n")
}

fn field<'v>(item: &'v Value, key: &str) -> &'v str {
    item.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The text of message content: a string, or each part's text (others by their type).
fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| {
                p.get("text")
                    .or_else(|| p.get("refusal"))
                    .and_then(Value::as_str)
                    .map(String::from)
                    .unwrap_or_else(|| format!("[{}]", field(p, "type")))
            })
            .collect::<Vec<_>>()
            .join("\n\n"),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A fenced block whose fence is longer than any run of backticks in the text.
fn fenced(lang: &str, text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", text_block(text.trim_end()))
}

/// JSON text pretty-printed when it parses, else as it came.
fn pretty(text: &str) -> (String, &'static str) {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => (
            serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string()),
            "json",
        ),
        Err(_) => (text.to_string(), ""),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// One item as Markdown.
pub fn markdown_item(item: &Value) -> String {
    let kind = field(item, "type");
    let id = field(item, "id");
    let id_note = if id.is_empty() {
        String::new()
    } else {
        format!(" <sub>{}</sub>", text_line(id))
    };
    match kind {
        "message" | "" if item.get("role").is_some() => {
            let role = field(item, "role");
            format!(
                "## {}{id_note}\n\n{}\n",
                text_line(&capitalised(role)),
                text_block(content_text(item.get("content")).trim_end())
            )
        }
        "function_call" | "custom_tool_call" => {
            let input = if kind == "function_call" {
                field(item, "arguments")
            } else {
                field(item, "input")
            };
            let (body, lang) = pretty(input);
            format!(
                "### Tool call: {} (`{}`){id_note}\n\n{}",
                text_line(field(item, "name")),
                text_line(field(item, "call_id")),
                fenced(lang, &body)
            )
        }
        "function_call_output" | "custom_tool_call_output" => {
            let output = match item.get("output") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => serde_json::to_string_pretty(other).unwrap_or_default(),
                None => String::new(),
            };
            let (body, lang) = pretty(&output);
            format!(
                "### Tool output (`{}`){id_note}\n\n{}",
                text_line(field(item, "call_id")),
                fenced(lang, &body)
            )
        }
        "reasoning" => {
            let mut text = content_text(item.get("summary"));
            if text.trim().is_empty() {
                text = content_text(item.get("content"));
            }
            if text.trim().is_empty() {
                text = "(no summary)".into();
            }
            let quoted: Vec<String> = text_block(text.trim_end())
                .lines()
                .map(|l| format!("> {l}").trim_end().to_string())
                .collect();
            format!("> **Reasoning**{id_note}\n>\n{}\n", quoted.join("\n"))
        }
        other => {
            let body = serde_json::to_string_pretty(item).unwrap_or_default();
            let name = if other.is_empty() { "item" } else { other };
            format!(
                "### {}{id_note}\n\n{}",
                text_line(name),
                fenced("json", &body)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn markdown_reads_as_a_conversation() {
        let user = json!({"type": "message", "id": "msg_1", "role": "user",
            "content": [{"type": "input_text", "text": "What is **2+2**?"}]});
        let md = markdown_item(&user);
        assert!(
            md.starts_with("## User <sub>msg_1</sub>\n\nWhat is **2+2**?"),
            "{md}"
        );
        let call = json!({"type": "function_call", "name": "add", "call_id": "c1",
            "arguments": "{\"a\":2,\"b\":2}"});
        let md = markdown_item(&call);
        assert!(md.contains("### Tool call: add (`c1`)"), "{md}");
        assert!(md.contains("```json\n{\n  \"a\": 2,"), "{md}");
        let out = json!({"type": "function_call_output", "call_id": "c1", "output": "4"});
        assert!(markdown_item(&out).contains("```json\n4\n```"));
        let reasoning = json!({"type": "reasoning", "summary": [{"type": "summary_text", "text": "add\nthem"}]});
        let md = markdown_item(&reasoning);
        assert!(md.starts_with("> **Reasoning**\n>\n> add\n> them"), "{md}");
    }

    #[test]
    fn fences_outgrow_backticks_and_escapes_never_pass() {
        let hostile = json!({"type": "function_call_output", "call_id": "c",
            "output": "```\n\u{1b}]52;c;aGk=\u{7}"});
        let md = markdown_item(&hostile);
        assert!(md.contains("````\n```\n"), "{md}");
        assert!(!md.contains('\u{1b}') && !md.contains('\u{7}'), "{md}");
    }

    #[test]
    fn formats_from_names() {
        assert_eq!(
            Format::from_path(Path::new("a/b.MD")),
            Some(Format::Markdown)
        );
        assert_eq!(Format::from_path(Path::new("b.jsonl")), Some(Format::Jsonl));
        assert_eq!(Format::from_path(Path::new("b.json")), Some(Format::Json));
        assert_eq!(Format::from_path(Path::new("b.txt")), None);
        assert!("xml".parse::<Format>().is_err());
    }
}
