//! Tests of the one refusal of every action that would change something on the server: in
//! read-only mode and offline it comes at the key, before any confirm or editor opens.

use super::tests::{items, key, loaded, opened, page};
use super::*;
use crate::tui::state::Status;

/// Read-only, a conversation open with two items loaded and one of them marked.
fn read_only_opened() -> App {
    let (mut app, generation) = opened();
    app.read_only = true;
    loaded(&mut app, generation, page(items(0..2), false));
    if let Some(tl) = app.timeline.as_mut() {
        tl.list.toggle_mark("msg_1");
    }
    app
}

fn assert_refused(app: &App, what: &str, effects: &[Effect]) {
    assert!(effects.is_empty(), "{what}: {effects:?}");
    assert!(app.modals.is_empty(), "{what} opened a modal");
    let Some(Status::Warning(w)) = &app.status else {
        panic!("{what}: {:?}", app.status)
    };
    assert!(
        w.starts_with("read-only mode: refused to") && w.contains("nothing was sent"),
        "{what}: {w}"
    );
}

#[test]
fn read_only_refuses_every_change_at_the_key_in_every_pane() {
    let mut app = read_only_opened();
    // `D` (delete the marked) is the timeline's only.
    for (focus, keys) in [
        (Focus::Timeline, "dXDeEnau"),
        (Focus::Detail, "dXeEnau"),
        (Focus::Conversations, "dXeEnau"),
    ] {
        for c in keys.chars() {
            app.focus = focus;
            app.status = None;
            let effects = update(&mut app, key(c));
            assert_refused(&app, &format!("{c} in {focus:?}"), &effects);
        }
    }
    // The command line goes through the same check.
    for command in ["new", "delete-conversation", "add-items", "edit-metadata"] {
        app.status = None;
        let effects = crate::tui::command::run(&mut app, command);
        assert_refused(&app, command, &effects);
    }
}

#[test]
fn read_only_names_what_was_refused_and_leaves_reading_alone() {
    let mut app = read_only_opened();
    app.focus = Focus::Timeline;
    update(&mut app, key('d'));
    assert!(matches!(&app.status, Some(Status::Warning(w)) if w.contains("delete an item")));
    update(&mut app, key('X'));
    assert!(matches!(&app.status, Some(Status::Warning(w)) if w.contains("delete a conversation")));
    // Reading is not a change: help opens, the order flips.
    update(&mut app, key('?'));
    assert!(matches!(app.modals.front(), Some(Modal::Help(_))));
}

#[test]
fn a_writable_profile_still_asks_before_a_delete() {
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..2), false));
    app.focus = Focus::Timeline;
    update(&mut app, key('d'));
    assert!(matches!(app.modals.front(), Some(Modal::Confirm(_))));
}

#[test]
fn only_changes_are_named_as_writes() {
    assert_eq!(write_of(Action::Delete), Some("delete an item"));
    assert!(write_of(Action::UndoDelete).is_some());
    for a in [
        Action::Refresh,
        Action::Export,
        Action::Forget,
        Action::Open,
    ] {
        assert_eq!(write_of(a), None, "{a:?}");
    }
}
