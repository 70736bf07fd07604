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
    /// Shown in the key-hints line of its scope.
    pub hint: bool,
}

const fn b(
    scope: Scope,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
    hint: bool,
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
        false,
    ),
    b(
        Global,
        &[k('k'), code(KeyCode::Up)],
        Action::Up,
        "move up",
        false,
    ),
    b(
        Global,
        &[k('g'), code(KeyCode::Home)],
        Action::Top,
        "go to top",
        false,
    ),
    b(
        Global,
        &[k('G'), code(KeyCode::End)],
        Action::Bottom,
        "go to bottom",
        false,
    ),
    b(
        Global,
        &[code(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        false,
    ),
    b(
        Global,
        &[code(KeyCode::PageDown)],
        Action::PageDown,
        "page down",
        false,
    ),
    b(
        Global,
        &[code(KeyCode::Tab)],
        Action::NextPane,
        "next pane",
        true,
    ),
    b(
        Global,
        &[k('h'), code(KeyCode::Left)],
        Action::PaneLeft,
        "pane to the left",
        false,
    ),
    b(
        Global,
        &[k('l'), code(KeyCode::Right)],
        Action::PaneRight,
        "pane to the right",
        false,
    ),
    b(
        Global,
        &[k('o')],
        Action::OpenById,
        "open a conversation by id",
        false,
    ),
    b(Global, &[k('R')], Action::Refresh, "refresh", false),
    b(Global, &[k('?')], Action::Help, "help", true),
    b(Global, &[k('q')], Action::Quit, "quit", true),
    b(
        Global,
        &[ctrl('c')],
        Action::ForceQuit,
        "quit at once",
        false,
    ),
    b(
        Conversations,
        &[code(KeyCode::Enter)],
        Action::Open,
        "open the conversation",
        true,
    ),
    b(
        Conversations,
        &[k('o')],
        Action::OpenById,
        "open a conversation by id",
        true,
    ),
    b(
        Conversations,
        &[k('d'), k('X')],
        Action::DeleteConversation,
        "delete the conversation",
        true,
    ),
    b(
        Conversations,
        &[k('x')],
        Action::Forget,
        "remove a gone entry from the list",
        true,
    ),
    b(
        Timeline,
        &[code(KeyCode::Enter)],
        Action::Open,
        "open the item",
        true,
    ),
    b(
        Timeline,
        &[code(KeyCode::Esc)],
        Action::Back,
        "back to conversations",
        false,
    ),
    b(Timeline, &[k('d')], Action::Delete, "delete the item", true),
    b(
        Timeline,
        &[k(' ')],
        Action::Mark,
        "mark or unmark the item",
        true,
    ),
    b(
        Timeline,
        &[k('D')],
        Action::DeleteMarked,
        "delete marked items",
        true,
    ),
    b(
        Timeline,
        &[k('O')],
        Action::ToggleOrder,
        "toggle oldest/newest first",
        true,
    ),
    b(Timeline, &[k('L')], Action::LoadAll, "load all pages", true),
    b(
        Timeline,
        &[k('r')],
        Action::ToggleRaw,
        "rendered or raw JSON",
        false,
    ),
    b(
        Timeline,
        &[k('X')],
        Action::DeleteConversation,
        "delete the conversation",
        false,
    ),
    b(
        Detail,
        &[code(KeyCode::Esc)],
        Action::Back,
        "back to the timeline",
        true,
    ),
    b(
        Detail,
        &[k('r')],
        Action::ToggleRaw,
        "rendered or raw JSON",
        true,
    ),
    b(Detail, &[k('d')], Action::Delete, "delete the item", true),
    b(
        Detail,
        &[k('X')],
        Action::DeleteConversation,
        "delete the conversation",
        false,
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
    let mut out: Vec<(String, &'static str)> = vec![("j/k".into(), "move")];
    for s in [scope, Global] {
        out.extend(
            BINDINGS
                .iter()
                .filter(|b| b.scope == s && b.hint)
                .map(|b| (keys_label(b), short(b.help))),
        );
    }
    out
}

/// The first words of a help text, for the hints line.
fn short(help: &'static str) -> &'static str {
    match help.find(" the ").or_else(|| help.find(" a ")) {
        Some(i) if i > 0 => &help[..i],
        _ => help,
    }
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
