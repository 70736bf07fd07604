//! State transitions: plain functions from (state, message) to effects. No I/O here.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde_json::Value;

use super::editor::keys as editor;
use super::editor::{Editor, Target};
use super::keymap::{self, Action, Scope};
use super::message::{Effect, Message, PageData};
use super::render;
use super::sanitize;
use super::state::{item_id, App, Confirmed, ConvEntry, Dialog, Failure, Focus, Status, Timeline};
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
            on_conversation(app, &id, result);
            vec![]
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
        Message::DraftLoaded { name, result } => {
            editor::on_draft_loaded(app, &name, result);
            vec![]
        }
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
    match keymap::lookup(scope(app), &ev) {
        Some(action) => on_action(app, action),
        None => vec![],
    }
}

fn on_paste(app: &mut App, text: &str) {
    if let Some(Dialog::OpenById { input, error }) = &mut app.dialog {
        let clean: String = text.split_whitespace().collect::<Vec<_>>().join("");
        input.push_str(&clean);
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
                _ => scroll,
            };
            app.dialog = Some(Dialog::Help { scroll });
            vec![]
        }
        Dialog::OpenById { mut input, error } => match ev.code {
            KeyCode::Esc => vec![],
            KeyCode::Enter => {
                let id = input.trim().to_string();
                if id.is_empty() {
                    app.dialog = Some(Dialog::OpenById {
                        input,
                        error: Some("Type or paste a conversation id.".into()),
                    });
                    return vec![];
                }
                open_by_id(app, &id)
            }
            KeyCode::Backspace => {
                input.pop();
                app.dialog = Some(Dialog::OpenById { input, error: None });
                vec![]
            }
            KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => {
                if !c.is_whitespace() {
                    input.push(c);
                }
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

fn save_registry(app: &App) -> Effect {
    Effect::SaveRegistry(app.registry.clone())
}

fn open_by_id(app: &mut App, id: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    if app.registry.add([id]) > 0 {
        effects.push(save_registry(app));
    }
    let index = match app.convs.iter().position(|c| c.id == id) {
        Some(i) => i,
        None => {
            app.convs.push(ConvEntry::new(id));
            app.convs.len() - 1
        }
    };
    app.conv_selected = index;
    effects.push(Effect::LoadConversation(id.to_string()));
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
        Action::Bottom => move_by(app, isize::MAX / 2),
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
                app.detail_scroll = 0;
            }
            prefetch(app)
        }
        Focus::Detail => {
            let max = detail_height(app).saturating_sub(1) as isize;
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
    let width = pane.saturating_sub(2).max(1);
    let lines = if app.raw {
        render::pretty_json_lines(item)
    } else {
        render::detail(item)
    };
    lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum()
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
    let generation = app.next_generation;
    if let Some(tl) = app.timeline.as_mut() {
        app.next_generation += 1;
        let ascending = tl.reloading.unwrap_or(tl.ascending);
        effects.push(tl.reload(ascending, generation));
    }
    effects
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
    if app.registry.remove(&entry.id) {
        vec![save_registry(app)]
    } else {
        vec![]
    }
}

fn describe_item(item: &Value) -> Vec<String> {
    let s = render::summary(item);
    vec![
        format!("{} {}", s.icon, s.label),
        sanitize::line(item_id(item).unwrap_or("(no id)")),
        format!("“{}”", sanitize::truncate(&s.preview, 60)),
    ]
}

fn ask_delete_item(app: &mut App) {
    let Some(tl) = &app.timeline else { return };
    let Some(item) = tl.selected_item() else {
        return;
    };
    let Some(id) = item_id(item) else {
        app.status = Some(Status::Warning(
            "This item has no id, so it cannot be deleted.".into(),
        ));
        return;
    };
    if tl.deleting.contains(id) {
        return;
    }
    app.dialog = Some(Dialog::Confirm {
        title: "Delete this item?".into(),
        lines: describe_item(item),
        on_yes: Confirmed::DeleteItem {
            conversation: tl.conversation.clone(),
            item: item.clone(),
        },
    });
}

fn ask_delete_marked(app: &mut App) {
    let Some(tl) = &app.timeline else { return };
    let items: Vec<Value> = tl
        .items
        .iter()
        .filter(|i| item_id(i).is_some_and(|id| tl.marked.contains(id)))
        .cloned()
        .collect();
    if items.is_empty() {
        app.status = Some(Status::Info(
            "No items are marked; press space to mark one.".into(),
        ));
        return;
    }
    let mut lines: Vec<String> = items
        .iter()
        .take(5)
        .map(|i| {
            let s = render::summary(i);
            format!(
                "{} {} {}",
                s.icon,
                s.label,
                sanitize::truncate(&s.preview, 40)
            )
        })
        .collect();
    if items.len() > 5 {
        lines.push(format!("… and {} more", items.len() - 5));
    }
    app.dialog = Some(Dialog::Confirm {
        title: format!("Delete {} marked items?", items.len()),
        lines,
        on_yes: Confirmed::DeleteMarked {
            conversation: tl.conversation.clone(),
            items,
        },
    });
}

fn ask_delete_conversation(app: &mut App) {
    let target = match app.focus {
        Focus::Conversations => app.selected_conv().map(|c| c.id.clone()),
        _ => app.timeline.as_ref().map(|t| t.conversation.clone()),
    };
    let Some(id) = target else { return };
    let title = app
        .convs
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.title().to_string())
        .unwrap_or_else(|| id.clone());
    let mut lines = vec![sanitize::line(&title)];
    if title != id {
        lines.push(sanitize::line(&id));
    }
    lines.push("The conversation and its loaded items are backed up first.".into());
    app.dialog = Some(Dialog::Confirm {
        title: "Delete this conversation?".into(),
        lines,
        on_yes: Confirmed::DeleteConversation { id },
    });
}

fn confirmed(app: &mut App, what: Confirmed) -> Vec<Effect> {
    match what {
        Confirmed::DeleteItem { conversation, item } => {
            if let (Some(tl), Some(id)) = (app.timeline.as_mut(), item_id(&item)) {
                tl.deleting.insert(id.to_string());
            }
            vec![Effect::DeleteItem { conversation, item }]
        }
        Confirmed::DeleteMarked {
            conversation,
            items,
        } => {
            if let Some(tl) = app.timeline.as_mut() {
                tl.deleting
                    .extend(items.iter().filter_map(item_id).map(String::from));
            }
            vec![Effect::DeleteItems {
                conversation,
                items,
            }]
        }
        Confirmed::DeleteConversation { id } => {
            let items = app
                .timeline
                .as_ref()
                .filter(|t| t.conversation == id && !t.has_more)
                .map(|t| t.items.clone());
            vec![Effect::DeleteConversation { id, items }]
        }
    }
}

fn on_listed(
    app: &mut App,
    result: Result<Option<Vec<(String, super::state::ConvInfo)>>, Failure>,
) {
    match result {
        Ok(Some(list)) => {
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

fn on_conversation(app: &mut App, id: &str, result: Result<super::state::ConvInfo, Failure>) {
    if let (Ok(info), Some(Editor::Metadata(ed))) = (&result, app.editor.as_mut()) {
        if matches!(&ed.target, Target::Existing(t) if t == id) {
            ed.rebase(info.metadata.clone());
        }
    }
    let Some(entry) = app.conv_mut(id) else {
        return;
    };
    match result {
        Ok(info) => {
            entry.info = Some(info);
            entry.gone = false;
        }
        Err(f) if f.is_not_found() => entry.gone = true,
        Err(f) => app.status = Some(Status::Error(f)),
    }
    app.sort_convs();
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
            tl.reloading = None;
            tl.load_all = false;
            // Only a first page says the conversation is gone; a 404 on a later page may be
            // about the cursor (an item deleted meanwhile).
            if f.is_not_found() && tl.cursor.is_none() {
                tl.has_more = false;
                if let Some(e) = app.conv_mut(conversation) {
                    e.gone = true;
                }
            }
            app.status = Some(Status::Error(f));
            return vec![];
        }
    };
    let keep = tl.reloading.and_then(|asc| tl.clear_for_reload(asc));
    let fresh = paging::unseen(&page, &tl.seen);
    let next = paging::next_cursor(tl.cursor.as_deref(), &page, &mut tl.seen);
    tl.items.extend(fresh.into_iter().map(|i| i.0));
    if let Some(pos) = keep.and_then(|k| tl.items.iter().position(|i| item_id(i) == Some(&k))) {
        tl.selected = pos;
    }
    tl.has_more = matches!(next, Next::After(_));
    match next {
        Next::After(cursor) => tl.cursor = Some(cursor),
        Next::Done => {}
        Next::Stalled(why) => {
            let warning = format!("Paging stopped: {why}");
            tl.warning = Some(warning.clone());
            app.status = Some(Status::Warning(warning));
        }
    }
    if !tl.has_more {
        tl.load_all = false;
    }
    let wants_more = tl.load_all || tl.selected + PREFETCH_MARGIN >= tl.items.len();
    if wants_more {
        load_next(app).into_iter().collect()
    } else {
        vec![]
    }
}

fn remove_items(tl: &mut Timeline, ids: &[String]) {
    tl.items
        .retain(|i| item_id(i).is_none_or(|id| !ids.iter().any(|d| d == id)));
    for id in ids {
        tl.marked.remove(id);
        tl.deleting.remove(id);
    }
    tl.selected = tl.selected.min(tl.items.len().saturating_sub(1));
}

fn on_item_deleted(app: &mut App, conversation: &str, item: &str, result: Result<(), Failure>) {
    let tl = app
        .timeline
        .as_mut()
        .filter(|t| t.conversation == conversation);
    match result {
        Ok(()) => {
            if let Some(tl) = tl {
                remove_items(tl, &[item.to_string()]);
            }
            app.status = Some(Status::Info(format!("Deleted {}", sanitize::line(item))));
        }
        Err(f) => {
            if let Some(tl) = tl {
                tl.deleting.remove(item);
            }
            app.status = Some(Status::Error(f));
        }
    }
}

fn on_marked_deleted(
    app: &mut App,
    conversation: &str,
    deleted: Vec<String>,
    failed: Vec<(String, Failure)>,
) {
    if let Some(tl) = app
        .timeline
        .as_mut()
        .filter(|t| t.conversation == conversation)
    {
        remove_items(tl, &deleted);
        for (id, _) in &failed {
            tl.deleting.remove(id);
        }
    }
    let total = deleted.len() + failed.len();
    app.status = Some(match failed.first() {
        None => Status::Info(format!("Deleted {} of {total} items", deleted.len())),
        Some((_, f)) => Status::Error(Failure {
            message: format!(
                "Deleted {} of {total} items; {} failed: {}",
                deleted.len(),
                failed.len(),
                f.message
            ),
            ..f.clone()
        }),
    });
}

fn on_conversation_deleted(app: &mut App, id: &str, result: Result<(), Failure>) -> Vec<Effect> {
    match result {
        Ok(()) => {
            app.convs.retain(|c| c.id != id);
            app.conv_selected = app.conv_selected.min(app.convs.len().saturating_sub(1));
            if app.timeline.as_ref().is_some_and(|t| t.conversation == id) {
                app.timeline = None;
                app.focus = Focus::Conversations;
            }
            app.status = Some(Status::Info(format!(
                "Deleted conversation {}",
                sanitize::line(id)
            )));
            if app.registry.remove(id) {
                return vec![save_registry(app)];
            }
        }
        Err(f) => {
            if f.is_not_found() {
                if let Some(e) = app.conv_mut(id) {
                    e.gone = true;
                }
            }
            app.status = Some(Status::Error(f));
        }
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use crossterm::event::KeyEvent;
    use serde_json::json;

    fn key(c: char) -> Message {
        Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    fn code(c: KeyCode) -> Message {
        Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }

    fn items(range: std::ops::Range<usize>) -> Vec<Value> {
        range
            .map(|i| json!({"type": "message", "id": format!("msg_{i}"), "role": "user", "content": format!("m{i}")}))
            .collect()
    }

    fn page(items: Vec<Value>, has_more: bool) -> Result<PageData, Failure> {
        Ok(PageData::of(items, has_more))
    }

    /// An app with one conversation open and its first page requested.
    fn opened() -> (App, u64) {
        let mut registry = Registry::default();
        registry.add(["conv_1"]);
        let mut app = App::new("local", "http://x/v1", registry);
        let start = start(&mut app);
        assert_eq!(
            start,
            vec![
                Effect::ListConversations,
                Effect::LoadConversation("conv_1".into())
            ]
        );
        let effects = update(&mut app, code(KeyCode::Enter));
        let [Effect::LoadItems {
            generation,
            after: None,
            ascending: false,
            ..
        }] = effects.as_slice()
        else {
            panic!("expected the first page to load: {effects:?}")
        };
        (app, *generation)
    }

    fn loaded(app: &mut App, generation: u64, result: Result<PageData, Failure>) -> Vec<Effect> {
        update(
            app,
            Message::ItemsLoaded {
                conversation: "conv_1".into(),
                generation,
                result,
            },
        )
    }

    #[test]
    fn pages_load_as_the_selection_nears_the_end() {
        let (mut app, generation) = opened();
        assert!(loaded(&mut app, generation, page(items(0..100), true)).is_empty());
        assert_eq!(app.pending, 2, "list + conversation still pending");
        let effects = update(&mut app, key('G'));
        let [Effect::LoadItems { after, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(after.as_deref(), Some("msg_99"));
        // Pressing again while the page is on its way asks for nothing more.
        assert!(update(&mut app, key('j')).is_empty());
        loaded(&mut app, generation, page(items(100..150), false));
        let tl = app.timeline.as_ref().unwrap();
        assert_eq!(
            (tl.items.len(), tl.has_more, tl.counts().as_str()),
            (150, false, "150 loaded · all")
        );
    }

    #[test]
    fn stale_pages_are_dropped() {
        let (mut app, old) = opened();
        let effects = update(&mut app, key('O'));
        let [Effect::LoadItems {
            generation: new,
            ascending: true,
            ..
        }] = effects.as_slice()
        else {
            panic!()
        };
        let new = *new;
        assert!(new > old);
        loaded(&mut app, old, page(items(0..5), false));
        assert!(
            app.timeline.as_ref().unwrap().items.is_empty(),
            "the old order's page is ignored"
        );
        loaded(&mut app, new, page(items(0..3), false));
        let tl = app.timeline.as_ref().unwrap();
        assert_eq!((tl.items.len(), tl.ascending), (3, true));
    }

    #[test]
    fn a_repeated_page_stops_paging_with_a_warning() {
        let (mut app, generation) = opened();
        app.timeline.as_mut().unwrap().load_all = true;
        let effects = loaded(&mut app, generation, page(items(0..100), true));
        assert_eq!(effects.len(), 1, "load all asks for the next page");
        let effects = loaded(&mut app, generation, page(items(0..100), true));
        assert!(effects.is_empty(), "no loop");
        let tl = app.timeline.as_ref().unwrap();
        assert_eq!((tl.items.len(), tl.has_more), (100, false));
        assert!(matches!(app.status, Some(Status::Warning(_))));
    }

    #[test]
    fn an_empty_page_ends_paging() {
        let (mut app, generation) = opened();
        loaded(&mut app, generation, page(items(0..100), true));
        update(&mut app, key('G'));
        loaded(&mut app, generation, page(vec![], true));
        let tl = app.timeline.as_ref().unwrap();
        assert!(!tl.has_more && !tl.loading);
    }

    #[test]
    fn a_failed_refresh_keeps_what_is_shown() {
        let (mut app, generation) = opened();
        loaded(&mut app, generation, page(items(0..10), false));
        update(&mut app, key('j'));
        let effects = update(&mut app, key('R'));
        let Some(Effect::LoadItems { generation: g2, .. }) = effects.last() else {
            panic!()
        };
        let g2 = *g2;
        loaded(&mut app, g2, Err(Failure::new("connection refused")));
        let tl = app.timeline.as_ref().unwrap();
        assert_eq!((tl.items.len(), tl.selected), (10, 1));
        // A successful refresh replaces the items and keeps the selected one.
        let effects = update(&mut app, key('R'));
        let Some(Effect::LoadItems { generation: g3, .. }) = effects.last() else {
            panic!()
        };
        loaded(&mut app, *g3, page(items(0..12), false));
        let tl = app.timeline.as_ref().unwrap();
        assert_eq!((tl.items.len(), tl.selected), (12, 1));
    }

    #[test]
    fn delete_asks_then_removes_only_when_the_server_confirms() {
        let (mut app, generation) = opened();
        loaded(&mut app, generation, page(items(0..3), false));
        assert!(update(&mut app, key('d')).is_empty());
        assert!(matches!(app.dialog, Some(Dialog::Confirm { .. })));
        // n says no.
        update(&mut app, key('n'));
        assert!(app.dialog.is_none());
        update(&mut app, key('d'));
        let effects = update(&mut app, key('y'));
        let [Effect::DeleteItem { item, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(item_id(item), Some("msg_0"));
        assert_eq!(
            app.timeline.as_ref().unwrap().items.len(),
            3,
            "still shown until confirmed"
        );
        update(
            &mut app,
            Message::ItemDeleted {
                conversation: "conv_1".into(),
                item: "msg_0".into(),
                result: Err(Failure {
                    message: "boom".into(),
                    status: Some(500),
                    request_id: Some("req_1".into()),
                }),
            },
        );
        assert_eq!(app.timeline.as_ref().unwrap().items.len(), 3);
        assert!(
            matches!(&app.status, Some(Status::Error(f)) if f.to_string() == "boom (HTTP 500, request req_1)")
        );
        update(&mut app, key('d'));
        update(&mut app, code(KeyCode::Enter));
        update(
            &mut app,
            Message::ItemDeleted {
                conversation: "conv_1".into(),
                item: "msg_0".into(),
                result: Ok(()),
            },
        );
        assert_eq!(app.timeline.as_ref().unwrap().items.len(), 2);
    }

    #[test]
    fn marked_items_are_deleted_together_and_counted() {
        let (mut app, generation) = opened();
        loaded(&mut app, generation, page(items(0..4), false));
        update(&mut app, key(' '));
        update(&mut app, key(' '));
        assert_eq!(app.timeline.as_ref().unwrap().marked.len(), 2);
        update(&mut app, key('D'));
        let effects = update(&mut app, key('y'));
        let [Effect::DeleteItems { items, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(items.len(), 2);
        update(
            &mut app,
            Message::MarkedDeleted {
                conversation: "conv_1".into(),
                deleted: vec!["msg_0".into()],
                failed: vec![("msg_1".into(), Failure::new("nope"))],
            },
        );
        let tl = app.timeline.as_ref().unwrap();
        assert_eq!(tl.items.len(), 3);
        assert!(
            matches!(&app.status, Some(Status::Error(f)) if f.message.starts_with("Deleted 1 of 2 items; 1 failed"))
        );
    }

    #[test]
    fn a_404_on_a_later_page_does_not_mark_the_conversation_gone() {
        let (mut app, generation) = opened();
        loaded(&mut app, generation, page(items(0..100), true));
        update(&mut app, key('G'));
        let not_found = Failure {
            message: "Item not found".into(),
            status: Some(404),
            request_id: None,
        };
        loaded(&mut app, generation, Err(not_found.clone()));
        assert!(!app.convs[0].gone);
        assert_eq!(app.timeline.as_ref().unwrap().items.len(), 100);
        // On the first page it does.
        let (mut app, generation) = opened();
        loaded(&mut app, generation, Err(not_found));
        assert!(app.convs[0].gone);
    }

    #[test]
    fn a_missing_conversation_is_marked_gone_and_can_be_forgotten() {
        let (mut app, _) = opened();
        update(
            &mut app,
            Message::ConversationLoaded {
                id: "conv_1".into(),
                result: Err(Failure {
                    message: "not found".into(),
                    status: Some(404),
                    request_id: None,
                }),
            },
        );
        assert!(app.convs[0].gone);
        update(&mut app, code(KeyCode::Esc));
        let effects = update(&mut app, key('x'));
        assert!(
            matches!(effects.as_slice(), [Effect::SaveRegistry(r)] if r.conversations.is_empty())
        );
        assert!(app.convs.is_empty());
    }

    #[test]
    fn open_by_id_registers_and_opens() {
        let mut app = App::new("local", "http://x/v1", Registry::default());
        update(&mut app, key('o'));
        update(&mut app, Message::Paste("  conv_pasted\n".into()));
        let effects = update(&mut app, code(KeyCode::Enter));
        assert!(
            matches!(effects.first(), Some(Effect::SaveRegistry(r)) if r.contains("conv_pasted"))
        );
        assert!(effects.contains(&Effect::LoadConversation("conv_pasted".into())));
        assert_eq!(app.timeline.as_ref().unwrap().conversation, "conv_pasted");
        assert_eq!(app.focus, Focus::Timeline);
    }

    #[test]
    fn the_list_is_newest_first_and_the_selection_stays_put() {
        let mut registry = Registry::default();
        registry.add(["conv_old", "conv_unknown"]);
        let mut app = App::new("local", "http://x/v1", registry);
        app.conv_selected = 1; // conv_unknown
        let info = |t| super::super::state::ConvInfo {
            created_at: t,
            metadata: Default::default(),
        };
        app.pending = 2;
        update(
            &mut app,
            Message::ConversationLoaded {
                id: "conv_old".into(),
                result: Ok(info(100)),
            },
        );
        update(
            &mut app,
            Message::ConversationsListed(Ok(Some(vec![("conv_new".into(), info(200))]))),
        );
        let ids: Vec<&str> = app.convs.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["conv_new", "conv_old", "conv_unknown"]);
        assert_eq!(
            app.selected_conv().map(|c| c.id.as_str()),
            Some("conv_unknown")
        );
    }

    #[test]
    fn detail_scrolling_stops_at_the_end() {
        let (mut app, generation) = opened();
        let long = json!({"type": "message", "id": "msg_long", "role": "user", "content": (0..50).map(|i| format!("line {i}")).collect::<Vec<_>>().join("\n")});
        loaded(&mut app, generation, page(vec![long], false));
        update(&mut app, code(KeyCode::Enter));
        assert_eq!(app.focus, Focus::Detail);
        update(&mut app, key('G'));
        let bottom = app.detail_scroll;
        assert!((50..60).contains(&bottom), "{bottom}");
        update(&mut app, key('k'));
        assert_eq!(app.detail_scroll, bottom - 1, "one step up moves at once");
        update(&mut app, key('g'));
        assert_eq!(app.detail_scroll, 0);
    }

    #[test]
    fn ctrl_c_quits_even_in_a_dialog() {
        let mut app = App::new("local", "http://x/v1", Registry::default());
        update(&mut app, key('?'));
        update(
            &mut app,
            Message::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        assert!(app.quit);
    }
}
