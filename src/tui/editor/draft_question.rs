//! "Restore the draft?": y restores it, d discards it, n or Esc mean "not now" (the editor
//! closes and the draft stays, to be offered again). The question appears while the user may
//! be typing, so keys that came before it was drawn, or in one burst of input, are text for
//! the editor behind it, applied after the answer: they never answer it.

use crossterm::event::KeyEvent;

use super::keys::restore_answered;
use super::Queued;
use crate::tui::keymap::Action;
use crate::tui::message::Effect;
use crate::tui::modal::{Modal, Pending};
use crate::tui::state::{App, Status};

/// Whether the front modal is the draft question.
fn in_front(app: &App) -> bool {
    matches!(
        app.modals.front(),
        Some(Modal::Confirm(c)) if matches!(c.pending, Pending::RestoreDraft(_))
    )
}

/// A key while the draft question is in front; `None` when it is not.
pub fn on_key(app: &mut App, ev: KeyEvent, action: Option<Action>) -> Option<Vec<Effect>> {
    if !in_front(app) {
        return None;
    }
    let armed = matches!(app.modals.front(), Some(Modal::Confirm(c)) if c.armed);
    let answer = match action {
        Some(a @ (Action::Yes | Action::No | Action::Discard)) if armed => a,
        _ => {
            // Text, not an answer: the editor behind takes it once the question is answered.
            if let Some(ed) = app.modals.editor_mut() {
                ed.queued().push(Queued::Key(ev));
            }
            return Some(vec![]);
        }
    };
    let Some(Modal::Confirm(c)) = app.modals.pop() else {
        return Some(vec![]);
    };
    let Pending::RestoreDraft(text) = c.pending else {
        return Some(vec![]);
    };
    Some(match answer {
        Action::Yes => restore_answered(app, &text, true),
        Action::Discard => restore_answered(app, &text, false),
        _ => {
            app.modals.close_editor();
            app.status = Some(Status::Info(
                "Not now: the draft is kept and offered again next time.".into(),
            ));
            vec![]
        }
    })
}

/// A paste while the draft question is in front goes to the editor behind it, after the
/// answer. Answers false when the question is not in front.
pub fn on_paste(app: &mut App, text: &str) -> bool {
    if !in_front(app) {
        return false;
    }
    if let Some(ed) = app.modals.editor_mut() {
        ed.queued().push(Queued::Paste(text.to_string()));
    }
    true
}
