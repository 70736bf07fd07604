//! The `items` commands: list (a page, or every page with `--all`, recorded into the mirror
//! as it goes), get, create (streamed from a file or stdin) and delete (backed up first).
#![deny(clippy::print_stderr, clippy::print_stdout)]

use std::io::{self, Write};

use crate::api::input::{self, AddError};
use crate::api::{self, Client, ListParams, PageEvent};
use crate::cli::{ItemsCommand, ListArgs};
use crate::commands::{checked_items, print, warn, CommandError};
use crate::deletion::{self, Backup};

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
    // The next page is fetched while this one is recorded and written.
    let mut pages = api::paging::ahead(Box::pin(client.item_pages(&args.conversation, params)));
    let mut out = Vec::new();
    let recording = crate::mirror::record::active();
    while let Some(event) = pages.rx.recv().await {
        match event? {
            PageEvent::Page(page) => {
                out.clear();
                let mut rows = Vec::new();
                for item in &page.data {
                    let start = out.len();
                    crate::json_line::push_json_line(&mut out, item)
                        .map_err(|e| CommandError::Output(io::Error::other(e.to_string())))?;
                    // The line is the item's JSON for the mirror as well.
                    if recording {
                        let raw = String::from_utf8_lossy(&out[start..out.len() - 1]);
                        rows.extend(crate::mirror::row::Row::with_raw(&item.0, raw.into_owned()));
                    }
                }
                if recording {
                    crate::mirror::record::rows(&args.conversation, rows, order, after.as_deref())
                        .await;
                }
                // The cursor the next page is asked with (`last_id`, else the last item's id).
                after = api::paging::cursor_after(&page).or(after);
                // One write a page.
                let mut stdout = io::stdout().lock();
                stdout
                    .write_all(&out)
                    .and_then(|_| stdout.flush())
                    .map_err(CommandError::Output)?;
            }
            PageEvent::Stopped(why) => warn(&why),
        }
    }
    Ok(())
}

/// `convtui items …`.
pub async fn run(client: &Client, backup: &Backup, cmd: ItemsCommand) -> Result<(), CommandError> {
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
            let answer = deletion::item(client, backup, &conversation, &item, None).await?;
            crate::mirror::record::item_deleted(&conversation, &item);
            print(&answer)
        }
    }
}
