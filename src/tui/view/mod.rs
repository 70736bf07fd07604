//! Drawing: pure functions of the state, into the rectangles of `app.geometry`. The panes
//! draw themselves (`tui::panes`); then the modal stack, back to front.

pub(crate) mod dialogs;
mod editor;
pub mod fit;
mod prompt;
pub mod small;

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
    if small::too_small(area) {
        small::draw(frame, area);
        return;
    }
    // The geometry `update` computed; a frame of another size (a test, a resize not yet
    // seen) is laid out afresh.
    let g = if app.geometry.area == area {
        app.geometry
    } else {
        app.layout(area)
    };
    draw_header(frame, g.header, app);
    draw_panes(frame, &g, app);
    draw_matches(frame, &g, app);
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
            Modal::Filter(f) => prompt::filter(frame, g.status, f, &app.counts()),
            Modal::Command(c) => prompt::command(frame, g.body, g.status, c),
            Modal::Messages(m) => dialogs::messages(frame, area, m, &app.log),
            Modal::Stats(s) => crate::tui::stats::draw(frame, area, s),
            Modal::Search(s) => crate::tui::panes::search::draw(frame, g.body, s),
        }
    }
    if let Some(e) = &app.export {
        super::export::draw(frame, area, e);
    }
}

/// Marks the matches of the filters: in the conversation list, and in the timeline and the
/// detail, which share one.
fn draw_matches(frame: &mut Frame, g: &Geometry, app: &App) {
    use super::filter::{active, highlight};
    let buf = frame.buffer_mut();
    if let Some(q) = active(app, Focus::Conversations) {
        highlight(buf, super::layout::inner(g.conversations), q);
    }
    if let Some(q) = active(app, Focus::Timeline) {
        highlight(buf, super::layout::inner(g.timeline), q);
        highlight(buf, super::layout::inner(g.detail), q);
    }
    if let Some(q) = super::search::detail_term(app) {
        highlight(buf, super::layout::inner(g.detail), q);
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
    // Offline, that comes first, where even a narrow terminal shows it.
    if let Some(h) = super::offline::header(app) {
        spans.insert(
            1,
            Span::styled(
                format!(" {h} "),
                THEME.warning().add_modifier(Modifier::BOLD),
            ),
        );
    }
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
        &app.listing,
    );
    timeline::draw(
        frame,
        g.timeline,
        app.timeline.as_ref(),
        app.focus == Focus::Timeline,
    );
    let item = app.detail_item();
    let gone = item.and_then(|i| i.id()).is_some_and(|id| {
        let tl = app.timeline.as_ref();
        tl.is_some_and(|t| t.gone.contains(id))
    });
    detail::draw(
        frame,
        g.detail,
        item,
        gone,
        &app.detail,
        app.focus == Focus::Detail,
    );
}

/// One row: the spinner, the newest message cut to fit (the whole of it is in the log, `m`),
/// and the counts at the right.
fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let counts = app.counts();
    let counts_width = fit::width(&counts) as u16;
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(counts_width + 1)]).areas(area);
    let mut spans = Vec::new();
    let mut room = left.width as usize;
    if app.pending > 0 {
        spans.push(Span::styled(
            format!("{} ", SPINNER[app.spinner % SPINNER.len()]),
            THEME.accent(),
        ));
        room = room.saturating_sub(2);
    }
    let (text, style, code) = match &app.status {
        Some(Status::Error(f)) => {
            // When the message is cut, its HTTP status stays in sight (the request id and the
            // rest are in the log).
            let code = f.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default();
            (format!("error: {f}"), THEME.error(), code)
        }
        Some(Status::Warning(w)) => (w.clone(), THEME.warning(), String::new()),
        Some(Status::Info(i)) => (i.clone(), ratatui::style::Style::new(), String::new()),
        None if app.pending > 0 => ("working…".into(), THEME.dim(), String::new()),
        None => (String::new(), THEME.dim(), String::new()),
    };
    const MORE: &str = " (m: all of it)";
    if fit::width(&sanitize::line(&text)) <= room {
        spans.push(Span::styled(sanitize::line(&text), style));
    } else if room > fit::width(MORE) + fit::width(&code) + 10 {
        let message = match &app.status {
            // That a write may have happened is what matters most: it is not cut off.
            Some(Status::Error(f)) => match may_have_been(&f.message) {
                Some(m) => format!("error: it {m}: {}", f.message),
                None => format!("error: {}", f.message),
            },
            _ => text.clone(),
        };
        let cut = fit::cut(&message, room - fit::width(MORE) - fit::width(&code));
        spans.push(Span::styled(format!("{cut}{code}"), style));
        spans.push(Span::styled(MORE, THEME.dim()));
    } else {
        spans.push(Span::styled(fit::cut(&text, room), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    frame.render_widget(
        Paragraph::new(Line::styled(counts, THEME.dim())).right_aligned(),
        right,
    );
}

/// `may have been deleted` out of a failure's message, if it says so.
fn may_have_been(message: &str) -> Option<&str> {
    let at = message.find("may have been ")?;
    let rest = &message[at..];
    let word = rest["may have been ".len()..]
        .find(|c: char| !c.is_alphanumeric())
        .map_or(rest.len(), |n| "may have been ".len() + n);
    Some(&rest[..word])
}

/// The hints of the active context that fit in `width` cells: the front modal's, else the
/// focused pane's (after the filter's own keys while one is in effect); most useful first, and
/// `? help` always last. A key shows one meaning: the one it has.
pub fn hints_line(app: &App, width: u16) -> Line<'static> {
    let mut contexts = Vec::new();
    if app.modals.is_empty() && super::filter::active(app, app.focus).is_some() {
        contexts.push(super::keymap::Context::Matches);
    }
    contexts.push(app.context());
    // Read-only or offline, the keys that would change the server are not offered.
    let writable = !(app.read_only || app.offline.active);
    let hints = app.keymap.hints_of(&contexts, |a| writable || !a.writes());
    fit::hints(&hints, width as usize, THEME.accent(), THEME.dim())
}

fn draw_hints(frame: &mut Frame, area: Rect, app: &App) {
    frame.render_widget(Paragraph::new(hints_line(app, area.width)), area);
}
