//! Exporting the open conversation (`:export PATH`).

use super::message::Effect;
use super::state::{App, Status};

/// Starts an export of the open conversation to `path`.
pub fn start(app: &mut App, path: &str) -> Vec<Effect> {
    let _ = path;
    app.status = Some(Status::Info("Export is not available in this build".into()));
    vec![]
}
