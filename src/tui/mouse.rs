//! The mouse: the wheel scrolls the pane under the pointer, a click on a pane focuses it and
//! a click on a row selects that row (`Geometry::row_at`, `List::index_at`).

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::message::Effect;
use super::panes::Focus;
use super::state::App;

/// Rows the wheel moves per notch.
pub const WHEEL_ROWS: isize = 3;

pub fn on_mouse(app: &mut App, ev: MouseEvent) -> Vec<Effect> {
    // A modal in front keeps the input to itself.
    if !app.modals.is_empty() {
        return vec![];
    }
    let (x, y) = (ev.column, ev.row);
    match ev.kind {
        MouseEventKind::ScrollDown => scroll(app, x, y, WHEEL_ROWS),
        MouseEventKind::ScrollUp => scroll(app, x, y, -WHEEL_ROWS),
        MouseEventKind::Down(MouseButton::Left) => click(app, x, y),
        _ => vec![],
    }
}

fn scroll(app: &mut App, x: u16, y: u16, delta: isize) -> Vec<Effect> {
    match app.geometry.pane_at(x, y) {
        Some(Focus::Conversations) => app.convs.move_by(delta),
        Some(Focus::Timeline) => {
            if let Some(tl) = app.timeline.as_mut() {
                tl.list.move_by(delta);
                app.detail.scroll = 0;
                // Near the end the next page loads, as with the keys.
                if tl.list.selected + super::panes::timeline::PREFETCH_MARGIN >= tl.list.items.len()
                {
                    return tl.load_next().into_iter().collect();
                }
            }
        }
        Some(Focus::Detail) => {
            let item = app.timeline.as_ref().and_then(|t| t.selected_item());
            let size = app.geometry.detail_size();
            app.detail.scroll_by(delta, item, size);
        }
        None => {}
    }
    vec![]
}

fn click(app: &mut App, x: u16, y: u16) -> Vec<Effect> {
    let Some(pane) = app.geometry.pane_at(x, y) else {
        return vec![];
    };
    if pane != Focus::Conversations && app.timeline.is_none() {
        return vec![];
    }
    app.focus = pane;
    match app.geometry.row_at(x, y) {
        Some((Focus::Conversations, at)) => {
            if let Some(i) = app.convs.index_at(at) {
                app.convs.selected = i;
            }
        }
        Some((Focus::Timeline, at)) => {
            if let Some(tl) = app.timeline.as_mut() {
                if let Some(i) = tl.list.index_at(at) {
                    tl.list.selected = i;
                    app.detail.scroll = 0;
                }
            }
        }
        _ => {}
    }
    vec![]
}
