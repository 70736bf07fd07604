//! The terminal UI's own settings in the config file: `mouse = false`, and the keymap as
//! `key = "action"` per context:
//!
//! ```toml
//! mouse = false
//! [keys.timeline]
//! x = "delete"
//! ```
//!
//! They are read from the file's text (key names such as `Y` or `/` are kept exactly), and
//! every problem names its line.

use std::path::Path;

use super::keymap::{Keymap, OverrideProblem};
use super::state::{App, Status};

/// One `key = "action"` line of a `[keys.CONTEXT]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLine {
    pub context: String,
    pub key: String,
    pub action: String,
    /// The line of the file, from 1.
    pub line: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Mouse capture (on unless `mouse = false`).
    pub mouse: bool,
    pub keys: Vec<KeyLine>,
    /// Every profile the file names, and the built-in ones.
    pub profiles: Vec<String>,
    /// What could not be read, each naming its line where it has one.
    pub problems: Vec<String>,
    /// The file's name, for messages.
    pub file: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mouse: true,
            keys: Vec::new(),
            profiles: vec!["local".into(), "openai".into()],
            problems: Vec::new(),
            file: "config.toml".into(),
        }
    }
}

/// The line of `key` in the table `[table]`.
fn line_of(text: &str, table: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = header.trim().replace([' ', '"'], "");
            continue;
        }
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        let name = name
            .strip_prefix('"')
            .and_then(|n| n.strip_suffix('"'))
            .or_else(|| name.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')))
            .unwrap_or(name);
        if current == table && name == key {
            return Some(n + 1);
        }
    }
    None
}

/// Reads the settings from the file's text.
pub fn parse(text: &str, file: &str) -> Settings {
    let mut s = Settings {
        file: file.to_string(),
        ..Settings::default()
    };
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        // The config loader has already refused a file that is not TOML.
        Err(_) => return s,
    };
    match table.get("mouse") {
        None => {}
        Some(toml::Value::Boolean(b)) => s.mouse = *b,
        Some(_) => s.problems.push(format!(
            "{file} line {}: mouse must be true or false",
            line_of(text, "", "mouse").unwrap_or(0)
        )),
    }
    if let Some(toml::Value::Table(profiles)) = table.get("profiles") {
        for name in profiles.keys() {
            if !s.profiles.contains(name) {
                s.profiles.push(name.clone());
            }
        }
    }
    match table.get("keys") {
        None => {}
        Some(toml::Value::Table(contexts)) => {
            for (context, keys) in contexts {
                let toml::Value::Table(keys) = keys else {
                    // `Q = "action"` straight under [keys]: a binding with no context.
                    let line = line_of(text, "keys", context).unwrap_or(0);
                    s.problems.push(format!(
                        "{file} line {line}: {context} = {keys}: a key goes in a context table such as [keys.timeline] or [keys.global]"
                    ));
                    continue;
                };
                for (key, action) in keys {
                    let line = line_of(text, &format!("keys.{context}"), key);
                    match action.as_str() {
                        Some(a) => s.keys.push(KeyLine {
                            context: context.clone(),
                            key: key.clone(),
                            action: a.to_string(),
                            line,
                        }),
                        None => s.problems.push(format!(
                            "{file} line {}: the action of {key} must be a name in quotes",
                            line.unwrap_or(0)
                        )),
                    }
                }
            }
        }
        Some(_) => s.problems.push(format!(
            "{file}: keys must be tables such as [keys.timeline]"
        )),
    }
    // The file's own order, so that a later line wins over an earlier one.
    s.keys.sort_by_key(|k| k.line.unwrap_or(usize::MAX));
    s
}

/// Reads the settings file, if there is one.
pub fn load(path: Option<&Path>) -> Settings {
    let Some(path) = path else {
        return Settings::default();
    };
    let file = path
        .file_name()
        .map_or("config.toml".into(), |n| n.to_string_lossy().into_owned());
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &file),
        Err(_) => Settings::default(),
    }
}

/// Puts the start-up warnings on the status line and, each on its own, in the message log
/// (`m`), after any warning already shown (the profile's theme), at unix second `at`.
pub fn report(app: &mut App, warnings: &[String], at: i64) {
    let mut shown = Vec::new();
    if let Some(Status::Warning(w)) = &app.status {
        shown.push(w.clone());
        app.log.push(at, Status::Warning(w.clone()));
    }
    for w in warnings {
        shown.push(w.clone());
        app.log.push(at, Status::Warning(w.clone()));
    }
    if !shown.is_empty() {
        app.status = Some(Status::Warning(shown.join(" · ")));
    }
}

/// Applies the key lines to the keymap; answers a warning per problem, naming its line.
pub fn apply_keys(keymap: &mut Keymap, settings: &Settings) -> Vec<String> {
    let mut warnings = settings.problems.clone();
    for k in &settings.keys {
        let target = format!("{}.{}", k.context, k.key);
        let at = match k.line {
            Some(n) => format!("{} line {n}", settings.file),
            None => settings.file.clone(),
        };
        for p in keymap.apply_overrides([(target.as_str(), k.action.as_str())]) {
            let what = match &p {
                OverrideProblem::Replaced { .. } => format!("{p}: two actions on one key"),
                _ => p.to_string(),
            };
            warnings.push(format!("{at}: {what}"));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::{Action, Context};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    const FILE: &str = r#"mouse = false
default_profile = "work"

[profiles.work]
base_url = "http://127.0.0.1:1/v1"

[keys.timeline]
x = "delete"
"ctrl-i" = "mark"
Y = "copy-id"

[keys.conversations]
d = "forget"
"/" = "explode"
"#;

    #[test]
    fn keys_and_mouse_are_read_with_their_lines() {
        let s = parse(FILE, "config.toml");
        assert!(!s.mouse);
        assert!(s.profiles.contains(&"work".to_string()));
        let x = s.keys.iter().find(|k| k.key == "x").unwrap();
        assert_eq!(
            (x.context.as_str(), x.action.as_str(), x.line),
            ("timeline", "delete", Some(8))
        );
        let y = s.keys.iter().find(|k| k.key == "Y").unwrap();
        assert_eq!(y.line, Some(10), "capitals are kept");
    }

    #[test]
    fn problems_name_the_line_and_good_lines_still_apply() {
        let s = parse(FILE, "config.toml");
        let mut km = Keymap::default();
        let warnings = apply_keys(&mut km, &s);
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(km.lookup(Context::Timeline, &x), Some(Action::Delete));
        let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(
            km.lookup(Context::Timeline, &tab),
            Some(Action::NextPane),
            "ctrl-i was not bound, so Tab still switches pane"
        );
        let joined = warnings.join("\n");
        assert!(
            joined.contains("config.toml line 9:") && joined.contains("ctrl-i as Tab"),
            "{joined}"
        );
        assert!(
            joined.contains("config.toml line 14:") && joined.contains("'explode'"),
            "{joined}"
        );
        assert!(
            joined.contains("config.toml line 13: conversations.d was 'delete-conversation' and is now 'forget': two actions on one key"),
            "{joined}"
        );
        assert_eq!(warnings.len(), 3, "{joined}");
    }

    #[test]
    fn a_binding_to_an_unknown_action_names_its_file_and_line() {
        let text = "mouse = true\n\n[keys.timeline]\nQ = \"no-such-action\"\n";
        let warnings = apply_keys(&mut Keymap::default(), &parse(text, "config.toml"));
        assert_eq!(
            warnings,
            ["config.toml line 4: timeline.Q = \"no-such-action\": no action is called 'no-such-action'"]
        );
        // Straight under [keys], with no context, it is not dropped either.
        let text = "[keys]\nQ = \"no-such-action\"\n";
        let warnings = apply_keys(&mut Keymap::default(), &parse(text, "config.toml"));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("config.toml line 2: Q = \"no-such-action\"")
                && warnings[0].contains("[keys.timeline]"),
            "{warnings:?}"
        );
    }

    #[test]
    fn start_up_warnings_go_to_the_message_log_too() {
        let mut app = App::new("local", "http://x/v1", Default::default());
        // A warning the profile's theme left on the status line is kept as well.
        app.status = Some(Status::Warning("theme: no colour called 'plum'".into()));
        let warnings = vec![
            "config.toml line 9: timeline.ctrl-i = \"toggle-raw\": ctrl-i as Tab".to_string(),
            "config.toml line 4: timeline.Q = \"no-such-action\": no action".to_string(),
        ];
        report(&mut app, &warnings, 1_700_000_000);
        let logged: Vec<String> = app
            .log
            .entries()
            .map(|e| match &e.status {
                Status::Warning(w) => w.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(logged.len(), 3, "{logged:?}");
        assert!(logged[0].contains("plum") && logged[2].contains("no-such-action"));
        assert!(app.log.entries().all(|e| e.at == 1_700_000_000));
        let Some(Status::Warning(shown)) = &app.status else {
            panic!("{:?}", app.status)
        };
        assert!(
            shown.contains("plum") && shown.contains("ctrl-i"),
            "{shown}"
        );
    }

    #[test]
    fn no_file_means_the_defaults() {
        let s = load(None);
        assert!(s.mouse && s.keys.is_empty());
        assert_eq!(parse("not = [toml", "c.toml").keys, vec![]);
    }
}
