//! Switching profile in the running UI (`:profile NAME`).

use super::message::Effect;
use super::state::{App, Status};

/// Switches to the profile `name`.
pub fn switch(app: &mut App, name: &str) -> Vec<Effect> {
    let _ = name;
    app.status = Some(Status::Info(
        "Switching profile is not available in this build".into(),
    ));
    vec![]
}
