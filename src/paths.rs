//! Where convtui keeps its files.

use std::path::PathBuf;

use directories::ProjectDirs;

fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "convtui")
}

/// The data directory, e.g. `~/.local/share/convtui`. `CONVTUI_DATA_DIR` overrides it.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("CONVTUI_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    project().map(|p| p.data_dir().to_path_buf())
}

/// The config directory, e.g. `~/.config/convtui`.
pub fn config_dir() -> Option<PathBuf> {
    project().map(|p| p.config_dir().to_path_buf())
}
