//! Deleting items and conversations: the confirm dialogs, and what the answers do.
//! The runtime backs everything up before it sends a DELETE.

use serde_json::Value;

use ratatui::text::Line;

use super::message::Effect;
use super::modal::{Confirm, Modal, Pending};
use super::navigate::{change_registry, close_timeline, current_conversation};
use super::render;
use super::sanitize;
use super::state::{item_id, App, Failure, Status};
use crate::registry::Change;

/// What `e`, `d`, `x` and `X` say with no conversation to act on.
pub const SELECT_FIRST: &str = "Select a conversation first.";

fn describe_item(item: &Value) -> Vec<String> {
    let s = render::summary(item);
    vec![
        format!("{} {}", s.icon, s.label),
        sanitize::line(item_id(item).unwrap_or("(no id)")),
        format!("“{}”", sanitize::truncate(&s.preview, 60)),
    ]
}

fn ask(app: &mut App, title: String, lines: Vec<String>, pending: Pending) {
    let lines = lines.into_iter().map(Line::raw).collect();
    app.modals
        .push(Modal::Confirm(Confirm::new(title, lines, pending)));
}

pub(super) fn ask_delete_item(app: &mut App) {
    let Some(tl) = &app.timeline else { return };
    let Some(item) = tl.selected_item().map(|l| l.value()) else {
        return;
    };
    let item = &item;
    let Some(id) = item_id(item) else {
        app.status = Some(Status::Warning(
            "This item has no id, so it cannot be deleted.".into(),
        ));
        return;
    };
    if tl.deleting.contains(id) {
        return;
    }
    if tl.gone.contains(id) {
        app.status = Some(Status::Info(GONE_ALREADY.into()));
        return;
    }
    let pending = Pending::DeleteItem {
        conversation: tl.conversation.clone(),
        item: item.clone(),
    };
    let lines = describe_item(item);
    ask(app, "Delete this item?".into(), lines, pending);
}

/// Said when the item to delete is one the server no longer has (shown from the mirror's copy).
const GONE_ALREADY: &str =
    "This item is already gone on the server (only the mirror's copy shows it): nothing to delete.";

pub(super) fn ask_delete_marked(app: &mut App) {
    let Some(tl) = &app.timeline else { return };
    let marked = |id: &str| tl.list.marked.contains(id);
    let gone = tl.gone.iter().filter(|id| marked(id)).count();
    let items: Vec<Value> = tl
        .items()
        .iter()
        .filter(|i| i.id().is_some_and(|id| marked(id) && !tl.gone.contains(id)))
        .map(|i| i.value())
        .collect();
    if items.is_empty() && gone > 0 {
        app.status = Some(Status::Info(
            "The marked items are already gone on the server: nothing to delete.".into(),
        ));
        return;
    }
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
    if gone > 0 {
        lines.push(format!(
            "({gone} marked item{} already gone on the server left out)",
            if gone == 1 { "" } else { "s" }
        ));
    }
    let title = format!("Delete {} marked items?", items.len());
    let pending = Pending::DeleteMarked {
        conversation: tl.conversation.clone(),
        items,
    };
    ask(app, title, lines, pending);
}

pub(super) fn ask_delete_conversation(app: &mut App) {
    let Some(id) = current_conversation(app) else {
        app.status = Some(Status::Info(SELECT_FIRST.into()));
        return;
    };
    let title = app.title_of(&id);
    let mut lines = vec![sanitize::line(&title)];
    if title != id {
        lines.push(sanitize::line(&id));
    }
    lines.push("The conversation and all its items are backed up first.".into());
    let pending = Pending::DeleteConversation { id };
    ask(app, "Delete this conversation?".into(), lines, pending);
}

/// A yes to a delete: the items show as being deleted while the request runs.
pub(super) fn confirmed(app: &mut App, what: Pending) -> Vec<Effect> {
    match what {
        Pending::DeleteItem { conversation, item } => {
            if let (Some(tl), Some(id)) = (app.timeline.as_mut(), item_id(&item)) {
                tl.deleting.insert(id.to_string());
            }
            vec![Effect::DeleteItem { conversation, item }]
        }
        Pending::DeleteMarked {
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
        Pending::DeleteConversation { id } => {
            vec![Effect::DeleteConversation { id }]
        }
        Pending::DeleteConversationPartial { id, .. } => {
            vec![Effect::DeleteConversationPartial { id }]
        }
        _ => vec![],
    }
}

pub(super) fn on_item_deleted(
    app: &mut App,
    conversation: &str,
    item: &str,
    result: Result<(), Failure>,
) {
    let tl = app
        .timeline
        .as_mut()
        .filter(|t| t.conversation == conversation);
    match result {
        Ok(()) => {
            if let Some(tl) = tl {
                tl.remove(&[item.to_string()]);
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

pub(super) fn on_marked_deleted(
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
        tl.remove(&deleted);
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

pub(super) fn on_conversation_deleted(
    app: &mut App,
    id: &str,
    result: Result<(), Failure>,
) -> Vec<Effect> {
    let note = match result {
        Ok(()) => format!("Deleted conversation {}", sanitize::line(id)),
        // Already gone from the server: the user's wish holds; it leaves the list too.
        Err(f) if f.is_not_found() => format!(
            "Conversation {} was already gone from the server; removed from the list",
            sanitize::line(id)
        ),
        Err(f) => {
            app.status = Some(Status::Error(f));
            return vec![];
        }
    };
    app.convs.items.retain(|c| c.id != id);
    app.convs.clamp();
    close_timeline(app, id);
    app.status = Some(Status::Info(note));
    change_registry(app, Change::Remove(id.to_string()))
        .into_iter()
        .collect()
}
