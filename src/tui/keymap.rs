//! The keymap: one table that drives key handling, the key-hints line and the help screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextPane,
    PaneLeft,
    PaneRight,
    Open,
    Back,
    Delete,
    Mark,
    DeleteMarked,
    OpenById,
    ToggleOrder,
    ToggleRaw,
    Refresh,
    LoadAll,
    Forget,
    DeleteConversation,
    EditMetadata,
    EditJson,
    NewConversation,
    AddItems,
    Help,
    Quit,
    ForceQuit,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Conversations,
    Timeline,
    Detail,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Global => "Everywhere",
            Scope::Conversations => "Conversations",
            Scope::Timeline => "Timeline",
            Scope::Detail => "Item detail",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
    /// The short label shown in the key-hints line of its scope, if shown there.
    pub hint: Option<&'static str>,
}

const fn b(
    scope: Scope,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        scope,
        keys,
        action,
        help,
        hint,
    }
}

use Scope::*;

pub const BINDINGS: &[Binding] = &[
    b(
        Global,
        &[k('j'), code(KeyCode::Down)],
        Action::Down,
        "move down",
        None,
    ),
    b(
        Global,
        &[k('k'), code(KeyCode::Up)],
        Action::Up,
        "move up",
        None,
    ),
    b(
        Global,
        &[k('g'), code(KeyCode::Home)],
        Action::Top,
        "go to top",
        None,
    ),
    b(
        Global,
        &[k('G'), code(KeyCode::End)],
        Action::Bottom,
        "go to bottom",
        None,
    ),
    b(
        Global,
        &[code(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        None,
    ),
    b(
        Global,
        &[code(KeyCode::PageDown)],
        Action::PageDown,
        "page down",
        None,
    ),
    b(
        Global,
        &[code(KeyCode::Tab)],
        Action::NextPane,
        "next pane",
        Some("pane"),
    ),
    b(
        Global,
        &[k('h'), code(KeyCode::Left)],
        Action::PaneLeft,
        "pane to the left",
        None,
    ),
    b(
        Global,
        &[k('l'), code(KeyCode::Right)],
        Action::PaneRight,
        "pane to the right",
        None,
    ),
    b(
        Global,
        &[k('o')],
        Action::OpenById,
        "open a conversation by id",
        None,
    ),
    b(Global, &[k('R')], Action::Refresh, "refresh", None),
    b(
        Global,
        &[k('e')],
        Action::EditMetadata,
        "edit the conversation's metadata",
        Some("edit"),
    ),
    b(
        Global,
        &[k('E')],
        Action::EditJson,
        "edit the metadata as JSON in $VISUAL/$EDITOR",
        None,
    ),
    b(
        Global,
        &[k('n')],
        Action::NewConversation,
        "new conversation",
        Some("new"),
    ),
    b(
        Global,
        &[k('a')],
        Action::AddItems,
        "add items to the conversation",
        Some("add"),
    ),
    b(Global, &[k('?')], Action::Help, "help", Some("help")),
    b(
        Global,
        &[k('q')],
        Action::Quit,
        "quit (outside dialogs and editors)",
        Some("quit"),
    ),
    b(
        Global,
        &[ctrl('c')],
        Action::ForceQuit,
        "quit at once",
        None,
    ),
    b(
        Conversations,
        &[code(KeyCode::Enter)],
        Action::Open,
        "open the conversation",
        Some("open"),
    ),
    b(
        Conversations,
        &[k('o')],
        Action::OpenById,
        "open a conversation by id",
        Some("open id"),
    ),
    b(
        Conversations,
        &[k('d'), k('X')],
        Action::DeleteConversation,
        "delete the conversation",
        Some("delete"),
    ),
    b(
        Conversations,
        &[k('x')],
        Action::Forget,
        "forget: remove the entry from this list",
        Some("forget"),
    ),
    b(
        Timeline,
        &[code(KeyCode::Enter)],
        Action::Open,
        "open the item",
        Some("open"),
    ),
    b(
        Timeline,
        &[code(KeyCode::Esc)],
        Action::Back,
        "back to conversations",
        None,
    ),
    b(
        Timeline,
        &[k('d')],
        Action::Delete,
        "delete the item",
        Some("delete"),
    ),
    b(
        Timeline,
        &[k(' ')],
        Action::Mark,
        "mark or unmark the item",
        Some("mark"),
    ),
    b(
        Timeline,
        &[k('D')],
        Action::DeleteMarked,
        "delete marked items",
        Some("delete marked"),
    ),
    b(
        Timeline,
        &[k('O')],
        Action::ToggleOrder,
        "toggle oldest/newest first",
        Some("order"),
    ),
    b(
        Timeline,
        &[k('L')],
        Action::LoadAll,
        "load all pages",
        Some("load all"),
    ),
    b(
        Timeline,
        &[k('r')],
        Action::ToggleRaw,
        "rendered or raw JSON",
        None,
    ),
    b(
        Timeline,
        &[k('X')],
        Action::DeleteConversation,
        "delete the conversation",
        None,
    ),
    b(
        Detail,
        &[code(KeyCode::Esc)],
        Action::Back,
        "back to the timeline",
        Some("back"),
    ),
    b(
        Detail,
        &[k('r')],
        Action::ToggleRaw,
        "rendered or raw JSON",
        Some("raw"),
    ),
    b(
        Detail,
        &[k('d')],
        Action::Delete,
        "delete the item",
        Some("delete"),
    ),
    b(
        Detail,
        &[k('X')],
        Action::DeleteConversation,
        "delete the conversation",
        None,
    ),
];

fn matches(key: &Key, ev: &KeyEvent) -> bool {
    // Shifted letters arrive as the upper-case char, with or without SHIFT.
    let mods = ev.modifiers - KeyModifiers::SHIFT;
    key.code == ev.code && key.mods == mods
}

/// The action of a key in a scope; bindings of the scope win over global ones.
pub fn lookup(scope: Scope, ev: &KeyEvent) -> Option<Action> {
    let find = |s: Scope| {
        BINDINGS
            .iter()
            .filter(|b| b.scope == s)
            .find(|b| b.keys.iter().any(|key| matches(key, ev)))
            .map(|b| b.action)
    };
    find(scope).or_else(|| find(Global))
}

pub fn key_name(key: &Key) -> String {
    let base = match key.code {
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
        other => format!("{other:?}"),
    };
    if key.mods.contains(KeyModifiers::CONTROL) {
        format!("ctrl-{base}")
    } else {
        base
    }
}

pub fn keys_label(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(key_name)
        .collect::<Vec<_>>()
        .join("/")
}

/// The hints line for a scope: its own hinted bindings, then the global ones.
pub fn hints(scope: Scope) -> Vec<(String, &'static str)> {
    // Help and quit come first, so that a narrow terminal still shows them.
    let first = |b: &&Binding| matches!(b.action, Action::Help | Action::Quit);
    let hinted = |b: &Binding| b.hint.map(|h| (keys_label(b), h));
    let global = || BINDINGS.iter().filter(|b| b.scope == Global);
    let mut out: Vec<(String, &'static str)> = global().filter(first).filter_map(hinted).collect();
    out.push(("j/k".into(), "move"));
    out.extend(
        BINDINGS
            .iter()
            .filter(|b| b.scope == scope)
            .filter_map(hinted),
    );
    out.extend(global().filter(|b| !first(b)).filter_map(hinted));
    out
}

/// Help: every binding, grouped by scope.
pub fn help() -> Vec<(Scope, Vec<(String, &'static str)>)> {
    [Global, Conversations, Timeline, Detail]
        .into_iter()
        .map(|s| {
            let rows = BINDINGS
                .iter()
                .filter(|b| b.scope == s)
                .map(|b| (keys_label(b), b.help))
                .collect();
            (s, rows)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn scope_bindings_win_over_global_ones() {
        let d = ev(KeyCode::Char('d'), KeyModifiers::NONE);
        assert_eq!(lookup(Timeline, &d), Some(Action::Delete));
        assert_eq!(lookup(Conversations, &d), Some(Action::DeleteConversation));
        let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(lookup(Detail, &j), Some(Action::Down));
        let big_d = ev(KeyCode::Char('D'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Timeline, &big_d), Some(Action::DeleteMarked));
        let cc = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Timeline, &cc), Some(Action::ForceQuit));
        assert_eq!(
            lookup(Timeline, &ev(KeyCode::Char('c'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn hints_and_help_come_from_the_table() {
        let hints = hints(Timeline);
        assert!(hints.contains(&("d".to_string(), "delete")));
        assert!(hints.contains(&("?".to_string(), "help")));
        let help = help();
        let total: usize = help.iter().map(|(_, rows)| rows.len()).sum();
        assert_eq!(total, BINDINGS.len());
    }
}
