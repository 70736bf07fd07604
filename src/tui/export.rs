//! `:export PATH` (and `W`): writes the open conversation, every page of it, through
//! `crate::export`, in a task, with a progress bar that `Esc` cancels.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Gauge, Paragraph};
use ratatui::Frame;
use tokio::sync::mpsc::UnboundedSender;

use super::message::{Effect, Message};
use super::sanitize;
use super::state::{App, Status};
use super::theme::THEME;
use crate::api::Client;
use crate::export::{self, ExportError, Format};

/// A flag the export task checks between pages. Two flags are equal when they are the same.
#[derive(Debug, Clone, Default)]
pub struct Cancel(pub Arc<AtomicBool>);

impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The export running.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub conversation: String,
    pub path: PathBuf,
    pub format: Format,
    pub progress: export::Progress,
    /// Of the timeline, when all of it is loaded: what the bar fills towards.
    pub expected: Option<usize>,
    pub cancel: Cancel,
    pub cancelling: bool,
}

/// The file an export of `conversation` goes to by default: `CONV_ID.md` here.
pub fn default_path(conversation: &str) -> String {
    let safe: String = conversation
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.md")
}

fn expand(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(rest))
            .unwrap_or_else(|| PathBuf::from(path)),
        None => PathBuf::from(path),
    }
}

/// Starts exporting the open conversation (else the selected one) to `path`, whose
/// extension names the format (`.md`, `.json`, `.jsonl`). An empty path means `CONV_ID.md`.
pub fn start(app: &mut App, path: &str) -> Vec<Effect> {
    if let Some(why) = super::offline::export_refusal(app) {
        app.status = Some(Status::Warning(why));
        return vec![];
    }
    if let Some(e) = &app.export {
        app.status = Some(Status::Warning(format!(
            "An export to {} is still running; Esc cancels it.",
            sanitize::line(&e.path.display().to_string())
        )));
        return vec![];
    }
    let conversation = match app.timeline.as_ref() {
        Some(t) => t.conversation.clone(),
        None => match app.selected_conv() {
            Some(c) => c.id.clone(),
            None => {
                app.status = Some(Status::Info(
                    "No conversation to export; open or select one first.".into(),
                ));
                return vec![];
            }
        },
    };
    let path = path.trim();
    let path = if path.is_empty() {
        default_path(&conversation)
    } else {
        path.to_string()
    };
    let path = expand(&path);
    let Some(format) = Format::from_path(&path) else {
        app.status = Some(Status::Warning(format!(
            "Cannot tell the format of {}: name it .md, .json or .jsonl.",
            sanitize::line(&path.display().to_string())
        )));
        return vec![];
    };
    let expected = app
        .timeline
        .as_ref()
        .filter(|t| t.conversation == conversation && !t.paging.has_more && !t.paging.loading)
        .map(|t| t.list.items.len());
    let cancel = Cancel::default();
    app.export = Some(Export {
        conversation: conversation.clone(),
        path: path.clone(),
        format,
        progress: export::Progress::default(),
        expected,
        cancel: cancel.clone(),
        cancelling: false,
    });
    vec![Effect::Export {
        conversation,
        path,
        format,
        cancel,
    }]
}

/// `W`: the open or selected conversation to `CONV_ID.md`.
pub fn start_default(app: &mut App) -> Vec<Effect> {
    start(app, "")
}

/// `Esc` while an export runs: asks it to stop. Whether there was one.
pub fn cancel(app: &mut App) -> bool {
    match app.export.as_mut() {
        Some(e) => {
            e.cancel.cancel();
            e.cancelling = true;
            true
        }
        None => false,
    }
}

pub fn on_progress(app: &mut App, conversation: &str, progress: export::Progress) {
    if let Some(e) = app
        .export
        .as_mut()
        .filter(|e| e.conversation == conversation)
    {
        e.progress = progress;
    }
}

/// The export ended: written (items, a warning), cancelled, or failed.
pub fn on_done(app: &mut App, result: Result<(usize, Option<String>), String>) {
    let Some(e) = app.export.take() else {
        return;
    };
    let shown = sanitize::line(&e.path.display().to_string());
    app.status = Some(match result {
        Ok((items, None)) => Status::Info(format!("Exported {items} items to {shown}")),
        Ok((items, Some(w))) => Status::Warning(format!(
            "Exported {items} items to {shown}, but {}",
            sanitize::line(&w)
        )),
        Err(why) if e.cancelling => Status::Info(format!(
            "Export cancelled; {shown} was not written ({})",
            sanitize::line(&why)
        )),
        Err(why) => Status::Error(super::data::Failure::new(format!(
            "export to {shown} failed: {why}"
        ))),
    });
}

/// Runs an export in its task, telling the loop after each page.
pub async fn run(
    client: &Client,
    tx: &UnboundedSender<Message>,
    conversation: String,
    path: PathBuf,
    format: Format,
    cancel: Cancel,
) -> Message {
    let mut progress = |p: export::Progress| {
        let _ = tx.send(Message::ExportProgress {
            conversation: conversation.clone(),
            progress: p,
        });
    };
    let result = export::to_file(
        client,
        &conversation,
        format,
        &path,
        &cancel.0,
        &mut progress,
    )
    .await
    .map(|d| (d.items, d.warning))
    .map_err(|e| match e {
        ExportError::Api(e) => e.message,
        other => other.to_string(),
    });
    Message::ExportDone { result }
}

/// The fraction of the bar: of the items expected when known, else of what is loaded plus
/// one more page while the server says more follow.
pub fn ratio(e: &Export) -> f64 {
    let done = e.progress.items as f64;
    let total = match e.expected {
        Some(n) if n >= e.progress.items => n as f64,
        _ if e.progress.more => done + 100.0,
        _ => done,
    };
    if total <= 0.0 {
        0.0
    } else {
        (done / total).clamp(0.0, 1.0)
    }
}

/// The progress bar, over the bottom of the screen.
pub fn draw(frame: &mut Frame, area: Rect, e: &Export) {
    if area.height < 4 || area.width < 20 {
        return;
    }
    let width = area.width.min(72);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + area.height.saturating_sub(5),
        width,
        3,
    );
    frame.render_widget(Clear, rect);
    let name = Path::new(&e.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = if e.cancelling {
        "Cancelling export…".to_string()
    } else {
        format!(
            "Exporting to {}",
            sanitize::truncate(&sanitize::line(&name), 40)
        )
    };
    let block = super::view::popup(&title, THEME.accent).title_bottom(Line::from(vec![
        Span::styled(" Esc", THEME.accent()),
        Span::styled(" cancel ", THEME.dim()),
    ]));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let label = format!(
        "{} items · {} pages{}",
        e.progress.items,
        e.progress.pages,
        if e.progress.more { " · more…" } else { "" }
    );
    if THEME.plain {
        frame.render_widget(Paragraph::new(label), inner);
    } else {
        frame.render_widget(
            Gauge::default()
                .gauge_style(THEME.accent())
                .ratio(ratio(e))
                .label(label),
            inner,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    fn app() -> App {
        let mut app = App::new("local", "http://x/v1", Registry::default());
        app.convs
            .items
            .push(super::super::state::ConvEntry::new("conv_1"));
        app
    }

    #[test]
    fn start_progress_cancel_and_done() {
        let mut app = app();
        let effects = start(&mut app, "out.jsonl");
        let Some(Effect::Export {
            conversation,
            format,
            cancel,
            ..
        }) = effects.first()
        else {
            panic!("{effects:?}")
        };
        assert_eq!((conversation.as_str(), *format), ("conv_1", Format::Jsonl));
        // A second one waits for the first.
        assert!(start(&mut app, "b.md").is_empty());
        on_progress(
            &mut app,
            "conv_1",
            export::Progress {
                items: 100,
                pages: 1,
                more: true,
            },
        );
        assert_eq!(ratio(app.export.as_ref().unwrap()), 0.5);
        assert!(super::cancel(&mut app));
        assert!(cancel.0.load(Ordering::SeqCst));
        on_done(&mut app, Err("export cancelled".into()));
        assert!(app.export.is_none());
        assert!(matches!(&app.status, Some(Status::Info(t)) if t.starts_with("Export cancelled")));
        assert!(!super::cancel(&mut app));
    }

    #[test]
    fn refuses_an_unknown_extension_and_defaults_to_markdown() {
        let mut app = app();
        assert!(start(&mut app, "x.txt").is_empty());
        assert!(
            matches!(&app.status, Some(Status::Warning(t)) if t.contains(".md, .json or .jsonl"))
        );
        let effects = start_default(&mut app);
        assert!(
            matches!(&effects[..], [Effect::Export { path, format: Format::Markdown, .. }] if path == Path::new("conv_1.md"))
        );
    }
}
