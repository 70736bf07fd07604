//! `P`: the selected item in `$PAGER` (else `less`). The event loop hands the terminal over
//! around `show`, as it does for the external editor.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::message::Effect;
use super::sanitize;
use super::state::{App, Status};

/// `$PAGER`, else `less`.
pub fn pager_command() -> String {
    std::env::var("PAGER")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "less".into())
}

/// The item as the pager shows it: pretty JSON, every line made safe for a terminal (a pager
/// such as `less -R` passes escapes through).
pub fn text_of(item: &Value) -> String {
    let pretty = serde_json::to_string_pretty(item).unwrap_or_default();
    let mut text = sanitize::lines(&pretty).join("\n");
    text.push('\n');
    text
}

/// The effect that opens the selected item in the pager.
pub fn open(app: &mut App) -> Vec<Effect> {
    match app.detail_item() {
        Some(item) => vec![Effect::Pager {
            text: text_of(&item.value()),
        }],
        None => {
            app.status = Some(Status::Info("No item selected.".into()));
            vec![]
        }
    }
}

/// Runs the pager on the text and waits for it. The terminal must be handed over already.
pub fn show(text: &str) -> Result<(), String> {
    let command = pager_command();
    // Through the shell, so that pagers with arguments (`less -S`) work.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&command)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run the pager `{command}`: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A pager that quits early closes its input: that is not an error.
        let _ = stdin.write_all(text.as_bytes());
    }
    let status = child
        .wait()
        .map_err(|e| format!("the pager `{command}` failed: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "the pager `{command}` exited with {}",
            status
                .code()
                .map_or("a signal".to_string(), |c| format!("status {c}"))
        ))
    }
}

/// After the pager: an error for the status line, if it failed.
pub fn closed(app: &mut App, result: Result<(), String>) {
    if let Err(e) = result {
        app.status = Some(Status::Error(super::data::Failure::new(format!(
            "{e} (set $PAGER)"
        ))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_text_is_pretty_json_without_escapes() {
        let item = json!({"id": "msg_1", "content": "a\u{9b}2J b\u{202e}"});
        let text = text_of(&item);
        assert!(text.starts_with("{\n  \"id\": \"msg_1\","), "{text}");
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{202e}'),
            "{text}"
        );
    }

    #[test]
    fn the_pager_reads_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        // No other test reads PAGER.
        std::env::set_var("PAGER", format!("cat > '{}'", out.display()));
        show("hello\n").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "hello\n");
        std::env::set_var("PAGER", "exit 3");
        assert!(show("x").unwrap_err().contains("status 3"));
        std::env::remove_var("PAGER");
    }
}
