//! Drawing: pure functions of the state.

mod dialogs;
mod editor;
mod panes;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::keymap::{self, Scope};
use super::sanitize;
use super::state::{App, Focus, Status};

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let [header, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(status_height(app, area.width)),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, header, app);
    draw_body(frame, body, app);
    draw_status(frame, status, app);
    draw_hints(frame, hints, app);
    editor::draw(frame, body, app);
    dialogs::draw(frame, area, app);
}

fn draw_header(frame: &mut Frame, area: Rect, app: &App) {
    let line = Line::from(vec![
        Span::styled(
            " convtui ",
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(" profile "),
        Span::styled(
            sanitize::line(&app.profile),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!(" · {}", sanitize::line(&app.base_url)),
            Style::new().fg(Color::DarkGray),
        ),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_body(frame: &mut Frame, area: Rect, app: &App) {
    if app.is_wide() {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(32), Constraint::Percentage(68)])
                .areas(area);
        let [timeline, detail] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(right);
        panes::conversations(frame, left, app);
        panes::timeline(frame, timeline, app);
        panes::detail(frame, detail, app);
    } else {
        // Narrow terminals stack the panes; the focused one gets the most room.
        let weights = match app.focus {
            Focus::Conversations => [50, 25, 25],
            Focus::Timeline => [20, 50, 30],
            Focus::Detail => [20, 25, 55],
        };
        let [a, b, c] = Layout::vertical(weights.map(Constraint::Percentage)).areas(area);
        panes::conversations(frame, a, app);
        panes::timeline(frame, b, app);
        panes::detail(frame, c, app);
    }
}

fn counts(app: &App) -> String {
    app.timeline
        .as_ref()
        .map(|t| t.counts())
        .unwrap_or_default()
}

/// Long messages wrap onto up to three lines, so that a request id or a path stays visible.
fn status_height(app: &App, width: u16) -> u16 {
    let len = match &app.status {
        Some(Status::Error(f)) => format!("error: {f}").chars().count(),
        Some(Status::Warning(t) | Status::Info(t)) => t.chars().count(),
        None => return 1,
    } + 2;
    let room = width
        .saturating_sub(counts(app).chars().count() as u16 + 3)
        .max(10) as usize;
    len.div_ceil(room).clamp(1, 3) as u16
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let mut spans = Vec::new();
    if app.pending > 0 {
        spans.push(Span::styled(
            format!("{} ", SPINNER[app.spinner % SPINNER.len()]),
            Style::new().fg(Color::Cyan),
        ));
    }
    match &app.status {
        Some(Status::Error(f)) => spans.push(Span::styled(
            sanitize::line(&format!("error: {f}")),
            Style::new().fg(Color::Red),
        )),
        Some(Status::Warning(w)) => spans.push(Span::styled(
            sanitize::line(w),
            Style::new().fg(Color::Yellow),
        )),
        Some(Status::Info(i)) => spans.push(Span::raw(sanitize::line(i))),
        None if app.pending > 0 => {
            spans.push(Span::styled("working…", Style::new().fg(Color::DarkGray)))
        }
        None => {}
    }
    let counts = app
        .timeline
        .as_ref()
        .map(|t| t.counts())
        .unwrap_or_default();
    let counts_width = counts.chars().count() as u16;
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(counts_width + 1)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(spans)).wrap(ratatui::widgets::Wrap { trim: false }),
        left,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(counts, Style::new().fg(Color::DarkGray))).right_aligned(),
        right,
    );
}

fn draw_hints(frame: &mut Frame, area: Rect, app: &App) {
    let scope = match app.focus {
        Focus::Conversations => Scope::Conversations,
        Focus::Timeline => Scope::Timeline,
        Focus::Detail => Scope::Detail,
    };
    let mut spans = Vec::new();
    for (keys, what) in keymap::hints(scope) {
        spans.push(Span::styled(keys, Style::new().fg(Color::Cyan)));
        spans.push(Span::styled(
            format!(" {what}  "),
            Style::new().fg(Color::DarkGray),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
