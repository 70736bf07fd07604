//! The three panes. Each owns its state and has its own update (`on_action`), draw and key
//! context; the root (`tui::root`) routes keys to the focused one.

pub mod conversations;
pub mod detail;
pub mod rendering;
pub mod search;
pub mod timeline;

use ratatui::style::Modifier;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType};

use crate::tui::theme::THEME;

/// Which pane has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Conversations,
    Timeline,
    Detail,
}

/// A pane's border: thick and in the accent colour when it has the focus.
pub fn block(title: String, focused: bool) -> Block<'static> {
    let style = if focused { THEME.accent() } else { THEME.dim() };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(Span::styled(title, style.add_modifier(Modifier::BOLD)))
}
