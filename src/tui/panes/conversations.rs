//! The conversations pane: the list of conversations, newest first.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List as ListWidget, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use super::block;
use crate::tui::data::ConvEntry;
use crate::tui::keymap::Action;
use crate::tui::load::Load;
use crate::tui::sanitize;
use crate::tui::theme::THEME;
use crate::tui::view::fit;
use crate::tui::widgets::list::List;

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

/// The pane's own actions: moving the selection. Answers false for any other action.
pub fn on_action(list: &mut List<ConvEntry>, action: Action, page: isize) -> bool {
    let delta = match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -page,
        Action::PageDown => page,
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return false,
    };
    list.move_by(delta);
    true
}

fn row(c: &ConvEntry, now: i64, width: usize, compact: bool) -> ListItem<'static> {
    let dim = THEME.dim();
    let title_style = if c.gone {
        dim.add_modifier(Modifier::CROSSED_OUT)
    } else {
        Style::new().add_modifier(Modifier::BOLD)
    };
    let (age, age_style) = if c.gone {
        ("  gone".to_string(), THEME.error())
    } else if let Some(info) = &c.info {
        (format!("  {}", relative(now, info.created_at)), dim)
    } else {
        ("  …".to_string(), dim)
    };
    // The title gets what the age leaves, cut by display width, so the age stays in its row.
    let room = width.saturating_sub(fit::width(&age));
    let first = vec![
        Span::styled(fit::cut(c.title(), room), title_style),
        Span::styled(age, age_style),
    ];
    if compact {
        return ListItem::new(Line::from(first));
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
    let second = Line::styled(fit::cut(&c.id, width), dim);
    let third = Line::styled(fit::cut(&summary, width), Style::new().fg(THEME.muted));
    ListItem::new(vec![Line::from(first), second, third])
}

/// Draws the list; `compact` gives one line per conversation (see `layout`).
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    list: &List<ConvEntry>,
    focused: bool,
    compact: bool,
    now: i64,
    listing: &Load,
) {
    let title = format!(" Conversations ({}) ", list.items.len());
    let width = area.width.saturating_sub(4) as usize;
    if list.items.is_empty() {
        // Loading, or a failed load, is not an empty account.
        let lines = match listing {
            Load::Loading => vec![Line::styled("loading…", THEME.dim())],
            Load::Failed(f) => vec![
                Line::styled("Could not load the conversations:", THEME.error()),
                Line::styled(sanitize::line(&f.to_string()), THEME.error()),
                Line::raw(""),
                Line::styled("R retries.", THEME.dim()),
            ],
            Load::Loaded => vec![
                Line::raw("No conversations yet."),
                Line::raw(""),
                Line::styled("Press o to open one by id,", THEME.dim()),
                Line::styled("or run `convtui add ID`.", THEME.dim()),
            ],
        };
        let help = Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(title, focused));
        frame.render_widget(help, area);
        return;
    }
    let items: Vec<ListItem> = list
        .rows()
        .map(|(_, c)| row(c, now, width, compact))
        .collect();
    let mut state = ListState::default()
        .with_offset(list.offset)
        .with_selected(Some(list.position()));
    let widget = ListWidget::new(items)
        .block(block(title, focused))
        .highlight_style(THEME.highlight())
        .highlight_symbol("▌");
    frame.render_stateful_widget(widget, area, &mut state);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times() {
        assert_eq!(relative(1000, 1000), "just now");
        assert_eq!(relative(1000 + 120, 1000), "2m ago");
        assert_eq!(relative(10 * 86_400, 0), "10d ago");
        assert_eq!(relative(0, 50), "just now");
    }

    #[test]
    fn the_pane_moves_its_selection_and_leaves_other_actions() {
        let mut list = List::new((0..5).map(|i| ConvEntry::new(format!("c{i}"))).collect());
        assert!(on_action(&mut list, Action::PageDown, 3));
        assert_eq!(list.selected, 3);
        assert!(on_action(&mut list, Action::Bottom, 3));
        assert_eq!(list.selected, 4);
        assert!(!on_action(&mut list, Action::Delete, 3));
    }
}
