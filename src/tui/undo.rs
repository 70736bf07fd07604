//! `u` undoes the last delete, through the same code as `convtui restore`; and the second
//! confirm for a conversation whose items could not all be read for its backup.
//!
//! The API gives a re-created item a new id and adds it after the conversation's other items
//! (<https://platform.openai.com/docs/api-reference/conversations/create-items>); a
//! re-created conversation has a new id too
//! (<https://platform.openai.com/docs/api-reference/conversations/create>).

use ratatui::text::Line;

use super::message::Effect;
use super::modal::{Confirm, Modal, Pending};
use super::navigate::{reload_timeline, save_registry};
use super::sanitize;
use super::state::{App, ConvEntry, Failure, Status};
use crate::restore::Restored;

/// `u`: asks the runtime to restore the last delete on this server.
pub fn start(app: &mut App) -> Vec<Effect> {
    app.status = Some(Status::Info("Undoing the last delete…".into()));
    vec![Effect::UndoDelete]
}

/// What the undo brought back: the status says so, the panes show it.
pub fn on_undone(app: &mut App, result: Result<Restored, Failure>) -> Vec<Effect> {
    let restored = match result {
        Ok(r) => r,
        Err(f) => {
            app.status = Some(Status::Error(f));
            return vec![];
        }
    };
    let mut effects = Vec::new();
    match restored {
        Restored::Item {
            conversation,
            old_id,
            new_id,
            ..
        } => {
            app.status = Some(Status::Info(format!(
                "Restored item, with a new id, at the end of the conversation: {} is now {}",
                sanitize::line(&old_id),
                sanitize::line(&new_id)
            )));
            if app
                .timeline
                .as_ref()
                .is_some_and(|t| t.conversation == conversation)
            {
                effects.extend(reload_timeline(app));
            }
        }
        Restored::Conversation {
            old_id,
            new_id,
            items,
            ..
        } => {
            app.status = Some(Status::Info(format!(
                "Restored conversation, with a new id: {} is now {} ({items} item{})",
                sanitize::line(&old_id),
                sanitize::line(&new_id),
                if items == 1 { "" } else { "s" }
            )));
            if !app.convs.items.iter().any(|c| c.id == new_id) {
                app.convs.items.push(ConvEntry::new(new_id.clone()));
            }
            if let Some(i) = app.convs.items.iter().position(|c| c.id == new_id) {
                app.convs.selected = i;
            }
            if app.registry.add([new_id.as_str()]) > 0 {
                effects.push(save_registry(app));
            }
            effects.push(Effect::LoadConversation(new_id));
        }
    }
    effects
}

/// The delete was refused because the backup could not read every item: a second confirm
/// says how many were saved and offers to delete anyway.
pub fn on_partial(app: &mut App, id: &str, saved: u64, reason: &str) {
    let title = app.title_of(id);
    let mut lines = vec![Line::raw(sanitize::line(&title))];
    if title != id {
        lines.push(Line::raw(sanitize::line(id)));
    }
    lines.push(Line::raw(format!(
        "Its items could not all be read for the backup: {}",
        sanitize::truncate(&sanitize::line(reason), 120)
    )));
    lines.push(Line::raw(format!(
        "Only {saved} item{} could be saved. Delete it anyway, keeping just those?",
        if saved == 1 { "" } else { "s" }
    )));
    let pending = Pending::DeleteConversationPartial {
        id: id.to_string(),
        saved,
    };
    app.status = Some(Status::Warning(format!(
        "Not deleted: the backup holds only {saved} item(s)"
    )));
    app.modals.push(Modal::Confirm(Confirm::new(
        "Delete with a partial backup?",
        lines,
        pending,
    )));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use crate::tui::state::Timeline;

    fn app() -> App {
        App::new("p", "http://x/v1", Registry::default())
    }

    #[test]
    fn an_undone_item_says_it_has_a_new_id_and_reloads_its_timeline() {
        let mut a = app();
        a.timeline = Some(Timeline::new("conv_1", false, 1));
        let effects = on_undone(
            &mut a,
            Ok(Restored::Item {
                entry: 1,
                conversation: "conv_1".into(),
                old_id: "msg_old".into(),
                new_id: "msg_new".into(),
            }),
        );
        let Some(Status::Info(s)) = &a.status else {
            panic!("{:?}", a.status)
        };
        assert!(s.contains("msg_old") && s.contains("msg_new") && s.contains("new id"));
        assert!(
            matches!(effects.as_slice(), [Effect::LoadItems { conversation, after: None, .. }] if conversation == "conv_1"),
            "{effects:?}"
        );
    }

    #[test]
    fn an_undone_conversation_joins_the_list_and_the_registry() {
        let mut a = app();
        let effects = on_undone(
            &mut a,
            Ok(Restored::Conversation {
                entry: 1,
                old_id: "conv_old".into(),
                new_id: "conv_new".into(),
                items: 3,
            }),
        );
        assert_eq!(a.selected_conv().map(|c| c.id.as_str()), Some("conv_new"));
        assert!(a.registry.conversations.iter().any(|e| e.id == "conv_new"));
        assert!(effects.contains(&Effect::LoadConversation("conv_new".into())));
        assert!(effects.iter().any(|e| matches!(e, Effect::SaveRegistry(_))));
    }

    #[test]
    fn a_failed_undo_shows_the_error_and_changes_nothing() {
        let mut a = app();
        let effects = on_undone(&mut a, Err(Failure::new("nothing to undo")));
        assert!(effects.is_empty());
        assert!(matches!(&a.status, Some(Status::Error(f)) if f.message == "nothing to undo"));
        assert!(a.convs.items.is_empty());
    }

    #[test]
    fn a_partial_backup_asks_again_naming_how_many_were_saved() {
        let mut a = app();
        on_partial(&mut a, "conv_1", 2, "the server repeated a page");
        let Some(Modal::Confirm(c)) = a.modals.front() else {
            panic!("a confirm is in front")
        };
        assert_eq!(
            c.pending,
            Pending::DeleteConversationPartial {
                id: "conv_1".into(),
                saved: 2
            }
        );
        let text: String = c.lines.iter().map(|l| l.to_string() + "\n").collect();
        assert!(text.contains("Only 2 items could be saved"), "{text}");
        assert_eq!(c.tone, crate::tui::modal::Tone::Danger);
    }
}
