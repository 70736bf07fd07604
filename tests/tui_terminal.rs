//! What a new user meets, through the real binary in a real terminal (tmux) against
//! `convtui serve`: wide titles with their ages at three sizes, a hint bar that ends with
//! `? help`, the too-small notice, the open-by-id prompt's cursor and its refusal of text that
//! holds no id, a bulk delete that leaves the cursor on its item, a paste without bracketed
//! paste, and two windows on one data directory.

mod common;

use common::call;

use common::tmux::{command_line, Served, Tmux};
use serde_json::json;

fn seed(base: &str, title: &str, n: usize) -> String {
    common::seed_with(
        base,
        title,
        n,
        |i| json!({"role": "user", "content": format!("note number {i}")}),
    )
}

struct Setup {
    _dir: tempfile::TempDir,
    _served: Served,
    base: String,
    data: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&dir.path().join("e2e.sqlite3"));
    let base = served.base_url.clone();
    let data = dir.path().join("data").display().to_string();
    Setup {
        _dir: dir,
        _served: served,
        base,
        data,
    }
}

impl Setup {
    fn line(&self) -> String {
        command_line(
            &[("CONVTUI_DATA_DIR", &self.data)],
            &["--base-url", &self.base],
        )
    }
}

/// A family of three: tmux 3.3a keeps at most 21 bytes in one cell, so a family of four
/// would lose its last person in what `capture-pane` gives back.
const FAMILY: &str = "👩\u{200d}👩\u{200d}👧 Family trip";
const JA: &str = "東京と京都の旅行計画：新幹線、旅館、紅葉の名所をめぐる十日間、それから大阪と奈良";

#[test]
fn a_cjk_title_keeps_its_age_and_the_hint_bar_ends_with_help_at_three_sizes() {
    let s = setup();
    seed(&s.base, JA, 0);
    seed(&s.base, FAMILY, 0);
    for (w, h) in [(120u16, 40u16), (80, 24), (60, 20)] {
        let tmux = Tmux::start(&format!("cjk{w}"), w, h, &s.line());
        let screen = tmux.wait_for("東京", 20);
        let row = screen.lines().find(|l| l.contains("東京")).unwrap();
        assert!(row.contains('…'), "cut by width at {w}x{h}: {row}");
        assert!(
            row.contains("just now"),
            "the age in its row at {w}x{h}: {row}"
        );
        // Every body row ends in a border at the terminal's last column.
        let cells = |l: &str| convtui::sanitize::width(l.trim_end());
        assert_eq!(
            cells(row),
            w as usize,
            "the border in place at {w}x{h}:\n{screen}"
        );
        let family = screen
            .lines()
            .find(|l| l.contains(FAMILY))
            .unwrap_or_else(|| panic!("the family emoji is whole at {w}x{h}:\n{screen}"));
        assert!(family.contains("just now"), "{family}");
        assert_eq!(cells(family), w as usize, "at {w}x{h}:\n{screen}");
        let bar = screen.lines().rfind(|l| !l.trim().is_empty()).unwrap();
        assert!(bar.trim_end().ends_with("? help"), "at {w}x{h}: {bar:?}");
        tmux.keys(&["q"]);
        tmux.wait_exit(20);
    }
}

#[test]
fn below_the_minimum_size_it_says_so() {
    let s = setup();
    seed(&s.base, "Small", 0);
    let tmux = Tmux::start("small", 40, 12, &s.line());
    tmux.wait_for("terminal too small: 40×12", 20);
    tmux.keys(&["q"]);
    tmux.wait_exit(20);
}

#[test]
fn the_open_by_id_prompt_moves_its_cursor_and_refuses_text_without_an_id() {
    let s = setup();
    let conv = seed(&s.base, "Open one", 2);
    let tmux = Tmux::start("openid", 100, 30, &s.line());
    tmux.wait_for("Open one", 20);
    tmux.keys(&["Enter"]);
    tmux.wait_for("2 loaded · all", 20);
    // A mistyped `o`: refused here, the prompt stays with the text, the timeline stays.
    tmux.keys(&["o"]);
    tmux.wait_for("Conversation id:", 20);
    tmux.type_text("hello");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("That is not a conversation id", 20);
    assert!(screen.contains("hello"), "the text stays:\n{screen}");
    assert!(
        screen.contains("2 loaded · all"),
        "what was open stays:\n{screen}"
    );
    // Edit at the cursor: ctrl-u clears what is before it, Home and ctrl-a go to the start,
    // ctrl-w takes the word before the cursor, Left moves back.
    tmux.keys(&["C-u"]);
    tmux.type_text(&conv[5..]);
    tmux.keys(&["Home"]);
    tmux.type_text("conv_");
    tmux.keys(&["C-a"]);
    tmux.type_text("junk ");
    tmux.keys(&["C-w"]);
    tmux.keys(&["End", "Left", "Left", "Left"]);
    tmux.type_text("Z");
    let n = conv.len();
    let with_z = format!("{}Z{}", &conv[..n - 3], &conv[n - 3..]);
    let screen = tmux.wait_for(&with_z, 20);
    assert!(!screen.contains("junk"), "{screen}");
    tmux.keys(&["BSpace"]);
    tmux.wait_for(&conv, 20);
    tmux.keys(&["Enter"]);
    tmux.wait_for("2 loaded · all", 20);
    tmux.keys(&["C-c"]);
    tmux.wait_exit(20);
}

#[test]
fn a_bulk_delete_leaves_the_cursor_on_the_item_it_was_on() {
    let s = setup();
    seed(&s.base, "Bulk", 8);
    let tmux = Tmux::start("bulk", 120, 40, &s.line());
    tmux.wait_for("Bulk", 20);
    tmux.keys(&["Enter"]);
    tmux.wait_for("8 loaded · all", 20);
    // Newest first: mark notes 7 and 6 (a mark moves down), then go down to note 3.
    tmux.keys(&["space"]);
    tmux.keys(&["space"]);
    tmux.wait_for("2 marked", 20);
    tmux.keys(&["j", "j"]);
    let screen = tmux.wait_for("▌  ▷ user  note number 3", 20);
    assert!(screen.contains("note number 3"), "{screen}");
    tmux.keys(&["D"]);
    tmux.wait_for("Delete 2 marked items?", 20);
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("6 loaded · all", 20);
    assert!(
        screen.contains("▌  ▷ user  note number 3"),
        "the cursor stays on note 3:\n{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_exit(20);
}

#[test]
fn a_multi_line_paste_without_bracketed_paste_arrives_whole() {
    let s = setup();
    let conv = seed(&s.base, "Pasted", 0);
    let tmux = Tmux::start("paste", 120, 40, &s.line());
    tmux.wait_for("Pasted", 20);
    tmux.keys(&["Enter"]);
    tmux.wait_for("(no items)", 20);
    tmux.keys(&["a"]);
    tmux.wait_for("role:", 20);
    tmux.keys(&["C-t"]);
    tmux.wait_for("JSON items", 20);
    // tmux types it key by key: each line feed arrives as ctrl-j.
    tmux.type_text("[\n{\"role\": \"user\", \"content\": \"first\"},\n{\"role\": \"user\", \"content\": \"second\"}\n]");
    tmux.wait_for("\"second\"", 20);
    tmux.keys(&["C-s"]);
    tmux.wait_for("Added 2 items", 20);
    let (_, items) = call(
        "GET",
        &format!("{}/conversations/{conv}/items", s.base),
        None,
    );
    assert_eq!(items["data"].as_array().map(Vec::len), Some(2), "{items}");
    tmux.keys(&["q"]);
    tmux.wait_exit(20);
}

#[test]
fn a_draft_another_live_window_owns_is_not_offered_and_a_dead_ones_is() {
    let s = setup();
    seed(&s.base, "Shared", 0);
    let first = Tmux::start("own1", 100, 30, &s.line());
    first.wait_for("Shared", 20);
    first.keys(&["e"]);
    first.wait_for("1/16 keys", 20);
    first.keys(&["End", "Enter"]);
    first.type_text("mine = typed in the first window");
    first.wait_for("2/16 keys", 20);
    std::thread::sleep(std::time::Duration::from_millis(500));
    // A second window on the same data directory is not offered the first one's edit.
    let second = Tmux::start("own2", 100, 30, &s.line());
    second.wait_for("Shared", 20);
    second.keys(&["e"]);
    second.wait_for("1/16 keys", 20);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let screen = second.screen();
    assert!(!screen.contains("Restore the draft?"), "{screen}");
    second.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    // Once the first window is gone, its draft is offered; Esc means "not now".
    drop(first);
    std::thread::sleep(std::time::Duration::from_millis(500));
    second.keys(&["e"]);
    second.wait_for("Restore the draft?", 20);
    second.keys(&["Escape"]);
    second.wait_for("the draft is kept", 20);
    std::thread::sleep(std::time::Duration::from_millis(300));
    second.keys(&["e"]);
    second.wait_for("Restore the draft?", 20);
    second.keys(&["y"]);
    second.wait_for("mine = typed in the first window", 20);
    second.keys(&["C-c"]);
    second.wait_exit(20);
}
