//! What the editors do with the answers of the network and of the external editor.

use serde_json::Value;

use super::keys::{ask_save, compose_draft, compose_items, draft, replay};
use super::metadata_text::{self, Metadata};
use super::questions;
use super::{ComposeStage, Editor, MetadataEditor, Stage, Target};
use crate::tui::message::Effect;
use crate::tui::modal::Modal;
use crate::tui::navigate;
use crate::tui::sanitize;
use crate::tui::state::{App, ConvEntry, ConvInfo, Failure, Status};

/// The draft check answered: a draft unlike the text is offered back (the question goes in
/// front of the editor); otherwise the editor takes text, and held input is applied.
pub fn on_draft_loaded(
    app: &mut App,
    name: &str,
    result: Result<Option<String>, String>,
) -> Vec<Effect> {
    let mut question = None;
    match app.editor_mut() {
        Some(Editor::Metadata(ed))
            if ed.stage == Stage::CheckingDraft && ed.target.draft_name() == name =>
        {
            ed.stage = Stage::Editing;
            match result {
                Ok(Some(d)) if d != ed.draft() => question = Some(questions::restore_metadata(&d)),
                Ok(_) => {}
                Err(e) => ed.error = Some(format!("Could not read the draft: {e}")),
            }
        }
        Some(Editor::Compose(c))
            if c.stage == ComposeStage::CheckingDraft && c.draft_name() == name =>
        {
            c.stage = ComposeStage::Editing;
            match result {
                Ok(Some(d)) if d != compose_draft(c) => {
                    question = Some(questions::restore_composer(&d))
                }
                Ok(_) => {}
                Err(e) => c.error = Some(format!("Could not read the draft: {e}")),
            }
        }
        _ => {}
    }
    if let Some(q) = question {
        app.modals.push(Modal::Confirm(q));
    }
    replay(app)
}

pub fn on_metadata_saved(
    app: &mut App,
    conversation: &str,
    result: Result<ConvInfo, Failure>,
) -> Vec<Effect> {
    if let (Ok(info), Some(entry)) = (&result, app.conv_mut(conversation)) {
        entry.info = Some(info.clone());
        entry.gone = false;
    }
    let Some(Editor::Metadata(ed)) = app.editor_mut() else {
        return vec![];
    };
    if ed.target != Target::Existing(conversation.to_string()) || ed.stage != Stage::Saving {
        return vec![];
    }
    ed.stage = Stage::Editing;
    match result {
        Ok(info) => {
            let sent = ed.parsed.map.clone();
            ed.base = info.metadata.clone();
            ed.base_text = metadata_text::to_text(&ed.base);
            let text = ed.base_text.clone();
            ed.set_text(&text);
            ed.error = None;
            ed.notice = Some(if ed.base == sent {
                format!(
                    "Saved. The server has {} key{}.",
                    ed.base.len(),
                    plural(ed.base.len())
                )
            } else {
                format!(
                    "Saved, but the server kept something else ({} keys): shown here.",
                    ed.base.len()
                )
            });
            let name = ed.target.draft_name();
            vec![draft(app, name, None)]
        }
        Err(f) => {
            if f.is_not_found() {
                if let Some(e) = app.conv_mut(conversation) {
                    e.gone = true;
                }
            }
            if let Some(Editor::Metadata(ed)) = app.editor_mut() {
                // A cancel after sending does not know whether the save landed.
                let head = if f.may_have_applied() {
                    "It may have been saved, check before saving again: "
                } else {
                    "Not saved: "
                };
                ed.error = Some(format!(
                    "{head}{f}. Your text is kept here and in the draft."
                ));
            }
            vec![]
        }
    }
}

/// The save found other metadata on the server than the diff was against: nothing was sent.
/// The editor now diffs against what the server has, and the user saves again knowingly.
pub fn on_metadata_conflict(app: &mut App, conversation: &str, current: ConvInfo) {
    if let Some(entry) = app.conv_mut(conversation) {
        entry.info = Some(current.clone());
    }
    let Some(Editor::Metadata(ed)) = app.editor_mut() else {
        return;
    };
    if ed.target != Target::Existing(conversation.to_string()) || ed.stage != Stage::Saving {
        return;
    }
    ed.stage = Stage::Editing;
    ed.rebase(current.metadata);
    ed.notice = None;
    ed.error = Some(
        "Not saved: the metadata changed on the server since this opened. The diff is now against what it has; ctrl-s to review and save again."
            .into(),
    );
}

pub fn on_created(app: &mut App, result: Result<(String, ConvInfo), Failure>) -> Vec<Effect> {
    let (id, info) = match result {
        Ok(r) => r,
        Err(f) => {
            if let Some(Editor::Metadata(ed)) = app.editor_mut() {
                if ed.target == Target::New {
                    ed.stage = Stage::Editing;
                    // No answer (a timeout, a reset, a cancel): it may exist on the server.
                    let head = if f.may_have_been_created() {
                        ""
                    } else {
                        "Not created: "
                    };
                    ed.error = Some(format!(
                        "{head}{f}. Your text is kept here and in the draft."
                    ));
                    return vec![];
                }
            }
            app.status = Some(Status::Error(f));
            return vec![];
        }
    };
    let mut effects = Vec::new();
    if matches!(app.editor(), Some(Editor::Metadata(ed)) if ed.target == Target::New) {
        app.modals.close_editor();
        effects.push(draft(app, "new".into(), None));
    }
    let added = crate::registry::Change::Add(id.clone());
    effects.extend(crate::tui::navigate::change_registry(app, added));
    app.convs.items.retain(|c| c.id != id);
    app.convs.items.push(ConvEntry {
        id: id.clone(),
        info: Some(info),
        gone: false,
    });
    app.convs.selected = app.convs.items.len() - 1;
    app.sort_convs();
    effects.extend(navigate::open_conversation(app, &id));
    app.status = Some(Status::Info(format!("Created {}", sanitize::line(&id))));
    effects
}

pub fn on_items_progress(app: &mut App, conversation: &str, sent: usize, total: usize) {
    if let Some(Editor::Compose(c)) = app.editor_mut() {
        if c.conversation == conversation && matches!(c.stage, ComposeStage::Sending { .. }) {
            c.stage = ComposeStage::Sending { sent, total };
        }
    }
}

pub fn on_items_added(
    app: &mut App,
    conversation: &str,
    sent: usize,
    total: usize,
    result: Result<(), Failure>,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if sent > 0
        && app
            .timeline
            .as_ref()
            .is_some_and(|t| t.conversation == conversation)
    {
        effects.extend(navigate::reload_timeline(app));
    }
    let composer = match app.editor_mut() {
        Some(Editor::Compose(c)) if c.conversation == conversation => Some(c),
        _ => None,
    };
    match (result, composer) {
        (Ok(()), Some(c)) => {
            let name = c.draft_name();
            app.modals.close_editor();
            app.status = Some(Status::Info(format!("Added {sent} item{}", plural(sent))));
            effects.push(draft(app, name, None));
        }
        (Ok(()), None) => {
            app.status = Some(Status::Info(format!("Added {sent} item{}", plural(sent))));
        }
        (Err(f), Some(c)) => {
            c.stage = ComposeStage::Editing;
            let mut msg = if f.may_have_been_created() {
                format!("Added {sent} of {total}; then {f}")
            } else {
                format!("Added {sent} of {total}; the rest were not sent: {f}")
            };
            if sent > 0 && c.json {
                // Keep only what is still to send, so that sending again adds no duplicates.
                if let Ok(items) = compose_items(c) {
                    let rest = Value::Array(items.into_iter().skip(sent).collect());
                    let text = serde_json::to_string_pretty(&rest).unwrap_or_default();
                    c.area = super::textarea(&text, false);
                    msg.push_str(". The text now holds only the items not yet added.");
                    let (name, d) = (c.draft_name(), compose_draft(c));
                    effects.push(draft(app, name, Some(d)));
                }
            }
            if let Some(Editor::Compose(c)) = app.editor_mut() {
                c.error = Some(msg);
            }
        }
        (Err(f), None) => app.status = Some(Status::Error(f)),
    }
    effects
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The external editor's result: open the metadata editor on it, ready to save.
pub fn on_external_edited(
    app: &mut App,
    conversation: &str,
    result: Result<Metadata, String>,
) -> Vec<Effect> {
    let map = match result {
        Ok(m) => m,
        Err(e) => {
            app.status = Some(Status::Warning(e));
            return vec![];
        }
    };
    let base = app
        .convs
        .items
        .iter()
        .find(|c| c.id == conversation)
        .and_then(|c| c.info.as_ref())
        .map(|i| i.metadata.clone())
        .unwrap_or_default();
    if base == map {
        app.status = Some(Status::Info("No changes to the metadata.".into()));
        return vec![];
    }
    let mut ed = MetadataEditor::new(
        Target::Existing(conversation.to_string()),
        app.title_of(conversation),
        base,
    );
    ed.set_text(&metadata_text::to_text(&map));
    ed.stage = Stage::Editing;
    let question = ask_save(&mut ed).map(|changes| questions::save(&ed, &changes));
    let effect = draft(app, conversation.to_string(), Some(ed.draft()));
    app.modals.open_editor(Editor::Metadata(Box::new(ed)));
    if let Some(q) = question {
        app.modals.push(Modal::Confirm(q));
    }
    vec![effect]
}
