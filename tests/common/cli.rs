//! The binary run as a user would run it: in a home of its own, with nothing of the caller's
//! environment that would configure it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::serve::BIN;

/// The variables that configure convtui; every run starts without them.
const CONFIGURING: &[&str] = &[
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "CONVTUI_PROFILE",
];

/// A convtui command keeping its data in `data` and looking for its configuration under
/// `config` (as `XDG_CONFIG_HOME`), its stdin empty.
pub fn command(data: &Path, config: &Path) -> Command {
    let mut c = Command::new(BIN);
    for var in CONFIGURING {
        c.env_remove(var);
    }
    c.env("CONVTUI_DATA_DIR", data)
        .env("XDG_CONFIG_HOME", config)
        .stdin(Stdio::null());
    c
}

/// [`command`] with its data in `dir` and its configuration under `dir/config`.
pub fn command_in(dir: &Path) -> Command {
    command(dir, &dir.join("config"))
}

/// Runs `c` and collects its output; `stdin`, when given, is written to it first.
pub fn output(c: &mut Command, stdin: Option<&str>) -> Output {
    let Some(input) = stdin else {
        return c.output().unwrap();
    };
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(input.as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}
