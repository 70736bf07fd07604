//! Text and layout on TestBackend: cuts by display width that end in `…`, a hint bar that
//! shows what fits and ends with `? help`, help that shows it scrolls, line numbers that stay,
//! a notice below the minimum size, one status row, and panes that tell loading and failure
//! from empty.

use convtui::registry::Registry;
use convtui::tui::message::Message;
use convtui::tui::state::{App, ConvInfo, Failure};
use convtui::tui::{update, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const NOW: i64 = 1_764_000_000;
const JA: &str =
    "東京と京都の旅行計画：新幹線、旅館、紅葉の名所をめぐる十日間、それから大阪と奈良にも寄る";

fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ch(c: char) -> Message {
    key(KeyCode::Char(c))
}

fn listed(titles: &[&str]) -> App {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    app.now = NOW;
    let list = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                format!("conv_{:048x}", i + 1),
                ConvInfo {
                    created_at: NOW - 3600 * (i as i64 + 1),
                    metadata: [("title".to_string(), t.to_string())].into(),
                },
            )
        })
        .collect();
    app.pending = 1;
    update::update(&mut app, Message::ConversationsListed(Ok(Some(list))));
    app
}

/// The frame at a size, one string per row.
fn rows(app: &mut App, w: u16, h: u16) -> Vec<String> {
    update::update(app, Message::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    let buffer = terminal.backend().buffer();
    (0..h)
        .map(|y| {
            let mut row = String::new();
            let mut x = 0;
            while x < w {
                let cell = &buffer[(x, y)];
                row.push_str(cell.symbol());
                // A wide character covers the next cell, which holds nothing to print.
                x += ratatui::text::Span::raw(cell.symbol()).width().max(1) as u16;
            }
            row
        })
        .collect()
}

#[test]
fn a_japanese_title_is_cut_by_width_and_its_age_stays_in_the_row() {
    for (w, h) in [(120, 40), (80, 24), (60, 20)] {
        let mut app = listed(&[JA, "Plain title"]);
        let screen = rows(&mut app, w, h);
        let row = screen
            .iter()
            .find(|r| r.contains("東京"))
            .unwrap_or_else(|| panic!("the title shows at {w}x{h}:\n{}", screen.join("\n")));
        assert!(row.contains('…'), "cut with an ellipsis at {w}x{h}: {row}");
        assert!(
            row.contains("1h ago"),
            "the age is in its row at {w}x{h}: {row}"
        );
        // The pane's right border is where it is on the plain row.
        let plain = screen.iter().find(|r| r.contains("Plain title")).unwrap();
        let border = |r: &str| r.chars().take_while(|c| !matches!(c, '┃' | '│')).count();
        assert_eq!(border(row), border(plain), "{w}x{h}");
        let right =
            |r: &str| ratatui::text::Span::raw(r.split(['┃', '│']).nth(1).unwrap_or("")).width();
        assert_eq!(
            right(row),
            right(plain),
            "the border is in place at {w}x{h}:\n{row}\n{plain}"
        );
    }
}

#[test]
fn the_hint_bar_shows_what_fits_most_useful_first_and_ends_with_help() {
    for (w, h) in [(120, 40), (80, 24), (60, 20)] {
        let mut app = listed(&["Trip"]);
        let bar = rows(&mut app, w, h).pop().unwrap();
        let bar = bar.trim_end();
        assert!(bar.ends_with("? help"), "at {w}: {bar:?}");
        assert!(!bar.contains("… n ne"), "{bar}");
        if w >= 80 {
            for hint in ["Enter open", "e edit", "n new", "a add"] {
                assert!(bar.contains(hint), "{hint:?} at {w}: {bar}");
            }
        }
        // In the timeline too.
        update::update(&mut app, key(KeyCode::Enter));
        let bar = rows(&mut app, w, h).pop().unwrap();
        assert!(
            bar.trim_end().ends_with("? help"),
            "timeline at {w}: {bar:?}"
        );
        assert!(bar.contains("d delete"), "{bar}");
    }
}

#[test]
fn below_the_minimum_size_the_frame_says_so() {
    let mut app = listed(&["Trip"]);
    let screen = rows(&mut app, 40, 12);
    let words = screen
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        words.contains("terminal too small: 40×12, need at least 40×16"),
        "{words}"
    );
    // At the minimum, every pane has a row, whichever has the focus.
    let mut app = listed(&["Trip"]);
    update::update(&mut app, key(KeyCode::Enter));
    update::update(&mut app, Message::Resize(40, 16));
    let g = app.geometry;
    assert!(
        g.conversation_rows() >= 1 && g.timeline_rows() >= 1,
        "{g:?}"
    );
    assert!(g.detail_size().0 >= 1, "{g:?}");
    let screen = rows(&mut app, 40, 16);
    assert!(screen.last().unwrap().trim_end().ends_with("? help"));
}

#[test]
fn help_shows_that_it_scrolls_and_lists_the_editor_keys() {
    let mut app = listed(&["Trip"]);
    update::update(&mut app, ch('?'));
    let screen = rows(&mut app, 80, 24).join("\n");
    assert!(screen.contains("more ↓"), "{screen}");
    let mut seen = String::new();
    for _ in 0..80 {
        seen.push_str(&rows(&mut app, 80, 24).join("\n"));
        update::update(&mut app, key(KeyCode::Down));
    }
    for heading in ["Metadata editor", "Composer", "ctrl-s", "Messages"] {
        assert!(seen.contains(heading), "help lists {heading:?}");
    }
    let end = rows(&mut app, 80, 24).join("\n");
    assert!(
        !end.contains("more ↓") && end.contains("more above"),
        "{end}"
    );
}

#[test]
fn an_error_takes_one_row_stays_until_the_user_acts_then_is_in_the_log() {
    let mut app = listed(&["Trip"]);
    let failure = Failure {
        message: "The server said something long about what went wrong, and then some more words about it, and more".into(),
        status: Some(500),
        request_id: Some("req_abc123".into()),
    };
    app.pending = 1;
    update::update(&mut app, Message::ConversationsListed(Err(failure)));
    let screen = rows(&mut app, 80, 24);
    assert_eq!(app.geometry.status.height, 1, "one row");
    let status = &screen[22];
    assert!(status.starts_with("error: The server said"), "{status}");
    assert!(status.contains('…'), "cut, not wrapped: {status}");
    // A later reply does not hide it, an action does.
    update::update(&mut app, Message::Tick);
    assert!(app.status.is_some());
    update::update(&mut app, ch('j'));
    assert!(app.status.is_none(), "gone once the user acts");
    // m shows it whole, with its request id, in a modal of its own.
    update::update(&mut app, ch('m'));
    assert_eq!(app.context(), convtui::tui::keymap::Context::Messages);
    let screen = rows(&mut app, 120, 40).join("\n");
    assert!(screen.contains("req_abc123"), "{screen}");
    assert!(
        screen.contains("and more (HTTP 500, request req_abc123)"),
        "{screen}"
    );
    update::update(&mut app, ch('j'));
    assert!(!app.quit);
    update::update(&mut app, key(KeyCode::Esc));
    assert!(app.modals.is_empty());
}

#[test]
fn a_failed_load_does_not_look_empty() {
    let mut app = App::new("local", "http://127.0.0.1:8787/v1", Registry::default());
    app.pending = 1;
    let screen = rows(&mut app, 80, 24).join("\n");
    assert!(screen.contains("loading…"), "{screen}");
    assert!(!screen.contains("No conversations yet"), "{screen}");
    let unauthorized = Failure {
        message: "Incorrect API key provided".into(),
        status: Some(401),
        request_id: None,
    };
    update::update(&mut app, Message::ConversationsListed(Err(unauthorized)));
    let screen = rows(&mut app, 80, 24).join("\n");
    assert!(
        screen.contains("Could not load the conversations"),
        "{screen}"
    );
    assert!(screen.contains("HTTP 401"), "{screen}");
    assert!(!screen.contains("No conversations yet"), "{screen}");

    // The timeline: loading, then a failed first page.
    let mut app = listed(&["Trip"]);
    update::update(&mut app, key(KeyCode::Enter));
    let screen = rows(&mut app, 80, 24).join("\n");
    assert!(screen.contains("loading…"), "{screen}");
    let generation = app.timeline.as_ref().unwrap().paging.generation;
    update::update(
        &mut app,
        Message::ItemsLoaded {
            conversation: format!("conv_{:048x}", 1),
            generation,
            result: Err(Failure::new("connection refused")),
        },
    );
    let screen = rows(&mut app, 120, 40).join("\n");
    assert!(
        screen.contains("Could not load the items: connection refused"),
        "{screen}"
    );
    assert!(!screen.contains("(no items)"), "{screen}");
}

#[test]
fn the_metadata_editor_keeps_its_line_numbers_when_it_scrolls_sideways() {
    let mut app = listed(&["Trip"]);
    update::update(&mut app, ch('e'));
    update::update(
        &mut app,
        Message::DraftLoaded {
            name: format!("conv_{:048x}", 1),
            result: Ok(None),
        },
    );
    update::update(&mut app, key(KeyCode::End));
    let long: String = "x".repeat(150);
    update::update(&mut app, Message::Paste(format!(" and {long}")));
    let screen = rows(&mut app, 80, 24);
    let line = screen
        .iter()
        .find(|r| r.contains("xxxxxxxx"))
        .unwrap_or_else(|| panic!("{}", screen.join("\n")));
    assert!(!line.contains("title"), "scrolled sideways: {line}");
    assert!(
        line.contains(" 1 xxx") || line.contains(" 1 "),
        "the number stays: {line}"
    );
    let after_border: String = line.chars().skip_while(|c| *c != '│').skip(1).collect();
    let after_border: String = after_border
        .chars()
        .skip_while(|c| *c != '│')
        .skip(1)
        .collect();
    assert!(after_border.starts_with(" 1"), "{after_border:?}");
}
