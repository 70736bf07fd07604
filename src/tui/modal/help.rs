//! The help screen: the bindings of the context it was opened from, scrolled within its end.

use crate::tui::keymap::{Action, Context, Keymap};

#[derive(Debug, Clone, PartialEq)]
pub struct Help {
    /// The context help was opened from; it lists that context's bindings.
    pub of: Context,
    pub scroll: u16,
}

impl Help {
    pub fn new(of: Context) -> Self {
        Help { of, scroll: 0 }
    }

    /// The groups help lists: the context's own (and, from a pane, the global keys), then,
    /// from a pane, the editors' keys and the message log's.
    pub fn groups(&self, keymap: &Keymap) -> Vec<(Context, Vec<(String, &'static str)>)> {
        let mut groups = keymap.help(self.of);
        if self.of.is_pane() {
            for c in [
                Context::Metadata,
                Context::NewConversation,
                Context::Composer,
                Context::ComposerJson,
                Context::Messages,
            ] {
                groups.extend(keymap.help(c));
            }
        }
        groups
    }

    /// The lines help takes: a heading and a blank line per group, and a closing line.
    pub fn lines(&self, keymap: &Keymap) -> usize {
        self.groups(keymap)
            .iter()
            .map(|(_, rows)| rows.len() + 2)
            .sum::<usize>()
            + 1
    }

    /// Scrolls; answers false when the action closes help. `visible` is the rows shown.
    pub fn on_action(&mut self, action: Action, lines: usize, visible: usize) -> bool {
        let scroll = match action {
            Action::Close => return false,
            Action::Down => self.scroll.saturating_add(1),
            Action::Up => self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll.saturating_add(10),
            Action::PageUp => self.scroll.saturating_sub(10),
            Action::Top => 0,
            Action::Bottom => u16::MAX,
            _ => self.scroll,
        };
        let max = lines.saturating_sub(visible).min(u16::MAX as usize) as u16;
        self.scroll = scroll.min(max);
        true
    }
}
