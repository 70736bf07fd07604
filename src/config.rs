//! Settings: built-in defaults, the user's file, the environment and command-line flags,
//! resolved into one [`Profile`].
//!
//! Layers, lowest to highest: built-in profiles `local` and `openai`; the file
//! (`$XDG_CONFIG_HOME/convtui/config.toml`, or `--config PATH`); the environment
//! (`OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`, `CONVTUI_PROFILE`);
//! the flags `--profile` and `--base-url`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use config::{Config, File, FileFormat};
use serde::Deserialize;

use crate::api::{ApiError, Client, ClientSettings, Secret};
use crate::server::{self, Database, RunningServer, ServeError, ServeOptions};

pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_TIMEOUT_S: f64 = 60.0;
/// Longest request timeout a profile may set (a day).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);
pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where to look, and the flags that override.
#[derive(Debug, Clone, Default)]
pub struct ConfigOptions {
    /// `--config PATH` (must exist); otherwise the default file, if present.
    pub config_path: Option<PathBuf>,
    /// `--profile NAME`
    pub profile: Option<String>,
    /// `--base-url URL`
    pub base_url: Option<String>,
}

/// The settings to connect with.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub name: String,
    /// `None`: the embedded local server, started in-process.
    pub base_url: Option<String>,
    pub api_key: Option<Secret>,
    pub organization: Option<String>,
    pub project: Option<String>,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_retries: u32,
    /// The base URL came from `--base-url` rather than the profile or `OPENAI_BASE_URL`.
    pub base_url_from_flag: bool,
    /// What kind of server: OpenAI's API (and compatible servers), or Azure.
    pub kind: Kind,
    /// Every call that changes something is refused in the client (`read_only = true`, or
    /// `--read-only`).
    pub read_only: bool,
    /// The header's colour for this profile (`accent = "red"`).
    pub accent: Option<String>,
    /// A label in the header (`label = "PROD"`).
    pub label: Option<String>,
    /// `theme = "dark"|"light"` (top level of the file).
    pub theme: Option<String>,
    /// `[colors]` overrides: a theme colour's name, and a colour.
    pub colors: BTreeMap<String, String>,
    /// Every profile name of the settings (for `:profile NAME`).
    pub known: Vec<String>,
    /// Bounds on one listing of items (`max_list_pages`, `max_list_items`).
    pub limits: crate::api::Limits,
    /// Keep a local mirror of what is read (`mirror = false` turns it off).
    pub mirror: bool,
}

/// The kind of server a profile talks to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// OpenAI's API, or a server that follows it: `Authorization: Bearer KEY`.
    #[default]
    Openai,
    /// Azure OpenAI / AI Foundry: a base URL ending in `/openai/v1`, the `api-key` header, and
    /// Foundry's own conversation list.
    Azure,
}

impl Profile {
    /// Client settings for this profile at `base_url`.
    pub fn client_settings(&self, base_url: &str) -> ClientSettings {
        ClientSettings {
            base_url: base_url.to_string(),
            api_key: self.api_key.clone(),
            organization: self.organization.clone(),
            project: self.project.clone(),
            timeout: self.timeout,
            connect_timeout: self.connect_timeout.min(self.timeout),
            max_retries: self.max_retries,
            read_only: self.read_only,
            auth: match self.kind {
                Kind::Openai => crate::api::Auth::Bearer,
                Kind::Azure => crate::api::Auth::ApiKeyHeader,
            },
            limits: self.limits,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the settings: {0}")]
    File(String),
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("unknown profile '{name}' (known: {known})")]
    UnknownProfile { name: String, known: String },
    #[error("profile '{profile}': {message}")]
    Key { profile: String, message: String },
    #[error("no data directory could be found for the local server; set CONVTUI_DATA_DIR")]
    NoDataDir,
    #[error("cannot start the local server: {0}")]
    Server(#[from] ServeError),
    #[error("{0}")]
    Client(#[from] ApiError),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    default_profile: Option<String>,
    theme: Option<String>,
    #[serde(default)]
    colors: BTreeMap<String, String>,
    #[serde(default)]
    profiles: BTreeMap<String, ProfileSettings>,
    /// The terminal UI's keymap and mouse capture, read by `tui::settings`.
    #[serde(default, rename = "keys")]
    _keys: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "mouse")]
    _mouse: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileSettings {
    base_url: Option<String>,
    api_key_env: Option<String>,
    api_key_command: Option<String>,
    organization: Option<String>,
    project: Option<String>,
    timeout_s: Option<f64>,
    connect_timeout_s: Option<f64>,
    max_retries: Option<u32>,
    /// The server needs no API key: requests go without one, and none is asked for.
    no_api_key: Option<bool>,
    kind: Option<Kind>,
    read_only: Option<bool>,
    accent: Option<String>,
    label: Option<String>,
    max_list_pages: Option<u64>,
    max_list_items: Option<u64>,
    mirror: Option<bool>,
}

/// The default settings file, e.g. `~/.config/convtui/config.toml`.
pub fn default_config_file() -> Option<PathBuf> {
    crate::paths::config_dir().map(|d| d.join("config.toml"))
}

/// Resolves the profile from the process environment.
pub fn resolve(opts: &ConfigOptions) -> Result<Profile, ConfigError> {
    resolve_with(opts, default_config_file().as_deref(), &|name| {
        std::env::var(name).ok()
    })
}

fn load(path: Option<&Path>, required: bool) -> Result<FileSettings, ConfigError> {
    let mut builder = Config::builder()
        .set_default("profiles.openai.base_url", OPENAI_BASE_URL)
        .and_then(|b| b.set_default("profiles.local.max_retries", DEFAULT_MAX_RETRIES))
        .map_err(|e| ConfigError::File(e.to_string()))?;
    let shown = path.map(|p| p.display().to_string()).unwrap_or_default();
    if let Some(p) = path {
        if required && !p.is_file() {
            let why = if p.exists() {
                "not a file"
            } else {
                "no such file"
            };
            return Err(ConfigError::File(format!("{shown}: {why}")));
        }
        builder = builder.add_source(File::from(p).format(FileFormat::Toml).required(required));
    }
    let text = path
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let invalid = |e: config::ConfigError| {
        let mut message = without_values(&e.to_string());
        // The crate names the file (by a path of its own) at the end; say it once, first.
        if let Some(i) = message.rfind(" in ") {
            let tail = &message[i + 4..];
            let name = path
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned());
            if name.is_some_and(|n| tail.ends_with(&n)) {
                message.truncate(i);
            }
        }
        if let Some(line) = line_of_key(&text, &message) {
            message = format!("line {line}: {message}");
        }
        ConfigError::Invalid {
            file: if shown.is_empty() {
                "settings".into()
            } else {
                shown.clone()
            },
            message,
        }
    };
    builder
        .build()
        .map_err(invalid)?
        .try_deserialize::<FileSettings>()
        .map_err(invalid)
}

/// A settings error without any text of the file: no source lines (a line can hold a key, as in
/// `api_key_command = "echo sk-…"`) and no string values; positions, key names and what was
/// expected stay.
fn without_values(message: &str) -> String {
    let mut lines = message.lines();
    let first = lines.next().unwrap_or("");
    let text = if let Some(at) = first.find("TOML parse error at ") {
        let position = first[at + "TOML parse error at ".len()..].trim();
        let why: Vec<&str> = lines
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.contains('|'))
            .collect();
        let why = if why.is_empty() {
            "not valid TOML".to_string()
        } else {
            why.join("; ")
        };
        format!("{position}: {why}")
    } else {
        message.to_string()
    };
    // Drop every quoted string: serde's `invalid type: string "…"` quotes the value.
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            let mut escaped = false;
            for q in chars.by_ref() {
                match q {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => break,
                    _ => escaped = false,
                }
            }
            if out.ends_with(' ') {
                out.pop();
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The line of the settings file that a type or unknown-field error is about, found from the
/// key the error names (`for key `a.b.c``, `unknown field `x``). Syntax errors carry their own.
fn line_of_key(text: &str, message: &str) -> Option<usize> {
    let quoted = |after: &str| {
        let start = message.find(after)? + after.len();
        let end = message[start..].find('`')? + start;
        Some(&message[start..end])
    };
    let (table, name) = match (quoted("unknown field `"), quoted("for key `")) {
        (Some(field), table) => (table.unwrap_or(""), field),
        (None, Some(path)) => match path.rsplit_once('.') {
            Some((table, name)) => (table, name),
            None => ("", path),
        },
        (None, None) => return None,
    };
    let mut current = String::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = header.trim().to_string();
            continue;
        }
        let key = line
            .split('=')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"');
        if current == table && key == name && line.contains('=') {
            return Some(n + 1);
        }
    }
    None
}

/// As [`resolve`], for a command that sends no request (search, stats, the mirror's file): the
/// API key is neither looked up nor required (no `api_key_command` runs); `api_key` is `None`.
pub fn resolve_without_key(opts: &ConfigOptions) -> Result<Profile, ConfigError> {
    let env = |name: &str| std::env::var(name).ok();
    resolve_parts(opts, default_config_file().as_deref(), &env, false)
}

/// Resolves the profile with an explicit default file and environment (for tests).
pub fn resolve_with(
    opts: &ConfigOptions,
    default_file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Profile, ConfigError> {
    resolve_parts(opts, default_file, env, true)
}

fn resolve_parts(
    opts: &ConfigOptions,
    default_file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
    keys: bool,
) -> Result<Profile, ConfigError> {
    let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let settings = match &opts.config_path {
        Some(p) => load(Some(p), true)?,
        None => load(default_file, false)?,
    };
    let name = opts
        .profile
        .clone()
        .filter(|p| !p.is_empty())
        .or_else(|| env("CONVTUI_PROFILE"))
        .or_else(|| settings.default_profile.clone().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| {
            if env("OPENAI_API_KEY").is_some() {
                "openai".into()
            } else {
                "local".into()
            }
        });
    let Some(p) = settings.profiles.get(&name) else {
        return Err(ConfigError::UnknownProfile {
            known: settings
                .profiles
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            name,
        });
    };
    let key_error = |message: String| ConfigError::Key {
        profile: name.clone(),
        message,
    };
    let from_flag = opts.base_url.clone().filter(|u| !u.is_empty());
    let base_url_from_flag = from_flag.is_some();
    let from_env = env("OPENAI_BASE_URL");
    let base_url_from_env = from_flag.is_none() && from_env.is_some();
    let base_url = from_flag
        .or(from_env)
        .or_else(|| p.base_url.clone().filter(|u| !u.is_empty()));
    let to_openai = base_url.as_deref().is_some_and(is_openai);
    let openai_key = env("OPENAI_API_KEY");
    let kind = p.kind.unwrap_or_default();
    if kind == Kind::Azure {
        let ok = base_url.as_deref().is_some_and(|u| {
            u.trim().trim_end_matches('/').ends_with("/openai/v1") && host_of(u).is_some()
        });
        if !ok {
            return Err(key_error(
                "kind = \"azure\" needs a base_url ending in /openai/v1, e.g. https://NAME.openai.azure.com/openai/v1".into(),
            ));
        }
    }
    let api_key = if p.no_api_key == Some(true) || !keys {
        None
    } else if let Some(cmd) = p.api_key_command.as_deref().filter(|c| !c.is_empty()) {
        Some(run_key_command(cmd).map_err(key_error)?)
    } else if let Some(var) = p.api_key_env.as_deref().filter(|c| !c.is_empty()) {
        // Only the named variable: an unset one is a mistake worth saying.
        match env(var) {
            Some(key) => Some(key),
            None => {
                return Err(key_error(format!(
                    "api_key_env names {var}, which is not set; nothing was sent"
                )))
            }
        }
    } else if kind == Kind::Azure {
        env("AZURE_OPENAI_API_KEY")
    } else if to_openai || (name == "openai" && base_url_from_env) {
        // OPENAI_API_KEY goes only to OpenAI's host, or with OPENAI_BASE_URL (its pair in the
        // official SDKs), never to another server's profile nor to `--base-url` elsewhere.
        openai_key.clone()
    } else {
        None
    }
    .map(|k| Secret::new(k.trim()));
    let seconds = |key: &str, value: f64| {
        Duration::try_from_secs_f64(value)
            .ok()
            .filter(|t| !t.is_zero() && *t <= MAX_TIMEOUT)
            .ok_or_else(|| {
                key_error(format!(
                    "{key} must be a number of seconds above 0 and at most {}, not {value}",
                    MAX_TIMEOUT.as_secs()
                ))
            })
    };
    let timeout = seconds("timeout_s", p.timeout_s.unwrap_or(DEFAULT_TIMEOUT_S))?;
    let connect_timeout = match p.connect_timeout_s {
        Some(v) => seconds("connect_timeout_s", v)?,
        None => CONNECT_TIMEOUT,
    };
    if keys && api_key.is_none() && p.no_api_key != Some(true) {
        if let Some(url) = base_url
            .as_deref()
            .filter(|u| host_of(u).is_some() && !is_loopback(u))
        {
            let table = format!("[profiles.{name}]");
            let message = if to_openai {
                format!(
                    "no API key for {url}: set OPENAI_API_KEY, or api_key_env (the name of a variable that holds the key) or api_key_command in {table}; nothing was sent"
                )
            } else {
                let withheld = if openai_key.is_some() {
                    " (OPENAI_API_KEY is only sent to api.openai.com)"
                } else {
                    ""
                };
                format!(
                    "no API key for {url}{withheld}: set api_key_env (the name of a variable that holds the key) or api_key_command in {table}, or no_api_key = true for a server that needs none; nothing was sent"
                )
            };
            return Err(key_error(message));
        }
    }
    Ok(Profile {
        name: name.clone(),
        base_url,
        api_key,
        organization: env("OPENAI_ORG_ID").or_else(|| p.organization.clone()),
        project: env("OPENAI_PROJECT_ID").or_else(|| p.project.clone()),
        timeout,
        connect_timeout,
        max_retries: p.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
        base_url_from_flag,
        kind,
        read_only: p.read_only == Some(true),
        accent: check_colour(&name, "accent", p.accent.as_deref())?,
        label: p.label.clone().filter(|l| !l.trim().is_empty()),
        theme: match settings.theme.as_deref() {
            None | Some("dark") | Some("light") => settings.theme.clone(),
            Some(other) => {
                return Err(ConfigError::Invalid {
                    file: "settings".into(),
                    message: format!("theme must be \"dark\" or \"light\", not {other:?}"),
                })
            }
        },
        colors: {
            for (k, v) in &settings.colors {
                check_colour(&name, &format!("colors.{k}"), Some(v))?;
            }
            settings.colors.clone()
        },
        known: settings.profiles.keys().cloned().collect(),
        limits: crate::api::Limits::resolve(p.max_list_pages, p.max_list_items, &env)
            .map_err(key_error)?,
        mirror: p.mirror.unwrap_or(true),
    })
}

/// A colour name (`red`, `lightblue`, `#rrggbb`, a number 0-255), else an error naming the key.
fn check_colour(
    profile: &str,
    key: &str,
    value: Option<&str>,
) -> Result<Option<String>, ConfigError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => match v.parse::<ratatui::style::Color>() {
            Ok(_) => Ok(Some(v.to_string())),
            Err(_) => Err(ConfigError::Key {
                profile: profile.to_string(),
                message: format!(
                    "{key}: {v:?} is not a colour (use a name such as red or lightblue, #rrggbb, or 0-255)"
                ),
            }),
        },
    }
}

fn host_of(url: &str) -> Option<String> {
    reqwest::Url::parse(url.trim())
        .ok()
        .and_then(|u| u.host_str().map(|h| h.to_ascii_lowercase()))
}

/// Whether the URL is OpenAI's own API host.
fn is_openai(url: &str) -> bool {
    reqwest::Url::parse(url.trim())
        .is_ok_and(|u| u.scheme() == "https" && u.host_str() == Some("api.openai.com"))
}

/// Whether the URL points at this machine (a local server, which needs no key).
fn is_loopback(url: &str) -> bool {
    match host_of(url) {
        Some(h) if h == "localhost" || h.ends_with(".localhost") => true,
        Some(h) => h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// Runs `sh -c CMD` and returns its trimmed stdout. Never puts that output in an error.
fn run_key_command(cmd: &str) -> Result<String, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run api_key_command: {e}"))?;
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut out);
        }
        out
    });
    // A command that hangs (a prompt nobody sees, a stuck agent) must not hang convtui.
    let deadline = std::time::Instant::now() + KEY_COMMAND_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "api_key_command did not finish within {} s",
                    KEY_COMMAND_TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("cannot run api_key_command: {e}")),
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!("api_key_command failed ({status})"));
    }
    let key = String::from_utf8(out)
        .map_err(|_| "api_key_command printed something that is not UTF-8".to_string())?;
    let key = key.trim().to_string();
    if key.is_empty() {
        return Err("api_key_command printed nothing".into());
    }
    Ok(key)
}

/// How long `api_key_command` may take.
const KEY_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Connects to the profile's server, starting the embedded one for a profile without a base
/// URL. Keep the returned server alive while the client is in use, and shut it down after.
pub async fn connect(profile: &Profile) -> Result<(Client, Option<RunningServer>), ConfigError> {
    match &profile.base_url {
        Some(url) => Ok((Client::new(profile.client_settings(url))?, None)),
        None => {
            let path = Database::default_file().ok_or(ConfigError::NoDataDir)?;
            let running = server::start(ServeOptions {
                addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                database: Database::File(path),
                api_key: None,
            })
            .await?;
            let client = Client::new(profile.client_settings(&running.base_url()))?;
            Ok((client, Some(running)))
        }
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
