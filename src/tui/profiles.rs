//! `:profile NAME` (and ctrl-p, the next profile): switches profile in the running UI. The
//! settings are read again and the new profile connected in a task (an `api_key_command` may
//! take a while); then the runtime takes the new client (and embedded server, if any), and
//! the lists, registry and panes start afresh.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::message::{Effect, Message};
use super::sanitize;
use super::state::{App, Status};
use super::theme::Theme;
use crate::api::Client;
use crate::config::{self, ConfigOptions, Profile};
use crate::registry::{self, Registry};
use crate::server::RunningServer;

/// The profiles of the settings, and how they were read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profiles {
    /// Every profile name (the built-in `local` and `openai` among them).
    pub names: Vec<String>,
    /// `--config PATH`, if given.
    pub config_path: Option<PathBuf>,
    /// `--read-only` was given: every profile is read-only.
    pub read_only: bool,
    /// `NO_COLOR` is set.
    pub no_color: bool,
    /// The profile a switch last went to, while it has not opened: the next ctrl-p goes on
    /// from it, not from the one in use, so that one that cannot open is passed over.
    pub tried: Option<String>,
}

/// What a profile's look is: the theme with its overrides and accent.
pub fn theme_of(profile: &Profile, no_color: bool) -> (Theme, Vec<String>) {
    Theme::from_settings(
        profile.theme.as_deref(),
        &profile.colors,
        profile.accent.as_deref(),
        no_color,
    )
}

/// Sets the app's look and marks from a profile.
pub fn apply(app: &mut App, profile: &Profile, read_only: bool) {
    let (theme, problems) = theme_of(profile, app.profiles.no_color);
    app.theme = theme;
    app.label = profile.label.clone();
    app.read_only = read_only;
    app.profiles.names = profile.known.clone();
    if !problems.is_empty() {
        app.status = Some(Status::Warning(sanitize::line(&problems.join("; "))));
    }
}

/// A connected profile, handed from the task to the runtime. Equal only to itself.
#[derive(Clone)]
pub struct Handover(pub Arc<Mutex<Option<Connected>>>);

impl std::fmt::Debug for Handover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handover")
    }
}

impl PartialEq for Handover {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Handover {
    pub fn take(&self) -> Option<Connected> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }
}

/// Everything the runtime needs for a new profile.
pub struct Connected {
    pub client: Client,
    pub server: Option<RunningServer>,
    pub profile: String,
    pub backup: PathBuf,
    pub registry_path: PathBuf,
    pub drafts: PathBuf,
    /// The new profile's mirror writer, unless its `mirror = false` (`tui::mirroring`).
    pub mirror: Option<crate::mirror::MirrorWriter>,
    /// The new profile's mirror file, for search and offline reading.
    pub mirror_file: Option<std::path::PathBuf>,
}

/// A profile ready to use: its settings, its registry, and the connection for the runtime.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    pub profile: Profile,
    pub base_url: String,
    pub registry: Registry,
    pub handover: Handover,
    /// The listing limits of the new profile's client.
    pub limits: crate::api::paging::Limits,
}

/// Switches to the profile `name`.
pub fn switch(app: &mut App, name: &str) -> Vec<Effect> {
    let name = name.trim();
    if name.is_empty() {
        app.status = Some(Status::Info(format!(
            "Profiles: {}",
            sanitize::line(&app.profiles.names.join(", "))
        )));
        return vec![];
    }
    if !app.profiles.names.iter().any(|n| n == name) {
        app.status = Some(Status::Warning(format!(
            "No profile is called '{}' (known: {})",
            sanitize::line(name),
            sanitize::line(&app.profiles.names.join(", "))
        )));
        return vec![];
    }
    if app.editor().is_some() {
        app.status = Some(Status::Warning(
            "Close the editor before switching profile.".into(),
        ));
        return vec![];
    }
    app.status = Some(Status::Info(format!(
        "Switching to profile {}…",
        sanitize::line(name)
    )));
    app.profiles.tried = Some(name.to_string());
    vec![Effect::SwitchProfile {
        name: name.to_string(),
        config_path: app.profiles.config_path.clone(),
        read_only: app.profiles.read_only,
    }]
}

/// The profile after the current one, in the settings' order; after a switch that failed,
/// the one after the profile last tried.
pub fn next(app: &mut App) -> Vec<Effect> {
    let names = &app.profiles.names;
    if names.len() < 2 {
        app.status = Some(Status::Info(
            "There is only one profile; add [profiles.NAME] tables to the settings.".into(),
        ));
        return vec![];
    }
    let from = app.profiles.tried.as_deref().unwrap_or(&app.profile);
    let at = names.iter().position(|n| n == from);
    let name = names[at.map_or(0, |i| (i + 1) % names.len())].clone();
    switch(app, &name)
}

/// The new profile is connected (or could not be): start afresh on it.
pub fn on_ready(app: &mut App, result: Result<Ready, String>) -> Vec<Effect> {
    let ready = match result {
        Ok(r) => r,
        Err(why) => {
            app.status = Some(Status::Error(super::data::Failure::new(format!(
                "cannot switch profile: {why}"
            ))));
            return vec![];
        }
    };
    let mut fresh = App::new(&ready.profile.name, &ready.base_url, ready.registry);
    fresh.width = app.width;
    fresh.height = app.height;
    fresh.now = app.now;
    fresh.next_generation = app.next_generation;
    fresh.draft_seq = app.draft_seq;
    fresh.keymap = std::mem::take(&mut app.keymap);
    fresh.profiles = app.profiles.clone();
    fresh.profiles.tried = None;
    fresh.export = app.export.take();
    fresh.command_history = std::mem::take(&mut app.command_history);
    fresh.log = std::mem::take(&mut app.log);
    fresh.limits = ready.limits;
    let read_only = ready.profile.read_only;
    apply(&mut fresh, &ready.profile, read_only);
    if fresh.status.is_none() {
        fresh.status = Some(Status::Info(format!(
            "Profile {}{}",
            sanitize::line(&ready.profile.name),
            if read_only { " (read-only)" } else { "" }
        )));
    }
    *app = fresh;
    // What `root::start` asks for, counted for the spinner by `update`.
    let mut effects = vec![
        Effect::InstallProfile(ready.handover),
        Effect::ListConversations,
    ];
    effects.extend(
        app.convs
            .items
            .iter()
            .map(|c| Effect::LoadConversation(c.id.clone())),
    );
    effects
}

/// The embedded server (the built-in `local` profile) gets the demo conversations the first
/// time, at start-up and on a switch to it alike.
pub async fn seed_demo(server: Option<&RunningServer>, data_dir: &std::path::Path) {
    if let Some(server) = server {
        if let Err(e) = crate::demo::seed_if_new(server, data_dir).await {
            tracing::warn!("seeding the demo data failed: {e}");
        }
    }
}

/// In the task: reads the settings again, connects, and loads the registry.
pub async fn connect(name: String, config_path: Option<PathBuf>, read_only: bool) -> Message {
    let result = async {
        let opts = ConfigOptions {
            config_path,
            profile: Some(name),
            base_url: None,
        };
        // Resolving may run an api_key_command: off the async threads.
        let mut profile = tokio::task::spawn_blocking(move || config::resolve(&opts))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        profile.read_only |= read_only;
        let data_dir = crate::paths::data_dir().ok_or("no data directory could be found")?;
        let (client, server) = config::connect(&profile).await.map_err(|e| e.to_string())?;
        seed_demo(server.as_ref(), &data_dir).await;
        let registry_path = registry::path_for_profile(&data_dir, &profile);
        let path = registry_path.clone();
        let registry = tokio::task::spawn_blocking(move || Registry::load(&path))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let base_url = client.base_url().to_string();
        let limits = client.limits();
        let mirror = super::mirroring::Recording::start(&profile, &data_dir).map(|r| r.writer);
        let connected = Connected {
            client,
            server,
            profile: profile.name.clone(),
            backup: crate::backup::path_in(&data_dir),
            registry_path,
            drafts: super::editor::drafts::dir_for(&data_dir, &profile.name),
            mirror,
            mirror_file: super::mirroring::path(&profile, &data_dir),
        };
        Ok(Ready {
            profile,
            base_url,
            registry,
            handover: Handover(Arc::new(Mutex::new(Some(connected)))),
            limits,
        })
    }
    .await;
    Message::ProfileReady(Box::new(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> App {
        let mut app = App::new("local", "http://x/v1", Registry::default());
        app.profiles.names = vec!["local".into(), "openai".into(), "prod".into()];
        app
    }

    #[test]
    fn switch_checks_the_name() {
        let mut app = app();
        assert!(switch(&mut app, "nope").is_empty());
        assert!(
            matches!(&app.status, Some(Status::Warning(t)) if t.contains("known: local, openai, prod"))
        );
        let effects = switch(&mut app, "prod");
        assert!(matches!(&effects[..], [Effect::SwitchProfile { name, .. }] if name == "prod"));
        // The next goes on from the one last tried (prod, not yet open): round to local.
        let effects = next(&mut app);
        assert!(matches!(&effects[..], [Effect::SwitchProfile { name, .. }] if name == "local"));
        let effects = next(&mut app);
        assert!(matches!(&effects[..], [Effect::SwitchProfile { name, .. }] if name == "openai"));
    }

    #[test]
    fn a_failed_switch_keeps_everything() {
        let mut app = app();
        app.convs
            .items
            .push(super::super::state::ConvEntry::new("conv_1"));
        assert!(on_ready(&mut app, Err("no key".into())).is_empty());
        assert_eq!(app.profile, "local");
        assert_eq!(app.convs.items.len(), 1);
        assert!(matches!(&app.status, Some(Status::Error(f)) if f.message.contains("no key")));
    }

    #[test]
    fn ctrl_p_goes_past_a_profile_that_could_not_open() {
        let mut app = app();
        let effects = next(&mut app);
        assert!(matches!(&effects[..], [Effect::SwitchProfile { name, .. }] if name == "openai"));
        // openai cannot open (no key): the error stays, the next ctrl-p goes on to prod.
        on_ready(&mut app, Err("no API key for profile openai".into()));
        assert_eq!(app.profile, "local");
        assert!(matches!(&app.status, Some(Status::Error(f)) if f.message.contains("no API key")));
        let effects = next(&mut app);
        assert!(
            matches!(&effects[..], [Effect::SwitchProfile { name, .. }] if name == "prod"),
            "{effects:?}"
        );
        on_ready(&mut app, Err("prod is down".into()));
        // Round the end of the list, back to the one in use.
        let effects = next(&mut app);
        assert!(matches!(&effects[..], [Effect::SwitchProfile { name, .. }] if name == "local"));
    }

    #[test]
    fn a_switch_that_opens_cycles_from_the_new_profile() {
        let mut app = app();
        next(&mut app);
        assert_eq!(app.profiles.tried.as_deref(), Some("openai"));
        on_ready(&mut app, Err("no key".into()));
        next(&mut app);
        let opts = ConfigOptions {
            config_path: None,
            profile: Some("local".into()),
            base_url: Some("http://127.0.0.1:9/v1".into()),
        };
        let mut profile = config::resolve_with(&opts, None, &|_| None).unwrap();
        profile.name = "prod".into();
        let ready = Ready {
            profile,
            base_url: "http://127.0.0.1:9/v1".into(),
            registry: Registry::default(),
            handover: Handover(Arc::new(Mutex::new(None))),
            limits: Default::default(),
        };
        assert!(!on_ready(&mut app, Ok(ready)).is_empty());
        assert_eq!(app.profile, "prod");
        assert_eq!(app.profiles.tried, None);
        let effects = next(&mut app);
        assert!(matches!(&effects[..], [Effect::SwitchProfile { name, .. }] if name == "local"));
    }
}
