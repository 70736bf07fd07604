//! The event loop: a biased select over terminal input, task results and a spinner tick.

use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;

use super::message::{Effect, Message};
use super::runtime::Runtime;
use super::state::App;
use super::terminal::Term;
use super::{update, view};

/// Turns a terminal event into a message; `None` for events that change nothing.
pub fn message_of(event: Event) -> Option<Message> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Message::Key(k)),
        Event::Paste(text) => Some(Message::Paste(
            text.replace("\r\n", "\n").replace('\r', "\n"),
        )),
        Event::Resize(w, h) => Some(Message::Resize(w, h)),
        _ => None,
    }
}

pub async fn run_loop(
    terminal: &mut Term,
    app: &mut App,
    runtime: &Runtime,
    mut rx: mpsc::UnboundedReceiver<Message>,
) -> std::io::Result<()> {
    let size = terminal.size()?;
    app.width = size.width;
    app.height = size.height;
    app.relayout();
    let mut events = EventStream::new();
    // SIGTERM and SIGHUP end the loop like `q`, so the terminal is given back.
    let (_keep_open, mut stop) = stop_signals();
    let mut tick = tokio::time::interval(Duration::from_millis(120));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // The external editor needs the terminal, so the loop runs it itself.
    let mut external: Option<(String, String)> = None;
    // So does the pager.
    let paged: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
    let spawn_all = |effects: Vec<Effect>, external: &mut Option<(String, String)>| {
        for e in effects {
            match e {
                Effect::Pager { text } => *paged.borrow_mut() = Some(text),
                Effect::ExternalEdit { conversation, json } => {
                    *external = Some((conversation, json))
                }
                Effect::InstallProfile(handover) => {
                    if let Some(connected) = handover.take() {
                        runtime.install(connected);
                    }
                }
                e => runtime.spawn(e),
            }
        }
    };
    spawn_all(update::start(app), &mut external);
    let mut dirty = true;
    while !app.quit {
        let page = paged.borrow_mut().take();
        if let Some(text) = page {
            drop(events);
            super::terminal::restore();
            let result = super::pager::show(&text);
            super::terminal::resume(terminal)?;
            events = EventStream::new();
            spawn_all(
                update::update(app, Message::PagerClosed(result)),
                &mut external,
            );
            dirty = true;
            continue;
        }
        if let Some((conversation, json)) = external.take() {
            // Stop reading input so that the editor gets all of it.
            drop(events);
            super::terminal::restore();
            let result = super::editor::external::edit(&json);
            super::terminal::resume(terminal)?;
            events = EventStream::new();
            let msg = Message::ExternalEdited {
                conversation,
                result,
            };
            spawn_all(update::update(app, msg), &mut external);
            dirty = true;
            continue;
        }
        if dirty {
            app.now = crate::clock::now_unix();
            terminal.draw(|f| view::draw(f, app))?;
            dirty = false;
        }
        let msg = tokio::select! {
            biased;
            event = events.next() => match event {
                Some(Ok(e)) => message_of(e),
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(m) = rx.recv() => Some(m),
            _ = tick.tick(), if app.pending > 0 => Some(Message::Tick),
            _ = stop.recv() => break,
        };
        if let Some(m) = msg {
            spawn_all(update::update(app, m), &mut external);
            dirty = true;
            // Take every result that is already waiting before drawing again.
            while let Ok(m) = rx.try_recv() {
                spawn_all(update::update(app, m), &mut external);
            }
        }
    }
    Ok(())
}

/// A channel that yields once the process is asked to stop (SIGTERM or SIGHUP). The sender is
/// returned too: while it lives, `recv` waits instead of ending at once.
fn stop_signals() -> (mpsc::Sender<()>, mpsc::Receiver<()>) {
    let (tx, rx) = mpsc::channel(1);
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        for kind in [SignalKind::terminate(), SignalKind::hangup()] {
            if let Ok(mut s) = signal(kind) {
                let tx = tx.clone();
                tokio::spawn(async move {
                    if s.recv().await.is_some() {
                        let _ = tx.send(()).await;
                    }
                });
            }
        }
    }
    (tx, rx)
}
