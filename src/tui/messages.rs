//! The message log: every note, warning and error the status line showed, newest last, with
//! the request id of a failed call (OpenAI's `x-request-id`, see
//! https://platform.openai.com/docs/api-reference/debugging-requests). The status line shows
//! the newest until the user acts; `m` opens the log in its own modal.

use std::collections::VecDeque;

use crate::tui::keymap::Action;
use crate::tui::state::Status;

/// Entries kept; older ones go first, so a hostile server cannot grow the log without bound.
pub const KEEP: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Unix seconds.
    pub at: i64,
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Log {
    entries: VecDeque<Entry>,
}

impl Log {
    pub fn push(&mut self, at: i64, status: Status) {
        if self.entries.len() == KEEP {
            self.entries.pop_front();
        }
        self.entries.push_back(Entry { at, status });
    }

    /// Oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> + ExactSizeIterator {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The log's modal: newest first, scrolled.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Messages {
    pub scroll: usize,
}

impl Messages {
    /// Scrolls; answers false when the action closes the log.
    pub fn on_action(&mut self, action: Action, len: usize) -> bool {
        let max = len.saturating_sub(1);
        self.scroll = match action {
            Action::Close => return false,
            Action::Down => self.scroll + 1,
            Action::Up => self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll + 10,
            Action::PageUp => self.scroll.saturating_sub(10),
            Action::Top => 0,
            Action::Bottom => max,
            _ => self.scroll,
        }
        .min(max);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_the_newest_and_is_bounded() {
        let mut log = Log::default();
        for i in 0..(KEEP + 5) {
            log.push(i as i64, Status::Info(format!("note {i}")));
        }
        assert_eq!(log.len(), KEEP);
        assert_eq!(log.entries().next().map(|e| e.at), Some(5));
        assert_eq!(log.entries().last().map(|e| e.at), Some(KEEP as i64 + 4));
        let mut m = Messages::default();
        assert!(m.on_action(Action::Bottom, log.len()));
        assert_eq!(m.scroll, KEEP - 1);
        assert!(!m.on_action(Action::Close, log.len()));
    }
}
