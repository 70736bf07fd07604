//! Objects of the Conversations API, decoded tolerantly (see CONTRACT §12).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Conversation metadata: string keys and string values.
pub type Metadata = BTreeMap<String, String>;

/// A conversation. Unknown fields are kept in `extra`, so re-encoding never drops a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    #[serde(
        default = "object_conversation",
        deserialize_with = "string_or_default"
    )]
    pub object: String,
    #[serde(default, deserialize_with = "lenient_timestamp")]
    pub created_at: i64,
    #[serde(default, deserialize_with = "lenient_metadata")]
    pub metadata: Metadata,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn object_conversation() -> String {
    "conversation".into()
}

fn object_list() -> String {
    "list".into()
}

/// The answer to a conversation delete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletedConversation {
    pub id: String,
    #[serde(default, deserialize_with = "string_or_default")]
    pub object: String,
    #[serde(default, deserialize_with = "bool_or_false")]
    pub deleted: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One page of a cursor listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>", serialize = "T: Serialize"))]
pub struct Page<T> {
    #[serde(default = "object_list", deserialize_with = "string_or_default")]
    pub object: String,
    #[serde(default, deserialize_with = "null_as_empty_vec")]
    pub data: Vec<T>,
    #[serde(default, deserialize_with = "optional_id")]
    pub first_id: Option<String>,
    #[serde(default, deserialize_with = "optional_id")]
    pub last_id: Option<String>,
    #[serde(default, deserialize_with = "bool_or_false")]
    pub has_more: bool,
}

/// A page of conversation items.
pub type ItemPage = Page<Item>;

impl ItemPage {
    /// A page of the given items, with `first_id`/`last_id` taken from them.
    pub fn of(items: Vec<Value>, has_more: bool) -> ItemPage {
        let id = |v: Option<&Value>| v.and_then(id_of).map(String::from);
        Page {
            object: "list".into(),
            first_id: id(items.first()),
            last_id: id(items.last()),
            data: items.into_iter().map(Item).collect(),
            has_more,
        }
    }
}
/// A page of conversations (the local server's listing extension).
pub type ConversationPage = Page<Conversation>;

/// The `id` of an item's JSON, if it has one.
pub fn id_of(item: &Value) -> Option<&str> {
    item.get("id").and_then(Value::as_str)
}

/// The `type` of an item's JSON; "message" when absent but a `role` is present; else "unknown".
pub fn kind_of(item: &Value) -> &str {
    match item.get("type").and_then(Value::as_str) {
        Some(t) => t,
        None if item.get("role").is_some() => "message",
        None => "unknown",
    }
}

/// A conversation item, kept as its complete JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Item(pub Value);

impl Item {
    pub fn raw(&self) -> &Value {
        &self.0
    }

    pub fn id(&self) -> Option<&str> {
        id_of(&self.0)
    }

    /// The item `type`; "message" when absent but a `role` is present; "unknown" otherwise.
    pub fn kind(&self) -> &str {
        kind_of(&self.0)
    }

    pub fn status(&self) -> Option<&str> {
        self.0.get("status").and_then(Value::as_str)
    }

    /// The message view of a `message` item.
    pub fn as_message(&self) -> Option<Message> {
        if self.kind() != "message" {
            return None;
        }
        let role = self
            .0
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string();
        let content = match self.0.get("content") {
            Some(Value::String(text)) => vec![if role == "assistant" {
                ContentPart::OutputText {
                    text: text.clone(),
                    annotations: Vec::new(),
                }
            } else {
                ContentPart::InputText { text: text.clone() }
            }],
            Some(Value::Array(parts)) => parts.iter().map(ContentPart::from_value).collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![ContentPart::Unknown(other.clone())],
        };
        Some(Message {
            id: self.id().map(str::to_string),
            status: self.status().map(str::to_string),
            role,
            phase: self
                .0
                .get("phase")
                .and_then(Value::as_str)
                .map(str::to_string),
            content,
        })
    }
}

/// A message item, viewed through its role and content parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: Option<String>,
    pub status: Option<String>,
    pub role: String,
    pub phase: Option<String>,
    pub content: Vec<ContentPart>,
}

impl Message {
    /// All text of the message, parts separated by blank lines.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(ContentPart::text)
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

/// A part of a message's content, by part `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum ContentPart {
    InputText {
        text: String,
    },
    OutputText {
        text: String,
        annotations: Vec<Value>,
    },
    Text {
        text: String,
    },
    SummaryText {
        text: String,
    },
    ReasoningText {
        text: String,
    },
    Refusal {
        refusal: String,
    },
    InputImage {
        image_url: Option<String>,
        file_id: Option<String>,
        detail: Option<String>,
    },
    InputFile {
        file_id: Option<String>,
        filename: Option<String>,
        file_url: Option<String>,
    },
    ComputerScreenshot {
        image_url: Option<String>,
        file_id: Option<String>,
    },
    /// Any other part, or a known part missing a required field: the raw JSON.
    Unknown(Value),
}

impl ContentPart {
    pub fn from_value(v: &Value) -> ContentPart {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let text = s("text");
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
        let unknown = || ContentPart::Unknown(v.clone());
        match kind {
            "input_text" => text.map_or_else(unknown, |text| ContentPart::InputText { text }),
            "output_text" => text.map_or_else(unknown, |text| ContentPart::OutputText {
                text,
                annotations: v
                    .get("annotations")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            }),
            "text" => text.map_or_else(unknown, |text| ContentPart::Text { text }),
            "summary_text" => text.map_or_else(unknown, |text| ContentPart::SummaryText { text }),
            "reasoning_text" => {
                text.map_or_else(unknown, |text| ContentPart::ReasoningText { text })
            }
            "refusal" => {
                s("refusal").map_or_else(unknown, |refusal| ContentPart::Refusal { refusal })
            }
            "input_image" => ContentPart::InputImage {
                image_url: s("image_url"),
                file_id: s("file_id"),
                detail: s("detail"),
            },
            "input_file" => ContentPart::InputFile {
                file_id: s("file_id"),
                filename: s("filename"),
                file_url: s("file_url"),
            },
            "computer_screenshot" => ContentPart::ComputerScreenshot {
                image_url: s("image_url"),
                file_id: s("file_id"),
            },
            _ => unknown(),
        }
    }

    /// The readable text of a text-like part.
    pub fn text(&self) -> Option<&str> {
        match self {
            ContentPart::InputText { text }
            | ContentPart::OutputText { text, .. }
            | ContentPart::Text { text }
            | ContentPart::SummaryText { text }
            | ContentPart::ReasoningText { text } => Some(text),
            ContentPart::Refusal { refusal } => Some(refusal),
            _ => None,
        }
    }
}

/// Metadata: null means empty; non-string values are kept as their JSON text.
pub fn metadata_from_value(v: &Value) -> Metadata {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), s)
            })
            .collect(),
        _ => Metadata::new(),
    }
}

fn lenient_metadata<'de, D: Deserializer<'de>>(d: D) -> Result<Metadata, D::Error> {
    Ok(metadata_from_value(&Value::deserialize(d)?))
}

fn lenient_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .unwrap_or(0),
        Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

fn string_or_default<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        _ => String::new(),
    })
}

fn bool_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(matches!(Value::deserialize(d)?, Value::Bool(true)))
}

fn optional_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if !s.is_empty() => Some(s),
        _ => None,
    })
}

fn null_as_empty_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conversation_keeps_unknown_fields_and_tolerates_null_metadata() {
        let v = json!({"id": "conv_1", "object": "conversation", "created_at": 5,
                       "metadata": null, "items": null, "x": {"y": 1}});
        let c: Conversation = serde_json::from_value(v).unwrap();
        assert!(c.metadata.is_empty());
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back["items"], Value::Null);
        assert!(back.as_object().unwrap().contains_key("items"));
        assert_eq!(back["x"], json!({"y": 1}));
    }

    #[test]
    fn metadata_values_are_stringified() {
        let c: Conversation = serde_json::from_value(
            json!({"id": "c", "created_at": 1, "metadata": {"a": 1, "b": "x", "c": true}}),
        )
        .unwrap();
        assert_eq!(c.metadata["a"], "1");
        assert_eq!(c.metadata["b"], "x");
        assert_eq!(c.metadata["c"], "true");
        assert_eq!(c.object, "conversation");
    }

    #[test]
    fn pages_accept_empty_and_null_ids() {
        let p: ItemPage = serde_json::from_value(
            json!({"object": "list", "data": [], "first_id": "", "last_id": null}),
        )
        .unwrap();
        assert_eq!(p.first_id, None);
        assert_eq!(p.last_id, None);
        assert!(!p.has_more);
    }

    #[test]
    fn string_content_is_one_text_part() {
        let it = Item(json!({"id": "m", "role": "user", "content": "hi", "status": null}));
        assert_eq!(it.kind(), "message");
        assert_eq!(it.status(), None);
        let m = it.as_message().unwrap();
        assert_eq!(
            m.content,
            vec![ContentPart::InputText { text: "hi".into() }]
        );
        assert_eq!(m.text(), "hi");
    }

    #[test]
    fn parts_by_type_and_unknown_kept() {
        let it = Item(json!({"type": "message", "role": "assistant", "content": [
            {"type": "output_text", "text": "a", "annotations": [{"type": "url_citation"}]},
            {"type": "refusal", "refusal": "no"},
            {"type": "input_image", "image_url": "u", "detail": "auto"},
            {"type": "hologram", "z": 1},
            {"type": "input_text"}
        ]}));
        let m = it.as_message().unwrap();
        assert!(
            matches!(&m.content[0], ContentPart::OutputText { annotations, .. } if annotations.len() == 1)
        );
        assert_eq!(m.content[1].text(), Some("no"));
        assert!(
            matches!(&m.content[2], ContentPart::InputImage { image_url: Some(u), .. } if u == "u")
        );
        assert_eq!(
            m.content[3],
            ContentPart::Unknown(json!({"type": "hologram", "z": 1}))
        );
        assert!(matches!(m.content[4], ContentPart::Unknown(_)));
        let fc = Item(json!({"type": "future_call", "id": "x", "deep": [1, 2]}));
        assert_eq!(fc.kind(), "future_call");
        assert!(fc.as_message().is_none());
        assert_eq!(
            serde_json::to_value(&fc).unwrap(),
            json!({"type": "future_call", "id": "x", "deep": [1, 2]})
        );
    }
}
