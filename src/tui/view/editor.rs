//! The editors, drawn over the panes: metadata (with errors beside their lines) and the composer.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::dialogs::popup;
use crate::tui::editor::metadata_text::{self, Change, ESCAPES_HELP};
use crate::tui::editor::{ComposeStage, Composer, Editor, MetadataEditor, Stage, Target, ROLES};
use crate::tui::sanitize;
use crate::tui::state::App;

const DIM: Style = Style::new().fg(Color::DarkGray);
const KEY: Style = Style::new().fg(Color::Cyan);

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let Some(editor) = &app.editor else { return };
    let rect = Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    };
    frame.render_widget(Clear, rect);
    match editor {
        Editor::Metadata(ed) => metadata(frame, rect, ed),
        Editor::Compose(c) => compose(frame, rect, c),
    }
}

fn keys_line(pairs: &[(&str, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (k, what) in pairs {
        spans.push(Span::styled(k.to_string(), KEY));
        spans.push(Span::styled(format!(" {what}  "), DIM));
    }
    Line::from(spans)
}

fn field_block(title: String, focused: bool) -> Block<'static> {
    let style = if focused { KEY } else { DIM };
    Block::bordered()
        .border_type(BorderType::Plain)
        .border_style(style)
        .title(Span::styled(title, style))
}

fn metadata(frame: &mut Frame, rect: Rect, ed: &MetadataEditor) {
    let title = match &ed.target {
        Target::Existing(_) => format!(
            "Metadata · {}",
            sanitize::truncate(&sanitize::line(&ed.title), 40)
        ),
        Target::New => "New conversation".into(),
    };
    let outer = popup(&title, Color::Cyan);
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    let message_height = if ed.message.is_some() { 7 } else { 0 };
    let [help, body, message, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(message_height),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(Line::styled(ESCAPES_HELP, DIM)), help);

    // The text on the left, each line's error beside it on the right.
    let counter = ed.parsed.counter();
    let over = ed.parsed.pairs.len() > crate::protocol::validate::MAX_METADATA_PAIRS;
    let block = field_block(format!(" key = value · {counter} keys "), !ed.in_message).title_style(
        if over {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        },
    );
    let text_area = block.inner(body);
    frame.render_widget(block, body);
    // The error column takes room only while there are errors to show.
    let errors_width = if ed.parsed.is_valid() {
        0
    } else {
        (text_area.width * 2 / 5).clamp(12, 48)
    };
    let [left, right] = Layout::horizontal([Constraint::Min(10), Constraint::Length(errors_width)])
        .areas(text_area);
    frame.render_widget(&ed.area, left);
    let (top, _) = ed.area.scroll_offset();
    let rows: Vec<Line> = (0..right.height as usize)
        .map(|r| match ed.parsed.error_at(top as usize + r) {
            Some(e) => Line::styled(
                sanitize::truncate(&format!("◀ {e}"), right.width as usize),
                Style::new().fg(Color::Red),
            ),
            None => Line::raw(""),
        })
        .collect();
    frame.render_widget(Paragraph::new(rows), right);

    if let Some(area) = &ed.message {
        let block = field_block(
            " first message (user, optional) · Tab switches ".into(),
            ed.in_message,
        );
        let inner = block.inner(message);
        frame.render_widget(block, message);
        frame.render_widget(area, inner);
    }

    let line = if let Some(e) = &ed.error {
        Line::styled(sanitize::line(e), Style::new().fg(Color::Red))
    } else if ed.stage == Stage::Saving {
        Line::styled("Saving…", Style::new().fg(Color::Yellow))
    } else if let Some(n) = &ed.notice {
        Line::styled(sanitize::line(n), Style::new().fg(Color::Green))
    } else if !ed.parsed.is_valid() {
        let n = ed.parsed.errors.len();
        let first = &ed.parsed.errors[0];
        Line::styled(
            format!(
                "{n} problem{} to fix before saving · line {}: {}",
                if n == 1 { "" } else { "s" },
                first.line + 1,
                first.message
            ),
            Style::new().fg(Color::Red),
        )
    } else if ed.is_dirty() {
        Line::styled("unsaved changes", Style::new().fg(Color::Yellow))
    } else {
        Line::styled("no changes", DIM)
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), status);
    let mut pairs = vec![("ctrl-s", "save"), ("Esc", "close"), ("ctrl-u", "undo")];
    if ed.message.is_some() {
        pairs.push(("Tab", "field"));
    }
    frame.render_widget(Paragraph::new(keys_line(&pairs)), keys);

    match &ed.stage {
        Stage::ConfirmSave(changes) => confirm_diff(frame, rect, ed, changes),
        Stage::ConfirmDiscard => ask(
            frame,
            rect,
            "Discard your changes?",
            vec![Line::raw(
                "The text you typed will be lost, and its draft deleted.",
            )],
        ),
        Stage::OfferDraft(text) => {
            let n = text.lines().count();
            ask(
                frame,
                rect,
                "Restore the draft?",
                vec![
                    Line::raw(format!(
                        "A draft from an earlier session was found ({n} line{}).",
                        if n == 1 { "" } else { "s" }
                    )),
                    Line::styled("y restores it; n discards it.", DIM),
                ],
            )
        }
        Stage::CheckingDraft | Stage::Editing | Stage::Saving => {}
    }
}

/// The diff lines, with values escaped as the editor writes them.
pub fn diff_lines(changes: &[Change]) -> Vec<Line<'static>> {
    let v = |s: &str| sanitize::truncate(&metadata_text::show(s), 60);
    let k = |s: &str| sanitize::truncate(&metadata_text::show_key(s), 30);
    if changes.is_empty() {
        return vec![Line::styled("no metadata", DIM)];
    }
    changes
        .iter()
        .map(|c| match c {
            Change::Added { key, value } => Line::styled(
                format!("+ {} = {}", k(key), v(value)),
                Style::new().fg(Color::Green),
            ),
            Change::Changed { key, old, new } => Line::styled(
                format!("~ {}: {} → {}", k(key), v(old), v(new)),
                Style::new().fg(Color::Yellow),
            ),
            Change::Removed { key, old } => Line::styled(
                format!("- {} (was {})", k(key), v(old)),
                Style::new().fg(Color::Red),
            ),
        })
        .collect()
}

fn confirm_diff(frame: &mut Frame, rect: Rect, ed: &MetadataEditor, changes: &[Change]) {
    let count = |f: fn(&Change) -> bool| changes.iter().filter(|c| f(c)).count();
    let added = count(|c| matches!(c, Change::Added { .. }));
    let changed = count(|c| matches!(c, Change::Changed { .. }));
    let removed = count(|c| matches!(c, Change::Removed { .. }));
    let mut lines = vec![Line::raw(format!(
        "{added} added · {changed} changed · {removed} removed"
    ))];
    lines.extend(diff_lines(changes));
    let title = match &ed.target {
        Target::Existing(_) => "Save these changes?",
        Target::New => {
            let m = ed.message_text();
            lines.push(Line::raw(if m.trim().is_empty() {
                "no first message".to_string()
            } else {
                format!("first message: {} characters", m.chars().count())
            }));
            "Create this conversation?"
        }
    };
    ask(frame, rect, title, lines);
}

fn ask(frame: &mut Frame, rect: Rect, title: &str, lines: Vec<Line<'static>>) {
    super::dialogs::confirm(frame, rect, title, lines, 76, Color::Yellow);
}

fn compose(frame: &mut Frame, rect: Rect, c: &Composer) {
    let title = format!(
        "Add items · {}",
        sanitize::truncate(&sanitize::line(&c.title), 40)
    );
    let outer = popup(&title, Color::Cyan);
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    let [mode, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);
    let mode_line = if c.json {
        Line::from(vec![
            Span::styled(
                " JSON items ",
                Style::new().fg(Color::Black).bg(Color::Cyan),
            ),
            Span::styled(
                "  one item, an array, or {\"items\": [...]} · more than 20 go in chunks of 20",
                DIM,
            ),
        ])
    } else {
        let mut spans = vec![Span::styled("role: ", DIM)];
        for (i, r) in ROLES.iter().enumerate() {
            if i == c.role {
                spans.push(Span::styled(
                    format!(" {r} "),
                    Style::new().fg(Color::Black).bg(Color::Cyan),
                ));
            } else {
                spans.push(Span::styled(format!(" {r} "), DIM));
            }
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(mode_line), mode);
    let block = field_block(
        if c.json {
            " JSON ".into()
        } else {
            " message ".into()
        },
        true,
    );
    let text_area = block.inner(body);
    frame.render_widget(block, body);
    frame.render_widget(&c.area, text_area);
    let line = match (&c.stage, &c.error) {
        (ComposeStage::Sending { sent, total }, _) => Line::styled(
            format!("Sending… {sent} of {total} added"),
            Style::new().fg(Color::Yellow),
        ),
        (_, Some(e)) => Line::styled(sanitize::line(e), Style::new().fg(Color::Red)),
        _ => Line::styled("", DIM),
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), status);
    let pairs: &[(&str, &str)] = if c.json {
        &[
            ("ctrl-s", "send"),
            ("ctrl-t", "message mode"),
            ("Esc", "close"),
        ]
    } else {
        &[
            ("ctrl-s", "send"),
            ("Tab", "role"),
            ("ctrl-t", "JSON items"),
            ("Esc", "close"),
        ]
    };
    frame.render_widget(Paragraph::new(keys_line(pairs)), keys);
    match &c.stage {
        ComposeStage::ConfirmDiscard => ask(
            frame,
            rect,
            "Discard this text?",
            vec![Line::raw("The text will be lost, and its draft deleted.")],
        ),
        ComposeStage::OfferDraft(_) => ask(
            frame,
            rect,
            "Restore the draft?",
            vec![
                Line::raw("Unsent text from an earlier session was found."),
                Line::styled("y restores it; n discards it.", DIM),
            ],
        ),
        _ => {}
    }
}
