//! Drawing: pure functions of the state, into the rectangles of `app.geometry`. The panes
//! draw themselves (`tui::panes`); then the modal stack, back to front.

mod dialogs;
mod editor;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::layout::Geometry;
use super::modal::Modal;
use super::panes::{conversations, detail, timeline, Focus};
use super::sanitize;
use super::state::{App, Status};
use super::theme::THEME;

pub use dialogs::{centered, popup};

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn draw(frame: &mut Frame, app: &App) {
    super::theme::set(app.theme);
    let area = frame.area();
    // The geometry `update` computed; a frame of another size (a test, a resize not yet
    // seen) is laid out afresh.
    let g = if app.geometry.area == area {
        app.geometry
    } else {
        app.layout(area)
    };
    draw_header(frame, g.header, app);
    draw_panes(frame, &g, app);
    draw_status(frame, g.status, app);
    draw_hints(frame, g.hints, app);
    for modal in app.modals.iter() {
        match modal {
            Modal::Editor(e) => editor::draw(frame, g.body, e, &app.keymap),
            Modal::Confirm(c) => {
                // An editor's question sits over the editor; a delete's over the screen.
                let over = if app.editor().is_some() {
                    editor::rect(g.body)
                } else {
                    area
                };
                dialogs::confirm(frame, over, c);
            }
            Modal::OpenById(o) => dialogs::open_by_id(frame, area, o),
            Modal::Help(h) => dialogs::help(frame, area, h, &app.keymap),
        }
    }
    if let Some(e) = &app.export {
        super::export::draw(frame, area, e);
    }
}

fn draw_header(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = vec![
        Span::styled(" convtui ", THEME.header_badge()),
        Span::raw(" profile "),
        Span::styled(
            sanitize::line(&app.profile),
            ratatui::style::Style::new().add_modifier(Modifier::BOLD),
        ),
    ];
    // The profile's label and read-only, before the URL, so that a narrow screen keeps them.
    if let Some(label) = &app.label {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!(" {} ", sanitize::truncate(&sanitize::line(label), 24)),
            THEME.header_badge(),
        ));
    }
    if app.read_only {
        spans.push(Span::styled(
            " read-only",
            THEME.warning().add_modifier(Modifier::BOLD),
        ));
    }
    spans.push(Span::styled(
        format!(" · {}", sanitize::line(&app.base_url)),
        THEME.dim(),
    ));
    let line = Line::from(spans);
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_panes(frame: &mut Frame, g: &Geometry, app: &App) {
    conversations::draw(
        frame,
        g.conversations,
        &app.convs,
        app.focus == Focus::Conversations,
        g.conv_row_height == 1,
        app.now,
    );
    timeline::draw(
        frame,
        g.timeline,
        app.timeline.as_ref(),
        app.focus == Focus::Timeline,
    );
    detail::draw(
        frame,
        g.detail,
        app.detail_item(),
        &app.detail,
        app.focus == Focus::Detail,
    );
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = Vec::new();
    if app.pending > 0 {
        spans.push(Span::styled(
            format!("{} ", SPINNER[app.spinner % SPINNER.len()]),
            THEME.accent(),
        ));
    }
    match &app.status {
        Some(Status::Error(f)) => spans.push(Span::styled(
            sanitize::line(&format!("error: {f}")),
            THEME.error(),
        )),
        Some(Status::Warning(w)) => spans.push(Span::styled(sanitize::line(w), THEME.warning())),
        Some(Status::Info(i)) => spans.push(Span::raw(sanitize::line(i))),
        None if app.pending > 0 => spans.push(Span::styled("working…", THEME.dim())),
        None => {}
    }
    let counts = app.counts();
    let counts_width = counts.chars().count() as u16;
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(counts_width + 1)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(spans)).wrap(ratatui::widgets::Wrap { trim: false }),
        left,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(counts, THEME.dim())).right_aligned(),
        right,
    );
}

/// The hints of the active context: the front modal's, else the focused pane's.
pub fn hints_line(app: &App) -> Line<'static> {
    let mut spans = Vec::new();
    for (keys, what) in app.keymap.hints(app.context()) {
        spans.push(Span::styled(keys, THEME.accent()));
        spans.push(Span::styled(format!(" {what}  "), THEME.dim()));
    }
    Line::from(spans)
}

fn draw_hints(frame: &mut Frame, area: Rect, app: &App) {
    frame.render_widget(Paragraph::new(hints_line(app)), area);
}
