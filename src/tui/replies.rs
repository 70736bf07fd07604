//! What the answers of tasks do: each message from the runtime goes to the part it answers.
//! Results of an older generation are dropped.

use super::deletes::{on_conversation_deleted, on_item_deleted, on_marked_deleted};
use super::editor::replies as editor;
use super::message::{Effect, Message, PageData};
use super::navigate::{change_registry, conversation_gone};
use super::sanitize;
use super::state::{App, ConvEntry, ConvInfo, Failure, Status};
use crate::registry::Change;
use crate::tui::editor::{Editor, Target};

fn done(app: &mut App) {
    app.pending = app.pending.saturating_sub(1);
}

pub fn on_reply(app: &mut App, msg: Message) -> Vec<Effect> {
    match msg {
        Message::Key(_) | Message::Paste(_) | Message::Resize(..) | Message::Tick => vec![],
        Message::Mouse(_) => vec![],
        Message::ConversationsListed(result) => {
            done(app);
            if let Err(f) = &result {
                if let Some(effects) = super::offline::still_offline(app, f) {
                    return effects;
                }
            }
            let answered = result.is_ok();
            on_listed(app, result);
            if answered {
                super::offline::on_listed(app)
            } else {
                vec![]
            }
        }
        Message::ConversationLoaded { id, result } => {
            done(app);
            if super::offline::unanswered_while_offline(app, &result) {
                return vec![];
            }
            on_conversation(app, &id, result)
        }
        Message::ItemsLoaded {
            conversation,
            generation,
            result,
        } => {
            done(app);
            let mut effects = on_page(app, &conversation, generation, result);
            super::undo::after_page(app);
            effects.extend(super::search::after_page(app));
            effects.extend(super::offline::after_live_page(app));
            effects
        }
        Message::ItemDeleted {
            conversation,
            item,
            result,
        } => {
            done(app);
            on_item_deleted(app, &conversation, &item, result);
            vec![]
        }
        Message::MarkedDeleted {
            conversation,
            deleted,
            failed,
        } => {
            done(app);
            on_marked_deleted(app, &conversation, deleted, failed);
            vec![]
        }
        Message::ConversationDeleted { id, result } => {
            done(app);
            on_conversation_deleted(app, &id, result)
        }
        Message::RegistrySaved(result) => {
            match result {
                Ok(Some((registry, upto))) => {
                    super::navigate::registry_written(app, registry, upto)
                }
                Ok(None) => {}
                // The changes stay in the app's list: the next change writes them too.
                Err(e) => app.status = Some(Status::Error(Failure::new(e))),
            }
            vec![]
        }
        Message::RegistryRead(result) => match result {
            Ok(registry) => super::navigate::registry_read(app, registry),
            Err(e) => {
                app.status = Some(Status::Error(Failure::new(e)));
                vec![]
            }
        },
        Message::MetadataConflict {
            conversation,
            current,
        } => {
            done(app);
            editor::on_metadata_conflict(app, &conversation, current);
            vec![]
        }
        Message::MetadataSaved {
            conversation,
            result,
        } => {
            done(app);
            editor::on_metadata_saved(app, &conversation, result)
        }
        Message::ConversationCreated(result) => {
            done(app);
            editor::on_created(app, result)
        }
        Message::ItemsProgress {
            conversation,
            sent,
            total,
        } => {
            editor::on_items_progress(app, &conversation, sent, total);
            vec![]
        }
        Message::ItemsAdded {
            conversation,
            sent,
            total,
            result,
        } => {
            done(app);
            editor::on_items_added(app, &conversation, sent, total, result)
        }
        Message::DraftLoaded { name, result } => editor::on_draft_loaded(app, &name, result),
        Message::DraftWritten(result) => {
            if let Err(e) = result {
                app.status = Some(Status::Warning(format!(
                    "The draft could not be written: {e}"
                )));
            }
            vec![]
        }
        Message::ExportProgress {
            conversation,
            progress,
        } => {
            super::export::on_progress(app, &conversation, progress);
            vec![]
        }
        Message::ExportDone { result } => {
            super::export::on_done(app, result);
            vec![]
        }
        Message::ProfileReady(result) => super::profiles::on_ready(app, *result),
        Message::PagerClosed(result) => {
            super::pager::closed(app, result);
            vec![]
        }
        Message::ExternalEdited {
            conversation,
            result,
        } => editor::on_external_edited(app, &conversation, result),
        Message::Undone(result) => {
            done(app);
            super::undo::on_undone(app, result)
        }
        Message::DeletePartial { id, saved, reason } => {
            done(app);
            super::undo::on_partial(app, &id, saved, &reason);
            vec![]
        }
        Message::Searched { generation, result } => {
            super::search::on_result(app, generation, result);
            vec![]
        }
        Message::Unreachable(failure) => super::offline::on_unreachable(app, failure),
        Message::MirrorRead(result) => {
            super::offline::on_mirror_read(app, result);
            vec![]
        }
        Message::MirrorItemsLoaded {
            conversation,
            generation,
            result,
            unread,
        } => {
            let result = result.map(|(page, gone)| {
                super::offline::mark_copy_gone(app, &conversation, &gone);
                page
            });
            let current = app
                .timeline
                .as_ref()
                .is_some_and(|t| t.conversation == conversation && t.paging.accepts(generation));
            let effects = on_reply(
                app,
                Message::ItemsLoaded {
                    conversation,
                    generation,
                    result,
                },
            );
            if unread && current {
                app.status = Some(Status::Warning(super::offline::UNREAD.into()));
            }
            effects
        }
        Message::RetryDue => super::offline::on_retry_due(app),
        Message::DetailRendered(r) => {
            let rows = app.geometry.detail_size().0;
            app.detail.on_rendered(r, rows);
            vec![]
        }
    }
}

fn on_listed(app: &mut App, result: Result<Option<Vec<(String, ConvInfo)>>, Failure>) {
    app.listing = crate::tui::load::Load::of(&result);
    match result {
        Ok(Some(list)) => {
            for (id, info) in list {
                if app.registry.is_hidden(&id) {
                    continue;
                }
                match app.conv_mut(&id) {
                    Some(entry) => {
                        entry.info = Some(info);
                        entry.gone = false;
                    }
                    None => app.convs.items.push(ConvEntry {
                        id,
                        info: Some(info),
                        gone: false,
                    }),
                }
            }
        }
        Ok(None) => {}
        Err(f) => app.status = Some(Status::Error(f)),
    }
    app.sort_convs();
}

fn on_conversation(app: &mut App, id: &str, result: Result<ConvInfo, Failure>) -> Vec<Effect> {
    if let (Ok(info), Some(Editor::Metadata(ed))) = (&result, app.editor_mut()) {
        if matches!(&ed.target, Target::Existing(t) if t == id) {
            ed.rebase(info.metadata.clone());
        }
    }
    let opening = app.opening.take_if(|o| o.id == id);
    let opened_by_id = opening.is_some();
    let mut effects = Vec::new();
    match result {
        Ok(info) => {
            if let Some(entry) = app.conv_mut(id) {
                entry.info = Some(info);
                entry.gone = false;
            }
            if opened_by_id {
                effects.extend(change_registry(app, Change::Add(id.to_string())));
            }
        }
        Err(f) if f.is_not_found() && opened_by_id => {
            // A mistyped id leaves nothing behind: the list and the screen are as before.
            app.convs.items.retain(|c| c.id != id);
            app.convs.clamp();
            if let Some(o) = opening {
                if app.timeline.as_ref().is_some_and(|t| t.conversation == id) {
                    app.timeline = o.previous.map(|mut t| {
                        // Its requests in flight were dropped as stale meanwhile.
                        t.paging.loading = false;
                        t.paging.reloading = None;
                        t
                    });
                    app.focus = o.focus;
                    // The mirror's copy, and the server answers now: live data replaces it.
                    if o.offline && !app.offline.active {
                        super::offline::check_copy(app);
                        effects.extend(super::navigate::reload_timeline(app));
                    }
                }
            }
            app.status = Some(Status::Error(Failure {
                message: format!("No conversation with id '{}' here.", sanitize::line(id)),
                ..f
            }));
        }
        Err(f) if f.is_not_found() => conversation_gone(app, id),
        Err(f) => app.status = Some(Status::Error(f)),
    }
    app.sort_convs();
    effects
}

fn on_page(
    app: &mut App,
    conversation: &str,
    generation: u64,
    result: Result<PageData, Failure>,
) -> Vec<Effect> {
    let Some(tl) = app.timeline.as_mut() else {
        return vec![];
    };
    if !tl.paging.accepts(generation) || tl.conversation != conversation {
        return vec![]; // stale: the user has moved on
    }
    let page = match result {
        Ok(p) => p,
        Err(f) => {
            tl.failed = Some(f.to_string());
            if tl.paging.failed() && f.is_not_found() {
                conversation_gone(app, conversation);
            }
            app.status = Some(Status::Error(f));
            return vec![];
        }
    };
    tl.failed = None;
    let (arrived, next) = tl.on_page(&page);
    if let Some(w) = arrived.stalled {
        app.status = Some(Status::Warning(w));
    }
    if let Some(why) = tl.paging.limit_hit.take() {
        app.status = Some(Status::Error(Failure::new(format!("Loading {why}"))));
    }
    // Offline, a reload reads the copy again: it is not news of the server.
    let quiet = app.status.is_some() || app.offline.active;
    if let Some(asc) = arrived.reloaded.filter(|_| !quiet) {
        let order = if asc { "oldest first" } else { "newest first" };
        app.status = Some(Status::Info(format!("Reloaded, {order}")));
    }
    if !tl.paging.has_more && tl.paging.load_all {
        tl.paging.load_all = false;
        if app.status.is_none() {
            app.status = Some(Status::Info(format!(
                "All {} items loaded",
                tl.list.items.len()
            )));
        }
    }
    next.into_iter().collect()
}
