//! `E`: the metadata as JSON in `$VISUAL`/`$EDITOR`. The event loop hands the terminal over
//! around `edit`.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use super::json::metadata_from_json;
use super::metadata_text::Metadata;

/// `$VISUAL`, else `$EDITOR`, else `vi`.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

fn temp_file(json: &str) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir();
    for n in 0..100u32 {
        let path = dir.join(format!("convtui-metadata-{}-{n}.json", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        // Only the user may read the metadata being edited.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(mut f) => {
                f.write_all(json.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
}

/// Runs the editor on the JSON and reads it back. The terminal must be handed over already.
/// An editor that fails or exits non-zero changes nothing; JSON that cannot be read is kept.
pub fn edit(json: &str) -> Result<Metadata, String> {
    let path = temp_file(json).map_err(|e| format!("cannot write a temporary file: {e}"))?;
    let command = editor_command();
    // Through the shell, so that editors with arguments (`code -w`) work.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    let outcome = match status {
        Err(e) => Err(format!(
            "cannot run the editor `{command}`: {e}; nothing changed"
        )),
        Ok(s) if !s.success() => Err(format!(
            "the editor `{command}` exited with {}; nothing changed",
            s.code()
                .map_or("a signal".to_string(), |c| format!("status {c}"))
        )),
        Ok(_) => match std::fs::read_to_string(&path) {
            Err(e) => Err(format!("cannot read the edited file: {e}; nothing changed")),
            Ok(text) => match metadata_from_json(&text) {
                Ok(map) => Ok(map),
                Err(e) => {
                    // Keep what the user wrote.
                    return Err(format!(
                        "Not saved: {e}. Your text is kept in {}",
                        path.display()
                    ));
                }
            },
        },
    };
    let _ = std::fs::remove_file(&path);
    outcome
}
