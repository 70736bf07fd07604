//! Drives the real binary in a real terminal: a private tmux server per test.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` (run by `sh -c`) in a detached session of the given size.
    pub fn start(name: &str, width: u16, height: u16, command: &str) -> Tmux {
        let socket = format!("convtui-test-{name}-{}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "main",
            ])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .arg(command)
            .status()
            .expect("tmux must be installed for the end-to-end tests (.ci/run installs it)");
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket }
    }

    /// Sends keys in tmux's notation (`Enter`, `Escape`, `C-c`, or literal text).
    pub fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "main"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Sends text literally, character by character.
    pub fn type_text(&self, text: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "main", "-l", text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Runs a tmux command on this test's server and answers its output.
    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "main"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text`; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {text:?}; the screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the session's program has exited.
    pub fn wait_exit(&self, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            let alive = Command::new("tmux")
                .args(["-L", &self.socket, "has-session", "-t", "main"])
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if !alive {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "the program did not exit; the screen was:\n{}",
            self.screen()
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(Stdio::null())
            .status();
    }
}

/// A `convtui serve` subprocess on a free port.
pub struct Served {
    child: Child,
    pub base_url: String,
}

impl Served {
    pub fn start(db: &Path) -> Served {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_convtui"))
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base_url = line
            .trim()
            .strip_prefix("convtui serve: listening on ")
            .unwrap_or_else(|| panic!("unexpected ready line {line:?}"))
            .to_string();
        Served { child, base_url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A shell command line that runs the binary with the given environment and arguments.
pub fn command_line(env: &[(&str, &str)], args: &[&str]) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut parts = vec!["env".to_string()];
    parts.extend(env.iter().map(|(k, v)| format!("{k}={}", quote(v))));
    parts.push(quote(env!("CARGO_BIN_EXE_convtui")));
    parts.extend(args.iter().map(|a| quote(a)));
    parts.join(" ")
}
