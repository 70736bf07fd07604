//! Copying to the clipboard through OSC 52, which works over SSH and inside tmux: `y` copies
//! the selected id, `Y` the selected item's or conversation's JSON. The terminal does the
//! copying; the event loop writes the sequence (`Effect::Copy`).

use serde_json::{json, Value};

use super::message::Effect;
use super::panes::Focus;
use super::state::{App, Status};
use crate::sanitize;

/// The most that is sent in one copy; terminals drop longer OSC 52 sequences anyway.
pub const COPY_LIMIT: usize = 1_000_000;

/// A conversation as the API shows it, from what the list knows.
fn conversation_json(app: &App) -> Option<Value> {
    let c = app.selected_conv()?;
    let info = c.info.as_ref()?;
    Some(json!({
        "id": c.id,
        "object": "conversation",
        "created_at": info.created_at,
        "metadata": info.metadata,
    }))
}

/// What `y` (`json` false) or `Y` copies, and how the status names it.
fn what(app: &App, json: bool) -> Result<(String, &'static str), &'static str> {
    let on_items = app.focus != Focus::Conversations && app.timeline.is_some();
    match (on_items, json) {
        (true, false) => app
            .detail_item()
            .and_then(|l| l.id().map(str::to_string))
            .map(|id| (id, "the item id"))
            .ok_or("This item has no id to copy"),
        (true, true) => app
            .detail_item()
            .and_then(|v| serde_json::to_string_pretty(&v.value()).ok())
            .map(|j| (j, "the item's JSON"))
            .ok_or("No item is selected"),
        (false, false) => app
            .selected_conv()
            .map(|c| (c.id.clone(), "the conversation id"))
            .ok_or("No conversation is selected"),
        (false, true) => conversation_json(app)
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .map(|j| (j, "the conversation's JSON"))
            .ok_or("The conversation has not loaded yet"),
    }
}

/// `y` and `Y`.
pub fn copy(app: &mut App, json: bool) -> Vec<Effect> {
    let (text, label) = match what(app, json) {
        Ok(w) => w,
        Err(why) => {
            app.status = Some(Status::Warning(why.into()));
            return vec![];
        }
    };
    if text.len() > COPY_LIMIT {
        app.status = Some(Status::Warning(format!(
            "Not copied: {} is {} bytes, more than the {COPY_LIMIT} a terminal takes",
            label,
            text.len()
        )));
        return vec![];
    }
    let shown = if json {
        format!("Copied {label} ({} bytes)", text.len())
    } else {
        // The id itself, whole: it must fit the one status row.
        format!("Copied {} ({} bytes)", sanitize::line(&text), text.len())
    };
    app.status = Some(Status::Info(shown));
    vec![Effect::Copy(text)]
}
