//! The timeline pane: the open conversation's items, loaded page by page.

use std::collections::HashSet;

use super::block;
use crate::api::ItemPage;
use crate::tui::keymap::Action;
use crate::tui::loaded::Loaded;
use crate::tui::message::Effect;
use crate::tui::paging::{Arrived, Paging, Request};
use crate::tui::theme::THEME;
use crate::tui::view::fit;
use crate::tui::widgets::list::List;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List as ListWidget, ListItem, ListState, Paragraph};
use ratatui::Frame;

/// Pages load by themselves when the selection comes this close to the end.
pub const PREFETCH_MARGIN: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub conversation: String,
    pub list: List<Loaded>,
    /// Items whose delete is in flight.
    pub deleting: HashSet<String>,
    pub paging: Paging,
    /// Why the last page did not load, until one does.
    pub failed: Option<String>,
    /// Items shown that the server no longer has (from the mirror's copy).
    pub gone: HashSet<String>,
}

impl Timeline {
    pub fn new(conversation: impl Into<String>, ascending: bool, generation: u64) -> Self {
        Timeline {
            conversation: conversation.into(),
            list: List::default(),
            deleting: HashSet::new(),
            paging: Paging::new(ascending, generation),
            failed: None,
            gone: HashSet::new(),
        }
    }

    pub fn selected_item(&self) -> Option<&Loaded> {
        self.list.selected_item()
    }

    pub fn items(&self) -> &[Loaded] {
        &self.list.items
    }

    /// `120 loaded · more`
    pub fn counts(&self) -> String {
        let mut s = format!("{} loaded", self.list.items.len());
        if self.paging.loading {
            s.push_str(" · loading");
        } else if self.paging.has_more {
            s.push_str(" · more");
        } else if self.paging.limit_hit.is_some() || self.paging.warning.is_some() {
            s.push_str(" · stopped");
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
            all: self.paging.load_all,
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
                if let Some(id) = self.selected_item().and_then(Loaded::id).map(String::from) {
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
            .and_then(Loaded::id)
            .map(String::from);
        let arrived = self.paging.arrived(page);
        if arrived.reloaded.is_some() {
            self.list.items.clear();
            self.list.selected = 0;
            self.list.offset = 0;
        }
        // Each new item is written out once as compact text; nothing loaded before is
        // touched again, so a page costs the same at any length.
        self.list.items.reserve(arrived.fresh.len());
        self.list.items.extend(Loaded::page(
            arrived
                .fresh
                .iter()
                .filter_map(|&i| page.data.get(i))
                .map(|item| &item.0),
        ));
        if let Some(pos) =
            keep.and_then(|k| self.list.items.iter().position(|i| i.id() == Some(&k)))
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

    /// Removes deleted items. The selection stays on the item it was on, or, if that one
    /// went, on the nearest survivor after it (else before it).
    pub fn remove(&mut self, ids: &[String]) {
        let gone =
            |i: &crate::tui::loaded::Loaded| i.id().is_some_and(|id| ids.iter().any(|d| d == id));
        let selected = self.list.selected;
        let survivor = (selected..self.list.items.len())
            .chain((0..selected.min(self.list.items.len())).rev())
            .find(|&i| !gone(&self.list.items[i]));
        let kept_before = survivor.map_or(0, |s| {
            self.list.items[..s].iter().filter(|i| !gone(i)).count()
        });
        self.list.items.retain(|i| !gone(i));
        self.list.selected = kept_before;
        for id in ids {
            self.list.marked.remove(id);
            self.deleting.remove(id);
        }
        self.list.clamp();
    }
}

fn row(tl: &Timeline, item: &Loaded, width: usize) -> ListItem<'static> {
    let s = item.row();
    let id = item.id().unwrap_or("");
    let mark = if tl.list.marked.contains(id) {
        "● "
    } else {
        "  "
    };
    let mut spans = vec![
        Span::styled(mark, THEME.fg_of(THEME.special)),
        Span::raw(format!("{} ", s.icon)),
        Span::styled(fit::cut(&s.label, 36), THEME.fg_of(THEME.label)),
        Span::raw("  "),
    ];
    if tl.gone.contains(id) {
        spans.push(Span::styled("[gone on the server] ", THEME.warning()));
    }
    // Cut by display width, so wide text stays inside the pane.
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::raw(fit::cut(
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
        crate::sanitize::line(&tl.conversation),
        tl.counts()
    );
    let width = area.width.saturating_sub(3) as usize;
    // Only the rows on screen are built, so a frame costs the same at any length. The window
    // starts at the list's offset, which `root::relayout` keeps around the selection.
    let visible = area.height.saturating_sub(2).max(1) as usize;
    let first = tl.list.offset.min(tl.list.shown_len());
    let mut rows: Vec<ListItem> = tl
        .list
        .rows()
        .skip(first)
        .take(visible)
        .map(|(_, item)| row(tl, item, width))
        .collect();
    if tl.paging.loading {
        rows.push(ListItem::new(Line::styled("  loading…", THEME.dim())));
    } else if let Some(why) = &tl.failed {
        // A failed load is not an empty conversation.
        let text = format!("  Could not load the items: {why} · R retries");
        rows.push(ListItem::new(Line::styled(
            crate::tui::view::fit::cut(&text, width + 1),
            THEME.error(),
        )));
    } else if tl.list.items.is_empty() {
        rows.push(ListItem::new(Line::styled("  (no items)", THEME.dim())));
    } else if tl.list.shown_len() == 0 {
        rows.push(ListItem::new(Line::styled("  (no matches)", THEME.dim())));
    }
    let at = tl.list.position();
    let selected = (tl.list.shown_len() > 0 && at >= first).then(|| at - first);
    let mut state = ListState::default().with_selected(selected);
    let list = ListWidget::new(rows)
        .block(block(title, focused))
        .highlight_style(THEME.highlight())
        .highlight_symbol("▌");
    frame.render_stateful_widget(list, area, &mut state);
    // Counted among the rows shown, so a filter's matches count as the list.
    crate::tui::widgets::scroll::decorate(frame, area, at, first, tl.list.shown_len(), visible);
}
