use std::process::ExitCode;

use clap::Parser;
use convtui::cli::{Cli, Command, ServeArgs};
use convtui::commands::{self, Request};
use convtui::server::{self, Database, ServeOptions};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Serve(args)) => runtime.block_on(serve(args)),
        Some(Command::Conversations(c)) => {
            runtime.block_on(commands::run(&cli.global, Request::Conversations(c)))
        }
        Some(Command::Items(c)) => runtime.block_on(commands::run(&cli.global, Request::Items(c))),
        Some(Command::Add { ids }) => report(commands::add_to_registry(&cli.global, &ids)),
        Some(Command::Import { file }) => report(
            commands::read_import(&file)
                .and_then(|ids| commands::add_to_registry(&cli.global, &ids)),
        ),
        None => report(runtime.block_on(commands::open_tui(&cli.global))),
    }
}

fn report(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
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
                eprintln!("error: no data directory could be found; pass --db PATH or --memory");
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
        eprintln!(
            "convtui serve: injecting faults (--chaos), seed {}",
            chaos.seed
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
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
