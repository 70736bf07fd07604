//! Input as people write it: items as a JSON array, `{"items": [...]}` or JSON Lines, and
//! metadata as a JSON object.
//!
//! Items are read one at a time ([`for_each_item`]) and sent 20 to a call
//! ([`chunked`], [`add_chunks`]), so memory does not grow with the size of the input; see
//! <https://platform.openai.com/docs/api-reference/conversations/create-items>.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use futures::{Stream, StreamExt};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{ApiError, Client, ItemPage, Metadata, MAX_ITEMS_PER_CALL};

type Each<'a> = &'a mut dyn FnMut(Value) -> Result<(), String>;

struct Sink<'a> {
    each: Each<'a>,
    count: usize,
    failure: Option<String>,
}

impl Sink<'_> {
    fn give<E: de::Error>(&mut self, v: Value) -> Result<(), E> {
        let result = if v.is_object() {
            self.count += 1;
            (self.each)(v)
        } else {
            Err(format!("item {} is not a JSON object", self.count + 1))
        };
        result.map_err(|why| {
            self.failure = Some(why);
            E::custom("stopped")
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Array,
    Wrapper,
    Item,
}

/// The first value: an array of items, `{"items": [...]}`, or an item.
struct First<'s, 'a>(&'s mut Sink<'a>);

impl<'de> DeserializeSeed<'de> for First<'_, '_> {
    type Value = Shape;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for First<'_, '_> {
    type Value = Shape;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object, or an array of them")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            self.0.give(v)?;
        }
        Ok(Shape::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut obj = Map::new();
        let mut wrapper = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" && !wrapper {
                match map.next_value_seed(ItemsField(&mut *self.0))? {
                    Some(v) => {
                        obj.insert(key, v);
                    }
                    None => wrapper = true,
                }
            } else {
                let v: Value = map.next_value()?;
                if !wrapper {
                    obj.insert(key, v);
                }
            }
        }
        if wrapper {
            return Ok(Shape::Wrapper);
        }
        self.0.give(Value::Object(obj))?;
        Ok(Shape::Item)
    }
}

/// The value of an `items` key: an array is streamed (`None`), anything else is kept.
struct ItemsField<'s, 'a>(&'s mut Sink<'a>);

impl<'de> DeserializeSeed<'de> for ItemsField<'_, '_> {
    type Value = Option<Value>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsField<'_, '_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            self.0.give(v)?;
        }
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Some(Value::Null))
    }
}

/// Reads items from a JSON array, an object `{"items": [...]}` (which must come alone), or
/// JSON Lines / concatenated objects (one item each), handing each to `each` in order; only
/// one item is held at a time. Answers how many there were; none is an error.
pub fn for_each_item<R: Read>(reader: R, each: Each) -> Result<usize, String> {
    let mut reader = BufReader::new(reader);
    if reader
        .fill_buf()
        .map(|b| b.starts_with(b"\xEF\xBB\xBF"))
        .unwrap_or(false)
    {
        reader.consume(3);
    }
    let mut sink = Sink {
        each,
        count: 0,
        failure: None,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = read_all(&mut de, &mut sink);
    if let Some(why) = sink.failure {
        return Err(why);
    }
    result.map_err(|e| format!("not JSON (item {}): {e}", sink.count + 1))?;
    if sink.count == 0 {
        return Err("no items found".into());
    }
    Ok(sink.count)
}

fn read_all<R: serde_json::de::Read<'static>>(
    de: &mut serde_json::Deserializer<R>,
    sink: &mut Sink,
) -> Result<(), serde_json::Error> {
    if de.end().is_ok() {
        return Ok(());
    }
    let shape = First(sink).deserialize(&mut *de)?;
    while de.end().is_err() {
        if shape != Shape::Item {
            return Err(de::Error::custom(
                "more JSON follows the array or {\"items\": [...]} object",
            ));
        }
        let v = Value::deserialize(&mut *de)?;
        sink.give(v)?;
    }
    Ok(())
}

/// Items from a JSON array, an object `{"items": [...]}`, or JSON Lines (one item per line).
pub fn parse_items(text: &str) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    for_each_item(text.as_bytes(), &mut |v| {
        items.push(v);
        Ok(())
    })?;
    Ok(items)
}

/// A file of items (or standard input, kept in a private temporary file so that it can be read
/// twice: once to check every item, once to send them).
pub struct ItemSource {
    path: PathBuf,
    name: String,
    spooled: bool,
}

impl Drop for ItemSource {
    fn drop(&mut self) {
        if self.spooled {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl ItemSource {
    /// A file, or `-` for standard input. What cannot be read twice (standard input, a pipe
    /// such as `<(jq …)`) is kept in a temporary file first.
    pub fn open(source: &str) -> Result<ItemSource, String> {
        if source == "-" {
            return ItemSource::spool(&mut std::io::stdin().lock(), "stdin");
        }
        let path = PathBuf::from(source);
        let mut file =
            std::fs::File::open(&path).map_err(|e| format!("cannot read {source}: {e}"))?;
        match file.metadata() {
            Ok(meta) if !meta.is_file() && !meta.is_dir() => ItemSource::spool(&mut file, source),
            _ => Ok(ItemSource::file(path)),
        }
    }

    fn spool(input: &mut dyn std::io::Read, name: &str) -> Result<ItemSource, String> {
        let path = std::env::temp_dir().join(format!(
            "convtui-stdin-{}-{:016x}.json",
            std::process::id(),
            rand::random::<u64>()
        ));
        let spool = ItemSource {
            path,
            name: name.into(),
            spooled: true,
        };
        let mut options = crate::backup::private_options();
        options.write(true).create_new(true);
        let mut file = options
            .open(&spool.path)
            .map_err(|e| format!("cannot keep {name} in {}: {e}", spool.path.display()))?;
        std::io::copy(input, &mut file).map_err(|e| format!("cannot read {name}: {e}"))?;
        Ok(spool)
    }

    /// A file of items, e.g. a conversation's backup.
    pub fn file(path: impl AsRef<Path>) -> ItemSource {
        let path = path.as_ref().to_path_buf();
        ItemSource {
            name: path.display().to_string(),
            path,
            spooled: false,
        }
    }

    /// Checks every item, reading one at a time; answers how many there are.
    pub async fn check(&self) -> Result<usize, ApiError> {
        let (path, name) = (self.path.clone(), self.name.clone());
        let bad = |why: String| ApiError::new(super::ErrorKind::Validation, why);
        tokio::task::spawn_blocking(move || {
            let file =
                std::fs::File::open(&path).map_err(|e| bad(format!("cannot read {name}: {e}")))?;
            let mut invalid = None;
            let mut i = 0usize;
            for_each_item(file, &mut |v| {
                let checked = crate::protocol::validate::item_at(&v, i);
                i += 1;
                checked.map_err(|e| {
                    invalid = Some(ApiError::from(e));
                    String::new()
                })
            })
            .map_err(|why| {
                invalid
                    .take()
                    .unwrap_or_else(|| bad(format!("{name}: {why}")))
            })
        })
        .await
        .map_err(|e| bad(e.to_string()))?
    }

    /// The items in order, read as they are wanted.
    pub fn items(&self) -> impl Stream<Item = Result<Value, String>> + Send + 'static {
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Value, String>>(MAX_ITEMS_PER_CALL);
        let (path, name) = (self.path.clone(), self.name.clone());
        tokio::task::spawn_blocking(move || {
            let result = std::fs::File::open(&path)
                .map_err(|e| format!("cannot read {name}: {e}"))
                .and_then(|file| {
                    for_each_item(file, &mut |v| {
                        tx.blocking_send(Ok(v)).map_err(|_| "stopped".to_string())
                    })
                    .map_err(|why| format!("{name}: {why}"))
                });
            if let Err(why) = result {
                let _ = tx.blocking_send(Err(why));
            }
        });
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|v| (v, rx)) }).fuse()
    }
}

/// Groups items, in order, into calls of at most [`MAX_ITEMS_PER_CALL`]: the one place that
/// does. An error ends the stream.
pub fn chunked<S>(items: S) -> impl Stream<Item = Result<Vec<Value>, String>> + Send
where
    S: Stream<Item = Result<Value, String>> + Send + Unpin,
{
    let items = items.fuse();
    futures::stream::unfold((items, false), |(mut items, done)| async move {
        if done {
            return None;
        }
        let mut chunk = Vec::with_capacity(MAX_ITEMS_PER_CALL);
        while chunk.len() < MAX_ITEMS_PER_CALL {
            match items.next().await {
                Some(Ok(v)) => chunk.push(v),
                Some(Err(e)) => return Some((Err(e), (items, true))),
                None => break,
            }
        }
        (!chunk.is_empty()).then_some((Ok(chunk), (items, false)))
    })
    .fuse()
}

/// Why adding items stopped.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// Adds the chunks to a conversation in order, one call each, handing each answer to
/// `on_page`; `before` items were added already (they are counted in errors). Answers how
/// many items were added in all.
pub async fn add_chunks<S, F>(
    client: &Client,
    conversation: &str,
    include: &[String],
    chunks: S,
    before: usize,
    mut on_page: F,
) -> Result<usize, AddError>
where
    S: Stream<Item = Result<Vec<Value>, String>>,
    F: FnMut(&ItemPage) -> Result<(), AddError>,
{
    let mut chunks = std::pin::pin!(chunks);
    let mut added = before;
    let so_far = |added: usize| {
        if added == 0 {
            String::new()
        } else {
            format!(" (the first {added} items were added)")
        }
    };
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|why| AddError::Input(format!("{why}{}", so_far(added))))?;
        let page = client
            .create_items(conversation, &chunk, include)
            .await
            .map_err(|e| ApiError {
                message: format!("{}{}", e.message, so_far(added)),
                ..e
            })?;
        added += chunk.len();
        on_page(&page)?;
    }
    Ok(added)
}

/// Metadata written as JSON: an object of strings (`null` is empty). The limits are checked
/// where it is used.
pub fn metadata_from_json(text: &str) -> Result<Metadata, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the JSON is not valid: {e}"))?;
    let obj = match value {
        Value::Null => return Ok(Metadata::new()),
        Value::Object(o) => o,
        other => {
            return Err(format!(
                "expected an object of strings, got {}",
                crate::protocol::error::json_kind(&other)
            ))
        }
    };
    obj.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            other => Err(format!(
                "the value of {k:?} is {}, not a string",
                crate::protocol::error::json_kind(&other)
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn item_input_formats() {
        let a = parse_items(r#"[{"role":"user","content":"a"},{"role":"user","content":"b"}]"#)
            .unwrap();
        let b = parse_items(
            r#"{"items":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}"#,
        )
        .unwrap();
        let c = parse_items(
            "{\"role\":\"user\",\"content\":\"a\"}\n\n{\"role\":\"user\",\"content\":\"b\"}\n",
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(
            parse_items(r#"{"role":"user","content":"x"}"#).unwrap(),
            vec![json!({"role":"user","content":"x"})]
        );
        assert!(parse_items("").is_err());
        assert!(parse_items("[1]").is_err());
        assert!(parse_items("{\"a\":1}\n{oops").is_err());
    }

    #[test]
    fn streamed_input_names_what_is_wrong() {
        assert_eq!(
            parse_items("[1]").unwrap_err(),
            "item 1 is not a JSON object"
        );
        assert!(parse_items("[{\"a\":1}] [{\"b\":1}]")
            .unwrap_err()
            .contains("more JSON follows"));
        assert!(parse_items("{\"a\":1}\n{oops")
            .unwrap_err()
            .starts_with("not JSON (item 2)"));
        assert_eq!(
            parse_items("{\"items\": []}").unwrap_err(),
            "no items found"
        );
        // A byte order mark is skipped; an "items" key that is not an array is an item's field.
        assert_eq!(
            parse_items("\u{feff}[{\"a\":1}]").unwrap(),
            vec![json!({"a": 1})]
        );
        assert_eq!(
            parse_items("{\"role\":\"user\",\"items\":\"x\"}").unwrap(),
            vec![json!({"role": "user", "items": "x"})]
        );
    }

    /// A reader that gives `head`, then fails: whatever reached `each` before the failure was
    /// handed over while reading, not after the whole input was held.
    struct FailsAfter(std::io::Cursor<Vec<u8>>);

    impl Read for FailsAfter {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(std::io::Error::other("the rest never comes")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn items_are_handed_over_one_at_a_time_as_they_are_read() {
        for head in [
            "[{\"n\":1},{\"n\":2},",
            "{\"items\":[{\"n\":1},{\"n\":2},",
            "{\"n\":1}\n{\"n\":2}\n{\"n\"",
        ] {
            let mut got = Vec::new();
            let reader = FailsAfter(std::io::Cursor::new(head.as_bytes().to_vec()));
            let err = for_each_item(reader, &mut |v| {
                got.push(v["n"].clone());
                Ok(())
            })
            .unwrap_err();
            assert!(err.contains("the rest never comes"), "{err}");
            assert_eq!(got, [json!(1), json!(2)], "{head}");
        }
    }
}
