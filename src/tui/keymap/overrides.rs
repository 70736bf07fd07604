//! `[keys.CONTEXT]` overrides from the config file: `context.key = "action"` pairs applied to
//! the keymap, and what they changed that the user may not have meant.

use std::fmt;

use crossterm::event::{KeyCode, KeyModifiers};

use super::{defaults, Action, Binding, Context, Key, Keymap};

/// What an override changed that the user may not have meant, or why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideProblem {
    /// The line could not be read; nothing changed.
    Invalid { line: String, reason: String },
    /// The key did something else in that context; it now does the new action.
    Replaced {
        context: Context,
        key: Key,
        was: Action,
        now: Action,
    },
    /// Terminals send this key as another one (ctrl-i is Tab): it was not bound.
    Indistinct {
        line: String,
        key: Key,
        sent_as: Key,
    },
}

/// The keys a terminal sends as other keys: ctrl-i is Tab, ctrl-[ is Esc, ctrl-m is Enter
/// and ctrl-h is Backspace.
pub fn sent_as(key: &Key) -> Option<Key> {
    if key.mods != KeyModifiers::CONTROL {
        return None;
    }
    let code = match key.code {
        KeyCode::Char('i') => KeyCode::Tab,
        KeyCode::Char('[') => KeyCode::Esc,
        KeyCode::Char('m') => KeyCode::Enter,
        KeyCode::Char('h') => KeyCode::Backspace,
        _ => return None,
    };
    Some(Key::new(code, KeyModifiers::NONE))
}

impl fmt::Display for OverrideProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OverrideProblem::Invalid { line, reason } => write!(f, "{line}: {reason}"),
            OverrideProblem::Replaced {
                context,
                key,
                was,
                now,
            } => write!(f, "{}.{key} was '{was}' and is now '{now}'", context.name()),
            OverrideProblem::Indistinct { line, key, sent_as } => write!(
                f,
                "{line}: terminals send {key} as {sent_as}, so it cannot be told apart; bind {sent_as} instead"
            ),
        }
    }
}

impl Keymap {
    /// Applies `context.key = "action"` overrides (`timeline.x = "delete"`), in order. The
    /// key is bound to the action in that context and unbound from whatever it did there
    /// before; every such replacement, and every line that could not be read, is reported.
    pub fn apply_overrides<'a>(
        &mut self,
        overrides: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Vec<OverrideProblem> {
        let mut problems = Vec::new();
        for (target, action) in overrides {
            let line = format!("{target} = \"{action}\"");
            let invalid = |reason: String| OverrideProblem::Invalid {
                line: line.clone(),
                reason,
            };
            // The key itself may contain a dot (`timeline..`), so split at the first one.
            let Some((context, key)) = target.split_once('.') else {
                problems.push(invalid("expected context.key".into()));
                continue;
            };
            let parsed = context
                .parse::<Context>()
                .and_then(|c| Ok((c, key.parse::<Key>()?, action.parse::<Action>()?)));
            let (context, key, action) = match parsed {
                Ok(p) => p,
                Err(reason) => {
                    problems.push(invalid(reason));
                    continue;
                }
            };
            if let Some(sent_as) = sent_as(&key) {
                problems.push(OverrideProblem::Indistinct {
                    line: line.clone(),
                    key,
                    sent_as,
                });
                continue;
            }
            for b in self.bindings.iter_mut().filter(|b| b.context == context) {
                if b.action != action && b.keys.contains(&key) {
                    b.keys.retain(|k| *k != key);
                    problems.push(OverrideProblem::Replaced {
                        context,
                        key,
                        was: b.action,
                        now: action,
                    });
                }
            }
            match self
                .bindings
                .iter_mut()
                .find(|b| b.context == context && b.action == action)
            {
                Some(b) if b.keys.contains(&key) => {}
                Some(b) => b.keys.insert(0, key),
                None => {
                    // The action's help from where it is bound by default.
                    let help = defaults::bindings()
                        .iter()
                        .find(|b| b.action == action)
                        .map_or("(from the config)", |b| b.help);
                    self.bindings.push(Binding {
                        context,
                        keys: vec![key],
                        action,
                        help,
                        hint: None,
                    })
                }
            }
        }
        self.bindings.retain(|b| !b.keys.is_empty());
        problems
    }
}
