use serde_json::json;

use super::*;
use crate::registry::Registry;
use crate::tui::data::ConvInfo;
use crate::tui::state::Timeline;

fn app_with_items(n: usize) -> App {
    let mut app = App::new("local", "http://x", Registry::default());
    let mut tl = Timeline::new("conv_1", false, 1);
    tl.list.items = (0..n)
        .map(|i| {
            let role = if i % 2 == 0 { "user" } else { "assistant" };
            json!({"id": format!("msg_{i}"), "type": "message", "role": role,
                   "content": [{"type": "input_text", "text": format!("Note {i} about cats")}]})
        })
        .map(|v| crate::tui::loaded::Loaded::new(&v))
        .collect();
    tl.paging.has_more = true;
    app.timeline = Some(tl);
    app.focus = Focus::Timeline;
    app
}

fn shown(app: &App) -> Vec<usize> {
    app.timeline
        .as_ref()
        .unwrap()
        .list
        .rows()
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn case_matters_only_when_the_query_has_a_capital() {
    let hay = Hay::new(&["Hello World"]);
    assert!(Query::new("hello").matches(&hay));
    assert!(Query::new("World").matches(&hay));
    assert!(!Query::new("WORLD").matches(&hay));
    let chars: Vec<char> = "a Cat, a cat".chars().collect();
    assert_eq!(Query::new("cat").find_in(&chars), [(2, 5), (9, 12)]);
    assert_eq!(Query::new("Cat").find_in(&chars), [(2, 5)]);
}

#[test]
fn the_filter_narrows_as_typed_and_by_role_type_or_id() {
    let mut app = app_with_items(30);
    set_query(&mut app, Focus::Timeline, "note 1");
    // Note 1, Note 10..19.
    assert_eq!(shown(&app).len(), 11);
    set_query(&mut app, Focus::Timeline, "note 12");
    assert_eq!(shown(&app), [12]);
    assert_eq!(app.timeline.as_ref().unwrap().list.selected, 12);
    set_query(&mut app, Focus::Timeline, "note 1");
    assert_eq!(
        shown(&app).len(),
        11,
        "a shorter query searches every row again"
    );
    set_query(&mut app, Focus::Timeline, "assistant");
    assert_eq!(shown(&app).len(), 15);
    set_query(&mut app, Focus::Timeline, "msg_29");
    assert_eq!(shown(&app), [29]);
    assert_eq!(
        summary(&app).as_deref(),
        Some("1 match in 30 loaded · more on the server")
    );
    clear(&mut app, Focus::Timeline);
    assert_eq!(shown(&app).len(), 30);
    assert_eq!(summary(&app), None);
}

#[test]
fn rows_that_arrive_later_are_searched_and_a_reload_searches_again() {
    let mut app = app_with_items(10);
    set_query(&mut app, Focus::Timeline, "user");
    assert_eq!(shown(&app).len(), 5);
    let more = app_with_items(20).timeline.unwrap().list.items;
    app.timeline.as_mut().unwrap().list.items = more.clone();
    sync(&mut app);
    assert_eq!(shown(&app).len(), 10, "the new rows are searched");
    // A reload: other rows in place of the old ones.
    let tl = app.timeline.as_mut().unwrap();
    tl.list.items = more.into_iter().rev().take(3).collect();
    sync(&mut app);
    assert_eq!(
        shown(&app),
        [1],
        "msg_18 is the only user message of 19, 18, 17"
    );
    // Another conversation drops the filter.
    app.timeline = Some(Timeline::new("conv_2", false, 2));
    sync(&mut app);
    assert!(app.filters.timeline.is_none());
}

#[test]
fn next_and_previous_match_wrap_around() {
    let mut app = app_with_items(30);
    set_query(&mut app, Focus::Timeline, "note 2");
    let at = |app: &App| app.timeline.as_ref().unwrap().list.selected;
    // Note 2, 20..29; the selection was on 0, so the nearest is 2.
    assert_eq!(at(&app), 2);
    jump(&mut app, false);
    assert_eq!(at(&app), 29, "previous from the first wraps to the last");
    jump(&mut app, true);
    assert_eq!(at(&app), 2);
    jump(&mut app, true);
    assert_eq!(at(&app), 20);
}

#[test]
fn the_conversation_list_filters_by_title_id_or_metadata() {
    let mut app = App::new("local", "http://x", Registry::default());
    app.convs.items = (0..5)
        .map(|i| {
            let mut c = ConvEntry::new(format!("conv_{i:03}"));
            c.info = Some(ConvInfo {
                created_at: 0,
                metadata: [
                    ("title".to_string(), format!("Trip {i}")),
                    (
                        "team".to_string(),
                        if i == 3 { "Blue" } else { "red" }.to_string(),
                    ),
                ]
                .into(),
            });
            c
        })
        .collect();
    app.focus = Focus::Conversations;
    set_query(&mut app, Focus::Conversations, "trip 4");
    assert_eq!(app.convs.shown_len(), 1);
    set_query(&mut app, Focus::Conversations, "conv_002");
    assert_eq!(app.convs.selected, 2);
    set_query(&mut app, Focus::Conversations, "team=Blue");
    assert_eq!(app.convs.selected, 3);
    assert_eq!(summary(&app).as_deref(), Some("1 match in 5 conversations"));
}

#[test]
fn a_hay_is_bounded_whatever_the_item() {
    let long = "é".repeat(10_000);
    let hay = Hay::of_item(&crate::tui::loaded::Loaded::new(
        &json!({"type": "message", "role": "user", "content": long}),
    ));
    assert!(hay.exact.len() <= HAY_LIMIT);
}

#[test]
fn highlight_marks_the_match_cells() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 20, 2));
    buf.set_string(0, 0, "see the Cat here", Style::new());
    buf.set_string(0, 1, "no match", Style::new());
    let area = buf.area;
    highlight(&mut buf, area, &Query::new("cat"));
    let styled: Vec<u16> = (0..20)
        .filter(|&x| buf[(x, 0)].bg == Color::Yellow)
        .collect();
    assert_eq!(styled, [8, 9, 10]);
    assert!((0..20).all(|x| buf[(x, 1)].bg != Color::Yellow));
}
