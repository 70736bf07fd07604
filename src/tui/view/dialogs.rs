//! Popups: the one confirm, open-by-id and help.

use ratatui::layout::{Constraint, Flex, Layout, Margin, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Clear, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Wrap,
};
use ratatui::Frame;

use super::fit;
use crate::tui::keymap::Keymap;
use crate::tui::messages::{Log, Messages};
use crate::tui::modal::{Confirm, Help, OpenById, Tone};
use crate::tui::sanitize;
use crate::tui::state::Status;
use crate::tui::theme::THEME;

pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

pub fn popup(title: &str, color: Color) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(color))
        .title(Span::styled(
            format!(" {title} "),
            Style::new().fg(color).add_modifier(Modifier::BOLD),
        ))
}

/// The one confirm popup: the lines, and the answer keys in the bottom border, where even a
/// popup cut short by a tiny terminal still shows them.
pub fn confirm(frame: &mut Frame, area: Rect, c: &Confirm) {
    let (width, color) = match c.tone {
        Tone::Danger => (64, THEME.error),
        Tone::Caution => (76, THEME.warning),
    };
    let answer = Line::from(vec![
        Span::raw(" "),
        Span::styled("y", THEME.ok().add_modifier(Modifier::BOLD)),
        Span::raw("/Enter yes   "),
        Span::styled("n", THEME.error().add_modifier(Modifier::BOLD)),
        Span::raw("/Esc no "),
    ]);
    let inner = width.min(area.width).saturating_sub(2).max(1) as usize;
    let rows: usize = c
        .lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner))
        .sum();
    let rect = centered(area, width, (rows as u16).saturating_add(2));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(c.lines.clone())
            .wrap(Wrap { trim: false })
            .block(popup(&c.title, color).title_bottom(answer)),
        rect,
    );
}

pub fn open_by_id(frame: &mut Frame, area: Rect, o: &OpenById) {
    let (before, after) = o.input.split();
    let mut chars = after.chars();
    let under = chars.next().map(String::from).unwrap_or_else(|| " ".into());
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut text = vec![
        Line::raw("Conversation id:"),
        Line::from(vec![
            Span::styled(sanitize::line(before), bold),
            Span::styled(
                sanitize::line(&under),
                bold.fg(THEME.on_accent).bg(THEME.accent),
            ),
            Span::styled(sanitize::line(chars.as_str()), bold),
        ]),
    ];
    if let Some(e) = &o.error {
        text.push(Line::styled(e.clone(), THEME.error()));
    }
    text.push(Line::styled("Enter opens · Esc cancels", THEME.dim()));
    let rect = centered(area, 70, text.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .block(popup("Open a conversation", THEME.accent)),
        rect,
    );
}

pub fn help(frame: &mut Frame, area: Rect, h: &Help, keymap: &Keymap) {
    let mut text = Vec::new();
    for (context, rows) in h.groups(keymap) {
        text.push(Line::styled(context.title(), THEME.heading()));
        for (keys, what) in rows {
            text.push(Line::from(vec![
                Span::styled(
                    format!("  {}", fit::pad(&fit::cut(&keys, 16), 16)),
                    THEME.fg_of(THEME.label),
                ),
                Span::raw(fit::cut(what, 44)),
            ]));
        }
        text.push(Line::raw(""));
    }
    text.push(Line::styled(
        "In confirm dialogs: y or Enter means yes, n or Esc means no.",
        THEME.dim(),
    ));
    let rect = centered(area, 64, area.height.saturating_sub(2));
    let visible = rect.height.saturating_sub(2) as usize;
    let total = text.len();
    let mut block = popup("Help · Esc closes", THEME.accent);
    // More below, or above: say so in the border, and draw a scrollbar.
    let below = total > h.scroll as usize + visible;
    if below {
        block = block.title_bottom(Line::styled(" more ↓ ", THEME.accent()).right_aligned());
    } else if h.scroll > 0 {
        block = block.title_bottom(Line::styled(" ↑ more above ", THEME.dim()).right_aligned());
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(text).scroll((h.scroll, 0)).block(block),
        rect,
    );
    if total > visible {
        let mut state = ScrollbarState::new(total.saturating_sub(visible))
            .position(h.scroll as usize)
            .viewport_content_length(visible);
        let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None);
        let inner = rect.inner(Margin {
            vertical: 1,
            horizontal: 0,
        });
        frame.render_stateful_widget(bar, inner, &mut state);
    }
}

/// The message log, newest first, each message whole (wrapped), errors with their request ids.
pub fn messages(frame: &mut Frame, area: Rect, m: &Messages, log: &Log) {
    let rect = centered(area, 100, area.height.saturating_sub(2));
    let width = rect.width.saturating_sub(2) as usize;
    let mut text = Vec::new();
    if log.is_empty() {
        text.push(Line::styled("No messages yet.", THEME.dim()));
    }
    for entry in log.entries().rev().skip(m.scroll) {
        let (label, body, style) = match &entry.status {
            Status::Error(f) => ("error", f.to_string(), THEME.error()),
            Status::Warning(w) => ("warning", w.clone(), THEME.warning()),
            Status::Info(i) => ("note", i.clone(), Style::new()),
        };
        let first = format!("{label}: {body}");
        for row in fit::wrap(&first, width, 8) {
            text.push(Line::styled(row, style));
        }
    }
    let title = format!("Messages ({}) · newest first · Esc closes", log.len());
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(text).block(popup(&fit::cut(&title, width), THEME.accent)),
        rect,
    );
}
