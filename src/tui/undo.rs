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
use super::navigate::{change_registry, reload_timeline};
use super::sanitize;
use super::state::{App, ConvEntry, Failure, Status};
use crate::registry::Change;
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
            // The new id first: a narrow status line cuts the end.
            app.status = Some(Status::Info(format!(
                "Restored item as {}, a new id, at the end of the conversation (it was {})",
                sanitize::line(&new_id),
                sanitize::line(&old_id)
            )));
            if app
                .timeline
                .as_ref()
                .is_some_and(|t| t.conversation == conversation)
            {
                effects.extend(reload_timeline(app));
                app.restored = Some((conversation, new_id));
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
            effects.extend(change_registry(app, Change::Add(new_id.clone())));
            effects.push(Effect::LoadConversation(new_id));
        }
    }
    effects
}

/// After a page of the timeline: the item `u` brought back is selected if the reloaded
/// timeline shows it (newest first it is on the first page; oldest first, only once every
/// page before it is loaded, and then it is not looked for further).
pub fn after_page(app: &mut App) {
    let Some((conversation, id)) = app.restored.take() else {
        return;
    };
    let Some(tl) = app
        .timeline
        .as_mut()
        .filter(|t| t.conversation == conversation)
    else {
        return;
    };
    if tl.paging.reloading.is_some() {
        // The reload's first page has not come yet.
        app.restored = Some((conversation, id));
        return;
    }
    if let Some(pos) = tl
        .list
        .items
        .iter()
        .position(|l| l.id() == Some(id.as_str()))
    {
        let hidden = tl.list.shown_indices().is_some_and(|s| !s.contains(&pos));
        if !hidden {
            tl.list.selected = pos;
            tl.paging.follow_end = false;
            app.detail.scroll = 0;
        }
    }
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
    use crate::tui::loaded::Loaded;
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

    fn restored_item(a: &mut App) -> Vec<Effect> {
        on_undone(
            a,
            Ok(Restored::Item {
                entry: 1,
                conversation: "conv_1".into(),
                old_id: "msg_6732aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
                new_id: "msg_new".into(),
            }),
        )
    }

    fn page_of(a: &mut App, generation: u64, ids: &[&str], has_more: bool) {
        let items = ids
            .iter()
            .map(
                |i| serde_json::json!({"type": "message", "id": i, "role": "user", "content": "x"}),
            )
            .collect();
        crate::tui::update::update(
            a,
            crate::tui::message::Message::ItemsLoaded {
                conversation: "conv_1".into(),
                generation,
                result: Ok(crate::tui::message::PageData::of(items, has_more)),
            },
        );
    }

    fn generation_of(effects: &[Effect]) -> u64 {
        match effects {
            [Effect::LoadItems { generation, .. }] => *generation,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_status_names_the_new_id_first_and_the_restored_item_is_selected() {
        let mut a = app();
        a.timeline = Some(Timeline::new("conv_1", false, 1));
        page_of(&mut a, 1, &["msg_2", "msg_1"], false);
        a.timeline.as_mut().unwrap().list.selected = 1;
        let effects = restored_item(&mut a);
        let Some(Status::Info(s)) = &a.status else {
            panic!("{:?}", a.status)
        };
        assert!(s.starts_with("Restored item as msg_new"), "{s}");
        // Newest first, the restored item heads the reloaded first page.
        page_of(
            &mut a,
            generation_of(&effects),
            &["msg_new", "msg_2", "msg_1"],
            false,
        );
        let tl = a.timeline.as_ref().unwrap();
        assert_eq!(tl.selected_item().and_then(Loaded::id), Some("msg_new"));
        assert_eq!(a.restored, None);
    }

    #[test]
    fn oldest_first_the_restored_item_is_selected_only_if_loaded() {
        let mut a = app();
        a.timeline = Some(Timeline::new("conv_1", true, 1));
        page_of(&mut a, 1, &["msg_1", "msg_2"], false);
        let effects = restored_item(&mut a);
        page_of(
            &mut a,
            generation_of(&effects),
            &["msg_1", "msg_2", "msg_new"],
            false,
        );
        let tl = a.timeline.as_ref().unwrap();
        assert_eq!(tl.selected_item().and_then(Loaded::id), Some("msg_new"));
        // More pages before it: the selection stays where the reload put it, nothing waits.
        let effects = restored_item(&mut a);
        page_of(&mut a, generation_of(&effects), &["msg_1"], true);
        let tl = a.timeline.as_ref().unwrap();
        assert_eq!(tl.selected_item().and_then(Loaded::id), Some("msg_1"));
        assert_eq!(a.restored, None);
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
