//! The light theme and NO_COLOR on TestBackend, with the profile's label, accent and
//! read-only mark in the header.

use convtui::registry::Registry;
use convtui::tui::message::Message;
use convtui::tui::state::{App, ConvInfo};
use convtui::tui::theme::Theme;
use convtui::tui::{update, view};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;

const NOW: i64 = 1_764_000_000;

fn app(theme: Theme) -> App {
    let mut app = App::new("prod", "https://api.openai.com/v1", Registry::default());
    app.now = NOW;
    app.theme = theme;
    app.label = Some("PROD".into());
    app.read_only = true;
    let listed = convtui::demo::conversations()
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            (
                format!("conv_{:048x}", i + 1),
                ConvInfo {
                    created_at: NOW - 3600 * (i as i64 * 7 + 1),
                    metadata: c.metadata,
                },
            )
        })
        .collect();
    app.pending = 1;
    update::update(&mut app, Message::ConversationsListed(Ok(Some(listed))));
    app
}

fn draw(app: &mut App, w: u16, h: u16) -> Buffer {
    update::update(app, Message::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal.backend().buffer().clone()
}

fn text(b: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..b.area.height {
        out.push('"');
        for x in 0..b.area.width {
            out.push_str(b[(x, y)].symbol());
        }
        out.push_str("\"\n");
    }
    out
}

/// The cells of row `y` whose text is `word`, starting where it starts.
fn find(b: &Buffer, y: u16, word: &str) -> u16 {
    let row: String = (0..b.area.width).map(|x| b[(x, y)].symbol()).collect();
    let at = row
        .find(word)
        .unwrap_or_else(|| panic!("{word} not in {row}"));
    row[..at].chars().count() as u16
}

#[test]
fn no_color_has_no_colour_at_all() {
    let mut app =
        app(Theme::from_settings(Some("light"), &Default::default(), Some("red"), true).0);
    let b = draw(&mut app, 100, 24);
    insta::assert_snapshot!("no_color_100x24", text(&b));
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            let c = &b[(x, y)];
            assert_eq!(
                (c.fg, c.bg),
                (Color::Reset, Color::Reset),
                "cell {x},{y} {c:?}"
            );
        }
    }
    // Emphasis survives as reverse video: the header badge and the selected row.
    assert!(b[(1, 0)].modifier.contains(Modifier::REVERSED));
    let label = find(&b, 0, "PROD");
    assert!(b[(label, 0)].modifier.contains(Modifier::REVERSED));
    assert!(text(&b).lines().next().unwrap().contains("read-only"));
    assert!(
        b[(3, 2)].modifier.contains(Modifier::REVERSED),
        "selected row"
    );
}

#[test]
fn light_theme_with_the_profiles_accent() {
    let colors = [("accent".to_string(), "magenta".to_string())].into();
    let (theme, problems) = Theme::from_settings(Some("light"), &colors, Some("red"), false);
    assert!(problems.is_empty());
    let mut app = app(theme);
    let b = draw(&mut app, 100, 24);
    insta::assert_snapshot!("light_100x24", text(&b));
    // The header badge and label take the profile's accent, red, whatever the theme's is.
    assert_eq!(b[(1, 0)].bg, Color::Red);
    assert_eq!(b[(find(&b, 0, "PROD"), 0)].bg, Color::Red);
    let ro = find(&b, 0, "read-only");
    assert_eq!(b[(ro, 0)].fg, Theme::LIGHT.warning);
    // The light selection and the overridden accent on the focused pane's border.
    assert_eq!(b[(3, 2)].bg, Theme::LIGHT.selection);
    assert_eq!(b[(0, 1)].fg, Color::Magenta);
    // The dark theme draws the same screen in its own colours.
    let mut dark = app_dark();
    let d = draw(&mut dark, 100, 24);
    assert_eq!(text(&d), text(&b));
    assert_eq!(d[(3, 2)].bg, Theme::DARK.selection);
    assert_eq!(d[(0, 1)].fg, Theme::DARK.accent);
}

fn app_dark() -> App {
    app(Theme::DARK)
}
