//! The timeline pane: the open conversation's items, loaded page by page.

use std::collections::HashSet;

use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List as ListWidget, ListItem, ListState, Paragraph};
use ratatui::Frame;
use serde_json::Value;

use super::block;
use crate::api::models::id_of as item_id;
use crate::api::ItemPage;
use crate::tui::keymap::Action;
use crate::tui::message::Effect;
use crate::tui::paging::{Arrived, Paging, Request};
use crate::tui::render;
use crate::tui::sanitize;
use crate::tui::theme::THEME;
use crate::tui::widgets::list::List;

/// Pages load by themselves when the selection comes this close to the end.
pub const PREFETCH_MARGIN: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub conversation: String,
    pub list: List<Value>,
    /// Items whose delete is in flight.
    pub deleting: HashSet<String>,
    pub paging: Paging,
}

impl Timeline {
    pub fn new(conversation: impl Into<String>, ascending: bool, generation: u64) -> Self {
        Timeline {
            conversation: conversation.into(),
            list: List::default(),
            deleting: HashSet::new(),
            paging: Paging::new(ascending, generation),
        }
    }

    pub fn selected_item(&self) -> Option<&Value> {
        self.list.selected_item()
    }

    pub fn items(&self) -> &[Value] {
        &self.list.items
    }

    /// `120 loaded · more`
    pub fn counts(&self) -> String {
        let mut s = format!("{} loaded", self.list.items.len());
        if self.paging.loading {
            s.push_str(" · loading");
        } else if self.paging.has_more {
            s.push_str(" · more");
        } else {
            s.push_str(" · all");
        }
        if !self.list.marked.is_empty() {
            s.push_str(&format!(" · {} marked", self.list.marked.len()));
        }
        s
    }

    fn effect(&self, r: Request) -> Effect {
        Effect::LoadItems {
            conversation: self.conversation.clone(),
            generation: r.generation,
            after: r.after,
            ascending: r.ascending,
        }
    }

    /// The next page, if there is one and none is on its way.
    pub fn load_next(&mut self) -> Option<Effect> {
        let r = self.paging.next_page()?;
        Some(self.effect(r))
    }

    /// Starts over from the first page in the given order, keeping what is shown until the
    /// new first page arrives.
    pub fn reload(&mut self, ascending: bool, generation: u64) -> Effect {
        let r = self.paging.reload(ascending, generation);
        self.effect(r)
    }

    fn wants_more(&self) -> bool {
        self.paging.load_all || self.list.selected + PREFETCH_MARGIN >= self.list.items.len()
    }

    /// Loads more when the selection nears the end.
    fn prefetch(&mut self) -> Vec<Effect> {
        if self.list.selected + PREFETCH_MARGIN >= self.list.items.len() {
            self.load_next().into_iter().collect()
        } else {
            vec![]
        }
    }

    /// The pane's own actions; `None` for the ones it leaves to the root. `generation` gives
    /// a fresh generation for a reload.
    pub fn on_action(
        &mut self,
        action: Action,
        page: isize,
        generation: impl FnOnce() -> u64,
    ) -> Option<Vec<Effect>> {
        let delta = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => isize::MIN / 2,
            Action::Bottom => {
                self.list.select_last();
                // The bottom is the last item, not the last one loaded: keep loading and keep
                // the selection on the end until everything is in.
                let mut effects = Vec::new();
                if self.paging.has_more {
                    self.paging.follow_end = true;
                    self.paging.load_all = true;
                    effects.extend(self.load_next());
                } else {
                    self.paging.follow_end = false;
                }
                return Some(effects);
            }
            Action::Mark => {
                if let Some(id) = self.selected_item().and_then(item_id).map(String::from) {
                    self.list.toggle_mark(&id);
                }
                1
            }
            Action::ToggleOrder => {
                let ascending = !self.paging.order();
                return Some(vec![self.reload(ascending, generation())]);
            }
            Action::LoadAll => {
                self.paging.load_all = true;
                return Some(self.load_next().into_iter().collect());
            }
            _ => return None,
        };
        self.list.move_by(delta);
        self.paging.follow_end = false;
        Some(self.prefetch())
    }

    /// A page of this timeline's generation arrived. Answers what it brought, and the next
    /// request if more is wanted.
    pub fn on_page(&mut self, page: &ItemPage) -> (Arrived, Option<Effect>) {
        let keep = self
            .paging
            .reloading
            .and_then(|_| self.selected_item())
            .and_then(item_id)
            .map(String::from);
        let arrived = self.paging.arrived(page);
        if arrived.reloaded.is_some() {
            self.list.items.clear();
            self.list.selected = 0;
            self.list.offset = 0;
        }
        self.list.items.extend(arrived.fresh.iter().cloned());
        if let Some(pos) =
            keep.and_then(|k| self.list.items.iter().position(|i| item_id(i) == Some(&k)))
        {
            self.list.selected = pos;
        }
        if self.paging.follow_end {
            self.list.select_last();
            self.paging.follow_end = self.paging.has_more;
        }
        let next = if self.wants_more() {
            self.load_next()
        } else {
            None
        };
        (arrived, next)
    }

    /// Removes deleted items.
    pub fn remove(&mut self, ids: &[String]) {
        self.list
            .items
            .retain(|i| item_id(i).is_none_or(|id| !ids.iter().any(|d| d == id)));
        for id in ids {
            self.list.marked.remove(id);
            self.deleting.remove(id);
        }
        self.list.clamp();
    }
}

fn row(tl: &Timeline, item: &Value, width: usize) -> ListItem<'static> {
    let s = render::summary(item);
    let id = item_id(item).unwrap_or("");
    let mark = if tl.list.marked.contains(id) {
        "● "
    } else {
        "  "
    };
    let mut spans = vec![
        Span::styled(mark, THEME.fg_of(THEME.special)),
        Span::raw(format!("{} ", s.icon)),
        Span::styled(sanitize::truncate(&s.label, 36), THEME.fg_of(THEME.label)),
        Span::raw("  "),
    ];
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    spans.push(Span::raw(sanitize::truncate(
        &s.preview,
        width.saturating_sub(used).max(1),
    )));
    let mut line = Line::from(spans);
    if tl.deleting.contains(id) {
        line = line.style(THEME.dim().add_modifier(Modifier::CROSSED_OUT));
    }
    ListItem::new(line)
}

pub fn draw(frame: &mut Frame, area: Rect, tl: Option<&Timeline>, focused: bool) {
    let Some(tl) = tl else {
        let p = Paragraph::new(Line::styled("Open a conversation with Enter.", THEME.dim()))
            .block(block(" Items ".into(), focused));
        frame.render_widget(p, area);
        return;
    };
    let order = if tl.paging.ascending {
        "oldest first"
    } else {
        "newest first"
    };
    let title = format!(
        " Items · {} · {order} · {} ",
        sanitize::truncate(&sanitize::line(&tl.conversation), 24),
        tl.counts()
    );
    let width = area.width.saturating_sub(3) as usize;
    // Only the rows on screen are built, so a frame costs the same at any length. The window
    // starts at the list's offset, which `root::relayout` keeps around the selection.
    let visible = area.height.saturating_sub(2).max(1) as usize;
    let first = tl.list.offset.min(tl.list.items.len());
    let last = (first + visible).min(tl.list.items.len());
    let mut rows: Vec<ListItem> = tl.list.items[first..last]
        .iter()
        .map(|item| row(tl, item, width))
        .collect();
    if tl.paging.loading {
        rows.push(ListItem::new(Line::styled("  loading…", THEME.dim())));
    } else if tl.list.items.is_empty() {
        rows.push(ListItem::new(Line::styled("  (no items)", THEME.dim())));
    }
    let selected =
        (!tl.list.items.is_empty() && tl.list.selected >= first).then(|| tl.list.selected - first);
    let mut state = ListState::default().with_selected(selected);
    let list = ListWidget::new(rows)
        .block(block(title, focused))
        .highlight_style(THEME.highlight())
        .highlight_symbol("▌");
    frame.render_stateful_widget(list, area, &mut state);
    crate::tui::widgets::scroll::decorate(
        frame,
        area,
        tl.list.selected,
        first,
        tl.list.items.len(),
        visible,
    );
}
