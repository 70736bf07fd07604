//! Command-line interface (clap).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};

use crate::api::Order;

#[derive(Debug, Parser)]
#[command(
    name = "convtui",
    version,
    about = "A terminal UI, scriptable CLI and local server for the OpenAI Conversations API",
    long_about = "A terminal UI, scriptable CLI and local server for the OpenAI Conversations API.\n\nWith no subcommand, opens the terminal UI on the resolved profile.\n\nThe `conversations` and `items` commands print each answer as one line of JSON on stdout. An error prints one line on stderr. Exit status 1: the API answered with an error or could not be reached. Exit status 2: a problem found before sending (a bad flag or --metadata, a request the API would refuse, a bad base URL, a settings error, no API key).",
    after_help = "Profiles: --profile, else CONVTUI_PROFILE, else `default_profile` in the settings file, else `openai` when OPENAI_API_KEY is set, else `local` (a server embedded in this process, on DATA_DIR/local.sqlite3).\nEnvironment: OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID, CONVTUI_PROFILE, CONVTUI_DATA_DIR."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Settings file [default: CONFIG_DIR/convtui/config.toml]
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        help_heading = "Global options"
    )]
    pub config: Option<PathBuf>,
    /// Profile to use (a `[profiles.NAME]` table, or the built-in `local` / `openai`)
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        help_heading = "Global options"
    )]
    pub profile: Option<String>,
    /// API base URL, overriding the profile's (e.g. http://127.0.0.1:8787/v1)
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "Global options"
    )]
    pub base_url: Option<String>,
    /// Refuse every call that changes something (create, update, delete); nothing is sent
    #[arg(long, global = true, help_heading = "Global options")]
    pub read_only: bool,
    /// Most pages one listing may fetch [default: the profile's max_list_pages, else 10000]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_list_pages: Option<u64>,
    /// Most items one listing may hold [default: the profile's max_list_items, else 1000000]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_list_items: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the local Conversations API server
    Serve(ServeArgs),
    /// Create, show, update and delete conversations
    #[command(subcommand)]
    Conversations(ConversationsCommand),
    /// List, show, add and delete the items of a conversation
    #[command(subcommand)]
    Items(ItemsCommand),
    /// Add conversation ids to the terminal UI's list for this profile
    Add {
        /// Conversation ids (conv_...)
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Add conversation ids from a file, one per line (`-` reads standard input)
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Remove conversation ids from the terminal UI's list for this profile (nothing is deleted)
    Forget {
        /// Conversation ids (conv_...)
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Write a whole conversation (every page of its items) as Markdown, JSON or JSON Lines
    Export(ExportArgs),
    /// Print a shell completion script (e.g. `convtui completions bash > ~/.local/share/bash-completion/completions/convtui`)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// List what was deleted (DATA_DIR/deleted.jsonl), or re-create deleted items and
    /// conversations from it
    Restore(RestoreArgs),
    #[command(flatten)]
    Mirror(crate::mirror::cli::MirrorCommands),
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// Deleted item or conversation ids, or entry numbers from the listing; none lists the
    /// entries
    #[arg(value_name = "ID|NUMBER")]
    pub ids: Vec<String>,
    /// Restore even an entry already restored, one whose delete may not have happened, or one
    /// recorded for another server
    #[arg(long)]
    pub force: bool,
    /// List the entries as JSON Lines
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Conversation id
    pub conversation: String,
    /// md (readable: roles as headings, tool calls as code), json ({"conversation", "items"})
    /// or jsonl (one item per line); by default from the extension of -o, else md
    #[arg(long, value_name = "md|json|jsonl")]
    pub format: Option<crate::export::Format>,
    /// Write to this file (written whole, then renamed into place) instead of stdout
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

#[derive(Args)]
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
    /// Require `Authorization: Bearer KEY` on every request. Prefer the environment variable
    /// CONVTUI_SERVE_API_KEY: a key given here shows in `ps` to every user of the machine
    #[arg(long, env = "CONVTUI_SERVE_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Seconds a client has to send a request's headers
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds a client has to send a request's body
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub body_timeout: u64,
    /// Seconds a kept-alive connection may wait for its next request
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub idle_timeout: u64,
    /// Connections served at once; more wait in the listen backlog
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub max_connections: usize,
    /// Item bytes in one page of a listing; a page stops early with has_more
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_page_bytes: usize,
    /// Accept item types the API does not list, as sent (to test clients against new types)
    #[arg(long)]
    pub allow_unknown_item_types: bool,
    /// Inject faults, e.g. '500:0.1,latency=200ms:0.3,stall:every=7;seed=42' (see the README)
    #[arg(long, value_name = "SPEC")]
    pub chaos: Option<crate::server::chaos::Chaos>,
}

/// The key is never shown, not even in debug output.
impl std::fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeArgs")
            .field("addr", &self.addr)
            .field("db", &self.db)
            .field("memory", &self.memory)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// `KEY=VALUE`
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => Err(format!("expected KEY=VALUE, got '{s}'")),
    }
}

#[derive(Debug, Subcommand)]
pub enum ConversationsCommand {
    /// Create a conversation, optionally with metadata and initial items; prints the conversation
    Create {
        /// A metadata pair (repeatable; at most 16)
        #[arg(long, value_name = "KEY=VALUE", value_parser = parse_pair)]
        metadata: Vec<(String, String)>,
        /// Initial items: a file, or - for stdin (a JSON array, {"items":[...]}, or JSON Lines).
        /// Any number: the first 20 go with the create, the rest are added 20 at a time.
        #[arg(long, value_name = "FILE|-")]
        items: Option<String>,
    },
    /// Show a conversation
    Get {
        /// Conversation id
        id: String,
    },
    /// Change a conversation's metadata; prints what the server returned
    #[command(group(ArgGroup::new("change").required(true).multiple(true).args(["metadata", "metadata_json", "clear", "set", "unset"])))]
    Update {
        /// Conversation id
        id: String,
        /// A metadata pair (repeatable); the pairs given replace the whole metadata
        #[arg(long, value_name = "KEY=VALUE", value_parser = parse_pair, conflicts_with_all = ["metadata_json", "clear", "set", "unset"])]
        metadata: Vec<(String, String)>,
        /// Set one key, keeping the others (repeatable; reads the current metadata first)
        #[arg(long, value_name = "KEY=VALUE", value_parser = parse_pair, conflicts_with_all = ["metadata_json", "clear"])]
        set: Vec<(String, String)>,
        /// Remove one key, keeping the others (repeatable; reads the current metadata first)
        #[arg(long, value_name = "KEY", conflicts_with_all = ["metadata_json", "clear"])]
        unset: Vec<String>,
        /// The whole metadata as a JSON object of strings, e.g. '{"topic":"x"}'
        #[arg(long, value_name = "JSON", value_parser = crate::api::input::metadata_from_json, conflicts_with = "clear")]
        metadata_json: Option<crate::api::Metadata>,
        /// Remove all metadata (sends "metadata": null)
        #[arg(long)]
        clear: bool,
    },
    /// List conversations: the ids in this profile's list, merged with the server's own
    /// listing where it has one (OpenAI has none); one JSON line each
    List,
    /// Delete a conversation (its items are not deleted)
    Delete {
        /// Conversation id
        id: String,
        /// Delete it even when its items cannot all be read for the backup (the backup then
        /// holds those that could be read)
        #[arg(long)]
        allow_partial_backup: bool,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Conversation id
    pub conversation: String,
    /// Items per page (always sent; 1 to 100 on OpenAI)
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Sort order: asc (oldest first) or desc (newest first)
    #[arg(long, default_value_t = Order::Desc)]
    pub order: Order,
    /// Start after this item id
    #[arg(long, value_name = "ITEM_ID")]
    pub after: Option<String>,
    /// Extra data to include, e.g. message.output_text.logprobs (repeatable)
    #[arg(long, value_name = "VALUE")]
    pub include: Vec<String>,
    /// Follow pages to the end, printing one item per line (JSON Lines) as pages arrive
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum ItemsCommand {
    /// List items: one page as one line, or every item with --all
    List(ListArgs),
    /// Show one item
    Get {
        /// Conversation id
        conversation: String,
        /// Item id
        item: String,
        /// Extra data to include (repeatable)
        #[arg(long, value_name = "VALUE")]
        include: Vec<String>,
    },
    /// Add items from a file or stdin, in order, 20 per request; prints each answer (a page of
    /// the created items) as one line
    #[command(group(ArgGroup::new("source").required(true).args(["file", "stdin"])))]
    Create {
        /// Conversation id
        conversation: String,
        /// Items file: a JSON array, {"items":[...]}, or JSON Lines (- for stdin)
        #[arg(long, short, value_name = "FILE")]
        file: Option<String>,
        /// `-` reads the items from stdin
        #[arg(value_name = "-", value_parser = clap::builder::PossibleValuesParser::new(["-"]))]
        stdin: Option<String>,
        /// Extra data to include in the answer (repeatable)
        #[arg(long, value_name = "VALUE")]
        include: Vec<String>,
    },
    /// Delete an item; prints the server's answer
    Delete {
        /// Conversation id
        conversation: String,
        /// Item id
        item: String,
    },
}
