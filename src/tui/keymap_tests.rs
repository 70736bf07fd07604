//! Tests of the keymap value.

use super::*;
use Context::*;

fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

fn ch(c: char) -> KeyEvent {
    ev(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn pane_bindings_win_over_global_ones_and_modals_have_only_theirs() {
    let km = Keymap::default();
    assert_eq!(km.lookup(Timeline, &ch('d')), Some(Action::Delete));
    assert_eq!(
        km.lookup(Conversations, &ch('d')),
        Some(Action::DeleteConversation)
    );
    assert_eq!(km.lookup(Detail, &ch('j')), Some(Action::Down));
    let big_d = ev(KeyCode::Char('D'), KeyModifiers::SHIFT);
    assert_eq!(km.lookup(Timeline, &big_d), Some(Action::DeleteMarked));
    let cc = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(km.lookup(Timeline, &cc), Some(Action::ForceQuit));
    assert_eq!(km.lookup(Timeline, &ch('c')), None);
    // A modal does not fall back to the panes' keys.
    assert_eq!(km.lookup(Confirm, &ch('y')), Some(Action::Yes));
    assert_eq!(km.lookup(Confirm, &ch('q')), None);
    assert_eq!(km.lookup(OpenById, &ch('q')), None, "q is text there");
    let s = ev(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(km.lookup(Metadata, &s), Some(Action::Save));
    assert_eq!(
        km.lookup(Composer, &ev(KeyCode::Tab, KeyModifiers::NONE)),
        Some(Action::NextRole)
    );
    assert_eq!(
        km.lookup(ComposerJson, &ev(KeyCode::Tab, KeyModifiers::NONE)),
        None
    );
}

#[test]
fn hints_and_help_come_from_the_active_context() {
    let km = Keymap::default();
    let hints = km.hints(Timeline);
    assert!(hints.contains(&("d".to_string(), "delete")));
    assert!(hints.contains(&("?".to_string(), "help")));
    let confirm = km.hints(Confirm);
    assert_eq!(
        confirm,
        [
            ("y/Y/Enter".to_string(), "yes"),
            ("n/N/Esc".to_string(), "no")
        ]
    );
    // Help from a pane has the pane's group and the global one; from a modal, its own.
    let help = km.help(Timeline);
    assert_eq!(
        help.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        [Timeline, Global]
    );
    let rows: usize = help.iter().map(|(_, r)| r.len()).sum();
    let expected = km
        .bindings()
        .iter()
        .filter(|b| matches!(b.context, Timeline | Global))
        .count();
    assert_eq!(rows, expected);
    assert_eq!(km.help(Composer).len(), 1);
}

#[test]
fn names_print_and_parse() {
    for a in Action::ALL {
        assert_eq!(a.name().parse::<Action>(), Ok(*a));
        assert_eq!(a.to_string(), a.name());
    }
    for c in Context::ALL {
        assert_eq!(c.name().parse::<Context>(), Ok(*c));
    }
    assert!("delete-everything".parse::<Action>().is_err());
    for b in Keymap::default().bindings() {
        for k in &b.keys {
            assert_eq!(k.to_string().parse::<Key>().as_ref(), Ok(k), "{k}");
        }
    }
    assert_eq!(
        "ctrl-w".parse::<Key>(),
        Ok(Key::new(KeyCode::Char('w'), KeyModifiers::CONTROL))
    );
    assert!("hyper-x".parse::<Key>().is_err());
}

#[test]
fn overrides_rebind_and_report_what_they_replaced() {
    let mut km = Keymap::default();
    let problems = km.apply_overrides([
        ("timeline.x", "delete"),
        ("timeline.d", "mark"),
        ("nowhere.x", "delete"),
        ("timeline.x", "explode"),
        ("no-dot", "quit"),
    ]);
    assert_eq!(km.lookup(Timeline, &ch('x')), Some(Action::Delete));
    assert_eq!(km.lookup(Timeline, &ch('d')), Some(Action::Mark));
    assert_eq!(
        problems[0],
        OverrideProblem::Replaced {
            context: Timeline,
            key: "d".parse().unwrap(),
            was: Action::Delete,
            now: Action::Mark,
        }
    );
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(problems[1..]
        .iter()
        .all(|p| matches!(p, OverrideProblem::Invalid { .. })));
    assert!(problems[1]
        .to_string()
        .contains("no key context is called 'nowhere'"));
    // The hints follow: `d` is gone from delete, which keeps `x`.
    assert!(km.hints(Timeline).contains(&("x".to_string(), "delete")));
    // Other contexts are untouched.
    assert_eq!(
        km.lookup(Conversations, &ch('d')),
        Some(Action::DeleteConversation)
    );
}

#[test]
fn a_slash_among_the_keys_is_not_read_as_the_separator() {
    let km = Keymap::default();
    let hints = km.hints(Search);
    assert!(
        hints
            .iter()
            .any(|(keys, what)| keys == "S or /" && *what == "new query"),
        "{hints:?}"
    );
    assert!(hints.iter().any(|(keys, _)| keys == "j/↓"), "{hints:?}");
}
