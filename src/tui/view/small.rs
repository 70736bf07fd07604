//! Below a minimum size the panes would have no rows: the frame says so instead.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::theme::THEME;

/// The smallest terminal the panes fit in: every pane keeps at least one row inside its
/// borders whichever has the focus, and the hint bar keeps `? help`.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 16;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

/// `terminal too small: 30×10, need at least 40×16`
pub fn message(area: Rect) -> String {
    format!(
        "terminal too small: {}×{}, need at least {MIN_WIDTH}×{MIN_HEIGHT}",
        area.width, area.height
    )
}

pub fn draw(frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::styled(message(area), THEME.warning()),
        Line::styled("q quits", THEME.dim()),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}
