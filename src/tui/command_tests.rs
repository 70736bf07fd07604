use super::*;
use crate::registry::Registry;
use crate::tui::panes::Focus;
use crate::tui::state::Timeline;
use crossterm::event::{KeyCode, KeyModifiers};

fn app() -> App {
    let mut app = App::new("local", "http://x", Registry::default());
    app.profiles.names = vec!["local".into(), "openai".into(), "work".into()];
    app.convs.items = vec![
        crate::tui::data::ConvEntry::new("conv_abc1"),
        crate::tui::data::ConvEntry::new("conv_abd2"),
    ];
    app
}

fn typed(text: &str) -> CommandLine {
    let mut line = CommandLine::default();
    line.input.insert(text);
    line
}

#[test]
fn tab_completes_command_names_then_cycles() {
    let app = app();
    let mut line = typed("ex");
    complete(&mut line, &app);
    assert_eq!(
        line.input.text(),
        "export ",
        "one candidate, and a space after it"
    );
    let mut line = typed("toggle-");
    complete(&mut line, &app);
    assert_eq!(
        line.completions,
        ["toggle-order", "toggle-raw", "toggle-wrap"],
        "toggle-json, an editor's key, is not offered"
    );
    assert_eq!(line.input.text(), "toggle-order");
    complete(&mut line, &app);
    assert_eq!(
        line.input.text(),
        "toggle-raw",
        "a second Tab takes the next"
    );
}

#[test]
fn tab_completes_ids_and_profile_names() {
    let app = app();
    let mut line = typed("open conv_abd");
    complete(&mut line, &app);
    assert_eq!(line.input.text(), "open conv_abd2 ");
    let mut line = typed("profile w");
    complete(&mut line, &app);
    assert_eq!(line.input.text(), "profile work ");
    let mut line = typed("order d");
    complete(&mut line, &app);
    assert_eq!(line.input.text(), "order desc ");
    let mut line = typed("zzz");
    complete(&mut line, &app);
    assert!(line.completions.is_empty());
    assert_eq!(line.input.text(), "zzz");
}

#[test]
fn the_history_keeps_what_was_run_newest_first_on_up() {
    let mut app = app();
    for c in ["help", "order asc", "help"] {
        open(&mut app);
        if let Some(Modal::Command(l)) = app.modals.front_mut() {
            l.input.insert(c);
        }
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        on_key(&mut app, Some(Action::Submit), &enter);
        app.modals.clear();
    }
    assert_eq!(app.command_history, ["order asc", "help"], "no repeats");
    let mut line = CommandLine::default();
    recall(&mut line, &app.command_history, true);
    assert_eq!(line.input.text(), "help");
    recall(&mut line, &app.command_history, true);
    recall(&mut line, &app.command_history, true);
    assert_eq!(line.input.text(), "order asc", "stops at the oldest");
    recall(&mut line, &app.command_history, false);
    recall(&mut line, &app.command_history, false);
    assert_eq!(line.input.text(), "", "back to an empty line");
}

#[test]
fn commands_run_and_mistakes_are_explained() {
    let mut app = app();
    assert!(run(&mut app, "goto 3").is_empty());
    assert!(matches!(&app.status, Some(Status::Warning(w)) if w.contains("Open a conversation")));
    let mut tl = Timeline::new("conv_abc1", false, 1);
    tl.list.items = (0..5)
        .map(|i| crate::tui::loaded::Loaded::new(&serde_json::json!({"id": format!("msg_{i}")})))
        .collect();
    app.timeline = Some(tl);
    run(&mut app, "goto 3");
    assert_eq!(app.timeline.as_ref().unwrap().list.selected, 2);
    assert_eq!(app.focus, Focus::Timeline);
    run(&mut app, "goto 9");
    assert!(matches!(&app.status, Some(Status::Warning(w)) if w.contains("5 items loaded")));
    let effects = run(&mut app, "order asc");
    assert!(matches!(
        effects[..],
        [Effect::LoadItems {
            ascending: true,
            ..
        }]
    ));
    let effects = run(&mut app, "include message.output_text.logprobs");
    assert_eq!(
        effects[0],
        Effect::SetInclude(vec!["message.output_text.logprobs".into()])
    );
    assert!(matches!(effects[1], Effect::LoadItems { .. }));
    run(&mut app, "order sideways");
    assert!(matches!(&app.status, Some(Status::Warning(w)) if w.contains("asc or desc")));
    run(&mut app, "open nope");
    assert!(matches!(&app.status, Some(Status::Warning(w)) if w.contains("not a conversation id")));
    run(&mut app, "frobnicate");
    assert!(matches!(&app.status, Some(Status::Warning(w)) if w.contains("no command is called")));
    // `:undo` undoes the last delete; a key of dialogs is no command.
    assert_eq!(run(&mut app, "undo"), [Effect::UndoDelete]);
    assert!(run(&mut app, "save").is_empty());
    assert!(
        matches!(&app.status, Some(Status::Warning(w)) if w.contains("'save' is a key of dialogs"))
    );
    assert!(!names().any(|n| n == "save" || n == "yes"));
    assert!(names().any(|n| n == "undo-delete"));
    // An action by its name.
    run(&mut app, "toggle-raw");
    assert!(app.detail.raw);
    run(&mut app, "help");
    assert!(matches!(app.modals.front(), Some(Modal::Help(_))));
    run(&mut app, "quit");
    assert!(app.quit);
}

#[test]
fn export_and_profile_run_the_real_export_and_switch() {
    let mut app = app();
    app.timeline = Some(Timeline::new("conv_abc1", false, 1));
    let effects = run(&mut app, "export /tmp/out.jsonl");
    assert!(matches!(
        &effects[..],
        [Effect::Export { conversation, path, format: crate::export::Format::Jsonl, .. }]
            if conversation == "conv_abc1" && path == std::path::Path::new("/tmp/out.jsonl")
    ));
    assert!(app.export.is_some(), "the progress bar has its export");
    let effects = run(&mut app, "profile work");
    assert!(matches!(&effects[..], [Effect::SwitchProfile { name, .. }] if name == "work"));
    assert!(run(&mut app, "profile nope").is_empty());
    assert!(
        matches!(&app.status, Some(Status::Warning(w)) if w.contains("known: local, openai, work"))
    );
}
