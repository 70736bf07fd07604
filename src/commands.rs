//! Runs the `conversations` and `items` commands: one JSON line on stdout per answer.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use futures::StreamExt;
use serde::Serialize;
use serde_json::Value;

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
}

/// A command of the scriptable CLI.
pub enum Request {
    Conversations(ConversationsCommand),
    Items(ItemsCommand),
}

/// Resolves the profile, connects, runs the command and reports errors on stderr.
pub async fn run(global: &GlobalArgs, request: Request) -> ExitCode {
    let opts = config_options(global);
    let result = async {
        let profile = config::resolve(&opts)?;
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
        let _mirror = crate::mirror::record::start(&profile, &data_dir);
        let result = match request {
            Request::Conversations(c) => conversations(&client, &backup, c).await,
            Request::Items(c) => items(&client, &backup, c).await,
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

/// Reads items from a file, or stdin for `-`.
fn read_items(source: &str) -> Result<Vec<Value>, CommandError> {
    let text = if source == "-" {
        let mut s = String::new();
        io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CommandError::Input(format!("cannot read stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| CommandError::Input(format!("cannot read {source}: {e}")))?
    };
    api::input::parse_items(&text).map_err(|e| {
        let name = if source == "-" { "stdin" } else { source };
        CommandError::Input(format!("{name}: {e}"))
    })
}

async fn conversations(
    client: &Client,
    backup: &Backup,
    cmd: ConversationsCommand,
) -> Result<(), CommandError> {
    match cmd {
        ConversationsCommand::Create { metadata, items } => {
            let items = match items {
                Some(source) => read_items(&source)?,
                None => Vec::new(),
            };
            let metadata = (!metadata.is_empty()).then(|| metadata_of(metadata));
            crate::protocol::validate::each_item(&items).map_err(ApiError::from)?;
            let first = items.len().min(api::MAX_ITEMS_PER_CALL);
            let conv = client
                .create_conversation(metadata.as_ref(), &items[..first])
                .await?;
            // The conversation exists now: say so even if adding the rest fails below.
            print(&conv)?;
            for chunk in items[first..].chunks(api::MAX_ITEMS_PER_CALL) {
                client
                    .create_items(&conv.id, chunk, &[])
                    .await
                    .map_err(|e| ApiError {
                        message: format!(
                            "conversation {} was created, but adding its items failed: {}",
                            conv.id, e.message
                        ),
                        ..e
                    })?;
            }
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
        ConversationsCommand::Delete { id } => {
            let answer = deletion::conversation(client, backup, &id).await?;
            crate::mirror::record::conversation_deleted(&id);
            print(&answer)
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
        let page = client.list_items(&args.conversation, &params).await?;
        crate::mirror::record::page(
            &args.conversation,
            &page,
            params.order,
            params.after.as_deref(),
        )
        .await;
        return print(&page);
    }
    let (order, mut after) = (params.order, params.after.clone());
    let mut pages = Box::pin(client.item_pages(&args.conversation, params));
    while let Some(event) = pages.next().await {
        match event? {
            PageEvent::Page(page) => {
                crate::mirror::record::page(&args.conversation, &page, order, after.as_deref())
                    .await;
                after = page.last_id.clone().or(after);
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
        } => {
            let got = client.get_item(&conversation, &item, &include).await?;
            crate::mirror::record::item(&conversation, &got).await;
            print(&got)
        }
        ItemsCommand::Create {
            conversation,
            file,
            stdin,
            include,
        } => {
            let source = file.or(stdin).unwrap_or_else(|| "-".into());
            let items = read_items(&source)?;
            // All of them are checked before any is sent, so a bad one adds nothing.
            crate::protocol::validate::each_item(&items).map_err(ApiError::from)?;
            let mut added = 0usize;
            for chunk in items.chunks(api::MAX_ITEMS_PER_CALL) {
                let page = client
                    .create_items(&conversation, chunk, &include)
                    .await
                    .map_err(|e| {
                        if added == 0 {
                            e
                        } else {
                            ApiError {
                                message: format!(
                                    "{} (the first {added} items were added)",
                                    e.message
                                ),
                                ..e
                            }
                        }
                    })?;
                added += chunk.len();
                print(&page)?;
            }
            Ok(())
        }
        ItemsCommand::Delete { conversation, item } => {
            let answer = deletion::item(client, backup, &conversation, &item, None).await?;
            crate::mirror::record::item_deleted(&conversation, &item);
            print(&answer)
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
