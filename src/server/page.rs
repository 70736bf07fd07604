//! A page of a listing, as values or as the stored JSON text.

use serde_json::{json, Value};

/// One page of a listing.
#[derive(Debug)]
pub struct Page {
    pub data: Vec<Value>,
    pub has_more: bool,
}

impl Page {
    pub fn to_json(&self, id_of: impl Fn(&Value) -> Option<&str>) -> Value {
        let first = self.data.first().and_then(&id_of);
        let last = self.data.last().and_then(&id_of);
        json!({
            "object": "list",
            "data": self.data,
            "first_id": first,
            "last_id": last,
            "has_more": self.has_more,
        })
    }
}

/// A page of items as stored: the JSON text of each, and the first and last ids.
#[derive(Debug)]
pub struct RawPage {
    pub bodies: Vec<String>,
    pub first_id: Option<String>,
    pub last_id: Option<String>,
    pub has_more: bool,
}

impl RawPage {
    /// The list object, byte for byte what serializing [`Page::to_json`] would give.
    pub fn to_json_string(&self) -> String {
        let len: usize = self.bodies.iter().map(|b| b.len() + 1).sum();
        let mut out = String::with_capacity(len + 128);
        out.push_str("{\"object\":\"list\",\"data\":[");
        for (i, body) in self.bodies.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(body);
        }
        out.push_str("],\"first_id\":");
        out.push_str(&Value::from(self.first_id.clone()).to_string());
        out.push_str(",\"last_id\":");
        out.push_str(&Value::from(self.last_id.clone()).to_string());
        out.push_str(",\"has_more\":");
        out.push_str(if self.has_more { "true" } else { "false" });
        out.push('}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page written from stored text is byte for byte the page serialized from values.
    #[test]
    fn raw_pages_match_serialized_pages() {
        let items = [
            json!({"type": "message", "id": "msg_1", "content": [{"text": "é \"q\" \u{1b}"}]}),
            json!({"type": "x", "id": "x_2", "n": 1.5}),
        ];
        for n in 0..=items.len() {
            let data: Vec<Value> = items[..n].to_vec();
            let raw = RawPage {
                bodies: data.iter().map(Value::to_string).collect(),
                first_id: data.first().map(|v| v["id"].as_str().unwrap().to_string()),
                last_id: data.last().map(|v| v["id"].as_str().unwrap().to_string()),
                has_more: n == 1,
            };
            let page = Page {
                data,
                has_more: n == 1,
            };
            let want = page
                .to_json(|v| v.get("id").and_then(Value::as_str))
                .to_string();
            assert_eq!(raw.to_json_string(), want);
        }
    }
}
