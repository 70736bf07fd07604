//! The editors' questions, as the one confirm asks them.

use ratatui::text::Line;

use super::metadata_text::{self, Change};
use super::MetadataEditor;
use super::Target;
use crate::tui::modal::{Confirm, Pending};
use crate::tui::sanitize;
use crate::tui::theme::THEME;

/// The diff lines, with values escaped as the editor writes them.
pub fn diff_lines(changes: &[Change]) -> Vec<Line<'static>> {
    let v = |s: &str| sanitize::truncate(&metadata_text::show(s), 60);
    let k = |s: &str| sanitize::truncate(&metadata_text::show_key(s), 30);
    if changes.is_empty() {
        return vec![Line::styled("no metadata", THEME.dim())];
    }
    changes
        .iter()
        .map(|c| match c {
            Change::Added { key, value } => {
                Line::styled(format!("+ {} = {}", k(key), v(value)), THEME.ok())
            }
            Change::Changed { key, old, new } => Line::styled(
                format!("~ {}: {} → {}", k(key), v(old), v(new)),
                THEME.warning(),
            ),
            Change::Removed { key, old } => {
                Line::styled(format!("- {} (was {})", k(key), v(old)), THEME.error())
            }
        })
        .collect()
}

/// "Save these changes?" with the diff (or "Create this conversation?").
pub fn save(ed: &MetadataEditor, changes: &[Change]) -> Confirm {
    let count = |f: fn(&Change) -> bool| changes.iter().filter(|c| f(c)).count();
    let added = count(|c| matches!(c, Change::Added { .. }));
    let changed = count(|c| matches!(c, Change::Changed { .. }));
    let removed = count(|c| matches!(c, Change::Removed { .. }));
    let mut lines = vec![Line::raw(format!(
        "{added} added · {changed} changed · {removed} removed"
    ))];
    lines.extend(diff_lines(changes));
    let title = match &ed.target {
        Target::Existing(_) => "Save these changes?",
        Target::New => {
            let m = ed.message_text();
            lines.push(Line::raw(if m.trim().is_empty() {
                "no first message".to_string()
            } else {
                format!("first message: {} characters", m.chars().count())
            }));
            "Create this conversation?"
        }
    };
    Confirm::new(title, lines, Pending::SaveMetadata)
}

pub fn discard_changes() -> Confirm {
    Confirm::new(
        "Discard your changes?",
        vec![Line::raw(
            "The text you typed will be lost, and its draft deleted.",
        )],
        Pending::DiscardChanges,
    )
}

pub fn discard_text() -> Confirm {
    Confirm::new(
        "Discard this text?",
        vec![Line::raw("The text will be lost, and its draft deleted.")],
        Pending::DiscardChanges,
    )
}

/// The answers the draft question takes.
pub const DRAFT_KEYS: &str = "y restores it · d discards it · n/Esc: not now, it stays";

/// A draft of the metadata editor was found.
pub fn restore_metadata(draft: &str) -> Confirm {
    let n = draft.lines().count();
    Confirm::new(
        "Restore the draft?",
        vec![
            Line::raw(format!(
                "A draft from an earlier session was found ({n} line{}).",
                if n == 1 { "" } else { "s" }
            )),
            Line::styled(DRAFT_KEYS, THEME.dim()),
        ],
        Pending::RestoreDraft(draft.to_string()),
    )
}

/// A draft of the composer was found.
pub fn restore_composer(draft: &str) -> Confirm {
    Confirm::new(
        "Restore the draft?",
        vec![
            Line::raw("Unsent text from an earlier session was found."),
            Line::styled(DRAFT_KEYS, THEME.dim()),
        ],
        Pending::RestoreDraft(draft.to_string()),
    )
}
