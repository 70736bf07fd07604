//! State transitions: plain functions from (state, message) to effects. No I/O here.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::deletes::{
    ask_delete_conversation, ask_delete_item, ask_delete_marked, confirmed,
    on_conversation_deleted, on_item_deleted, on_marked_deleted,
};
use super::editor::keys as editor;
use super::editor::{Editor, Target};
use super::keymap::{self, Action, Scope};
use super::message::{Effect, Message, PageData};
use super::render;
use super::sanitize;
use super::state::{item_id, App, ConvEntry, Dialog, Failure, Focus, Opening, Status, Timeline};
use crate::api::paging::{self, Next};

/// Pages load by themselves when the selection comes this close to the end.
const PREFETCH_MARGIN: usize = 20;

/// The effects to run at start: the server's list, and every registered conversation.
pub fn start(app: &mut App) -> Vec<Effect> {
    let mut effects = vec![Effect::ListConversations];
    effects.extend(
        app.convs
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

fn done(app: &mut App) {
    app.pending = app.pending.saturating_sub(1);
}

pub fn update(app: &mut App, msg: Message) -> Vec<Effect> {
    let effects = match msg {
        Message::Key(ev) => on_key(app, ev),
        Message::Paste(text) => {
            if app.editor.is_some() && app.dialog.is_none() {
                editor::on_paste(app, &text)
            } else {
                on_paste(app, &text);
                vec![]
            }
        }
        Message::Resize(w, h) => {
            app.width = w;
            app.height = h;
            vec![]
        }
        Message::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            vec![]
        }
        Message::ConversationsListed(result) => {
            done(app);
            on_listed(app, result);
            vec![]
        }
        Message::ConversationLoaded { id, result } => {
            done(app);
            on_conversation(app, &id, result)
        }
        Message::ItemsLoaded {
            conversation,
            generation,
            result,
        } => {
            done(app);
            on_page(app, &conversation, generation, result)
        }
        Message::ItemDeleted {
            conversation,
            item,
            result,
        } => {
            done(app);
            on_item_deleted(app, &conversation, &item, result);
            vec![]
        }
        Message::MarkedDeleted {
            conversation,
            deleted,
            failed,
        } => {
            done(app);
            on_marked_deleted(app, &conversation, deleted, failed);
            vec![]
        }
        Message::ConversationDeleted { id, result } => {
            done(app);
            on_conversation_deleted(app, &id, result)
        }
        Message::RegistrySaved(result) => {
            if let Err(e) = result {
                app.status = Some(Status::Error(Failure::new(e)));
            }
            vec![]
        }
        Message::MetadataConflict {
            conversation,
            current,
        } => {
            done(app);
            editor::on_metadata_conflict(app, &conversation, current);
            vec![]
        }
        Message::MetadataSaved {
            conversation,
            result,
        } => {
            done(app);
            editor::on_metadata_saved(app, &conversation, result)
        }
        Message::ConversationCreated(result) => {
            done(app);
            editor::on_created(app, result)
        }
        Message::ItemsProgress {
            conversation,
            sent,
            total,
        } => {
            editor::on_items_progress(app, &conversation, sent, total);
            vec![]
        }
        Message::ItemsAdded {
            conversation,
            sent,
            total,
            result,
        } => {
            done(app);
            editor::on_items_added(app, &conversation, sent, total, result)
        }
        Message::DraftLoaded { name, result } => editor::on_draft_loaded(app, &name, result),
        Message::DraftWritten(result) => {
            if let Err(e) = result {
                app.status = Some(Status::Warning(format!(
                    "The draft could not be written: {e}"
                )));
            }
            vec![]
        }
        Message::ExternalEdited {
            conversation,
            result,
        } => editor::on_external_edited(app, &conversation, result),
    };
    count(app, effects)
}

fn scope(app: &App) -> Scope {
    match app.focus {
        Focus::Conversations => Scope::Conversations,
        Focus::Timeline => Scope::Timeline,
        Focus::Detail => Scope::Detail,
    }
}

fn on_key(app: &mut App, ev: KeyEvent) -> Vec<Effect> {
    if ev.kind == KeyEventKind::Release {
        return vec![];
    }
    if ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL) {
        app.quit = true;
        return vec![];
    }
    if app.dialog.is_some() {
        return dialog_key(app, ev);
    }
    if app.editor.is_some() {
        return editor::on_key(app, ev);
    }
    let Some(action) = keymap::lookup(scope(app), &ev) else {
        return vec![];
    };
    // Notes and warnings last until the next action; an error until the next request, so that
    // its request id stays readable while the user looks around.
    let before = app.status.clone();
    if matches!(app.status, Some(Status::Info(_) | Status::Warning(_))) {
        app.status = None;
    }
    let effects = on_action(app, action);
    if !effects.is_empty() && matches!(&before, Some(Status::Error(_))) && app.status == before {
        app.status = None;
    }
    effects
}

fn on_paste(app: &mut App, text: &str) {
    if let Some(Dialog::OpenById { input, error }) = &mut app.dialog {
        input.push_str(&text.split_whitespace().collect::<Vec<_>>().join(" "));
        *error = None;
    }
}

fn dialog_key(app: &mut App, ev: KeyEvent) -> Vec<Effect> {
    let Some(dialog) = app.dialog.take() else {
        return vec![];
    };
    match dialog {
        Dialog::Confirm {
            title,
            lines,
            on_yes,
        } => match ev.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => confirmed(app, on_yes),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => vec![],
            _ => {
                app.dialog = Some(Dialog::Confirm {
                    title,
                    lines,
                    on_yes,
                });
                vec![]
            }
        },
        Dialog::Help { scroll } => {
            let scroll = match ev.code {
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter => {
                    return vec![]
                }
                KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                KeyCode::PageDown => scroll.saturating_add(10),
                KeyCode::PageUp => scroll.saturating_sub(10),
                KeyCode::Home | KeyCode::Char('g') => 0,
                KeyCode::End | KeyCode::Char('G') => u16::MAX,
                _ => scroll,
            };
            // Stop at the last screenful: the help has a heading and a blank line per
            // group, a closing line, and its popup loses four rows to margins and borders.
            let lines: usize = keymap::help()
                .iter()
                .map(|(_, rows)| rows.len() + 2)
                .sum::<usize>()
                + 1;
            let visible = app.height.saturating_sub(4) as usize;
            let max = lines.saturating_sub(visible).min(u16::MAX as usize) as u16;
            app.dialog = Some(Dialog::Help {
                scroll: scroll.min(max),
            });
            vec![]
        }
        Dialog::OpenById { mut input, error } => match ev.code {
            KeyCode::Esc => vec![],
            KeyCode::Enter => match crate::registry::id_in(&input) {
                Some(id) => open_by_id(app, &id),
                None => {
                    app.dialog = Some(Dialog::OpenById {
                        input,
                        error: Some(
                            "That is not a conversation id; type or paste one (conv_…).".into(),
                        ),
                    });
                    vec![]
                }
            },
            KeyCode::Backspace => {
                input.pop();
                app.dialog = Some(Dialog::OpenById { input, error: None });
                vec![]
            }
            KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => {
                input.push(c);
                app.dialog = Some(Dialog::OpenById { input, error: None });
                vec![]
            }
            _ => {
                app.dialog = Some(Dialog::OpenById { input, error });
                vec![]
            }
        },
    }
}

pub(super) fn save_registry(app: &App) -> Effect {
    Effect::SaveRegistry(app.registry.clone())
}

/// Opens a conversation by id. It joins the registry once the server confirms it exists.
fn open_by_id(app: &mut App, id: &str) -> Vec<Effect> {
    let index = match app.convs.iter().position(|c| c.id == id) {
        Some(i) => i,
        None => {
            app.convs.push(ConvEntry::new(id));
            app.opening = Some(Opening {
                id: id.to_string(),
                previous: app.timeline.clone(),
                focus: app.focus,
            });
            app.convs.len() - 1
        }
    };
    app.conv_selected = index;
    let mut effects = vec![Effect::LoadConversation(id.to_string())];
    effects.extend(open_conversation(app, id));
    effects
}

pub(crate) fn open_conversation(app: &mut App, id: &str) -> Vec<Effect> {
    let ascending = app.timeline.as_ref().map(|t| t.ascending).unwrap_or(false);
    let generation = app.next_generation;
    app.next_generation += 1;
    app.timeline = Some(Timeline::new(id, ascending, generation));
    app.focus = Focus::Timeline;
    app.detail_scroll = 0;
    load_next(app).into_iter().collect()
}

/// Asks for the next page if there is one and none is on its way.
fn load_next(app: &mut App) -> Option<Effect> {
    let tl = app.timeline.as_mut()?;
    if !tl.has_more || tl.loading {
        return None;
    }
    tl.loading = true;
    Some(Effect::LoadItems {
        conversation: tl.conversation.clone(),
        generation: tl.generation,
        after: tl.cursor.clone(),
        ascending: tl.ascending,
    })
}

/// Loads more when the selection nears the end.
fn prefetch(app: &mut App) -> Vec<Effect> {
    let near_end = app
        .timeline
        .as_ref()
        .is_some_and(|t| t.selected + PREFETCH_MARGIN >= t.items.len());
    if near_end {
        load_next(app).into_iter().collect()
    } else {
        vec![]
    }
}

fn move_selection(index: usize, len: usize, delta: isize) -> usize {
    if len == 0 {
        return 0;
    }
    (index as isize + delta).clamp(0, len as isize - 1) as usize
}

fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let step = app.page_step() as isize;
    match action {
        Action::Quit | Action::ForceQuit => {
            app.quit = true;
            vec![]
        }
        Action::Help => {
            app.dialog = Some(Dialog::Help { scroll: 0 });
            vec![]
        }
        Action::Up => move_by(app, -1),
        Action::Down => move_by(app, 1),
        Action::PageUp => move_by(app, -step),
        Action::PageDown => move_by(app, step),
        Action::Top => move_by(app, isize::MIN / 2),
        Action::Bottom => {
            let mut effects = move_by(app, isize::MAX / 2);
            // In the timeline, the bottom is the last item, not the last one loaded: keep
            // loading and keep the selection on the end until everything is in.
            if app.focus == Focus::Timeline {
                if let Some(tl) = app.timeline.as_mut().filter(|t| t.has_more) {
                    tl.follow_end = true;
                    tl.load_all = true;
                    effects.extend(load_next(app));
                }
            }
            effects
        }
        Action::NextPane => {
            app.focus = match (app.focus, app.timeline.is_some()) {
                (Focus::Conversations, true) => Focus::Timeline,
                (Focus::Timeline, _) => Focus::Detail,
                _ => Focus::Conversations,
            };
            vec![]
        }
        Action::PaneLeft => {
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
                app.detail_scroll = 0;
                vec![]
            }
        },
        Action::Back => {
            app.focus = match app.focus {
                Focus::Detail => Focus::Timeline,
                _ => Focus::Conversations,
            };
            vec![]
        }
        Action::OpenById => {
            app.dialog = Some(Dialog::OpenById {
                input: String::new(),
                error: None,
            });
            vec![]
        }
        Action::ToggleRaw => {
            app.raw = !app.raw;
            app.detail_scroll = 0;
            vec![]
        }
        Action::ToggleOrder => {
            let generation = app.next_generation;
            let Some(tl) = app.timeline.as_mut() else {
                return vec![];
            };
            app.next_generation += 1;
            let ascending = !tl.reloading.unwrap_or(tl.ascending);
            app.status = Some(Status::Info(
                if ascending {
                    "Oldest first"
                } else {
                    "Newest first"
                }
                .into(),
            ));
            vec![tl.reload(ascending, generation)]
        }
        Action::LoadAll => {
            let Some(tl) = app.timeline.as_mut() else {
                return vec![];
            };
            tl.load_all = true;
            load_next(app).into_iter().collect()
        }
        Action::Refresh => refresh(app),
        Action::Mark => {
            let Some(tl) = app.timeline.as_mut() else {
                return vec![];
            };
            if let Some(id) = tl.selected_item().and_then(item_id).map(String::from) {
                if !tl.marked.remove(&id) {
                    tl.marked.insert(id);
                }
            }
            move_by(app, 1)
        }
        Action::Delete => {
            ask_delete_item(app);
            vec![]
        }
        Action::DeleteMarked => {
            ask_delete_marked(app);
            vec![]
        }
        Action::DeleteConversation => {
            ask_delete_conversation(app);
            vec![]
        }
        Action::Forget => forget(app),
        Action::EditMetadata => editor::open_metadata(app),
        Action::EditJson => editor::open_external(app),
        Action::NewConversation => editor::open_new(app),
        Action::AddItems => editor::open_composer(app),
    }
}

fn move_by(app: &mut App, delta: isize) -> Vec<Effect> {
    match app.focus {
        Focus::Conversations => {
            app.conv_selected = move_selection(app.conv_selected, app.convs.len(), delta);
            vec![]
        }
        Focus::Timeline => {
            if let Some(tl) = app.timeline.as_mut() {
                tl.selected = move_selection(tl.selected, tl.items.len(), delta);
                tl.follow_end = false;
                app.detail_scroll = 0;
            }
            prefetch(app)
        }
        Focus::Detail => {
            // The detail pane gets 55% of the body in every layout; its borders take two rows.
            let visible = (app.height.saturating_sub(3) as usize * 55 / 100).saturating_sub(2);
            let max = detail_height(app).saturating_sub(visible.max(1)) as isize;
            app.detail_scroll =
                (app.detail_scroll as isize + delta).clamp(0, max.min(u16::MAX as isize)) as u16;
            vec![]
        }
    }
}

/// How many lines the detail view takes once wrapped at the detail pane's width, so that
/// scrolling stops at its end. The width follows the layout in `view`.
fn detail_height(app: &App) -> usize {
    let Some(item) = app.detail_item() else {
        return 0;
    };
    let pane = if app.is_wide() {
        app.width as usize * 68 / 100
    } else {
        app.width as usize
    };
    let width = pane.saturating_sub(2).clamp(1, u16::MAX as usize) as u16;
    let lines = if app.raw {
        render::pretty_json_lines(item)
    } else {
        render::detail(item)
    };
    ratatui::widgets::Paragraph::new(lines)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .line_count(width)
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
    let mut effects = vec![Effect::ListConversations];
    effects.extend(
        app.convs
            .iter()
            .map(|c| Effect::LoadConversation(c.id.clone())),
    );
    effects.extend(reload_timeline(app));
    effects
}

/// Loads the open timeline again from its first page, keeping what is shown until it arrives.
pub(crate) fn reload_timeline(app: &mut App) -> Option<Effect> {
    let generation = app.next_generation;
    let tl = app.timeline.as_mut()?;
    app.next_generation += 1;
    let ascending = tl.reloading.unwrap_or(tl.ascending);
    Some(tl.reload(ascending, generation))
}

fn forget(app: &mut App) -> Vec<Effect> {
    let Some(entry) = app.selected_conv().cloned() else {
        return vec![];
    };
    app.convs.remove(app.conv_selected);
    app.conv_selected = app.conv_selected.min(app.convs.len().saturating_sub(1));
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
    app.registry.hide(&entry.id);
    vec![save_registry(app)]
}

fn on_listed(
    app: &mut App,
    result: Result<Option<Vec<(String, super::state::ConvInfo)>>, Failure>,
) {
    match result {
        Ok(Some(list)) => {
            let list: Vec<_> = list
                .into_iter()
                .filter(|(id, _)| !app.registry.is_hidden(id))
                .collect();
            for (id, info) in list {
                match app.conv_mut(&id) {
                    Some(entry) => {
                        entry.info = Some(info);
                        entry.gone = false;
                    }
                    None => app.convs.push(ConvEntry {
                        id,
                        info: Some(info),
                        gone: false,
                    }),
                }
            }
        }
        Ok(None) => {}
        Err(f) => app.status = Some(Status::Error(f)),
    }
    app.sort_convs();
}

fn on_conversation(
    app: &mut App,
    id: &str,
    result: Result<super::state::ConvInfo, Failure>,
) -> Vec<Effect> {
    if let (Ok(info), Some(Editor::Metadata(ed))) = (&result, app.editor.as_mut()) {
        if matches!(&ed.target, Target::Existing(t) if t == id) {
            ed.rebase(info.metadata.clone());
        }
    }
    let opening = app.opening.take_if(|o| o.id == id);
    let opened_by_id = opening.is_some();
    let mut effects = Vec::new();
    match result {
        Ok(info) => {
            if let Some(entry) = app.conv_mut(id) {
                entry.info = Some(info);
                entry.gone = false;
            }
            if opened_by_id && app.registry.add([id]) > 0 {
                effects.push(save_registry(app));
            }
        }
        Err(f) if f.is_not_found() && opened_by_id => {
            // A mistyped id leaves nothing behind: the list and the screen are as before.
            app.convs.retain(|c| c.id != id);
            app.conv_selected = app.conv_selected.min(app.convs.len().saturating_sub(1));
            if let Some(o) = opening {
                if app.timeline.as_ref().is_some_and(|t| t.conversation == id) {
                    app.timeline = o.previous.map(|mut t| {
                        // Its requests in flight were dropped as stale meanwhile.
                        t.loading = false;
                        t.reloading = None;
                        t
                    });
                    app.focus = o.focus;
                }
            }
            app.status = Some(Status::Error(Failure {
                message: format!("No conversation with id '{}' here.", sanitize::line(id)),
                ..f
            }));
        }
        Err(f) if f.is_not_found() => conversation_gone(app, id),
        Err(f) => app.status = Some(Status::Error(f)),
    }
    app.sort_convs();
    effects
}

/// The server no longer has the conversation: its entry is marked gone, and its items leave
/// the screen rather than look deletable.
pub(crate) fn conversation_gone(app: &mut App, id: &str) {
    if let Some(e) = app.conv_mut(id) {
        e.gone = true;
    }
    if app.timeline.as_ref().is_some_and(|t| t.conversation == id) {
        app.timeline = None;
        app.focus = Focus::Conversations;
        app.status = Some(Status::Warning(format!(
            "Conversation {} is gone from the server.",
            sanitize::line(id)
        )));
    }
}

fn on_page(
    app: &mut App,
    conversation: &str,
    generation: u64,
    result: Result<PageData, Failure>,
) -> Vec<Effect> {
    let Some(tl) = app.timeline.as_mut() else {
        return vec![];
    };
    if tl.generation != generation || tl.conversation != conversation {
        return vec![]; // stale: the user has moved on
    }
    tl.loading = false;
    let page = match result {
        Ok(p) => p,
        Err(f) => {
            // Only a first page says the conversation is gone; a 404 on a later page may be
            // about the cursor (an item deleted meanwhile).
            let first_page = tl.reloading.is_some() || tl.cursor.is_none();
            tl.reloading = None;
            tl.load_all = false;
            if f.is_not_found() && first_page {
                conversation_gone(app, conversation);
            }
            app.status = Some(Status::Error(f));
            return vec![];
        }
    };
    let reloaded = tl.reloading;
    let keep = reloaded.and_then(|asc| tl.clear_for_reload(asc));
    let fresh = paging::unseen(&page, &tl.seen);
    let next = paging::next_cursor(tl.cursor.as_deref(), &page, &mut tl.seen);
    tl.items.extend(fresh.into_iter().map(|i| i.0));
    if let Some(pos) = keep.and_then(|k| tl.items.iter().position(|i| item_id(i) == Some(&k))) {
        tl.selected = pos;
    }
    tl.has_more = matches!(next, Next::After(_));
    if tl.follow_end {
        tl.selected = tl.items.len().saturating_sub(1);
        tl.follow_end = tl.has_more;
    }
    match next {
        Next::After(cursor) => tl.cursor = Some(cursor),
        Next::Done => {}
        Next::Stalled(why) => {
            let warning = format!("Paging stopped: {why}");
            tl.warning = Some(warning.clone());
            app.status = Some(Status::Warning(warning));
        }
    }
    if let Some(asc) = reloaded.filter(|_| app.status.is_none()) {
        let order = if asc { "oldest first" } else { "newest first" };
        app.status = Some(Status::Info(format!("Reloaded, {order}")));
    }
    if !tl.has_more && tl.load_all {
        tl.load_all = false;
        if app.status.is_none() {
            app.status = Some(Status::Info(format!("All {} items loaded", tl.items.len())));
        }
    }
    let wants_more = tl.load_all || tl.selected + PREFETCH_MARGIN >= tl.items.len();
    if wants_more {
        load_next(app).into_iter().collect()
    } else {
        vec![]
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
