//! Cancelling requests in flight. The runtime registers each request task here with a way to
//! stop it; `Esc` cancels them all, and leaving a conversation cancels its pages. A cancelled
//! task answers at once with the reply its effect would have had, as a "cancelled" failure,
//! so that every part waiting on it (the spinner, paging, an editor) is released; nothing the
//! server might send later is read.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::oneshot;

use crossterm::event::{KeyCode, KeyEvent};

use super::data::{Failure, MAY_HAVE_BEEN_CREATED};
use super::keymap::Context;
use super::message::{Effect, Message};
use super::state::{item_id, App, Status};

/// Which requests a cancel is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    /// Every request in flight.
    All,
    /// The pages of one conversation still loading, when it is left (its other requests
    /// run on: a write must end, and its retrieval fills in the list).
    PagesOf(String),
}

struct Entry {
    conversation: Option<String>,
    page: bool,
    stop: oneshot::Sender<()>,
}

/// The request tasks still running, each with its stop signal.
#[derive(Default)]
pub struct Cancels {
    running: Mutex<HashMap<u64, Entry>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn conversation_of(effect: &Effect) -> Option<&str> {
    match effect {
        Effect::LoadConversation(id) | Effect::DeleteConversation { id } => Some(id),
        Effect::LoadItems { conversation, .. }
        | Effect::DeleteItem { conversation, .. }
        | Effect::DeleteItems { conversation, .. }
        | Effect::UpdateMetadata { conversation, .. }
        | Effect::AddItems { conversation, .. } => Some(conversation),
        _ => None,
    }
}

impl Cancels {
    /// Registers request `seq`; the receiver fires when it is cancelled.
    pub fn register(&self, seq: u64, effect: &Effect) -> oneshot::Receiver<()> {
        let (stop, rx) = oneshot::channel();
        let entry = Entry {
            conversation: conversation_of(effect).map(String::from),
            page: matches!(effect, Effect::LoadItems { .. }),
            stop,
        };
        lock(&self.running).insert(seq, entry);
        rx
    }

    /// Request `seq` ended by itself.
    pub fn finished(&self, seq: u64) {
        lock(&self.running).remove(&seq);
    }

    /// Cancels the matching requests; answers how many there were.
    pub fn cancel(&self, which: &Which) -> usize {
        let mut running = lock(&self.running);
        let chosen: Vec<u64> = running
            .iter()
            .filter(|(_, e)| match which {
                Which::All => true,
                Which::PagesOf(id) => e.page && e.conversation.as_deref() == Some(id),
            })
            .map(|(&seq, _)| seq)
            .collect();
        for seq in &chosen {
            if let Some(e) = running.remove(seq) {
                let _ = e.stop.send(());
            }
        }
        chosen.len()
    }

    pub fn running(&self) -> usize {
        lock(&self.running).len()
    }
}

/// `Esc` while requests run, with no dialog in front (or only the "sending" one): cancels
/// them all. The spinner stops as their cancelled replies come back, at once.
pub fn on_escape(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    let free = app.modals.front().is_none() || app.context() == Context::Sending;
    if key.code != KeyCode::Esc || app.pending == 0 || !free {
        return None;
    }
    app.status = Some(Status::Info("Cancelled".into()));
    Some(vec![Effect::Cancel(Which::All)])
}

fn cancelled() -> Failure {
    Failure::new("cancelled")
}

/// The reply of a request cancelled before its answer came. A create may have reached the
/// server, so its failure says so.
pub fn reply(effect: &Effect) -> Option<Message> {
    let f = cancelled();
    Some(match effect {
        Effect::ListConversations => Message::ConversationsListed(Err(f)),
        Effect::LoadConversation(id) => Message::ConversationLoaded {
            id: id.clone(),
            result: Err(f),
        },
        Effect::LoadItems {
            conversation,
            generation,
            ..
        } => Message::ItemsLoaded {
            conversation: conversation.clone(),
            generation: *generation,
            result: Err(f),
        },
        Effect::DeleteItem { conversation, item } => Message::ItemDeleted {
            conversation: conversation.clone(),
            item: item_id(item).unwrap_or_default().to_string(),
            result: Err(Failure::new("cancelled; it may have been deleted")),
        },
        Effect::DeleteItems {
            conversation,
            items,
        } => Message::MarkedDeleted {
            conversation: conversation.clone(),
            deleted: Vec::new(),
            failed: items
                .iter()
                .map(|i| {
                    let id = item_id(i).unwrap_or_default().to_string();
                    (id, Failure::new("cancelled; it may have been deleted"))
                })
                .collect(),
        },
        Effect::DeleteConversation { id } => Message::ConversationDeleted {
            id: id.clone(),
            result: Err(Failure::new("cancelled; it may have been deleted")),
        },
        Effect::UpdateMetadata { conversation, .. } => Message::MetadataSaved {
            conversation: conversation.clone(),
            result: Err(Failure::new("cancelled; it may have been saved")),
        },
        Effect::CreateConversation { .. } => Message::ConversationCreated(Err(Failure::new(
            format!("cancelled; it {MAY_HAVE_BEEN_CREATED}"),
        ))),
        Effect::AddItems {
            conversation,
            items,
        } => Message::ItemsAdded {
            conversation: conversation.clone(),
            // What was sent before the cancel is not known here; the reload shows it.
            sent: 0,
            total: items.len(),
            result: Err(Failure::new(format!(
                "cancelled; the items {MAY_HAVE_BEEN_CREATED}"
            ))),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(conversation: &str) -> Effect {
        Effect::LoadItems {
            conversation: conversation.into(),
            generation: 3,
            after: None,
            ascending: false,
            all: false,
        }
    }

    #[test]
    fn cancel_stops_what_it_names_and_nothing_else() {
        let c = Cancels::default();
        let mut a = c.register(1, &load("conv_a"));
        let mut b = c.register(2, &load("conv_b"));
        let delete = Effect::DeleteItem {
            conversation: "conv_a".into(),
            item: json!({"id": "msg_1"}),
        };
        let mut d = c.register(3, &delete);
        assert_eq!(c.cancel(&Which::PagesOf("conv_a".into())), 1);
        assert!(a.try_recv().is_ok(), "its page is stopped");
        assert!(
            b.try_recv().is_err() && d.try_recv().is_err(),
            "the others run on"
        );
        c.finished(2);
        assert_eq!(c.cancel(&Which::All), 1, "only what still runs");
        assert!(d.try_recv().is_ok());
        assert_eq!(c.running(), 0);
    }

    fn esc() -> Message {
        Message::Key(KeyEvent::new(
            KeyCode::Esc,
            crossterm::event::KeyModifiers::NONE,
        ))
    }

    #[test]
    fn esc_cancels_only_while_requests_run_and_leaving_cancels_pages() {
        let mut registry = crate::registry::Registry::default();
        registry.add(["conv_a", "conv_b"]);
        let mut app = App::new("p", "http://127.0.0.1:1/v1", registry);
        app.pending = 0;
        let idle = crate::tui::update::update(&mut app, esc());
        assert!(
            !idle.contains(&Effect::Cancel(Which::All)),
            "nothing to cancel"
        );
        let opened = crate::tui::navigate::open_conversation(&mut app, "conv_a");
        app.pending = 1;
        assert!(opened.iter().all(|e| !matches!(e, Effect::Cancel(_))));
        let effects = crate::tui::update::update(&mut app, esc());
        assert_eq!(effects, vec![Effect::Cancel(Which::All)]);
        assert_eq!(app.status, Some(Status::Info("Cancelled".into())));
        assert!(
            app.timeline.is_some(),
            "Esc cancelled instead of going back"
        );
        let switched = crate::tui::navigate::open_conversation(&mut app, "conv_b");
        assert_eq!(switched[0], Effect::Cancel(Which::PagesOf("conv_a".into())));
        assert!(
            matches!(&switched[1], Effect::LoadItems { conversation, .. } if conversation == "conv_b")
        );
    }

    #[test]
    fn a_cancelled_create_may_have_been_created() {
        let Some(Message::ConversationCreated(Err(f))) = reply(&Effect::CreateConversation {
            metadata: Default::default(),
            items: vec![],
        }) else {
            panic!("a create's reply")
        };
        assert!(f.may_have_been_created() && !f.message.contains("Not created"));
        let Some(Message::ItemsLoaded {
            generation, result, ..
        }) = reply(&load("conv_a"))
        else {
            panic!("a page's reply")
        };
        assert_eq!((generation, result.map(|_| ())), (3, Err(cancelled())));
        assert!(reply(&Effect::ListConversations).is_some());
    }
}
