//! The app's state. It holds no I/O handles: every change goes through `update`.

use crate::registry::Registry;
use crate::tui::editor::Editor;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::layout::Geometry;
use crate::tui::modal::Stack;
use crate::tui::panes::detail::Detail;
use crate::tui::widgets::list::List;
use ratatui::layout::Rect;

pub use crate::tui::data::{ConvEntry, ConvInfo, Failure};

pub use crate::tui::panes::Focus;

pub use crate::tui::panes::timeline::Timeline;

/// The item's id, if it has one.
pub use crate::api::models::id_of as item_id;

/// An id opened with `o` that the server has not confirmed yet, and what to go back to if it
/// does not exist.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    pub id: String,
    pub previous: Option<Timeline>,
    pub focus: Focus,
    /// Opened offline: `previous` is the mirror's copy, to be reloaded if the server answers
    /// meanwhile.
    pub offline: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Info(String),
    Warning(String),
    Error(Failure),
}

pub struct App {
    pub profile: String,
    pub base_url: String,
    pub registry: Registry,
    /// The app's changes to the registry not yet seen written, numbered from `registry_seq`.
    pub registry_unsaved: Vec<(u64, crate::registry::Change)>,
    pub registry_seq: u64,
    pub convs: List<ConvEntry>,
    pub focus: Focus,
    pub timeline: Option<Timeline>,
    pub detail: Detail,
    /// Editors, the confirm, open-by-id and help; the front one takes the keys.
    pub modals: Stack,
    pub keymap: Keymap,
    /// Where everything was laid out for the current size and state (see `layout`).
    pub geometry: Geometry,
    /// Requests in flight; the spinner runs while this is above zero.
    pub pending: usize,
    pub spinner: usize,
    pub status: Option<Status>,
    pub quit: bool,
    pub next_generation: u64,
    /// Unix seconds, for relative times; set by the runtime so views stay pure.
    pub now: i64,
    pub height: u16,
    pub width: u16,
    /// A conversation opened by id, not yet confirmed by the server.
    pub opening: Option<Opening>,
    /// Orders draft writes.
    pub draft_seq: u64,
    /// The `/` filters of the lists.
    pub filters: crate::tui::filter::Filters,
    /// Commands run from the `:` line, newest last.
    pub command_history: Vec<String>,
    /// Every message the status line showed (`m` opens it).
    pub log: crate::tui::messages::Log,
    /// Whether the server's conversation list has been asked for and answered.
    pub listing: crate::tui::load::Load,
    /// The listing limits every timeline's paging keeps to (the client's).
    pub limits: crate::api::paging::Limits,
    /// The look and the profile's marks in the header (`tui::theme`, `tui::profiles`).
    pub theme: crate::tui::theme::Theme,
    pub label: Option<String>,
    pub read_only: bool,
    /// Every profile of the settings, and how to read them again (`:profile NAME`).
    pub profiles: crate::tui::profiles::Profiles,
    /// The export running, if any (`tui::export`).
    pub export: Option<crate::tui::export::Export>,
    /// The focused pane takes the whole body (`z`).
    pub zoom: bool,
    /// The item a search result is opening, and the match marked in its detail.
    pub search: crate::tui::search::Found,
    /// Reading the mirror's copy while the server cannot be reached.
    pub offline: crate::tui::offline::Offline,
    /// An item `u` brought back (conversation, new id): selected once its timeline shows it.
    pub restored: Option<(String, String)>,
}

impl App {
    pub fn new(profile: &str, base_url: &str, registry: Registry) -> Self {
        let convs = registry
            .conversations
            .iter()
            .map(|e| ConvEntry::new(e.id.clone()))
            .collect();
        let mut app = App {
            profile: profile.to_string(),
            base_url: base_url.to_string(),
            registry,
            registry_unsaved: Vec::new(),
            registry_seq: 0,
            convs: List::new(convs),
            focus: Focus::Conversations,
            timeline: None,
            detail: Detail::default(),
            modals: Stack::default(),
            keymap: Keymap::default(),
            geometry: Geometry::default(),
            pending: 0,
            spinner: 0,
            status: None,
            quit: false,
            next_generation: 1,
            now: 0,
            height: 24,
            width: 80,
            opening: None,
            draft_seq: 0,
            filters: Default::default(),
            command_history: Vec::new(),
            log: Default::default(),
            listing: Default::default(),
            limits: crate::api::paging::Limits::default(),
            theme: crate::tui::theme::Theme::DEFAULT,
            label: None,
            read_only: false,
            profiles: Default::default(),
            export: None,
            zoom: false,
            search: Default::default(),
            offline: Default::default(),
            restored: None,
        };
        app.relayout();
        app
    }

    /// Newest first; conversations not yet retrieved (or gone) last, in the order added. The
    /// selection stays on the same conversation.
    pub fn sort_convs(&mut self) {
        let selected = self.selected_conv().map(|c| c.id.clone());
        self.convs
            .items
            .sort_by_key(|c| c.info.as_ref().map_or((1, 0), |i| (0, -i.created_at)));
        if let Some(id) = selected {
            self.convs.selected = self
                .convs
                .items
                .iter()
                .position(|c| c.id == id)
                .unwrap_or(0);
        }
    }

    pub fn selected_conv(&self) -> Option<&ConvEntry> {
        self.convs.selected_item()
    }

    pub fn conv_mut(&mut self, id: &str) -> Option<&mut ConvEntry> {
        self.convs.items.iter_mut().find(|c| c.id == id)
    }

    /// The title of a conversation, else its id.
    pub fn title_of(&self, id: &str) -> String {
        self.convs
            .items
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.title().to_string())
            .unwrap_or_else(|| id.to_string())
    }

    /// The item the detail view shows.
    pub fn detail_item(&self) -> Option<&crate::tui::loaded::Loaded> {
        self.timeline.as_ref().and_then(Timeline::selected_item)
    }

    /// The open editor, if any.
    pub fn editor(&self) -> Option<&Editor> {
        self.modals.editor()
    }

    pub fn editor_mut(&mut self) -> Option<&mut Editor> {
        self.modals.editor_mut()
    }

    /// Rows to move on page up/down.
    pub fn page_step(&self) -> usize {
        (self.height as usize / 3).max(3)
    }

    pub fn is_wide(&self) -> bool {
        self.width >= 100
    }

    /// A new generation for requests whose answers must not mix with older ones.
    pub fn generation(&mut self) -> u64 {
        let g = self.next_generation;
        self.next_generation += 1;
        g
    }

    /// The counts shown at the right of the status line.
    pub fn counts(&self) -> String {
        if let Some(s) = crate::tui::filter::summary(self) {
            return s;
        }
        self.timeline
            .as_ref()
            .map(|t| t.counts())
            .unwrap_or_default()
    }

    /// The geometry of the app's state at a size.
    pub fn layout(&self, area: Rect) -> Geometry {
        // The status line is one row; the whole message is in the log (`m`).
        let mut g = Geometry::compute(area, self.focus, 1);
        if self.zoom {
            crate::tui::layout::zoom(&mut g, self.focus);
        }
        g.conv_offset = self.convs.offset;
        g.timeline_offset = self.timeline.as_ref().map_or(0, |t| t.list.offset);
        g
    }

    /// Lays the app out again for its size, and keeps each list's selection on screen.
    pub fn relayout(&mut self) {
        let area = Rect::new(0, 0, self.width, self.height);
        let g = self.layout(area);
        // A pane hidden by the zoom (`z`) keeps its window as it was.
        if !g.conversations.is_empty() {
            self.convs.scroll_into_view(g.conversation_rows());
        }
        if let Some(tl) = self.timeline.as_mut().filter(|_| !g.timeline.is_empty()) {
            tl.list.scroll_into_view(g.timeline_rows());
        }
        self.geometry = self.layout(area);
        if !self.geometry.detail.is_empty() {
            let item = self.timeline.as_ref().and_then(Timeline::selected_item);
            let wrapped = self.detail.prepare(item, self.geometry.detail_size().1);
            super::search::scroll_to_mark(self, wrapped.as_deref());
        }
    }

    /// The key context in effect: the front modal's, else the focused pane's.
    pub fn context(&self) -> Context {
        match self.modals.front() {
            Some(m) => m.context(),
            None => match self.focus {
                Focus::Conversations => Context::Conversations,
                Focus::Timeline => Context::Timeline,
                Focus::Detail => Context::Detail,
            },
        }
    }
}
