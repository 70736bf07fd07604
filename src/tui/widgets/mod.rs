//! Widgets that keep state and serve more than one pane.

pub mod list;
pub mod scroll;
