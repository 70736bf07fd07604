//! The editors, drawn over the panes: metadata (with errors beside their lines) and the composer.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::dialogs::popup;
use crate::tui::editor::metadata_text::ESCAPES_HELP;
use crate::tui::editor::{ComposeStage, Composer, Editor, MetadataEditor, Stage, Target, ROLES};
use crate::tui::keymap::Keymap;
use crate::tui::sanitize;
use crate::tui::theme::THEME;

fn dim() -> Style {
    THEME.dim()
}
fn key_style() -> Style {
    THEME.accent()
}

/// Where the editors go: the body, less a margin.
pub fn rect(area: Rect) -> Rect {
    Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, editor: &Editor, keymap: &Keymap) {
    let rect = rect(area);
    frame.render_widget(Clear, rect);
    let keys = keys_line(&keymap.hints(editor.context()));
    match editor {
        Editor::Metadata(ed) => metadata(frame, rect, ed, keys),
        Editor::Compose(c) => compose(frame, rect, c, keys),
    }
}

/// The editor's keys, from the keymap, inside the editor.
fn keys_line(pairs: &[(String, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (k, what) in pairs {
        spans.push(Span::styled(k.clone(), key_style()));
        spans.push(Span::styled(format!(" {what}  "), dim()));
    }
    Line::from(spans)
}

fn field_block(title: String, focused: bool) -> Block<'static> {
    let style = if focused { key_style() } else { dim() };
    Block::bordered()
        .border_type(BorderType::Plain)
        .border_style(style)
        .title(Span::styled(title, style))
}

fn metadata(frame: &mut Frame, rect: Rect, ed: &MetadataEditor, keys_hint: Line<'static>) {
    let title = match &ed.target {
        Target::Existing(_) => format!(
            "Metadata · {}",
            sanitize::truncate(&sanitize::line(&ed.title), 40)
        ),
        Target::New => "New conversation".into(),
    };
    let outer = popup(&title, THEME.accent);
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
    frame.render_widget(Paragraph::new(Line::styled(ESCAPES_HELP, dim())), help);

    // The text on the left, each line's error beside it on the right.
    let counter = ed.parsed.counter();
    let over = ed.parsed.pairs.len() > crate::protocol::validate::MAX_METADATA_PAIRS;
    let block = field_block(format!(" key = value · {counter} keys "), !ed.in_message).title_style(
        if over {
            THEME.error().add_modifier(Modifier::BOLD)
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
                THEME.error(),
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
        Line::styled(sanitize::line(e), THEME.error())
    } else if ed.stage == Stage::Saving {
        Line::styled("Saving…", THEME.warning())
    } else if let Some(n) = &ed.notice {
        Line::styled(sanitize::line(n), THEME.ok())
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
            THEME.error(),
        )
    } else if ed.is_dirty() {
        Line::styled("unsaved changes", THEME.warning())
    } else {
        Line::styled("no changes", dim())
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), status);
    frame.render_widget(Paragraph::new(keys_hint), keys);
}

fn compose(frame: &mut Frame, rect: Rect, c: &Composer, keys_hint: Line<'static>) {
    let title = format!(
        "Add items · {}",
        sanitize::truncate(&sanitize::line(&c.title), 40)
    );
    let outer = popup(&title, THEME.accent);
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
            Span::styled(" JSON items ", THEME.badge()),
            Span::styled(
                "  one item, an array, or {\"items\": [...]} · more than 20 go in chunks of 20",
                dim(),
            ),
        ])
    } else {
        let mut spans = vec![Span::styled("role: ", dim())];
        for (i, r) in ROLES.iter().enumerate() {
            if i == c.role {
                spans.push(Span::styled(format!(" {r} "), THEME.badge()));
            } else {
                spans.push(Span::styled(format!(" {r} "), dim()));
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
        (ComposeStage::Sending { sent, total }, _) => {
            Line::styled(format!("Sending… {sent} of {total} added"), THEME.warning())
        }
        (_, Some(e)) => Line::styled(sanitize::line(e), THEME.error()),
        _ => Line::styled("", dim()),
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), status);
    frame.render_widget(Paragraph::new(keys_hint), keys);
}
