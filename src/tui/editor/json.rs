//! JSON for the external editor (`E`) and for pasted items (`a`).

use serde_json::{Map, Value};

use super::metadata_text::Metadata;
use crate::protocol::validate;

/// The metadata as the JSON the external editor opens.
pub fn metadata_to_json(map: &Metadata) -> String {
    let obj: Map<String, Value> = map
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut s = serde_json::to_string_pretty(&Value::Object(obj)).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

pub use crate::api::input::metadata_from_json;

/// Pasted items: one item, an array, `{"items": [...]}` or JSON Lines; each checked as the API
/// would.
pub fn items_from_text(text: &str) -> Result<Vec<Value>, String> {
    let items = crate::api::input::parse_items(text)?;
    validate::each_item(&items).map_err(|e| {
        // `items[1].content` reads as `item 2 (content)` to someone who pasted a list.
        let place = e.param.as_deref().and_then(|p| {
            let rest = p.strip_prefix("items[")?;
            let (n, tail) = rest.split_once(']')?;
            let n: usize = n.parse().ok()?;
            let field = tail.trim_start_matches('.');
            Some(if field.is_empty() {
                format!("item {}", n + 1)
            } else {
                format!("item {} ({field})", n + 1)
            })
        });
        match place {
            Some(p) => format!("{p}: {}", e.message),
            None => e.message,
        }
    })?;
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_json_round_trip_and_errors() {
        let m: Metadata = [("a".to_string(), "x\ny".to_string())]
            .into_iter()
            .collect();
        assert_eq!(metadata_from_json(&metadata_to_json(&m)).unwrap(), m);
        assert!(metadata_from_json("{\"a\": 1}")
            .unwrap_err()
            .contains("not a string"));
        assert!(metadata_from_json("[").unwrap_err().contains("not valid"));
        assert_eq!(metadata_from_json("null").unwrap(), Metadata::new());
    }

    #[test]
    fn items_in_three_shapes() {
        let one = r#"{"role":"user","content":"hi"}"#;
        assert_eq!(items_from_text(one).unwrap().len(), 1);
        assert_eq!(items_from_text(&format!("[{one},{one}]")).unwrap().len(), 2);
        assert_eq!(
            items_from_text(&format!("{{\"items\":[{one}]}}"))
                .unwrap()
                .len(),
            1
        );
        let bad = items_from_text(r#"[{"role":"user","content":"a"},{"content":"x"}]"#);
        assert!(bad.unwrap_err().starts_with("item 2: Invalid value: ''"));
    }
}
