//! The terminal UI.

pub mod ahead;
pub mod app;
pub mod cancel;
pub mod data;
pub mod deletes;
pub mod deleting;
pub mod editor;
pub mod export;
pub mod keymap;
pub mod layout;
pub mod load;
pub mod loaded;
pub mod message;
pub mod messages;
pub mod mirroring;
pub mod modal;
pub mod navigate;
pub mod pager;
pub mod paging;
pub mod panes;
pub mod profiles;
pub mod render;
pub mod replies;
pub mod root;
pub mod runtime;
pub use crate::sanitize;
pub mod state;
pub mod stats;
pub mod terminal;
pub mod theme;
pub mod undo;
pub mod view;
pub mod widgets;

pub mod clipboard;
pub mod command;
pub mod filter;
pub mod mouse;
pub mod offline;
pub mod search;
pub mod settings;

/// The root's `update` and `start`, under the name they have always had.
pub use root as update;

use std::path::PathBuf;

use crate::config::{self, Profile};
use crate::registry::{self, Registry};

/// Writes tracing logs to `DATA_DIR/convtui.log`, never to the screen.
fn init_logging(data_dir: &std::path::Path) -> Option<PathBuf> {
    std::fs::create_dir_all(data_dir).ok()?;
    let path = data_dir.join("convtui.log");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CONVTUI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .finish();
    tracing::subscriber::set_global_default(subscriber).ok()?;
    Some(path)
}

/// Opens the terminal UI on a profile. Returns a message for the user on failure.
pub async fn run(profile: Profile) -> Result<(), String> {
    run_with(profile, profiles::Profiles::default()).await
}

/// Large blocks (a huge item's text and its copies while it is read and drawn) go straight
/// back to the system when freed. glibc otherwise raises its mmap threshold to the largest
/// block freed, and later copies of a 10 MB item stay in the heap, adding to the peak. The
/// binary allocates with mimalloc (`main.rs`), which returns freed memory at once; this still
/// covers glibc's heap (SQLite's) and the library used without the binary's allocator.
fn return_big_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before the UI's threads
    // allocate anything large.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Opens the terminal UI on a profile; `profiles` says how to read the settings again for
/// `:profile NAME`.
pub async fn run_with(profile: Profile, mut profiles: profiles::Profiles) -> Result<(), String> {
    return_big_blocks();
    // The keymap and mouse settings of the config file.
    let settings = settings::load(
        profiles
            .config_path
            .clone()
            .or_else(config::default_config_file)
            .as_deref(),
    );
    let data_dir = crate::paths::data_dir().ok_or("no data directory could be found")?;
    let log = init_logging(&data_dir);
    terminal::install_panic_hook(log.clone());
    let (client, server) = config::connect(&profile).await.map_err(|e| e.to_string())?;
    profiles::seed_demo(server.as_ref(), &data_dir).await;
    let registry_path = registry::path_for_profile(&data_dir, &profile);
    let registry = Registry::load(&registry_path).map_err(|e| e.to_string())?;
    let base_url = client.base_url().to_string();
    let mut app = state::App::new(&profile.name, &base_url, registry);
    let warnings = settings::apply_keys(&mut app.keymap, &settings);
    for w in &warnings {
        tracing::warn!("{w}");
    }
    app.limits = client.limits();
    profiles.no_color = theme::no_color_from_env();
    app.profiles = profiles;
    profiles::apply(&mut app, &profile, profile.read_only);
    settings::report(&mut app, &warnings, crate::clock::now_unix());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let runtime = runtime::Runtime::new(
        client,
        tx,
        &profile.name,
        crate::backup::path_in(&data_dir),
        registry_path,
        editor::drafts::dir_for(&data_dir, &profile.name),
    );
    let recording = mirroring::Recording::start(&profile, &data_dir);
    let runtime = runtime.with_mirror(recording.as_ref().map(|r| r.writer.clone()));
    let runtime = runtime.with_mirror_file(mirroring::path(&profile, &data_dir));
    let mut term = terminal::enter().map_err(|e| format!("cannot open the terminal: {e}"))?;
    if settings.mouse {
        if let Err(e) = terminal::enable_mouse() {
            tracing::warn!("mouse capture could not be turned on: {e}");
        }
    }
    runtime.keep_server(server);
    let result = app::run_loop(&mut term, &mut app, &runtime, rx).await;
    terminal::restore();
    // Registry and draft writes still running finish before the process ends.
    runtime.finish_writes().await;
    let server = runtime.take_server();
    // After `:profile`, the mirror in use is the new profile's.
    let current = runtime.mirror();
    drop(runtime);
    if let Some(recording) = recording {
        recording.finish().await;
    }
    if let Some(writer) = current {
        mirroring::Recording { writer }.finish().await;
    }
    if let Some(server) = server {
        if let Err(e) = server.shutdown().await {
            tracing::warn!("the local server did not stop cleanly: {e}");
        }
    }
    match result {
        // Stopped by a signal: the terminal is back, the writes are done; exit the way a
        // shell expects of a program a signal ended.
        Ok(Some(signal)) => std::process::exit(128 + signal),
        Ok(None) => Ok(()),
        Err(e) => Err(format!("terminal error: {e}")),
    }
}
