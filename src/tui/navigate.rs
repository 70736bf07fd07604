//! Moves between conversations that more than one part of the UI makes: opening one,
//! reloading the open one, and letting go of one the server no longer has.

use super::message::Effect;
use super::sanitize;
use super::state::{App, Focus, Status, Timeline};
use crate::registry::{Change, Registry};

/// Changes the registry: the app's copy at once, and the file through the runtime, which
/// applies every change not yet written to the file as the file is then, so that what another
/// process added or hid meanwhile is kept. `None` when the list does not change.
pub fn change_registry(app: &mut App, change: Change) -> Option<Effect> {
    if !app.registry.apply(&change) {
        return None;
    }
    app.registry_seq += 1;
    app.registry_unsaved.push((app.registry_seq, change));
    Some(Effect::SaveRegistry(app.registry_unsaved.clone()))
}

/// The registry file as written with the changes up to `upto` (or as read, with `upto` 0): the
/// app's copy becomes that, with its later changes applied again.
pub fn registry_written(app: &mut App, registry: Registry, upto: u64) {
    app.registry_unsaved.retain(|(n, _)| *n > upto);
    app.registry = registry;
    for (_, change) in &app.registry_unsaved {
        app.registry.apply(change);
    }
}

/// After the registry was read again: ids another process added join the list (and are
/// loaded), ids it removed from the list (`convtui forget`) leave it.
pub fn registry_read(app: &mut App, registry: Registry) -> Vec<Effect> {
    registry_written(app, registry, 0);
    let hidden: Vec<String> = app.registry.hidden.clone();
    app.convs.items.retain(|c| !hidden.contains(&c.id));
    let mut effects = Vec::new();
    for entry in &app.registry.conversations {
        if !app.convs.items.iter().any(|c| c.id == entry.id) {
            app.convs
                .items
                .push(super::state::ConvEntry::new(entry.id.clone()));
            effects.push(Effect::LoadConversation(entry.id.clone()));
        }
    }
    app.sort_convs();
    app.convs.clamp();
    effects
}

/// Opens a conversation in the timeline and asks for its first page.
pub fn open_conversation(app: &mut App, id: &str) -> Vec<Effect> {
    let ascending = app
        .timeline
        .as_ref()
        .map(|t| t.paging.ascending)
        .unwrap_or(false);
    // The conversation left behind: its pages still loading are cancelled.
    let left = app
        .timeline
        .as_ref()
        .map(|t| t.conversation.clone())
        .filter(|c| c != id)
        .map(|c| Effect::Cancel(super::cancel::Which::PagesOf(c)));
    let generation = app.generation();
    let mut tl = Timeline::new(id, ascending, generation);
    tl.paging.limits = app.limits;
    let first = tl.load_next();
    app.timeline = Some(tl);
    app.focus = Focus::Timeline;
    app.detail.scroll = 0;
    left.into_iter().chain(first).collect()
}

/// Loads the open timeline again from its first page, keeping what is shown until it arrives.
pub fn reload_timeline(app: &mut App) -> Option<Effect> {
    let generation = app.next_generation;
    let tl = app.timeline.as_mut()?;
    app.next_generation += 1;
    let ascending = tl.paging.order();
    Some(tl.reload(ascending, generation))
}

/// The server no longer has the conversation: its entry is marked gone, and its items leave
/// the screen rather than look deletable.
pub fn conversation_gone(app: &mut App, id: &str) {
    if let Some(e) = app.conv_mut(id) {
        e.gone = true;
    }
    if close_timeline(app, id) {
        app.status = Some(Status::Warning(format!(
            "Conversation {} is gone from the server.",
            sanitize::line(id)
        )));
    }
}

/// Closes the timeline if it shows this conversation; the focus goes back to the list.
/// Answers whether it did.
pub fn close_timeline(app: &mut App, id: &str) -> bool {
    if app.timeline.as_ref().is_none_or(|t| t.conversation != id) {
        return false;
    }
    app.timeline = None;
    app.focus = Focus::Conversations;
    true
}

/// The conversation the keys act on: the selected one in the list, else the open one.
pub fn current_conversation(app: &App) -> Option<String> {
    match app.focus {
        Focus::Conversations => app.selected_conv().map(|c| c.id.clone()),
        _ => app.timeline.as_ref().map(|t| t.conversation.clone()),
    }
}
