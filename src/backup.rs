//! The journal of everything convtui deletes, `DATA_DIR/deleted.jsonl` (JSON Lines), and the
//! one reader of it.
//!
//! A delete writes an entry line (synced) before the DELETE is sent, and a mark line after it
//! saying whether it was done or failed; a restore adds a `restored` mark. A conversation's
//! items go, one per line, to `DATA_DIR/deleted/ENTRY.jsonl`, written as pages arrive, so the
//! journal's lines stay small. Lines of the first format (no `entry`, the items inline) are
//! still read; their outcome is unknown.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

/// The journal file, `DATA_DIR/deleted.jsonl`.
pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join("deleted.jsonl")
}

/// Unix seconds now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// What an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Item,
    Conversation,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Item => "item",
            Kind::Conversation => "conversation",
        }
    }
}

/// What became of a delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Written before the DELETE; no outcome was recorded (the process may have stopped).
    Pending,
    /// The server answered the DELETE with success.
    Done,
    /// The DELETE failed: nothing was deleted.
    Failed(String),
    /// Re-created; `as_id` is the new id.
    Restored { as_id: String },
    /// A line of the first format, which recorded no outcome.
    Unknown,
}

impl Status {
    pub fn label(&self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Done => "deleted",
            Status::Failed(_) => "delete failed",
            Status::Restored { .. } => "restored",
            Status::Unknown => "unknown",
        }
    }
}

/// Where a conversation entry's items are.
#[derive(Debug, Clone, PartialEq)]
pub enum Items {
    /// None (an item entry).
    None,
    /// In the entry line, on this line of the journal (0-based), `count` of them (the first
    /// format); [`Journal::inline_items`] reads them.
    Line { line: usize, count: u64 },
    /// One per line in this file, `count` of them.
    File { path: PathBuf, count: u64 },
}

/// One entry of the journal, with what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// 1-based position among the journal's entries.
    pub number: usize,
    /// `None` for lines of the first format.
    pub entry_id: Option<String>,
    pub deleted_at: u64,
    pub profile: String,
    pub base_url: String,
    pub conversation_id: String,
    pub kind: Kind,
    /// The item, or the conversation (without its items).
    pub object: Value,
    pub items: Items,
    /// The backup holds only the items that could be read (`--allow-partial-backup`).
    pub partial: bool,
    pub status: Status,
}

impl Entry {
    /// The id the entry is about: the item's, or the conversation's.
    pub fn target_id(&self) -> &str {
        match self.kind {
            Kind::Item => self.object.get("id").and_then(Value::as_str).unwrap_or(""),
            Kind::Conversation => &self.conversation_id,
        }
    }

    /// How many items the backup holds (conversations).
    pub fn item_count(&self) -> u64 {
        match &self.items {
            Items::None => 0,
            Items::Line { count, .. } => *count,
            Items::File { count, .. } => *count,
        }
    }
}

/// What a new entry records.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub profile: &'a str,
    pub base_url: &'a str,
    pub conversation_id: &'a str,
    pub kind: Kind,
    pub object: &'a Value,
    /// For a conversation: its items file and how many items it holds.
    pub items: Option<(&'a Path, u64)>,
    pub partial: bool,
}

/// The journal at a path.
#[derive(Debug, Clone)]
pub struct Journal {
    pub path: PathBuf,
}

impl Journal {
    pub fn new(path: impl Into<PathBuf>) -> Journal {
        Journal { path: path.into() }
    }

    /// A fresh entry id, `del_` and 16 hex digits.
    pub fn new_entry_id() -> String {
        format!("del_{:016x}", rand::random::<u64>())
    }

    /// Where the items of a conversation entry go: `deleted/ENTRY.jsonl` beside the journal.
    pub fn items_path(&self, entry_id: &str) -> PathBuf {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        dir.join("deleted").join(format!("{entry_id}.jsonl"))
    }

    /// Writes the entry line, synced. Call it before the DELETE.
    pub fn begin(&self, entry_id: &str, e: &NewEntry) -> std::io::Result<()> {
        let mut line = Map::new();
        line.insert("entry".into(), json!(entry_id));
        line.insert("deleted_at".into(), json!(now()));
        line.insert("profile".into(), json!(e.profile));
        line.insert("base_url".into(), json!(e.base_url));
        line.insert("conversation_id".into(), json!(e.conversation_id));
        line.insert("kind".into(), json!(e.kind.as_str()));
        line.insert("object".into(), e.object.clone());
        if let Some((path, count)) = e.items {
            let dir = self.path.parent().unwrap_or(Path::new("."));
            let shown = path.strip_prefix(dir).unwrap_or(path);
            line.insert("items_file".into(), json!(shown.to_string_lossy()));
            line.insert("item_count".into(), json!(count));
        }
        if e.partial {
            line.insert("partial".into(), json!(true));
        }
        self.append(&Value::Object(line))
    }

    /// Marks an entry after its DELETE (`done`, `failed` with the error) or a restore
    /// (`restored` with the new id).
    pub fn mark(&self, entry_id: &str, status: &Status) -> std::io::Result<()> {
        let mut line = json!({"mark": entry_id, "at": now()});
        let (name, extra) = match status {
            Status::Done => ("done", None),
            Status::Failed(why) => ("failed", Some(("error", why.as_str()))),
            Status::Restored { as_id } => ("restored", Some(("restored_as", as_id.as_str()))),
            Status::Pending | Status::Unknown => return Ok(()),
        };
        line["status"] = json!(name);
        if let Some((k, v)) = extra {
            line[k] = json!(v);
        }
        self.append(&line)
    }

    /// Waits until no other restore (of any process) is under way, and keeps others waiting
    /// until the answer is dropped: a restore reads an entry's status, re-creates it and marks
    /// it restored as one step, so two at once cannot both re-create it. The lock is a file
    /// beside the journal (`deleted.jsonl.lock`), locked with `flock`, so it goes with the
    /// process that holds it, even one that crashes.
    pub fn lock_restores(&self) -> std::io::Result<std::fs::File> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut name = self.path.clone().into_os_string();
        name.push(".lock");
        let file = private_options().write(true).open(name)?;
        file.lock()?;
        Ok(file)
    }

    /// Appends one line with one write and syncs it.
    fn append(&self, value: &Value) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_vec(value).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = private_options().append(true).open(&self.path)?;
        file.write_all(&line)?;
        file.sync_data()
    }

    /// Reads every entry with its status, in the order written. A missing journal has none;
    /// lines that cannot be read (a torn last line) are skipped and counted.
    pub fn read(&self) -> std::io::Result<(Vec<Entry>, usize)> {
        let file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(e),
        };
        let dir = self.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut entries: Vec<Entry> = Vec::new();
        let mut skipped = 0;
        for (n, line) in BufReader::new(file).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let parsed = match serde_json::from_str::<Head>(&line) {
                // A conversation of the first format holds its items: count them, keep none.
                Ok(h) if h.legacy_conversation() => serde_json::from_str::<Legacy>(&line)
                    .map(Legacy::into_map)
                    .ok(),
                Ok(_) => serde_json::from_str::<Map<String, Value>>(&line).ok(),
                Err(_) => None,
            };
            let Some(mut v) = parsed else {
                skipped += 1;
                continue;
            };
            if let Some(Value::String(target)) = v.get("mark") {
                let status = match v.get("status").and_then(Value::as_str) {
                    Some("done") => Status::Done,
                    Some("failed") => Status::Failed(text(&v, "error")),
                    Some("restored") => Status::Restored {
                        as_id: text(&v, "restored_as"),
                    },
                    _ => {
                        skipped += 1;
                        continue;
                    }
                };
                match entries
                    .iter_mut()
                    .rev()
                    .find(|e| e.entry_id.as_deref() == Some(target))
                {
                    Some(e) => e.status = status,
                    None => skipped += 1,
                }
                continue;
            }
            let kind = match v.get("kind").and_then(Value::as_str) {
                Some("item") => Kind::Item,
                Some("conversation") => Kind::Conversation,
                _ => {
                    skipped += 1;
                    continue;
                }
            };
            let entry_id = v.get("entry").and_then(Value::as_str).map(String::from);
            let object = v.remove("object").unwrap_or(Value::Null);
            let items = match (kind, &entry_id) {
                (Kind::Item, _) => Items::None,
                (Kind::Conversation, Some(_)) => {
                    match v.get("items_file").and_then(Value::as_str) {
                        Some(f) => Items::File {
                            path: dir.join(f),
                            count: v.get("item_count").and_then(Value::as_u64).unwrap_or(0),
                        },
                        None => Items::None,
                    }
                }
                // The first format: {"conversation": {...}, "items": [...]}, counted above.
                (Kind::Conversation, None) => Items::Line {
                    line: n,
                    count: v.get("item_count").and_then(Value::as_u64).unwrap_or(0),
                },
            };
            entries.push(Entry {
                number: entries.len() + 1,
                status: if entry_id.is_some() {
                    Status::Pending
                } else {
                    Status::Unknown
                },
                entry_id,
                deleted_at: v.get("deleted_at").and_then(Value::as_u64).unwrap_or(0),
                profile: text(&v, "profile"),
                base_url: text(&v, "base_url"),
                conversation_id: text(&v, "conversation_id"),
                kind,
                object,
                items,
                partial: v.get("partial").and_then(Value::as_bool).unwrap_or(false),
            });
        }
        Ok((entries, skipped))
    }
}

impl Journal {
    /// The items of a first-format conversation entry, from its line.
    pub fn inline_items(&self, line: usize) -> std::io::Result<Vec<Value>> {
        let file = std::fs::File::open(&self.path)?;
        let text = BufReader::new(file)
            .lines()
            .nth(line)
            .transpose()?
            .unwrap_or_default();
        let mut v: Value = serde_json::from_str(&text).map_err(std::io::Error::other)?;
        match v["object"]["items"].take() {
            Value::Array(items) => Ok(items),
            _ => Ok(Vec::new()),
        }
    }
}

/// Enough of a line to tell its format, without keeping its object.
#[derive(serde::Deserialize)]
struct Head {
    entry: Option<String>,
    mark: Option<String>,
    kind: Option<String>,
}

impl Head {
    fn legacy_conversation(&self) -> bool {
        self.entry.is_none() && self.mark.is_none() && self.kind.as_deref() == Some("conversation")
    }
}

/// A conversation line of the first format, its items counted and dropped.
#[derive(serde::Deserialize)]
struct Legacy {
    #[serde(default)]
    deleted_at: u64,
    #[serde(default)]
    profile: String,
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    conversation_id: String,
    object: LegacyObject,
}

#[derive(serde::Deserialize)]
struct LegacyObject {
    #[serde(default)]
    conversation: Value,
    #[serde(default)]
    items: Count,
}

impl Legacy {
    fn into_map(self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("deleted_at".into(), json!(self.deleted_at));
        m.insert("profile".into(), json!(self.profile));
        m.insert("base_url".into(), json!(self.base_url));
        m.insert("conversation_id".into(), json!(self.conversation_id));
        m.insert("kind".into(), json!("conversation"));
        m.insert("object".into(), self.object.conversation);
        m.insert("item_count".into(), json!(self.object.items.0));
        m
    }
}

/// The length of an array, read without keeping its elements.
#[derive(Default)]
struct Count(u64);

impl<'de> serde::Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
        struct Counter;
        impl<'de> serde::de::Visitor<'de> for Counter {
            type Value = Count;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Count, A::Error> {
                let mut n = 0;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(n))
            }
        }
        d.deserialize_seq(Counter)
    }
}

fn text(v: &Map<String, Value>, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Options that create a file readable by its owner only (backups hold conversation text).
pub fn private_options() -> std::fs::OpenOptions {
    let mut o = std::fs::OpenOptions::new();
    o.create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(object: &'a Value, kind: Kind) -> NewEntry<'a> {
        NewEntry {
            profile: "local",
            base_url: "http://x/v1",
            conversation_id: "conv_1",
            kind,
            object,
            items: None,
            partial: false,
        }
    }

    #[test]
    fn entries_carry_their_latest_status() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::new(path_in(dir.path()));
        let item = json!({"id": "msg_1", "text": "a\nb"});
        j.begin("del_a", &entry(&item, Kind::Item)).unwrap();
        j.begin("del_b", &entry(&json!({"id": "msg_2"}), Kind::Item))
            .unwrap();
        j.begin("del_c", &entry(&json!({"id": "msg_3"}), Kind::Item))
            .unwrap();
        j.mark("del_a", &Status::Done).unwrap();
        j.mark("del_b", &Status::Failed("HTTP 500".into())).unwrap();
        j.mark(
            "del_a",
            &Status::Restored {
                as_id: "msg_9".into(),
            },
        )
        .unwrap();
        let (entries, skipped) = j.read().unwrap();
        assert_eq!(skipped, 0);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].object["text"], "a\nb");
        assert_eq!(
            entries[0].status,
            Status::Restored {
                as_id: "msg_9".into()
            }
        );
        assert_eq!(entries[1].status, Status::Failed("HTTP 500".into()));
        assert_eq!(entries[2].status, Status::Pending);
        assert_eq!(entries[2].number, 3);
        assert_eq!(entries[2].target_id(), "msg_3");
    }

    #[test]
    fn lines_of_the_first_format_are_read_with_an_unknown_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        let old = [
            json!({"deleted_at": 5, "profile": "p", "base_url": "http://x/v1", "conversation_id": "conv_1",
                   "kind": "item", "object": {"id": "msg_1"}}),
            json!({"deleted_at": 6, "profile": "p", "base_url": "http://x/v1", "conversation_id": "conv_1",
                   "kind": "conversation", "object": {"conversation": {"id": "conv_1", "metadata": {"a": "b"}},
                   "items": [{"id": "m1"}, {"id": "m2"}]}}),
        ];
        let text: String = old.iter().map(|v| format!("{v}\n")).collect();
        std::fs::write(&path, text + "{torn").unwrap();
        let (entries, skipped) = Journal::new(&path).read().unwrap();
        assert_eq!(skipped, 1);
        assert_eq!(entries[0].status, Status::Unknown);
        assert_eq!(entries[0].target_id(), "msg_1");
        assert_eq!(entries[1].object["metadata"]["a"], "b");
        assert_eq!(entries[1].item_count(), 2);
        assert_eq!(entries[1].target_id(), "conv_1");
        let Items::Line { line, .. } = entries[1].items else {
            panic!("{:?}", entries[1].items)
        };
        let items = Journal::new(&path).inline_items(line).unwrap();
        assert_eq!(items, [json!({"id": "m1"}), json!({"id": "m2"})]);
    }
}
