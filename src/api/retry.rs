//! When to retry a failed request, and how long to wait (openai-python's policy, made safer
//! for create calls).

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub const INITIAL_DELAY: Duration = Duration::from_millis(500);
pub const MAX_DELAY: Duration = Duration::from_secs(8);
/// A server-requested wait above this is not honoured (backoff is used instead).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// How an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// An error status from the server.
    Status(u16),
    /// No connection could be made: the request was never sent.
    Connect,
    /// The request timed out (it may have reached the server).
    Timeout,
    /// The connection broke after the request may have been sent.
    Network,
}

impl Failure {
    /// No answer came after the request was sent: it may have been applied.
    pub fn unanswered(self) -> bool {
        matches!(self, Failure::Timeout | Failure::Network)
    }
}

/// What the server said about retrying, read from the response headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints {
    /// `x-should-retry: true|false`.
    pub should_retry: Option<bool>,
    /// `retry-after-ms` or `retry-after` (seconds or an HTTP date), as asked.
    pub retry_after: Option<Duration>,
}

/// Reads `x-should-retry`, `retry-after-ms` and `retry-after`, relative to `now`.
pub fn hints(headers: &HeaderMap, now: SystemTime) -> Hints {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let should_retry = match get("x-should-retry") {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let from_ms = get("retry-after-ms")
        .and_then(|v| v.parse::<f64>().ok())
        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok());
    let retry_after = from_ms.or_else(|| {
        let v = get("retry-after")?;
        if let Ok(secs) = v.parse::<f64>() {
            // Negative, infinite or absurd values are ignored rather than trusted.
            return Duration::try_from_secs_f64(secs).ok();
        }
        let at = httpdate::parse_http_date(v).ok()?;
        Some(at.duration_since(now).unwrap_or(Duration::ZERO))
    });
    Hints {
        should_retry,
        retry_after,
    }
}

/// Whether to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    RetryAfter(Duration),
    GiveUp,
}

/// The exponential backoff for the retry number `retries_done` (0-based), with `jitter` in
/// `[0, 1)` shortening the wait by up to a quarter, as openai-python does.
pub fn backoff(retries_done: u32, jitter: f64) -> Duration {
    let base = INITIAL_DELAY.as_secs_f64() * 2f64.powi(retries_done.min(16) as i32);
    let capped = base.min(MAX_DELAY.as_secs_f64());
    Duration::from_secs_f64(capped * (1.0 - 0.25 * jitter.clamp(0.0, 1.0)))
}

/// Decides whether a failed attempt is retried.
///
/// * `retries_done`: retries already made; `max_retries`: the allowance.
/// * `creates`: the request creates something (conversation or items). Such a request is not
///   repeated after a timeout, a broken connection or a 5xx, since it may have been applied
///   already; it is repeated on 408, 409, 429 and when no connection could be made. An explicit
///   `x-should-retry: true` from the server still wins.
pub fn decide(
    failure: Failure,
    hints: Hints,
    retries_done: u32,
    max_retries: u32,
    creates: bool,
    jitter: f64,
) -> Decision {
    if retries_done >= max_retries {
        return Decision::GiveUp;
    }
    let retryable = match failure {
        Failure::Connect => true,
        Failure::Timeout | Failure::Network => !creates,
        Failure::Status(status) => match hints.should_retry {
            Some(explicit) => explicit,
            None => match status {
                408 | 409 | 429 => true,
                s if s >= 500 => !creates,
                _ => false,
            },
        },
    };
    if !retryable {
        return Decision::GiveUp;
    }
    let wait = match hints.retry_after {
        // A server that asks for more than two minutes is not hammered: give up (CONTRACT §5).
        Some(d) if d > MAX_RETRY_AFTER => return Decision::GiveUp,
        Some(d) if d > Duration::ZERO => d,
        _ => backoff(retries_done, jitter),
    };
    Decision::RetryAfter(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Hints = Hints {
        should_retry: None,
        retry_after: None,
    };

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn backoff_doubles_to_the_cap() {
        assert_eq!(backoff(0, 0.0), secs(0.5));
        assert_eq!(backoff(1, 0.0), secs(1.0));
        assert_eq!(backoff(4, 0.0), secs(8.0));
        assert_eq!(backoff(10, 0.0), secs(8.0));
        assert_eq!(backoff(0, 1.0), secs(0.375));
    }

    #[test]
    fn statuses() {
        for s in [408, 409, 429, 500, 502, 503] {
            assert_eq!(
                decide(Failure::Status(s), NONE, 0, 2, false, 0.0),
                Decision::RetryAfter(secs(0.5)),
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 422] {
            assert_eq!(
                decide(Failure::Status(s), NONE, 0, 2, false, 0.0),
                Decision::GiveUp,
                "{s}"
            );
        }
        assert_eq!(
            decide(Failure::Status(500), NONE, 2, 2, false, 0.0),
            Decision::GiveUp
        );
        assert_eq!(
            decide(Failure::Status(500), NONE, 0, 0, false, 0.0),
            Decision::GiveUp
        );
    }

    #[test]
    fn creates_are_not_repeated_when_they_may_have_applied() {
        assert_eq!(
            decide(Failure::Status(500), NONE, 0, 2, true, 0.0),
            Decision::GiveUp
        );
        assert_eq!(
            decide(Failure::Timeout, NONE, 0, 2, true, 0.0),
            Decision::GiveUp
        );
        assert_eq!(
            decide(Failure::Network, NONE, 0, 2, true, 0.0),
            Decision::GiveUp
        );
        for f in [
            Failure::Connect,
            Failure::Status(429),
            Failure::Status(408),
            Failure::Status(409),
        ] {
            assert!(
                matches!(decide(f, NONE, 0, 2, true, 0.0), Decision::RetryAfter(_)),
                "{f:?}"
            );
        }
        assert!(matches!(
            decide(Failure::Timeout, NONE, 0, 2, false, 0.0),
            Decision::RetryAfter(_)
        ));
        assert!(matches!(
            decide(Failure::Network, NONE, 0, 2, false, 0.0),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn server_hints() {
        let yes = Hints {
            should_retry: Some(true),
            retry_after: None,
        };
        let no = Hints {
            should_retry: Some(false),
            retry_after: None,
        };
        assert!(matches!(
            decide(Failure::Status(400), yes, 0, 2, false, 0.0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            decide(Failure::Status(503), no, 0, 2, false, 0.0),
            Decision::GiveUp
        );
        let wait = |d: f64| Hints {
            should_retry: None,
            retry_after: Some(secs(d)),
        };
        assert_eq!(
            decide(Failure::Status(429), wait(3.0), 0, 2, false, 0.0),
            Decision::RetryAfter(secs(3.0))
        );
        assert_eq!(
            decide(Failure::Status(429), wait(120.0), 0, 2, false, 0.0),
            Decision::RetryAfter(secs(120.0))
        );
        assert_eq!(
            decide(Failure::Status(429), wait(121.0), 1, 2, false, 0.0),
            Decision::GiveUp
        );
        assert_eq!(
            decide(Failure::Status(429), wait(0.0), 0, 2, false, 0.0),
            Decision::RetryAfter(secs(0.5))
        );
    }

    #[test]
    fn an_explicit_should_retry_wins_for_creates_as_the_readme_says() {
        let yes = Hints {
            should_retry: Some(true),
            retry_after: None,
        };
        let no = Hints {
            should_retry: Some(false),
            retry_after: None,
        };
        assert!(matches!(
            decide(Failure::Status(500), yes, 0, 2, true, 0.0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            decide(Failure::Status(429), no, 0, 2, true, 0.0),
            Decision::GiveUp
        );
        let readme = include_str!("../../README.md").replace('\n', " ");
        assert!(
            readme.contains("unless the server answers `x-should-retry: true`; `x-should-retry: false` stops any retry"),
            "README and retry policy disagree"
        );
    }

    #[test]
    fn header_parsing() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert("retry-after-ms", "150".parse().unwrap());
        h.insert("retry-after", "9".parse().unwrap());
        h.insert("x-should-retry", "false".parse().unwrap());
        let got = hints(&h, now);
        assert_eq!(got.retry_after, Some(secs(0.15)));
        assert_eq!(got.should_retry, Some(false));
        let mut h = HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(hints(&h, now).retry_after, Some(secs(2.0)));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        let mut h = HeaderMap::new();
        h.insert("retry-after", date.parse().unwrap());
        assert_eq!(hints(&h, now).retry_after, Some(secs(30.0)));
        let mut h = HeaderMap::new();
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(hints(&h, now), NONE);
        // Absurd values from a server never panic; they are ignored.
        for (name, value) in [
            ("retry-after", "1e20"),
            ("retry-after-ms", "1e300"),
            ("retry-after", "-5"),
            ("retry-after", "NaN"),
            ("retry-after-ms", "inf"),
        ] {
            let mut h = HeaderMap::new();
            h.insert(name, value.parse().unwrap());
            assert_eq!(hints(&h, now).retry_after, None, "{name}: {value}");
        }
    }
}
