//! Layout in one place: computed once per change into a `Geometry` that the view draws into,
//! that `update` clamps scrolling against, and that maps a screen position to a row.

use ratatui::layout::{Constraint, Layout, Rect};

use super::panes::Focus;

/// Where everything goes for one size and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Geometry {
    pub area: Rect,
    pub header: Rect,
    pub body: Rect,
    pub status: Rect,
    pub hints: Rect,
    pub conversations: Rect,
    pub timeline: Rect,
    pub detail: Rect,
    /// Rows one conversation takes: three, or one in a short pane.
    pub conv_row_height: u16,
    /// The first row on screen of each list, as the lists keep them.
    pub conv_offset: usize,
    pub timeline_offset: usize,
}

/// A rectangle less its borders.
pub fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x.saturating_add(1),
        y: r.y.saturating_add(1),
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}

/// Gives the focused pane the whole body; the others get no room.
pub fn zoom(g: &mut Geometry, focus: Focus) {
    let none = Rect::new(g.body.x, g.body.y, 0, 0);
    let body = g.body;
    g.conversations = none;
    g.timeline = none;
    g.detail = none;
    match focus {
        Focus::Conversations => g.conversations = body,
        Focus::Timeline => g.timeline = body,
        Focus::Detail => g.detail = body,
    }
    g.conv_row_height = if g.conversations.height < 9 { 1 } else { 3 };
}

fn contains(r: Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x.saturating_add(r.width) && y >= r.y && y < r.y.saturating_add(r.height)
}

impl Geometry {
    pub fn compute(area: Rect, focus: Focus, status_height: u16) -> Geometry {
        let [header, body, status, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(status_height),
            Constraint::Length(1),
        ])
        .areas(area);
        let (conversations, timeline, detail) = if area.width >= 100 {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(32), Constraint::Percentage(68)])
                    .areas(body);
            let [t, d] = Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(right);
            (left, t, d)
        } else {
            // Narrow terminals stack the panes; the focused one gets the most room.
            let weights = match focus {
                Focus::Conversations => [50, 25, 25],
                Focus::Timeline => [20, 50, 30],
                Focus::Detail => [20, 25, 55],
            };
            let [a, b, c] = Layout::vertical(weights.map(Constraint::Percentage)).areas(body);
            (a, b, c)
        };
        Geometry {
            area,
            header,
            body,
            status,
            hints,
            conversations,
            timeline,
            detail,
            // Short panes get one line per conversation, so that every row fits.
            conv_row_height: if conversations.height < 9 { 1 } else { 3 },
            conv_offset: 0,
            timeline_offset: 0,
        }
    }

    /// Conversations that fit in their pane.
    pub fn conversation_rows(&self) -> usize {
        (inner(self.conversations).height / self.conv_row_height.max(1)) as usize
    }

    pub fn timeline_rows(&self) -> usize {
        inner(self.timeline).height as usize
    }

    /// Lines of the detail pane, and its width inside the borders.
    pub fn detail_size(&self) -> (usize, u16) {
        let i = inner(self.detail);
        (i.height as usize, i.width.max(1))
    }

    /// The pane at a screen position.
    pub fn pane_at(&self, x: u16, y: u16) -> Option<Focus> {
        [
            (self.conversations, Focus::Conversations),
            (self.timeline, Focus::Timeline),
            (self.detail, Focus::Detail),
        ]
        .into_iter()
        .find(|(r, _)| contains(*r, x, y))
        .map(|(_, f)| f)
    }

    /// The list row at a screen position: the pane, and the row's place among the shown rows
    /// of its list (`List::index_at` turns it into an item). Borders and the detail pane have
    /// no rows.
    pub fn row_at(&self, x: u16, y: u16) -> Option<(Focus, usize)> {
        let pane = self.pane_at(x, y)?;
        let (rect, height, offset) = match pane {
            Focus::Conversations => (self.conversations, self.conv_row_height, self.conv_offset),
            Focus::Timeline => (self.timeline, 1, self.timeline_offset),
            Focus::Detail => return None,
        };
        let i = inner(rect);
        if !contains(i, x, y) {
            return None;
        }
        Some((pane, offset + ((y - i.y) / height.max(1)) as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_maps_to_a_row_of_the_pane_under_it() {
        let mut g = Geometry::compute(Rect::new(0, 0, 120, 40), Focus::Timeline, 1);
        g.timeline_offset = 30;
        let t = g.timeline;
        // The first row inside the timeline's border, and the third.
        assert_eq!(g.row_at(t.x + 2, t.y + 1), Some((Focus::Timeline, 30)));
        assert_eq!(g.row_at(t.x + 2, t.y + 3), Some((Focus::Timeline, 32)));
        assert_eq!(g.row_at(t.x + 2, t.y), None, "the border is no row");
        let c = g.conversations;
        assert_eq!(g.conv_row_height, 3);
        assert_eq!(g.row_at(c.x + 1, c.y + 7), Some((Focus::Conversations, 2)));
        let d = g.detail;
        assert_eq!(g.pane_at(d.x + 1, d.y + 1), Some(Focus::Detail));
        assert_eq!(g.row_at(d.x + 1, d.y + 1), None);
        assert_eq!(g.row_at(0, 0), None, "the header");
    }

    #[test]
    fn narrow_terminals_stack_the_panes_and_the_focused_one_is_tallest() {
        let g = Geometry::compute(Rect::new(0, 0, 60, 20), Focus::Detail, 2);
        assert_eq!(g.status.height, 2);
        assert!(g.detail.height > g.timeline.height && g.timeline.height > 0);
        assert_eq!(g.conversations.x, g.detail.x);
        assert_eq!(
            g.conv_row_height, 1,
            "a short pane has one line per conversation"
        );
        assert_eq!(g.timeline_rows(), g.timeline.height as usize - 2);
    }
}
