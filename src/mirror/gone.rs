//! What this writer marked deleted. A page read before a delete can reach the writer after the
//! delete's mark (its task waited for room in the queue, or was slower to make its rows): it
//! lists an item the server no longer has. The API never gives an id again (a restored item or
//! conversation gets a new one), so an item or conversation marked here stays deleted whatever
//! is written of it later. Kept for the writer's life only: a later run that still lists the
//! item (a server that did not delete it) brings it back.

use std::collections::{HashMap, HashSet};

/// Most items kept; past that, deletes are no longer remembered (the marks are still written).
const MAX_ITEMS: usize = 100_000;

#[derive(Default)]
pub(super) struct Gone {
    /// Conversation id → its items marked deleted.
    items: HashMap<String, HashSet<String>>,
    conversations: HashSet<String>,
    count: usize,
}

impl Gone {
    pub(super) fn item(&mut self, conv: &str, item: &str) {
        if self.count >= MAX_ITEMS {
            return;
        }
        let added = self
            .items
            .entry(conv.to_string())
            .or_default()
            .insert(item.to_string());
        self.count += usize::from(added);
    }

    pub(super) fn conversation(&mut self, conv: &str) {
        if self.conversations.len() < MAX_ITEMS {
            self.conversations.insert(conv.to_string());
        }
    }

    pub(super) fn holds_conversation(&self, conv: &str) -> bool {
        self.conversations.contains(conv)
    }

    /// Whether `item` of `conv` (or `conv` itself) was marked deleted.
    pub(super) fn holds(&self, conv: &str, item: &str) -> bool {
        self.holds_conversation(conv) || self.items.get(conv).is_some_and(|s| s.contains(item))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.count == 0 && self.conversations.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_or_its_conversation_marked_is_held() {
        let mut gone = Gone::default();
        assert!(gone.is_empty());
        gone.item("conv_1", "msg_1");
        gone.item("conv_1", "msg_1");
        assert_eq!(gone.count, 1, "an item marked twice counts once");
        assert!(gone.holds("conv_1", "msg_1"));
        assert!(!gone.holds("conv_1", "msg_2"));
        assert!(!gone.holds("conv_2", "msg_1"), "per conversation");
        gone.conversation("conv_2");
        assert!(
            gone.holds("conv_2", "msg_9"),
            "every item of a conversation marked"
        );
        assert!(!gone.is_empty());
    }
}
