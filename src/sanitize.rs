//! Text from a server is untrusted: control characters and escape sequences never reach a
//! terminal, from the terminal UI or the CLI. They are shown as visible placeholders instead.

/// Makes one line of text safe: every control character (newlines and tabs included) becomes
/// visible (`␛`, `↵`, `→`, or `�`).
pub fn line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_safe(&mut out, c, false);
    }
    out
}

/// Makes multi-line text safe, splitting it into lines. Tabs become spaces.
pub fn lines(s: &str) -> Vec<String> {
    s.split('\n')
        .map(|l| {
            let mut out = String::with_capacity(l.len());
            for c in l.strip_suffix('\r').unwrap_or(l).chars() {
                push_safe(&mut out, c, true);
            }
            out
        })
        .collect()
}

fn push_safe(out: &mut String, c: char, multiline: bool) {
    match c {
        '\t' if multiline => out.push_str("    "),
        '\t' => out.push('→'),
        '\n' | '\r' => out.push('↵'),
        '\u{1b}' => out.push('␛'),
        c if c.is_control() => out.push('�'),
        // Bidirectional overrides and zero-width formatting can disguise text.
        '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}' => out.push('�'),
        c => out.push(c),
    }
}

/// Cuts a single line to at most `max` characters, adding `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_never_pass() {
        let hostile = "a\u{1b}[2J\u{1b}]52;c;aGk=\u{7}b\u{9b}c\u{202e}d";
        let safe = line(hostile);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe:?}");
        assert!(safe.starts_with("a␛[2J"));
        let many = lines("one\r\ntwo\tx\u{1b}");
        assert_eq!(many, ["one", "two    x␛"]);
        assert_eq!(line("a\nb"), "a↵b");
    }

    #[test]
    fn truncates_by_characters() {
        assert_eq!(truncate("héllo", 10), "héllo");
        assert_eq!(truncate("héllo wörld", 6), "héllo…");
    }
}
