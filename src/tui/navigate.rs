//! Moves between conversations that more than one part of the UI makes: opening one,
//! reloading the open one, and letting go of one the server no longer has.

use super::message::Effect;
use super::sanitize;
use super::state::{App, Focus, Status, Timeline};

/// Writes the registry (the runtime keeps only the newest of several writes).
pub fn save_registry(app: &App) -> Effect {
    Effect::SaveRegistry(app.registry.clone())
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
