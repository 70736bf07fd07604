//! One single-line text input: a cursor that moves (Left/Right, Home/End, ctrl-a/ctrl-e),
//! Backspace and Delete, ctrl-w deletes the word before the cursor, ctrl-u everything before
//! it, and a paste comes in as one line. Open-by-id uses it; a filter or a command line can.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextInput {
    text: String,
    /// The cursor, in chars from the start.
    cursor: usize,
}

impl TextInput {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// The text before and after the cursor, for drawing it.
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte_at(self.cursor))
    }

    pub fn insert(&mut self, s: &str) {
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, s);
        self.cursor += s.chars().count();
    }

    /// A paste: its lines and runs of blanks become single spaces.
    pub fn paste(&mut self, s: &str) {
        self.insert(&s.split_whitespace().collect::<Vec<_>>().join(" "));
    }

    fn delete_range(&mut self, from: usize, to: usize) {
        let (a, b) = (self.byte_at(from), self.byte_at(to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
    }

    /// Handles an editing key; answers whether it was one (changed or not).
    pub fn on_key(&mut self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        match ev.code {
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Char('u') if ctrl => self.delete_range(0, self.cursor),
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut from = self.cursor;
                while from > 0 && chars[from - 1].is_whitespace() {
                    from -= 1;
                }
                while from > 0 && !chars[from - 1].is_whitespace() {
                    from -= 1;
                }
                self.delete_range(from, self.cursor);
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.delete_range(self.cursor - 1, self.cursor)
            }
            KeyCode::Backspace => {}
            KeyCode::Delete if self.cursor < self.len() => {
                self.delete_range(self.cursor, self.cursor + 1)
            }
            KeyCode::Delete => {}
            KeyCode::Char(c) if !ctrl => self.insert(&c.to_string()),
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(input: &mut TextInput, code: KeyCode, mods: KeyModifiers) {
        assert!(input.on_key(&KeyEvent::new(code, mods)));
    }

    fn typed(s: &str) -> TextInput {
        let mut i = TextInput::default();
        for c in s.chars() {
            press(&mut i, KeyCode::Char(c), KeyModifiers::NONE);
        }
        i
    }

    #[test]
    fn the_cursor_moves_and_text_goes_in_at_it() {
        let mut i = typed("conv_2");
        press(&mut i, KeyCode::Left, KeyModifiers::NONE);
        press(&mut i, KeyCode::Char('1'), KeyModifiers::NONE);
        assert_eq!(i.text(), "conv_12");
        press(&mut i, KeyCode::Home, KeyModifiers::NONE);
        press(&mut i, KeyCode::Char('>'), KeyModifiers::NONE);
        assert_eq!(i.split(), (">", "conv_12"));
        press(&mut i, KeyCode::Char('e'), KeyModifiers::CONTROL);
        assert_eq!(i.cursor(), 8);
        press(&mut i, KeyCode::Char('a'), KeyModifiers::CONTROL);
        press(&mut i, KeyCode::Delete, KeyModifiers::NONE);
        press(&mut i, KeyCode::End, KeyModifiers::NONE);
        press(&mut i, KeyCode::Backspace, KeyModifiers::NONE);
        assert_eq!(i.text(), "conv_1");
        press(&mut i, KeyCode::Right, KeyModifiers::NONE);
        assert_eq!(i.cursor(), 6, "the cursor stops at the end");
    }

    #[test]
    fn word_and_line_deletes_stop_at_the_cursor() {
        let mut i = typed("open conv_1  conv_2");
        press(&mut i, KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(i.text(), "open conv_1  ");
        press(&mut i, KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(i.text(), "open ");
        let mut i = typed("héllo wörld");
        for _ in 0..3 {
            press(&mut i, KeyCode::Left, KeyModifiers::NONE);
        }
        press(&mut i, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(i.split(), ("", "rld"));
    }

    #[test]
    fn a_paste_is_one_line_and_control_keys_are_not_text() {
        let mut i = typed("id: ");
        i.paste("conv_1\n\n  tail\r\n");
        assert_eq!(i.text(), "id: conv_1 tail");
        assert!(!i.on_key(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL)));
        assert!(!i.on_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        assert_eq!(i.text(), "id: conv_1 tail");
    }
}
