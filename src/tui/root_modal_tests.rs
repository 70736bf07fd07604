//! Tests of the root's routing: the front modal takes the keys, and the prompts and the one
//! confirm behave as widgets.

use super::tests::{code, items, key, loaded, opened, page};
use super::*;
use crate::registry::Registry;
use crossterm::event::KeyEvent;

#[test]
fn the_open_by_id_prompt_edits_at_its_cursor() {
    let mut app = App::new("local", "http://x/v1", Registry::default());
    update(&mut app, key('o'));
    for c in "xconv_12 tail".chars() {
        update(&mut app, key(c));
    }
    // ctrl-w takes the last word; Home and Delete the stray x; Left and Backspace the 2.
    update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL)),
    );
    update(&mut app, code(KeyCode::Home));
    update(&mut app, code(KeyCode::Delete));
    update(&mut app, code(KeyCode::End));
    update(&mut app, code(KeyCode::Left));
    update(&mut app, code(KeyCode::Backspace));
    let Some(Modal::OpenById(o)) = app.modals.front() else {
        panic!("the prompt is open")
    };
    assert_eq!(o.input.text(), "conv_1 ");
    let effects = update(&mut app, code(KeyCode::Enter));
    assert!(effects.contains(&Effect::LoadConversation("conv_1".into())));
    assert!(app.modals.is_empty());
}

#[test]
fn keys_go_to_the_front_modal_first() {
    let (mut app, generation) = opened();
    loaded(&mut app, generation, page(items(0..5), false));
    // Help in front: j scrolls help, the timeline stays, d deletes nothing.
    update(&mut app, key('?'));
    assert!(update(&mut app, key('j')).is_empty());
    update(&mut app, key('d'));
    assert!(matches!(app.modals.front(), Some(Modal::Help(_))));
    assert_eq!(app.timeline.as_ref().unwrap().list.selected, 0);
    update(&mut app, code(KeyCode::Esc));
    // A confirm in front: q does not quit, and only y or n answer it.
    update(&mut app, key('d'));
    update(&mut app, key('q'));
    update(&mut app, key('j'));
    assert!(!app.quit);
    assert!(matches!(app.modals.front(), Some(Modal::Confirm(_))));
    assert_eq!(app.timeline.as_ref().unwrap().list.selected, 0);
    update(&mut app, key('n'));
    assert!(app.modals.is_empty());
    update(&mut app, key('j'));
    assert_eq!(app.timeline.as_ref().unwrap().list.selected, 1);
}

#[test]
fn discarding_an_editor_goes_through_the_one_confirm() {
    let (mut app, _) = opened();
    update(&mut app, key('a'));
    update(
        &mut app,
        Message::DraftLoaded {
            name: "conv_1.items".into(),
            result: Ok(None),
        },
    );
    update(&mut app, key('h'));
    update(&mut app, code(KeyCode::Esc));
    let Some(Modal::Confirm(c)) = app.modals.front() else {
        panic!("discard asks first")
    };
    assert_eq!(c.pending, Pending::DiscardChanges);
    let effects = update(&mut app, key('y'));
    assert!(
        matches!(effects.as_slice(), [Effect::Draft { text: None, .. }]),
        "the draft goes: {effects:?}"
    );
    assert!(app.modals.is_empty() && app.editor().is_none());
}
