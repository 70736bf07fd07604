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
    /// Keep a local mirror of what is read (`mirror = false` turns it off).
    pub mirror: bool,
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
    #[serde(default)]
    profiles: BTreeMap<String, ProfileSettings>,
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
        .and_then(|b| b.set_default("profiles.openai.api_key_env", "OPENAI_API_KEY"))
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
        let mut message = e.to_string();
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

/// Resolves the profile with an explicit default file and environment (for tests).
pub fn resolve_with(
    opts: &ConfigOptions,
    default_file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
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
    let api_key = if let Some(cmd) = p.api_key_command.as_deref().filter(|c| !c.is_empty()) {
        Some(run_key_command(cmd).map_err(key_error)?)
    } else if let Some(var) = p.api_key_env.as_deref().filter(|c| !c.is_empty()) {
        // Only the named variable: OPENAI_API_KEY is never sent to another profile's server.
        // A variable of the user's own naming that is unset is a mistake worth saying; a
        // missing OPENAI_API_KEY gets the server's own "You didn't provide an API key".
        match env(var) {
            Some(key) => Some(key),
            None if var == "OPENAI_API_KEY" => None,
            None => {
                return Err(key_error(format!(
                    "api_key_env names {var}, which is not set"
                )))
            }
        }
    } else {
        env("OPENAI_API_KEY")
    }
    .map(|k| Secret::new(k.trim()));
    let base_url = opts
        .base_url
        .clone()
        .filter(|u| !u.is_empty())
        .or_else(|| env("OPENAI_BASE_URL"))
        .or_else(|| p.base_url.clone().filter(|u| !u.is_empty()));
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
    Ok(Profile {
        name: name.clone(),
        base_url,
        api_key,
        organization: env("OPENAI_ORG_ID").or_else(|| p.organization.clone()),
        project: env("OPENAI_PROJECT_ID").or_else(|| p.project.clone()),
        timeout,
        connect_timeout,
        max_retries: p.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
        mirror: p.mirror.unwrap_or(true),
    })
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
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        use std::io::Write;
        let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    fn opts(path: &Path) -> ConfigOptions {
        ConfigOptions {
            config_path: Some(path.to_path_buf()),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_to_local_without_a_key_and_openai_with_one() {
        let p = resolve_with(&ConfigOptions::default(), None, &env_of(&[])).unwrap();
        assert_eq!(p.name, "local");
        assert_eq!(p.base_url, None);
        assert_eq!(p.max_retries, 2);
        let p = resolve_with(
            &ConfigOptions::default(),
            None,
            &env_of(&[("OPENAI_API_KEY", "sk-abc")]),
        )
        .unwrap();
        assert_eq!(p.name, "openai");
        assert_eq!(p.base_url.as_deref(), Some(OPENAI_BASE_URL));
        assert_eq!(p.api_key, Some(Secret::new("sk-abc")));
    }

    #[test]
    fn layers_in_order() {
        let f = file(
            r#"
default_profile = "work"
[profiles.work]
base_url = "https://work.example/v1"
api_key_env = "WORK_KEY"
organization = "org-file"
timeout_s = 5
connect_timeout_s = 2.5
max_retries = 4
"#,
        );
        let env = env_of(&[("WORK_KEY", "k1"), ("OPENAI_ORG_ID", "org-env")]);
        let p = resolve_with(&opts(f.path()), None, &env).unwrap();
        assert_eq!(p.name, "work");
        assert_eq!(p.base_url.as_deref(), Some("https://work.example/v1"));
        assert_eq!(p.api_key, Some(Secret::new("k1")));
        assert_eq!(p.organization.as_deref(), Some("org-env"));
        assert_eq!(p.timeout, Duration::from_secs(5));
        assert_eq!(p.connect_timeout, Duration::from_millis(2500));
        assert_eq!(
            p.client_settings("http://x").connect_timeout,
            Duration::from_millis(2500)
        );
        assert_eq!(p.max_retries, 4);
        // The environment picks the profile over the file; the flag over the environment.
        let env = env_of(&[
            ("CONVTUI_PROFILE", "openai"),
            ("OPENAI_BASE_URL", "http://env/v1"),
        ]);
        let p = resolve_with(&opts(f.path()), None, &env).unwrap();
        assert_eq!(p.name, "openai");
        assert_eq!(p.base_url.as_deref(), Some("http://env/v1"));
        let mut o = opts(f.path());
        o.profile = Some("local".into());
        o.base_url = Some("http://flag/v1".into());
        let p = resolve_with(&o, None, &env).unwrap();
        assert_eq!(p.name, "local");
        assert_eq!(p.base_url.as_deref(), Some("http://flag/v1"));
    }

    #[test]
    fn key_command_and_unknown_profile() {
        let f = file(
            "[profiles.cmd]\nbase_url = \"http://x/v1\"\napi_key_command = \"echo sk-from-cmd\"\n",
        );
        let mut o = opts(f.path());
        o.profile = Some("cmd".into());
        let p = resolve_with(&o, None, &env_of(&[])).unwrap();
        assert_eq!(p.api_key, Some(Secret::new("sk-from-cmd")));
        let dbg = format!("{p:?}");
        assert!(!dbg.contains("sk-from-cmd"), "{dbg}");
        o.profile = Some("nope".into());
        let e = resolve_with(&o, None, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown profile 'nope'"), "{e}");
        let f = file("[profiles.bad]\nbase_url = \"http://x/v1\"\napi_key_command = \"echo sk-leak; exit 3\"\n");
        let mut o = opts(f.path());
        o.profile = Some("bad".into());
        let e = resolve_with(&o, None, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("api_key_command failed"), "{e}");
        assert!(!e.contains("sk-leak"), "{e}");
    }

    #[test]
    fn a_profile_key_variable_never_falls_back_to_openai_api_key() {
        let f = file("[profiles.x]\nbase_url = \"http://elsewhere\"\napi_key_env = \"X_KEY\"\n");
        let p = ConfigOptions {
            profile: Some("x".into()),
            ..opts(f.path())
        };
        // Unset: a clear error, not a silent request without a key (nor with OPENAI_API_KEY).
        let e = resolve_with(&p, None, &env_of(&[("OPENAI_API_KEY", "sk-openai")]))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "profile 'x': api_key_env names X_KEY, which is not set");
        let got = resolve_with(
            &p,
            None,
            &env_of(&[("OPENAI_API_KEY", "sk-openai"), ("X_KEY", "sk-x")]),
        )
        .unwrap();
        assert_eq!(
            got.api_key.map(|k| k.expose().to_string()).as_deref(),
            Some("sk-x")
        );
    }

    #[test]
    fn bad_files_name_the_file_line_and_key() {
        let f = file("[profiles.x]\nbase_url = \"http://x\"\ntimeout_s = = 3\n");
        let e = resolve_with(&opts(f.path()), None, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains(&f.path().display().to_string()), "{e}");
        assert!(e.contains("line 3"), "{e}");
        let f = file("[profiles.x]\ntimeout_s = \"soon\"\n");
        let e = resolve_with(&opts(f.path()), None, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains(&f.path().display().to_string()), "{e}");
        assert!(e.contains("profiles.x.timeout_s"), "{e}");
        assert!(e.contains("line 2"), "{e}");
        assert_eq!(e.matches(".toml").count(), 1, "the file is named once: {e}");
        let f = file("[profiles.y]\nbase_ur = 1\n[profiles.x]\n\nbase_ur = \"http://x\"\n");
        let e = resolve_with(&opts(f.path()), None, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("base_ur"), "{e}");
        assert!(e.contains("line 2") || e.contains("line 5"), "{e}");
        let f = file("[profiles.x]\nbase_url = \"http://x\"\ntimeout_s = 1e30\n");
        let x = ConfigOptions {
            profile: Some("x".into()),
            ..opts(f.path())
        };
        let e = resolve_with(&x, None, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("timeout_s"), "{e}");
        let e = resolve_with(&opts(Path::new("/nonexistent/c.toml")), None, &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/c.toml"), "{e}");
    }

    #[test]
    fn the_example_file_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/config.example.toml");
        let mut o = opts(&path);
        o.profile = Some("openai".into());
        let p = resolve_with(&o, None, &env_of(&[("OPENAI_API_KEY", "sk-x")])).unwrap();
        assert_eq!(p.base_url.as_deref(), Some(OPENAI_BASE_URL));
        o.profile = Some("home-server".into());
        let p = resolve_with(&o, None, &env_of(&[("CONVTUI_HOME_KEY", "k")])).unwrap();
        assert_eq!(p.api_key, Some(Secret::new("k")));
    }

    #[test]
    fn keys_stay_out_of_debug_output() {
        let p = resolve_with(
            &ConfigOptions::default(),
            None,
            &env_of(&[("OPENAI_API_KEY", "sk-very-secret-value")]),
        )
        .unwrap();
        assert!(!format!("{p:?}").contains("sk-very-secret-value"));
        let client = Client::new(p.client_settings("http://127.0.0.1:9/v1")).unwrap();
        assert!(!format!("{client:?}").contains("sk-very-secret-value"));
    }
}
