//! Popups: the one confirm, open-by-id and help.

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::keymap::Keymap;
use crate::tui::modal::{Confirm, Help, OpenById, Tone};
use crate::tui::sanitize;
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
    for (context, rows) in keymap.help(h.of) {
        text.push(Line::styled(context.title(), THEME.heading()));
        for (keys, what) in rows {
            text.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), THEME.fg_of(THEME.label)),
                Span::raw(what),
            ]));
        }
        text.push(Line::raw(""));
    }
    text.push(Line::styled(
        "In confirm dialogs: y or Enter means yes, n or Esc means no.",
        THEME.dim(),
    ));
    let rect = centered(area, 64, area.height.saturating_sub(2));
    let text_len = text.len();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(text)
            .scroll((h.scroll, 0))
            .block(popup("Help · Esc closes", THEME.accent)),
        rect,
    );
    crate::tui::widgets::scroll::decorate(
        frame,
        rect,
        h.scroll as usize,
        h.scroll as usize,
        text_len,
        rect.height.saturating_sub(2) as usize,
    );
}
