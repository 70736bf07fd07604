// Every line on stderr goes through `commands::eprint_line`, which sanitizes it.
#![deny(clippy::print_stderr, clippy::print_stdout)]

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use convtui::cli::{Cli, Command, ServeArgs};
use convtui::commands::{self, Request};
use convtui::server::{self, Database, ServeOptions};

/// mimalloc rather than glibc's malloc: a listing's items are parsed on one thread and freed on
/// another (the printer, the mirror's writer), which glibc serves slowly. With it, a sync of
/// 100,000 items takes about 0.8 times the time and CPU (benches/mirror.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// mimalloc's own setting (`mimalloc.h`), linked in with it.
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e`.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

fn main() -> ExitCode {
    // Freed memory goes back to the system at once rather than 10 ms later: opening a 10 MB
    // item frees and allocates its renderings in quick turns, and a delay kept them all
    // resident (peak RSS 14.6x the item instead of about 8x; benches/big_item.sh).
    // A MIMALLOC_PURGE_DELAY set by the user wins.
    // SAFETY: called first, while the process has one thread; the option exists in the
    // mimalloc this crate links (v3).
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
    let mut command = Cli::command();
    let matches = command.get_matches_mut();
    // The process ends soon after: freeing the whole command tree would be work for nothing.
    std::mem::forget(command);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let key_in_argv = matches
        .subcommand_matches("serve")
        .is_some_and(|m| m.value_source("api_key") == Some(clap::parser::ValueSource::CommandLine));
    match cli.command {
        Some(Command::Serve(args)) => {
            if key_in_argv {
                commands::warn(
                    "--api-key on the command line can be read by other users of this machine (ps); set CONVTUI_SERVE_API_KEY instead",
                );
            }
            block_on(serve(args))
        }
        Some(Command::Conversations(c)) => {
            block_on(commands::run(&cli.global, Request::Conversations(c)))
        }
        Some(Command::Items(c)) => block_on(commands::run(&cli.global, Request::Items(c))),
        Some(Command::Add { ids }) => commands::add(&cli.global, &ids),
        Some(Command::Import { file }) => commands::import(&cli.global, &file),
        Some(Command::Forget { ids }) => commands::forget(&cli.global, &ids),
        Some(Command::Export(args)) => block_on(convtui::export_command::run(&cli.global, args)),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "convtui",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Some(Command::Restore(args)) if args.ids.is_empty() => {
            let listed = convtui::paths::data_dir()
                .ok_or_else(|| "no data directory could be found; set CONVTUI_DATA_DIR".into())
                .and_then(|dir| {
                    let journal = convtui::backup::Journal::new(convtui::backup::path_in(&dir));
                    convtui::restore::list(&journal, args.json)
                });
            match listed {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    commands::eprint_error(&e);
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Restore(args)) => {
            block_on(commands::run(&cli.global, Request::Restore(args)))
        }
        Some(Command::Mirror(c)) => match convtui::mirror::cli::run_local(&cli.global, c) {
            Ok(code) => code,
            Err(c) => block_on(convtui::mirror::cli::run(&cli.global, c)),
        },
        None => block_on(commands::open_tui(&cli.global)),
    }
}

/// Runs a command that talks to a server on a runtime built for it; the commands that only
/// read local files (search, stats, completions, ...) start none, and so no threads.
fn block_on(command: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(command),
        Err(e) => {
            commands::eprint_error(&format!("cannot start the async runtime: {e}"));
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CONVTUI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let database = if args.memory {
        Database::Memory
    } else if let Some(path) = args.db {
        Database::File(path)
    } else {
        match Database::default_file() {
            Some(path) => Database::File(path),
            None => {
                commands::eprint_error(
                    &"no data directory could be found; pass --db PATH or --memory",
                );
                return ExitCode::FAILURE;
            }
        }
    };
    let opts = ServeOptions {
        addr: args.addr,
        database,
        api_key: args.api_key.filter(|k| !k.is_empty()),
    };
    if let Some(chaos) = &args.chaos {
        commands::eprint_line(
            "convtui serve",
            &format!("injecting faults (--chaos), seed {}", chaos.seed),
        );
    }
    let limits = server::Limits {
        header_timeout: std::time::Duration::from_secs(args.header_timeout.max(1)),
        body_timeout: std::time::Duration::from_secs(args.body_timeout.max(1)),
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout.max(1)),
        max_connections: args.max_connections.max(1),
        max_page_bytes: args.max_page_bytes.max(1),
        allow_unknown_item_types: args.allow_unknown_item_types,
        chaos: args.chaos,
    };
    match server::run_with(opts, limits).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ server::ServeError::NoKeyOnNetwork(_)) => {
            commands::eprint_error(&e);
            ExitCode::from(2)
        }
        Err(e) => {
            commands::eprint_error(&e);
            ExitCode::FAILURE
        }
    }
}
