//! One value as one line of JSON that is safe to show on a terminal: besides what JSON
//! requires, every character the sanitizer would change is written as a `\uXXXX` escape.

use std::io::{self, Write};

use serde::Serialize;

/// JSON whose strings escape, besides what JSON requires, every character the terminal
/// sanitizer would change (C1 controls such as U+009B, U+2028/U+2029, bidirectional controls).
struct TerminalSafe;

impl serde_json::ser::Formatter for TerminalSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Printable ASCII (most of any listing) has nothing to escape.
        if fragment.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return writer.write_all(fragment.as_bytes());
        }
        // By grapheme cluster, as the sanitizer judges text: a joiner inside an emoji sequence
        // stays, a lone one is escaped.
        use unicode_segmentation::UnicodeSegmentation;
        let mut start = 0;
        for (i, cluster) in fragment.grapheme_indices(true) {
            if cluster.is_ascii() && !cluster.chars().any(|c| c.is_control()) {
                continue;
            }
            if !cluster.chars().any(|c| c.is_control()) && crate::sanitize::line(cluster) == cluster
            {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            for c in cluster.chars() {
                if c.is_ascii() && !c.is_control() {
                    write!(writer, "{c}")?;
                    continue;
                }
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
            start = i + cluster.len();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// One value as one line of JSON, safe to show on a terminal.
pub fn to_json_line<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        TerminalSafe,
    ))?;
    // The formatter writes only valid UTF-8 (whole fragments and ASCII escapes).
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// Appends one value as one line of JSON, safe to show on a terminal, and its newline: the
/// bytes of [`to_json_line`] and `\n`. On an error `out` is left as it was.
pub fn push_json_line<T: Serialize>(out: &mut Vec<u8>, value: &T) -> Result<(), serde_json::Error> {
    let start = out.len();
    let written = value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut *out,
        TerminalSafe,
    ));
    match written {
        Ok(()) => {
            out.push(b'\n');
            Ok(())
        }
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}
