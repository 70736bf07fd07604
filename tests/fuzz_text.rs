//! Fuzz targets for the sanitizer: any string comes out printable, stable, and within the
//! width it was cut to. `PROPTEST_CASES=100000 cargo test --test fuzz_text` for a long run.

mod cells;
mod fuzzing;

use convtui::sanitize;
use proptest::prelude::*;
use ratatui::backend::TestBackend;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Terminal;
use unicode_segmentation::UnicodeSegmentation;

use fuzzing::{config, text};

/// Every grapheme cluster of `s` is safe to send to a terminal, and takes at least one cell.
fn assert_safe(s: &str) -> Result<(), TestCaseError> {
    for g in s.graphemes(true) {
        prop_assert!(
            cells::bad_char(g).is_none(),
            "{:?} in {s:?}",
            cells::bad_char(g)
        );
        prop_assert!(sanitize::width(g) > 0, "zero-width cluster {g:?} in {s:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn line_is_safe_and_stable(s in text(64)) {
        let safe = sanitize::line(&s);
        assert_safe(&safe)?;
        prop_assert!(!safe.contains('\n'));
        prop_assert_eq!(sanitize::line(&safe), safe.clone(), "sanitizing twice changed {:?}", s);
    }

    #[test]
    fn lines_are_safe(s in text(64)) {
        let all = sanitize::lines(&s);
        prop_assert_eq!(all.len(), s.split('\n').count());
        for l in &all {
            assert_safe(l)?;
        }
    }

    #[test]
    fn truncate_never_exceeds_its_width(s in text(48), max in 0usize..24) {
        let cut = sanitize::truncate(&s, max);
        assert_safe(&cut)?;
        prop_assert!(sanitize::width(&cut) <= max, "{:?} at {}: {:?}", s, max, cut);
        let whole = sanitize::line(&s);
        if sanitize::width(&whole) <= max {
            prop_assert_eq!(cut, whole);
        } else if max > 0 {
            prop_assert!(cut.ends_with('…'));
        }
    }

    #[test]
    fn fit_is_exactly_its_width(s in text(48), max in 0usize..24) {
        let fitted = sanitize::fit(&s, max);
        assert_safe(&fitted)?;
        prop_assert_eq!(sanitize::width(&fitted), max);
    }

    #[test]
    fn wrap_never_exceeds_its_width(s in text(96), max in 1usize..30) {
        for row in sanitize::wrap(&s, max) {
            assert_safe(&row)?;
            prop_assert!(sanitize::width(&row) <= max, "{:?} at {}: {:?}", s, max, row);
        }
    }

    /// Drawn in a bordered block at any width, every cell is printable, every cell's text
    /// takes the cells reserved for it, and the right border stays in the last column.
    #[test]
    fn drawn_text_keeps_the_border(
        parts in prop::collection::vec(text(40), 1..6),
        w in 3u16..50,
    ) {
        let lines: Vec<Line> = parts
            .iter()
            .flat_map(|p| sanitize::wrap(p, w as usize - 2))
            .map(Line::from)
            .collect();
        let h = lines.len() as u16 + 2;
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|f| f.render_widget(Paragraph::new(Text::from(lines)).block(Block::bordered()), f.area()))
            .unwrap();
        let buf = terminal.backend().buffer();
        if let Err(e) = cells::check(buf) {
            return Err(TestCaseError::fail(format!("{e} drawing {parts:?}")));
        }
        for (y, col) in cells::border_columns(buf, "│").iter().enumerate().take(h as usize - 1).skip(1) {
            prop_assert_eq!(*col, Some(w - 1), "row {}: {:?}", y, cells::row_text(buf, y as u16));
        }
    }
}
