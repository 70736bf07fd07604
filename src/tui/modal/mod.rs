//! The modal stack: whatever is in front takes the input and is drawn last. The stack holds
//! the editors, the one confirm, the open-by-id prompt and help; the root routes to the
//! front one before any pane sees a key.

pub mod confirm;
pub mod help;
pub mod input;

use crate::tui::editor::Editor;
use crate::tui::keymap::Context;

pub use confirm::{Confirm, Pending, Tone};
pub use help::Help;
pub use input::TextInput;

/// The open-by-id prompt.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpenById {
    pub input: TextInput,
    pub error: Option<String>,
}

/// The `/` prompt: what is typed filters the list of `pane` as it is typed.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterInput {
    pub input: TextInput,
    pub pane: crate::tui::panes::Focus,
}

pub enum Modal {
    Editor(Editor),
    Confirm(Confirm),
    OpenById(OpenById),
    Help(Help),
    Filter(FilterInput),
    Command(crate::tui::command::CommandLine),
    Messages(crate::tui::messages::Messages),
    /// The open conversation's stats (`i`).
    Stats(crate::tui::stats::Stats),
    /// The search of the mirror (`S`, `:search`): its prompt and its results.
    Search(Box<crate::tui::panes::search::Search>),
}

impl Modal {
    /// The key context while this modal is in front.
    pub fn context(&self) -> Context {
        match self {
            Modal::Editor(e) => e.context(),
            Modal::Confirm(_) => Context::Confirm,
            Modal::OpenById(_) => Context::OpenById,
            Modal::Help(_) => Context::Help,
            Modal::Filter(_) => Context::Filter,
            Modal::Command(_) => Context::Command,
            Modal::Messages(_) => Context::Messages,
            Modal::Stats(_) => Context::Stats,
            Modal::Search(s) => s.context(),
        }
    }
}

/// The stack, front last.
#[derive(Default)]
pub struct Stack {
    modals: Vec<Modal>,
}

impl Stack {
    pub fn push(&mut self, modal: Modal) {
        self.modals.push(modal);
    }

    pub fn pop(&mut self) -> Option<Modal> {
        self.modals.pop()
    }

    pub fn front(&self) -> Option<&Modal> {
        self.modals.last()
    }

    pub fn front_mut(&mut self) -> Option<&mut Modal> {
        self.modals.last_mut()
    }

    pub fn is_empty(&self) -> bool {
        self.modals.is_empty()
    }

    /// Back to front, the order they are drawn in.
    pub fn iter(&self) -> impl Iterator<Item = &Modal> {
        self.modals.iter()
    }

    /// The questions on screen have been drawn: from now on a key can answer them.
    pub fn arm(&mut self) {
        for m in &mut self.modals {
            if let Modal::Confirm(c) = m {
                c.armed = true;
            }
        }
    }

    /// A burst of input (typing or a paste) is coming: it answers no question.
    pub fn disarm(&mut self) {
        for m in &mut self.modals {
            if let Modal::Confirm(c) = m {
                c.armed = false;
            }
        }
    }

    pub fn clear(&mut self) {
        self.modals.clear();
    }

    /// The open editor (at most one is open at a time).
    pub fn editor(&self) -> Option<&Editor> {
        self.modals.iter().rev().find_map(|m| match m {
            Modal::Editor(e) => Some(e),
            _ => None,
        })
    }

    pub fn editor_mut(&mut self) -> Option<&mut Editor> {
        self.modals.iter_mut().rev().find_map(|m| match m {
            Modal::Editor(e) => Some(e),
            _ => None,
        })
    }

    /// Closes the editor, and any modal in front of it.
    pub fn close_editor(&mut self) -> Option<Editor> {
        let at = self
            .modals
            .iter()
            .rposition(|m| matches!(m, Modal::Editor(_)))?;
        match self.modals.drain(at..).next() {
            Some(Modal::Editor(e)) => Some(e),
            _ => None,
        }
    }

    /// The search pane, wherever it is in the stack.
    pub fn search_mut(&mut self) -> Option<&mut crate::tui::panes::search::Search> {
        self.modals.iter_mut().rev().find_map(|m| match m {
            Modal::Search(s) => Some(s.as_mut()),
            _ => None,
        })
    }

    /// Opens an editor in place of any open one.
    pub fn open_editor(&mut self, editor: Editor) {
        self.close_editor();
        self.modals.push(Modal::Editor(editor));
    }
}
