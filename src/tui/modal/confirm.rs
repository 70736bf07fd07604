//! The one confirm: a question, and the pending action a yes (or a no) sets off. Deletes,
//! discarding an editor's text, saving the metadata and restoring a draft all come here.

use ratatui::text::Line;
use serde_json::Value;

use crate::tui::keymap::Action;

/// What a confirm decides. The root carries it out (see `root::resolve`).
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
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
    /// Close the open editor without saving; its draft is deleted.
    DiscardChanges,
    /// Send the metadata editor's text (the diff is in the question).
    SaveMetadata,
    /// Yes puts the draft back in the open editor; no ("not now") closes the editor and the
    /// draft stays; only discard deletes it.
    RestoreDraft(String),
    /// Delete a conversation whose items could not all be read, keeping the `saved` ones.
    DeleteConversationPartial {
        id: String,
        saved: u64,
    },
    /// The server cannot be reached: read the mirror's copy instead (see `tui::offline`).
    ReadOffline,
}

/// How the popup looks: red for what cannot be undone, yellow for the editors' questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Danger,
    Caution,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<Line<'static>>,
    pub pending: Pending,
    pub tone: Tone,
    /// False until the question has been drawn, and during a burst of input: keys typed
    /// before the question could be read do not answer it (see `editor::draft_question`).
    pub armed: bool,
}

impl Confirm {
    pub fn new(title: impl Into<String>, lines: Vec<Line<'static>>, pending: Pending) -> Self {
        let tone = match pending {
            Pending::DeleteItem { .. }
            | Pending::DeleteMarked { .. }
            | Pending::DeleteConversation { .. }
            | Pending::DeleteConversationPartial { .. } => Tone::Danger,
            _ => Tone::Caution,
        };
        // The draft question appears while the user may be typing (see `armed`).
        let armed = !matches!(pending, Pending::RestoreDraft(_));
        Confirm {
            title: title.into(),
            lines,
            pending,
            tone,
            armed,
        }
    }

    /// The answer an action gives, if it is one.
    pub fn answer(action: Option<Action>) -> Option<bool> {
        match action {
            Some(Action::Yes) => Some(true),
            Some(Action::No) => Some(false),
            _ => None,
        }
    }
}
