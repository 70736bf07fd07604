//! The editors, drawn over the panes: metadata (with errors beside their lines) and the composer.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};
use ratatui::Frame;

use super::dialogs::popup;
use super::fit;
use crate::tui::editor::metadata_text::ESCAPES_HELP;
use crate::tui::editor::{ComposeStage, Composer, Editor, MetadataEditor, Stage, Target, ROLES};
use crate::tui::keymap::Keymap;
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
    let keys = fit::hints(
        &keymap.hints(editor.context()),
        rect.width.saturating_sub(2) as usize,
        key_style(),
        dim(),
    );
    match editor {
        Editor::Metadata(ed) => metadata(frame, rect, ed, keys),
        Editor::Compose(c) => compose(frame, rect, c, keys),
    }
}

/// A message in the rows there are: wrapped at words, ending in `…` if it does not fit.
fn message_lines(text: &str, area: Rect, style: Style) -> Vec<Line<'static>> {
    fit::wrap(text, area.width as usize, area.height as usize)
        .into_iter()
        .map(|row| Line::styled(row, style))
        .collect()
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
        Target::Existing(_) => format!("Metadata · {}", fit::cut(&ed.title, 40)),
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
    frame.render_widget(
        Paragraph::new(Line::styled(
            fit::cut(ESCAPES_HELP, help.width as usize),
            dim(),
        )),
        help,
    );

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
    // The line numbers have a column of their own, so they stay when the text scrolls
    // sideways on a long value.
    let digits = ed.area.lines().len().max(1).to_string().len() as u16;
    let [gutter, text] =
        Layout::horizontal([Constraint::Length(digits + 2), Constraint::Min(1)]).areas(left);
    frame.render_widget(&ed.area, text);
    let (top, _) = ed.area.scroll_offset();
    let numbers: Vec<Line> = (0..gutter.height as usize)
        .map(|r| top as usize + r)
        .take_while(|&n| n < ed.area.lines().len())
        .map(|n| Line::styled(format!(" {:>w$}", n + 1, w = digits as usize), dim()))
        .collect();
    frame.render_widget(Paragraph::new(numbers), gutter);
    let rows: Vec<Line> = (0..right.height as usize)
        .map(|r| match ed.parsed.error_at(top as usize + r) {
            Some(e) => Line::styled(
                fit::cut(&format!("◀ {e}"), right.width as usize),
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

    let (text, style) = if let Some(e) = &ed.error {
        (e.clone(), THEME.error())
    } else if ed.stage == Stage::Saving {
        ("Saving…".into(), THEME.warning())
    } else if let Some(n) = &ed.notice {
        (n.clone(), THEME.ok())
    } else if let Some(first) = ed.parsed.errors.first() {
        // Counted from the text as it is now, so the count follows each fix.
        let n = ed.parsed.errors.len();
        (
            format!(
                "{n} problem{} to fix before saving · line {}: {}",
                if n == 1 { "" } else { "s" },
                first.line + 1,
                first.message
            ),
            THEME.error(),
        )
    } else if ed.is_dirty() {
        ("unsaved changes".into(), THEME.warning())
    } else {
        ("no changes".into(), dim())
    };
    frame.render_widget(Paragraph::new(message_lines(&text, status, style)), status);
    frame.render_widget(Paragraph::new(keys_hint), keys);
}

fn compose(frame: &mut Frame, rect: Rect, c: &Composer, keys_hint: Line<'static>) {
    let title = format!("Add items · {}", fit::cut(&c.title, 40));
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
    let lines = match (&c.stage, &c.error) {
        (ComposeStage::Sending { sent, total }, _) => message_lines(
            &format!("Sending… {sent} of {total} added"),
            status,
            THEME.warning(),
        ),
        (_, Some(e)) => message_lines(e, status, THEME.error()),
        _ => vec![],
    };
    frame.render_widget(Paragraph::new(lines), status);
    frame.render_widget(Paragraph::new(keys_hint), keys);
}
