//! `Esc` cancels requests a server leaves hanging: the spinner stops at once and the screen
//! says so. The real binary in tmux against a server that accepts and never answers.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::tmux::{command_line, Tmux};

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// A server that reads each request and never answers; it counts the connections.
fn stalling_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut conn in listener.incoming().flatten() {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = conn.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = conn.read(&mut buf);
            held.push(conn);
        }
    });
    (format!("http://{addr}/v1"), count)
}

fn spinning(screen: &str) -> bool {
    screen
        .lines()
        .any(|l| SPINNER.iter().any(|s| l.trim_start().starts_with(s)))
}

#[test]
fn escape_cancels_a_stalled_request_and_the_spinner_stops() {
    let (base, connections) = stalling_server();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").display().to_string();
    let line = command_line(
        &[("CONVTUI_DATA_DIR", &data)],
        &["--profile", "local", "--base-url", &base],
    );
    let tmux = Tmux::start(
        "cancel",
        100,
        30,
        &format!("{line}; echo EXIT=$?; sleep 30"),
    );
    tmux.wait_for("Conversations", 20);
    // The start's requests hang: the spinner runs.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !spinning(&tmux.screen()) {
        assert!(Instant::now() < deadline, "no spinner:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(connections.load(std::sync::atomic::Ordering::SeqCst) > 0);
    std::thread::sleep(Duration::from_millis(500));
    assert!(spinning(&tmux.screen()), "still waiting on the server");

    tmux.keys(&["Escape"]);
    tmux.wait_for("ancelled", 3);
    // The cancelled replies come back at once: the spinner stops within a second (a stall
    // would otherwise last the client's whole timeout).
    let deadline = Instant::now() + Duration::from_secs(1);
    while spinning(&tmux.screen()) {
        assert!(
            Instant::now() < deadline,
            "still spinning:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // It stays stopped: no reply is waited for any more, and the UI still answers keys.
    std::thread::sleep(Duration::from_millis(600));
    let later = tmux.screen();
    assert!(!spinning(&later), "still stopped:\n{later}");
    assert!(later.contains("cancelled"), "it says so:\n{later}");
    tmux.keys(&["?"]);
    tmux.wait_for("help", 5);
    // Apart, so that the terminal does not read them as alt-q.
    tmux.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0", 10);
}
