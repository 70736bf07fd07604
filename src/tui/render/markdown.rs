//! Message text that is Markdown, as lines: headings, emphasis, lists, code blocks, quotes
//! and tables (parsed with pulldown-cmark). Every piece of text goes through the sanitizer.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::tui::sanitize;
use crate::tui::theme::THEME;

#[derive(Default)]
struct Out {
    lines: Vec<Line<'static>>,
    spans: Vec<Span<'static>>,
    styles: Vec<Style>,
    /// Open lists: the next number of an ordered one.
    lists: Vec<Option<u64>>,
    quote: usize,
    code: bool,
    /// A table being read: its rows, each a list of cells, and the cell being read.
    table: Option<(Vec<Vec<String>>, Vec<String>, String)>,
}

impl Out {
    fn style(&self) -> Style {
        self.styles
            .iter()
            .fold(Style::new(), |acc, s| acc.patch(*s))
    }

    fn prefix(&self) -> Vec<Span<'static>> {
        if self.quote > 0 {
            vec![Span::styled("▎ ".repeat(self.quote), THEME.dim())]
        } else {
            Vec::new()
        }
    }

    fn flush(&mut self) {
        if !self.spans.is_empty() {
            let mut spans = self.prefix();
            spans.append(&mut self.spans);
            self.lines.push(Line::from(spans));
        }
    }

    fn blank(&mut self) {
        self.flush();
        if self.lists.is_empty() && self.lines.last().is_some_and(|l| !l.spans.is_empty()) {
            self.lines.push(Line::default());
        }
    }

    fn text(&mut self, t: &str) {
        if let Some((_, _, cell)) = self.table.as_mut() {
            cell.push_str(&sanitize::line(t));
            return;
        }
        if self.code {
            for l in sanitize::lines(t.strip_suffix('\n').unwrap_or(t)) {
                let mut spans = self.prefix();
                spans.push(Span::styled(format!("  {l}"), THEME.fg_of(THEME.code)));
                self.lines.push(Line::from(spans));
            }
            return;
        }
        let style = self.style();
        self.spans.push(Span::styled(sanitize::line(t), style));
    }

    fn table_end(&mut self) {
        let Some((rows, _, _)) = self.table.take() else {
            return;
        };
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                rows.iter()
                    .filter_map(|r| r.get(c))
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0)
                    .min(40)
            })
            .collect();
        for (i, row) in rows.iter().enumerate() {
            let cells: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(c, w)| {
                    let text = sanitize::truncate(row.get(c).map_or("", String::as_str), *w);
                    format!("{text:<w$}")
                })
                .collect();
            let style = if i == 0 {
                Style::new().add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            self.lines.push(Line::styled(cells.join(" │ "), style));
            if i == 0 {
                let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                self.lines.push(Line::styled(rule.join("─┼─"), THEME.dim()));
            }
        }
        self.lines.push(Line::default());
    }
}

/// The Markdown text as lines.
pub fn lines(text: &str) -> Vec<Line<'static>> {
    let mut o = Out::default();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(text, options) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { .. } => {
                    o.blank();
                    o.styles.push(THEME.heading());
                }
                Tag::Emphasis => o.styles.push(Style::new().add_modifier(Modifier::ITALIC)),
                Tag::Strong => o.styles.push(Style::new().add_modifier(Modifier::BOLD)),
                Tag::Strikethrough => o
                    .styles
                    .push(Style::new().add_modifier(Modifier::CROSSED_OUT)),
                Tag::Link { .. } => o
                    .styles
                    .push(THEME.accent().add_modifier(Modifier::UNDERLINED)),
                Tag::List(start) => {
                    o.flush();
                    o.lists.push(start);
                }
                Tag::Item => {
                    o.flush();
                    let depth = o.lists.len().saturating_sub(1);
                    let bullet = match o.lists.last_mut() {
                        Some(Some(n)) => {
                            *n += 1;
                            format!("{}. ", *n - 1)
                        }
                        _ => "• ".to_string(),
                    };
                    o.spans.push(Span::styled(
                        format!("{}{bullet}", "  ".repeat(depth)),
                        THEME.accent(),
                    ));
                }
                Tag::CodeBlock(_) => {
                    o.blank();
                    o.code = true;
                }
                Tag::BlockQuote(_) => {
                    o.flush();
                    o.quote += 1;
                }
                Tag::Table(_) => {
                    o.blank();
                    o.table = Some((Vec::new(), Vec::new(), String::new()));
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Heading(_) => {
                    o.styles.pop();
                    o.blank();
                }
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => {
                    o.styles.pop();
                }
                TagEnd::Paragraph => o.blank(),
                TagEnd::Item => o.flush(),
                TagEnd::List(_) => {
                    o.lists.pop();
                    o.blank();
                }
                TagEnd::CodeBlock => {
                    o.code = false;
                    o.blank();
                }
                TagEnd::BlockQuote(_) => {
                    o.flush();
                    o.quote = o.quote.saturating_sub(1);
                    o.blank();
                }
                TagEnd::TableCell => {
                    if let Some((_, row, cell)) = o.table.as_mut() {
                        row.push(std::mem::take(cell));
                    }
                }
                TagEnd::TableHead | TagEnd::TableRow => {
                    if let Some((rows, row, _)) = o.table.as_mut() {
                        rows.push(std::mem::take(row));
                    }
                }
                TagEnd::Table => o.table_end(),
                _ => {}
            },
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => o.text(&t),
            Event::Code(t) => {
                if let Some((_, _, cell)) = o.table.as_mut() {
                    cell.push_str(&sanitize::line(&t));
                } else {
                    o.spans
                        .push(Span::styled(sanitize::line(&t), THEME.fg_of(THEME.code)));
                }
            }
            // A message's newlines are the author's: each one starts a line.
            Event::SoftBreak => o.flush(),
            Event::HardBreak => o.flush(),
            Event::Rule => {
                o.flush();
                o.lines.push(Line::styled("────────", THEME.dim()));
            }
            _ => {}
        }
    }
    o.flush();
    while o.lines.last().is_some_and(|l| l.spans.is_empty()) {
        o.lines.pop();
    }
    o.lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn headings_emphasis_lists_code_and_tables() {
        let md = "# Plan\n\nSome **bold** and *soft* text.\n\n- one\n- two\n\n1. first\n2. second\n\n```rust\nfn main() {}\n```\n\n| a | bb |\n|---|---|\n| 1 | 22 |\n";
        let lines = lines(md);
        let t = text(&lines);
        assert_eq!(t[0], "Plan");
        assert!(lines[0].spans[0]
            .style
            .add_modifier
            .contains(Modifier::BOLD));
        assert_eq!(t[2], "Some bold and soft text.");
        let bold = lines[2].spans.iter().find(|s| s.content == "bold").unwrap();
        assert!(bold.style.add_modifier.contains(Modifier::BOLD));
        assert!(t.contains(&"• one".to_string()) && t.contains(&"• two".to_string()));
        assert!(t.contains(&"1. first".to_string()) && t.contains(&"2. second".to_string()));
        assert!(t.contains(&"  fn main() {}".to_string()), "{t:?}");
        assert!(t.contains(&"a │ bb".to_string()), "{t:?}");
        assert!(t.contains(&"1 │ 22".to_string()), "{t:?}");
    }

    #[test]
    fn a_newline_in_a_paragraph_starts_a_line() {
        let t = text(&lines("line 1\nline **2**\nline 3"));
        assert_eq!(t, ["line 1", "line 2", "line 3"]);
    }

    #[test]
    fn escapes_never_pass() {
        let t = text(&lines(
            "# \u{1b}]52;c;aGk=\u{7}\n\n`\u{1b}[2J`\n\n```\n\u{9b}x\n```",
        ));
        assert!(
            t.iter()
                .all(|l| !l.contains('\u{1b}') && !l.contains('\u{7}') && !l.contains('\u{9b}')),
            "{t:?}"
        );
    }
}
