//! Any valid metadata, written as editor text and read back, is the same map.

use std::collections::BTreeMap;

use convtui::tui::editor::metadata_text::{parse, to_text};
use proptest::prelude::*;

/// Strings of any characters, with the troublesome ones made likely.
fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    let tricky = prop_oneof![
        Just(' '),
        Just('='),
        Just('#'),
        Just('\\'),
        Just('\n'),
        Just('\r'),
        Just('\t'),
        Just('"'),
        Just('\''),
        Just('\u{1b}'),
        Just('\u{202e}'),
        Just('é'),
        Just('🙂'),
    ];
    let c = prop_oneof![3 => any::<char>(), 2 => tricky, 3 => proptest::char::range('a', 'z')];
    proptest::collection::vec(c, min..=max).prop_map(|v| v.into_iter().collect())
}

fn metadata() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(text(1, 64), text(0, 512), 0..=16)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn text_round_trips(map in metadata()) {
        let written = to_text(&map);
        let back = parse(&written);
        prop_assert!(back.errors.is_empty(), "errors {:?} for {:?}", back.errors, written);
        prop_assert_eq!(back.map, map);
    }

    #[test]
    fn the_text_has_no_control_characters_but_newlines(map in metadata()) {
        let written = to_text(&map);
        prop_assert!(!written.chars().any(|c| c.is_control() && c != '\n'));
    }
}
