//! The editors: metadata (`e`, `E`, `n`) and the item composer (`a`).

pub mod draft_question;
pub mod drafts;
pub mod external;
pub mod json;
pub mod keys;
pub mod metadata_text;
pub mod open;
pub mod questions;
pub mod replies;

use ratatui::style::Style;
use tui_textarea::TextArea;

use crate::tui::keymap::Context;
use metadata_text::{Metadata, Parsed};

/// Which conversation the metadata editor writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Existing(String),
    /// A conversation to create, with an optional first message.
    New,
}

impl Target {
    /// The draft's name: the conversation id, or `new`.
    pub fn draft_name(&self) -> String {
        match self {
            Target::Existing(id) => id.clone(),
            Target::New => "new".into(),
        }
    }
}

/// Where the metadata editor is. Its questions (restore the draft? save this diff? discard
/// the changes?) are the one confirm, in front of it on the modal stack.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Waiting to learn whether a draft exists; input is held and applied after.
    CheckingDraft,
    Editing,
    Saving,
}

/// A text area. A `numbered` one (metadata: one pair per row, so that each error sits beside
/// its line) scrolls sideways and gets its line numbers from the view, in a column of their
/// own that stays when the text scrolls; prose wraps instead.
pub fn textarea(text: &str, numbered: bool) -> TextArea<'static> {
    let mut area = TextArea::new(text.split('\n').map(String::from).collect());
    area.set_cursor_line_style(Style::new());
    if !numbered {
        // Messages are prose: they wrap instead of scrolling sideways.
        area.set_wrap_mode(tui_textarea::WrapMode::WordOrGlyph);
    }
    area
}

pub fn text_of(area: &TextArea) -> String {
    area.lines().join("\n")
}

pub struct MetadataEditor {
    pub target: Target,
    pub title: String,
    pub area: TextArea<'static>,
    /// The first message of a new conversation.
    pub message: Option<TextArea<'static>>,
    pub in_message: bool,
    /// What the server has.
    pub base: Metadata,
    /// The text as opened (or as saved): unsaved changes are differences from it.
    pub base_text: String,
    pub parsed: Parsed,
    pub stage: Stage,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// Input that arrived during the draft check, applied once it is done.
    pub queued: Vec<Queued>,
}

impl MetadataEditor {
    pub fn new(target: Target, title: String, base: Metadata) -> Self {
        let text = metadata_text::to_text(&base);
        let message = (target == Target::New).then(|| textarea("", false));
        MetadataEditor {
            target,
            title,
            area: textarea(&text, true),
            message,
            in_message: false,
            parsed: metadata_text::parse(&text),
            base,
            base_text: text,
            stage: Stage::CheckingDraft,
            error: None,
            notice: None,
            queued: Vec::new(),
        }
    }

    pub fn text(&self) -> String {
        text_of(&self.area)
    }

    pub fn message_text(&self) -> String {
        self.message.as_ref().map(text_of).unwrap_or_default()
    }

    pub fn is_dirty(&self) -> bool {
        self.text() != self.base_text || !self.message_text().trim().is_empty()
    }

    /// What goes to the draft file.
    pub fn draft(&self) -> String {
        match self.target {
            Target::Existing(_) => self.text(),
            Target::New => serde_json::json!({
                "metadata": self.text(),
                "message": self.message_text(),
            })
            .to_string(),
        }
    }

    /// Puts a draft back.
    pub fn restore(&mut self, draft: &str) {
        let (text, message) = match self.target {
            Target::Existing(_) => (draft.to_string(), None),
            Target::New => {
                let v: serde_json::Value = serde_json::from_str(draft).unwrap_or_default();
                let get = |k: &str| v.get(k).and_then(|s| s.as_str()).unwrap_or("").to_string();
                (get("metadata"), Some(get("message")))
            }
        };
        self.set_text(&text);
        if let (Some(m), Some(area)) = (message, self.message.as_mut()) {
            *area = textarea(&m, false);
        }
    }

    /// The server's metadata, fetched again after the editor opened: the diff is always
    /// against what the server has now. Untouched text follows it; edited text is kept.
    pub fn rebase(&mut self, fresh: Metadata) {
        if fresh == self.base || self.stage == Stage::Saving {
            return;
        }
        if self.text() == self.base_text {
            let text = metadata_text::to_text(&fresh);
            self.base_text = text.clone();
            self.set_text(&text);
            self.notice = Some("Updated to the server's latest metadata.".into());
        } else {
            self.notice = Some(
                "The metadata changed on the server since this opened; the diff is against what it has now."
                    .into(),
            );
        }
        self.base = fresh;
    }

    pub fn set_text(&mut self, text: &str) {
        self.area = textarea(text, true);
        self.reparse();
    }

    pub fn reparse(&mut self) {
        self.parsed = metadata_text::parse(&self.text());
    }
}

pub const ROLES: [&str; 4] = ["user", "assistant", "system", "developer"];

/// Input that arrived while the editor was still checking for a draft; it is applied once the
/// editor is ready, so nothing typed or pasted is lost.
#[derive(Debug, Clone, PartialEq)]
pub enum Queued {
    Key(crossterm::event::KeyEvent),
    Paste(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ComposeStage {
    CheckingDraft,
    Editing,
    Sending { sent: usize, total: usize },
}

/// Adds items: a message with a role, or JSON items.
pub struct Composer {
    pub conversation: String,
    pub title: String,
    pub role: usize,
    pub json: bool,
    pub area: TextArea<'static>,
    pub stage: ComposeStage,
    pub error: Option<String>,
    /// Input that arrived during the draft check, applied once it is done.
    pub queued: Vec<Queued>,
}

impl Composer {
    pub fn new(conversation: String, title: String) -> Self {
        Composer {
            conversation,
            title,
            role: 0,
            json: false,
            area: textarea("", false),
            stage: ComposeStage::CheckingDraft,
            error: None,
            queued: Vec::new(),
        }
    }

    pub fn text(&self) -> String {
        text_of(&self.area)
    }

    pub fn draft_name(&self) -> String {
        format!("{}.items", self.conversation)
    }

    pub fn role(&self) -> &'static str {
        ROLES[self.role % ROLES.len()]
    }
}

pub enum Editor {
    Metadata(Box<MetadataEditor>),
    Compose(Box<Composer>),
}

impl Editor {
    /// The key context of the editor in its stage.
    pub fn context(&self) -> Context {
        match self {
            Editor::Metadata(ed) => match ed.stage {
                Stage::CheckingDraft => Context::DraftCheck,
                Stage::Saving => Context::Sending,
                Stage::Editing if ed.message.is_some() => Context::NewConversation,
                Stage::Editing => Context::Metadata,
            },
            Editor::Compose(c) => match c.stage {
                ComposeStage::CheckingDraft => Context::DraftCheck,
                ComposeStage::Sending { .. } => Context::Sending,
                ComposeStage::Editing if c.json => Context::ComposerJson,
                ComposeStage::Editing => Context::Composer,
            },
        }
    }

    pub fn is_checking_draft(&self) -> bool {
        self.context() == Context::DraftCheck
    }

    pub fn is_editing(&self) -> bool {
        matches!(
            self,
            Editor::Metadata(ed) if ed.stage == Stage::Editing
        ) || matches!(self, Editor::Compose(c) if c.stage == ComposeStage::Editing)
    }

    pub fn queued(&mut self) -> &mut Vec<Queued> {
        match self {
            Editor::Metadata(ed) => &mut ed.queued,
            Editor::Compose(c) => &mut c.queued,
        }
    }
}
