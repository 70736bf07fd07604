//! Random JSON bodies and query strings into the server's request validation never panic.

use convtui::protocol::validate::{self, ItemTypes};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            "[a-z_]{0,12}",
            Just("message".to_string()),
            Just("item_reference".to_string()),
            Just("function_call".to_string()),
            Just("user".to_string()),
            Just("assistant".to_string()),
            any::<String>(),
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..25).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("type".to_string()),
                        Just("role".to_string()),
                        Just("content".to_string()),
                        Just("id".to_string()),
                        Just("call_id".to_string()),
                        Just("items".to_string()),
                        Just("metadata".to_string()),
                        "[a-z]{0,70}",
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn bodies_never_panic(body in json()) {
        for types in [ItemTypes::Known, ItemTypes::Any] {
            let _ = validate::items_of(&body, true, types);
            let _ = validate::items_of(&body, false, types);
            if let Some(items) = body.get("items") {
                let _ = validate::items_of(items, false, types);
            }
        }
        let _ = validate::metadata(&body);
        if let Some(m) = body.get("metadata") {
            let _ = validate::metadata(m);
        }
        if let Value::Object(m) = &body {
            let _ = validate::only_fields(m, &["metadata", "items"]);
        }
        if let Value::Array(a) = &body {
            let _ = validate::each_item(a);
        }
    }

    #[test]
    fn query_strings_never_panic(q in any::<String>(), limit in any::<String>(), order in "[a-z]{0,6}") {
        let _ = validate::list_query(Some(&q));
        let _ = validate::list_query(Some(&format!("limit={limit}&order={order}&after={q}&include[]={q}")));
    }
}
