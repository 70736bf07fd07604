//! Whether something asked of the server is on its way, arrived, or failed, so that a pane
//! can tell "loading…" and "could not load" from "there is nothing".

use crate::tui::data::Failure;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Load {
    #[default]
    Loading,
    Loaded,
    Failed(Failure),
}

impl Load {
    pub fn of<T>(result: &Result<T, Failure>) -> Load {
        match result {
            Ok(_) => Load::Loaded,
            Err(f) => Load::Failed(f.clone()),
        }
    }
}
