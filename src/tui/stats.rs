//! The open conversation's stats (`i`): its items by type and by role, and their size, from
//! what is loaded. Item types and roles are those of
//! <https://platform.openai.com/docs/api-reference/conversations/list-items-object>.

use std::collections::BTreeMap;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use serde_json::Value;

use super::modal::Modal;
use super::sanitize;
use super::state::{App, Status};
use super::theme::THEME;
use super::view::dialogs::{centered, popup};
use crate::api::models::kind_of;

/// Most distinct types or roles counted; a hostile server's endless new names stop there.
const MAX_KINDS: usize = 64;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stats {
    pub conversation: String,
    pub title: String,
    pub items: usize,
    pub by_type: BTreeMap<String, usize>,
    pub by_role: BTreeMap<String, usize>,
    /// The items' JSON, in bytes.
    pub bytes: usize,
    /// Every item is loaded (no more pages).
    pub complete: bool,
}

fn bump(map: &mut BTreeMap<String, usize>, key: &str) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else if map.len() < MAX_KINDS {
        map.insert(key.to_string(), 1);
    } else {
        *map.entry("(other)".to_string()).or_insert(0) += 1;
    }
}

impl Stats {
    /// Counts the items.
    pub fn of<'a>(items: impl IntoIterator<Item = &'a Value>) -> Stats {
        let mut s = Stats::default();
        for item in items {
            s.items += 1;
            bump(&mut s.by_type, kind_of(item));
            if let Some(role) = item.get("role").and_then(Value::as_str) {
                bump(&mut s.by_role, role);
            }
            s.bytes += serde_json::to_vec(item).map_or(0, |v| v.len());
        }
        s
    }

    /// The popup's lines; every name from the server is sanitized.
    pub fn lines(&self) -> Vec<Line<'static>> {
        let mut out = vec![Line::raw(sanitize::line(&self.title))];
        if self.title != self.conversation {
            out.push(Line::styled(
                sanitize::line(&self.conversation),
                THEME.dim(),
            ));
        }
        let scope = if self.complete {
            "all loaded"
        } else {
            "loaded so far; more on the server"
        };
        out.push(Line::raw(format!(
            "{} item{} ({scope}), {}",
            self.items,
            if self.items == 1 { "" } else { "s" },
            size(self.bytes)
        )));
        for (heading, map) in [("by type", &self.by_type), ("by role", &self.by_role)] {
            if map.is_empty() {
                continue;
            }
            out.push(Line::styled(heading.to_string(), THEME.accent()));
            for (name, n) in map {
                out.push(Line::from(vec![
                    Span::raw(format!("  {n:>6}  ")),
                    Span::raw(sanitize::truncate(&sanitize::line(name), 40)),
                ]));
            }
        }
        out
    }
}

/// `1.2 MB`, `340 B`.
pub fn size(bytes: usize) -> String {
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    }
}

/// `i`: the stats of the open conversation, in a popup.
pub fn open(app: &mut App) {
    let Some(tl) = &app.timeline else {
        app.status = Some(Status::Info(
            "Open a conversation first to see its stats.".into(),
        ));
        return;
    };
    // Loaded items are kept as text; they are read again only when asked for.
    let values: Vec<Value> = tl.items().iter().map(|l| l.value()).collect();
    let mut s = Stats::of(&values);
    s.complete = !tl.paging.has_more;
    s.title = app.title_of(&tl.conversation);
    s.conversation = tl.conversation.clone();
    app.modals.push(Modal::Stats(s));
}

pub fn draw(frame: &mut Frame, area: Rect, s: &Stats) {
    let lines = s.lines();
    let rect = centered(area, 60, (lines.len() as u16).saturating_add(2));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(popup("Conversation stats", THEME.accent).title_bottom(" Esc/i close ")),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_types_roles_and_bytes() {
        let items = [
            json!({"type": "message", "role": "user", "content": []}),
            json!({"type": "message", "role": "assistant", "content": []}),
            json!({"type": "message", "role": "user", "content": []}),
            json!({"type": "function_call", "name": "f", "arguments": "{}"}),
        ];
        let s = Stats::of(&items);
        assert_eq!(s.items, 4);
        assert_eq!(s.by_type["message"], 3);
        assert_eq!(s.by_type["function_call"], 1);
        assert_eq!(s.by_role["user"], 2);
        assert_eq!(s.by_role["assistant"], 1);
        let bytes: usize = items.iter().map(|i| i.to_string().len()).sum();
        assert_eq!(s.bytes, bytes);
    }

    #[test]
    fn endless_new_type_names_stay_bounded_and_hostile_names_are_clean() {
        let items: Vec<Value> = (0..500)
            .map(|i| json!({"type": format!("t{i}\u{1b}]0;x\u{7}")}))
            .collect();
        let s = Stats::of(&items);
        assert_eq!(s.by_type.len(), MAX_KINDS + 1);
        assert_eq!(s.by_type.values().sum::<usize>(), 500);
        let text: String = s.lines().iter().map(|l| l.to_string()).collect();
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'));
    }

    #[test]
    fn sizes_read_plainly() {
        assert_eq!(size(340), "340 B");
        assert_eq!(size(2048), "2.0 KB");
        assert_eq!(size(3 * 1024 * 1024 / 2), "1.5 MB");
    }
}
