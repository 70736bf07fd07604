//! What the editors do with keys, pastes and answers. Pure, like `update`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{json, Value};
use tui_textarea::{Input, TextArea};

use super::metadata_text::{self, Metadata};
use super::{
    json as items_json, ComposeStage, Composer, Editor, MetadataEditor, Queued, Stage, Target,
};
use crate::tui::message::Effect;
use crate::tui::sanitize;
use crate::tui::state::{App, ConvEntry, ConvInfo, Failure, Focus, Status};
use crate::tui::update;

fn is_ctrl(ev: &KeyEvent, c: char) -> bool {
    ev.code == KeyCode::Char(c) && ev.modifiers.contains(KeyModifiers::CONTROL)
}

fn yes(ev: &KeyEvent) -> bool {
    matches!(
        ev.code,
        KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter
    )
}

fn no(ev: &KeyEvent) -> bool {
    matches!(
        ev.code,
        KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc
    )
}

/// A draft write (`Some`) or delete (`None`), in order.
fn draft(app: &mut App, name: String, text: Option<String>) -> Effect {
    app.draft_seq += 1;
    Effect::Draft {
        name,
        seq: app.draft_seq,
        text,
    }
}

/// The conversation the keys act on: the selected one in the list, else the open one.
pub fn current_conversation(app: &App) -> Option<String> {
    match app.focus {
        Focus::Conversations => app.selected_conv().map(|c| c.id.clone()),
        _ => app.timeline.as_ref().map(|t| t.conversation.clone()),
    }
}

fn title_of(app: &App, id: &str) -> String {
    app.convs
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.title().to_string())
        .unwrap_or_else(|| id.to_string())
}

/// The loaded metadata of a conversation, or a message saying why there is none yet.
fn loaded_metadata(app: &mut App, id: &str) -> Result<Metadata, Vec<Effect>> {
    let entry = app.convs.iter().find(|c| c.id == id);
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
    let title = title_of(app, &id);
    let ed = MetadataEditor::new(Target::Existing(id.clone()), title, base);
    app.editor = Some(Editor::Metadata(Box::new(ed)));
    // What was loaded may be stale: fetch it again; the editor follows (see `rebase`).
    vec![
        Effect::LoadConversation(id.clone()),
        Effect::LoadDraft { name: id },
    ]
}

/// `n`: a new conversation.
pub fn open_new(app: &mut App) -> Vec<Effect> {
    let ed = MetadataEditor::new(Target::New, "New conversation".into(), Metadata::new());
    app.editor = Some(Editor::Metadata(Box::new(ed)));
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
    let c = Composer::new(id.clone(), title_of(app, &id));
    let name = c.draft_name();
    app.editor = Some(Editor::Compose(Box::new(c)));
    vec![Effect::LoadDraft { name }]
}

/// Whether the open editor is still checking for a draft.
fn checking_draft(app: &App) -> bool {
    match &app.editor {
        Some(Editor::Metadata(ed)) => ed.stage == Stage::CheckingDraft,
        Some(Editor::Compose(c)) => c.stage == ComposeStage::CheckingDraft,
        None => false,
    }
}

/// Whether the open editor takes text now.
fn editing(app: &App) -> bool {
    match &app.editor {
        Some(Editor::Metadata(ed)) => ed.stage == Stage::Editing,
        Some(Editor::Compose(c)) => c.stage == ComposeStage::Editing,
        None => false,
    }
}

/// Applies the input held during the draft check, once the editor takes text.
fn replay(app: &mut App) -> Vec<Effect> {
    if app.editor.is_none() {
        app.editor_queue.clear();
    }
    if !editing(app) || app.editor_queue.is_empty() {
        return vec![];
    }
    let queued = std::mem::take(&mut app.editor_queue);
    let mut effects = Vec::new();
    for q in queued {
        effects.extend(match q {
            Queued::Key(ev) => on_key(app, ev),
            Queued::Paste(text) => on_paste(app, &text),
        });
    }
    effects
}

pub fn on_key(app: &mut App, ev: KeyEvent) -> Vec<Effect> {
    if checking_draft(app) && ev.code != KeyCode::Esc {
        app.editor_queue.push(Queued::Key(ev));
        return vec![];
    }
    let mut effects = editor_key(app, ev);
    effects.extend(replay(app));
    effects
}

fn editor_key(app: &mut App, ev: KeyEvent) -> Vec<Effect> {
    match app.editor.take() {
        Some(Editor::Metadata(mut ed)) => {
            let (keep, effects) = metadata_key(app, &mut ed, ev);
            if keep {
                app.editor = Some(Editor::Metadata(ed));
            }
            effects
        }
        Some(Editor::Compose(mut c)) => {
            let (keep, effects) = compose_key(app, &mut c, ev);
            if keep {
                app.editor = Some(Editor::Compose(c));
            }
            effects
        }
        None => vec![],
    }
}

/// Bracketed paste goes into the focused text field.
pub fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    if checking_draft(app) {
        app.editor_queue.push(Queued::Paste(text.to_string()));
        return vec![];
    }
    let (name, draft_text) = match app.editor.as_mut() {
        Some(Editor::Metadata(ed)) if ed.stage == Stage::Editing => {
            let area = active_area(ed);
            area.insert_str(text);
            ed.reparse();
            (ed.target.draft_name(), ed.draft())
        }
        Some(Editor::Compose(c)) if c.stage == ComposeStage::Editing => {
            c.area.insert_str(text);
            (c.draft_name(), compose_draft(c))
        }
        _ => return vec![],
    };
    vec![draft(app, name, Some(draft_text))]
}

fn active_area(ed: &mut MetadataEditor) -> &mut TextArea<'static> {
    match (ed.in_message, ed.message.as_mut()) {
        (true, Some(m)) => m,
        _ => &mut ed.area,
    }
}

/// Answers (keep the editor open?, effects).
fn metadata_key(app: &mut App, ed: &mut MetadataEditor, ev: KeyEvent) -> (bool, Vec<Effect>) {
    match ed.stage.clone() {
        Stage::CheckingDraft | Stage::Saving => {
            (ev.code != KeyCode::Esc || ed.stage == Stage::Saving, vec![])
        }
        Stage::OfferDraft(text) => {
            if yes(&ev) {
                ed.restore(&text);
                ed.stage = Stage::Editing;
                ed.notice = Some("Draft restored.".into());
                (true, vec![])
            } else if no(&ev) {
                ed.stage = Stage::Editing;
                ed.notice = Some("Draft discarded.".into());
                (true, vec![draft(app, ed.target.draft_name(), None)])
            } else {
                (true, vec![])
            }
        }
        Stage::ConfirmSave(_) => {
            if yes(&ev) {
                ed.stage = Stage::Saving;
                ed.error = None;
                ed.notice = None;
                let metadata = ed.parsed.map.clone();
                let effect = match &ed.target {
                    Target::Existing(id) => Effect::UpdateMetadata {
                        conversation: id.clone(),
                        metadata,
                        base: ed.base.clone(),
                    },
                    Target::New => {
                        let text = ed.message_text();
                        let items = if text.trim().is_empty() {
                            vec![]
                        } else {
                            vec![json!({"type": "message", "role": "user", "content": text})]
                        };
                        Effect::CreateConversation { metadata, items }
                    }
                };
                (true, vec![effect])
            } else {
                if no(&ev) {
                    ed.stage = Stage::Editing;
                }
                (true, vec![])
            }
        }
        Stage::ConfirmDiscard => {
            if yes(&ev) {
                app.status = Some(Status::Info("Changes discarded.".into()));
                (false, vec![draft(app, ed.target.draft_name(), None)])
            } else {
                if no(&ev) {
                    ed.stage = Stage::Editing;
                }
                (true, vec![])
            }
        }
        Stage::Editing => {
            if is_ctrl(&ev, 's') {
                ask_save(ed);
                return (true, vec![]);
            }
            if ev.code == KeyCode::Esc {
                if ed.is_dirty() {
                    ed.stage = Stage::ConfirmDiscard;
                    return (true, vec![]);
                }
                return (false, vec![draft(app, ed.target.draft_name(), None)]);
            }
            if ev.code == KeyCode::Tab && ed.message.is_some() {
                ed.in_message = !ed.in_message;
                return (true, vec![]);
            }
            if active_area(ed).input(Input::from(ev)) {
                ed.reparse();
                ed.notice = None;
                let text = ed.draft();
                return (true, vec![draft(app, ed.target.draft_name(), Some(text))]);
            }
            (true, vec![])
        }
    }
}

/// ctrl-s: refuse with the reason, or show the diff and ask.
pub fn ask_save(ed: &mut MetadataEditor) {
    ed.notice = None;
    let parsed = &ed.parsed;
    if !parsed.is_valid() {
        let count = parsed.errors.len();
        let first = &parsed.errors[0];
        let reason = if parsed.pairs.len() > crate::protocol::validate::MAX_METADATA_PAIRS {
            metadata_text::too_many_message(parsed.pairs.len())
        } else {
            format!("line {}: {}", first.line + 1, first.message)
        };
        ed.error = Some(format!(
            "Not saved, nothing was sent: {count} problem{} · {reason}",
            if count == 1 { "" } else { "s" }
        ));
        return;
    }
    if let Err(e) = metadata_text::check(&parsed.map) {
        ed.error = Some(format!("Not saved, nothing was sent: {e}"));
        return;
    }
    let changes = metadata_text::diff(&ed.base, &parsed.map);
    if changes.is_empty() && ed.target != Target::New {
        ed.notice = Some("No changes to save.".into());
        return;
    }
    ed.error = None;
    ed.stage = Stage::ConfirmSave(changes);
}

fn compose_draft(c: &Composer) -> String {
    json!({"role": c.role(), "json": c.json, "text": c.text()}).to_string()
}

fn compose_restore(c: &mut Composer, text: &str) {
    let v: Value = serde_json::from_str(text).unwrap_or_default();
    if let Some(r) = v.get("role").and_then(Value::as_str) {
        c.role = super::ROLES.iter().position(|x| *x == r).unwrap_or(0);
    }
    c.json = v.get("json").and_then(Value::as_bool).unwrap_or(false);
    let body = v.get("text").and_then(Value::as_str).unwrap_or("");
    c.area = super::textarea(body, false);
}

fn compose_key(app: &mut App, c: &mut Composer, ev: KeyEvent) -> (bool, Vec<Effect>) {
    match c.stage.clone() {
        ComposeStage::CheckingDraft => (ev.code != KeyCode::Esc, vec![]),
        ComposeStage::Sending { .. } => (true, vec![]),
        ComposeStage::OfferDraft(text) => {
            if yes(&ev) {
                compose_restore(c, &text);
                c.stage = ComposeStage::Editing;
                (true, vec![])
            } else if no(&ev) {
                c.stage = ComposeStage::Editing;
                (true, vec![draft(app, c.draft_name(), None)])
            } else {
                (true, vec![])
            }
        }
        ComposeStage::ConfirmDiscard => {
            if yes(&ev) {
                (false, vec![draft(app, c.draft_name(), None)])
            } else {
                if no(&ev) {
                    c.stage = ComposeStage::Editing;
                }
                (true, vec![])
            }
        }
        ComposeStage::Editing => {
            if is_ctrl(&ev, 's') {
                return (true, send(c));
            }
            if ev.code == KeyCode::Esc {
                if c.text().trim().is_empty() {
                    return (false, vec![draft(app, c.draft_name(), None)]);
                }
                c.stage = ComposeStage::ConfirmDiscard;
                return (true, vec![]);
            }
            if is_ctrl(&ev, 't') {
                c.json = !c.json;
                c.error = None;
                return (
                    true,
                    vec![draft(app, c.draft_name(), Some(compose_draft(c)))],
                );
            }
            if !c.json && matches!(ev.code, KeyCode::Tab | KeyCode::BackTab) {
                let n = super::ROLES.len();
                c.role = if ev.code == KeyCode::Tab {
                    (c.role + 1) % n
                } else {
                    (c.role + n - 1) % n
                };
                return (
                    true,
                    vec![draft(app, c.draft_name(), Some(compose_draft(c)))],
                );
            }
            if c.area.input(Input::from(ev)) {
                c.error = None;
                return (
                    true,
                    vec![draft(app, c.draft_name(), Some(compose_draft(c)))],
                );
            }
            (true, vec![])
        }
    }
}

/// The composer's items, or why there are none.
pub fn compose_items(c: &Composer) -> Result<Vec<Value>, String> {
    let text = c.text();
    if text.trim().is_empty() {
        return Err("Nothing to send: type a message, or ctrl-t for JSON items.".into());
    }
    if c.json {
        items_json::items_from_text(&text)
    } else {
        Ok(vec![
            json!({"type": "message", "role": c.role(), "content": text}),
        ])
    }
}

/// Shown when a message looks like JSON items; a second ctrl-s sends it as a message anyway.
const LOOKS_LIKE_ITEMS: &str = "This message looks like JSON items. ctrl-t sends them as items; ctrl-s again sends it as a message.";

fn send(c: &mut Composer) -> Vec<Effect> {
    let warned = c.error.as_deref() == Some(LOOKS_LIKE_ITEMS);
    if !c.json && !warned && items_json::items_from_text(&c.text()).is_ok() {
        c.error = Some(LOOKS_LIKE_ITEMS.into());
        return vec![];
    }
    match compose_items(c) {
        Ok(items) => {
            c.error = None;
            c.stage = ComposeStage::Sending {
                sent: 0,
                total: items.len(),
            };
            vec![Effect::AddItems {
                conversation: c.conversation.clone(),
                items,
            }]
        }
        Err(e) => {
            c.error = Some(format!("Not sent: {e}"));
            vec![]
        }
    }
}

pub fn on_draft_loaded(
    app: &mut App,
    name: &str,
    result: Result<Option<String>, String>,
) -> Vec<Effect> {
    match app.editor.as_mut() {
        Some(Editor::Metadata(ed))
            if ed.stage == Stage::CheckingDraft && ed.target.draft_name() == name =>
        {
            ed.stage = match result {
                Ok(Some(d)) if d != ed.draft() => Stage::OfferDraft(d),
                Ok(_) => Stage::Editing,
                Err(e) => {
                    ed.error = Some(format!("Could not read the draft: {e}"));
                    Stage::Editing
                }
            };
        }
        Some(Editor::Compose(c))
            if c.stage == ComposeStage::CheckingDraft && c.draft_name() == name =>
        {
            c.stage = match result {
                Ok(Some(d)) if d != compose_draft(c) => ComposeStage::OfferDraft(d),
                Ok(_) => ComposeStage::Editing,
                Err(e) => {
                    c.error = Some(format!("Could not read the draft: {e}"));
                    ComposeStage::Editing
                }
            };
        }
        _ => {}
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
    let Some(Editor::Metadata(ed)) = app.editor.as_mut() else {
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
            if let Some(Editor::Metadata(ed)) = app.editor.as_mut() {
                ed.error = Some(format!(
                    "Not saved: {f}. Your text is kept here and in the draft."
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
    let Some(Editor::Metadata(ed)) = app.editor.as_mut() else {
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
            if let Some(Editor::Metadata(ed)) = app.editor.as_mut() {
                if ed.target == Target::New {
                    ed.stage = Stage::Editing;
                    ed.error = Some(format!(
                        "Not created: {f}. Your text is kept here and in the draft."
                    ));
                    return vec![];
                }
            }
            app.status = Some(Status::Error(f));
            return vec![];
        }
    };
    let mut effects = Vec::new();
    if matches!(&app.editor, Some(Editor::Metadata(ed)) if ed.target == Target::New) {
        app.editor = None;
        effects.push(draft(app, "new".into(), None));
    }
    if app.registry.add([id.as_str()]) > 0 {
        effects.push(Effect::SaveRegistry(app.registry.clone()));
    }
    app.convs.retain(|c| c.id != id);
    app.convs.push(ConvEntry {
        id: id.clone(),
        info: Some(info),
        gone: false,
    });
    app.conv_selected = app.convs.len() - 1;
    app.sort_convs();
    effects.extend(update::open_conversation(app, &id));
    app.status = Some(Status::Info(format!("Created {}", sanitize::line(&id))));
    effects
}

pub fn on_items_progress(app: &mut App, conversation: &str, sent: usize, total: usize) {
    if let Some(Editor::Compose(c)) = app.editor.as_mut() {
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
        effects.extend(update::reload_timeline(app));
    }
    let composer = match app.editor.as_mut() {
        Some(Editor::Compose(c)) if c.conversation == conversation => Some(c),
        _ => None,
    };
    match (result, composer) {
        (Ok(()), Some(c)) => {
            let name = c.draft_name();
            app.editor = None;
            app.status = Some(Status::Info(format!("Added {sent} item{}", plural(sent))));
            effects.push(draft(app, name, None));
        }
        (Ok(()), None) => {
            app.status = Some(Status::Info(format!("Added {sent} item{}", plural(sent))));
        }
        (Err(f), Some(c)) => {
            c.stage = ComposeStage::Editing;
            let mut msg = format!("Added {sent} of {total}; the rest were not sent: {f}");
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
            if let Some(Editor::Compose(c)) = app.editor.as_mut() {
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
        title_of(app, conversation),
        base,
    );
    ed.set_text(&metadata_text::to_text(&map));
    ed.stage = Stage::Editing;
    ask_save(&mut ed);
    let effect = draft(app, conversation.to_string(), Some(ed.draft()));
    app.editor = Some(Editor::Metadata(Box::new(ed)));
    vec![effect]
}
