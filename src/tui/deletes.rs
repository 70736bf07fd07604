//! Deleting items and conversations: the confirm dialogs, and what the answers do.
//! The runtime backs everything up before it sends a DELETE.

use serde_json::Value;

use super::message::Effect;
use super::render;
use super::sanitize;
use super::state::{item_id, App, Confirmed, Dialog, Failure, Focus, Status, Timeline};
use super::update::save_registry;

fn describe_item(item: &Value) -> Vec<String> {
    let s = render::summary(item);
    vec![
        format!("{} {}", s.icon, s.label),
        sanitize::line(item_id(item).unwrap_or("(no id)")),
        format!("“{}”", sanitize::truncate(&s.preview, 60)),
    ]
}

pub(super) fn ask_delete_item(app: &mut App) {
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

pub(super) fn ask_delete_marked(app: &mut App) {
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

pub(super) fn ask_delete_conversation(app: &mut App) {
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
    lines.push("The conversation and all its items are backed up first.".into());
    app.dialog = Some(Dialog::Confirm {
        title: "Delete this conversation?".into(),
        lines,
        on_yes: Confirmed::DeleteConversation { id },
    });
}

pub(super) fn confirmed(app: &mut App, what: Confirmed) -> Vec<Effect> {
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
            vec![Effect::DeleteConversation { id }]
        }
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
    app.convs.retain(|c| c.id != id);
    app.conv_selected = app.conv_selected.min(app.convs.len().saturating_sub(1));
    if app.timeline.as_ref().is_some_and(|t| t.conversation == id) {
        app.timeline = None;
        app.focus = Focus::Conversations;
    }
    app.status = Some(Status::Info(note));
    if app.registry.remove(id) {
        vec![save_registry(app)]
    } else {
        vec![]
    }
}
