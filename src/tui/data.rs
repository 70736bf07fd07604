//! What the UI knows about conversations, and an API failure as it shows it. Plain data.

use std::collections::BTreeMap;

/// What a conversation looks like once retrieved.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvInfo {
    pub created_at: i64,
    pub metadata: BTreeMap<String, String>,
}

/// One row of the conversation list.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvEntry {
    pub id: String,
    pub info: Option<ConvInfo>,
    /// The server answered 404 for it.
    pub gone: bool,
}

impl ConvEntry {
    pub fn new(id: impl Into<String>) -> Self {
        ConvEntry {
            id: id.into(),
            info: None,
            gone: false,
        }
    }

    /// The metadata's `title`, `topic` or `name`, else the id.
    pub fn title(&self) -> &str {
        self.info
            .as_ref()
            .and_then(|i| {
                ["title", "topic", "name"]
                    .iter()
                    .find_map(|k| i.metadata.get(*k).filter(|v| !v.trim().is_empty()))
            })
            .map(String::as_str)
            .unwrap_or(&self.id)
    }
}

/// Said of a create whose answer never came (a timeout, a broken connection, a cancel): the
/// server may have made it.
pub const MAY_HAVE_BEEN_CREATED: &str = "may have been created; check before sending again";

/// An API failure as the UI shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub message: String,
    pub status: Option<u16>,
    pub request_id: Option<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            status: None,
            request_id: None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }

    /// A write that failed this way (no answer came) may still have been applied.
    pub fn may_have_applied(&self) -> bool {
        self.message.contains("may have been")
    }

    /// A create that failed this way may still have been made.
    pub fn may_have_been_created(&self) -> bool {
        self.message.contains(MAY_HAVE_BEEN_CREATED)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        match (self.status, &self.request_id) {
            (Some(s), Some(r)) => write!(f, " (HTTP {s}, request {r})"),
            (Some(s), None) => write!(f, " (HTTP {s})"),
            (None, Some(r)) => write!(f, " (request {r})"),
            (None, None) => Ok(()),
        }
    }
}
