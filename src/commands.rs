//! Runs the `conversations` commands (the `items` ones are in `items_command.rs`): one JSON
//! line on stdout per answer.
//!
//! Everything written to a terminal passes through here: stdout as JSON with every character
//! the sanitizer would change written as a `\uXXXX` escape, stderr through [`eprint_line`],
//! which sanitizes the whole line (server text is untrusted).
#![deny(clippy::print_stderr, clippy::print_stdout)]

use std::fmt::Display;
use std::io::{self, Write};
use std::process::ExitCode;

use futures::StreamExt;
use serde::Serialize;

use crate::api::input::{self, AddError, ItemSource};
use crate::api::{self, ApiError, Client, ListParams, Metadata};
use crate::cli::{ConversationsCommand, GlobalArgs, ItemsCommand};
use crate::config::{self, ConfigOptions};
use crate::deletion::{self, Backup};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// A problem found before sending: a usage error (exit status 2).
    #[error("{0}")]
    Input(String),
    /// Anything else that stopped the command (exit status 1).
    #[error("{0}")]
    Other(String),
    #[error("cannot write the output: {0}")]
    Output(io::Error),
    #[error(transparent)]
    Delete(#[from] crate::deletion::DeleteError),
    #[error(transparent)]
    Restore(#[from] crate::restore::RestoreError),
}

impl From<AddError> for CommandError {
    fn from(e: AddError) -> Self {
        match e {
            AddError::Input(why) => CommandError::Input(why),
            AddError::Api(e) => CommandError::Api(e),
        }
    }
}

/// A command of the scriptable CLI.
pub enum Request {
    Conversations(ConversationsCommand),
    Items(ItemsCommand),
    Restore(crate::cli::RestoreArgs),
}

/// Resolves the profile, connects, runs the command and reports errors on stderr.
pub async fn run(global: &GlobalArgs, request: Request) -> ExitCode {
    let opts = config_options(global);
    let result = async {
        let profile = resolve(global, &opts)?;
        let (client, server) = config::connect(&profile).await?;
        let data_dir = crate::paths::data_dir().ok_or_else(|| {
            CommandError::Other(
                "no data directory could be found for the delete backup; set CONVTUI_DATA_DIR"
                    .into(),
            )
        })?;
        let backup = Backup {
            path: crate::backup::path_in(&data_dir),
            profile: profile.name.clone(),
        };
        let _mirror = crate::mirror::record::start(&profile, &data_dir);
        let result = match request {
            Request::Conversations(ConversationsCommand::List) => {
                let path = crate::registry::path_for_profile(&data_dir, &profile);
                list_conversations(&client, &path).await
            }
            Request::Conversations(c) => {
                let registry = crate::registry::path_for_profile(&data_dir, &profile);
                conversations(&client, &backup, &registry, c).await
            }
            Request::Items(c) => crate::items_command::run(&client, &backup, c).await,
            Request::Restore(args) => {
                let registry = crate::registry::path_for_profile(&data_dir, &profile);
                crate::restore::command(&client, &backup, &registry, &args)
                    .await
                    .map_err(CommandError::from)
            }
        };
        drop(client);
        if let Some(server) = server {
            if let Err(e) = server.shutdown().await {
                warn(&format!("the local server did not stop cleanly: {e}"));
            }
        }
        result
    }
    .await;
    finish(result)
}

/// The exit status for a failed command, after printing its error.
pub fn finish(result: Result<(), CommandError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CommandError::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprint_error(&e);
            ExitCode::from(exit_status(&e))
        }
    }
}

/// 2 for a problem found before anything was sent (usage, settings, a request the API would
/// refuse), 1 for everything else (the API's errors, the network, files).
pub fn exit_status(e: &CommandError) -> u8 {
    use config::ConfigError as C;
    let api = |e: &ApiError| match e.kind {
        api::ErrorKind::Validation | api::ErrorKind::Setup => 2,
        _ => 1,
    };
    match e {
        CommandError::Input(_) => 2,
        CommandError::Api(e) => api(e),
        CommandError::Config(C::Client(e)) => api(e),
        CommandError::Delete(crate::deletion::DeleteError::Api(e)) => api(e),
        CommandError::Restore(crate::restore::RestoreError::Api(e)) => api(e),
        // What the journal refuses, before anything is sent.
        CommandError::Restore(
            crate::restore::RestoreError::NoMatch(_)
            | crate::restore::RestoreError::DeleteFailed { .. }
            | crate::restore::RestoreError::AlreadyRestored { .. }
            | crate::restore::RestoreError::OtherServer { .. },
        ) => 2,
        CommandError::Config(C::Server(_) | C::NoDataDir) => 1,
        CommandError::Config(_) => 2,
        CommandError::Other(_)
        | CommandError::Output(_)
        | CommandError::Delete(_)
        | CommandError::Restore(_) => 1,
    }
}

/// Writes one line on stderr, `LABEL: TEXT`, with the text made safe for a terminal. Every
/// line the CLI writes on stderr goes through here.
#[allow(clippy::print_stderr)]
pub fn eprint_line(label: &str, text: &str) {
    eprintln!(
        "{label}: {}",
        crate::sanitize::line(&api::error::one_line(text))
    );
}

/// `error: …` on stderr, sanitized, whole (never cut).
pub fn eprint_error(e: &dyn Display) {
    eprint_line("error", &e.to_string());
}

/// `warning: …` on stderr, sanitized.
pub fn warn(text: &str) {
    eprint_line("warning", text);
}

pub use crate::json_line::to_json_line;

pub(crate) fn print<T: Serialize>(value: &T) -> Result<(), CommandError> {
    let line =
        to_json_line(value).map_err(|e| CommandError::Output(io::Error::other(e.to_string())))?;
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|_| out.flush())
        .map_err(CommandError::Output)
}

/// `--metadata K=V` pairs as a map; a key given twice is refused, as in the terminal UI.
fn metadata_of(pairs: Vec<(String, String)>) -> Result<Metadata, CommandError> {
    let mut map = Metadata::new();
    for (k, v) in pairs {
        if map.contains_key(&k) {
            return Err(CommandError::Input(format!(
                "--metadata: duplicate key '{k}'; give each key once"
            )));
        }
        map.insert(k, v);
    }
    Ok(map)
}

/// Opens an items file (`-`: stdin) and checks every item in it, one at a time, before any is
/// sent.
pub(crate) async fn checked_items(source: &str) -> Result<ItemSource, CommandError> {
    let items = ItemSource::open(source).map_err(CommandError::Input)?;
    items.check().await?;
    Ok(items)
}

async fn conversations(
    client: &Client,
    backup: &Backup,
    registry: &std::path::Path,
    cmd: ConversationsCommand,
) -> Result<(), CommandError> {
    match cmd {
        ConversationsCommand::Create { metadata, items } => {
            let metadata = match metadata.is_empty() {
                true => None,
                false => Some(metadata_of(metadata)?),
            };
            let source = match items {
                Some(source) => Some(checked_items(&source).await?),
                None => None,
            };
            let mut chunks = Box::pin(input::chunked(match &source {
                Some(s) => s.items().boxed(),
                None => futures::stream::empty().boxed(),
            }));
            let first = chunks
                .next()
                .await
                .transpose()
                .map_err(CommandError::Input)?;
            let first = first.unwrap_or_default();
            let conv = client
                .create_conversation(metadata.as_ref(), &first)
                .await?;
            // The conversation exists now: say so even if adding the rest fails below. The API
            // cannot list conversations, so the profile's list is how it is found again.
            print(&conv)?;
            remember(registry, &conv.id, true);
            input::add_chunks(client, &conv.id, &[], chunks, first.len(), |_| Ok(()))
                .await
                .map_err(|e| match e {
                    AddError::Api(e) => AddError::Api(ApiError {
                        message: format!(
                            "conversation {} was created, but adding its items failed: {}",
                            conv.id, e.message
                        ),
                        ..e
                    }),
                    other => other,
                })?;
            Ok(())
        }
        ConversationsCommand::Get { id } => {
            let conv = client.get_conversation(&id).await?;
            crate::mirror::record::conversation(&conv);
            print(&conv)
        }
        ConversationsCommand::Update {
            id,
            metadata,
            metadata_json,
            clear,
            set,
            unset,
        } => {
            let new = if !set.is_empty() || !unset.is_empty() {
                // Merged with what the server has now (the API replaces the whole map).
                let mut current = client.get_conversation(&id).await?.metadata;
                for key in &unset {
                    current.remove(key);
                }
                current.extend(metadata_of(set)?);
                Some(current)
            } else if clear {
                None
            } else if let Some(map) = metadata_json {
                Some(map)
            } else {
                Some(metadata_of(metadata)?)
            };
            print(&client.update_conversation(&id, new.as_ref()).await?)
        }
        ConversationsCommand::Delete {
            id,
            allow_partial_backup,
        } => {
            let options = deletion::DeleteOptions {
                allow_partial: allow_partial_backup,
            };
            let done = deletion::conversation_with(client, backup, &id, options).await?;
            crate::mirror::record::conversation_deleted(&id);
            remember(registry, &id, false);
            if done.partial {
                warn(&format!(
                    "deleted with a partial backup: {} item(s) were saved",
                    done.saved
                ));
            }
            print(&done.answer)
        }
        ConversationsCommand::List => Err(CommandError::Other(
            "conversations list needs the profile's list of ids".into(),
        )),
    }
}

/// Adds a created conversation to the profile's list, or takes a deleted one off it. The
/// command's work is done by then, so a list that cannot be written is a warning.
fn remember(path: &std::path::Path, id: &str, add: bool) {
    let change = match add {
        true => crate::registry::Change::Add(id.to_string()),
        false => crate::registry::Change::Remove(id.to_string()),
    };
    if let Err(e) = crate::registry::Registry::change(path, |r| _ = r.apply(&change)) {
        warn(&format!("the list of conversations was not updated: {e}"));
    }
}

/// Most pages of the server's conversation listing that are read.
const MAX_CONVERSATION_PAGES: usize = 100;

/// `conversations list`: one line per conversation, the server's listing (where it has one)
/// first, then the ids known only to this profile's list. Ids removed from the list (`forget`,
/// `x` in the terminal UI) are left out.
async fn list_conversations(client: &Client, path: &std::path::Path) -> Result<(), CommandError> {
    let registry =
        crate::registry::Registry::load(path).map_err(|e| CommandError::Other(e.to_string()))?;
    let mut params = ListParams::default();
    let mut shown = std::collections::HashSet::new();
    for _ in 0..MAX_CONVERSATION_PAGES {
        let page = match client.list_conversations(&params).await {
            Ok(page) => page,
            Err(e) if e.kind == api::ErrorKind::NotSupported => break,
            Err(e) => return Err(e.into()),
        };
        let mut fresh = 0;
        for conv in &page.data {
            if registry.is_hidden(&conv.id) || !shown.insert(conv.id.clone()) {
                continue;
            }
            fresh += 1;
            let entry = registry.conversations.iter().find(|e| e.id == conv.id);
            print(&serde_json::json!({
                "id": conv.id,
                "in_list": entry.is_some(),
                "added_at": entry.map(|e| e.added_at),
                "conversation": conv,
            }))?;
        }
        match page
            .last_id
            .or_else(|| page.data.last().map(|c| c.id.clone()))
        {
            Some(last) if page.has_more && fresh > 0 => params.after = Some(last),
            _ => break,
        }
    }
    for entry in &registry.conversations {
        if shown.insert(entry.id.clone()) {
            print(&serde_json::json!({
                "id": entry.id,
                "in_list": true,
                "added_at": entry.added_at,
                "conversation": null,
            }))?;
        }
    }
    Ok(())
}

/// The profile, read-only as well when `--read-only` is given.
pub fn resolve(
    global: &GlobalArgs,
    opts: &ConfigOptions,
) -> Result<config::Profile, config::ConfigError> {
    let mut profile = config::resolve(opts)?;
    apply_global_options(&mut profile, global);
    Ok(profile)
}

/// What the command line's global options change in a resolved profile: `--read-only`, and
/// the listing limits.
pub fn apply_global_options(profile: &mut config::Profile, global: &GlobalArgs) {
    profile.read_only |= global.read_only;
    profile.limits.max_pages = global.max_list_pages.unwrap_or(profile.limits.max_pages);
    profile.limits.max_items = global.max_list_items.unwrap_or(profile.limits.max_items);
}

pub fn config_options(global: &GlobalArgs) -> ConfigOptions {
    ConfigOptions {
        config_path: global.config.clone(),
        profile: global.profile.clone(),
        base_url: global.base_url.clone(),
    }
}

/// `convtui add ID…`: adds the ids to the profile's registry. Text that holds no conversation id
/// is refused, and then nothing is added (exit status 2).
pub fn add(global: &GlobalArgs, texts: &[String]) -> ExitCode {
    finish(ids_of(texts, "added").and_then(|ids| add_to_registry(global, &ids)))
}

/// The conversation ids in command-line arguments; text without one is refused.
fn ids_of(texts: &[String], done: &str) -> Result<Vec<String>, CommandError> {
    texts
        .iter()
        .map(|text| {
            crate::registry::id_in(text).ok_or_else(|| {
                CommandError::Input(format!(
                    "{}; nothing was {done}",
                    crate::registry::not_an_id(text)
                ))
            })
        })
        .collect()
}

/// `convtui import FILE`: adds the ids of the good lines, names each bad line on stderr, and
/// fails (exit status 1) only when lines were given and none held an id.
pub fn import(global: &GlobalArgs, file: &std::path::Path) -> ExitCode {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| CommandError::Input(format!("cannot read standard input: {e}")))
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| CommandError::Input(format!("cannot read {}: {e}", file.display())))
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => return finish(Err(e)),
    };
    let name = if file.as_os_str() == "-" {
        "stdin".to_string()
    } else {
        file.display().to_string()
    };
    let found = crate::registry::parse_import(&text);
    for bad in &found.bad {
        warn(&format!("{name}: {bad}; skipped"));
    }
    if found.ids.is_empty() && !found.bad.is_empty() {
        return finish(Err(CommandError::Other(format!(
            "{name}: no line held a conversation id; nothing was added"
        ))));
    }
    finish(add_to_registry(global, &found.ids))
}

/// `convtui forget ID…`: removes the ids from the profile's list and keeps them out of it, even
/// when the server lists them, until they are added again. Nothing is deleted.
pub fn forget(global: &GlobalArgs, ids: &[String]) -> ExitCode {
    let result = (|| {
        let ids = ids_of(ids, "removed")?;
        let (_, path) = registry_of(global)?;
        let mut removed = 0;
        let registry = crate::registry::Registry::change(&path, |registry| {
            for id in &ids {
                removed += usize::from(registry.contains(id));
                registry.hide(id);
            }
        })
        .map_err(|e| CommandError::Other(e.to_string()))?;
        print(&serde_json::json!({
            "removed": removed,
            "total": registry.conversations.len(),
            "registry": path.display().to_string(),
        }))
    })();
    finish(result)
}

/// The resolved profile's name and its registry file (read and written by `Registry::change`).
fn registry_of(global: &GlobalArgs) -> Result<(String, std::path::PathBuf), CommandError> {
    let profile = config::resolve(&config_options(global))?;
    let data_dir = crate::paths::data_dir()
        .ok_or_else(|| CommandError::Other("no data directory could be found".into()))?;
    let path = crate::registry::path_for_profile(&data_dir, &profile);
    Ok((profile.name, path))
}

fn add_to_registry(global: &GlobalArgs, ids: &[String]) -> Result<(), CommandError> {
    let (profile, path) = registry_of(global)?;
    let mut added = 0;
    let registry = crate::registry::Registry::change(&path, |registry| {
        added = registry.add(ids.iter().map(String::as_str));
    })
    .map_err(|e| CommandError::Other(e.to_string()))?;
    print(&serde_json::json!({
        "profile": profile,
        "added": added,
        "total": registry.conversations.len(),
        "registry": path.display().to_string(),
    }))
}

/// Opens the terminal UI on the resolved profile.
pub async fn open_tui(global: &GlobalArgs) -> ExitCode {
    let profile = match resolve(global, &config_options(global)) {
        Ok(p) => p,
        Err(e) => return finish(Err(e.into())),
    };
    let profiles = crate::tui::profiles::Profiles {
        config_path: global.config.clone(),
        read_only: global.read_only,
        ..Default::default()
    };
    match crate::tui::run_with(profile, profiles).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => finish(Err(CommandError::Other(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_lines_escape_what_a_terminal_would_act_on() {
        let text = "a\u{1b}]52;c;eA==\u{7}\u{9b}2J\u{2028}\u{2029}\u{202e}é😀b";
        let line = to_json_line(&serde_json::json!({"t": text})).unwrap();
        assert_eq!(
            line,
            r#"{"t":"a\u001b]52;c;eA==\u0007\u009b2J\u2028\u2029\u202eé😀b"}"#
        );
    }

    proptest! {
        #[test]
        fn json_lines_round_trip_and_hold_nothing_unsafe(s in any::<String>()) {
            let line = to_json_line(&serde_json::json!({ "s": s })).unwrap();
            let back: serde_json::Value = serde_json::from_str(&line).unwrap();
            prop_assert_eq!(back["s"].as_str(), Some(s.as_str()));
            prop_assert_eq!(crate::sanitize::line(&line), line);
        }
    }
}
