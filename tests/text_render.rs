//! Hostile and wide text, sanitized, drawn into bordered blocks on TestBackend at many widths:
//! every cell is printable, every cell's text takes the cells reserved for it, and every row's
//! right border stays in its column.

mod cells;

use convtui::sanitize;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Block, List, Paragraph};
use ratatui::Terminal;

const FAMILY: &str = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
const TITLE_JA: &str = "日本語のタイトル";

/// Text a hostile or careless server might send.
const HOSTILE: &[&str] = &[
    "family 👨\u{200d}👩\u{200d}👧\u{200d}👦 and 👩\u{200d}❤\u{fe0f}\u{200d}💋\u{200d}👨",
    "日本語のタイトル：会議の議事録",
    "flags 🇯🇵🇫🇷 🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} tones 👍🏽👋🏿 ❤\u{fe0f}",
    "soft\u{ad}hyphen\u{ad}ated",
    "non\u{fffe}char\u{ffff}acters\u{10ffff}\u{fdd0}",
    "bidi \u{202e}txet desrever\u{202c} \u{2066}iso\u{2069} \u{200f}rlm",
    "zero\u{200b}width\u{2060}joiner\u{feff}",
    "esc \u{1b}[2J\u{1b}]0;title\u{7}\u{1b}]52;c;aGk=\u{7}\u{9b}31m\r\n",
    "tab\there\u{0}nul\u{7f}del\u{85}nel",
    "ｶﾞｷﾞﾊﾟ halfwidth, Ａ全角 fullwidth, 한국어",
    "\u{301}lonely mark, e\u{301}\u{302}\u{303}",
    "zalgo a\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}\u{307}\u{308}\u{309}\u{30a}\u{30b}\u{30c}\u{30d}\u{30e}\u{30f}\u{310}\u{311}\u{312}\u{313}\u{314}\u{315}\u{316}\u{317}\u{318}\u{319}\u{31a}\u{31b}\u{31c}\u{31d}\u{31e}\u{31f}\u{320}\u{321}\u{322}\u{323}\u{324}",
    "hidden\u{e0041}\u{e0042}tags, selectors a\u{fe0f}\u{fe0f}\u{e0100}",
    "private \u{e000}\u{f8ff} unassigned \u{378}\u{2fffd} fillers \u{3164}\u{ffa0}",
    "trailing joiner 👩\u{200d}",
    "line\u{2028}separator\u{2029}",
    "wide at the end 日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日日",
];

const WIDTHS: &[u16] = &[3, 4, 5, 6, 7, 8, 11, 17, 24, 40, 80, 121];

fn draw(width: u16, height: u16, render: impl FnOnce(&mut ratatui::Frame)) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(render).unwrap();
    terminal.backend().buffer().clone()
}

fn sanitized_lines() -> Vec<Line<'static>> {
    HOSTILE
        .iter()
        .flat_map(|s| sanitize::lines(s))
        .map(Line::from)
        .collect()
}

/// Every row from the second to the next-to-last ends in `│` at the last column.
fn assert_borders(buf: &Buffer, what: &str) {
    let w = buf.area.width;
    let h = buf.area.height;
    let cols = cells::border_columns(buf, "│");
    for (y, col) in cols.iter().enumerate().take(h as usize - 1).skip(1) {
        assert_eq!(
            *col,
            Some(w - 1),
            "{what} at width {w}: row {y} is {:?}",
            cells::row_text(buf, y as u16)
        );
        assert_eq!(sanitize::width(&cells::row_text(buf, y as u16)), w as usize);
    }
    assert_eq!(buf[(w - 1, 0)].symbol(), "┐");
    assert_eq!(buf[(w - 1, h - 1)].symbol(), "┘");
}

#[test]
fn wrapped_paragraph_keeps_its_border() {
    for &w in WIDTHS {
        let h = 400;
        let wrapped: Vec<Line> = HOSTILE
            .iter()
            .flat_map(|s| sanitize::wrap(s, w as usize - 2))
            .map(Line::from)
            .collect();
        let buf = draw(w, h, |f| {
            let p = Paragraph::new(Text::from(wrapped)).block(Block::bordered());
            f.render_widget(p, f.area());
        });
        cells::check(&buf).unwrap_or_else(|e| panic!("width {w}: {e}"));
        assert_borders(&buf, "wrapped paragraph");
    }
}

#[test]
fn cut_paragraph_keeps_its_border() {
    for &w in WIDTHS {
        let buf = draw(w, 30, |f| {
            let p = Paragraph::new(Text::from(sanitized_lines())).block(Block::bordered());
            f.render_widget(p, f.area());
        });
        cells::check(&buf).unwrap_or_else(|e| panic!("width {w}: {e}"));
        assert_borders(&buf, "paragraph");
    }
}

/// List rows as the conversation list draws them: a title cut to fit, then an age column.
#[test]
fn list_rows_keep_their_age_column() {
    for &w in WIDTHS.iter().filter(|&&w| w >= 12) {
        let inner = (w - 2) as usize;
        let title_cells = inner - 7;
        let rows: Vec<Line> = HOSTILE
            .iter()
            .map(|s| Line::from(format!("{} 3m ago", sanitize::fit(s, title_cells))))
            .collect();
        let buf = draw(w, HOSTILE.len() as u16 + 2, |f| {
            f.render_widget(List::new(rows).block(Block::bordered()), f.area());
        });
        cells::check(&buf).unwrap_or_else(|e| panic!("width {w}: {e}"));
        assert_borders(&buf, "list");
        for y in 1..=HOSTILE.len() as u16 {
            let text = cells::row_text(&buf, y);
            let at = text
                .find("3m ago")
                .unwrap_or_else(|| panic!("width {w}: no age in {text:?}"));
            assert_eq!(
                sanitize::width(&text[..at]),
                1 + title_cells + 1,
                "width {w}: the age moved in {text:?}"
            );
        }
    }
}

#[test]
fn family_emoji_and_japanese_title_render_intact() {
    let buf = draw(60, 5, |f| {
        let rows = vec![
            Line::from(sanitize::truncate(&format!("{FAMILY} family"), 56)),
            Line::from(sanitize::truncate(TITLE_JA, 56)),
        ];
        f.render_widget(List::new(rows).block(Block::bordered()), f.area());
    });
    cells::check(&buf).unwrap();
    assert!(cells::row_text(&buf, 1).contains(&format!("{FAMILY} family")));
    assert!(cells::row_text(&buf, 2).contains(TITLE_JA));
    // The family takes one cell of text and one hidden cell after it.
    assert_eq!(buf[(1, 1)].symbol(), FAMILY);
    assert_eq!(buf[(3, 1)].symbol(), " ");
    assert_eq!(buf[(4, 1)].symbol(), "f");
    insta::assert_snapshot!(format!("{buf:?}"));
}

/// Without the sanitizer, the same text reaches the cells and the check fails. (ratatui itself
/// drops control characters such as ESC, but none of these.)
#[test]
fn raw_text_fails_the_check() {
    for raw in [
        "soft\u{ad}hyphen",
        "x\u{fffe}y",
        "x\u{10ffff}y",
        "ｶﾞ",
        "a\u{200b}b",
        "a\u{202e}b",
        "a\u{e000}b",
        "hi\u{e0041}",
    ] {
        let buf = draw(20, 3, |f| {
            let rows = vec![Line::from(raw)];
            f.render_widget(List::new(rows).block(Block::bordered()), f.area());
        });
        assert!(cells::check(&buf).is_err(), "{raw:?} passed unsanitized");
        let buf = draw(20, 3, |f| {
            let rows = vec![Line::from(sanitize::line(raw))];
            f.render_widget(List::new(rows).block(Block::bordered()), f.area());
        });
        cells::check(&buf).unwrap_or_else(|e| panic!("{raw:?} sanitized: {e}"));
    }
}
