//! Input as people write it: items as a JSON array, `{"items": [...]}` or JSON Lines, and
//! metadata as a JSON object.

use serde_json::Value;

use super::Metadata;

/// Items from a JSON array, an object `{"items": [...]}`, or JSON Lines (one item per line).
pub fn parse_items(text: &str) -> Result<Vec<Value>, String> {
    let mut values = Vec::new();
    for (i, v) in serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .enumerate()
    {
        values.push(v.map_err(|e| format!("not JSON (value {}): {e}", i + 1))?);
    }
    let items = match values.as_slice() {
        [] => return Err("no items found".into()),
        [Value::Array(list)] => list.clone(),
        [Value::Object(obj)] if obj.get("items").is_some_and(Value::is_array) => {
            obj["items"].as_array().cloned().unwrap_or_default()
        }
        _ => values,
    };
    if let Some(i) = items.iter().position(|v| !v.is_object()) {
        return Err(format!("item {} is not a JSON object", i + 1));
    }
    if items.is_empty() {
        return Err("no items found".into());
    }
    Ok(items)
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
}
