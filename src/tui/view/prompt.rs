//! The one-line prompts at the foot of the screen: the `/` filter and the `:` command line,
//! with the command line's completions above it.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use crate::tui::command::{CommandLine, COMMANDS};
use crate::tui::modal::{FilterInput, TextInput};
use crate::tui::sanitize;
use crate::tui::theme::THEME;

/// The most completions listed at once.
const SHOWN: usize = 8;

/// The text with the cursor drawn as a reversed cell.
fn input_spans(prefix: &str, input: &TextInput) -> Vec<Span<'static>> {
    let (before, after) = input.split();
    let mut chars = after.chars();
    let under = chars.next().map(String::from).unwrap_or_else(|| " ".into());
    let bold = Style::new().add_modifier(Modifier::BOLD);
    vec![
        Span::styled(
            prefix.to_string(),
            THEME.accent().add_modifier(Modifier::BOLD),
        ),
        Span::styled(sanitize::line(before), bold),
        Span::styled(
            sanitize::line(&under),
            bold.fg(THEME.on_accent).bg(THEME.accent),
        ),
        Span::styled(sanitize::line(chars.as_str()), bold),
    ]
}

/// The first row of the status area, where the prompt goes.
fn first_row(status: Rect) -> Rect {
    Rect {
        height: 1.min(status.height),
        ..status
    }
}

/// The filter prompt, and what it matched at the right (`12 matches in 300 loaded`).
pub fn filter(frame: &mut Frame, status: Rect, f: &FilterInput, counts: &str) {
    let area = first_row(status);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(Line::from(input_spans("/", &f.input))), area);
    let width = (counts.chars().count() as u16 + 1).min(area.width / 2);
    let right = Rect {
        x: area.right().saturating_sub(width),
        width,
        ..area
    };
    frame.render_widget(Clear, right);
    frame.render_widget(
        Paragraph::new(Line::styled(counts.to_string(), THEME.dim())).right_aligned(),
        right,
    );
}

/// What a completion is: a command's arguments and help, else nothing.
fn describe(name: &str) -> String {
    COMMANDS
        .iter()
        .find(|c| c.0 == name)
        .map(|c| format!("{} {}", c.1, c.2).trim().to_string())
        .unwrap_or_default()
}

pub fn command(frame: &mut Frame, body: Rect, status: Rect, c: &CommandLine) {
    let area = first_row(status);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(Line::from(input_spans(":", &c.input))), area);
    if c.completions.is_empty() {
        return;
    }
    // The completions sit just above the prompt, over the bottom of the panes.
    let chosen = c.chosen.unwrap_or(0);
    let first = chosen.saturating_sub(SHOWN - 1);
    let rows: Vec<Line> = c
        .completions
        .iter()
        .enumerate()
        .skip(first)
        .take(SHOWN)
        .map(|(i, name)| {
            let style = if Some(i) == c.chosen {
                THEME.highlight()
            } else {
                Style::new()
            };
            Line::from(vec![
                Span::styled(format!(" {:<28}", sanitize::line(name)), style),
                Span::styled(describe(name), THEME.dim()),
            ])
        })
        .collect();
    let height = (rows.len() as u16).min(body.height);
    let rect = Rect {
        x: body.x,
        y: body.bottom().saturating_sub(height),
        width: body.width.min(72),
        height,
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(rows), rect);
}
