//! The local backup of everything convtui deletes: JSON Lines in the data directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// The backup file, `DATA_DIR/deleted.jsonl`.
pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join("deleted.jsonl")
}

/// Appends one record and syncs it to disk before answering, so a delete may follow.
///
/// Each line is `{"deleted_at", "profile", "base_url", "conversation_id", "kind", "object"}`,
/// where `object` is the full JSON of what is about to be deleted.
pub fn append(
    path: &Path,
    profile: &str,
    base_url: &str,
    conversation_id: &str,
    kind: &str,
    object: &Value,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let deleted_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let record = json!({
        "deleted_at": deleted_at,
        "profile": profile,
        "base_url": base_url,
        "conversation_id": conversation_id,
        "kind": kind,
        "object": object,
    });
    let mut line = serde_json::to_vec(&record).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(&line)?;
    file.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_one_line_per_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        append(
            &path,
            "local",
            "http://x/v1",
            "conv_1",
            "item",
            &json!({"id": "msg_1"}),
        )
        .unwrap();
        append(
            &path,
            "local",
            "http://x/v1",
            "conv_1",
            "item",
            &json!({"id": "msg_2", "text": "a\nb"}),
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["object"]["text"], "a\nb");
        assert_eq!(lines[0]["kind"], "item");
    }
}
