//! The detail pane: the selected item, rendered or as raw JSON, scrolled within its end.
//! The item is parsed and rendered once per item, mode and width (`Wrapped`); a frame draws
//! only the lines in its window, so a key costs the same on a huge item as on a small one.
//! The lines are what the cache holds: Markdown and JSON colouring are done once, there.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use serde_json::Value;

use super::block;
use super::rendering::{self, InFlight, Job, Rendered};
use crate::tui::keymap::Action;
use crate::tui::loaded::Loaded;
use crate::tui::render;

#[derive(Debug, Clone, Default)]
pub struct Detail {
    pub raw: bool,
    /// The first row shown, counted in wrapped rows.
    pub scroll: usize,
    /// The selected item rendered at the pane's width; rebuilt when any of them changes.
    wrapped: Option<Arc<Wrapped>>,
    /// Long lines run off the pane instead of wrapping (`w` toggles).
    pub no_wrap: bool,
    /// A big item's rendering asked of the runtime and not landed yet (`rendering`).
    rendering: Option<InFlight>,
    /// The last big item's rendering while a normal item is shown, so that moving past a
    /// big item and back does not render it again. At most one big rendering is held.
    spare: Option<Arc<Wrapped>>,
}

impl PartialEq for Detail {
    fn eq(&self, other: &Self) -> bool {
        (self.raw, self.scroll, self.no_wrap) == (other.raw, other.scroll, other.no_wrap)
    }
}

/// Which rendering a `Wrapped` holds: the item (by its text), raw or not, wrapped or not, and
/// the width (0 when not wrapped: the lines are the same at every width).
pub type Key = ((usize, usize), bool, bool, u16);

fn key_of(item: &Loaded, raw: bool, no_wrap: bool, width: u16) -> Key {
    (item.key(), raw, no_wrap, if no_wrap { 0 } else { width })
}

/// An item's lines with the row each starts on once wrapped.
#[derive(Debug)]
pub struct Wrapped {
    key: Key,
    lines: Vec<Line<'static>>,
    /// `starts[i]` is the first row of `lines[i]`; the last entry is the total.
    starts: Vec<usize>,
    /// Of an item rendered off the UI thread (`rendering::is_big`).
    big: bool,
    /// Holds the item's text while its rendering is kept, so that the key (an address) is
    /// not taken by another item meanwhile.
    _item: Loaded,
}

/// A line longer than this many characters is cut at a space after it, so that no window
/// has to wrap a huge line (a 10 MB text with no newline) to show a few rows of it.
const LONG_LINE: usize = 4096;

fn lines(item: &Value, raw: bool) -> Vec<Line<'static>> {
    if raw {
        render::pretty_json_lines(item)
    } else {
        render::detail(item)
    }
}

/// A line whose spans borrow from `line`.
fn borrowed<'a>(line: &'a Line<'static>) -> Line<'a> {
    let spans: Vec<Span<'a>> = line
        .spans
        .iter()
        .map(|s| Span::styled(s.content.as_ref(), s.style))
        .collect();
    let mut l = Line::from(spans).style(line.style);
    l.alignment = line.alignment;
    l
}

/// Where to cut `s` once `room` characters are used: after the next whitespace, or hard a
/// little further on when there is none.
fn cut(s: &str, room: usize) -> Option<usize> {
    let mut it = s.char_indices().skip(room);
    for (n, (i, c)) in it.by_ref().enumerate() {
        if c.is_whitespace() {
            return Some(i + c.len_utf8());
        }
        if n >= 256 {
            return Some(i);
        }
    }
    None
}

/// Without wrapping, only a line's start can be seen: a huge line keeps its first
/// `LONG_LINE` characters.
fn truncate_long(line: Line<'static>) -> Line<'static> {
    if line.spans.iter().map(|s| s.content.len()).sum::<usize>() <= LONG_LINE {
        return line;
    }
    let style = line.style;
    let mut room = LONG_LINE;
    let mut spans = Vec::new();
    for span in line.spans {
        if room == 0 {
            break;
        }
        let end = span
            .content
            .char_indices()
            .nth(room)
            .map_or(span.content.len(), |(i, _)| i);
        room = room.saturating_sub(span.content[..end].chars().count());
        spans.push(Span::styled(span.content[..end].to_string(), span.style));
    }
    Line::from(spans).style(style)
}

/// Cuts a huge line into lines of about `LONG_LINE` characters.
fn split_long(line: Line<'static>, out: &mut Vec<Line<'static>>) {
    if line.spans.iter().map(|s| s.content.len()).sum::<usize>() <= LONG_LINE {
        out.push(line);
        return;
    }
    let style = line.style;
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut rest: &str = span.content.as_ref();
        while let Some(at) = cut(rest, LONG_LINE.saturating_sub(used)) {
            current.push(Span::styled(rest[..at].to_string(), span.style));
            out.push(Line::from(std::mem::take(&mut current)).style(style));
            used = 0;
            rest = &rest[at..];
        }
        if !rest.is_empty() {
            used += rest.chars().count();
            current.push(Span::styled(rest.to_string(), span.style));
        }
    }
    if !current.is_empty() {
        out.push(Line::from(current).style(style));
    }
}

fn rows_of(line: &Line<'static>, width: u16) -> usize {
    Paragraph::new(borrowed(line))
        .wrap(Wrap { trim: false })
        .line_count(width.max(1))
}

impl Wrapped {
    pub fn new(item: &Loaded, raw: bool, no_wrap: bool, width: u16) -> Self {
        let never = AtomicBool::new(false);
        // A build that is never cancelled always ends with lines; no lines is the fallback.
        Self::build(item, raw, no_wrap, width, &never).unwrap_or_else(|| Wrapped {
            key: key_of(item, raw, no_wrap, width),
            lines: Vec::new(),
            starts: vec![0],
            big: rendering::is_big(item),
            _item: item.clone(),
        })
    }

    /// The rendering, or `None` as soon as `cancel` is set (it is checked between lines).
    pub fn build(
        item: &Loaded,
        raw: bool,
        no_wrap: bool,
        width: u16,
        cancel: &AtomicBool,
    ) -> Option<Self> {
        let stop = || cancel.load(Ordering::Relaxed);
        let value = item.value();
        if stop() {
            return None;
        }
        let mut out = Vec::new();
        for (n, line) in lines(&value, raw).into_iter().enumerate() {
            if n % 64 == 0 && stop() {
                return None;
            }
            if no_wrap {
                out.push(truncate_long(line));
            } else {
                split_long(line, &mut out);
            }
        }
        let mut starts = Vec::with_capacity(out.len() + 1);
        let mut at = 0;
        for (n, line) in out.iter().enumerate() {
            if n % 64 == 0 && stop() {
                return None;
            }
            starts.push(at);
            at += if no_wrap { 1 } else { rows_of(line, width) };
        }
        starts.push(at);
        out.shrink_to_fit();
        Some(Wrapped {
            key: key_of(item, raw, no_wrap, width),
            lines: out,
            starts,
            big: rendering::is_big(item),
            _item: item.clone(),
        })
    }

    /// Whether it is of an item rendered off the UI thread.
    pub fn is_big(&self) -> bool {
        self.big
    }

    /// About the row of the first match of `query` (the row its line starts at, plus its
    /// place in the line at `width` columns a row, which word wrapping can only push down a
    /// little); `None` when nothing matches.
    pub fn first_row_of(&self, query: &crate::tui::filter::Query, width: u16) -> Option<usize> {
        self.lines
            .iter()
            .zip(&self.starts)
            .find_map(|(line, start)| {
                let chars: Vec<char> = line.spans.iter().flat_map(|s| s.content.chars()).collect();
                let (at, _) = *query.find_in(&chars).first()?;
                let within = at / usize::from(width.max(1));
                let rows = self.starts.last().copied().unwrap_or(0);
                Some((start + within).min(rows.saturating_sub(1)))
            })
    }

    /// Rows once wrapped.
    pub fn total(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    /// The lines that cover rows `scroll..scroll + rows`, and how many rows of the first
    /// one lie above the window.
    pub fn window(&self, scroll: usize, rows: usize) -> (Vec<Line<'_>>, u16) {
        if self.lines.is_empty() {
            return (Vec::new(), 0);
        }
        let first = match self.starts.binary_search(&scroll) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
        .min(self.lines.len() - 1);
        let end = scroll + rows.max(1);
        let shown = self.lines[first..]
            .iter()
            .zip(&self.starts[first..])
            .take_while(|(_, &start)| start < end)
            .map(|(l, _)| borrowed(l))
            .collect();
        let within = scroll.saturating_sub(self.starts[first]);
        (shown, within.min(u16::MAX as usize) as u16)
    }
}

/// How many lines the item takes once wrapped at `width`.
pub fn height(item: &Value, raw: bool, width: u16) -> usize {
    Paragraph::new(lines(item, raw))
        .wrap(Wrap { trim: false })
        .line_count(width.max(1))
}

/// How many lines the item takes as the pane shows it (wrapped or not).
fn shown_height(item: &Value, detail: &Detail, width: u16) -> usize {
    if detail.no_wrap {
        lines(item, detail.raw).len()
    } else {
        height(item, detail.raw, width)
    }
}

impl Detail {
    /// The rendering of `item` at `width`: the one kept, else made now for a normal item.
    /// A big one (`rendering::is_big`) is asked of the runtime instead (`take_job`), and
    /// `None` is answered until it lands (`on_rendered`).
    pub fn prepare(&mut self, item: Option<&Loaded>, width: u16) -> Option<Arc<Wrapped>> {
        let Some(item) = item else {
            self.abandon();
            return None;
        };
        let key = key_of(item, self.raw, self.no_wrap, width);
        if self.spare.as_ref().is_some_and(|w| w.key == key) {
            self.wrapped = self.spare.take();
        }
        if let Some(w) = self.wrapped.as_ref().filter(|w| w.key == key) {
            let w = w.clone();
            self.abandon();
            return Some(w);
        }
        if !rendering::is_big(item) {
            self.abandon();
            if self.wrapped.as_ref().is_some_and(|w| w.big) {
                rendering::discard(std::mem::replace(&mut self.spare, self.wrapped.take()));
            }
            let w = Arc::new(Wrapped::new(item, self.raw, self.no_wrap, width));
            self.wrapped = Some(w.clone());
            return Some(w);
        }
        if self.rendering.as_ref().is_some_and(|r| r.key == key) {
            return None;
        }
        self.abandon();
        // Another big item's lines are not kept meanwhile: one rendering held, one in flight.
        rendering::discard(self.wrapped.take());
        rendering::discard(self.spare.take());
        self.rendering = Some(InFlight::new(item, key, self.raw, self.no_wrap, width));
        None
    }

    /// Stops waiting for the render in flight, if any; its build stops early (on quit too, so
    /// that the process does not wait for it).
    pub fn abandon(&mut self) {
        if let Some(r) = self.rendering.take() {
            r.abandon();
        }
    }

    /// The render the runtime is to run, once per request.
    pub fn take_job(&mut self) -> Option<Job> {
        self.rendering.as_mut().and_then(InFlight::take_job)
    }

    /// Whether the detail waits for a render of `item` at `width`.
    pub fn is_rendering(&self, item: &Loaded, width: u16) -> bool {
        let key = key_of(item, self.raw, self.no_wrap, width);
        self.rendering.as_ref().is_some_and(|r| r.key == key)
    }

    /// A render landed: kept if it is the one waited for (true), else dropped. The scroll is
    /// kept within the item's end for a pane of `rows` rows.
    pub fn on_rendered(&mut self, r: Rendered, rows: usize) -> bool {
        if !self.rendering.as_ref().is_some_and(|f| f.answers(&r)) {
            return false;
        }
        self.rendering = None;
        rendering::discard(std::mem::replace(&mut self.wrapped, r.wrapped));
        let total = self.wrapped.as_ref().map_or(0, |w| w.total());
        self.scroll = self.scroll.min(total.saturating_sub(rows.max(1)));
        true
    }

    /// The kept rendering, if it is of `item` at `width`.
    pub fn kept(&self, item: &Loaded, width: u16) -> Option<&Wrapped> {
        let key = key_of(item, self.raw, self.no_wrap, width);
        self.wrapped.as_deref().filter(|w| w.key == key)
    }

    /// The pane's own actions; false for the ones it leaves to the root. `size` is the
    /// pane's rows and width inside its borders (from the layout), so scrolling stops at the
    /// item's end.
    pub fn on_action(
        &mut self,
        action: Action,
        item: Option<&Loaded>,
        size: (usize, u16),
        page: isize,
    ) -> bool {
        let delta = match action {
            Action::ToggleRaw => {
                self.raw = !self.raw;
                self.scroll = 0;
                return true;
            }
            Action::ToggleWrap => {
                self.no_wrap = !self.no_wrap;
                self.scroll = 0;
                return true;
            }
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => isize::MIN / 2,
            Action::Bottom => isize::MAX / 2,
            _ => return false,
        };
        self.scroll_by(delta, item, size);
        true
    }

    /// Moves the view by `delta` rows, stopping at the item's start and end: the one clamp
    /// the keys and the mouse wheel share.
    pub fn scroll_by(&mut self, delta: isize, item: Option<&Loaded>, size: (usize, u16)) {
        let (rows, width) = size;
        let total = self.prepare(item, width).map_or(0, |w| w.total());
        let max = total.saturating_sub(rows.max(1)) as isize;
        self.scroll = (self.scroll as isize).saturating_add(delta).clamp(0, max) as usize;
    }
}

/// Draws `item`; `gone` when the server no longer has it (shown from the mirror's copy).
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    item: Option<&Loaded>,
    gone: bool,
    detail: &Detail,
    focused: bool,
) {
    let mode = if detail.raw { "raw JSON" } else { "rendered" };
    let Some(item) = item else {
        let p = Paragraph::new("").block(block(" Detail ".into(), focused));
        frame.render_widget(p, area);
        return;
    };
    let wrap = if detail.no_wrap { " · no wrap" } else { "" };
    let gone = if gone { "gone on the server · " } else { "" };
    let title = format!(" Detail · {gone}{mode}{wrap} · r toggles ");
    let (rows, width) = (
        area.height.saturating_sub(2) as usize,
        area.width.saturating_sub(2).max(1),
    );
    let (p, total) = match detail.kept(item, width) {
        Some(w) => {
            let (lines, within) = w.window(detail.scroll, rows);
            (Paragraph::new(lines).scroll((within, 0)), w.total())
        }
        // Waited for: what it is and the start of its text, until it lands.
        None if rendering::is_big(item) => (Paragraph::new(rendering::placeholder(item)), 0),
        // Not prepared for this size (a frame drawn without a layout pass): render it whole.
        None => {
            let value = item.value();
            let p = Paragraph::new(lines(&value, detail.raw))
                .scroll((detail.scroll.min(u16::MAX as usize) as u16, 0));
            (p, shown_height(&value, detail, width))
        }
    };
    let p = if detail.no_wrap {
        p
    } else {
        p.wrap(Wrap { trim: false })
    };
    frame.render_widget(p.block(block(title, focused)), area);
    crate::tui::widgets::scroll::decorate(frame, area, detail.scroll, detail.scroll, total, rows);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scrolling_stops_at_the_end_of_the_item() {
        let text: String = (0..30).map(|i| format!("line {i}\n")).collect();
        let value = json!({"type": "message", "role": "user", "content": text});
        let item = &Loaded::new(&value);
        let mut d = Detail::default();
        let total = height(&value, false, 40);
        assert!(total > 30);
        d.on_action(Action::Bottom, Some(item), (10, 40), 5);
        assert_eq!(d.scroll, total - 10);
        d.on_action(Action::Down, Some(item), (10, 40), 5);
        assert_eq!(d.scroll, total - 10, "no further");
        assert!(d.on_action(Action::ToggleRaw, Some(item), (10, 40), 5));
        assert_eq!((d.raw, d.scroll), (true, 0));
        assert!(!d.on_action(Action::Delete, Some(item), (10, 40), 5));
    }
}

#[cfg(test)]
mod window_tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use serde_json::json;

    fn screen(w: u16, h: u16, f: impl FnOnce(&mut Frame)) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("backend");
        t.draw(f).expect("draw");
        t.backend().to_string()
    }

    /// The rendering at `width`, run here when the item is one for the runtime.
    fn ready(d: &mut Detail, item: &Loaded, width: u16) -> Arc<Wrapped> {
        if let Some(w) = d.prepare(Some(item), width) {
            return w;
        }
        let job = d.take_job().expect("a job for a big item");
        let wrapped = rendering::build(&job).map(Arc::new);
        assert!(d.on_rendered(
            Rendered {
                key: job.key,
                wrapped
            },
            1
        ));
        d.prepare(Some(item), width).expect("landed")
    }

    #[test]
    fn a_window_draws_what_the_whole_item_draws() {
        let text: String = (0..60)
            .map(|i| format!("line {i} {}\n", "word ".repeat(i % 17)))
            .collect();
        let value = json!({"type": "message", "id": "msg_1", "role": "user",
            "content": [{"type": "input_text", "text": text}], "extra": {"a": [1, 2, 3]}});
        let item = Loaded::new(&value);
        let area = Rect::new(0, 0, 50, 12);
        for (raw, no_wrap) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut d = Detail {
                raw,
                no_wrap,
                ..Detail::default()
            };
            let w = ready(&mut d, &item, 48);
            assert_eq!(
                w.total(),
                shown_height(&value, &d, 48),
                "the same rows in all"
            );
            for scroll in [0, 1, 7, 33, w.total().saturating_sub(10)] {
                d.scroll = scroll;
                let windowed = screen(50, 12, |f| draw(f, area, Some(&item), false, &d, true));
                let whole = Detail {
                    raw,
                    scroll,
                    wrapped: None,
                    no_wrap,
                    rendering: None,
                    spare: None,
                };
                let full = screen(50, 12, |f| draw(f, area, Some(&item), false, &whole, true));
                assert_eq!(
                    windowed, full,
                    "raw {raw}, no wrap {no_wrap}, scroll {scroll}"
                );
                assert!(windowed.contains("Detail"));
            }
        }
    }

    #[test]
    fn a_huge_line_is_cut_and_wrapped_once_per_width() {
        let value = json!({"type": "message", "role": "user", "content": "abc ".repeat(500_000)});
        let item = Loaded::new(&value);
        let mut d = Detail::default();
        let a = ready(&mut d, &item, 80);
        let b = ready(&mut d, &item, 80);
        assert!(Arc::ptr_eq(&a, &b), "kept for the same item and width");
        assert!(a.lines.iter().all(|l| l.width() <= LONG_LINE + 300));
        assert!(
            a.total() >= 2_000_000 / 80,
            "every character is there: {}",
            a.total()
        );
        let c = ready(&mut d, &item, 60);
        assert!(!Arc::ptr_eq(&a, &c), "made again at another width");
        d.on_action(Action::Bottom, Some(&item), (20, 60), 10);
        assert_eq!(
            d.scroll,
            c.total() - 20,
            "the end is reachable past u16 rows"
        );
        let (lines, _) = c.window(d.scroll, 20);
        assert!(!lines.is_empty() && lines.len() < 20);
    }

    #[test]
    fn without_wrapping_a_line_is_a_row_at_every_width() {
        let value = json!({"type": "message", "role": "user",
            "content": format!("short\n{}\nend", "long ".repeat(400_000))});
        let item = Loaded::new(&value);
        let mut d = Detail::default();
        assert!(d.on_action(Action::ToggleWrap, Some(&item), (10, 40), 5));
        assert!(d.no_wrap);
        let a = ready(&mut d, &item, 40);
        let b = ready(&mut d, &item, 90);
        assert!(Arc::ptr_eq(&a, &b), "the same lines at another width");
        assert_eq!(a.total(), a.lines.len(), "one row per line");
        assert!(a.lines.iter().all(|l| l.width() <= LONG_LINE));
        let shown = screen(42, 6, |f| {
            draw(f, Rect::new(0, 0, 42, 6), Some(&item), false, &d, true)
        });
        assert!(shown.contains("no wrap"), "{shown}");
        assert!(shown.contains("long long"), "{shown}");
        d.on_action(Action::ToggleWrap, Some(&item), (10, 40), 5);
        let wrapped = ready(&mut d, &item, 40);
        assert!(
            wrapped.total() > 10_000,
            "wrapped again: {}",
            wrapped.total()
        );
    }
}
