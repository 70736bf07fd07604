//! `convtui sync`, `convtui search`, `convtui stats` and `convtui mirror`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;

use super::sync::{self, SyncOptions};
use super::{base_key, path_for, Mirror};
use crate::cli::GlobalArgs;
use crate::config::{self, ConfigOptions, Profile};
use crate::sanitize;

#[derive(Debug, Subcommand)]
pub enum MirrorCommands {
    /// Bring the local mirror up to date: every registered (and mirrored) conversation, or the
    /// ones named. Prints one JSON line per conversation
    Sync(SyncArgs),
    /// Search every mirrored conversation (offline too). QUERY: words, "a phrase", prefix*,
    /// AND, OR, NOT
    Search(SearchArgs),
    /// Item counts by type and role, and size, of a mirrored conversation (one JSON line)
    Stats {
        /// Conversation id
        conversation: String,
    },
    /// The local mirror's file
    #[command(subcommand)]
    Mirror(MirrorCommand),
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Conversation ids [default: the registered and mirrored ones]
    #[arg(value_name = "CONV")]
    pub conversations: Vec<String>,
    /// List every item, and mark items the server no longer has as deleted
    #[arg(long)]
    pub full: bool,
    /// Items per list request (1 to 100 on OpenAI)
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page_size: u32,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (SQLite FTS5 syntax)
    pub query: String,
    /// Only this conversation
    #[arg(long, value_name = "ID")]
    pub conversation: Option<String>,
    /// Only items of this type (e.g. message, function_call), or `conversation` for metadata
    #[arg(long = "type", value_name = "T")]
    pub kind: Option<String>,
    /// Only items with this role (user, assistant, ...)
    #[arg(long, value_name = "R")]
    pub role: Option<String>,
    /// Most hits shown (1 to 10000)
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub limit: u32,
    /// One JSON line per hit
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum MirrorCommand {
    /// Remove the mirror of the current profile and server (or all with --all)
    Clear {
        #[arg(long)]
        all: bool,
    },
    /// Print the path of the current profile's mirror file
    Path,
}

/// A failure, with its exit status.
pub(super) struct Failure(pub(super) String, pub(super) u8);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string(), 1)
    }
}

pub async fn run(global: &GlobalArgs, cmd: MirrorCommands) -> ExitCode {
    match cmd {
        MirrorCommands::Sync(args) => finish(run_sync_command(global, args).await),
        local => finish(run_local_inner(global, local)),
    }
}

/// Runs the commands that read or remove local files only (`search`, `stats`, `mirror`),
/// without an async runtime: a process that only searches starts no threads. `sync` is given
/// back, for [`run`].
pub fn run_local(global: &GlobalArgs, cmd: MirrorCommands) -> Result<ExitCode, MirrorCommands> {
    match cmd {
        MirrorCommands::Sync(_) => Err(cmd),
        local => Ok(finish(run_local_inner(global, local))),
    }
}

fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message, code)) => {
            // The message can hold the query itself (FTS5 quotes it), so it is sanitized too.
            crate::commands::eprint_line("error", &message);
            ExitCode::from(code)
        }
    }
}

/// The profile and the data directory. `keys`: whether the profile's API key is looked up
/// (only `sync` sends requests; the local commands never run `api_key_command`).
fn resolve(global: &GlobalArgs, keys: bool) -> Result<(Profile, PathBuf), Failure> {
    let opts = ConfigOptions {
        config_path: global.config.clone(),
        profile: global.profile.clone(),
        base_url: global.base_url.clone(),
    };
    let mut profile = if keys {
        config::resolve(&opts)
    } else {
        config::resolve_without_key(&opts)
    }
    .map_err(|e| {
        let code = matches!(e, config::ConfigError::UnknownProfile { .. }) as u8 + 1;
        Failure(e.to_string(), code)
    })?;
    crate::commands::apply_global_options(&mut profile, global);
    let data_dir = crate::paths::data_dir().ok_or_else(|| {
        Failure(
            "no data directory could be found; set CONVTUI_DATA_DIR".into(),
            1,
        )
    })?;
    Ok((profile, data_dir))
}

fn mirror_path(profile: &Profile, data_dir: &Path) -> PathBuf {
    path_for(
        data_dir,
        &profile.name,
        &base_key(profile.base_url.as_deref()),
    )
}

fn check_on(profile: &Profile) -> Result<(), Failure> {
    if profile.mirror {
        Ok(())
    } else {
        Err(Failure(
            format!(
                "the local mirror is off for profile '{}' (mirror = false in its settings)",
                profile.name
            ),
            1,
        ))
    }
}

async fn run_sync_command(global: &GlobalArgs, mut args: SyncArgs) -> Result<(), Failure> {
    args.conversations = sync_ids(&args.conversations)?;
    let (profile, data_dir) = resolve(global, true)?;
    let path = mirror_path(&profile, &data_dir);
    check_on(&profile)?;
    run_sync(&profile, &data_dir, &path, args).await
}

/// The conversation ids named on the command line, as `add` reads them; an argument that
/// holds none is refused before anything is sent (exit status 2).
fn sync_ids(texts: &[String]) -> Result<Vec<String>, Failure> {
    texts
        .iter()
        .map(|text| {
            crate::registry::id_in(text).ok_or_else(|| {
                Failure(
                    format!("{}; nothing was synced", crate::registry::not_an_id(text)),
                    2,
                )
            })
        })
        .collect()
}

/// The roles a message item can have, as the API reference lists them
/// (https://platform.openai.com/docs/api-reference/conversations/list-items).
const ROLES: [&str; 8] = [
    "user",
    "assistant",
    "system",
    "developer",
    "tool",
    "critic",
    "discriminator",
    "unknown",
];

/// `--role` must name one of [`ROLES`] (exit status 2 otherwise).
fn check_role(role: Option<&str>) -> Result<(), Failure> {
    match role {
        Some(r) if !ROLES.contains(&r) => Err(Failure(
            format!(
                "unknown role '{}' (roles: {})",
                sanitize::truncate(&sanitize::line(r), 40),
                ROLES.join(", ")
            ),
            2,
        )),
        _ => Ok(()),
    }
}

fn run_local_inner(global: &GlobalArgs, cmd: MirrorCommands) -> Result<(), Failure> {
    if let MirrorCommands::Search(args) = &cmd {
        check_role(args.role.as_deref())?;
    }
    let (profile, data_dir) = resolve(global, false)?;
    let path = mirror_path(&profile, &data_dir);
    match cmd {
        MirrorCommands::Mirror(MirrorCommand::Path) => {
            println!("{}", path.display());
            Ok(())
        }
        MirrorCommands::Mirror(MirrorCommand::Clear { all }) => {
            let files = if all {
                super::all_files(&data_dir)?
            } else {
                vec![path]
            };
            let mut removed = Vec::new();
            for f in files {
                if super::remove(&f)? {
                    removed.push(f.display().to_string());
                }
            }
            println!("{}", json!({ "removed": removed }));
            Ok(())
        }
        MirrorCommands::Search(args) => {
            check_on(&profile)?;
            let mirror = open_existing(&profile, &path)?;
            super::cli_search::search(&mirror, args)
        }
        MirrorCommands::Stats { conversation } => {
            let Some(conversation) = crate::registry::id_in(&conversation) else {
                return Err(Failure(crate::registry::not_an_id(&conversation), 2));
            };
            check_on(&profile)?;
            let mirror = open_existing(&profile, &path)?;
            if !mirror.conversations()?.contains(&conversation)
                && !mirror.has_items(&conversation)?
            {
                return Err(Failure(
                    format!("the mirror has nothing of conversation '{conversation}'; run `convtui sync {conversation}`"),
                    1,
                ));
            }
            let stats = mirror.stats(&conversation)?;
            println!("{}", safe_json(&serde_json::to_value(&stats)?));
            if stats.conversation_deleted_at.is_some() {
                crate::commands::eprint_line(
                    "note",
                    &format!("conversation {conversation} is deleted on the server; the mirror keeps its copy, and its items count as deleted"),
                );
            }
            Ok(())
        }
        MirrorCommands::Sync(_) => Err(Failure("`convtui sync` is not a local command".into(), 1)),
    }
}

fn open_existing(profile: &Profile, path: &Path) -> Result<Mirror, Failure> {
    if !path.exists() {
        return Err(Failure(
            format!(
                "nothing is mirrored yet for profile '{}'; run `convtui sync`",
                profile.name
            ),
            1,
        ));
    }
    Ok(Mirror::open_read_only(path)?)
}

/// The conversations `convtui sync` covers by default: the profile's registry (the list the
/// terminal UI shows). The one place that knows where the registry is.
pub fn registered(data_dir: &Path, profile: &Profile) -> Result<Vec<String>, String> {
    let path = crate::registry::path_for_profile(data_dir, profile);
    let registry = crate::registry::Registry::load(&path).map_err(|e| e.to_string())?;
    Ok(registry.conversations.into_iter().map(|e| e.id).collect())
}

async fn run_sync(
    profile: &Profile,
    data_dir: &Path,
    path: &Path,
    args: SyncArgs,
) -> Result<(), Failure> {
    let mirror = Mirror::open_path(path)?;
    let mut ids = args.conversations.clone();
    // A named id that the server does not know (404) and the mirror holds nothing live of is
    // a mistake, not a deletion to record.
    let named = !ids.is_empty();
    let mirrored = mirror.conversations()?;
    if ids.is_empty() {
        ids = registered(data_dir, profile)?;
        for id in &mirrored {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    }
    if ids.is_empty() {
        eprintln!(
            "nothing to sync: profile '{}' has no registered conversations (add some with `convtui add ID`)",
            profile.name
        );
        return Ok(());
    }
    let (client, server) = config::connect(profile).await?;
    let (writer, thread) = super::MirrorWriter::start_joinable(path, super::Memory::LARGE)?;
    let opts = SyncOptions {
        full: args.full,
        page_size: args.page_size,
    };
    let bar = std::io::stderr().is_terminal();
    let mut failed = 0usize;
    // A conversation that fails has its line too, with the error and how many items were
    // read (and kept) before it: a script sees every conversation it asked for.
    let failure = |id: &str, error: &str, received: u64| {
        let line = json!({"conversation": id, "error": error, "received": received});
        println!("{}", safe_json(&line));
    };
    for (n, id) in ids.iter().enumerate() {
        let mut received_so_far = 0;
        let mut progress = |received: u64| {
            received_so_far = received;
            if bar {
                draw_bar(n, ids.len(), id, received);
            }
        };
        progress(0);
        let result = sync::conversation(&client, &mirror, &writer, id, opts, &mut progress).await;
        if bar {
            eprint!("\r\x1b[2K");
        }
        let unknown = |r: &sync::SyncReport| {
            named && r.gone && !mirrored.contains(id) && !mirror.has_items(id).unwrap_or(true)
        };
        match result {
            Ok(report) if unknown(&report) => {
                failed += 1;
                eprintln!(
                    "error: {}: the server has no such conversation (404); nothing of it is mirrored",
                    sanitize::line(id)
                );
                failure(id, "the server has no such conversation (404)", 0);
            }
            Ok(report) => {
                for w in &report.warnings {
                    eprintln!("warning: {}: {}", sanitize::line(id), sanitize::line(w));
                }
                println!("{}", safe_json(&serde_json::to_value(&report)?));
            }
            Err(e) => {
                failed += 1;
                crate::commands::eprint_line("error", &format!("{id}: {e}"));
                failure(id, &e.to_string(), received_so_far);
            }
        }
    }
    let written = writer.flush().await;
    drop(writer);
    let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    drop(mirror);
    drop(client);
    if let Some(server) = server {
        let _ = server.shutdown().await;
    }
    written.map_err(|e| Failure(format!("the mirror could not be written: {e}"), 1))?;
    if failed > 0 {
        return Err(Failure(
            format!(
                "{failed} of {} conversations could not be synced",
                ids.len()
            ),
            1,
        ));
    }
    Ok(())
}

fn draw_bar(done: usize, total: usize, id: &str, received: u64) {
    const WIDTH: usize = 24;
    let filled = WIDTH * done / total.max(1);
    let bar = format!("{}{}", "=".repeat(filled), " ".repeat(WIDTH - filled));
    eprint!(
        "\r\x1b[2Ksync [{bar}] {}/{total} {} · {received} items",
        done + 1,
        sanitize::truncate(&sanitize::line(id), 40)
    );
    let _ = std::io::stderr().flush();
}

/// JSON with C1 controls and bidirectional or zero-width formatting escaped as `\uXXXX`, so
/// the line is safe on a terminal and still the same JSON.
pub(super) fn safe_json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let risky = c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
        if risky {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
