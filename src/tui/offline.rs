//! Offline reading: when the server cannot be reached at all (no connection, or no answer in
//! time; an error status is an answer), the UI offers the local mirror. Then the conversation
//! list and the timelines are read from the mirror, read-only, and the header says how old
//! the copy is. The server is asked again on a timer (and with `R`); when it answers, live
//! data replaces the copy, and items the copy had that the server no longer has are marked
//! "gone on the server".
//!
//! Conversations and their items are those of
//! <https://platform.openai.com/docs/api-reference/conversations>.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use ratatui::text::Line;

use super::loaded::Loaded;
use super::message::{Effect, PageData};
use super::modal::{Confirm, Modal, Pending};
use super::sanitize;
use super::state::{App, ConvEntry, ConvInfo, Failure, Status};
use crate::api::{ApiError, ErrorKind};
use crate::mirror::read::MirroredConversation;

/// Seconds between two tries of the server while offline.
pub const RETRY_SECS: u64 = 10;

/// Most conversations read from the mirror.
pub const MAX_CONVERSATIONS: usize = 1000;

/// The copy's items shown when the server came back, in the order shown, to find those the
/// server no longer has as its pages arrive.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub conversation: String,
    pub ascending: bool,
    pub copy: Vec<Loaded>,
    /// The copy's items before this one are settled.
    pub done: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Offline {
    /// Reading from the mirror.
    pub active: bool,
    /// The mirror was offered once already.
    pub offered: bool,
    /// Unix seconds of the newest write of the whole copy, and of each conversation's.
    pub copy_at: Option<i64>,
    pub written: HashMap<String, i64>,
    pub check: Option<Check>,
    /// A timer to try the server again is running (there is never more than one).
    pub retrying: bool,
    /// `R` asked the server again and its answer is still to come.
    pub asked: bool,
}

/// No answer at all: the connection failed, or the answer did not come in time.
pub fn is_unreachable(e: &ApiError) -> bool {
    matches!(
        e.kind,
        ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Network
    )
}

/// `3 h ago`
pub fn age(now: i64, then: i64) -> String {
    let d = (now - then).max(0);
    match d {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", d / 60),
        3600..=86_399 => format!("{} h ago", d / 3600),
        _ => format!("{} d ago", d / 86_400),
    }
}

/// What the header says while offline: `offline · copy from 3 h ago`.
pub fn header(app: &App) -> Option<String> {
    if !app.offline.active {
        return None;
    }
    let at = app
        .timeline
        .as_ref()
        .and_then(|t| app.offline.written.get(&t.conversation).copied())
        .or(app.offline.copy_at);
    Some(match at {
        Some(at) => format!("offline · copy from {}", age(app.now, at)),
        None => "offline · copy of unknown age".into(),
    })
}

fn read_only(app: &App) -> String {
    let from = header(app).unwrap_or_default();
    format!("Read-only ({from}): the server cannot be reached. R asks it again.")
}

/// The server did not answer: offers the mirror once; while offline, tries again later.
pub fn on_unreachable(app: &mut App, failure: Failure) -> Vec<Effect> {
    if app.offline.active {
        return schedule(app);
    }
    if app.offline.offered {
        return vec![];
    }
    app.offline.offered = true;
    let lines = vec![
        Line::raw(sanitize::truncate(
            &sanitize::line(&failure.to_string()),
            200,
        )),
        Line::raw("Read the local mirror's copy instead, read-only, until it answers again?"),
    ];
    app.modals.push(Modal::Confirm(Confirm::new(
        "The server cannot be reached",
        lines,
        Pending::ReadOffline,
    )));
    vec![]
}

/// The user chose the mirror (or not).
pub fn answered(app: &mut App, yes: bool) -> Vec<Effect> {
    if !yes {
        app.status = Some(Status::Info(
            "The server cannot be reached; R tries again".into(),
        ));
        return vec![];
    }
    app.offline.active = true;
    app.status = Some(Status::Warning(
        "Offline: reading the mirror's copy, read-only".into(),
    ));
    let mut effects = vec![Effect::ReadMirror];
    effects.extend(schedule(app));
    effects.extend(super::navigate::reload_timeline(app));
    route(app, effects)
}

/// The mirror's conversations arrived: they fill the list.
pub fn on_mirror_read(app: &mut App, result: Result<Vec<MirroredConversation>, String>) {
    let convs = match result {
        Ok(c) => c,
        Err(e) => {
            app.offline.active = false;
            app.status = Some(Status::Error(Failure::new(format!(
                "The mirror cannot be read: {e}"
            ))));
            return;
        }
    };
    if convs.is_empty() {
        // An empty copy is no copy: the UI stays as it was, waiting for the server.
        app.offline.active = false;
        app.status = Some(Status::Warning(
            "The mirror holds nothing for this profile and server yet (nothing was read or synced here); the server cannot be reached. R tries again".into(),
        ));
        return;
    }
    for c in convs {
        if let Some(at) = c.written_at {
            app.offline.written.insert(c.id.clone(), at);
            app.offline.copy_at = Some(app.offline.copy_at.map_or(at, |m| m.max(at)));
        }
        if app.registry.is_hidden(&c.id) {
            continue;
        }
        let info = c
            .raw
            .and_then(|raw| serde_json::from_value::<crate::api::Conversation>(raw).ok())
            .map(|conv| ConvInfo {
                created_at: conv.created_at,
                metadata: conv.metadata.clone(),
            });
        match app.conv_mut(&c.id) {
            Some(entry) => {
                if entry.info.is_none() {
                    entry.info = info;
                }
            }
            None => app.convs.items.push(ConvEntry {
                id: c.id,
                info,
                gone: false,
            }),
        }
    }
    app.listing = super::load::Load::Loaded;
    app.sort_convs();
}

/// While offline, pages come from the mirror and nothing else goes to the server but the
/// conversation list, which tells whether it answers again.
pub fn route(app: &mut App, effects: Vec<Effect>) -> Vec<Effect> {
    if !app.offline.active {
        return effects;
    }
    let mut refused = false;
    let out = effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::LoadItems {
                conversation,
                generation,
                after,
                ascending,
                ..
            } => Some(Effect::LoadMirrorItems {
                conversation,
                generation,
                after,
                ascending,
            }),
            Effect::LoadConversation(_) => None,
            Effect::DeleteItem { .. }
            | Effect::DeleteItems { .. }
            | Effect::DeleteConversation { .. }
            | Effect::DeleteConversationPartial { .. }
            | Effect::UpdateMetadata { .. }
            | Effect::CreateConversation { .. }
            | Effect::AddItems { .. }
            | Effect::UndoDelete => {
                refused = true;
                None
            }
            other => Some(other),
        })
        .collect();
    if refused {
        app.status = Some(Status::Warning(read_only(app)));
    }
    out
}

/// While offline, what an action that would change something on the server is told.
pub fn refusal(app: &App) -> Option<String> {
    app.offline.active.then(|| read_only(app))
}

/// `R` while offline: the server is asked again, and the copy stays until it answers.
pub fn on_refresh(app: &mut App) {
    if app.offline.active {
        app.offline.asked = true;
        app.status = Some(Status::Info(
            "Asking the server again; the mirror's copy is shown meanwhile".into(),
        ));
    }
}

/// An export reads every page from the server, so offline it is refused at once.
pub fn export_refusal(app: &App) -> Option<String> {
    app.offline.active.then(|| {
        "offline: export needs the server; the mirror's copy is not exported. R asks the server again"
            .to_string()
    })
}

/// The server's list answered while offline: live data replaces the copy.
pub fn on_listed(app: &mut App) -> Vec<Effect> {
    if !app.offline.active {
        return vec![];
    }
    app.offline.active = false;
    app.offline.offered = false;
    app.offline.asked = false;
    check_copy(app);
    app.status = Some(Status::Info(
        "The server answers again: live data replaces the mirror's copy".into(),
    ));
    let mut effects: Vec<Effect> = app
        .convs
        .items
        .iter()
        .map(|c| Effect::LoadConversation(c.id.clone()))
        .collect();
    effects.extend(super::navigate::reload_timeline(app));
    effects
}

/// The timeline shows the mirror's copy and live data is to replace it: its items are kept
/// aside, to find those the server no longer has as the live pages arrive.
pub fn check_copy(app: &mut App) {
    app.offline.check = app.timeline.as_ref().map(|t| Check {
        conversation: t.conversation.clone(),
        ascending: t.paging.order(),
        copy: t
            .list
            .items
            .iter()
            .filter(|i| i.id().is_some_and(|id| !t.gone.contains(id)))
            .cloned()
            .collect(),
        done: 0,
    });
}

/// A retrieval sent before going offline that got no answer: the copy is being read, so it
/// is dropped instead of pushing the status line's message away.
pub fn unanswered_while_offline<T>(app: &App, result: &Result<T, Failure>) -> bool {
    app.offline.active && matches!(result, Err(f) if f.status.is_none())
}

/// The one timer that tries the server again.
fn schedule(app: &mut App) -> Vec<Effect> {
    if app.offline.retrying {
        return vec![];
    }
    app.offline.retrying = true;
    vec![Effect::RetryServer(RETRY_SECS)]
}

/// A try of the server failed while offline: the list keeps the copy, and the timer runs.
/// `None` when online (the failure is the list's own).
pub fn still_offline(app: &mut App, failure: &Failure) -> Option<Vec<Effect>> {
    if !app.offline.active {
        return None;
    }
    // A message on the status line stays: the timer's tries do not push it away; the answer
    // to `R` replaces what `R` said.
    if app.status.is_none() || std::mem::take(&mut app.offline.asked) {
        app.status = Some(Status::Warning(format!(
            "Still offline: the server cannot be reached ({}); the mirror's copy is shown. R asks again",
            sanitize::truncate(&sanitize::line(&failure.to_string()), 120)
        )));
    }
    Some(schedule(app))
}

/// The timer: while offline, ask the server again.
pub fn on_retry_due(app: &mut App) -> Vec<Effect> {
    app.offline.retrying = false;
    if app.offline.active {
        vec![Effect::ListConversations]
    } else {
        vec![]
    }
}

/// What the status line says of a conversation the mirror holds nothing of.
pub const UNREAD: &str = "Nothing of this conversation is in the mirror: it was never read nor synced here. It shows when the server answers again (R asks it)";

/// A page from the mirror: its items the server no longer has are marked in the timeline.
pub fn mark_copy_gone(app: &mut App, conversation: &str, gone: &[String]) {
    if let Some(tl) = app
        .timeline
        .as_mut()
        .filter(|t| t.conversation == conversation)
    {
        tl.gone.extend(gone.iter().cloned());
    }
}

/// After a live page: the copy's items that the server's pages have gone past without
/// having them are put back, marked gone on the server, where the copy had them.
pub fn after_live_page(app: &mut App) -> Vec<Effect> {
    let Some(mut check) = app.offline.check.take() else {
        return vec![];
    };
    let Some(tl) = app.timeline.as_mut() else {
        return vec![];
    };
    if tl.conversation != check.conversation || tl.paging.order() != check.ascending {
        return vec![];
    }
    if tl.paging.reloading.is_some() || app.offline.active {
        app.offline.check = Some(check);
        return vec![];
    }
    let live: HashMap<String, usize> = tl
        .list
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            l.id()
                .filter(|id| !tl.gone.contains(*id))
                .map(|id| (id.to_string(), i))
        })
        .collect();
    let copy_id = |l: &Loaded| l.id().unwrap_or("").to_string();
    // Settled: everything when the server has no more; else up to the last copy item the
    // server's pages have reached.
    let settled = if tl.paging.has_more {
        check
            .copy
            .iter()
            .rposition(|l| live.contains_key(&copy_id(l)))
            .map_or(0, |p| p + 1)
    } else {
        check.copy.len()
    };
    let mut inserts: Vec<(Option<usize>, Loaded)> = Vec::new();
    let mut anchor: Option<usize> = None;
    for (k, item) in check.copy.iter().enumerate().take(settled) {
        match live.get(&copy_id(item)) {
            Some(&at) => anchor = Some(at),
            None if k >= check.done && !copy_id(item).is_empty() => {
                inserts.push((anchor, item.clone()))
            }
            None => {}
        }
    }
    check.done = check.done.max(settled);
    let gone: HashSet<String> = inserts.iter().map(|(_, l)| copy_id(l)).collect();
    if !inserts.is_empty() {
        let selected = tl.selected_item().and_then(Loaded::id).map(String::from);
        let old = std::mem::take(&mut tl.list.items);
        let mut merged = Vec::with_capacity(old.len() + inserts.len());
        let mut pending = inserts.into_iter().peekable();
        while let Some((_, l)) = pending.next_if(|(a, _)| a.is_none()) {
            merged.push(l);
        }
        for (i, l) in old.into_iter().enumerate() {
            merged.push(l);
            while let Some((_, g)) = pending.next_if(|(a, _)| *a == Some(i)) {
                merged.push(g);
            }
        }
        merged.extend(pending.map(|(_, l)| l));
        tl.list.items = merged;
        tl.gone.extend(gone.iter().cloned());
        if let Some(id) = selected {
            if let Some(p) = tl.list.items.iter().position(|l| l.id() == Some(&id)) {
                tl.list.selected = p;
            }
        }
        let n = gone.len();
        app.status = Some(Status::Warning(format!(
            "{n} item{} of the offline copy {} gone on the server (marked)",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" }
        )));
    }
    let conversation = check.conversation.clone();
    if check.done < check.copy.len() {
        app.offline.check = Some(check);
    }
    if gone.is_empty() {
        vec![]
    } else {
        let mut items: Vec<String> = gone.into_iter().collect();
        items.sort();
        vec![Effect::MarkGoneInMirror {
            conversation,
            items,
        }]
    }
}

/// The conversation list's answer, after `Message::Unreachable` when no answer came at all
/// and the mirror has a copy to offer (`mirror`: its file, when the profile has one).
pub async fn listed(
    tx: &tokio::sync::mpsc::UnboundedSender<super::message::Message>,
    result: Result<Option<Vec<(String, ConvInfo)>>, ApiError>,
    mirror: Option<PathBuf>,
) -> super::message::Message {
    use super::runtime::failure;
    if let Err(e) = &result {
        if is_unreachable(e) && has_copy(mirror).await {
            let _ = tx.send(super::message::Message::Unreachable(failure(e)));
        }
    }
    super::message::Message::ConversationsListed(result.map_err(|e| failure(&e)))
}

/// Whether the mirror holds a conversation to read: its file exists from the moment the UI
/// starts (its writer opens it), so the file alone says nothing. Read on a blocking thread.
async fn has_copy(file: Option<PathBuf>) -> bool {
    let Some(file) = file.filter(|f| f.exists()) else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        crate::mirror::Mirror::open_read_only(&file)
            .and_then(|m| m.conversation_list(1))
            .is_ok_and(|c| !c.is_empty())
    })
    .await
    .unwrap_or(false)
}

/// Runs offline reading's effects in the runtime's task.
pub async fn run(
    effect: Effect,
    file: Option<PathBuf>,
    mirror: Option<&crate::mirror::MirrorWriter>,
) -> super::message::Message {
    use super::message::Message;
    match effect {
        Effect::ReadMirror => Message::MirrorRead(read_conversations(file).await),
        Effect::LoadMirrorItems {
            conversation,
            generation,
            after,
            ascending,
        } => {
            let (result, unread) =
                match read_page(file, conversation.clone(), after, ascending).await {
                    Ok((page, gone, unread)) => (Ok((page, gone)), unread),
                    Err(e) => (Err(e), false),
                };
            Message::MirrorItemsLoaded {
                result,
                conversation,
                generation,
                unread,
            }
        }
        Effect::RetryServer(secs) => {
            tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
            Message::RetryDue
        }
        Effect::MarkGoneInMirror {
            conversation,
            items,
        } => {
            if let Some(w) = mirror {
                for item in &items {
                    if w.mark_deleted_wait(&conversation, item).await.is_err() {
                        break;
                    }
                }
            }
            Message::Tick
        }
        // Nothing else is offline reading's.
        _ => Message::Tick,
    }
}

/// The mirror's conversations, read on a blocking thread.
pub async fn read_conversations(
    file: Option<PathBuf>,
) -> Result<Vec<MirroredConversation>, String> {
    let file = file.ok_or("the local mirror is off for this profile (mirror = false)")?;
    tokio::task::spawn_blocking(move || {
        let m = crate::mirror::Mirror::open_path(&file).map_err(|e| e.to_string())?;
        m.conversation_list(MAX_CONVERSATIONS)
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A page of a conversation's items from the mirror, the ids of those the server no longer
/// has, and whether the mirror holds nothing of the conversation (asked of a first page
/// only); read on a blocking thread.
pub async fn read_page(
    file: Option<PathBuf>,
    conversation: String,
    after: Option<String>,
    ascending: bool,
) -> Result<(PageData, Vec<String>, bool), Failure> {
    let file = file
        .ok_or_else(|| Failure::new("the local mirror is off for this profile (mirror = false)"))?;
    tokio::task::spawn_blocking(move || {
        let m = crate::mirror::Mirror::open_path(&file).map_err(|e| e.to_string())?;
        let page = m
            .page(
                &conversation,
                after.as_deref(),
                ascending,
                crate::mirror::read::MAX_PAGE,
            )
            .map_err(|e| e.to_string())?;
        let gone = page
            .items
            .iter()
            .filter(|i| i.deleted)
            .filter_map(|i| crate::api::models::id_of(&i.raw).map(String::from))
            .collect();
        let unread = after.is_none()
            && page.items.is_empty()
            && !m.has_items(&conversation).map_err(|e| e.to_string())?;
        let items = page.items.into_iter().map(|i| i.raw).collect();
        Ok::<_, String>((PageData::of(items, page.has_more), gone, unread))
    })
    .await
    .map_err(|e| Failure::new(e.to_string()))?
    .map_err(|e| Failure::new(format!("the mirror cannot be read: {e}")))
}

#[cfg(test)]
#[path = "offline_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "offline_mirror_tests.rs"]
mod mirror_tests;
