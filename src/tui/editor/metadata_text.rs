//! Metadata as editable text: one `key = value` per line, with escapes so that nothing is lost.
//!
//! The text splits each line at the first `=` that is not escaped. Spaces around the key and the
//! value are trimmed. Lines that are blank or start with `#` are skipped. Escapes:
//!
//! | escape    | means                                         |
//! |-----------|-----------------------------------------------|
//! | `\n`      | a newline                                     |
//! | `\t` `\r` | a tab, a carriage return                      |
//! | `\\`      | a backslash                                   |
//! | `\s`      | a space (kept even at the start or the end)   |
//! | `\=`      | an `=` (needed in keys only)                  |
//! | `\#`      | a `#` (needed only at the start of a key)     |
//! | `\u{263A}`| any character, by its hex code                |

use std::collections::BTreeMap;

use crate::protocol::validate::{self, MAX_KEY_CHARS, MAX_METADATA_PAIRS, MAX_VALUE_CHARS};
use crate::protocol::ApiError;

pub type Metadata = BTreeMap<String, String>;

/// The escapes in one line, for the editor's help.
pub const ESCAPES_HELP: &str = r"one key = value per line · escapes: \n newline  \t tab  \\ backslash  \s space at an end  \= in keys  \u{hex}  # comment";

/// One error, on one line (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// The result of reading the text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub map: Metadata,
    /// Pairs in the order written, with their line.
    pub pairs: Vec<(usize, String, String)>,
    pub errors: Vec<LineError>,
}

impl Parsed {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// `5/16`
    pub fn counter(&self) -> String {
        format!("{}/{MAX_METADATA_PAIRS}", self.pairs.len())
    }

    /// The error of a line, if any.
    pub fn error_at(&self, line: usize) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.line == line)
            .map(|e| e.message.as_str())
    }
}

fn needs_code(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// Escapes a key or a value so that `parse` gives it back.
fn escape(s: &str, is_key: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let at_end = i == 0 || i + 1 == chars.len();
        match c {
            '\\' => out.push_str(r"\\"),
            '\n' => out.push_str(r"\n"),
            '\t' => out.push_str(r"\t"),
            '\r' => out.push_str(r"\r"),
            ' ' if at_end => out.push_str(r"\s"),
            '=' if is_key => out.push_str(r"\="),
            '#' if is_key && i == 0 => out.push_str(r"\#"),
            c if needs_code(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Shows a value the way the editor writes it (for diffs and messages).
pub fn show(s: &str) -> String {
    escape(s, false)
}

/// Shows a key the way the editor writes it, so `a=b` reads as one key, not a pair.
pub fn show_key(s: &str) -> String {
    escape(s, true)
}

/// The editor text for a map: one line per pair, in key order.
pub fn to_text(map: &Metadata) -> String {
    map.iter()
        .map(|(k, v)| {
            let v = escape(v, false);
            if v.is_empty() {
                format!("{} =", escape(k, true))
            } else {
                format!("{} = {v}", escape(k, true))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads back what `escape` wrote; explains the first bad escape.
fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('s') => out.push(' '),
            Some('=') => out.push('='),
            Some('#') => out.push('#'),
            Some('u') => {
                if chars.next() != Some('{') {
                    return Err(r"\u needs braces, as in \u{263a}".into());
                }
                let mut hex = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(h) if h.is_ascii_hexdigit() && hex.len() < 6 => hex.push(h),
                        _ => return Err(r"\u{…} needs 1 to 6 hex digits and a }".into()),
                    }
                }
                let ch = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!(r"\u{{{hex}}} is not a character"))?;
                out.push(ch);
            }
            Some(other) => {
                return Err(format!(
                    r"unknown escape \{}; write \\ for a backslash",
                    show(&other.to_string())
                ))
            }
            None => return Err(r"a lone \ at the end; write \\ for a backslash".into()),
        }
    }
    Ok(out)
}

/// The byte index of the first `=` that is not escaped.
fn split_at_equals(line: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '=' => return Some(i),
            _ => {}
        }
    }
    None
}

/// Reads the editor text and checks it against the API's limits, line by line.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    for (n, line) in text.split('\n').enumerate() {
        let trimmed = line.trim_matches([' ', '\t']);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some(eq) = split_at_equals(line) else {
            parsed.errors.push(LineError {
                line: n,
                message: "not key = value (no =)".into(),
            });
            continue;
        };
        let (raw_key, raw_value) = (&line[..eq], &line[eq + 1..]);
        let key = match unescape(raw_key.trim_matches([' ', '\t'])) {
            Ok(k) => k,
            Err(e) => {
                parsed.errors.push(LineError {
                    line: n,
                    message: format!("key: {e}"),
                });
                continue;
            }
        };
        let value = match unescape(raw_value.trim_matches([' ', '\t'])) {
            Ok(v) => v,
            Err(e) => {
                parsed.errors.push(LineError {
                    line: n,
                    message: format!("value: {e}"),
                });
                continue;
            }
        };
        if let Some(message) = pair_error(&key, &value) {
            parsed.errors.push(LineError { line: n, message });
            continue;
        }
        if let Some(first) = first_line.get(&key) {
            parsed.errors.push(LineError {
                line: n,
                message: format!("duplicate key; first on line {}", first + 1),
            });
            continue;
        }
        first_line.insert(key.clone(), n);
        parsed.pairs.push((n, key.clone(), value.clone()));
        parsed.map.insert(key, value);
    }
    if parsed.pairs.len() > MAX_METADATA_PAIRS {
        for (n, _, _) in &parsed.pairs[MAX_METADATA_PAIRS..] {
            parsed.errors.push(LineError {
                line: *n,
                message: format!("too many keys: at most {MAX_METADATA_PAIRS}"),
            });
        }
    }
    parsed.errors.sort_by_key(|e| e.line);
    parsed
}

fn pair_error(key: &str, value: &str) -> Option<String> {
    let key_len = key.chars().count();
    let value_len = value.chars().count();
    if key_len == 0 {
        Some("empty key: keys need 1 to 64 characters".into())
    } else if key_len > MAX_KEY_CHARS {
        Some(format!(
            "key has {key_len} characters; at most {MAX_KEY_CHARS}"
        ))
    } else if value_len > MAX_VALUE_CHARS {
        Some(format!(
            "value has {value_len} characters; at most {MAX_VALUE_CHARS}"
        ))
    } else {
        None
    }
}

/// The API's own check of a whole map, with its wording; the last gate before sending.
pub fn check(map: &Metadata) -> Result<(), String> {
    let value = serde_json::Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
    );
    validate::metadata(&value)
        .map(|_| ())
        .map_err(|e: ApiError| e.message)
}

/// The API's message for too many keys, as the summary of a refused save.
pub fn too_many_message(got: usize) -> String {
    ApiError::too_many_properties("metadata", MAX_METADATA_PAIRS, got).message
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added {
        key: String,
        value: String,
    },
    Changed {
        key: String,
        old: String,
        new: String,
    },
    Removed {
        key: String,
        old: String,
    },
}

/// Keys added, changed and removed, in key order.
pub fn diff(old: &Metadata, new: &Metadata) -> Vec<Change> {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| match (old.get(k), new.get(k)) {
            (None, Some(v)) => Some(Change::Added {
                key: k.clone(),
                value: v.clone(),
            }),
            (Some(o), Some(n)) if o != n => Some(Change::Changed {
                key: k.clone(),
                old: o.clone(),
                new: n.clone(),
            }),
            (Some(o), None) => Some(Change::Removed {
                key: k.clone(),
                old: o.clone(),
            }),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> Metadata {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tricky_values_round_trip() {
        let m = map(&[
            ("title", "a = b # not a comment"),
            ("lines", "one\ntwo\r\nthree"),
            ("spaced", "  padded  "),
            ("empty", ""),
            ("quotes", r#"'single' "double" \ back"#),
            ("unicode", "héllo ✓ 日本 🙂"),
            ("#hash", "x"),
            ("k=v", "="),
            (" lead", "tab\there"),
            ("ctl", "\u{1b}[2J\u{202e}"),
        ]);
        let text = to_text(&m);
        assert!(!text.contains('\u{1b}'));
        let back = parse(&text);
        assert_eq!(back.errors, []);
        assert_eq!(back.map, m);
        assert!(text.contains(r"lines = one\ntwo\r\nthree"), "{text}");
        assert!(text.contains(r"spaced = \s padded \s"), "{text}");
        assert!(text.contains("empty =\n"), "{text}");
    }

    #[test]
    fn hand_written_text() {
        let p = parse("# a comment\n\n  title =  Hello world \nplain=x=y\nkey with spaces = v");
        assert_eq!(p.errors, []);
        assert_eq!(
            p.map,
            map(&[
                ("title", "Hello world"),
                ("plain", "x=y"),
                ("key with spaces", "v")
            ])
        );
        assert_eq!(p.counter(), "3/16");
    }

    #[test]
    fn errors_name_their_line() {
        let long_key = "k".repeat(65);
        let long_value = "v".repeat(513);
        let text = format!(
            "ok = 1\nno equals here\n{long_key} = x\nv = {long_value}\nok = 2\n = empty\nbad = \\q"
        );
        let p = parse(&text);
        let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5, 6]);
        assert!(p.error_at(1).unwrap().contains("no ="));
        assert!(p.error_at(2).unwrap().contains("65 characters"));
        assert!(p.error_at(3).unwrap().contains("513 characters"));
        assert!(p
            .error_at(4)
            .unwrap()
            .contains("duplicate key; first on line 1"));
        assert!(p.error_at(5).unwrap().contains("empty key"));
        assert!(p.error_at(6).unwrap().contains(r"unknown escape \q"));
    }

    #[test]
    fn a_seventeenth_key_is_an_error_on_its_line() {
        let text: Vec<String> = (0..17).map(|i| format!("k{i} = {i}")).collect();
        let p = parse(&text.join("\n"));
        assert_eq!(p.counter(), "17/16");
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].line, 16);
        assert!(too_many_message(17).contains("at most 16 properties"));
        assert!(check(&p.map).is_err());
    }

    #[test]
    fn diff_lists_added_changed_and_removed() {
        let old = map(&[("a", "1"), ("b", "2"), ("c", "3")]);
        let new = map(&[("a", "1"), ("b", "20"), ("d", "4")]);
        assert_eq!(
            diff(&old, &new),
            [
                Change::Changed {
                    key: "b".into(),
                    old: "2".into(),
                    new: "20".into()
                },
                Change::Removed {
                    key: "c".into(),
                    old: "3".into()
                },
                Change::Added {
                    key: "d".into(),
                    value: "4".into()
                },
            ]
        );
    }
}
