//! What the editors do with keys and pastes, and with the answers to their questions. Keys
//! are looked up in the keymap under the editor's context; the rest go to the text field.
//! Pure, like `update`.

use crossterm::event::KeyEvent;
use serde_json::{json, Value};
use tui_textarea::{Input, TextArea};

use super::metadata_text;
use super::questions;
use super::{json as items_json, ComposeStage, Composer, Editor, MetadataEditor, Queued, Stage};
use super::{Target, ROLES};
use crate::tui::keymap::Action;
use crate::tui::message::Effect;
use crate::tui::modal::{Confirm, Modal};
use crate::tui::state::{App, Status};

/// A draft write (`Some`) or delete (`None`), in order.
pub(super) fn draft(app: &mut App, name: String, text: Option<String>) -> Effect {
    app.draft_seq += 1;
    Effect::Draft {
        name,
        seq: app.draft_seq,
        text,
    }
}

/// What a key did to the editor.
enum Step {
    Keep(Vec<Effect>),
    Close(Vec<Effect>),
    /// Keep the editor open, with this question in front of it.
    Ask(Confirm),
}

/// Applies the input held during the draft check, once the editor takes text.
pub(super) fn replay(app: &mut App) -> Vec<Effect> {
    let ready = matches!(app.modals.front(), Some(Modal::Editor(e)) if e.is_editing());
    let Some(ed) = app.modals.editor_mut().filter(|_| ready) else {
        return vec![];
    };
    let queued = std::mem::take(ed.queued());
    let mut effects = Vec::new();
    for q in queued {
        effects.extend(match q {
            Queued::Key(ev) => on_key(app, ev),
            Queued::Paste(text) => on_paste(app, &text),
        });
    }
    effects
}

/// ctrl-j is a newline in a text area (a terminal sends it for a line feed, as in text
/// pasted without bracketed paste), never "delete to the start of the line".
fn newline_for_ctrl_j(ev: KeyEvent) -> KeyEvent {
    use crossterm::event::{KeyCode, KeyModifiers};
    if ev.code == KeyCode::Char('j') && ev.modifiers.contains(KeyModifiers::CONTROL) {
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)
    } else {
        ev
    }
}

/// A key for the editor in front.
pub fn on_key(app: &mut App, ev: KeyEvent) -> Vec<Effect> {
    let ev = newline_for_ctrl_j(ev);
    let Some(Modal::Editor(editor)) = app.modals.front_mut() else {
        return vec![];
    };
    let action = app.keymap.lookup(editor.context(), &ev);
    if editor.is_checking_draft() && action != Some(Action::Close) {
        editor.queued().push(Queued::Key(ev));
        return vec![];
    }
    let Some(Modal::Editor(mut editor)) = app.modals.pop() else {
        return vec![];
    };
    let step = match &mut editor {
        Editor::Metadata(ed) => metadata_key(app, ed, action, ev),
        Editor::Compose(c) => compose_key(app, c, action, ev),
    };
    let mut effects = match step {
        Step::Keep(effects) => {
            app.modals.push(Modal::Editor(editor));
            effects
        }
        Step::Close(effects) => effects,
        Step::Ask(confirm) => {
            app.modals.push(Modal::Editor(editor));
            app.modals.push(Modal::Confirm(confirm));
            vec![]
        }
    };
    effects.extend(replay(app));
    effects
}

/// Bracketed paste goes into the focused text field.
pub fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    let Some(Modal::Editor(editor)) = app.modals.front_mut() else {
        return vec![];
    };
    if editor.is_checking_draft() {
        editor.queued().push(Queued::Paste(text.to_string()));
        return vec![];
    }
    let (name, draft_text) = match editor {
        Editor::Metadata(ed) if ed.stage == Stage::Editing => {
            let area = active_area(ed);
            area.insert_str(text);
            ed.reparse();
            (ed.target.draft_name(), ed.draft())
        }
        Editor::Compose(c) if c.stage == ComposeStage::Editing => {
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

fn metadata_key(
    app: &mut App,
    ed: &mut MetadataEditor,
    action: Option<Action>,
    ev: KeyEvent,
) -> Step {
    match ed.stage {
        // Esc closes while the draft check runs; the draft stays for next time.
        Stage::CheckingDraft => Step::Close(vec![]),
        Stage::Saving => Step::Keep(vec![]),
        Stage::Editing => match action {
            Some(Action::Save) => match ask_save(ed) {
                Some(changes) => Step::Ask(questions::save(ed, &changes)),
                None => Step::Keep(vec![]),
            },
            Some(Action::Close) if ed.is_dirty() => Step::Ask(questions::discard_changes()),
            Some(Action::Close) => Step::Close(vec![draft(app, ed.target.draft_name(), None)]),
            Some(Action::SwitchField) if ed.message.is_some() => {
                ed.in_message = !ed.in_message;
                Step::Keep(vec![])
            }
            Some(Action::Undo) => {
                let changed = active_area(ed).undo();
                typed(app, ed, changed)
            }
            _ => {
                let changed = active_area(ed).input(Input::from(ev));
                typed(app, ed, changed)
            }
        },
    }
}

fn typed(app: &mut App, ed: &mut MetadataEditor, changed: bool) -> Step {
    if !changed {
        return Step::Keep(vec![]);
    }
    ed.reparse();
    ed.notice = None;
    // "N problems" and "not saved" were about the text before this change: the live count
    // takes their place (see `view::editor`).
    ed.error = None;
    let text = ed.draft();
    Step::Keep(vec![draft(app, ed.target.draft_name(), Some(text))])
}

/// ctrl-s: refuse with the reason, or answer the changes to show and ask about.
pub fn ask_save(ed: &mut MetadataEditor) -> Option<Vec<metadata_text::Change>> {
    ed.notice = None;
    ed.error = None;
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
        return None;
    }
    if let Err(e) = metadata_text::check(&parsed.map) {
        ed.error = Some(format!("Not saved, nothing was sent: {e}"));
        return None;
    }
    let changes = metadata_text::diff(&ed.base, &parsed.map);
    if changes.is_empty() && ed.target != Target::New {
        ed.notice = Some("No changes to save.".into());
        return None;
    }
    ed.error = None;
    Some(changes)
}

/// A yes to the save question: the update (or the new conversation) is sent.
pub fn save_confirmed(app: &mut App) -> Vec<Effect> {
    let Some(Editor::Metadata(ed)) = app.editor_mut() else {
        return vec![];
    };
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
    vec![effect]
}

/// A yes to "discard?": the editor closes and its draft goes.
pub fn discard_confirmed(app: &mut App) -> Vec<Effect> {
    let name = match app.modals.close_editor() {
        Some(Editor::Metadata(ed)) => {
            app.status = Some(Status::Info("Changes discarded.".into()));
            ed.target.draft_name()
        }
        Some(Editor::Compose(c)) => c.draft_name(),
        None => return vec![],
    };
    vec![draft(app, name, None)]
}

/// The answer to "restore the draft?": yes puts it back, no deletes it. Input held during
/// the draft check is applied after.
pub fn restore_answered(app: &mut App, text: &str, yes: bool) -> Vec<Effect> {
    let mut effects = Vec::new();
    let name = match app.editor_mut() {
        Some(Editor::Metadata(ed)) => {
            if yes {
                ed.restore(text);
            }
            ed.notice = Some(
                if yes {
                    "Draft restored."
                } else {
                    "Draft discarded."
                }
                .into(),
            );
            ed.target.draft_name()
        }
        Some(Editor::Compose(c)) => {
            if yes {
                compose_restore(c, text);
            }
            c.draft_name()
        }
        None => return effects,
    };
    if !yes {
        effects.push(draft(app, name, None));
    }
    effects.extend(replay(app));
    effects
}

pub(super) fn compose_draft(c: &Composer) -> String {
    json!({"role": c.role(), "json": c.json, "text": c.text()}).to_string()
}

fn compose_restore(c: &mut Composer, text: &str) {
    let v: Value = serde_json::from_str(text).unwrap_or_default();
    if let Some(r) = v.get("role").and_then(Value::as_str) {
        c.role = ROLES.iter().position(|x| *x == r).unwrap_or(0);
    }
    c.json = v.get("json").and_then(Value::as_bool).unwrap_or(false);
    let body = v.get("text").and_then(Value::as_str).unwrap_or("");
    c.area = super::textarea(body, false);
}

fn compose_key(app: &mut App, c: &mut Composer, action: Option<Action>, ev: KeyEvent) -> Step {
    match c.stage {
        ComposeStage::CheckingDraft => Step::Close(vec![]),
        ComposeStage::Sending { .. } => Step::Keep(vec![]),
        ComposeStage::Editing => {
            let changed = match action {
                Some(Action::Save) => return Step::Keep(send(c)),
                Some(Action::Close) if c.text().trim().is_empty() => {
                    return Step::Close(vec![draft(app, c.draft_name(), None)])
                }
                Some(Action::Close) => return Step::Ask(questions::discard_text()),
                Some(Action::ToggleJson) => {
                    c.json = !c.json;
                    c.error = None;
                    true
                }
                Some(Action::NextRole) => {
                    c.role = (c.role + 1) % ROLES.len();
                    true
                }
                Some(Action::PreviousRole) => {
                    c.role = (c.role + ROLES.len() - 1) % ROLES.len();
                    true
                }
                Some(Action::Undo) => c.area.undo(),
                _ => {
                    let changed = c.area.input(Input::from(ev));
                    if changed {
                        c.error = None;
                    }
                    changed
                }
            };
            if changed {
                Step::Keep(vec![draft(app, c.draft_name(), Some(compose_draft(c)))])
            } else {
                Step::Keep(vec![])
            }
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
