//! Wide text through the real binary in a real terminal (tmux) against `convtui serve`: family
//! emoji and Japanese titles arrive whole, and rows keep their borders and ages.

mod common;

use common::call;

use common::tmux::{command_line, Served, Tmux};
use convtui::sanitize;
use serde_json::{json, Value};

/// A family of three: tmux 3.3a keeps at most 21 bytes of text in one cell, so it drops the
/// fourth person of a family of four (25 bytes) from what it shows, though it gives the cell
/// the right width.
const FAMILY: &str = "👩\u{200d}👩\u{200d}👧";
const FAMILY_OF_FOUR: &str = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
const TITLE_JA: &str = "日本語のタイトル：会議の議事録と今後の予定について詳しく話し合う会";

fn create(base: &str, metadata: Value) -> String {
    let (status, c) = call(
        "POST",
        &format!("{base}/conversations"),
        Some(json!({ "metadata": metadata })),
    );
    assert_eq!(status, 200, "{c}");
    c["id"].as_str().unwrap().to_string()
}

/// The display columns at which `│` stands in a captured row (tmux draws these characters in
/// the cells `sanitize::width` gives them).
fn border_columns(row: &str) -> Vec<usize> {
    row.match_indices('│')
        .map(|(at, _)| sanitize::width(&row[..at]))
        .collect()
}

#[test]
fn cli_get_prints_family_emoji_and_japanese_whole() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("text.sqlite3"));
    let id = create(
        &served.base_url,
        json!({"title": TITLE_JA, "family": format!("{FAMILY} trip")}),
    );
    let data = dir.path().join("data").display().to_string();
    let cmd = command_line(
        &[("CONVTUI_DATA_DIR", &data)],
        &["--base-url", &served.base_url, "conversations", "get", &id],
    );
    let tmux = Tmux::start("cliwide", 300, 20, &format!("{cmd}; echo END; sleep 60"));
    let screen = tmux.wait_for("END", 20);
    assert!(screen.contains(&id), "{screen}");
    assert!(screen.contains(TITLE_JA), "{screen}");
    assert!(screen.contains(&format!("{FAMILY} trip")), "{screen}");
    assert!(!screen.contains('\u{fffd}'), "{screen}");
}

#[test]
fn tui_list_keeps_wide_titles_whole_and_ages_in_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("text.sqlite3"));
    let base = served.base_url.clone();
    create(
        &base,
        json!({"title": format!("{FAMILY} family trip {FAMILY_OF_FOUR}")}),
    );
    create(&base, json!({"title": TITLE_JA}));
    create(&base, json!({"title": "plain ascii title"}));
    let data = dir.path().join("data").display().to_string();
    for (w, h) in [(120u16, 40u16), (80, 24), (60, 20)] {
        let tmux = Tmux::start(
            &format!("tuiwide{w}"),
            w,
            h,
            &command_line(&[("CONVTUI_DATA_DIR", &data)], &["--base-url", &base]),
        );
        let screen = tmux.wait_for("plain ascii title", 20);
        let screen = if screen.contains("just now") {
            screen
        } else {
            tmux.wait_for("just now", 20)
        };
        let row = |screen: &str, needle: &str| -> String {
            screen
                .lines()
                .find(|l| l.contains(needle) && l.contains("just now"))
                .unwrap_or_else(|| panic!("{w}×{h}: no row with {needle:?}:\n{screen}"))
                .to_string()
        };
        let plain = row(&screen, "plain ascii title");
        let japanese = row(&screen, "日本語");
        // The oldest may be below the fold on a small terminal: move down to it.
        tmux.keys(&["j", "j"]);
        let needle = format!("{FAMILY} family trip");
        let lower = tmux.wait_for(&needle, 20);
        let family = row(&lower, &needle);
        for r in [&plain, &family, &japanese] {
            assert!(
                r.contains("just now"),
                "{w}×{h}: the age left its row {r:?}"
            );
            assert_eq!(
                border_columns(r),
                border_columns(&plain),
                "{w}×{h}: a border moved in {r:?}\n{screen}"
            );
            assert_eq!(
                sanitize::width(r.trim_end()),
                sanitize::width(plain.trim_end())
            );
        }
        // Whole where the pane is wide enough, else cut by width with `…`.
        assert!(
            japanese.contains(&format!("{TITLE_JA}  just now")) || japanese.contains("…  just now"),
            "{w}×{h}: {japanese:?}"
        );
        assert!(!screen.contains('\u{fffd}'), "{w}×{h}:\n{screen}");
        assert!(!lower.contains('\u{fffd}'), "{w}×{h}:\n{lower}");
        tmux.keys(&["q"]);
        tmux.wait_exit(20);
    }
}
