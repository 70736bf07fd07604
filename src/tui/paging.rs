//! Paging of a timeline as a small state machine: which page to ask for next, which answers
//! are stale (an older generation), when a reload's first page replaces what is shown, and
//! when to stop (the server made no progress). No I/O: it answers requests as data.

use crate::api::paging::{self, Next, Seen};
use crate::api::ItemPage;

/// A page to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub generation: u64,
    pub after: Option<String>,
    pub ascending: bool,
}

/// What a page brought.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrived {
    /// Items not seen before, in order: their indices in the page's `data`.
    pub fresh: Vec<usize>,
    /// This was a reload's first page, in this order: what was shown goes.
    pub reloaded: Option<bool>,
    /// Paging stopped because the server made no progress; why.
    pub stalled: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paging {
    /// Answers of other generations are dropped.
    pub generation: u64,
    pub ascending: bool,
    /// Cursor for the next page (`after`).
    pub cursor: Option<String>,
    pub has_more: bool,
    pub loading: bool,
    /// Keep loading until the end.
    pub load_all: bool,
    /// `G` was pressed: the selection stays on the last item while pages arrive.
    pub follow_end: bool,
    /// The ids loaded so far, as hashes (see [`Seen`]).
    pub seen: Seen,
    /// While a reload is on its way: the order it asked for. What is shown stays until its
    /// first page arrives, and stays for good if it fails.
    pub reloading: Option<bool>,
    pub warning: Option<String>,
    /// Pages arrived since the first one (a reload starts over).
    pub pages: u64,
    /// The listing limits (pages and items) no paging goes past.
    pub limits: paging::Limits,
    /// Set once when the limits stopped paging; the reply handler shows it as an error.
    pub limit_hit: Option<String>,
}

impl Paging {
    pub fn new(ascending: bool, generation: u64) -> Self {
        Paging {
            generation,
            ascending,
            cursor: None,
            has_more: true,
            loading: false,
            load_all: false,
            follow_end: false,
            seen: Seen::default(),
            reloading: None,
            warning: None,
            pages: 0,
            limits: paging::Limits::default(),
            limit_hit: None,
        }
    }

    /// The next page, if there is one and none is on its way.
    pub fn next_page(&mut self) -> Option<Request> {
        if !self.has_more || self.loading {
            return None;
        }
        if let Err(why) = self.limits.check(self.pages + 1, self.seen.len() as u64) {
            self.has_more = false;
            self.load_all = false;
            self.follow_end = false;
            self.warning = Some(format!("Paging stopped: {why}"));
            self.limit_hit = Some(why);
            return None;
        }
        self.loading = true;
        Some(Request {
            generation: self.generation,
            after: self.cursor.clone(),
            ascending: self.ascending,
        })
    }

    /// Starts over from the first page in the given order, under a new generation.
    pub fn reload(&mut self, ascending: bool, generation: u64) -> Request {
        self.generation = generation;
        self.reloading = Some(ascending);
        self.loading = true;
        self.load_all = false;
        self.follow_end = false;
        Request {
            generation,
            after: None,
            ascending,
        }
    }

    /// The order shown once any reload on its way lands.
    pub fn order(&self) -> bool {
        self.reloading.unwrap_or(self.ascending)
    }

    /// Whether an answer of this generation is still wanted.
    pub fn accepts(&self, generation: u64) -> bool {
        self.generation == generation
    }

    /// A failed page. Answers whether it was a first page (only a first page's 404 says the
    /// conversation is gone; a later one may be about the cursor).
    pub fn failed(&mut self) -> bool {
        self.loading = false;
        let first = self.reloading.is_some() || self.cursor.is_none();
        self.reloading = None;
        self.load_all = false;
        first
    }

    /// A page arrived (of this generation).
    pub fn arrived(&mut self, page: &ItemPage) -> Arrived {
        self.loading = false;
        let reloaded = self.reloading.take();
        if let Some(asc) = reloaded {
            self.seen.clear();
            self.cursor = None;
            self.has_more = true;
            self.warning = None;
            self.ascending = asc;
            self.pages = 0;
        }
        self.pages += 1;
        // Indices, not copies: the caller keeps what it needs from the page itself.
        let fresh = page
            .data
            .iter()
            .enumerate()
            .filter(|(_, it)| it.id().is_none_or(|id| !self.seen.contains(id)))
            .map(|(i, _)| i)
            .collect();
        let next = paging::next_cursor(self.cursor.as_deref(), page, &mut self.seen);
        self.has_more = matches!(next, Next::After(_));
        let mut stalled = None;
        match next {
            Next::After(c) => self.cursor = Some(c),
            Next::Done => {}
            Next::Stalled(why) => {
                let w = format!("Paging stopped: {why}");
                self.warning = Some(w.clone());
                stalled = Some(w);
            }
        }
        Arrived {
            fresh,
            reloaded,
            stalled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(ids: std::ops::Range<usize>, has_more: bool) -> ItemPage {
        ItemPage::of(
            ids.map(|i| json!({"id": format!("i{i}")})).collect(),
            has_more,
        )
    }

    #[test]
    fn one_request_at_a_time_and_the_cursor_follows() {
        let mut p = Paging::new(false, 1);
        let first = p.next_page().unwrap();
        assert_eq!((first.after, first.generation), (None, 1));
        assert_eq!(p.next_page(), None, "a page is on its way");
        let a = p.arrived(&page(0..3, true));
        assert_eq!(a.fresh.len(), 3);
        assert_eq!(p.next_page().unwrap().after.as_deref(), Some("i2"));
        p.arrived(&page(3..4, false));
        assert_eq!(p.next_page(), None, "the end");
    }

    #[test]
    fn a_reload_is_a_new_generation_that_replaces_on_its_first_page() {
        let mut p = Paging::new(false, 1);
        p.next_page();
        p.arrived(&page(0..3, true));
        let r = p.reload(true, 2);
        assert_eq!((r.after, r.ascending), (None, true));
        assert!(!p.accepts(1) && p.accepts(2));
        assert!(
            !p.ascending && p.order(),
            "the old order shows until the page lands"
        );
        let a = p.arrived(&page(0..3, false));
        assert_eq!(a.reloaded, Some(true));
        assert_eq!(a.fresh.len(), 3, "the same ids are fresh after a reload");
        assert!(p.ascending && !p.has_more);
    }

    #[test]
    fn a_server_that_repeats_itself_stops_paging() {
        let mut p = Paging::new(false, 1);
        p.next_page();
        p.arrived(&page(0..3, true));
        p.next_page();
        let a = p.arrived(&page(0..3, true));
        assert!(a.fresh.is_empty() && a.stalled.is_some());
        assert!(!p.has_more && p.warning.is_some());
        assert_eq!(p.next_page(), None);
    }

    #[test]
    fn paging_stops_at_the_listing_limits_with_a_reason() {
        let mut p = Paging::new(false, 1);
        p.limits = paging::Limits {
            max_pages: 2,
            max_items: 1_000,
        };
        p.load_all = true;
        p.next_page();
        p.arrived(&page(0..3, true));
        p.next_page().expect("a second page is within the limit");
        p.arrived(&page(3..6, true));
        assert_eq!(p.next_page(), None, "a third page is past the limit");
        let why = p.limit_hit.take().expect("the limit is reported");
        assert!(why.contains("2 pages"), "{why}");
        assert!(!p.has_more && !p.load_all && p.warning.is_some());

        let mut p = Paging::new(false, 1);
        p.limits = paging::Limits {
            max_pages: 100,
            max_items: 4,
        };
        p.next_page();
        p.arrived(&page(0..5, true));
        assert_eq!(p.next_page(), None, "more items than the limit");
        assert!(p.limit_hit.unwrap().contains("4 items"));
    }

    #[test]
    fn only_a_first_page_failing_counts_as_first() {
        let mut p = Paging::new(false, 1);
        p.next_page();
        assert!(p.failed());
        p.next_page();
        p.arrived(&page(0..3, true));
        p.next_page();
        assert!(!p.failed());
        assert!(!p.loading, "it can be asked again");
    }
}
