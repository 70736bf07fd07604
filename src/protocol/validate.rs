//! Checks request bodies and query strings the way the API does, with its error wording.

use serde_json::{Map, Value};

use super::error::ApiError;

/// Sort direction of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

/// An item to add: either a full item body, or a reference to an existing item to copy.
#[derive(Debug, Clone)]
pub enum NewItem {
    Body(Map<String, Value>),
    Reference(String),
}

pub const MAX_ITEMS: usize = 20;

/// A call takes at most `MAX_ITEMS` items: the batches to send, in order. See
/// https://platform.openai.com/docs/api-reference/conversations/create-items
pub fn chunks<T>(items: &[T]) -> std::slice::Chunks<'_, T> {
    items.chunks(MAX_ITEMS)
}
pub const MAX_METADATA_PAIRS: usize = 16;
pub const MAX_KEY_CHARS: usize = 64;
pub const MAX_VALUE_CHARS: usize = 512;

pub const INCLUDE_VALUES: [&str; 8] = [
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
];

const INPUT_ROLES: [&str; 4] = ["assistant", "system", "developer", "user"];

/// Rejects any field not in `allowed`.
pub fn only_fields(body: &Map<String, Value>, allowed: &[&str]) -> Result<(), ApiError> {
    match body.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(ApiError::unknown_parameter(k)),
        None => Ok(()),
    }
}

/// A metadata map: null means empty. Values must be strings, within the limits.
pub fn metadata(value: &Value) -> Result<Map<String, Value>, ApiError> {
    let map = match value {
        Value::Null => return Ok(Map::new()),
        Value::Object(m) => m,
        other => return Err(ApiError::invalid_type("metadata", "an object", other)),
    };
    if map.len() > MAX_METADATA_PAIRS {
        return Err(ApiError::too_many_properties(
            "metadata",
            MAX_METADATA_PAIRS,
            map.len(),
        ));
    }
    for (k, v) in map {
        let key_len = k.chars().count();
        if key_len == 0 {
            return Err(ApiError::empty_property_name("metadata"));
        }
        if key_len > MAX_KEY_CHARS {
            return Err(ApiError::property_name_too_long(
                "metadata",
                k,
                MAX_KEY_CHARS,
                key_len,
            ));
        }
        let param = format!("metadata.{k}");
        let s = v
            .as_str()
            .ok_or_else(|| ApiError::invalid_type(&param, "a string", v))?;
        let len = s.chars().count();
        if len > MAX_VALUE_CHARS {
            return Err(ApiError::string_too_long(&param, MAX_VALUE_CHARS, len));
        }
    }
    Ok(map.clone())
}

/// The `items` array of a create call: at most 20, each checked and normalised.
pub fn items(value: &Value, allow_empty: bool) -> Result<Vec<NewItem>, ApiError> {
    let list = match value {
        Value::Array(a) => a,
        other => return Err(ApiError::invalid_type("items", "an array", other)),
    };
    if list.len() > MAX_ITEMS {
        return Err(ApiError::array_too_long("items", MAX_ITEMS, list.len()));
    }
    if list.is_empty() && !allow_empty {
        return Err(ApiError::empty_array("items"));
    }
    list.iter()
        .enumerate()
        .map(|(i, v)| item(v, &format!("items[{i}]")))
        .collect()
}

/// Checks items one by one, each named by its place in the whole list (`items[22]`), so that a
/// caller sending them in chunks can check them all before sending any.
pub fn each_item(items: &[Value]) -> Result<(), ApiError> {
    for (i, v) in items.iter().enumerate() {
        item(v, &format!("items[{i}]"))?;
    }
    Ok(())
}

/// Checks one item, named by its place in the whole input (`items[22]`), for a caller that
/// reads its input one item at a time.
pub fn item_at(value: &Value, index: usize) -> Result<(), ApiError> {
    item(value, &format!("items[{index}]")).map(|_| ())
}

/// Fields each known type needs from the client (ids and statuses are the server's).
fn required_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "function_call" => &["call_id", "name", "arguments"],
        "function_call_output" => &["call_id", "output"],
        "custom_tool_call" => &["call_id", "name", "input"],
        "custom_tool_call_output" => &["call_id", "output"],
        "computer_call_output" => &["call_id", "output"],
        "reasoning" => &["summary"],
        "mcp_approval_response" => &["approval_request_id", "approve"],
        _ => &[],
    }
}

fn item(value: &Value, param: &str) -> Result<NewItem, ApiError> {
    let obj = value
        .as_object()
        .ok_or_else(|| ApiError::invalid_type(param, "an object", value))?;
    let kind = match obj.get("type") {
        None | Some(Value::Null) => "message",
        Some(Value::String(s)) => s.as_str(),
        Some(other) => {
            return Err(ApiError::invalid_type(
                &format!("{param}.type"),
                "a string",
                other,
            ))
        }
    };
    match kind {
        "message" => message(obj, param).map(NewItem::Body),
        "item_reference" => match obj.get("id") {
            Some(Value::String(id)) if !id.is_empty() => Ok(NewItem::Reference(id.clone())),
            Some(other) => Err(ApiError::invalid_type(
                &format!("{param}.id"),
                "a string",
                other,
            )),
            None => Err(ApiError::missing_parameter(&format!("{param}.id"))),
        },
        other => {
            for field in required_fields(other) {
                if !obj.contains_key(*field) {
                    return Err(ApiError::missing_parameter(&format!("{param}.{field}")));
                }
            }
            Ok(NewItem::Body(obj.clone()))
        }
    }
}

/// Checks a message and normalises string content to a list of content parts.
fn message(obj: &Map<String, Value>, param: &str) -> Result<Map<String, Value>, ApiError> {
    let role = match obj.get("role") {
        Some(Value::String(r)) => r.as_str(),
        None | Some(Value::Null) => "",
        Some(other) => {
            return Err(ApiError::invalid_type(
                &format!("{param}.role"),
                "a string",
                other,
            ))
        }
    };
    if !INPUT_ROLES.contains(&role) {
        return Err(ApiError::invalid_value(param, role, &INPUT_ROLES));
    }
    let content = match obj.get("content") {
        None => return Err(ApiError::missing_parameter(&format!("{param}.content"))),
        Some(Value::String(text)) => {
            let part = if role == "assistant" {
                serde_json::json!({"type": "output_text", "text": text, "annotations": [], "logprobs": []})
            } else {
                serde_json::json!({"type": "input_text", "text": text})
            };
            Value::Array(vec![part])
        }
        Some(Value::Array(parts)) => {
            for (i, part) in parts.iter().enumerate() {
                let p = format!("{param}.content[{i}]");
                let part = part
                    .as_object()
                    .ok_or_else(|| ApiError::invalid_type(&p, "an object", part))?;
                match part.get("type") {
                    Some(Value::String(_)) => {}
                    Some(other) => {
                        return Err(ApiError::invalid_type(
                            &format!("{p}.type"),
                            "a string",
                            other,
                        ))
                    }
                    None => return Err(ApiError::missing_parameter(&format!("{p}.type"))),
                }
            }
            Value::Array(parts.clone())
        }
        Some(other) => {
            return Err(ApiError::invalid_type(
                &format!("{param}.content"),
                "a string or an array",
                other,
            ))
        }
    };
    let mut out = Map::new();
    out.insert("type".into(), "message".into());
    out.insert(
        "status".into(),
        obj.get("status")
            .filter(|s| s.is_string())
            .cloned()
            .unwrap_or_else(|| "completed".into()),
    );
    out.insert("role".into(), role.into());
    out.insert("content".into(), content);
    for (k, v) in obj {
        if !["type", "status", "role", "content", "id"].contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

/// Query parameters of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub limit: i64,
    pub order: Order,
    pub after: Option<String>,
    pub include: Vec<String>,
}

/// Parses `limit`, `order`, `after` and `include[]`/`include` from a raw query string.
pub fn list_query(raw: Option<&str>) -> Result<ListQuery, ApiError> {
    let mut q = ListQuery {
        limit: 20,
        order: Order::Desc,
        after: None,
        include: Vec::new(),
    };
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "limit" => {
                let n: i64 = v
                    .trim()
                    .parse()
                    .map_err(|_| ApiError::invalid_query_type("limit", "an integer"))?;
                if n > 100 {
                    return Err(ApiError::integer_above_max("limit", 100, n));
                }
                if n < 1 {
                    return Err(ApiError::integer_below_min("limit", 1, n));
                }
                q.limit = n;
            }
            "order" => {
                q.order = match v.as_ref() {
                    "asc" => Order::Asc,
                    "desc" => Order::Desc,
                    other => return Err(ApiError::invalid_value("order", other, &["asc", "desc"])),
                }
            }
            "after" => q.after = Some(v.into_owned()).filter(|s| !s.is_empty()),
            "include" | "include[]" => q.include.push(v.into_owned()),
            _ => {}
        }
    }
    include(&q.include)?;
    Ok(q)
}

/// Checks `include` values against the allowed list.
pub fn include(values: &[String]) -> Result<(), ApiError> {
    for v in values {
        if !INCLUDE_VALUES.contains(&v.as_str()) {
            return Err(ApiError::invalid_value("include", v, &INCLUDE_VALUES));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_content_becomes_parts_by_role() {
        let NewItem::Body(user) =
            item(&json!({"role": "user", "content": "hi"}), "items[0]").unwrap()
        else {
            panic!("expected a body")
        };
        assert_eq!(
            user["content"],
            json!([{"type": "input_text", "text": "hi"}])
        );
        assert_eq!(user["status"], "completed");
        let NewItem::Body(bot) = item(
            &json!({"type": "message", "role": "assistant", "content": "yo"}),
            "items[0]",
        )
        .unwrap() else {
            panic!("expected a body")
        };
        assert_eq!(bot["content"][0]["type"], "output_text");
    }

    #[test]
    fn missing_role_is_the_observed_error() {
        let e = item(&json!({"type": "message", "content": "x"}), "items[0]").unwrap_err();
        assert_eq!(e.code, Some("invalid_value"));
        assert_eq!(e.param.as_deref(), Some("items[0]"));
        assert_eq!(
            e.message,
            "Invalid value: ''. Supported values are: 'assistant', 'system', 'developer', and 'user'."
        );
    }

    #[test]
    fn limits_and_orders() {
        assert_eq!(list_query(Some("limit=100&order=asc")).unwrap().limit, 100);
        assert_eq!(
            list_query(Some("limit=101")).unwrap_err().code,
            Some("integer_above_max_value")
        );
        assert_eq!(
            list_query(Some("limit=0")).unwrap_err().code,
            Some("integer_below_min_value")
        );
        assert_eq!(
            list_query(Some("limit=x")).unwrap_err().code,
            Some("invalid_type")
        );
        assert_eq!(
            list_query(Some("order=up")).unwrap_err().code,
            Some("invalid_value")
        );
        let q = list_query(Some(
            "include%5B%5D=reasoning.encrypted_content&include=code_interpreter_call.outputs",
        ))
        .unwrap();
        assert_eq!(q.include.len(), 2);
        assert!(list_query(Some("include[]=bogus")).is_err());
    }

    #[test]
    fn metadata_limits() {
        assert!(metadata(&Value::Null).unwrap().is_empty());
        let many: Map<String, Value> = (0..17).map(|i| (format!("k{i}"), json!("v"))).collect();
        assert_eq!(
            metadata(&Value::Object(many)).unwrap_err().code,
            Some("object_above_max_properties")
        );
        let e = metadata(&json!({"k": 1})).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid type for 'metadata.k': expected a string, but got an integer instead."
        );
        let e = metadata(&json!({"k": "é".repeat(513)})).unwrap_err();
        assert_eq!(e.code, Some("string_above_max_length"));
        assert!(metadata(&json!({"k": "é".repeat(512)})).is_ok());
    }
}
