//! The terminal UI's part of the local mirror: what it reads goes into the mirror in the
//! background. The writer is a thread of its own with a bounded queue; a page's request task
//! waits for room in it before it answers (so no page loaded is left out of the mirror, and a
//! long load goes at the pace the mirror takes it), and a key or a frame never waits for the
//! disk.
//!
//! Pages and conversations are those of
//! <https://platform.openai.com/docs/api-reference/conversations/list-items> and
//! <https://platform.openai.com/docs/api-reference/conversations/retrieve>.

use std::path::{Path, PathBuf};

use crate::api::{ItemPage, Order};
use crate::config::Profile;
use crate::mirror::{base_key, path_for, MirrorError, MirrorWriter};

/// The mirror file of a profile (as the CLI names it), or `None` with `mirror = false`.
pub fn path(profile: &Profile, data_dir: &Path) -> Option<PathBuf> {
    profile.mirror.then(|| {
        path_for(
            data_dir,
            &profile.name,
            &base_key(profile.base_url.as_deref()),
        )
    })
}

/// Records a page loaded with cursor `after`, waiting for room in the writer's queue so that no
/// page loaded is left out: while everything loads, pages come at the pace the mirror takes
/// them. Called by the page's request task before it answers; the event loop never waits.
pub async fn record_page(
    w: &MirrorWriter,
    conv: &str,
    page: &ItemPage,
    order: Order,
    after: Option<&str>,
) {
    // The rows are made in the request's task: less for the writer's thread.
    if let Err(e) = w.record_listed_wait(conv, page, order, after, 0).await {
        tracing::warn!("a page was not recorded in the mirror: {e}");
    }
}

/// Sends `what` (a delete's mark, a conversation) to the writer from a task of its own, which
/// waits for room in the queue (a long load keeps it full): it is not left out, and the reply
/// that caused it is not held back.
pub fn send_later(
    what: &'static str,
    send: impl std::future::Future<Output = Result<(), MirrorError>> + Send + 'static,
) {
    tokio::spawn(async move {
        if let Err(e) = send.await {
            tracing::warn!("the mirror was not sent {what}: {e}");
        }
    });
}

/// Longest quitting waits for the mirror to write what it was sent.
const FINISH: std::time::Duration = std::time::Duration::from_secs(3);

/// A running writer.
pub struct Recording {
    pub writer: MirrorWriter,
}

impl Recording {
    /// Starts the writer on the profile's mirror, unless it is off; a mirror that cannot be
    /// opened is logged and left out (the UI works without it).
    pub fn start(profile: &Profile, data_dir: &Path) -> Option<Recording> {
        let path = path(profile, data_dir)?;
        match MirrorWriter::start(&path, crate::mirror::Memory::SMALL) {
            Ok(writer) => Some(Recording { writer }),
            Err(e) => {
                tracing::warn!("the local mirror is not updated: {e}");
                None
            }
        }
    }

    /// Waits (a few seconds at most, so that quitting never hangs) until what was sent is
    /// written.
    pub async fn finish(self) {
        match tokio::time::timeout(FINISH, self.writer.flush()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("the local mirror could not be updated: {e}"),
            Err(_) => tracing::warn!("the local mirror was still writing at exit"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(mirror: bool) -> Profile {
        Profile {
            name: "work".into(),
            base_url: Some("http://127.0.0.1:9/v1".into()),
            api_key: None,
            organization: None,
            project: None,
            timeout: std::time::Duration::from_secs(1),
            connect_timeout: std::time::Duration::from_secs(1),
            max_retries: 0,
            base_url_from_flag: false,
            limits: crate::api::Limits::default(),
            mirror,
            kind: Default::default(),
            read_only: false,
            accent: None,
            label: None,
            theme: None,
            colors: Default::default(),
            known: Vec::new(),
        }
    }

    #[test]
    fn mirror_false_records_nothing_and_creates_no_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(path(&profile(false), dir.path()).is_none());
        assert!(Recording::start(&profile(false), dir.path()).is_none());
        assert!(!crate::mirror::dir_in(dir.path()).exists());
    }

    #[test]
    fn the_tui_and_the_cli_share_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = profile(true);
        let expected = path_for(dir.path(), &p.name, &base_key(p.base_url.as_deref()));
        assert_eq!(path(&p, dir.path()), Some(expected));
    }
}
