//! The terminal UI.

pub mod keymap;
pub mod message;
pub mod render;
pub mod sanitize;
pub mod state;
pub mod update;
pub mod view;
