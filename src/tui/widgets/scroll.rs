//! Where you are in a long pane: a scrollbar on the right border and a position counter
//! (`37/320`) on the bottom border. Drawn over a pane's block after the pane.

use ratatui::layout::{Margin, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};
use ratatui::Frame;

use crate::tui::theme::THEME;

/// `position` (0-based) is what the counter shows, `offset` the first row on screen; `total`
/// is how many rows (or lines) there are, `visible` how many fit. The scrollbar shows only
/// when not everything fits.
pub fn decorate(
    frame: &mut Frame,
    area: Rect,
    position: usize,
    offset: usize,
    total: usize,
    visible: usize,
) {
    if area.height < 3 || area.width < 12 {
        return;
    }
    if total > 0 {
        let counter = counter(position, total);
        let width = counter.chars().count() as u16;
        if width + 4 < area.width {
            let at = Rect::new(
                area.x + area.width - width - 2,
                area.y + area.height - 1,
                width,
                1,
            );
            frame.render_widget(Paragraph::new(Line::styled(counter, THEME.dim())), at);
        }
    }
    if total > visible {
        let mut state = ScrollbarState::new(total.saturating_sub(visible) + 1)
            .position(offset.min(total.saturating_sub(visible)))
            .viewport_content_length(visible);
        let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None)
            .style(THEME.dim());
        frame.render_stateful_widget(
            bar,
            area.inner(Margin {
                vertical: 1,
                horizontal: 0,
            }),
            &mut state,
        );
    }
}

/// ` 37/320 ` (1-based).
pub fn counter(position: usize, total: usize) -> String {
    format!(" {}/{total} ", (position + 1).min(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    #[test]
    fn counter_and_bar() {
        assert_eq!(counter(36, 320), " 37/320 ");
        assert_eq!(counter(400, 3), " 3/3 ");
        let mut t = Terminal::new(TestBackend::new(30, 10)).unwrap();
        t.draw(|f| decorate(f, f.area(), 0, 0, 100, 8)).unwrap();
        let b = t.backend().buffer().clone();
        let bottom: String = (0..30).map(|x| b[(x, 9)].symbol()).collect();
        assert!(bottom.contains(" 1/100 "), "{bottom}");
        // The thumb is at the top of the bar, on the right border.
        assert_eq!(b[(29, 1)].symbol(), "█");
        assert_ne!(b[(29, 8)].symbol(), "█");
        // Everything fits: no bar.
        let mut t = Terminal::new(TestBackend::new(30, 10)).unwrap();
        t.draw(|f| decorate(f, f.area(), 0, 0, 5, 8)).unwrap();
        assert_eq!(t.backend().buffer()[(29, 4)].symbol(), " ");
    }
}
