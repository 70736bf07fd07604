//! The event loop: a biased select over terminal input, task results and a spinner tick.

use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
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
        // Only clicks and the wheel: moving the pointer changes nothing.
        Event::Mouse(m)
            if matches!(
                m.kind,
                crossterm::event::MouseEventKind::Down(_)
                    | crossterm::event::MouseEventKind::ScrollUp
                    | crossterm::event::MouseEventKind::ScrollDown
            ) =>
        {
            Some(Message::Mouse(m))
        }
        _ => None,
    }
}

/// The messages of one terminal event. Esc and a key in one read arrive as one key with Alt
/// (the terminal cannot tell them apart); no key here is bound with Alt, so they are taken
/// as what was typed: Esc, then the key.
pub fn messages_of(event: Event) -> Vec<Message> {
    match event {
        Event::Key(k)
            if k.kind != KeyEventKind::Release && k.modifiers.contains(KeyModifiers::ALT) =>
        {
            let mut plain = k;
            plain.modifiers.remove(KeyModifiers::ALT);
            vec![
                Message::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
                Message::Key(plain),
            ]
        }
        e => message_of(e).into_iter().collect(),
    }
}

/// Most input events taken one after another before a frame is drawn.
const MAX_QUEUED_KEYS: usize = 64;

/// Least time between two frames in a stream of replies; a key, or a reply after a pause, is
/// drawn at once.
const FRAME_GAP: std::time::Duration = std::time::Duration::from_millis(16);

/// Whether the terminal has input waiting (it is not read here).
fn input_waiting() -> bool {
    crossterm::event::poll(Duration::ZERO).unwrap_or(false)
}

pub async fn run_loop(
    terminal: &mut Term,
    app: &mut App,
    runtime: &Runtime,
    mut rx: mpsc::UnboundedReceiver<Message>,
) -> std::io::Result<Option<i32>> {
    let size = terminal.size()?;
    app.width = size.width;
    app.height = size.height;
    app.relayout();
    let mut events = EventStream::new();
    // SIGINT, SIGQUIT, SIGTERM and SIGHUP end the loop like `q`, so the terminal is given
    // back; the caller then exits with 128 + the signal's number.
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
                Effect::Copy(text) => super::terminal::copy(&text),
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
    let mut skipped = 0;
    // A frame owed to replies alone (no key since the last), in a stream of them (the last
    // two frames were closer than FRAME_GAP), waits until FRAME_GAP after the last one: a long
    // load draws some sixty frames a second, not one a page. A reply after a pause, such as the
    // first one at start, is drawn at once.
    let started = std::time::Instant::now();
    let mut last_draw = started.checked_sub(FRAME_GAP).unwrap_or(started);
    let mut gap_before = FRAME_GAP;
    let mut deferred = false;
    // When the oldest key not yet on screen arrived: logged as the key's cost once drawn
    // (`CONVTUI_LOG=convtui::frame=debug`; benches/big_item.sh reads it).
    let mut key_at: Option<std::time::Instant> = None;
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
        // Keys already typed are taken before the next frame, so a burst of scroll keys
        // costs one frame instead of one each (a few at most are taken between frames).
        if dirty && skipped < MAX_QUEUED_KEYS && input_waiting() {
            skipped += 1;
        } else if dirty
            && key_at.is_none()
            && gap_before < FRAME_GAP
            && last_draw.elapsed() < FRAME_GAP
        {
            deferred = true;
        } else if dirty {
            app.now = crate::clock::now_unix();
            terminal.draw(|f| view::draw(f, app))?;
            let now = std::time::Instant::now();
            // A frame that was waited for is part of a stream: the next reply waits too.
            gap_before = match deferred {
                true => std::time::Duration::ZERO,
                false => now.duration_since(last_draw),
            };
            last_draw = now;
            deferred = false;
            if let Some(at) = key_at.take() {
                let micros = u64::try_from(at.elapsed().as_micros()).unwrap_or(u64::MAX);
                tracing::debug!(target: "convtui::frame", micros, "key to frame");
            }
            // What is on screen now can be answered.
            app.modals.arm();
            dirty = false;
            skipped = 0;
        }
        let mut msgs = tokio::select! {
            biased;
            event = events.next() => match event {
                Some(Ok(e)) => messages_of(e),
                Some(Err(e)) => return Err(e),
                None => return Ok(None),
            },
            Some(m) = rx.recv() => vec![m],
            _ = tick.tick(), if app.pending > 0 => vec![Message::Tick],
            _ = tokio::time::sleep_until((last_draw + FRAME_GAP).into()), if deferred => vec![],
            signal = stop.recv() => return Ok(signal),
        };
        // Every event of the same read, handled before the next frame. Several keys at once
        // are typing or a paste: they answer no question (see `Confirm::armed`).
        if msgs.iter().any(|m| matches!(m, Message::Key(_))) {
            key_at.get_or_insert_with(std::time::Instant::now);
            // Polled with the loop's own waker (a no-op waker would lose the stream's wake-up).
            loop {
                let more = tokio::select! {
                    biased;
                    e = events.next() => e,
                    _ = tokio::task::yield_now() => None,
                };
                match more {
                    Some(Ok(e)) => msgs.extend(messages_of(e)),
                    Some(Err(e)) => return Err(e),
                    None => break,
                }
            }
            if msgs.len() > 1 {
                app.modals.disarm();
            }
        }
        for m in msgs {
            spawn_all(update::update(app, m), &mut external);
            dirty = true;
            // Take every result that is already waiting before drawing again.
            while let Ok(m) = rx.try_recv() {
                spawn_all(update::update(app, m), &mut external);
            }
        }
    }
    Ok(None)
}

/// A channel that yields a signal's number once the process is asked to stop (SIGINT,
/// SIGQUIT, SIGTERM or SIGHUP). The sender is returned too: while it lives, `recv` waits
/// instead of ending at once.
fn stop_signals() -> (mpsc::Sender<i32>, mpsc::Receiver<i32>) {
    let (tx, rx) = mpsc::channel(1);
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        for (kind, number) in [
            (SignalKind::interrupt(), libc::SIGINT),
            (SignalKind::quit(), libc::SIGQUIT),
            (SignalKind::terminate(), libc::SIGTERM),
            (SignalKind::hangup(), libc::SIGHUP),
        ] {
            if let Ok(mut s) = signal(kind) {
                let tx = tx.clone();
                tokio::spawn(async move {
                    if s.recv().await.is_some() {
                        let _ = tx.send(number).await;
                    }
                });
            }
        }
    }
    (tx, rx)
}
