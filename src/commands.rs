//! Runs the `conversations` and `items` commands: one JSON line on stdout per answer.

use std::io::{self, Write};
use std::process::ExitCode;

use futures::StreamExt;
use serde::Serialize;

use crate::api::input::{self, AddError, ItemSource};
use crate::api::{self, ApiError, Client, ListParams, Metadata, PageEvent};
use crate::cli::{ConversationsCommand, GlobalArgs, ItemsCommand, ListArgs};
use crate::config::{self, ConfigOptions};
use crate::deletion::{self, Backup};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("{0}")]
    Input(String),
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
        let mut profile = config::resolve(&opts)?;
        profile.limits.max_pages = global.max_list_pages.unwrap_or(profile.limits.max_pages);
        profile.limits.max_items = global.max_list_items.unwrap_or(profile.limits.max_items);
        let (client, server) = config::connect(&profile).await?;
        let data_dir = crate::paths::data_dir().ok_or_else(|| {
            CommandError::Input(
                "no data directory could be found for the delete backup; set CONVTUI_DATA_DIR"
                    .into(),
            )
        })?;
        let backup = Backup {
            path: crate::backup::path_in(&data_dir),
            profile: profile.name.clone(),
        };
        let result = match request {
            Request::Conversations(c) => conversations(&client, &backup, c).await,
            Request::Items(c) => items(&client, &backup, c).await,
            Request::Restore(args) => crate::restore::command(&client, &backup, &data_dir, &args)
                .await
                .map_err(CommandError::from),
        };
        drop(client);
        if let Some(server) = server {
            if let Err(e) = server.shutdown().await {
                eprintln!("warning: the local server did not stop cleanly: {e}");
            }
        }
        result
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CommandError::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        // Naming a profile that does not exist is a usage error, like a bad flag.
        Err(e @ CommandError::Config(config::ConfigError::UnknownProfile { .. })) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {}", api::error::one_line(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}

fn print<T: Serialize>(value: &T) -> Result<(), CommandError> {
    let line = serde_json::to_string(value)
        .map_err(|e| CommandError::Output(io::Error::other(e.to_string())))?;
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|_| out.flush())
        .map_err(CommandError::Output)
}

fn metadata_of(pairs: Vec<(String, String)>) -> Metadata {
    pairs.into_iter().collect()
}

/// Opens an items file (`-`: stdin) and checks every item in it, one at a time, before any is
/// sent.
async fn checked_items(source: &str) -> Result<ItemSource, CommandError> {
    let items = ItemSource::open(source).map_err(CommandError::Input)?;
    items.check().await?;
    Ok(items)
}

async fn conversations(
    client: &Client,
    backup: &Backup,
    cmd: ConversationsCommand,
) -> Result<(), CommandError> {
    match cmd {
        ConversationsCommand::Create { metadata, items } => {
            let metadata = (!metadata.is_empty()).then(|| metadata_of(metadata));
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
            // The conversation exists now: say so even if adding the rest fails below.
            print(&conv)?;
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
        ConversationsCommand::Get { id } => print(&client.get_conversation(&id).await?),
        ConversationsCommand::Update {
            id,
            metadata,
            metadata_json,
            clear,
        } => {
            let new = if clear {
                None
            } else if let Some(map) = metadata_json {
                Some(map)
            } else {
                Some(metadata_of(metadata))
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
            if done.partial {
                eprintln!(
                    "warning: deleted with a partial backup: {} item(s) were saved",
                    done.saved
                );
            }
            print(&done.answer)
        }
    }
}

async fn list(client: &Client, args: ListArgs) -> Result<(), CommandError> {
    let params = ListParams {
        limit: args.limit,
        order: args.order,
        after: args.after,
        include: args.include,
    };
    if !args.all {
        return print(&client.list_items(&args.conversation, &params).await?);
    }
    let mut pages = Box::pin(client.item_pages(&args.conversation, params));
    while let Some(event) = pages.next().await {
        match event? {
            PageEvent::Page(page) => {
                for item in &page.data {
                    print(item)?;
                }
            }
            PageEvent::Stopped(why) => eprintln!("warning: {why}"),
        }
    }
    Ok(())
}

async fn items(client: &Client, backup: &Backup, cmd: ItemsCommand) -> Result<(), CommandError> {
    match cmd {
        ItemsCommand::List(args) => list(client, args).await,
        ItemsCommand::Get {
            conversation,
            item,
            include,
        } => print(&client.get_item(&conversation, &item, &include).await?),
        ItemsCommand::Create {
            conversation,
            file,
            stdin,
            include,
        } => {
            let source = file.or(stdin).unwrap_or_else(|| "-".into());
            // All of them are checked before any is sent, so a bad one adds nothing.
            let items = checked_items(&source).await?;
            let chunks = input::chunked(Box::pin(items.items()));
            let mut output = None;
            let added = input::add_chunks(client, &conversation, &include, chunks, 0, |page| {
                print(page).map_err(|e| {
                    output = Some(e);
                    AddError::Input("stopped: the output cannot be written".into())
                })
            })
            .await;
            match output {
                Some(e) => Err(e),
                None => added.map(|_| ()).map_err(CommandError::from),
            }
        }
        ItemsCommand::Delete { conversation, item } => {
            print(&deletion::item(client, backup, &conversation, &item, None).await?)
        }
    }
}

fn config_options(global: &GlobalArgs) -> ConfigOptions {
    ConfigOptions {
        config_path: global.config.clone(),
        profile: global.profile.clone(),
        base_url: global.base_url.clone(),
    }
}

/// `convtui add` / `convtui import`: adds ids to the profile's registry and prints a summary.
pub fn add_to_registry(global: &GlobalArgs, ids: &[String]) -> Result<(), String> {
    let profile = config::resolve(&config_options(global)).map_err(|e| e.to_string())?;
    let data_dir = crate::paths::data_dir().ok_or("no data directory could be found")?;
    let path = crate::registry::path_for(&data_dir, &profile.name);
    let mut registry = crate::registry::Registry::load(&path).map_err(|e| e.to_string())?;
    let ids = ids
        .iter()
        .map(|text| {
            crate::registry::id_in(text).ok_or_else(|| format!("not a conversation id: '{text}'"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let added = registry.add(ids.iter().map(String::as_str));
    registry.save(&path).map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::json!({
            "profile": profile.name,
            "added": added,
            "total": registry.conversations.len(),
            "registry": path.display().to_string(),
        })
    );
    Ok(())
}

/// Reads the ids of an import file (`-` for standard input).
pub fn read_import(file: &std::path::Path) -> Result<Vec<String>, String> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| format!("cannot read standard input: {e}"))?
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?
    };
    crate::registry::parse_import(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// Opens the terminal UI on the resolved profile.
pub async fn open_tui(global: &GlobalArgs) -> Result<(), String> {
    let profile = config::resolve(&config_options(global)).map_err(|e| e.to_string())?;
    crate::tui::run(profile).await
}
