//! Messages into the app, and effects out of it.

use crossterm::event::{KeyEvent, MouseEvent};
use serde_json::Value;

use super::data::{ConvInfo, Failure};
use super::editor::metadata_text::Metadata;
use crate::registry::Registry;

/// One page of items.
pub use crate::api::ItemPage as PageData;

/// Everything that can change the app's state.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    Tick,
    /// The server's own conversation list; `None` when the server has no such extension.
    ConversationsListed(Result<Option<Vec<(String, ConvInfo)>>, Failure>),
    ConversationLoaded {
        id: String,
        result: Result<ConvInfo, Failure>,
    },
    ItemsLoaded {
        conversation: String,
        generation: u64,
        result: Result<PageData, Failure>,
    },
    ItemDeleted {
        conversation: String,
        item: String,
        result: Result<(), Failure>,
    },
    MarkedDeleted {
        conversation: String,
        deleted: Vec<String>,
        failed: Vec<(String, Failure)>,
    },
    ConversationDeleted {
        id: String,
        result: Result<(), Failure>,
    },
    /// The registry file as written, and the number of the last change in it; `None` when a
    /// later write had already run.
    RegistrySaved(Result<Option<(Registry, u64)>, String>),
    /// The registry file as read again (`R`): what other processes changed meanwhile.
    RegistryRead(Result<Registry, String>),
    /// The metadata changed on the server after the editor opened; nothing was sent.
    MetadataConflict {
        conversation: String,
        current: ConvInfo,
    },
    MetadataSaved {
        conversation: String,
        result: Result<ConvInfo, Failure>,
    },
    ConversationCreated(Result<(String, ConvInfo), Failure>),
    /// A chunk of items was added.
    ItemsProgress {
        conversation: String,
        sent: usize,
        total: usize,
    },
    ItemsAdded {
        conversation: String,
        sent: usize,
        total: usize,
        result: Result<(), Failure>,
    },
    DraftLoaded {
        name: String,
        result: Result<Option<String>, String>,
    },
    DraftWritten(Result<(), String>),
    /// What came back from `$VISUAL`/`$EDITOR`.
    ExternalEdited {
        conversation: String,
        result: Result<Metadata, String>,
    },
    /// A click or a wheel notch (only when mouse capture is on).
    Mouse(MouseEvent),
    /// `u`: what undoing the last delete re-created.
    Undone(Result<crate::restore::Restored, Failure>),
    /// A conversation delete was refused: its items could not all be read; `saved` could.
    DeletePartial {
        id: String,
        saved: u64,
        reason: String,
    },
    /// A page of an export was written.
    ExportProgress {
        conversation: String,
        progress: crate::export::Progress,
    },
    /// The export ended: the items written and a warning, or why not.
    ExportDone {
        result: Result<(usize, Option<String>), String>,
    },
    /// The profile asked for is connected, or why not.
    ProfileReady(Box<Result<super::profiles::Ready, String>>),
    /// The pager was closed (`tui::pager`).
    PagerClosed(Result<(), String>),
    /// The hits of a search of the mirror (`S`), or why there are none.
    Searched {
        generation: u64,
        result: Result<Vec<crate::mirror::Hit>, String>,
    },
    /// The server could not be reached at all (no connection, or no answer in time).
    Unreachable(Failure),
    /// The mirror's conversations, for reading offline.
    MirrorRead(Result<Vec<crate::mirror::read::MirroredConversation>, String>),
    /// A page read from the mirror, with the ids of its items the server no longer has.
    MirrorItemsLoaded {
        conversation: String,
        generation: u64,
        result: Result<(PageData, Vec<String>), Failure>,
        /// The mirror holds nothing of the conversation: it was never read nor synced.
        unread: bool,
    },
    /// Time to ask the server again whether it answers.
    RetryDue,
    /// A big item's lines for the detail, rendered off the UI thread.
    DetailRendered(super::panes::rendering::Rendered),
}

/// Work for the runtime: each runs in its own task and answers with a `Message`.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    ListConversations,
    LoadConversation(String),
    LoadItems {
        conversation: String,
        generation: u64,
        after: Option<String>,
        ascending: bool,
        /// The timeline is loading everything: the runtime asks for the next page ahead.
        all: bool,
    },
    /// Back up the item, then delete it.
    DeleteItem {
        conversation: String,
        item: Value,
    },
    DeleteItems {
        conversation: String,
        items: Vec<Value>,
    },
    /// Back up the conversation and all its items (fetched fresh), then delete it.
    DeleteConversation {
        id: String,
    },
    /// Writes the changes the app made to the registry and has not seen written yet, each
    /// numbered, into the file as it is then.
    SaveRegistry(Vec<(u64, crate::registry::Change)>),
    /// Reads the registry file again.
    ReadRegistry,
    /// Replaces the metadata with one update call.
    UpdateMetadata {
        conversation: String,
        metadata: Metadata,
        /// What the editor's diff was against: if the server has something else by now, the
        /// update is not sent (`Message::MetadataConflict`).
        base: Metadata,
    },
    CreateConversation {
        metadata: Metadata,
        items: Vec<Value>,
    },
    /// Adds items in order, in chunks of 20, reporting progress.
    AddItems {
        conversation: String,
        items: Vec<Value>,
    },
    LoadDraft {
        name: String,
    },
    /// Writes a draft (`Some`) or deletes it (`None`); later `seq` wins.
    Draft {
        name: String,
        seq: u64,
        text: Option<String>,
    },
    /// Hands the terminal to `$VISUAL`/`$EDITOR` on this JSON; the event loop runs it.
    ExternalEdit {
        conversation: String,
        json: String,
    },
    /// Puts text on the clipboard through OSC 52; the event loop writes it.
    Copy(String),
    /// The `include` values sent with every later page of items.
    SetInclude(Vec<String>),
    /// Stops requests in flight; each answers at once as cancelled.
    Cancel(super::cancel::Which),
    /// Re-creates the last deleted item or conversation from the journal.
    UndoDelete,
    /// Deletes a conversation whose items could not all be read, with the partial backup.
    DeleteConversationPartial {
        id: String,
    },
    /// Writes the whole conversation to a file (`tui::export`).
    Export {
        conversation: String,
        path: std::path::PathBuf,
        format: crate::export::Format,
        cancel: super::export::Cancel,
    },
    /// Reads the settings again and connects to the profile `name` (`tui::profiles`).
    SwitchProfile {
        name: String,
        config_path: Option<std::path::PathBuf>,
        read_only: bool,
    },
    /// The runtime takes the new profile's client; the event loop does this one itself.
    InstallProfile(super::profiles::Handover),
    /// Hands the terminal to `$PAGER` on this text; the event loop runs it.
    Pager {
        text: String,
    },
    /// Searches the local mirror (off the UI thread).
    Search {
        generation: u64,
        query: String,
    },
    /// Reads the mirror's conversations, for reading offline.
    ReadMirror,
    /// A page of items from the mirror instead of the server (offline).
    LoadMirrorItems {
        conversation: String,
        generation: u64,
        after: Option<String>,
        ascending: bool,
    },
    /// Answers `Message::RetryDue` after this many seconds.
    RetryServer(u64),
    /// Marks items in the mirror as gone on the server.
    MarkGoneInMirror {
        conversation: String,
        items: Vec<String>,
    },
    /// Renders a big item for the detail in a blocking task (`panes::rendering`).
    RenderDetail(super::panes::rendering::Job),
}

impl Effect {
    /// Whether the effect is a network request (it counts for the spinner).
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            Effect::ListConversations
                | Effect::LoadConversation(_)
                | Effect::LoadItems { .. }
                | Effect::DeleteItem { .. }
                | Effect::DeleteItems { .. }
                | Effect::DeleteConversation { .. }
                | Effect::UpdateMetadata { .. }
                | Effect::CreateConversation { .. }
                | Effect::AddItems { .. }
                | Effect::UndoDelete
                | Effect::DeleteConversationPartial { .. }
                | Effect::LoadMirrorItems { .. }
        )
    }
}
