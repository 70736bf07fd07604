//! The three panes: conversations, timeline and item detail.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::render;
use crate::tui::sanitize;
use crate::tui::state::{item_id, App, Focus};

fn block(title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(Span::styled(title, style.add_modifier(Modifier::BOLD)))
}

const HIGHLIGHT: Style = Style::new()
    .bg(Color::Rgb(40, 50, 70))
    .add_modifier(Modifier::BOLD);

/// `5m ago`, `3h ago`, `2d ago`, …
pub fn relative(now: i64, then: i64) -> String {
    let d = (now - then).max(0);
    match d {
        0..=59 => "just now".into(),
        60..=3599 => format!("{}m ago", d / 60),
        3600..=86_399 => format!("{}h ago", d / 3600),
        86_400..=2_591_999 => format!("{}d ago", d / 86_400),
        2_592_000..=31_535_999 => format!("{}mo ago", d / 2_592_000),
        _ => format!("{}y ago", d / 31_536_000),
    }
}

pub fn conversations(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Focus::Conversations;
    let title = format!(" Conversations ({}) ", app.convs.len());
    let width = area.width.saturating_sub(4) as usize;
    // Short panes get one line per conversation, so that every row fits.
    let compact = area.height < 9;
    let items: Vec<ListItem> = app
        .convs
        .iter()
        .map(|c| {
            let dim = Style::new().fg(Color::DarkGray);
            let title_style = if c.gone {
                dim.add_modifier(Modifier::CROSSED_OUT)
            } else {
                Style::new().add_modifier(Modifier::BOLD)
            };
            let mut first = vec![Span::styled(
                sanitize::truncate(&sanitize::line(c.title()), width.saturating_sub(12).max(8)),
                title_style,
            )];
            if c.gone {
                first.push(Span::styled("  gone", Style::new().fg(Color::Red)));
            } else if let Some(info) = &c.info {
                first.push(Span::styled(
                    format!("  {}", relative(app.now, info.created_at)),
                    dim,
                ));
            } else {
                first.push(Span::styled("  …", dim));
            }
            let summary = c
                .info
                .as_ref()
                .map(|i| {
                    i.metadata
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" · ")
                })
                .unwrap_or_default();
            let second = Line::styled(sanitize::truncate(&sanitize::line(&c.id), width), dim);
            let third = Line::styled(
                sanitize::truncate(&sanitize::line(&summary), width),
                Style::new().fg(Color::Gray),
            );
            if compact {
                ListItem::new(Line::from(first))
            } else {
                ListItem::new(vec![Line::from(first), second, third])
            }
        })
        .collect();
    let mut state =
        ListState::default().with_selected((!app.convs.is_empty()).then_some(app.conv_selected));
    if items.is_empty() {
        let help = Paragraph::new(vec![
            Line::raw("No conversations yet."),
            Line::raw(""),
            Line::styled(
                "Press o to open one by id,",
                Style::new().fg(Color::DarkGray),
            ),
            Line::styled("or run `convtui add ID`.", Style::new().fg(Color::DarkGray)),
        ])
        .wrap(Wrap { trim: false })
        .block(block(title, focused));
        frame.render_widget(help, area);
        return;
    }
    let list = List::new(items)
        .block(block(title, focused))
        .highlight_style(HIGHLIGHT)
        .highlight_symbol("▌");
    frame.render_stateful_widget(list, area, &mut state);
}

pub fn timeline(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Focus::Timeline;
    let Some(tl) = &app.timeline else {
        let p = Paragraph::new(Line::styled(
            "Open a conversation with Enter.",
            Style::new().fg(Color::DarkGray),
        ))
        .block(block(" Items ".into(), focused));
        frame.render_widget(p, area);
        return;
    };
    let order = if tl.ascending {
        "oldest first"
    } else {
        "newest first"
    };
    let title = format!(
        " Items · {} · {order} · {} ",
        sanitize::truncate(&sanitize::line(&tl.conversation), 24),
        tl.counts()
    );
    let width = area.width.saturating_sub(3) as usize;
    // Only the rows that can be on screen are built, so a frame costs the same at any length.
    let visible = area.height as usize;
    let first = tl.selected.saturating_sub(visible);
    let last = (tl.selected + visible).min(tl.items.len());
    let mut rows: Vec<ListItem> = tl.items[first.min(last)..last]
        .iter()
        .map(|item| {
            let s = render::summary(item);
            let id = item_id(item).unwrap_or("");
            let marked = tl.marked.contains(id);
            let deleting = tl.deleting.contains(id);
            let mark = if marked { "● " } else { "  " };
            let label_style = Style::new().fg(Color::Yellow);
            let mut spans = vec![
                Span::styled(mark, Style::new().fg(Color::Magenta)),
                Span::raw(format!("{} ", s.icon)),
                Span::styled(sanitize::truncate(&s.label, 36), label_style),
                Span::raw("  "),
            ];
            let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
            spans.push(Span::raw(sanitize::truncate(
                &s.preview,
                width.saturating_sub(used).max(1),
            )));
            let mut line = Line::from(spans);
            if deleting {
                line = line.style(
                    Style::new()
                        .fg(Color::DarkGray)
                        .add_modifier(Modifier::CROSSED_OUT),
                );
            }
            ListItem::new(line)
        })
        .collect();
    if tl.loading {
        rows.push(ListItem::new(Line::styled(
            "  loading…",
            Style::new().fg(Color::DarkGray),
        )));
    } else if tl.items.is_empty() {
        rows.push(ListItem::new(Line::styled(
            "  (no items)",
            Style::new().fg(Color::DarkGray),
        )));
    }
    let mut state =
        ListState::default().with_selected((!tl.items.is_empty()).then_some(tl.selected - first));
    let list = List::new(rows)
        .block(block(title, focused))
        .highlight_style(HIGHLIGHT)
        .highlight_symbol("▌");
    frame.render_stateful_widget(list, area, &mut state);
}

pub fn detail(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Focus::Detail;
    let mode = if app.raw { "raw JSON" } else { "rendered" };
    let Some(item) = app.detail_item() else {
        let p = Paragraph::new("").block(block(" Detail ".into(), focused));
        frame.render_widget(p, area);
        return;
    };
    let lines: Vec<Line> = if app.raw {
        render::pretty_json_lines(item)
    } else {
        render::detail(item)
    };
    let title = format!(" Detail · {mode} · r toggles ");
    let p = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0))
        .block(block(title, focused));
    frame.render_widget(p, area);
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn relative_times() {
        assert_eq!(relative(1000, 1000), "just now");
        assert_eq!(relative(1000 + 120, 1000), "2m ago");
        assert_eq!(relative(10 * 86_400, 0), "10d ago");
        assert_eq!(relative(0, 50), "just now");
    }
}
