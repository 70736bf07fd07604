//! The colours, in one place. Views take their styles from a `Theme`; `Theme::DEFAULT` is
//! the look the UI has always had. NO_COLOR is honoured where colours are written out, by
//! crossterm, as before.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Headings, focused borders, key names in the hints, the spinner.
    pub accent: Color,
    /// Secondary text: ids, hints, empty states.
    pub dim: Color,
    /// Less dim secondary text (a conversation's metadata).
    pub muted: Color,
    pub error: Color,
    pub warning: Color,
    pub ok: Color,
    /// Marks, placeholders.
    pub special: Color,
    /// Code and similar literal text.
    pub code: Color,
    /// Labels of items; key names in help.
    pub label: Color,
    /// The selected row's background.
    pub selection: Color,
    /// Text on an accent background.
    pub on_accent: Color,
}

impl Theme {
    pub const DEFAULT: Theme = Theme {
        accent: Color::Cyan,
        dim: Color::DarkGray,
        muted: Color::Gray,
        error: Color::Red,
        warning: Color::Yellow,
        ok: Color::Green,
        special: Color::Magenta,
        code: Color::LightBlue,
        label: Color::Yellow,
        selection: Color::Rgb(40, 50, 70),
        on_accent: Color::Black,
    };

    /// A colour of the theme as a text style.
    pub const fn fg_of(&self, c: Color) -> Style {
        Style::new().fg(c)
    }

    pub const fn accent(&self) -> Style {
        Style::new().fg(self.accent)
    }

    pub const fn dim(&self) -> Style {
        Style::new().fg(self.dim)
    }

    pub const fn error(&self) -> Style {
        Style::new().fg(self.error)
    }

    pub const fn warning(&self) -> Style {
        Style::new().fg(self.warning)
    }

    pub const fn ok(&self) -> Style {
        Style::new().fg(self.ok)
    }

    pub const fn heading(&self) -> Style {
        Style::new().fg(self.accent).add_modifier(Modifier::BOLD)
    }

    pub const fn highlight(&self) -> Style {
        Style::new().bg(self.selection).add_modifier(Modifier::BOLD)
    }

    /// Text on the accent colour (the header's name, the chosen role).
    pub const fn badge(&self) -> Style {
        Style::new().fg(self.on_accent).bg(self.accent)
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::DEFAULT
    }
}

/// The theme the views use.
pub const THEME: Theme = Theme::DEFAULT;
