//! Every catchable signal that ends the program gives the terminal back (raw mode off, the
//! alternate screen left, the cursor shown) and exits with 128 + the signal's number. The real
//! binary in tmux against `convtui serve`.

mod common;

use std::process::Command;

use common::tmux::{command_line, Served, Tmux};

/// The pid of the TUI running against `base` (not the server, not the shell around it).
fn tui_pid(base: &str) -> Option<String> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            (args.first().map(String::as_str) == Some(env!("CARGO_BIN_EXE_convtui"))
                && args.iter().any(|a| a == base)
                && !args.iter().any(|a| a == "serve"))
            .then(|| entry.file_name().to_string_lossy().into_owned())
        })
}

/// A format of tmux about the pane (`#{alternate_on}`, `#{cursor_flag}`).
fn pane_flag(socket_name: &str, flag: &str) -> String {
    let out = Command::new("tmux")
        .args(["-L", socket_name, "display", "-p", "-t", "main", flag])
        .output()
        .expect("tmux display");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn signal_restores_the_terminal(name: &str, number: i32) {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("signals.sqlite3"));
    let base = served.base_url.clone();
    let data = dir.path().join("data").display().to_string();
    let line = command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base]);
    let tag = format!("sig{name}");
    // After the program: its exit status and the terminal's settings, then a pause.
    let tmux = Tmux::start(
        &tag,
        100,
        40,
        &format!("{line}; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; sleep 30"),
    );
    tmux.wait_for("Conversations", 20);
    let socket = format!("convtui-test-{tag}-{}", std::process::id());
    assert_eq!(pane_flag(&socket, "#{alternate_on}"), "1", "the TUI is up");
    let pid = tui_pid(&base).expect("the program is running");
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let screen = tmux.wait_for(&format!("EXIT={}", 128 + number), 20);
    let after = tmux.wait_for("icanon", 10);
    assert!(
        after.contains(" icanon") || after.starts_with("icanon") || after.contains("\nicanon"),
        "canonical mode is back:\n{after}"
    );
    assert!(!after.contains("-icanon"), "not raw:\n{after}");
    assert!(!after.contains("-echo "), "echo is back:\n{after}");
    assert!(
        !screen.contains("Conversations ("),
        "the alternate screen is gone:\n{screen}"
    );
    assert_eq!(pane_flag(&socket, "#{alternate_on}"), "0");
    assert_eq!(
        pane_flag(&socket, "#{cursor_flag}"),
        "1",
        "the cursor is shown"
    );
    assert_eq!(
        pane_flag(&socket, "#{mouse_any_flag}"),
        "0",
        "no mouse capture"
    );
}

#[test]
fn sigint_restores_the_terminal_and_exits_130() {
    signal_restores_the_terminal("INT", 2);
}

#[test]
fn sigquit_restores_the_terminal_and_exits_131() {
    signal_restores_the_terminal("QUIT", 3);
}

#[test]
fn sighup_restores_the_terminal_and_exits_129() {
    signal_restores_the_terminal("HUP", 1);
}

#[test]
fn sigterm_restores_the_terminal_and_exits_143() {
    signal_restores_the_terminal("TERM", 15);
}
