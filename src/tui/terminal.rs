//! Taking over the terminal and always giving it back: on exit, on error and on panic.

use std::io::{stdout, Stdout};
use std::path::PathBuf;

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

pub fn enter() -> std::io::Result<Term> {
    enable_raw_mode()?;
    let mut out = stdout();
    if let Err(e) = execute!(out, EnterAlternateScreen, EnableBracketedPaste) {
        restore();
        return Err(e);
    }
    let mut terminal = Terminal::new(CrosstermBackend::new(out))?;
    terminal.clear()?;
    Ok(terminal)
}

/// Takes the terminal back after handing it to another program, dropping input that arrived
/// meanwhile.
pub fn resume(terminal: &mut Term) -> std::io::Result<()> {
    // Keys typed while the editor ran are not for us: drop what the terminal still holds…
    #[cfg(unix)]
    // SAFETY: tcflush only discards pending input on the given descriptor.
    unsafe {
        libc::tcflush(libc::STDIN_FILENO, libc::TCIFLUSH);
    }
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    if MOUSE.load(std::sync::atomic::Ordering::SeqCst) {
        execute!(stdout(), crossterm::event::EnableMouseCapture)?;
    }
    // …and what was already read into crossterm's queue.
    while crossterm::event::poll(std::time::Duration::from_millis(5))? {
        let _ = crossterm::event::read()?;
    }
    terminal.clear()
}

/// Whether mouse capture is on (`mouse = false` in the config turns it off).
static MOUSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns mouse capture on: clicks and the wheel come to the UI.
pub fn enable_mouse() -> std::io::Result<()> {
    MOUSE.store(true, std::sync::atomic::Ordering::SeqCst);
    execute!(stdout(), crossterm::event::EnableMouseCapture)
}

/// Puts text on the clipboard with OSC 52. A terminal without it ignores the sequence.
pub fn copy(text: &str) {
    use std::io::Write;
    let mut out = stdout();
    let written = execute!(
        out,
        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
    );
    if let Err(e) = written.and_then(|_| out.flush()) {
        tracing::warn!("copying to the clipboard failed: {e}");
    }
}

/// Restores the terminal (bracketed paste, mouse capture, the alternate screen, the cursor,
/// raw mode); safe to call more than once.
pub fn restore() {
    if MOUSE.load(std::sync::atomic::Ordering::SeqCst) {
        let _ = execute!(stdout(), crossterm::event::DisableMouseCapture);
    }
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        crossterm::event::DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// On a panic anywhere (tasks included): restore the terminal, print the message and the log
/// file's path, and exit.
pub fn install_panic_hook(log: Option<PathBuf>) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!("panic: {info}");
        previous(info);
        match &log {
            Some(path) => eprintln!("convtui crashed. The log is at {}", path.display()),
            None => eprintln!("convtui crashed."),
        }
        std::process::exit(101);
    }));
}
