//! The `:` command line: a `TextInput` with completion (Tab) of command names, ids and
//! profile names, and a history (Up/Down). Every key action is a command by its stable name
//! (`Action::from_str`), besides the commands below.

use crossterm::event::KeyEvent;

use super::keymap::Action;
use super::message::Effect;
use super::modal::{Help, Modal, TextInput};
use super::state::{App, Status};

/// Commands kept in the history, newest last.
pub const HISTORY_LIMIT: usize = 200;

/// The commands besides the action names: name, arguments, what it does.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("open", "ID", "open a conversation by id"),
    ("new", "", "new conversation"),
    (
        "export",
        "PATH",
        "export the open conversation (.json, .jsonl or .md)",
    ),
    ("profile", "NAME", "switch to another profile"),
    ("order", "asc|desc", "oldest or newest first"),
    (
        "include",
        "VALUE…",
        "extra fields to include in the items (none: clear)",
    ),
    ("goto", "N", "go to the Nth loaded item"),
    (
        "search",
        "QUERY",
        "full-text search of every mirrored conversation",
    ),
    ("help", "", "help for the keys and these commands"),
    ("quit", "", "quit"),
];

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommandLine {
    pub input: TextInput,
    /// The history entry shown, counted from the newest.
    pub history_at: Option<usize>,
    /// What Tab offers for the word at the end, and the one shown (cycling).
    pub completions: Vec<String>,
    pub chosen: Option<usize>,
    /// The text the completions were made for, and the text the last Tab left, so that a
    /// repeated Tab cycles.
    completed_from: Option<String>,
    produced: Option<String>,
}

/// Actions that only mean something inside a dialog, an editor or a prompt: as commands they
/// would do nothing, so they are neither offered nor run (`:undo` is `:undo-delete`).
const INSIDE_ONLY: &[Action] = &[
    Action::Yes,
    Action::No,
    Action::Submit,
    Action::Cancel,
    Action::Close,
    Action::Save,
    Action::Undo,
    Action::SwitchField,
    Action::NextRole,
    Action::PreviousRole,
    Action::ToggleJson,
    Action::Complete,
    Action::HistoryPrevious,
    Action::HistoryNext,
    Action::Discard,
];

/// Every command name: the commands, then the actions.
pub fn names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|c| c.0).chain(
        Action::ALL
            .iter()
            .filter(|a| !INSIDE_ONLY.contains(a))
            .map(|a| a.name()),
    )
}

/// What can follow `command` as its argument, among what the app knows.
fn arguments(app: &App, command: &str) -> Vec<String> {
    match command {
        "open" => app.convs.items.iter().map(|c| c.id.clone()).collect(),
        "profile" => app.profiles.names.clone(),
        "order" => vec!["asc".into(), "desc".into()],
        "goto" => vec![],
        _ => vec![],
    }
}

/// The candidates for the last word of `text`, and where that word starts.
pub fn candidates(app: &App, text: &str) -> (usize, Vec<String>) {
    let start = text.rfind(' ').map_or(0, |i| i + 1);
    let word = &text[start..];
    let mut out: Vec<String> = if start == 0 {
        names().map(String::from).collect()
    } else {
        let command = text.split_whitespace().next().unwrap_or("");
        arguments(app, command)
    };
    out.retain(|c| c.starts_with(word));
    out.dedup();
    (start, out)
}

/// Tab: the first candidate, then the next one on each further Tab.
pub fn complete(line: &mut CommandLine, app: &App) {
    let text = line.input.text().to_string();
    // A Tab right after a Tab cycles through what the first one found.
    let cycling = line.chosen.is_some() && line.produced.as_deref() == Some(text.as_str());
    let from = match (&line.completed_from, cycling) {
        (Some(from), true) => from.clone(),
        _ => text,
    };
    let (start, found) = candidates(app, &from);
    if found.is_empty() {
        line.completions.clear();
        line.chosen = None;
        return;
    }
    let next = match line.chosen {
        Some(i) if cycling => (i + 1) % found.len(),
        _ => 0,
    };
    let mut text = from[..start].to_string();
    text.push_str(&found[next]);
    if found.len() == 1 {
        text.push(' ');
    }
    line.input = TextInput::default();
    line.input.insert(&text);
    line.produced = Some(text);
    line.completions = found;
    line.chosen = Some(next);
    line.completed_from = Some(from);
}

/// Up (`back`) or Down through the history.
pub fn recall(line: &mut CommandLine, history: &[String], back: bool) {
    if history.is_empty() {
        return;
    }
    let at = match (line.history_at, back) {
        (None, true) => Some(0),
        (None, false) => None,
        (Some(i), true) => Some((i + 1).min(history.len() - 1)),
        (Some(0), false) => None,
        (Some(i), false) => Some(i - 1),
    };
    line.history_at = at;
    line.input = TextInput::default();
    if let Some(i) = at {
        line.input.insert(&history[history.len() - 1 - i]);
    }
    line.completions.clear();
    line.chosen = None;
}

/// A key while the command line is in front.
pub fn on_key(app: &mut App, action: Option<Action>, ev: &KeyEvent) -> Vec<Effect> {
    let history = app.command_history.clone();
    let mut taken = None;
    if let Some(Modal::Command(line)) = app.modals.front_mut() {
        match action {
            Some(Action::Cancel) => taken = Some(None),
            Some(Action::Submit) => taken = Some(Some(line.input.text().to_string())),
            Some(Action::HistoryPrevious) => recall(line, &history, true),
            Some(Action::HistoryNext) => recall(line, &history, false),
            Some(Action::Complete) => {}
            _ => {
                if line.input.on_key(ev) {
                    line.completions.clear();
                    line.chosen = None;
                    line.history_at = None;
                }
            }
        }
    }
    if action == Some(Action::Complete) {
        if let Some(Modal::Command(mut line)) = app.modals.pop() {
            complete(&mut line, app);
            app.modals.push(Modal::Command(line));
        }
        return vec![];
    }
    match taken {
        None => vec![],
        Some(None) => {
            app.modals.pop();
            vec![]
        }
        Some(Some(text)) => {
            app.modals.pop();
            remember(app, &text);
            run(app, &text)
        }
    }
}

fn remember(app: &mut App, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    app.command_history.retain(|h| h != text);
    app.command_history.push(text.to_string());
    let over = app.command_history.len().saturating_sub(HISTORY_LIMIT);
    app.command_history.drain(..over);
}

fn warn(app: &mut App, text: String) -> Vec<Effect> {
    app.status = Some(Status::Warning(text));
    vec![]
}

/// Runs a command line.
pub fn run(app: &mut App, text: &str) -> Vec<Effect> {
    let mut words = text.split_whitespace();
    let Some(command) = words.next() else {
        return vec![];
    };
    let args: Vec<&str> = words.collect();
    let one = |what: &str| -> Result<&str, String> {
        match args.as_slice() {
            [one] => Ok(*one),
            _ => Err(format!(":{command} takes {what}")),
        }
    };
    let result = match command {
        "open" => one("one conversation id").and_then(|id| {
            crate::registry::id_in(id)
                .ok_or_else(|| format!("'{}' is not a conversation id", crate::sanitize::line(id)))
        }),
        "export" | "profile" | "goto" => one(match command {
            "export" => "one path",
            "profile" => "one profile name",
            _ => "one number",
        })
        .map(String::from),
        "order" => one("asc or desc").and_then(|o| match o {
            "asc" | "desc" => Ok(o.to_string()),
            _ => Err(":order takes asc or desc".into()),
        }),
        _ => Ok(String::new()),
    };
    let arg = match result {
        Ok(a) => a,
        Err(e) => return warn(app, e),
    };
    match command {
        "open" => super::root::open_by_id(app, &arg),
        "new" => super::root::on_action(app, Action::NewConversation),
        "export" => super::export::start(app, &arg),
        "profile" => super::profiles::switch(app, &arg),
        "order" => order(app, arg == "asc"),
        "include" => {
            let values: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            app.status = Some(Status::Info(if values.is_empty() {
                "Items include no extra fields".into()
            } else {
                format!(
                    "Items include {}",
                    crate::sanitize::line(&values.join(", "))
                )
            }));
            let mut effects = vec![Effect::SetInclude(values)];
            effects.extend(super::navigate::reload_timeline(app));
            effects
        }
        "goto" => goto(app, &arg),
        "search" => super::search::open(app, Some(&args.join(" "))),
        "help" => {
            let of = app.context();
            app.modals.push(Modal::Help(Help::new(of)));
            vec![]
        }
        "quit" => {
            app.quit = true;
            vec![]
        }
        name => match name.parse::<Action>() {
            Ok(Action::Undo) => super::root::on_action(app, Action::UndoDelete),
            Ok(action) if INSIDE_ONLY.contains(&action) => warn(
                app,
                format!(
                    "'{name}' is a key of dialogs and editors, not a command; :help lists them"
                ),
            ),
            Ok(action) => super::root::on_action(app, action),
            Err(_) => warn(
                app,
                format!(
                    "no command is called '{}'; :help lists them, Tab completes",
                    crate::sanitize::line(name)
                ),
            ),
        },
    }
}

fn order(app: &mut App, ascending: bool) -> Vec<Effect> {
    let generation = app.next_generation;
    let Some(tl) = app.timeline.as_mut() else {
        return warn(app, "Open a conversation first".into());
    };
    app.next_generation += 1;
    let effect = tl.reload(ascending, generation);
    let note = if ascending {
        "Oldest first"
    } else {
        "Newest first"
    };
    app.status = Some(Status::Info(note.into()));
    vec![effect]
}

fn goto(app: &mut App, n: &str) -> Vec<Effect> {
    let Ok(n) = n.parse::<usize>() else {
        return warn(app, ":goto takes a number (1 is the first item)".into());
    };
    let Some(tl) = app.timeline.as_mut() else {
        return warn(app, "Open a conversation first".into());
    };
    let len = tl.list.shown_len();
    if n == 0 || n > len {
        let more = if tl.paging.has_more {
            "; L loads the rest"
        } else {
            ""
        };
        return warn(app, format!("There are {len} items loaded{more}"));
    }
    if let Some(i) = tl.list.index_at(n - 1) {
        tl.list.selected = i;
    }
    app.focus = super::panes::Focus::Timeline;
    app.detail.scroll = 0;
    vec![]
}

/// Opens the command line.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.modals.push(Modal::Command(CommandLine::default()));
    vec![]
}

/// A paste goes in as one line.
pub fn on_paste(line: &mut CommandLine, text: &str) {
    line.input.paste(text);
    line.completions.clear();
    line.chosen = None;
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
