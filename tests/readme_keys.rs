//! The README's key table and the keymap agree: every key the table names is bound in the
//! panes, and every key bound in the panes is in the table.

use std::collections::BTreeSet;

use convtui::tui::keymap::{Context, Key, Keymap};

/// The keys named in the README's `| key | action |` table.
fn readme_keys() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let table: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| key | action |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(table.len() > 10, "the README has a key table");
    let mut keys = BTreeSet::new();
    for row in table {
        let cell = row.split('|').nth(1).unwrap_or("");
        // `a`/`b`, `c`: every backticked name is one key.
        for (i, part) in cell.split('`').enumerate() {
            if i % 2 == 1 {
                keys.insert(part.to_string());
            }
        }
    }
    keys
}

#[test]
fn the_readme_key_table_matches_the_keymap() {
    let keymap = Keymap::default();
    let panes = [
        Context::Global,
        Context::Conversations,
        Context::Timeline,
        Context::Detail,
    ];
    let bound: BTreeSet<String> = keymap
        .bindings()
        .iter()
        .filter(|b| panes.contains(&b.context))
        .flat_map(|b| b.keys.iter().map(Key::to_string))
        .collect();
    let documented = readme_keys();
    for name in &documented {
        let key: Key = name
            .parse()
            .unwrap_or_else(|e| panic!("the README names {name:?}: {e}"));
        assert!(
            bound.contains(&key.to_string()),
            "the README names {name:?}, which the keymap does not bind"
        );
    }
    let missing: Vec<_> = bound.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "keys missing from the README: {missing:?}"
    );
}
