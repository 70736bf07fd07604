//! Fitting text into the cells there are: key hints that show what fits, most useful first,
//! and end with `? help`; lines cut by display width that end in `…`; text wrapped at words
//! into a few rows, the last one ending in `…` when there is more.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::tui::sanitize;

/// The display width of text, in terminal cells (by grapheme cluster, as the terminal draws
/// it).
pub fn width(s: &str) -> usize {
    sanitize::width(s)
}

/// Hints for a bar `max` cells wide: pairs in the order given, each that fits; the `help`
/// pair (the last one, when it is help) is always kept, at the end.
pub fn hints(pairs: &[(String, &str)], max: usize, key: Style, text: Style) -> Line<'static> {
    const GAP: usize = 2;
    let cost = |(k, what): &(String, &str)| width(k) + 1 + width(what);
    let (help, rest) = match pairs.split_last() {
        Some((last, rest)) if last.1 == "help" => (Some(last), rest),
        _ => (None, pairs),
    };
    let mut room = max.saturating_sub(help.map_or(0, cost));
    let mut chosen = Vec::new();
    let mut cut = false;
    for p in rest {
        let need = cost(p) + GAP;
        if need <= room {
            room -= need;
            chosen.push(p);
        } else {
            cut = true;
        }
    }
    chosen.extend(help);
    let mut spans = Vec::new();
    let n = chosen.len();
    for (i, (k, what)) in chosen.into_iter().enumerate() {
        spans.push(Span::styled(sanitize::line(k), key));
        let sep = if i + 1 < n { "  " } else { "" };
        spans.push(Span::styled(format!(" {what}{sep}"), text));
    }
    if cut && help.is_none() && room >= 3 {
        spans.push(Span::styled("  …", text));
    }
    Line::from(spans)
}

/// Makes one line safe and cuts it to `max` cells, ending in `…` when cut.
pub fn cut(s: &str, max: usize) -> String {
    sanitize::truncate(s, max)
}

/// Pads safe text with spaces to `min` cells.
pub fn pad(s: &str, min: usize) -> String {
    sanitize::pad(s, min)
}

/// Wraps a message at spaces into at most `rows` rows of `max` cells; when it does not fit,
/// the last row ends in `…`. A word longer than a row is cut.
pub fn wrap(s: &str, max: usize, rows: usize) -> Vec<String> {
    let s = sanitize::line(s);
    let mut out: Vec<String> = Vec::new();
    let mut row = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let sep = usize::from(!row.is_empty());
        if width(&row) + sep + width(word) <= max {
            if sep == 1 {
                row.push(' ');
            }
            row.push_str(word);
            continue;
        }
        if !row.is_empty() {
            out.push(std::mem::take(&mut row));
        }
        row = if width(word) > max {
            cut(word, max)
        } else {
            word.to_string()
        };
    }
    if !row.is_empty() {
        out.push(row);
    }
    if out.len() > rows {
        out.truncate(rows);
        if let Some(last) = out.last_mut() {
            let mut t = cut(last, max.saturating_sub(1));
            if !t.ends_with('…') {
                t.push('…');
            }
            *last = t;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_keep_help_last_and_drop_what_does_not_fit() {
        let pairs: Vec<(String, &str)> = vec![
            ("Enter".into(), "open"),
            ("d".into(), "delete"),
            ("q".into(), "quit"),
            ("?".into(), "help"),
        ];
        let s = Style::new();
        let all = hints(&pairs, 80, s, s).to_string();
        assert_eq!(all, "Enter open  d delete  q quit  ? help");
        let narrow = hints(&pairs, 22, s, s).to_string();
        assert_eq!(narrow, "Enter open  ? help");
        assert!(
            narrow.ends_with("? help") && width(&narrow) <= 22,
            "{narrow}"
        );
    }

    #[test]
    fn cuts_by_display_width_with_an_ellipsis() {
        assert_eq!(cut("日本語のタイトル", 7), "日本語…");
        assert_eq!(width(&cut("日本語のタイトル", 7)), 7);
        assert_eq!(cut("short", 7), "short");
    }

    #[test]
    fn wrapping_ends_in_an_ellipsis_when_rows_run_out() {
        let rows = wrap("one two three four five six", 9, 2);
        assert_eq!(rows, ["one two", "three…"]);
        assert_eq!(wrap("one two", 9, 2), ["one two"]);
    }
}
