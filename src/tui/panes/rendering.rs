//! A big item is rendered off the UI thread. Parsing and wrapping a 10 MB message takes about
//! a second in a release build; done in the key handler, every key would wait that long. An
//! item whose JSON text is under `SYNC_BYTES` is rendered where it is asked for, as before.
//! A bigger one becomes a `Job`: the runtime builds its `Wrapped` in a blocking task and
//! answers `Rendered`, which lands only if its key is still the one the pane wants. A newer
//! request cancels the older one (a shared flag the build checks between lines), so at most
//! one render per pane is wanted at a time, and a superseded one stops early.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ratatui::text::{Line, Span};

use super::detail::{Key, Wrapped};
use crate::tui::loaded::Loaded;
use crate::tui::message::Message;
use crate::tui::theme::THEME;

/// Items whose JSON text is at most this many bytes are rendered at once, on the UI thread.
/// Measured key to screen with the render on the UI thread (release build): about 10 ms for
/// a 64 KB message, 15–18 ms for 256 KB, 0.1 s for 1 MB; an unoptimized build takes about
/// 60 ms to render 64 KB. Above it, a key would wait for the render.
pub const SYNC_BYTES: usize = 64 * 1024;

/// Whether `item` is rendered off the UI thread.
pub fn is_big(item: &Loaded) -> bool {
    item.size() > SYNC_BYTES
}

/// A render asked of the runtime: the item, how to render it, and the flag that abandons it.
#[derive(Clone)]
pub struct Job {
    pub key: Key,
    item: Loaded,
    raw: bool,
    no_wrap: bool,
    width: u16,
    cancel: Arc<AtomicBool>,
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("key", &self.key)
            .field("bytes", &self.item.size())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && Arc::ptr_eq(&self.cancel, &other.cancel)
    }
}

/// The answer of a `Job`: its key, and the lines (none when it was abandoned).
#[derive(Clone)]
pub struct Rendered {
    pub key: Key,
    pub wrapped: Option<Arc<Wrapped>>,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rendered")
            .field("key", &self.key)
            .field("rows", &self.wrapped.as_ref().map(|w| w.total()))
            .finish()
    }
}

impl PartialEq for Rendered {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
            && match (&self.wrapped, &other.wrapped) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// The render a pane is waiting for; `job` is there until the runtime has been handed it.
#[derive(Debug, Clone)]
pub struct InFlight {
    pub key: Key,
    cancel: Arc<AtomicBool>,
    job: Option<Job>,
    /// Holds the item's text while it is waited for, so that the key (an address) is not
    /// taken by another item meanwhile.
    _item: Loaded,
}

impl InFlight {
    pub fn new(item: &Loaded, key: Key, raw: bool, no_wrap: bool, width: u16) -> Self {
        let cancel = Arc::new(AtomicBool::new(false));
        let job = Job {
            key,
            item: item.clone(),
            raw,
            no_wrap,
            width,
            cancel: cancel.clone(),
        };
        InFlight {
            key,
            cancel,
            job: Some(job),
            _item: item.clone(),
        }
    }

    /// The job for the runtime, once.
    pub fn take_job(&mut self) -> Option<Job> {
        self.job.take()
    }

    /// No longer wanted: the build stops at its next line.
    pub fn abandon(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether the answer is the one waited for.
    pub fn answers(&self, r: &Rendered) -> bool {
        r.key == self.key && r.wrapped.is_some()
    }
}

/// Builds the job's lines; `None` when it was abandoned on the way.
pub fn build(job: &Job) -> Option<Wrapped> {
    Wrapped::build(&job.item, job.raw, job.no_wrap, job.width, &job.cancel)
}

/// Runs the job in a blocking task and answers `Message::DetailRendered`.
pub async fn run(job: Job) -> Message {
    let key = job.key;
    let wrapped = tokio::task::spawn_blocking(move || build(&job).map(Arc::new))
        .await
        .unwrap_or_else(|e| {
            tracing::warn!("rendering an item failed: {e}");
            None
        });
    Message::DetailRendered(Rendered { key, wrapped })
}

/// Lets go of a rendering; a big one is freed on a blocking thread, since freeing the lines
/// of a 10 MB item takes tens of milliseconds (inline when there is no runtime: tests).
pub fn discard(w: Option<Arc<Wrapped>>) {
    let Some(w) = w.filter(|w| w.is_big()) else {
        return;
    };
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn_blocking(move || drop(w));
        }
        Err(_) => drop(w),
    }
}

/// What the pane shows while the item renders: its size and the start of its text (the
/// timeline row's preview, made and sanitized once already).
pub fn placeholder(item: &Loaded) -> Vec<Line<'static>> {
    let row = item.row();
    vec![
        Line::from(Span::styled(
            format!("rendering {}…", megabytes(item.size())),
            THEME.dim(),
        )),
        Line::from(""),
        Line::from(format!("{} {}", row.icon, row.label)),
        Line::from(row.preview.to_string()),
    ]
}

/// `10.0 MB`, `0.3 MB`.
pub fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::Action;
    use crate::tui::panes::detail::Detail;
    use serde_json::json;

    fn message(text: String) -> Loaded {
        Loaded::new(&json!({"type": "message", "id": "msg_1", "role": "user",
            "content": [{"type": "input_text", "text": text}]}))
    }

    fn huge() -> Loaded {
        message("word ".repeat(60_000))
    }

    #[test]
    fn the_threshold_keeps_normal_items_at_hand() {
        let small = message("word ".repeat(12_000));
        assert!(small.size() < SYNC_BYTES && !is_big(&small));
        let big = huge();
        assert!(big.size() > SYNC_BYTES && is_big(&big));
        let mut d = Detail::default();
        assert!(d.prepare(Some(&small), 60).is_some(), "rendered at once");
        assert!(d.take_job().is_none(), "nothing for the runtime");
        assert_eq!(megabytes(10_000_000), "10.0 MB");
    }

    #[test]
    fn a_big_item_is_asked_for_and_not_built_in_place() {
        let big = huge();
        let mut d = Detail::default();
        assert!(d.prepare(Some(&big), 60).is_none(), "not built here");
        assert!(d.kept(&big, 60).is_none());
        let job = d.take_job().expect("a job for the runtime");
        assert!(d.take_job().is_none(), "handed over once");
        assert!(d.prepare(Some(&big), 60).is_none());
        assert!(
            d.take_job().is_none(),
            "asked again: the same render is waited for"
        );
        // The scroll keys answer at once, with nothing to scroll yet.
        assert!(d.on_action(Action::Bottom, Some(&big), (10, 60), 5));
        assert_eq!(d.scroll, 0);
        let w = build(&job).expect("built");
        let rendered = Rendered {
            key: job.key,
            wrapped: Some(Arc::new(w)),
        };
        assert!(d.on_rendered(rendered, 10), "the one waited for lands");
        let total = d.kept(&big, 60).expect("kept").total();
        assert!(total > 10);
        d.on_action(Action::Bottom, Some(&big), (10, 60), 5);
        assert_eq!(d.scroll, total - 10, "the whole item scrolls now");
        // Past it to a normal item and back: its lines were kept, nothing is asked again.
        let small = message("hi".into());
        assert!(d.prepare(Some(&small), 60).is_some());
        assert!(d.prepare(Some(&big), 60).is_some(), "kept while passing by");
        assert!(d.take_job().is_none());
        // Another big item: the first one's lines are let go (one big rendering held).
        let other = message("other ".repeat(50_000));
        assert!(d.prepare(Some(&other), 60).is_none());
        assert!(d.take_job().is_some());
        assert!(d.prepare(Some(&big), 60).is_none(), "no longer kept");
    }

    #[test]
    fn an_answer_no_longer_wanted_is_dropped() {
        let big = huge();
        let other = message("other ".repeat(50_000));
        let mut d = Detail::default();
        d.prepare(Some(&big), 60);
        let first = d.take_job().expect("job");
        // The selection moves on: the first render is abandoned and another is asked for.
        d.prepare(Some(&other), 60);
        let second = d.take_job().expect("job");
        assert!(build(&first).is_none(), "abandoned: it stops early");
        let stale = Rendered {
            key: first.key,
            wrapped: Some(Arc::new(
                Wrapped::build(&big, false, false, 60, &AtomicBool::new(false)).expect("built"),
            )),
        };
        assert!(!d.on_rendered(stale, 10), "stale: dropped");
        assert!(d.kept(&big, 60).is_none() && d.kept(&other, 60).is_none());
        // A width change, a mode toggle: the same item is wanted in another rendering.
        d.prepare(Some(&other), 70);
        let wider = d.take_job().expect("job");
        assert!(build(&second).is_none(), "the old width is abandoned");
        let done = Rendered {
            key: second.key,
            wrapped: build(&wider).map(Arc::new),
        };
        assert!(
            !d.on_rendered(done, 10),
            "a key that is not wanted is dropped"
        );
        assert!(d.on_rendered(
            Rendered {
                key: wider.key,
                wrapped: build(&wider).map(Arc::new),
            },
            10
        ));
        assert!(d.kept(&other, 70).is_some());
        // Moving to a small item abandons what is in flight.
        d.raw = true;
        d.prepare(Some(&other), 70);
        let raw = d.take_job().expect("job");
        let small = message("hi".into());
        assert!(d.prepare(Some(&small), 70).is_some());
        assert!(build(&raw).is_none(), "abandoned for a small item");
        assert!(!d.on_rendered(
            Rendered {
                key: raw.key,
                wrapped: None
            },
            10
        ));
    }

    #[test]
    fn a_job_answers_with_its_key() {
        let big = huge();
        let mut d = Detail::default();
        d.prepare(Some(&big), 60);
        let job = d.take_job().expect("job");
        let key = job.key;
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let Message::DetailRendered(r) = rt.block_on(run(job)) else {
            panic!("another message");
        };
        assert_eq!(r.key, key);
        assert!(r.wrapped.is_some_and(|w| w.total() > 100));
    }
}
