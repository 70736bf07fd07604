use super::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

const FAMILY: &str = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
const FLAG_JP: &str = "🇯🇵";
const SCOTLAND: &str = "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}";
const THUMB_TONE: &str = "👍🏽";
const HEART_VS16: &str = "❤\u{fe0f}";
const KISS: &str = "👩\u{200d}❤\u{fe0f}\u{200d}💋\u{200d}👨";
const TITLE_JA: &str = "日本語のタイトル";

/// The cells ratatui's buffer takes to draw `s` in one row.
fn ratatui_width(s: &str) -> usize {
    let mut buf = Buffer::empty(Rect::new(0, 0, 400, 1));
    let (x, _) = buf.set_stringn(0, 0, s, 400, Style::default());
    x as usize
}

#[test]
fn escapes_never_pass() {
    let hostile = "a\u{1b}[2J\u{1b}]52;c;aGk=\u{7}b\u{9b}c\u{202e}d";
    let safe = line(hostile);
    assert!(!safe.chars().any(|c| c.is_control()), "{safe:?}");
    assert!(safe.starts_with("a␛[2J"));
    let many = lines("one\r\ntwo\tx\u{1b}");
    assert_eq!(many, ["one", "two    x␛"]);
    assert_eq!(line("a\nb"), "a↵b");
}

#[test]
fn emoji_sequences_stay_whole() {
    for s in [FAMILY, FLAG_JP, SCOTLAND, THUMB_TONE, HEART_VS16, KISS] {
        assert_eq!(line(s), s, "{s:?} was changed");
        assert_eq!(width(s), 2, "{s:?}");
        assert_eq!(width(s), ratatui_width(s), "{s:?}");
    }
    let mixed = format!("{FAMILY} family, {FLAG_JP} {TITLE_JA}");
    assert_eq!(line(&mixed), mixed);
    assert_eq!(width(&mixed), 2 + 9 + 2 + 1 + 16);
}

#[test]
fn invisible_characters_become_visible() {
    let cases = [
        ("a\u{202e}b", "a\u{fffd}b"),
        ("a\u{2066}b\u{2069}", "a\u{fffd}b\u{fffd}"),
        ("a\u{200e}\u{200f}\u{61c}", "a\u{fffd}\u{fffd}\u{fffd}"),
        ("soft\u{ad}hyphen", "soft-hyphen"),
        (
            "x\u{fffe}\u{ffff}\u{10ffff}\u{fdd0}",
            "x\u{fffd}\u{fffd}\u{fffd}\u{fffd}",
        ),
        (
            "zero\u{200b}width\u{2060}\u{feff}",
            "zero\u{fffd}width\u{fffd}\u{fffd}",
        ),
        ("pua\u{e000}\u{f8ff}", "pua\u{fffd}\u{fffd}"),
        ("unassigned\u{378}", "unassigned\u{fffd}"),
        ("filler\u{3164}\u{ffa0}", "filler\u{fffd}\u{fffd}"),
        ("line\u{2028}para\u{2029}", "line↵para↵"),
        ("tab\tend", "tab→end"),
    ];
    for (raw, want) in cases {
        assert_eq!(line(raw), want, "{raw:?}");
        assert_eq!(width(want), ratatui_width(want), "{want:?}");
    }
}

#[test]
fn joiners_and_selectors_only_inside_clusters() {
    // Alone, or left at the end of a cluster, a joiner would draw nothing (or join whatever is
    // drawn after it).
    assert_eq!(line("\u{200d}"), "\u{fffd}");
    assert_eq!(line("a\u{200d}"), "a\u{fffd}");
    assert_eq!(line("👩\u{200d}"), "👩\u{fffd}");
    assert_eq!(line("\u{fe0f}x"), "\u{fffd}x");
    // A zero-width non-joiner between letters is normal Persian text.
    assert_eq!(line("می\u{200c}خواهم"), "می\u{200c}خواهم");
    // Tag characters outside a flag, or a run of variation selectors, can carry hidden text.
    assert_eq!(line("hi\u{e0041}\u{e0042}"), "hi\u{fffd}\u{fffd}");
    assert_eq!(
        line("a\u{fe0f}\u{fe0f}\u{e0100}"),
        "a\u{fe0f}\u{fffd}\u{fffd}"
    );
}

#[test]
fn a_mark_with_nothing_to_sit_on_gets_a_dotted_circle() {
    assert_eq!(line("\u{301}x"), "\u{25cc}\u{301}x");
    assert_eq!(width(&line("\u{301}")), 1);
    // Combining marks on a letter stay.
    assert_eq!(line("e\u{301}"), "e\u{301}");
    let flood: String = std::iter::once('a')
        .chain(std::iter::repeat_n('\u{301}', 100))
        .collect();
    let safe = line(&flood);
    assert!(
        safe.chars().count() <= MAX_CLUSTER_CHARS + 1,
        "{}",
        safe.len()
    );
}

#[test]
fn width_agrees_with_ratatui() {
    for s in [
        "plain",
        TITLE_JA,
        FAMILY,
        KISS,
        "ｶﾞｷﾞ",
        "e\u{301}\u{302}",
        "한국어",
        "ﾟ",
        "\u{25cc}\u{301}",
        "Ａ全角",
        "🇯🇵🇫🇷",
    ] {
        assert_eq!(width(s), ratatui_width(s), "{s:?}");
    }
    assert_eq!(width(TITLE_JA), 16);
    // ratatui counts a halfwidth sound mark twice; the sanitizer avoids it (terminals
    // draw it in one cell).
    assert_eq!(width("ｶﾞ"), 3);
    assert_eq!(line("ｶﾞﾊﾟ"), "ｶ\u{3099}ﾊ\u{309a}");
    assert_eq!(width(&line("ｶﾞﾊﾟ")), 2);
    assert_eq!(line("ﾞ"), "\u{25cc}\u{3099}");
    // Control characters are never drawn by ratatui, and take no cell.
    assert_eq!(width("a\u{1b}b"), 2);
}

#[test]
fn truncate_cuts_by_width() {
    assert_eq!(truncate("héllo", 10), "héllo");
    assert_eq!(truncate("héllo wörld", 6), "héllo…");
    assert_eq!(truncate(TITLE_JA, 16), TITLE_JA);
    assert_eq!(truncate(TITLE_JA, 15), "日本語のタイト…");
    assert_eq!(truncate(TITLE_JA, 14), "日本語のタイ…");
    assert_eq!(truncate(TITLE_JA, 6), "日本…");
    assert_eq!(truncate(TITLE_JA, 4), "日…");
    assert_eq!(truncate(TITLE_JA, 2), "…");
    assert_eq!(truncate(TITLE_JA, 1), "…");
    assert_eq!(truncate(TITLE_JA, 0), "");
    let fam = format!("{FAMILY}{FAMILY}{FAMILY}");
    assert_eq!(truncate(&fam, 5), format!("{FAMILY}{FAMILY}…"));
    assert_eq!(truncate(&fam, 4), format!("{FAMILY}…"));
    assert_eq!(truncate(&fam, 2), "…");
    let flags = "🇯🇵🇫🇷🇩🇪";
    assert_eq!(truncate(flags, 3), "🇯🇵…");
    assert_eq!(truncate(flags, 2), "…");
    let marks = "e\u{301}e\u{301}e\u{301}";
    assert_eq!(truncate(marks, 2), "e\u{301}…");
    assert_eq!(truncate(marks, 1), "…");
    assert_eq!(truncate("ab", 0), "");
    assert_eq!(truncate("", 0), "");
    assert_eq!(truncate("ab", 2), "ab");
    assert_eq!(truncate("abc", 2), "a…");
    for max in 0..20 {
        for s in [TITLE_JA, fam.as_str(), flags, marks, KISS, "a\u{1b}b\tc"] {
            let cut = truncate(s, max);
            assert!(width(&cut) <= max, "{s:?} at {max}: {cut:?}");
            assert_eq!(width(&cut), ratatui_width(&cut));
            if width(&line(s)) > max && max > 0 {
                assert!(cut.ends_with('…'), "{cut:?}");
            }
        }
    }
}

#[test]
fn truncate_makes_text_safe() {
    assert_eq!(truncate("a\u{1b}[2Jb", 3), "a␛…");
    assert_eq!(truncate("x\u{202e}y", 10), "x\u{fffd}y");
}

#[test]
fn fit_gives_exactly_max_cells() {
    assert_eq!(fit("ab", 4), "ab  ");
    assert_eq!(fit(TITLE_JA, 5), "日本…");
    assert_eq!(fit(TITLE_JA, 6), "日本… ");
    assert_eq!(fit(FAMILY, 2), FAMILY);
    assert_eq!(fit(FAMILY, 1), "…");
    assert_eq!(fit("anything", 0), "");
    for max in 0..12 {
        assert_eq!(width(&fit(TITLE_JA, max)), max);
        assert_eq!(width(&fit(KISS, max)), max);
    }
    assert_eq!(pad(TITLE_JA, 18), format!("{TITLE_JA}  "));
    assert_eq!(pad(TITLE_JA, 3), TITLE_JA);
}

#[test]
fn sanitizing_twice_changes_nothing() {
    for s in [
        "👩\u{200d}\u{1faff}\u{200d}\u{1faff}",
        "\u{600}a\u{301}",
        "\u{1b}\u{200d}\u{fe0f}",
        "a\u{e0041}\u{200d}👩",
        FAMILY,
        SCOTLAND,
    ] {
        let once = line(s);
        assert_eq!(line(&once), once, "{s:?}");
    }
}

#[test]
fn wrap_by_width() {
    assert_eq!(wrap("hello big world", 9), ["hello big", "world"]);
    assert_eq!(wrap("hello big world", 5), ["hello", "big", "world"]);
    assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
    assert_eq!(
        wrap(TITLE_JA, 3),
        ["日", "本", "語", "の", "タ", "イ", "ト", "ル"]
    );
    assert_eq!(wrap(TITLE_JA, 5), ["日本", "語の", "タイ", "トル"]);
    assert_eq!(wrap("日本", 1), ["…", "…"]);
    assert_eq!(
        wrap(&format!("{FAMILY}{FAMILY} a"), 3),
        [FAMILY, FAMILY, "a"]
    );
    assert_eq!(wrap("one\ntwo\tthree", 40), ["one", "two    three"]);
    assert_eq!(wrap("", 4), [""]);
    assert!(wrap("abc", 0).is_empty());
    assert_eq!(
        wrap("e\u{301}e\u{301}e\u{301}", 2),
        ["e\u{301}e\u{301}", "e\u{301}"]
    );
    for max in 1..30 {
        for s in [TITLE_JA, KISS, "a\u{1b}b\tc", "word another 日本語 🇯🇵🇫🇷 x"] {
            let rows = wrap(s, max);
            let all: String = rows.concat();
            for r in &rows {
                assert!(width(r) <= max, "{s:?} at {max}: {rows:?}");
            }
            // Nothing is lost but the spaces a break took.
            if max >= 2 {
                assert_eq!(
                    all.replace(' ', ""),
                    lines(s).concat().replace(' ', ""),
                    "{s:?} at {max}"
                );
            }
        }
    }
}
