//! convtui: a terminal UI, scriptable CLI and local server for the OpenAI Conversations API.

pub mod api;
pub mod backup;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod paths;
pub mod registry;
pub mod server;
pub mod tui;
