//! Popups: the confirm dialog, open-by-id and help.

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::keymap;
use crate::tui::state::{App, Dialog};

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
pub fn confirm(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    width: u16,
    color: Color,
) {
    let answer = Line::from(vec![
        Span::raw(" "),
        Span::styled(
            "y",
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        ),
        Span::raw("/Enter yes   "),
        Span::styled(
            "n",
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        Span::raw("/Esc no "),
    ]);
    let inner = width.min(area.width).saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let rect = centered(area, width, (rows as u16).saturating_add(2));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(popup(title, color).title_bottom(answer)),
        rect,
    );
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let Some(dialog) = &app.dialog else { return };
    match dialog {
        Dialog::Confirm { title, lines, .. } => {
            let text = lines.iter().map(|l| Line::raw(l.clone())).collect();
            confirm(frame, area, title, text, 64, Color::Red);
        }
        Dialog::OpenById { input, error } => {
            let mut text = vec![
                Line::raw("Conversation id:"),
                Line::from(vec![
                    Span::styled(
                        crate::tui::sanitize::line(input),
                        Style::new().add_modifier(Modifier::BOLD),
                    ),
                    Span::styled("█", Style::new().fg(Color::Cyan)),
                ]),
            ];
            if let Some(e) = error {
                text.push(Line::styled(e.clone(), Style::new().fg(Color::Red)));
            }
            text.push(Line::styled(
                "Enter opens · Esc cancels",
                Style::new().fg(Color::DarkGray),
            ));
            let rect = centered(area, 70, text.len() as u16 + 2);
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(popup("Open a conversation", Color::Cyan)),
                rect,
            );
        }
        Dialog::Help { scroll } => {
            let mut text = Vec::new();
            for (scope, rows) in keymap::help() {
                text.push(Line::styled(
                    scope.title(),
                    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                ));
                for (keys, what) in rows {
                    text.push(Line::from(vec![
                        Span::styled(format!("  {keys:<16}"), Style::new().fg(Color::Yellow)),
                        Span::raw(what),
                    ]));
                }
                text.push(Line::raw(""));
            }
            text.push(Line::styled(
                "In confirm dialogs: y or Enter means yes, n or Esc means no.",
                Style::new().fg(Color::DarkGray),
            ));
            let rect = centered(area, 64, area.height.saturating_sub(2));
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(text)
                    .scroll((*scroll, 0))
                    .block(popup("Help · Esc closes", Color::Cyan)),
                rect,
            );
        }
    }
}
