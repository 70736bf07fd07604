//! The app's state. It holds no I/O handles: every change goes through `update`.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;

use crate::registry::Registry;

/// What a conversation looks like once retrieved.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvInfo {
    pub created_at: i64,
    pub metadata: BTreeMap<String, String>,
}

/// One row of the conversation list.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvEntry {
    pub id: String,
    pub info: Option<ConvInfo>,
    /// The server answered 404 for it.
    pub gone: bool,
}

impl ConvEntry {
    pub fn new(id: impl Into<String>) -> Self {
        ConvEntry {
            id: id.into(),
            info: None,
            gone: false,
        }
    }

    /// The metadata's `title`, `topic` or `name`, else the id.
    pub fn title(&self) -> &str {
        self.info
            .as_ref()
            .and_then(|i| {
                ["title", "topic", "name"]
                    .iter()
                    .find_map(|k| i.metadata.get(*k).filter(|v| !v.trim().is_empty()))
            })
            .map(String::as_str)
            .unwrap_or(&self.id)
    }
}

/// An API failure as the UI shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub message: String,
    pub status: Option<u16>,
    pub request_id: Option<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            status: None,
            request_id: None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        match (self.status, &self.request_id) {
            (Some(s), Some(r)) => write!(f, " (HTTP {s}, request {r})"),
            (Some(s), None) => write!(f, " (HTTP {s})"),
            (None, Some(r)) => write!(f, " (request {r})"),
            (None, None) => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Conversations,
    Timeline,
    Detail,
}

/// The open conversation's items, loaded page by page.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub conversation: String,
    pub items: Vec<Value>,
    pub selected: usize,
    pub marked: BTreeSet<String>,
    /// Items whose delete is in flight.
    pub deleting: HashSet<String>,
    pub ascending: bool,
    /// Cursor for the next page (`after`).
    pub cursor: Option<String>,
    pub has_more: bool,
    pub loading: bool,
    pub load_all: bool,
    /// `G` was pressed: the selection stays on the last item while pages arrive.
    pub follow_end: bool,
    /// Results of older generations are dropped.
    pub generation: u64,
    pub seen: HashSet<String>,
    pub warning: Option<String>,
    /// While a reload is on its way: the order it asked for. The items on screen stay until
    /// its first page arrives, and stay for good if it fails.
    pub reloading: Option<bool>,
}

impl Timeline {
    pub fn new(conversation: impl Into<String>, ascending: bool, generation: u64) -> Self {
        Timeline {
            conversation: conversation.into(),
            items: Vec::new(),
            selected: 0,
            marked: BTreeSet::new(),
            deleting: HashSet::new(),
            ascending,
            cursor: None,
            has_more: true,
            loading: false,
            load_all: false,
            follow_end: false,
            generation,
            seen: HashSet::new(),
            warning: None,
            reloading: None,
        }
    }

    /// Starts over from the first page in the given order, keeping what is shown until the
    /// new first page arrives. Answers the request for that page.
    pub fn reload(&mut self, ascending: bool, generation: u64) -> crate::tui::message::Effect {
        self.generation = generation;
        self.reloading = Some(ascending);
        self.loading = true;
        self.load_all = false;
        self.follow_end = false;
        crate::tui::message::Effect::LoadItems {
            conversation: self.conversation.clone(),
            generation,
            after: None,
            ascending,
        }
    }

    /// Drops what was shown, for a reload's first page; answers the id that was selected.
    pub fn clear_for_reload(&mut self, ascending: bool) -> Option<String> {
        let keep = self.selected_item().and_then(item_id).map(String::from);
        self.items.clear();
        self.seen.clear();
        self.selected = 0;
        self.cursor = None;
        self.has_more = true;
        self.warning = None;
        self.ascending = ascending;
        self.reloading = None;
        keep
    }

    pub fn selected_item(&self) -> Option<&Value> {
        self.items.get(self.selected)
    }

    /// `120 loaded · more`
    pub fn counts(&self) -> String {
        let mut s = format!("{} loaded", self.items.len());
        if self.loading {
            s.push_str(" · loading");
        } else if self.has_more {
            s.push_str(" · more");
        } else {
            s.push_str(" · all");
        }
        if !self.marked.is_empty() {
            s.push_str(&format!(" · {} marked", self.marked.len()));
        }
        s
    }
}

/// The item's id, if it has one.
pub use crate::api::models::id_of as item_id;

/// An id opened with `o` that the server has not confirmed yet, and what to go back to if it
/// does not exist.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    pub id: String,
    pub previous: Option<Timeline>,
    pub focus: Focus,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Confirmed {
    DeleteItem {
        conversation: String,
        item: Value,
    },
    DeleteMarked {
        conversation: String,
        items: Vec<Value>,
    },
    DeleteConversation {
        id: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Confirm {
        title: String,
        lines: Vec<String>,
        on_yes: Confirmed,
    },
    OpenById {
        input: String,
        error: Option<String>,
    },
    Help {
        scroll: u16,
    },
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
    pub convs: Vec<ConvEntry>,
    pub conv_selected: usize,
    pub focus: Focus,
    pub timeline: Option<Timeline>,
    pub raw: bool,
    pub detail_scroll: u16,
    pub dialog: Option<Dialog>,
    /// Requests in flight; the spinner runs while this is above zero.
    pub pending: usize,
    pub spinner: usize,
    pub status: Option<Status>,
    pub quit: bool,
    pub next_generation: u64,
    /// Unix seconds, for relative times; set by the runtime so views stay pure.
    pub now: i64,
    /// Terminal height, for page up/down.
    pub height: u16,
    pub width: u16,
    /// The open editor, drawn over the panes; it takes the keys.
    pub editor: Option<crate::tui::editor::Editor>,
    /// Input held while an editor checks for a draft.
    pub editor_queue: Vec<crate::tui::editor::Queued>,
    /// A conversation opened by id, not yet confirmed by the server.
    pub opening: Option<Opening>,
    /// Orders draft writes.
    pub draft_seq: u64,
}

impl App {
    pub fn new(profile: &str, base_url: &str, registry: Registry) -> Self {
        let convs = registry
            .conversations
            .iter()
            .map(|e| ConvEntry::new(e.id.clone()))
            .collect();
        App {
            profile: profile.to_string(),
            base_url: base_url.to_string(),
            registry,
            convs,
            conv_selected: 0,
            focus: Focus::Conversations,
            timeline: None,
            raw: false,
            detail_scroll: 0,
            dialog: None,
            pending: 0,
            spinner: 0,
            status: None,
            quit: false,
            next_generation: 1,
            now: 0,
            height: 24,
            width: 80,
            editor_queue: Vec::new(),
            opening: None,
            editor: None,
            draft_seq: 0,
        }
    }

    /// Newest first; conversations not yet retrieved (or gone) last, in the order added. The
    /// selection stays on the same conversation.
    pub fn sort_convs(&mut self) {
        let selected = self.selected_conv().map(|c| c.id.clone());
        self.convs
            .sort_by_key(|c| c.info.as_ref().map_or((1, 0), |i| (0, -i.created_at)));
        if let Some(id) = selected {
            self.conv_selected = self.convs.iter().position(|c| c.id == id).unwrap_or(0);
        }
    }

    pub fn selected_conv(&self) -> Option<&ConvEntry> {
        self.convs.get(self.conv_selected)
    }

    pub fn conv_mut(&mut self, id: &str) -> Option<&mut ConvEntry> {
        self.convs.iter_mut().find(|c| c.id == id)
    }

    /// The item the detail view shows.
    pub fn detail_item(&self) -> Option<&Value> {
        self.timeline.as_ref().and_then(Timeline::selected_item)
    }

    /// Rows to move on page up/down.
    pub fn page_step(&self) -> usize {
        (self.height as usize / 3).max(3)
    }

    pub fn is_wide(&self) -> bool {
        self.width >= 100
    }
}
