//! Command-line interface (clap).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "convtui",
    version,
    about = "A terminal UI, scriptable CLI and local server for the OpenAI Conversations API",
    long_about = "A terminal UI, scriptable CLI and local server for the OpenAI Conversations API.\n\nWith no subcommand, opens the terminal UI on the resolved profile."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the local Conversations API server
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,
    /// SQLite database file [default: DATA_DIR/local.sqlite3]
    #[arg(long, conflicts_with = "memory")]
    pub db: Option<PathBuf>,
    /// Keep everything in memory
    #[arg(long)]
    pub memory: bool,
    /// Require `Authorization: Bearer KEY` on every request
    #[arg(long, env = "CONVTUI_SERVE_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
}
