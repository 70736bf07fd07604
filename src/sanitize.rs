//! Text from a server is untrusted: control characters and escape sequences never reach a
//! terminal, from the terminal UI or the CLI. They are shown as visible placeholders instead.
//!
//! Text is handled by grapheme cluster (what a reader sees as one character). Joiners and
//! variation selectors stay inside the clusters they build (family emoji, flags, skin tones,
//! VS16 sequences), while invisible characters that could disguise text (bidirectional
//! controls, other format characters, unassigned and private-use code points, noncharacters)
//! become a visible stand-in. Widths are measured exactly as ratatui's buffer measures them, so
//! what is drawn takes the cells the layout reserved for it.

use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Shown in place of a character that must not reach a terminal as it is.
pub const STAND_IN: char = '\u{fffd}';

/// Put in front of a mark that has nothing to sit on, as Unicode charts show such marks.
const DOTTED_CIRCLE: char = '\u{25cc}';

/// A cluster longer than this (a flood of combining marks) is cut, with a stand-in after it.
/// The longest emoji sequences take about ten characters.
const MAX_CLUSTER_CHARS: usize = 32;

#[derive(Clone, Copy, PartialEq)]
enum Tabs {
    Arrow,
    Spaces,
}

/// Makes one line of text safe: every control character (newlines and tabs included) becomes
/// visible (`␛`, `↵`, `→`, or `�`), and so does every invisible or unassigned character.
pub fn line(s: &str) -> String {
    clean(s, Tabs::Arrow)
}

/// Makes multi-line text safe, splitting it into lines. Tabs become spaces.
pub fn lines(s: &str) -> Vec<String> {
    s.split('\n')
        .map(|l| clean(l.strip_suffix('\r').unwrap_or(l), Tabs::Spaces))
        .collect()
}

/// The display width of `s` in terminal cells, as ratatui's buffer lays it out: by grapheme
/// cluster, skipping clusters that hold a control character (ratatui never draws those).
pub fn width(s: &str) -> usize {
    s.graphemes(true)
        .filter(|g| !g.contains(char::is_control))
        .map(cluster_width)
        .sum()
}

/// Makes `s` safe (see [`line`]) and cuts it to at most `max` cells, ending in `…` when cut.
/// A grapheme cluster or a wide character is never split.
pub fn truncate(s: &str, max: usize) -> String {
    let safe = line(s);
    if width(&safe) <= max {
        return safe;
    }
    let mut out = String::with_capacity(max * 4);
    let mut used = 0;
    for g in safe.graphemes(true) {
        let w = cluster_width(g);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push_str(g);
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// Makes `s` safe and gives it exactly `max` cells: cut as [`truncate`] does, then padded with
/// spaces (a wide character that does not fit leaves a space in its place).
pub fn fit(s: &str, max: usize) -> String {
    let mut out = truncate(s, max);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', max.saturating_sub(w)));
    out
}

/// Pads already safe text with spaces to `min` cells; longer text is left as it is.
pub fn pad(s: &str, min: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', min.saturating_sub(width(s))));
    out
}

/// Makes multi-line text safe and wraps it to lines of at most `max` cells: at spaces where it
/// can, else between grapheme clusters, never inside one. A wide character that cannot fit at
/// all (`max` of 1) shows as `…`. ratatui 0.30's own `Wrap` can put two wide characters in an
/// odd width of three, drawing over the cell after the area (a block's border).
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    if max == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for l in lines(s) {
        let mut cur = String::new();
        let mut used = 0;
        // Where the current line may break: the byte after its last space, and the cells before.
        let mut brk: Option<(usize, usize)> = None;
        for g in l.graphemes(true) {
            let (g, w) = match cluster_width(g) {
                w if w > max => ("…", 1),
                w => (g, w),
            };
            if used + w > max {
                if g == " " {
                    out.push(std::mem::take(&mut cur));
                    used = 0;
                    brk = None;
                    continue;
                }
                match brk.take() {
                    Some((at, cells)) if at < cur.len() => {
                        let tail = cur.split_off(at);
                        out.push(cur.trim_end_matches(' ').to_string());
                        cur = tail;
                        used -= cells;
                    }
                    _ => {
                        out.push(cur.trim_end_matches(' ').to_string());
                        cur.clear();
                        used = 0;
                    }
                }
                if used + w > max {
                    out.push(std::mem::take(&mut cur));
                    used = 0;
                }
            }
            cur.push_str(g);
            used += w;
            if g == " " {
                brk = Some((cur.len(), used));
            }
        }
        out.push(cur);
    }
    out
}

/// The cells ratatui gives one grapheme cluster (its `CellWidth` for `str`): one for a single
/// ASCII byte, else unicode-width's width of the cluster plus one for each halfwidth
/// (semi-)voiced sound mark, which terminals draw in a cell of its own.
fn cluster_width(g: &str) -> usize {
    if g.len() == 1 {
        return 1;
    }
    g.width()
        + g.chars()
            .filter(|c| matches!(c, '\u{ff9e}' | '\u{ff9f}'))
            .count()
}

fn clean(s: &str, tabs: Tabs) -> String {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_string();
    }
    // A stand-in can change where clusters begin and end (a joiner left at the end of one),
    // so the pass is repeated until nothing changes; each pass only removes characters that
    // need a stand-in, so this ends within a few passes.
    let mut current = pass(s, tabs);
    if current == s {
        return current;
    }
    for _ in 0..6 {
        let next = pass(&current, tabs);
        if next == current {
            return current;
        }
        current = next;
    }
    current
        .chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                STAND_IN
            }
        })
        .collect()
}

fn pass(s: &str, tabs: Tabs) -> String {
    let mut out = String::with_capacity(s.len());
    for g in s.graphemes(true) {
        push_cluster(&mut out, g, tabs);
    }
    out
}

fn push_cluster(out: &mut String, g: &str, tabs: Tabs) {
    if g.len() == 1 && (0x20..0x7f).contains(&g.as_bytes()[0]) {
        out.push_str(g);
        return;
    }
    let start = out.len();
    // A subdivision flag: a black flag, tag letters, and a cancel tag.
    let tag_flag = g.starts_with('\u{1f3f4}') && g.ends_with('\u{e007f}');
    let count = g.chars().count();
    let mut prev: Option<char> = None;
    for (i, c) in g.chars().enumerate() {
        if i == MAX_CLUSTER_CHARS {
            out.push(STAND_IN);
            break;
        }
        let inside = i > 0;
        let last = i + 1 == count;
        let keep = match c {
            // Joins emoji into one picture; alone, or at the end where it could join the next
            // cluster on screen, it is invisible.
            '\u{200d}' => inside && !last,
            '\u{200c}' => inside,
            '\u{e0020}'..='\u{e007f}' => tag_flag && inside,
            // One variation selector per character: a run of them can hide text.
            c if is_variation_selector(c) => inside && !prev.is_some_and(is_variation_selector),
            _ => true,
        };
        match stand_in(c, tabs) {
            Some(visible) => out.push_str(visible),
            None if keep => out.push(c),
            None => out.push(STAND_IN),
        }
        prev = Some(c);
    }
    // A cluster that would take no cell (a mark with nothing to sit on) is drawn on a dotted
    // circle, or as a stand-in where even that would not make it visible.
    let pushed = &out[start..];
    if !pushed.is_empty() && !pushed.contains(char::is_control) && cluster_width(pushed) == 0 {
        let on_circle = format!("{DOTTED_CIRCLE}{pushed}");
        out.truncate(start);
        if on_circle.graphemes(true).count() == 1 && width(&on_circle) > 0 {
            out.push_str(&on_circle);
        } else {
            out.push(STAND_IN);
        }
    }
}

/// What to show instead of `c`, when `c` must not reach a terminal as it is.
fn stand_in(c: char, tabs: Tabs) -> Option<&'static str> {
    Some(match c {
        '\t' if tabs == Tabs::Spaces => "    ",
        '\t' => "→",
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => "↵",
        '\u{1b}' => "␛",
        c if c.is_control() => "\u{fffd}",
        // A soft hyphen is drawn by some terminals and not by others.
        '\u{ad}' => "-",
        '\u{200c}' | '\u{200d}' | '\u{e0020}'..='\u{e007f}' => return None,
        // ratatui counts a halfwidth (semi-)voiced sound mark as two cells, terminals as one;
        // the combining marks of the same meaning take no cell for either.
        '\u{ff9e}' => "\u{3099}",
        '\u{ff9f}' => "\u{309a}",
        c if is_bidi_control(c) => "\u{fffd}",
        // Hangul fillers are letters that draw nothing.
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' => "\u{fffd}",
        c if is_noncharacter(c) => "\u{fffd}",
        c => match get_general_category(c) {
            GeneralCategory::Format
            | GeneralCategory::Unassigned
            | GeneralCategory::PrivateUse
            | GeneralCategory::Surrogate => "\u{fffd}",
            _ => return None,
        },
    })
}

/// Bidirectional marks, embeddings, overrides and isolates: they reorder what is shown.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

fn is_variation_selector(c: char) -> bool {
    matches!(
        c,
        '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}' | '\u{180b}'..='\u{180d}' | '\u{180f}'
    )
}

/// U+FDD0..U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, …, U+10FFFF).
fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xfdd0..=0xfdef).contains(&n) || n & 0xfffe == 0xfffe
}

#[cfg(test)]
#[path = "sanitize_tests.rs"]
mod tests;
