//! Messages into the app, and effects out of it.

use crossterm::event::KeyEvent;
use serde_json::Value;

use super::state::{ConvInfo, Failure};
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
    RegistrySaved(Result<(), String>),
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
    /// Back up the conversation and the items loaded so far, then delete it.
    DeleteConversation {
        id: String,
        conversation: Value,
        items: Vec<Value>,
    },
    SaveRegistry(Registry),
}

impl Effect {
    /// Whether the effect is a network request (it counts for the spinner).
    pub fn is_request(&self) -> bool {
        !matches!(self, Effect::SaveRegistry(_))
    }
}
