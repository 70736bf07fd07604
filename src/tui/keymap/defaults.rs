//! The built-in bindings.

use crossterm::event::{KeyCode, KeyModifiers};

use super::Action::*;
use super::Context::{self, self as C};
use super::{Action, Binding, Key};

const fn k(c: char) -> Key {
    Key::new(KeyCode::Char(c), KeyModifiers::NONE)
}

const fn code(code: KeyCode) -> Key {
    Key::new(code, KeyModifiers::NONE)
}

const fn ctrl(c: char) -> Key {
    Key::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

type Row = (
    Context,
    &'static [Key],
    Action,
    &'static str,
    Option<&'static str>,
);

const DOWN: Key = code(KeyCode::Down);
const UP: Key = code(KeyCode::Up);
const ENTER: Key = code(KeyCode::Enter);
const ESC: Key = code(KeyCode::Esc);
const TAB: Key = code(KeyCode::Tab);

#[rustfmt::skip]
const ROWS: &[Row] = &[
    (C::Global, &[k('j'), DOWN], Down, "move down", None),
    (C::Global, &[k('k'), UP], Up, "move up", None),
    (C::Global, &[k('g'), code(KeyCode::Home)], Top, "go to top", None),
    (C::Global, &[k('G'), code(KeyCode::End)], Bottom, "go to bottom", None),
    (C::Global, &[code(KeyCode::PageUp)], PageUp, "page up", None),
    (C::Global, &[code(KeyCode::PageDown)], PageDown, "page down", None),
    (C::Global, &[TAB], NextPane, "next pane", Some("pane")),
    (C::Global, &[k('h'), code(KeyCode::Left)], PaneLeft, "pane to the left", None),
    (C::Global, &[k('l'), code(KeyCode::Right)], PaneRight, "pane to the right", None),
    (C::Global, &[k('o')], OpenById, "open a conversation by id", None),
    (C::Global, &[k('R')], Refresh, "refresh", None),
    (C::Global, &[k('e')], EditMetadata, "edit the conversation's metadata", Some("edit")),
    (C::Global, &[k('E')], EditJson, "edit the metadata as JSON in $VISUAL/$EDITOR", None),
    (C::Global, &[k('n')], NewConversation, "new conversation", Some("new")),
    (C::Global, &[k('a')], AddItems, "add items to the conversation", Some("add")),
    (C::Global, &[k('?')], Help, "help", Some("help")),
    (C::Global, &[k('q')], Quit, "quit (outside dialogs and editors)", Some("quit")),
    (C::Global, &[ctrl('c')], ForceQuit, "quit at once, from anywhere", None),
    (C::Global, &[k('u')], UndoDelete, "undo the last delete (it comes back with a new id)", None),
    (C::Global, &[k('i')], Stats, "the open conversation's stats: items by type and role, size", None),
    (C::Global, &[k('W')], Export, "export the conversation to CONV_ID.md", None),
    (C::Global, &[ctrl('p')], NextProfile, "switch to the next profile", None),
    (C::Global, &[k('z')], Zoom, "zoom the focused pane to the whole screen", None),
    (C::Detail, &[k('w')], ToggleWrap, "wrap long lines or not", Some("wrap")),
    (C::Timeline, &[k('P')], OpenInPager, "open the item in $PAGER (else less)", None),
    (C::Detail, &[k('P')], OpenInPager, "open the item in $PAGER (else less)", Some("pager")),
    (C::Conversations, &[ENTER], Open, "open the conversation", Some("open")),
    (C::Conversations, &[k('o')], OpenById, "open a conversation by id", Some("open id")),
    (C::Conversations, &[k('d'), k('X')], DeleteConversation, "delete the conversation", Some("delete")),
    (C::Conversations, &[k('x')], Forget, "forget: remove the entry from this list", Some("forget")),
    (C::Timeline, &[ENTER], Open, "open the item", Some("open")),
    (C::Timeline, &[ESC], Back, "back to conversations", None),
    (C::Timeline, &[k('d')], Delete, "delete the item", Some("delete")),
    (C::Timeline, &[k(' ')], Mark, "mark or unmark the item", Some("mark")),
    (C::Timeline, &[k('D')], DeleteMarked, "delete marked items", Some("delete marked")),
    (C::Timeline, &[k('O')], ToggleOrder, "toggle oldest/newest first", Some("order")),
    (C::Timeline, &[k('L')], LoadAll, "load all pages", Some("load all")),
    (C::Timeline, &[k('r')], ToggleRaw, "rendered or raw JSON", None),
    (C::Timeline, &[k('X')], DeleteConversation, "delete the conversation", None),
    (C::Detail, &[ESC], Back, "back to the timeline", Some("back")),
    (C::Detail, &[k('r')], ToggleRaw, "rendered or raw JSON", Some("raw")),
    (C::Detail, &[k('d')], Delete, "delete the item", Some("delete")),
    (C::Detail, &[k('X')], DeleteConversation, "delete the conversation", None),
    (C::Confirm, &[k('y'), k('Y'), ENTER], Yes, "yes", Some("yes")),
    (C::Confirm, &[k('n'), k('N'), ESC], No, "no", Some("no")),
    (C::OpenById, &[ENTER], Submit, "open the conversation", Some("open")),
    (C::OpenById, &[ESC], Cancel, "cancel", Some("cancel")),
    (C::Help, &[ESC, k('q'), k('?'), ENTER], Close, "close the help", Some("close")),
    (C::Help, &[k('j'), DOWN], Down, "scroll down", Some("scroll")),
    (C::Help, &[k('k'), UP], Up, "scroll up", None),
    (C::Help, &[code(KeyCode::PageDown)], PageDown, "page down", None),
    (C::Help, &[code(KeyCode::PageUp)], PageUp, "page up", None),
    (C::Help, &[k('g'), code(KeyCode::Home)], Top, "go to top", Some("top")),
    (C::Help, &[k('G'), code(KeyCode::End)], Bottom, "go to bottom", Some("bottom")),
    (C::Metadata, &[ctrl('s')], Save, "review the changes and save", Some("save")),
    (C::Metadata, &[ESC], Close, "close (asks first if there are changes)", Some("close")),
    (C::Metadata, &[ctrl('u')], Undo, "undo", Some("undo")),
    (C::NewConversation, &[ctrl('s')], Save, "review and create the conversation", Some("save")),
    (C::NewConversation, &[ESC], Close, "close (asks first if there are changes)", Some("close")),
    (C::NewConversation, &[ctrl('u')], Undo, "undo", Some("undo")),
    (C::NewConversation, &[TAB], SwitchField, "metadata or first message", Some("field")),
    (C::Composer, &[ctrl('s')], Save, "send", Some("send")),
    (C::Composer, &[TAB], NextRole, "next role", Some("role")),
    (C::Composer, &[code(KeyCode::BackTab)], PreviousRole, "previous role", None),
    (C::Composer, &[ctrl('t')], ToggleJson, "JSON items instead of a message", Some("JSON items")),
    (C::Composer, &[ESC], Close, "close (asks first if there is text)", Some("close")),
    (C::Composer, &[ctrl('u')], Undo, "undo", None),
    (C::ComposerJson, &[ctrl('s')], Save, "send", Some("send")),
    (C::ComposerJson, &[ctrl('t')], ToggleJson, "a message instead of JSON items", Some("message mode")),
    (C::ComposerJson, &[ESC], Close, "close (asks first if there is text)", Some("close")),
    (C::ComposerJson, &[ctrl('u')], Undo, "undo", None),
    (C::DraftCheck, &[ESC], Close, "close", Some("close")),
    (C::Sending, &[ctrl('c')], ForceQuit, "quit at once", Some("quit")),
    (C::Global, &[k('/')], Filter, "filter the list by text, type, role, title, id or metadata", None),
    (C::Global, &[k(':')], CommandLine, "command line (:help lists the commands)", None),
    (C::Global, &[k('y')], CopyId, "copy the id to the clipboard (OSC 52)", None),
    (C::Global, &[k('Y')], CopyJson, "copy the item's or conversation's JSON", None),
    (C::Filter, &[ENTER], Submit, "keep the filter and go back to the list", Some("keep")),
    (C::Filter, &[ESC], Cancel, "clear the filter", Some("clear")),
    (C::Matches, &[k('n')], NextMatch, "next match", Some("next match")),
    (C::Matches, &[k('N')], PreviousMatch, "previous match", Some("previous match")),
    (C::Matches, &[ESC], ClearFilter, "clear the filter", Some("clear filter")),
    (C::Matches, &[k('/')], Filter, "change the filter", None),
    (C::Command, &[ENTER], Submit, "run the command", Some("run")),
    (C::Command, &[ESC], Cancel, "cancel", Some("cancel")),
    (C::Command, &[TAB], Complete, "complete a command, id or profile", Some("complete")),
    (C::Command, &[UP], HistoryPrevious, "previous command", Some("history")),
    (C::Command, &[DOWN], HistoryNext, "next command", None),
    (C::Global, &[k('m')], Messages, "the recent messages, with their request ids", Some("messages")),
    (C::Confirm, &[k('d')], Discard, "discard the draft (when one is offered)", None),
    (C::Messages, &[ESC, k('q'), k('m'), ENTER], Close, "close the messages", Some("close")),
    (C::Messages, &[k('j'), DOWN], Down, "older", Some("scroll")),
    (C::Messages, &[k('k'), UP], Up, "newer", None),
    (C::Messages, &[code(KeyCode::PageDown)], PageDown, "page down", None),
    (C::Messages, &[code(KeyCode::PageUp)], PageUp, "page up", None),
    (C::Messages, &[k('g'), code(KeyCode::Home)], Top, "newest", Some("newest")),
    (C::Messages, &[k('G'), code(KeyCode::End)], Bottom, "oldest", None),
    (C::Stats, &[ESC, k('i'), k('q'), ENTER], Close, "close the stats", Some("close")),
    (C::Global, &[k('S')], Search, "full-text search of every mirrored item", None),
    (C::SearchPrompt, &[ENTER], Submit, "search", Some("search")),
    (C::SearchPrompt, &[ESC], Cancel, "back to the results (or close)", Some("cancel")),
    (C::Search, &[ENTER], Open, "open the conversation at that item", Some("open")),
    (C::Search, &[k('S'), k('/')], Search, "change the query", Some("new query")),
    (C::Search, &[ESC], Cancel, "stop the search, or close", Some("stop/close")),
    (C::Search, &[k('q')], Close, "close the search", Some("close")),
    (C::Search, &[k('y')], CopyId, "copy the hit's item id", None),
    (C::Search, &[k('Y')], CopyJson, "copy the hit's conversation id", None),
    (C::Search, &[k('j'), DOWN], Down, "next hit", Some("move")),
    (C::Search, &[k('k'), UP], Up, "previous hit", None),
    (C::Search, &[code(KeyCode::PageDown)], PageDown, "page down", None),
    (C::Search, &[code(KeyCode::PageUp)], PageUp, "page up", None),
    (C::Search, &[k('g'), code(KeyCode::Home)], Top, "first hit", None),
    (C::Search, &[k('G'), code(KeyCode::End)], Bottom, "last hit", None),
    (C::Search, &[k('?')], Help, "help", Some("help")),
];

pub fn bindings() -> Vec<Binding> {
    ROWS.iter()
        .map(|&(context, keys, action, help, hint)| Binding {
            context,
            keys: keys.to_vec(),
            action,
            help,
            hint,
        })
        .collect()
}
