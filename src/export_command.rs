//! `convtui export CONV [--format md|json|jsonl] [-o PATH]`.
#![deny(clippy::print_stderr, clippy::print_stdout)]

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use crate::cli::{ExportArgs, GlobalArgs};
use crate::commands::{self, CommandError};
use crate::config;
use crate::export::{self, ExportError, Format};

/// Resolves the profile, connects, and writes the export; errors go to stderr.
pub async fn run(global: &GlobalArgs, args: ExportArgs) -> ExitCode {
    let result = async {
        let format = match (args.format, args.output.as_deref()) {
            (Some(f), _) => f,
            (None, Some(path)) => Format::from_path(path).ok_or_else(|| {
                CommandError::Input(format!(
                    "cannot tell the format from '{}': name it .md, .json or .jsonl, or pass --format",
                    path.display()
                ))
            })?,
            (None, None) => Format::Markdown,
        };
        let profile = commands::resolve(global, &commands::config_options(global))?;
        let (client, server) = config::connect(&profile).await?;
        let cancel = AtomicBool::new(false);
        let mut progress = |_: export::Progress| {};
        let result = match &args.output {
            Some(path) => {
                export::to_file(&client, &args.conversation, format, path, &cancel, &mut progress)
                    .await
            }
            None => {
                let mut out = std::io::BufWriter::new(std::io::stdout());
                let r = export::write(
                    &client,
                    &args.conversation,
                    format,
                    &mut out,
                    &cancel,
                    &mut progress,
                )
                .await;
                r.and_then(|d| out.flush().map(|_| d).map_err(ExportError::Io))
            }
        };
        drop(client);
        if let Some(server) = server {
            if let Err(e) = server.shutdown().await {
                commands::warn(&format!("the local server did not stop cleanly: {e}"));
            }
        }
        let done = result.map_err(|e| match e {
            ExportError::Api(e) => CommandError::Api(e),
            ExportError::Io(e) => CommandError::Output(e),
            ExportError::Cancelled => CommandError::Other(e.to_string()),
        })?;
        if let Some(w) = &done.warning {
            commands::warn(w);
        }
        if let Some(path) = &args.output {
            commands::eprint_line(
                "exported",
                &format!("{} items to {}", done.items, path.display()),
            );
        }
        Ok(())
    }
    .await;
    commands::finish(result)
}
