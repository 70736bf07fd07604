//! Cursor pagination that never loops on a server that makes no progress.

use std::collections::HashSet;

use super::models::{Item, ItemPage};

/// What to do after a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Fetch the next page with `after` set to this cursor.
    After(String),
    /// The listing is complete.
    Done,
    /// Stop: the server made no progress. The text explains why.
    Stalled(String),
}

/// One event of an item listing.
#[derive(Debug, Clone, PartialEq)]
pub enum PageEvent {
    /// A page; items already received on an earlier page are left out.
    Page(ItemPage),
    /// Paging stopped because the server made no progress (the listing may be incomplete).
    Stopped(String),
}

/// Decides how to continue after `page`, fetched with cursor `prev`. `seen` holds the ids of
/// items received so far; this page's ids are added to it.
pub fn next_cursor(prev: Option<&str>, page: &ItemPage, seen: &mut HashSet<String>) -> Next {
    let mut repeated = 0usize;
    for id in page.data.iter().filter_map(Item::id) {
        if !seen.insert(id.to_string()) {
            repeated += 1;
        }
    }
    if page.data.is_empty() {
        return if page.has_more {
            Next::Stalled(
                "the server said more items follow but sent an empty page; stopped there".into(),
            )
        } else {
            Next::Done
        };
    }
    if repeated > 0 {
        return Next::Stalled(format!(
            "the server sent {repeated} item(s) again{}; it may not support the 'after' cursor, so paging stopped (the list may be incomplete)",
            prev.map(|p| format!(" after '{p}'")).unwrap_or_default()
        ));
    }
    if !page.has_more {
        return Next::Done;
    }
    let cursor = page
        .last_id
        .clone()
        .or_else(|| page.data.last().and_then(Item::id).map(str::to_string));
    match cursor {
        None => Next::Stalled(
            "the server said more items follow but gave no cursor; stopped there".into(),
        ),
        Some(c) if Some(c.as_str()) == prev => Next::Stalled(format!(
            "the server returned the same cursor '{c}' again; paging stopped (the list may be incomplete)"
        )),
        Some(c) => Next::After(c),
    }
}

/// Keeps only the items whose ids are not in `seen` (items without an id are kept).
pub fn unseen(page: &ItemPage, seen: &HashSet<String>) -> Vec<Item> {
    page.data
        .iter()
        .filter(|it| it.id().is_none_or(|id| !seen.contains(id)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(ids: &[&str], last: Option<&str>, has_more: bool) -> ItemPage {
        ItemPage {
            object: "list".into(),
            data: ids.iter().map(|id| Item(json!({"id": id}))).collect(),
            first_id: ids.first().map(|s| s.to_string()),
            last_id: last.map(str::to_string),
            has_more,
        }
    }

    #[test]
    fn follows_last_id() {
        let mut seen = HashSet::new();
        let p = page(&["a", "b"], Some("b"), true);
        assert_eq!(next_cursor(None, &p, &mut seen), Next::After("b".into()));
        let p = page(&["c"], Some("c"), false);
        assert_eq!(next_cursor(Some("b"), &p, &mut seen), Next::Done);
    }

    #[test]
    fn repeated_page_stalls() {
        let mut seen = HashSet::new();
        let p = page(&["a", "b"], Some("b"), true);
        assert_eq!(next_cursor(None, &p, &mut seen), Next::After("b".into()));
        assert!(matches!(
            next_cursor(Some("b"), &p, &mut seen),
            Next::Stalled(_)
        ));
    }

    #[test]
    fn repeated_cursor_stalls() {
        let mut seen = HashSet::new();
        let p = page(&["c"], Some("b"), true);
        assert!(matches!(
            next_cursor(Some("b"), &p, &mut seen),
            Next::Stalled(_)
        ));
    }

    #[test]
    fn empty_page_ends() {
        let mut seen = HashSet::new();
        assert_eq!(
            next_cursor(None, &page(&[], None, false), &mut seen),
            Next::Done
        );
        assert!(matches!(
            next_cursor(Some("x"), &page(&[], None, true), &mut seen),
            Next::Stalled(_)
        ));
    }

    #[test]
    fn missing_last_id_uses_the_last_item() {
        let mut seen = HashSet::new();
        assert_eq!(
            next_cursor(None, &page(&["a", "b"], None, true), &mut seen),
            Next::After("b".into())
        );
        let anon = ItemPage {
            data: vec![Item(json!({"type": "x"}))],
            ..page(&[], None, true)
        };
        assert!(matches!(
            next_cursor(None, &anon, &mut seen),
            Next::Stalled(_)
        ));
    }

    #[test]
    fn unseen_filters_duplicates() {
        let seen: HashSet<String> = ["a".to_string()].into();
        let p = page(&["a", "b"], Some("b"), true);
        let fresh = unseen(&p, &seen);
        assert_eq!(fresh.len(), 1);
        assert_eq!(fresh[0].id(), Some("b"));
    }
}
