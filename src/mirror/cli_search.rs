//! `convtui search`: the query from its arguments, and its hits printed, plain (sanitized, the
//! matches in bold on a terminal) or as JSON lines.

use std::io::{IsTerminal, Write};

use serde_json::json;

use super::cli::{safe_json, Failure, SearchArgs};
use super::{Hit, Mirror, SearchError, SearchQuery};
use crate::sanitize;

pub(super) fn search(mirror: &Mirror, args: SearchArgs) -> Result<(), Failure> {
    // An id inside a pasted URL or text is found as `add` finds it; text with none is refused,
    // as `sync` and `stats` refuse it.
    let conversation = match args.conversation {
        Some(c) => match crate::registry::id_in(&c) {
            Some(id) => Some(id),
            None => {
                let why = crate::registry::not_an_id(&c);
                return Err(Failure(format!("{why}; nothing was searched"), 2));
            }
        },
        None => None,
    };
    let query = SearchQuery {
        text: args.query,
        conversation,
        kind: args.kind,
        role: args.role,
        limit: args.limit as usize,
    };
    let hits = mirror.search(&query).map_err(|e| match e {
        SearchError::Query(_) | SearchError::TooLong(_) => Failure(e.to_string(), 2),
        other => Failure(other.to_string(), 1),
    })?;
    if hits.is_empty() {
        crate::commands::eprint_line("no hits", &why_none(mirror, &query));
    }
    let tty = std::io::stdout().is_terminal();
    // One write for all the hits (stdout alone writes line by line).
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let written = write_hits(&mut out, &hits, args.json, tty).and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// What an empty answer is told, when a filter explains it: a conversation the mirror has
/// nothing of, or a type the API does not list.
fn why_none(mirror: &Mirror, q: &SearchQuery) -> String {
    let shown = |s: &str| sanitize::truncate(&sanitize::line(s), 80);
    if let Some(c) = &q.conversation {
        let known = mirror.conversations().is_ok_and(|all| all.contains(c))
            || mirror.has_items(c).unwrap_or(true);
        if !known {
            return format!("the mirror has nothing of conversation '{}'", shown(c));
        }
    }
    if let Some(k) = &q.kind {
        if k != "conversation" && !crate::protocol::validate::ITEM_TYPES.contains(&k.as_str()) {
            return format!(
                "'{}' is not an item type the API lists ({}, or conversation for metadata)",
                shown(k),
                crate::protocol::validate::ITEM_TYPES.join(", ")
            );
        }
    }
    "nothing mirrored matches".into()
}

/// A snippet's matches as char ranges of its text without markers: `[[start, end], …]`.
fn match_ranges(hit: &Hit) -> (String, Vec<[usize; 2]>) {
    let mut text = String::new();
    let mut ranges = Vec::new();
    let mut at = 0;
    for (piece, matched) in hit.pieces() {
        let n = piece.chars().count();
        if matched {
            ranges.push([at, at + n]);
        }
        text.push_str(piece);
        at += n;
    }
    (text, ranges)
}

fn write_hits(out: &mut impl Write, hits: &[Hit], json: bool, tty: bool) -> std::io::Result<()> {
    for hit in hits {
        let text = if json {
            let (plain, matches) = match_ranges(hit);
            safe_json(&json!({
                "conversation": hit.conversation,
                "title": hit.title,
                "item": hit.item,
                "type": hit.kind,
                "role": hit.role,
                "snippet": hit.marked(),
                // Unambiguous where the text itself holds brackets.
                "snippet_text": plain,
                "matches": matches,
                "rank": hit.rank,
                "deleted": hit.deleted,
            }))
        } else {
            show(hit, tty)
        };
        writeln!(out, "{text}")?;
    }
    Ok(())
}

/// A hit as two lines of text; everything from the server is sanitized.
fn show(hit: &Hit, tty: bool) -> String {
    let (open, close) = if tty {
        ("\x1b[1m", "\x1b[22m")
    } else {
        ("[", "]")
    };
    let mut head = match &hit.title {
        Some(t) => format!(
            "{} ({})",
            sanitize::truncate(&sanitize::line(t), 60),
            sanitize::line(&hit.conversation)
        ),
        None => sanitize::line(&hit.conversation),
    };
    head.push_str(&format!(
        " · {} · {}",
        hit.item
            .as_deref()
            .map(sanitize::line)
            .unwrap_or_else(|| "metadata".into()),
        sanitize::line(&hit.kind)
    ));
    if let Some(role) = &hit.role {
        head.push_str(&format!(" · {}", sanitize::line(role)));
    }
    if hit.deleted {
        head.push_str(" · deleted on the server");
    }
    let mut snippet = String::new();
    for (piece, matched) in hit.pieces() {
        let safe = sanitize::line(&piece.replace('\n', " "));
        if matched {
            snippet.push_str(&format!("{open}{safe}{close}"));
        } else {
            snippet.push_str(&safe);
        }
    }
    format!("{head}\n    {snippet}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_are_shown_sanitized_with_marked_matches() {
        let hit = Hit {
            conversation: "conv_1".into(),
            title: Some("Trip\u{1b}[31m".into()),
            item: Some("msg_1".into()),
            kind: "message".into(),
            role: Some("user".into()),
            snippet: format!(
                "a\u{1b}]52;x {}Lisbon{} b",
                super::super::search::OPEN,
                super::super::search::CLOSE
            ),
            rank: -1.0,
            deleted: true,
        };
        let plain = show(&hit, false);
        assert_eq!(
            plain,
            "Trip␛[31m (conv_1) · msg_1 · message · user · deleted on the server\n    a␛]52;x [Lisbon] b"
        );
        let bold = show(&hit, true);
        assert!(bold.contains("\x1b[1mLisbon\x1b[22m"), "{bold:?}");
        assert_eq!(
            bold.matches('\u{1b}').count(),
            2,
            "only our own escapes: {bold:?}"
        );
        let j = safe_json(&json!({"t": "x\u{9b}y\u{202e}"}));
        assert_eq!(j, r#"{"t":"x\u009by\u202e"}"#);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&j).unwrap()["t"],
            "x\u{9b}y\u{202e}"
        );
    }
}
