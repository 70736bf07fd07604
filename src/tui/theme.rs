//! The colours, in one place. Views take their styles from `THEME`, the theme of the frame
//! being drawn (`view::draw` sets it from `App::theme`). Both themes use only the terminal's
//! 16 colours, so they follow the terminal's own palette; `NO_COLOR` gives a theme with no
//! colour at all (selection and badges in reverse video).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::ops::Deref;
use std::str::FromStr;

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
    /// The header's badge: the profile's accent colour.
    pub header: Color,
    /// No colour at all (`NO_COLOR`): emphasis by reverse video and bold only.
    pub plain: bool,
}

impl Theme {
    pub const DARK: Theme = Theme {
        accent: Color::Cyan,
        dim: Color::DarkGray,
        muted: Color::Gray,
        error: Color::Red,
        warning: Color::Yellow,
        ok: Color::Green,
        special: Color::Magenta,
        code: Color::LightBlue,
        label: Color::Yellow,
        selection: Color::Black,
        on_accent: Color::Black,
        header: Color::Cyan,
        plain: false,
    };

    pub const LIGHT: Theme = Theme {
        accent: Color::Blue,
        dim: Color::DarkGray,
        muted: Color::Black,
        error: Color::Red,
        warning: Color::Magenta,
        ok: Color::Green,
        special: Color::Magenta,
        code: Color::Blue,
        label: Color::Magenta,
        selection: Color::Gray,
        on_accent: Color::White,
        header: Color::Blue,
        plain: false,
    };

    /// `NO_COLOR`: every colour is the terminal's default.
    pub const NO_COLOR: Theme = Theme {
        accent: Color::Reset,
        dim: Color::Reset,
        muted: Color::Reset,
        error: Color::Reset,
        warning: Color::Reset,
        ok: Color::Reset,
        special: Color::Reset,
        code: Color::Reset,
        label: Color::Reset,
        selection: Color::Reset,
        on_accent: Color::Reset,
        header: Color::Reset,
        plain: true,
    };

    /// The look the UI has always had.
    pub const DEFAULT: Theme = Theme::DARK;

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
        if self.plain {
            Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD))
        } else {
            Style::new().bg(self.selection).add_modifier(Modifier::BOLD)
        }
    }

    /// Text on the accent colour (the chosen role).
    pub const fn badge(&self) -> Style {
        if self.plain {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().fg(self.on_accent).bg(self.accent)
        }
    }

    /// The header's badge, in the profile's colour.
    pub const fn header_badge(&self) -> Style {
        if self.plain {
            Style::new().add_modifier(Modifier::REVERSED.union(Modifier::BOLD))
        } else {
            Style::new()
                .fg(self.on_accent)
                .bg(self.header)
                .add_modifier(Modifier::BOLD)
        }
    }

    /// The theme the settings ask for: `theme = "dark"|"light"`, then each `[colors]`
    /// override, then the profile's `accent`. With `no_color`, none of them: no colour at all.
    /// Names and colours were checked when the settings were read; any still unknown is
    /// reported and skipped.
    pub fn from_settings(
        name: Option<&str>,
        colors: &BTreeMap<String, String>,
        accent: Option<&str>,
        no_color: bool,
    ) -> (Theme, Vec<String>) {
        if no_color {
            return (Theme::NO_COLOR, Vec::new());
        }
        let mut t = match name {
            Some("light") => Theme::LIGHT,
            _ => Theme::DARK,
        };
        let mut problems = Vec::new();
        for (key, value) in colors {
            let Ok(c) = Color::from_str(value.trim()) else {
                problems.push(format!("colors.{key}: not a colour"));
                continue;
            };
            let slot = match key.as_str() {
                "accent" => &mut t.accent,
                "dim" => &mut t.dim,
                "muted" => &mut t.muted,
                "error" => &mut t.error,
                "warning" => &mut t.warning,
                "ok" => &mut t.ok,
                "special" => &mut t.special,
                "code" => &mut t.code,
                "label" => &mut t.label,
                "selection" => &mut t.selection,
                "on_accent" => &mut t.on_accent,
                "header" => &mut t.header,
                other => {
                    problems.push(format!(
                        "colors.{other}: unknown (known: {})",
                        COLOUR_NAMES.join(", ")
                    ));
                    continue;
                }
            };
            *slot = c;
        }
        if let Some(c) = accent.and_then(|a| Color::from_str(a.trim()).ok()) {
            t.header = c;
        }
        (t, problems)
    }
}

/// The names `[colors]` accepts.
pub const COLOUR_NAMES: [&str; 12] = [
    "accent",
    "dim",
    "muted",
    "error",
    "warning",
    "ok",
    "special",
    "code",
    "label",
    "selection",
    "on_accent",
    "header",
];

/// Whether `NO_COLOR` asks for no colour (set and not empty, per https://no-color.org).
pub fn no_color_from_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

impl Default for Theme {
    fn default() -> Self {
        Theme::DEFAULT
    }
}

thread_local! {
    static CURRENT: Cell<&'static Theme> = const { Cell::new(&Theme::DEFAULT) };
    /// Every theme made current so far on this thread (a handful: one per profile's look).
    static KNOWN: std::cell::RefCell<Vec<&'static Theme>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Makes `theme` the one `THEME` gives on this thread (the drawing thread).
pub fn set(theme: Theme) {
    if *CURRENT.with(Cell::get) == theme {
        return;
    }
    let stored = KNOWN.with(|k| {
        let mut k = k.borrow_mut();
        match k.iter().find(|t| ***t == theme) {
            Some(t) => *t,
            None => {
                let t: &'static Theme = Box::leak(Box::new(theme));
                k.push(t);
                t
            }
        }
    });
    CURRENT.with(|c| c.set(stored));
}

/// The current theme, read as `THEME.accent()`.
pub struct Current;

impl Deref for Current {
    type Target = Theme;
    fn deref(&self) -> &Theme {
        CURRENT.with(Cell::get)
    }
}

/// The theme the views use: the one of the frame being drawn.
pub static THEME: Current = Current;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_pick_and_override() {
        let colors: BTreeMap<String, String> = [
            ("accent".to_string(), "green".to_string()),
            ("nope".to_string(), "red".to_string()),
        ]
        .into();
        let (t, problems) = Theme::from_settings(Some("light"), &colors, Some("red"), false);
        assert_eq!(t.accent, Color::Green);
        assert_eq!(t.header, Color::Red);
        assert_eq!(t.selection, Theme::LIGHT.selection);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("colors.nope: unknown"));
        let (t, _) = Theme::from_settings(Some("light"), &colors, Some("red"), true);
        assert_eq!(t, Theme::NO_COLOR);
    }

    #[test]
    fn both_themes_use_only_the_16_colours() {
        for t in [Theme::DARK, Theme::LIGHT] {
            for c in [
                t.accent,
                t.dim,
                t.muted,
                t.error,
                t.warning,
                t.ok,
                t.special,
                t.code,
                t.label,
                t.selection,
                t.on_accent,
                t.header,
            ] {
                assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
            }
        }
    }

    #[test]
    fn set_changes_what_theme_gives() {
        set(Theme::LIGHT);
        assert_eq!(THEME.accent, Color::Blue);
        set(Theme::DARK);
        assert_eq!(THEME.accent, Color::Cyan);
    }
}
