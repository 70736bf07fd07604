//! The keymap as a value: every key context (the three panes and every modal) in one table
//! that drives key handling, the key-hints line and the help screen. Actions have stable
//! names that print and parse, so a config file, a command line and help share one
//! vocabulary; `Keymap::apply_overrides` takes `context.key = "action"` pairs.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod defaults;
mod overrides;

pub use overrides::{sent_as, OverrideProblem};

/// Declares the action enum with its stable names, in one place.
macro_rules! actions {
    ($($variant:ident = $name:literal),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The stable name, as config files and help use it.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
        }
    };
}

actions! {
    Up = "up",
    Down = "down",
    Top = "top",
    Bottom = "bottom",
    PageUp = "page-up",
    PageDown = "page-down",
    NextPane = "next-pane",
    PaneLeft = "pane-left",
    PaneRight = "pane-right",
    Open = "open",
    Back = "back",
    Delete = "delete",
    Mark = "mark",
    DeleteMarked = "delete-marked",
    OpenById = "open-by-id",
    ToggleOrder = "toggle-order",
    ToggleRaw = "toggle-raw",
    Refresh = "refresh",
    LoadAll = "load-all",
    Forget = "forget",
    DeleteConversation = "delete-conversation",
    EditMetadata = "edit-metadata",
    EditJson = "edit-json",
    NewConversation = "new-conversation",
    AddItems = "add-items",
    Help = "help",
    Quit = "quit",
    ForceQuit = "force-quit",
    UndoDelete = "undo-delete",
    Stats = "stats",
    // Modals.
    Yes = "yes",
    No = "no",
    Submit = "submit",
    Cancel = "cancel",
    Close = "close",
    Save = "save",
    Undo = "undo",
    SwitchField = "switch-field",
    NextRole = "next-role",
    PreviousRole = "previous-role",
    ToggleJson = "toggle-json",
    // Filter, command line, clipboard.
    Filter = "filter",
    CommandLine = "command-line",
    NextMatch = "next-match",
    PreviousMatch = "previous-match",
    ClearFilter = "clear-filter",
    CopyId = "copy-id",
    CopyJson = "copy-json",
    Complete = "complete",
    HistoryPrevious = "history-previous",
    HistoryNext = "history-next",
    Discard = "discard",
    Messages = "messages",
    // Export and profiles.
    Export = "export",
    NextProfile = "next-profile",
    // Reading.
    ToggleWrap = "toggle-wrap",
    Zoom = "zoom",
    OpenInPager = "open-in-pager",
    // Search of the mirror.
    Search = "search",
}

impl Action {
    /// Whether the action changes something on the server (a delete, an edit, a create).
    pub fn writes(self) -> bool {
        self.write().is_some()
    }

    /// What the action would change on the server, in the words a refusal uses.
    pub fn write(self) -> Option<&'static str> {
        Some(match self {
            Action::Delete => "delete an item",
            Action::DeleteMarked => "delete the marked items",
            Action::DeleteConversation => "delete a conversation",
            Action::EditMetadata | Action::EditJson => "change a conversation",
            Action::NewConversation => "create a conversation",
            Action::AddItems => "add items",
            Action::UndoDelete => "restore a deleted item or conversation",
            _ => return None,
        })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == s.trim())
            .ok_or_else(|| format!("no action is called '{}'", s.trim()))
    }
}

/// Where a binding applies: a pane, everywhere outside modals, or one modal (or stage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Conversations,
    Timeline,
    Detail,
    Confirm,
    OpenById,
    Help,
    /// The metadata editor (`e`).
    Metadata,
    /// The metadata editor of a new conversation (`n`), with its first-message field.
    NewConversation,
    /// The composer writing a message.
    Composer,
    /// The composer taking JSON items.
    ComposerJson,
    /// An editor waiting to learn whether a draft exists.
    DraftCheck,
    /// An editor waiting for its save or send to finish: no keys.
    Sending,
    /// Typing a `/` filter.
    Filter,
    /// A pane with a filter in effect: these keys come before the pane's own.
    Matches,
    /// Typing a `:` command.
    Command,
    /// The message log (`m`).
    Messages,
    /// The stats popup.
    Stats,
    /// The search results pane.
    Search,
    /// Typing a search query.
    SearchPrompt,
}

impl Context {
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::Conversations,
        Context::Timeline,
        Context::Detail,
        Context::Confirm,
        Context::OpenById,
        Context::Help,
        Context::Metadata,
        Context::NewConversation,
        Context::Composer,
        Context::ComposerJson,
        Context::DraftCheck,
        Context::Sending,
        Context::Filter,
        Context::Matches,
        Context::Command,
        Context::Messages,
        Context::Stats,
        Context::Search,
        Context::SearchPrompt,
    ];

    /// The stable name, as config files use it.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Conversations => "conversations",
            Context::Timeline => "timeline",
            Context::Detail => "detail",
            Context::Confirm => "confirm",
            Context::OpenById => "open-by-id",
            Context::Help => "help",
            Context::Metadata => "metadata",
            Context::NewConversation => "new-conversation",
            Context::Composer => "composer",
            Context::ComposerJson => "composer-json",
            Context::DraftCheck => "draft-check",
            Context::Messages => "messages",
            Context::Sending => "sending",
            Context::Filter => "filter",
            Context::Matches => "matches",
            Context::Command => "command",
            Context::Stats => "stats",
            Context::Search => "search",
            Context::SearchPrompt => "search-prompt",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Conversations => "Conversations",
            Context::Timeline => "Timeline",
            Context::Detail => "Item detail",
            Context::Confirm => "Confirm",
            Context::OpenById => "Open by id",
            Context::Help => "Help",
            Context::Metadata => "Metadata editor",
            Context::NewConversation => "New conversation",
            Context::Composer => "Composer",
            Context::ComposerJson => "Composer, JSON items",
            Context::DraftCheck => "Editor, looking for a draft",
            Context::Sending => "Editor, saving or sending",
            Context::Filter => "Filter, typing",
            Context::Matches => "While a filter is in effect",
            Context::Command => "Command line",
            Context::Messages => "Messages",
            Context::Stats => "Conversation stats",
            Context::Search => "Search results",
            Context::SearchPrompt => "Search, typing",
        }
    }

    /// The panes fall back to the global bindings; a modal has only its own.
    pub fn is_pane(self) -> bool {
        matches!(
            self,
            Context::Conversations | Context::Timeline | Context::Detail
        )
    }
}

impl FromStr for Context {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Context::ALL
            .iter()
            .copied()
            .find(|c| c.name() == s.trim())
            .ok_or_else(|| format!("no key context is called '{}'", s.trim()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        Key { code, mods }
    }

    pub fn matches(&self, ev: &KeyEvent) -> bool {
        // Shifted letters arrive as the upper-case char, with or without SHIFT.
        let mods = ev.modifiers - KeyModifiers::SHIFT;
        self.code == ev.code && self.mods == mods
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Down => "↓".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            write!(f, "ctrl-{base}")
        } else {
            f.write_str(&base)
        }
    }
}

impl FromStr for Key {
    type Err = String;
    /// Parses what `Display` prints (`ctrl-s`, `Enter`, `↓`, `space`), and `Down` and the
    /// like for arrows.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (mods, base) = match s.strip_prefix("ctrl-") {
            Some(rest) if !rest.is_empty() => (KeyModifiers::CONTROL, rest),
            _ => (KeyModifiers::NONE, s),
        };
        let code = match base {
            "space" => KeyCode::Char(' '),
            "↓" | "Down" => KeyCode::Down,
            "↑" | "Up" => KeyCode::Up,
            "←" | "Left" => KeyCode::Left,
            "→" | "Right" => KeyCode::Right,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "PgUp" | "PageUp" => KeyCode::PageUp,
            "PgDn" | "PageDown" => KeyCode::PageDown,
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" => KeyCode::Tab,
            "shift-Tab" | "BackTab" => KeyCode::BackTab,
            "Backspace" => KeyCode::Backspace,
            "Del" | "Delete" => KeyCode::Delete,
            one if one.chars().count() == 1 => KeyCode::Char(one.chars().next().unwrap_or(' ')),
            _ => return Err(format!("'{s}' is not a key")),
        };
        Ok(Key { code, mods })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub context: Context,
    pub keys: Vec<Key>,
    pub action: Action,
    pub help: &'static str,
    /// The short label shown in the key-hints line of its context, if shown there.
    pub hint: Option<&'static str>,
}

impl Binding {
    /// The keys as hints and help show them: `j/↓`, or `S or /` when one of them is `/`.
    pub fn keys_label(&self) -> String {
        let labels: Vec<String> = self.keys.iter().map(Key::to_string).collect();
        let sep = match labels.iter().any(|l| l == "/") {
            true => " or ",
            false => "/",
        };
        labels.join(sep)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: defaults::bindings(),
        }
    }
}

impl Keymap {
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    fn find(&self, context: Context, ev: &KeyEvent) -> Option<&Binding> {
        self.bindings
            .iter()
            .filter(|b| b.context == context)
            .find(|b| b.keys.iter().any(|k| k.matches(ev)))
    }

    /// The action of a key in a context. A pane's own bindings win over the global ones; a
    /// modal has only its own.
    pub fn lookup(&self, context: Context, ev: &KeyEvent) -> Option<Action> {
        let own = self.find(context, ev);
        let fallback = || {
            context
                .is_pane()
                .then(|| self.find(Context::Global, ev))
                .flatten()
        };
        own.or_else(fallback).map(|b| b.action)
    }

    /// The hints line of a context. A pane shows its own hinted bindings, the global ones,
    /// switching panes, `j/k move`, quit, and help last. A modal shows only its own.
    pub fn hints(&self, context: Context) -> Vec<(String, &'static str)> {
        self.hints_of(&[context], |_| true)
    }

    /// The hints of several contexts joined, in order, keeping only the actions `keep`
    /// allows. A hint for a key already shown is dropped: the first binding of a key is
    /// the one that acts on it, so a later meaning would mislead.
    pub fn hints_of(
        &self,
        contexts: &[Context],
        keep: impl Fn(Action) -> bool,
    ) -> Vec<(String, &'static str)> {
        let mut shown: Vec<Key> = Vec::new();
        let mut out = Vec::new();
        for &context in contexts {
            for (keys, label, hint, action) in self.hint_rows(context) {
                if keys.iter().any(|k| shown.contains(k)) {
                    continue;
                }
                shown.extend(keys);
                if action.is_none_or(&keep) {
                    out.push((label, hint));
                }
            }
        }
        out
    }

    /// One context's hints with their keys and action, most useful first.
    fn hint_rows(&self, context: Context) -> Vec<(Vec<Key>, String, &'static str, Option<Action>)> {
        let row = |b: &Binding| {
            b.hint
                .map(|h| (b.keys.clone(), b.keys_label(), h, Some(b.action)))
        };
        let of = |c: Context| self.bindings.iter().filter(move |b| b.context == c);
        if !context.is_pane() {
            return of(context).filter_map(row).collect();
        }
        // Most useful first: the pane's own keys, the global ones, moving and quitting; help
        // last, where the hint bar always keeps it (see `view::hints`).
        let last =
            |b: &&Binding| matches!(b.action, Action::Help | Action::Quit | Action::NextPane);
        let global = |a: Action| of(Context::Global).filter(move |b| b.action == a);
        let mut out: Vec<_> = of(context).filter_map(row).collect();
        out.extend(of(Context::Global).filter(|b| !last(b)).filter_map(row));
        out.extend(global(Action::NextPane).filter_map(row));
        let moves = ["j", "k"].iter().filter_map(|k| k.parse::<Key>().ok());
        out.push((moves.collect(), "j/k".into(), "move", None));
        out.extend(global(Action::Quit).filter_map(row));
        out.extend(global(Action::Help).filter_map(row));
        out
    }

    /// Help for a context: a pane's bindings and the global ones; a modal's own.
    pub fn help(&self, context: Context) -> Vec<(Context, Vec<(String, &'static str)>)> {
        let groups: &[Context] = if context.is_pane() {
            &[context, Context::Global]
        } else {
            std::slice::from_ref(&context)
        };
        groups
            .iter()
            .map(|&c| {
                let rows = self
                    .bindings
                    .iter()
                    .filter(|b| b.context == c)
                    .map(|b| (b.keys_label(), b.help))
                    .collect();
                (c, rows)
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
