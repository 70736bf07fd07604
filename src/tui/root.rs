//! The root: the one place that knows which panes exist. Input goes to the front modal first,
//! then to the focused pane; messages from tasks go to the part they answer. Plain functions
//! from (state, message) to effects, with no I/O.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::deletes;
use super::editor::{draft_question, keys as editor_keys, open as editor_open};
use super::keymap::Action;
use super::message::{Effect, Message};
use super::modal::{Confirm, Help, Modal, OpenById, Pending};
use super::navigate::{change_registry, open_conversation};
use super::panes::{conversations, Focus};
use super::replies;
use super::sanitize;
use super::state::{App, Status};
use crate::registry::Change;

/// The effects to run at start: the server's list, and every registered conversation.
pub fn start(app: &mut App) -> Vec<Effect> {
    let mut effects = vec![Effect::ListConversations];
    effects.extend(
        app.convs
            .items
            .iter()
            .map(|c| Effect::LoadConversation(c.id.clone())),
    );
    count(app, effects)
}

/// Counts the requests among the effects, for the spinner.
fn count(app: &mut App, effects: Vec<Effect>) -> Vec<Effect> {
    app.pending += effects.iter().filter(|e| e.is_request()).count();
    effects
}

/// Lays the app out again for its size and state; the lists keep their selection on screen.
pub fn relayout(app: &mut App) {
    app.relayout();
}

pub fn update(app: &mut App, msg: Message) -> Vec<Effect> {
    let before = app.status.clone();
    let effects = match msg {
        Message::Key(ev) => on_key(app, ev),
        Message::Paste(text) => on_paste(app, &text),
        Message::Resize(w, h) => {
            app.width = w;
            app.height = h;
            vec![]
        }
        Message::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            vec![]
        }
        Message::Mouse(ev) => super::mouse::on_mouse(app, ev),
        other => replies::on_reply(app, other),
    };
    super::filter::sync(app);
    // Every message the status line shows goes to the log too (`m`).
    if app.status != before {
        if let Some(s) = app.status.clone() {
            app.log.push(app.now, s);
        }
    }
    relayout(app);
    let mut effects = effects;
    effects.extend(app.detail.take_job().map(Effect::RenderDetail));
    if app.quit {
        app.detail.abandon();
    }
    let effects = super::offline::route(app, effects);
    count(app, effects)
}

fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    match app.modals.front_mut() {
        Some(Modal::Editor(_)) => editor_keys::on_paste(app, text),
        Some(Modal::OpenById(o)) => {
            o.input.paste(text);
            o.error = None;
            vec![]
        }
        Some(Modal::Filter(f)) => {
            f.input.paste(text);
            let (pane, query) = (f.pane, f.input.text().to_string());
            super::filter::set_query(app, pane, &query);
            vec![]
        }
        Some(Modal::Command(c)) => {
            super::command::on_paste(c, text);
            vec![]
        }
        Some(Modal::Search(_)) => {
            super::search::on_paste(app, text);
            vec![]
        }
        _ => {
            draft_question::on_paste(app, text);
            vec![]
        }
    }
}

fn on_key(app: &mut App, ev: KeyEvent) -> Vec<Effect> {
    if ev.kind == KeyEventKind::Release {
        return vec![];
    }
    // ctrl-c quits from anywhere, whatever is in front.
    if ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL) {
        app.quit = true;
        return vec![];
    }
    // Esc stops an export that is running, before anything else takes it.
    if ev.code == KeyCode::Esc && app.modals.front().is_none() && super::export::cancel(app) {
        return vec![];
    }
    if let Some(effects) = super::cancel::on_escape(app, &ev) {
        return effects;
    }
    let context = app.context();
    // With a filter in effect, its keys (n/N, Esc) come before the pane's own.
    let matches = (app.modals.is_empty() && super::filter::active(app, app.focus).is_some())
        .then(|| app.keymap.lookup(super::keymap::Context::Matches, &ev))
        .flatten();
    let action = matches.or_else(|| app.keymap.lookup(context, &ev));
    match app.modals.front_mut() {
        Some(Modal::Filter(f)) => {
            let pane = f.pane;
            match action {
                Some(Action::Submit) => {
                    app.modals.pop();
                }
                Some(Action::Cancel) => {
                    app.modals.pop();
                    super::filter::clear(app, pane);
                }
                _ => {
                    if f.input.on_key(&ev) {
                        let query = f.input.text().to_string();
                        super::filter::set_query(app, pane, &query);
                    }
                }
            }
            return vec![];
        }
        Some(Modal::Command(_)) => return super::command::on_key(app, action, &ev),
        Some(Modal::Search(_)) => return super::search::on_key(app, action, &ev),
        Some(Modal::Editor(_)) => return editor_keys::on_key(app, ev),
        Some(Modal::Confirm(_)) => {
            if let Some(effects) = draft_question::on_key(app, ev, action) {
                return effects;
            }
            let Some(yes) = Confirm::answer(action) else {
                return vec![];
            };
            let Some(Modal::Confirm(c)) = app.modals.pop() else {
                return vec![];
            };
            return resolve(app, c.pending, yes);
        }
        Some(Modal::Help(help)) => {
            let lines = help.lines(&app.keymap);
            // The popup loses four rows to margins and borders.
            let visible = app.height.saturating_sub(4) as usize;
            if let Some(a) = action {
                if !help.on_action(a, lines, visible) {
                    app.modals.pop();
                }
            }
            return vec![];
        }
        Some(Modal::Messages(m)) => {
            if let Some(a) = action {
                if !m.on_action(a, app.log.len()) {
                    app.modals.pop();
                }
            }
            return vec![];
        }
        Some(Modal::Stats(_)) => {
            if action == Some(Action::Close) {
                app.modals.pop();
            }
            return vec![];
        }
        Some(Modal::OpenById(o)) => {
            return match action {
                Some(Action::Cancel) => {
                    app.modals.pop();
                    vec![]
                }
                Some(Action::Submit) => match crate::registry::id_in(o.input.text()) {
                    Some(id) => {
                        app.modals.pop();
                        open_by_id(app, &id)
                    }
                    None => {
                        o.error = Some(
                            "That is not a conversation id; type or paste one (conv_…).".into(),
                        );
                        vec![]
                    }
                },
                _ => {
                    if o.input.on_key(&ev) {
                        o.error = None;
                    }
                    vec![]
                }
            };
        }
        None => {}
    }
    let Some(action) = action else {
        return vec![];
    };
    // A message, an error too, stays until the user acts; then it is in the log (`m`), with
    // its request id, and the status line is free again.
    app.status = None;
    on_action(app, action)
}

/// Carries out what a confirm decided.
fn resolve(app: &mut App, pending: Pending, yes: bool) -> Vec<Effect> {
    match pending {
        Pending::RestoreDraft(text) => editor_keys::restore_answered(app, &text, yes),
        Pending::ReadOffline => super::offline::answered(app, yes),
        _ if !yes => vec![],
        Pending::DiscardChanges => editor_keys::discard_confirmed(app),
        Pending::SaveMetadata => editor_keys::save_confirmed(app),
        delete => deletes::confirmed(app, delete),
    }
}

/// Opens a conversation by id. It joins the registry once the server confirms it exists.
pub(super) fn open_by_id(app: &mut App, id: &str) -> Vec<Effect> {
    let index = match app.convs.items.iter().position(|c| c.id == id) {
        Some(i) => i,
        None => {
            app.convs.items.push(super::state::ConvEntry::new(id));
            app.opening = Some(super::state::Opening {
                id: id.to_string(),
                previous: app.timeline.clone(),
                focus: app.focus,
                offline: app.offline.active,
            });
            app.convs.items.len() - 1
        }
    };
    app.convs.selected = index;
    let mut effects = vec![Effect::LoadConversation(id.to_string())];
    effects.extend(open_conversation(app, id));
    effects
}

/// An action in a pane: the focused pane's own first, then the ones that span panes.
pub(super) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    if let Some(refused) = refuse_write(app, action) {
        return refused;
    }
    let page = app.page_step() as isize;
    match app.focus {
        Focus::Conversations => {
            if conversations::on_action(&mut app.convs, action, page) {
                return vec![];
            }
        }
        Focus::Timeline => {
            let generation = app.next_generation;
            if let Some(tl) = app.timeline.as_mut() {
                let mut used = false;
                let handled = tl.on_action(action, page, || {
                    used = true;
                    generation
                });
                if used {
                    app.next_generation += 1;
                }
                if let Some(effects) = handled {
                    app.detail.scroll = 0;
                    if action == Action::ToggleOrder {
                        let asc = app.timeline.as_ref().is_some_and(|t| t.paging.order());
                        let note = if asc { "Oldest first" } else { "Newest first" };
                        app.status = Some(Status::Info(note.into()));
                    }
                    return effects;
                }
            }
        }
        Focus::Detail => {
            let item = app.timeline.as_ref().and_then(|t| t.selected_item());
            let size = app.geometry.detail_size();
            if app.detail.on_action(action, item, size, page) {
                return vec![];
            }
        }
    }
    match action {
        Action::Quit | Action::ForceQuit => {
            app.quit = true;
            vec![]
        }
        Action::Help => {
            let of = app.context();
            app.modals.push(Modal::Help(Help::new(of)));
            vec![]
        }
        Action::NextPane => {
            app.focus = match (app.focus, app.timeline.is_some()) {
                (Focus::Conversations, true) => Focus::Timeline,
                (Focus::Timeline, _) => Focus::Detail,
                _ => Focus::Conversations,
            };
            vec![]
        }
        Action::PaneLeft | Action::Back => {
            app.focus = match app.focus {
                Focus::Detail => Focus::Timeline,
                _ => Focus::Conversations,
            };
            vec![]
        }
        Action::PaneRight => match app.focus {
            Focus::Conversations if app.timeline.is_none() => open_selected(app),
            Focus::Conversations => {
                app.focus = Focus::Timeline;
                vec![]
            }
            _ => {
                app.focus = Focus::Detail;
                vec![]
            }
        },
        Action::Open => match app.focus {
            Focus::Conversations => open_selected(app),
            _ => {
                app.focus = Focus::Detail;
                app.detail.scroll = 0;
                vec![]
            }
        },
        Action::OpenById => {
            app.modals.push(Modal::OpenById(OpenById::default()));
            vec![]
        }
        Action::Messages => {
            app.modals.push(Modal::Messages(Default::default()));
            vec![]
        }
        Action::ToggleRaw => {
            app.detail.raw = !app.detail.raw;
            app.detail.scroll = 0;
            vec![]
        }
        Action::Refresh => refresh(app),
        Action::Delete => {
            deletes::ask_delete_item(app);
            vec![]
        }
        Action::DeleteMarked => {
            deletes::ask_delete_marked(app);
            vec![]
        }
        Action::DeleteConversation => {
            deletes::ask_delete_conversation(app);
            vec![]
        }
        Action::Forget => forget(app),
        Action::EditMetadata => editor_open::open_metadata(app),
        Action::EditJson => editor_open::open_external(app),
        Action::NewConversation => editor_open::open_new(app),
        Action::AddItems => editor_open::open_composer(app),
        Action::Filter => {
            let pane = super::filter::list_of(app.focus);
            if pane == Focus::Timeline && app.timeline.is_none() {
                app.status = Some(Status::Info(
                    "Open a conversation to filter its items".into(),
                ));
                return vec![];
            }
            let mut input = super::modal::TextInput::default();
            if let Some(q) = super::filter::active(app, app.focus) {
                input.insert(q.text());
            }
            app.modals
                .push(Modal::Filter(super::modal::FilterInput { input, pane }));
            vec![]
        }
        Action::CommandLine => super::command::open(app),
        Action::NextMatch | Action::PreviousMatch => {
            super::filter::jump(app, action == Action::NextMatch);
            vec![]
        }
        Action::ClearFilter => {
            super::filter::clear(app, app.focus);
            vec![]
        }
        Action::CopyId | Action::CopyJson => {
            super::clipboard::copy(app, action == Action::CopyJson)
        }
        Action::UndoDelete => super::undo::start(app),
        Action::Stats => {
            super::stats::open(app);
            vec![]
        }
        Action::Export => super::export::start_default(app),
        Action::NextProfile => super::profiles::next(app),
        Action::Zoom => {
            app.zoom = !app.zoom;
            vec![]
        }
        Action::OpenInPager => super::pager::open(app),
        Action::Search => super::search::open(app, None),
        _ => vec![],
    }
}

/// What an action would change on the server, for those that change something there.
pub(super) fn write_of(action: Action) -> Option<&'static str> {
    action.write()
}

/// The one check for every action that would change something on the server: in read-only
/// mode (`--read-only`, or `read_only = true` in the profile) and while offline it is refused
/// at the key, before any confirm or editor opens.
fn refuse_write(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let what = write_of(action)?;
    let why = if app.read_only {
        format!(
            "read-only mode: refused to {what}; nothing was sent (the profile or --read-only says read-only)"
        )
    } else {
        super::offline::refusal(app)?
    };
    app.status = Some(Status::Warning(why));
    Some(vec![])
}

fn open_selected(app: &mut App) -> Vec<Effect> {
    match app.selected_conv().map(|c| c.id.clone()) {
        Some(id) => open_conversation(app, &id),
        None => {
            app.status = Some(Status::Info(
                "No conversation selected; press o to open one by id.".into(),
            ));
            vec![]
        }
    }
}

fn refresh(app: &mut App) -> Vec<Effect> {
    super::offline::on_refresh(app);
    app.listing = super::load::Load::Loading;
    // The registry too: what another process (`convtui add`, `forget`) changed meanwhile.
    let mut effects = vec![Effect::ListConversations, Effect::ReadRegistry];
    effects.extend(
        app.convs
            .items
            .iter()
            .map(|c| Effect::LoadConversation(c.id.clone())),
    );
    effects.extend(super::navigate::reload_timeline(app));
    effects
}

fn forget(app: &mut App) -> Vec<Effect> {
    let Some(entry) = app.selected_conv().cloned() else {
        app.status = Some(Status::Info(deletes::SELECT_FIRST.into()));
        return vec![];
    };
    app.convs.items.remove(app.convs.selected);
    app.convs.clamp();
    if app
        .timeline
        .as_ref()
        .is_some_and(|t| t.conversation == entry.id)
    {
        app.timeline = None;
    }
    app.status = Some(Status::Info(format!(
        "Removed {} from the list",
        sanitize::line(&entry.id)
    )));
    change_registry(app, Change::Hide(entry.id))
        .into_iter()
        .collect()
}

#[cfg(test)]
#[path = "root_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "root_modal_tests.rs"]
mod modal_tests;

#[cfg(test)]
#[path = "root_refuse_tests.rs"]
mod refuse_tests;
