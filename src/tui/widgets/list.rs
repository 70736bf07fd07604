//! One list for both panes: the rows, the selection, marks, and the window on screen
//! (`offset`, kept by `scroll_into_view` against the rows the layout gives the pane). A
//! filter hook narrows the rows that are shown; the selection moves among those.

use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq)]
pub struct List<T> {
    pub items: Vec<T>,
    /// Index into `items`.
    pub selected: usize,
    /// The first row on screen, as a position among the shown rows.
    pub offset: usize,
    /// Keys of marked rows.
    pub marked: BTreeSet<String>,
    /// When set, only these indices (into `items`, ascending) are shown.
    shown: Option<Vec<usize>>,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List::new(Vec::new())
    }
}

impl<T> List<T> {
    pub fn new(items: Vec<T>) -> Self {
        List {
            items,
            selected: 0,
            offset: 0,
            marked: BTreeSet::new(),
            shown: None,
        }
    }

    pub fn selected_item(&self) -> Option<&T> {
        self.items.get(self.selected)
    }

    /// The filter hook: keep the rows for which `keep` holds (`None` shows every row). The
    /// selection moves to the nearest shown row.
    pub fn filter(&mut self, keep: Option<&dyn Fn(&T) -> bool>) {
        let shown = keep.map(|keep| {
            self.items
                .iter()
                .enumerate()
                .filter(|(_, t)| keep(t))
                .map(|(i, _)| i)
                .collect()
        });
        self.show_only(shown);
        self.offset = 0;
    }

    /// Shows only these rows (indices into `items`, ascending; `None` shows every row),
    /// for a filter that keeps its own index of the rows. The selection moves to the
    /// nearest shown row; the window stays where it was, within the rows.
    pub fn show_only(&mut self, shown: Option<Vec<usize>>) {
        self.shown = shown.map(|mut s| {
            s.retain(|&i| i < self.items.len());
            s
        });
        if let Some(shown) = &self.shown {
            if shown.binary_search(&self.selected).is_err() {
                self.selected = shown
                    .iter()
                    .copied()
                    .find(|&i| i >= self.selected)
                    .or(shown.last().copied())
                    .unwrap_or(0);
            }
        }
        self.offset = self.offset.min(self.shown_len().saturating_sub(1));
    }

    /// The rows a filter shows, if one is in effect.
    pub fn shown_indices(&self) -> Option<&[usize]> {
        self.shown.as_deref()
    }

    /// The shown rows: (index into `items`, item).
    pub fn rows(&self) -> Box<dyn Iterator<Item = (usize, &T)> + '_> {
        match &self.shown {
            Some(shown) => Box::new(
                shown
                    .iter()
                    .filter_map(|&i| self.items.get(i).map(|t| (i, t))),
            ),
            None => Box::new(self.items.iter().enumerate()),
        }
    }

    pub fn shown_len(&self) -> usize {
        self.shown.as_ref().map_or(self.items.len(), Vec::len)
    }

    /// The selection's position among the shown rows.
    pub fn position(&self) -> usize {
        match &self.shown {
            Some(shown) => shown.iter().position(|&i| i == self.selected).unwrap_or(0),
            None => self.selected,
        }
    }

    /// The item index at a position among the shown rows.
    pub fn index_at(&self, position: usize) -> Option<usize> {
        match &self.shown {
            Some(shown) => shown.get(position).copied(),
            None => (position < self.items.len()).then_some(position),
        }
    }

    /// Moves the selection by `delta` shown rows, stopping at either end.
    pub fn move_by(&mut self, delta: isize) {
        let len = self.shown_len();
        if len == 0 {
            self.selected = 0;
            return;
        }
        let to = (self.position() as isize + delta).clamp(0, len as isize - 1) as usize;
        self.selected = self.index_at(to).unwrap_or(0);
    }

    pub fn select_last(&mut self) {
        self.move_by(isize::MAX / 2);
    }

    /// Keeps the selection inside the list after rows went away.
    pub fn clamp(&mut self) {
        self.selected = self.selected.min(self.items.len().saturating_sub(1));
        if self.shown.is_some() {
            self.shown = None;
        }
    }

    /// Moves the window so that the selection is on screen, `rows` rows tall.
    pub fn scroll_into_view(&mut self, rows: usize) {
        let rows = rows.max(1);
        let at = self.position();
        if at < self.offset {
            self.offset = at;
        } else if at >= self.offset + rows {
            self.offset = at + 1 - rows;
        }
        // Never past what fills the window: a list that got shorter shows its start again.
        self.offset = self.offset.min(self.shown_len().saturating_sub(rows));
    }

    /// The item index of a row on screen (0 is the top row of the window).
    pub fn at_row(&self, row: usize) -> Option<usize> {
        self.index_at(self.offset + row)
    }

    /// Marks or unmarks a key; answers whether it is marked now.
    pub fn toggle_mark(&mut self, key: &str) -> bool {
        if self.marked.remove(key) {
            false
        } else {
            self.marked.insert(key.to_string());
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_that_got_shorter_shows_its_start_again() {
        let mut l = List::new((0..10).collect::<Vec<u32>>());
        l.move_by(9);
        l.scroll_into_view(3);
        assert_eq!(l.offset, 7);
        l.items.truncate(2);
        l.clamp();
        l.scroll_into_view(3);
        assert_eq!(
            (l.selected, l.offset),
            (1, 0),
            "both rows shown, none blank above"
        );
    }

    #[test]
    fn the_selection_stops_at_the_ends_and_the_window_follows() {
        let mut l = List::new((0..10).collect::<Vec<u32>>());
        l.move_by(-3);
        assert_eq!(l.selected, 0);
        l.move_by(7);
        l.scroll_into_view(4);
        assert_eq!((l.selected, l.offset), (7, 4));
        assert_eq!(l.at_row(3), Some(7));
        l.move_by(-6);
        l.scroll_into_view(4);
        assert_eq!((l.selected, l.offset), (1, 1));
        l.select_last();
        assert_eq!(l.selected, 9);
        assert_eq!(l.at_row(20), None);
    }

    #[test]
    fn a_filter_narrows_the_rows_and_the_selection_moves_among_them() {
        let mut l = List::new((0..10).collect::<Vec<u32>>());
        l.selected = 3;
        l.filter(Some(&|n: &u32| n.is_multiple_of(2)));
        assert_eq!(l.selected, 4, "the nearest shown row");
        assert_eq!(
            l.rows().map(|(i, _)| i).collect::<Vec<_>>(),
            [0, 2, 4, 6, 8]
        );
        l.move_by(1);
        assert_eq!((l.selected, l.position()), (6, 3));
        assert_eq!(l.at_row(0), Some(0));
        l.filter(None);
        assert_eq!((l.selected, l.shown_len()), (6, 10));
    }

    #[test]
    fn marks_toggle() {
        let mut l: List<u32> = List::default();
        assert!(l.toggle_mark("a"));
        assert!(!l.toggle_mark("a"));
        assert!(l.marked.is_empty());
        l.move_by(1);
        assert_eq!(l.selected, 0, "an empty list selects nothing");
    }
}
