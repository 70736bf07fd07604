//! Opening the editors: `e` and `E` on the metadata, `n` for a new conversation, `a` to add
//! items. Pure, like `update`.

use super::metadata_text::Metadata;
use super::{json as items_json, Composer, Editor, MetadataEditor, Target};
use crate::tui::message::Effect;
use crate::tui::navigate::current_conversation;
use crate::tui::state::{App, Status};

/// The loaded metadata of a conversation, or a message saying why there is none yet.
fn loaded_metadata(app: &mut App, id: &str) -> Result<Metadata, Vec<Effect>> {
    let entry = app.convs.items.iter().find(|c| c.id == id);
    if entry.is_some_and(|e| e.gone) {
        // Nothing to edit, and no draft to leave behind.
        app.status = Some(Status::Warning(format!(
            "Conversation {} is gone from the server; there is nothing to edit.",
            crate::tui::sanitize::line(id)
        )));
        return Err(vec![]);
    }
    match entry.and_then(|e| e.info.as_ref()) {
        Some(info) => Ok(info.metadata.clone()),
        None => {
            app.status = Some(Status::Warning(
                "This conversation's metadata has not loaded yet; try again in a moment.".into(),
            ));
            Err(vec![Effect::LoadConversation(id.to_string())])
        }
    }
}

/// `e`: the metadata editor on the current conversation.
pub fn open_metadata(app: &mut App) -> Vec<Effect> {
    let Some(id) = current_conversation(app) else {
        app.status = Some(Status::Info("Select a conversation first.".into()));
        return vec![];
    };
    let base = match loaded_metadata(app, &id) {
        Ok(m) => m,
        Err(effects) => return effects,
    };
    let title = app.title_of(&id);
    let ed = MetadataEditor::new(Target::Existing(id.clone()), title, base);
    app.modals.open_editor(Editor::Metadata(Box::new(ed)));
    // What was loaded may be stale: fetch it again; the editor follows (see `rebase`).
    vec![
        Effect::LoadConversation(id.clone()),
        Effect::LoadDraft { name: id },
    ]
}

/// `n`: a new conversation.
pub fn open_new(app: &mut App) -> Vec<Effect> {
    let ed = MetadataEditor::new(Target::New, "New conversation".into(), Metadata::new());
    app.modals.open_editor(Editor::Metadata(Box::new(ed)));
    vec![Effect::LoadDraft { name: "new".into() }]
}

/// `E`: the metadata as JSON in `$VISUAL`/`$EDITOR`.
pub fn open_external(app: &mut App) -> Vec<Effect> {
    let Some(id) = current_conversation(app) else {
        app.status = Some(Status::Info("Select a conversation first.".into()));
        return vec![];
    };
    match loaded_metadata(app, &id) {
        Ok(m) => vec![Effect::ExternalEdit {
            conversation: id,
            json: items_json::metadata_to_json(&m),
        }],
        Err(effects) => effects,
    }
}

/// `a`: the composer on the current conversation.
pub fn open_composer(app: &mut App) -> Vec<Effect> {
    let Some(id) = current_conversation(app) else {
        app.status = Some(Status::Info("Select a conversation first.".into()));
        return vec![];
    };
    let c = Composer::new(id.clone(), app.title_of(&id));
    let name = c.draft_name();
    app.modals.open_editor(Editor::Compose(Box::new(c)));
    vec![Effect::LoadDraft { name }]
}
