//! The search-results pane: a prompt (the one `TextInput`) over the hits of a full-text search
//! of the local mirror, in the one list (`widgets::list`). Each hit shows its conversation's
//! title, the item's type and role, and the snippet with the match highlighted. Everything
//! from the mirror came from a server, so every piece is sanitized before it is drawn.
//!
//! The items are those of
//! <https://platform.openai.com/docs/api-reference/conversations/list-items-object>.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::block;
use crate::mirror::Hit;
use crate::sanitize;
use crate::tui::keymap::{Action, Context};
use crate::tui::modal::TextInput;
use crate::tui::theme::THEME;
use crate::tui::view::fit;
use crate::tui::widgets::list::List;

/// Most hits asked of the mirror: the list stays small whatever the mirror holds.
pub const MAX_HITS: usize = 200;

/// Most bytes kept of a hit's text (snippet, title, names): a hostile item's one huge word
/// stays small on screen and in memory.
pub const MAX_TEXT: usize = 1000;

/// Cuts `s` to at most `max` bytes, on a char boundary.
fn cap(s: &mut String, max: usize) {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
    }
}

/// A hit with every text bounded.
pub fn bounded(mut hit: Hit) -> Hit {
    cap(&mut hit.snippet, MAX_TEXT);
    cap(&mut hit.conversation, MAX_TEXT);
    cap(&mut hit.kind, MAX_TEXT);
    for s in [&mut hit.title, &mut hit.item, &mut hit.role]
        .into_iter()
        .flatten()
    {
        cap(s, MAX_TEXT);
    }
    hit
}

/// Where a search is.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Phase {
    /// Nothing asked yet.
    #[default]
    Empty,
    Running,
    Done,
    /// The mirror could not answer, or could not parse the query.
    Failed(String),
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Search {
    pub input: TextInput,
    /// The prompt has the keys (else the results do).
    pub editing: bool,
    pub list: List<Hit>,
    /// The query of the results shown (or being searched).
    pub query: String,
    pub phase: Phase,
    /// The generation of the search in flight; an answer of another one is stale.
    pub generation: u64,
}

/// What the pane leaves to its glue (`tui::search`).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Nothing,
    /// Search for this text.
    Submit(String),
    /// Enter on an empty prompt.
    Empty,
    /// Stop the search in flight.
    Cancel,
    Close,
    /// Open this hit.
    Open(Hit),
    /// Open the help of the results' keys.
    Help,
    /// Copy this text, named so.
    Copy(String, &'static str),
}

impl Search {
    /// A pane with its prompt open on `text`.
    pub fn prompt(text: &str) -> Search {
        let mut s = Search::default();
        s.input.insert(text);
        s.editing = true;
        s
    }

    /// The prompt opens again on the last query, the cursor at its end; the results stay.
    pub fn reopen(&mut self) {
        let last = if self.query.is_empty() {
            self.input.text().to_string()
        } else {
            self.query.clone()
        };
        self.input = TextInput::default();
        self.input.insert(&last);
        self.editing = true;
    }

    pub fn context(&self) -> Context {
        if self.editing {
            Context::SearchPrompt
        } else {
            Context::Search
        }
    }

    /// A search of `generation` starts.
    pub fn start(&mut self, query: &str, generation: u64) {
        self.query = query.to_string();
        self.generation = generation;
        self.phase = Phase::Running;
        self.editing = false;
    }

    /// Answers whether the result was for the search in flight (else it is dropped).
    pub fn on_result(&mut self, generation: u64, result: Result<Vec<Hit>, String>) -> bool {
        if generation != self.generation || self.phase != Phase::Running {
            return false;
        }
        match result {
            Ok(mut hits) => {
                hits.truncate(MAX_HITS);
                self.list = List::new(hits.into_iter().map(bounded).collect());
                self.phase = Phase::Done;
            }
            Err(e) => {
                self.list = List::default();
                self.phase = Phase::Failed(e);
            }
        }
        true
    }

    /// An action while the pane is in front; `key_edit` passes a key the prompt may take.
    pub fn on_action(&mut self, action: Option<Action>, page: isize) -> Outcome {
        if self.editing {
            return match action {
                Some(Action::Submit) => {
                    let text = self.input.text().trim().to_string();
                    if text.is_empty() {
                        Outcome::Empty
                    } else {
                        Outcome::Submit(text)
                    }
                }
                Some(Action::Cancel) if self.phase == Phase::Empty => Outcome::Close,
                Some(Action::Cancel) => {
                    // Back to the results: the prompt shows their query again, not the text
                    // typed and not sent.
                    self.editing = false;
                    self.input = TextInput::default();
                    self.input.insert(&self.query.clone());
                    Outcome::Nothing
                }
                _ => Outcome::Nothing,
            };
        }
        let delta = match action {
            Some(Action::Up) => -1,
            Some(Action::Down) => 1,
            Some(Action::PageUp) => -page,
            Some(Action::PageDown) => page,
            Some(Action::Top) => isize::MIN / 2,
            Some(Action::Bottom) => isize::MAX / 2,
            Some(Action::Search) => {
                self.editing = true;
                return Outcome::Nothing;
            }
            Some(Action::Cancel) if self.phase == Phase::Running => {
                self.phase = Phase::Cancelled;
                return Outcome::Cancel;
            }
            Some(Action::Cancel) | Some(Action::Close) => return Outcome::Close,
            Some(Action::Help) => return Outcome::Help,
            Some(Action::CopyId) => {
                return match self.list.selected_item() {
                    Some(Hit { item: Some(id), .. }) => Outcome::Copy(id.clone(), "the item id"),
                    Some(hit) => Outcome::Copy(hit.conversation.clone(), "the conversation id"),
                    None => Outcome::Nothing,
                }
            }
            Some(Action::CopyJson) => {
                return match self.list.selected_item() {
                    Some(hit) => Outcome::Copy(hit.conversation.clone(), "the conversation id"),
                    None => Outcome::Nothing,
                }
            }
            Some(Action::Open) => {
                return match self.list.selected_item() {
                    Some(hit) => Outcome::Open(hit.clone()),
                    None => Outcome::Nothing,
                }
            }
            _ => return Outcome::Nothing,
        };
        self.list.move_by(delta);
        Outcome::Nothing
    }
}

/// The last graphemes of safe text that fit in `max` cells.
fn tail(s: &str, max: usize) -> &str {
    use unicode_segmentation::UnicodeSegmentation;
    let mut room = max;
    let mut at = s.len();
    for (i, g) in s.grapheme_indices(true).rev() {
        let w = fit::width(g);
        if w > room {
            break;
        }
        room -= w;
        at = i;
    }
    &s[at..]
}

/// The snippet as spans: the matches in the match style, every piece sanitized. When the text
/// before the first match would push it out of `width`, that text is cut at its start (`…`),
/// keeping a little of it, so the match is always in sight.
pub fn snippet_spans(hit: &Hit, width: usize) -> Vec<Span<'static>> {
    let pieces: Vec<(String, bool)> = hit
        .pieces()
        .into_iter()
        .map(|(t, m)| (sanitize::line(t), m))
        .collect();
    let mut out = Vec::new();
    let mut room = width;
    let mut skip = 0;
    if let Some(first) = pieces.iter().position(|(_, m)| *m) {
        let before: String = pieces[..first].iter().map(|(t, _)| t.as_str()).collect();
        let need = fit::width(&before) + fit::width(&pieces[first].0);
        if need > width && !before.is_empty() {
            // Room for the ellipsis, the match, and about a third of the row before it.
            let keep = width
                .saturating_sub(fit::width(&pieces[first].0) + 1)
                .min(width / 3);
            let mut kept = tail(&before, keep);
            // Start at a word when the cut falls inside one.
            let cut_at = before.len() - kept.len();
            if cut_at > 0 && !before[..cut_at].ends_with(' ') {
                if let Some(i) = kept.find(' ') {
                    kept = &kept[i + 1..];
                }
            }
            // The index's own ellipsis is not doubled.
            let kept = kept.trim_start_matches('…');
            out.push(Span::styled("…", THEME.dim()));
            out.push(Span::raw(kept.to_string()));
            room = room.saturating_sub(1 + fit::width(kept));
            skip = first;
        }
    }
    for (text, matched) in pieces.into_iter().skip(skip) {
        if room == 0 {
            break;
        }
        let clean = fit::cut(&text, room);
        room = room.saturating_sub(fit::width(&clean));
        let style = if matched {
            crate::tui::filter::match_style()
        } else {
            Style::new()
        };
        out.push(Span::styled(clean, style));
    }
    out
}

/// A hit's two rows: the title with type and role, then the snippet. The selected one is
/// marked on its first row only, so that the snippet keeps its match style.
fn rows(hit: &Hit, width: usize, selected: bool) -> [Line<'static>; 2] {
    let title = hit.title.as_deref().unwrap_or(&hit.conversation);
    let kind = match &hit.role {
        Some(role) => format!("{} · {}", hit.kind, role),
        None => hit.kind.clone(),
    };
    let kind = sanitize::line(&kind);
    let gone = if hit.deleted {
        " · gone on the server"
    } else {
        ""
    };
    let meta = format!("  {kind}{gone}");
    let title_room = width.saturating_sub(fit::width(&meta)).max(8);
    let (bar, title_style, meta_style) = if selected {
        ("▌", THEME.highlight(), THEME.highlight())
    } else {
        (" ", Style::new().add_modifier(Modifier::BOLD), THEME.dim())
    };
    let first = Line::from(vec![
        Span::styled(bar, THEME.accent()),
        Span::styled(fit::cut(&sanitize::line(title), title_room), title_style),
        Span::styled(fit::cut(&meta, width), meta_style),
    ]);
    let mut second = vec![Span::raw("   ")];
    second.extend(snippet_spans(hit, width.saturating_sub(3)));
    [first, Line::from(second)]
}

/// The prompt line: the query with a block cursor while it is edited.
fn prompt_line(s: &Search) -> Line<'static> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    if !s.editing {
        return Line::from(vec![
            Span::styled("search: ", THEME.dim()),
            Span::styled(sanitize::line(s.input.text()), bold),
        ]);
    }
    let (before, after) = s.input.split();
    let mut chars = after.chars();
    let under = chars.next().map(String::from).unwrap_or_else(|| " ".into());
    Line::from(vec![
        Span::styled("search: ", THEME.accent()),
        Span::styled(sanitize::line(before), bold),
        Span::styled(
            sanitize::line(&under),
            bold.fg(THEME.on_accent).bg(THEME.accent),
        ),
        Span::styled(sanitize::line(chars.as_str()), bold),
    ])
}

/// What the lines under the prompt say about the search: one line, or an error wrapped over
/// as many rows of `width` as it needs (at most `rows`).
fn state_lines(s: &Search, width: usize, rows: usize) -> Vec<Line<'static>> {
    let one = match &s.phase {
        Phase::Empty => Line::styled(
            "Words, \"a phrase\", prefix*, AND / OR / NOT · Enter searches every mirrored conversation",
            THEME.dim(),
        ),
        Phase::Running => Line::styled("searching…  (Esc stops)", THEME.dim()),
        Phase::Cancelled => Line::styled("Search stopped.", THEME.warning()),
        Phase::Failed(e) => {
            return fit::wrap(e, width.max(1), rows.max(1))
                .into_iter()
                .map(|row| Line::styled(row, THEME.error()))
                .collect()
        }
        Phase::Done if s.list.items.is_empty() => {
            Line::styled("No match in the mirror.", THEME.dim())
        }
        Phase::Done => {
            let n = s.list.items.len();
            let more = if n >= MAX_HITS { " (the best)" } else { "" };
            Line::styled(
                format!(
                    "{n} hit{}{more} · Enter opens the item · S searches again",
                    if n == 1 { "" } else { "s" }
                ),
                THEME.dim(),
            )
        }
    };
    vec![one]
}

/// Draws the pane over `area` (the body): prompt, state, then the hits.
pub fn draw(frame: &mut Frame, area: Rect, s: &Search) {
    frame.render_widget(Clear, area);
    let title = if s.query.is_empty() {
        " Search the mirror ".to_string()
    } else {
        format!(
            " Search · {} ",
            fit::cut(
                &sanitize::line(&s.query),
                area.width.saturating_sub(14) as usize
            )
        )
    };
    let outer = block(title, true);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let states = state_lines(
        s,
        inner.width as usize,
        inner.height.saturating_sub(1) as usize,
    );
    let [prompt, state, hits] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(states.len() as u16),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(prompt_line(s)), prompt);
    frame.render_widget(Paragraph::new(states), state);
    let width = hits.width.saturating_sub(2) as usize;
    // Two rows a hit: only those in the window are built.
    let visible = (hits.height as usize / 2).max(1);
    let at = s.list.position();
    let first = (at + 1).saturating_sub(visible);
    let lines: Vec<Line> = s
        .list
        .rows()
        .enumerate()
        .skip(first)
        .take(visible)
        .flat_map(|(n, (_, hit))| rows(hit, width, n == at && !s.editing))
        .collect();
    frame.render_widget(Paragraph::new(lines), hits);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::search::{CLOSE, OPEN};

    pub(crate) fn hit(conv: &str, item: &str, snippet: &str) -> Hit {
        Hit {
            conversation: conv.into(),
            title: Some(format!("Title of {conv}")),
            item: Some(item.into()),
            kind: "message".into(),
            role: Some("user".into()),
            snippet: snippet.into(),
            rank: -1.0,
            deleted: false,
        }
    }

    #[test]
    fn a_stale_or_cancelled_answer_is_dropped() {
        let mut s = Search::prompt("lisbon");
        s.start("lisbon", 7);
        assert!(!s.on_result(6, Ok(vec![hit("conv_a", "msg_1", "x")])));
        assert_eq!(s.phase, Phase::Running);
        assert_eq!(s.on_action(Some(Action::Cancel), 5), Outcome::Cancel);
        assert!(!s.on_result(7, Ok(vec![hit("conv_a", "msg_1", "x")])));
        assert_eq!(s.phase, Phase::Cancelled);
        assert!(s.list.items.is_empty());
        s.start("lisbon", 8);
        assert!(s.on_result(8, Ok(vec![hit("conv_a", "msg_1", "x")])));
        assert_eq!((s.phase.clone(), s.list.items.len()), (Phase::Done, 1));
    }

    #[test]
    fn keys_move_open_and_edit() {
        let mut s = Search::prompt("  ");
        assert_eq!(s.on_action(Some(Action::Submit), 5), Outcome::Empty);
        assert_eq!(s.on_action(Some(Action::Cancel), 5), Outcome::Close);
        let mut s = Search::prompt(" train ");
        assert_eq!(
            s.on_action(Some(Action::Submit), 5),
            Outcome::Submit("train".into())
        );
        s.start("train", 1);
        let hits = vec![hit("conv_a", "msg_1", "a"), hit("conv_b", "msg_2", "b")];
        assert!(s.on_result(1, Ok(hits.clone())));
        assert_eq!(s.on_action(Some(Action::Down), 5), Outcome::Nothing);
        assert_eq!(
            s.on_action(Some(Action::Open), 5),
            Outcome::Open(hits[1].clone())
        );
        assert_eq!(s.on_action(Some(Action::Search), 5), Outcome::Nothing);
        assert!(s.editing && s.context() == Context::SearchPrompt);
        s.input.insert(" unsent");
        assert_eq!(s.on_action(Some(Action::Cancel), 5), Outcome::Nothing);
        assert!(!s.editing, "Esc in the prompt goes back to the results");
        assert_eq!(
            s.input.text(),
            "train",
            "the prompt shows the results' query"
        );
        assert_eq!(s.on_action(Some(Action::Close), 5), Outcome::Close);
    }

    #[test]
    fn a_failed_search_keeps_its_reason_and_no_hits() {
        let mut s = Search::default();
        s.start("\"open", 3);
        assert!(s.on_result(3, Err("cannot parse the search query".into())));
        assert_eq!(
            s.phase,
            Phase::Failed("cannot parse the search query".into())
        );
        assert_eq!(s.on_action(Some(Action::Open), 5), Outcome::Nothing);
    }

    #[test]
    fn huge_text_is_cut_on_a_char_boundary() {
        let mut h = hit(
            "conv_a",
            "msg_1",
            &format!("{OPEN}{}{CLOSE}", "é".repeat(5000)),
        );
        h.title = Some("ü".repeat(3000));
        let b = bounded(h);
        assert!(b.snippet.len() <= MAX_TEXT && b.snippet.starts_with(OPEN));
        assert!(b.title.as_ref().unwrap().len() <= MAX_TEXT);
        assert!(b
            .pieces()
            .iter()
            .all(|(t, m)| *m && t.chars().all(|c| c == 'é')));
    }

    #[test]
    fn snippets_mark_matches_and_lose_control_characters() {
        let h = hit(
            "conv_a",
            "msg_1",
            &format!("to {OPEN}Lisbon{CLOSE} \u{1b}[31mred {OPEN}times{CLOSE}"),
        );
        let spans = snippet_spans(&h, 80);
        let matched: Vec<&str> = spans
            .iter()
            .filter(|s| s.style == crate::tui::filter::match_style())
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(matched, ["Lisbon", "times"]);
        assert!(spans.iter().all(|s| !s.content.contains('\u{1b}')));
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(text.contains("␛[31mred"), "the escape is shown: {text}");
    }

    #[test]
    fn a_match_far_into_the_snippet_is_in_sight() {
        let before = "lorem ipsum dolor ".repeat(10);
        let h = hit(
            "conv_a",
            "msg_1",
            &format!("{before}{OPEN}Lisbon{CLOSE} train times"),
        );
        let spans = snippet_spans(&h, 40);
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(text.starts_with('…'), "{text}");
        assert!(fit::width(&text) <= 40, "{text}");
        let at = spans
            .iter()
            .position(|s| s.style == crate::tui::filter::match_style())
            .expect("the match is shown");
        assert_eq!(spans[at].content, "Lisbon");
        assert!(text.contains("dolor Lisbon train"), "{text}");
        // A match wider than the row: the ellipsis and as much of the match as fits.
        let wide = hit(
            "conv_a",
            "msg_1",
            &format!("…ab {OPEN}{}{CLOSE}", "x".repeat(30)),
        );
        let text: String = snippet_spans(&wide, 20)
            .iter()
            .map(|s| s.content.as_ref())
            .collect();
        assert!(text.starts_with('…') && !text.starts_with("……"), "{text}");
        assert!(fit::width(&text) <= 20 && text.contains("xxxx"), "{text}");
        // Room for what is before it: the snippet from its start, the index's ellipsis too.
        let text: String = snippet_spans(&wide, 36)
            .iter()
            .map(|s| s.content.as_ref())
            .collect();
        assert!(text.starts_with("…ab xxxx"), "{text}");
        // A match that fits keeps the snippet from its start.
        let spans = snippet_spans(&h, 400);
        assert!(spans[0].content.starts_with("lorem"));
    }
}
