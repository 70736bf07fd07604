//! convtui: a terminal UI, scriptable CLI and local server for the OpenAI Conversations API.

// `api::ApiError` carries the whole error the API sent (type, code, param, message, request
// id) as public fields; errors are rare, so its size is not worth boxing.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod deletion;
pub mod demo;
pub mod export;
pub mod export_command;
pub mod files;
pub mod items_command;
pub mod json_line;
pub mod mirror;
pub mod paths;
pub mod protocol;
pub mod registry;
pub mod restore;
pub mod sanitize;
pub mod server;
pub mod tui;
