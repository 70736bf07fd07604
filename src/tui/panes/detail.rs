//! The detail pane: the selected item, rendered or as raw JSON, scrolled within its end.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use serde_json::Value;

use super::block;
use crate::tui::keymap::Action;
use crate::tui::render;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Detail {
    pub raw: bool,
    pub scroll: u16,
    /// Long lines run off the pane instead of wrapping (`w` toggles).
    pub no_wrap: bool,
}

fn lines(item: &Value, raw: bool) -> Vec<Line<'static>> {
    if raw {
        render::pretty_json_lines(item)
    } else {
        render::detail(item)
    }
}

/// How many lines the item takes once wrapped at `width`.
pub fn height(item: &Value, raw: bool, width: u16) -> usize {
    Paragraph::new(lines(item, raw))
        .wrap(Wrap { trim: false })
        .line_count(width.max(1))
}

/// How many lines the item takes as the pane shows it (wrapped or not).
fn shown_height(item: &Value, detail: &Detail, width: u16) -> usize {
    if detail.no_wrap {
        lines(item, detail.raw).len()
    } else {
        height(item, detail.raw, width)
    }
}

impl Detail {
    /// The pane's own actions; false for the ones it leaves to the root. `size` is the
    /// pane's rows and width inside its borders (from the layout), so scrolling stops at the
    /// item's end.
    pub fn on_action(
        &mut self,
        action: Action,
        item: Option<&Value>,
        size: (usize, u16),
        page: isize,
    ) -> bool {
        let delta = match action {
            Action::ToggleRaw => {
                self.raw = !self.raw;
                self.scroll = 0;
                return true;
            }
            Action::ToggleWrap => {
                self.no_wrap = !self.no_wrap;
                self.scroll = 0;
                return true;
            }
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => isize::MIN / 2,
            Action::Bottom => isize::MAX / 2,
            _ => return false,
        };
        let (rows, width) = size;
        let total = item.map_or(0, |i| shown_height(i, self, width));
        let max = total.saturating_sub(rows.max(1)) as isize;
        self.scroll = (self.scroll as isize + delta).clamp(0, max.min(u16::MAX as isize)) as u16;
        true
    }
}

pub fn draw(frame: &mut Frame, area: Rect, item: Option<&Value>, detail: &Detail, focused: bool) {
    let mode = if detail.raw { "raw JSON" } else { "rendered" };
    let Some(item) = item else {
        let p = Paragraph::new("").block(block(" Detail ".into(), focused));
        frame.render_widget(p, area);
        return;
    };
    let wrap = if detail.no_wrap { " · no wrap" } else { "" };
    let title = format!(" Detail · {mode}{wrap} · r toggles ");
    let mut p = Paragraph::new(lines(item, detail.raw))
        .scroll((detail.scroll, 0))
        .block(block(title, focused));
    if !detail.no_wrap {
        p = p.wrap(Wrap { trim: false });
    }
    frame.render_widget(p, area);
    let inner = super::super::layout::inner(area);
    let total = shown_height(item, detail, inner.width);
    crate::tui::widgets::scroll::decorate(
        frame,
        area,
        detail.scroll as usize,
        detail.scroll as usize,
        total,
        inner.height as usize,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scrolling_stops_at_the_end_of_the_item() {
        let text: String = (0..30).map(|i| format!("line {i}\n")).collect();
        let item = json!({"type": "message", "role": "user", "content": text});
        let mut d = Detail::default();
        let total = height(&item, false, 40);
        assert!(total > 30);
        d.on_action(Action::Bottom, Some(&item), (10, 40), 5);
        assert_eq!(d.scroll as usize, total - 10);
        d.on_action(Action::Down, Some(&item), (10, 40), 5);
        assert_eq!(d.scroll as usize, total - 10, "no further");
        assert!(d.on_action(Action::ToggleRaw, Some(&item), (10, 40), 5));
        assert_eq!((d.raw, d.scroll), (true, 0));
        assert!(!d.on_action(Action::Delete, Some(&item), (10, 40), 5));
    }
}
