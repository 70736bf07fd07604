//! Checks on a drawn buffer that stand for what a terminal would show: every cell holds only
//! printable text, and each cell's text takes exactly the cells ratatui reserved for it, so a
//! row's right border never moves.
#![allow(dead_code)]

use ratatui::buffer::{Buffer, CellWidth};
use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_width::UnicodeWidthStr;

/// Why a cell's text must not reach a terminal, if it must not.
pub fn bad_char(symbol: &str) -> Option<String> {
    let chars: Vec<char> = symbol.chars().collect();
    let flag = symbol.starts_with('\u{1f3f4}') && symbol.ends_with('\u{e007f}');
    for (i, &c) in chars.iter().enumerate() {
        let inside = i > 0;
        let last = i + 1 == chars.len();
        let why = match c {
            c if c.is_control() => "a control character",
            '\u{200d}' if inside && !last => continue,
            '\u{200c}' if inside => continue,
            '\u{e0020}'..='\u{e007f}' if flag && inside => continue,
            '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => "a bidirectional control",
            '\u{ad}' => "a soft hyphen",
            c if (c as u32) & 0xfffe == 0xfffe || ('\u{fdd0}'..='\u{fdef}').contains(&c) => {
                "a noncharacter"
            }
            c => match get_general_category(c) {
                GeneralCategory::Format => "a format character",
                GeneralCategory::Unassigned => "an unassigned code point",
                GeneralCategory::PrivateUse => "a private-use character",
                GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
                    "a line separator"
                }
                _ => continue,
            },
        };
        return Some(format!("{why} U+{:04X} in {symbol:?}", c as u32));
    }
    None
}

/// The cells a terminal that clusters graphemes gives `symbol` (unicode-width's width of the
/// cluster; a terminal draws a cell's text as one cluster).
pub fn terminal_width(symbol: &str) -> usize {
    symbol.width()
}

/// Checks every cell as a terminal would receive it. ratatui's crossterm backend sends cells one
/// after another and moves the cursor itself only after wide text, so a cell whose text a
/// terminal draws narrower or wider than the buffer reserved shifts the rest of its row. Fails
/// on the first cell that is unsafe or that would shift its row.
pub fn check(buf: &Buffer) -> Result<(), String> {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let cell = &buf[(x, y)];
            let symbol = cell.symbol();
            if let Some(why) = bad_char(symbol) {
                return Err(format!("row {y}, column {x}: {why}"));
            }
            let reserved = usize::from(cell.cell_width().max(1));
            let drawn = terminal_width(symbol);
            if drawn != reserved {
                return Err(format!(
                    "row {y}, column {x}: {symbol:?} takes {drawn} cells on a terminal, {reserved} in the buffer"
                ));
            }
            x += reserved as u16;
        }
    }
    Ok(())
}

/// The column of the last cell holding `border` on each row (`None` where there is none).
pub fn border_columns(buf: &Buffer, border: &str) -> Vec<Option<u16>> {
    let area = buf.area;
    (area.top()..area.bottom())
        .map(|y| {
            (area.left()..area.right())
                .rev()
                .find(|&x| buf[(x, y)].symbol() == border)
        })
        .collect()
}

/// One row as text, skipping the cells hidden under wide text.
pub fn row_text(buf: &Buffer, y: u16) -> String {
    let mut out = String::new();
    let mut x = buf.area.left();
    while x < buf.area.right() {
        let cell = &buf[(x, y)];
        out.push_str(cell.symbol());
        x += cell.cell_width().max(1);
    }
    out
}
