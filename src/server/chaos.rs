//! Fault injection for testing clients: `convtui serve --chaos SPEC`.
//!
//! ```text
//! SPEC  = RULE {"," RULE} [";seed=" N]
//! RULE  = FAULT [":" WHEN] ["@" [METHOD " "] PATH]
//! FAULT = "latency=" DURATION | "429" ["=" SECONDS] | "500" | "503" | "reset"
//!       | "garbage" | "error200" | "stall" ["=" DURATION]
//! WHEN  = PROBABILITY (0 to 1, the default is 1) | "every=" N
//! PATH  = a path where "*" stands for one segment, e.g. /v1/conversations/*/items
//! ```
//!
//! Example: `500:0.1,latency=200ms:0.3,stall:every=7,reset:0.05@GET /v1/conversations/*/items;seed=42`.
//! Rules are tried in order for each request; latency adds up and lets the request go on, the
//! first other fault that fires answers it. With a seed, the same requests meet the same faults.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::error::ApiError;

#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    Latency(Duration),
    TooManyRequests {
        retry_after: u64,
    },
    Status(u16),
    /// The real answer, cut off in the middle of its body.
    Reset,
    /// A 200 whose body is not JSON.
    Garbage,
    /// A 200 whose body is an error envelope.
    ErrorOk,
    /// Headers, then nothing for this long, then the connection is cut.
    Stall(Duration),
}

#[derive(Debug, Clone, PartialEq)]
pub enum When {
    Probability(f64),
    Every(u64),
}

#[derive(Debug)]
pub struct Rule {
    pub fault: Fault,
    pub when: When,
    pub method: Option<String>,
    pub path: Option<Vec<String>>,
    count: AtomicU64,
}

/// A parsed SPEC, with its random source.
#[derive(Debug, Clone)]
pub struct Chaos {
    rules: Arc<Vec<Rule>>,
    rng: Arc<Mutex<StdRng>>,
    pub seed: u64,
}

impl Chaos {
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
}

impl std::str::FromStr for Chaos {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, String> {
        parse(spec)
    }
}

/// Parses a SPEC (see the module documentation); the error says what is wrong and where.
pub fn parse(spec: &str) -> Result<Chaos, String> {
    let (rules_text, seed) = match spec.split_once(';') {
        Some((rules, tail)) => {
            let tail = tail.trim();
            let n = tail
                .strip_prefix("seed=")
                .ok_or_else(|| format!("after ';' expected seed=N, got '{tail}'"))?;
            let seed = n
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("the seed must be a whole number, got '{n}'"))?;
            (rules, Some(seed))
        }
        None => (spec, None),
    };
    let mut rules = Vec::new();
    for text in rules_text.split(',') {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty rule: expected FAULT[:WHEN][@[METHOD ]PATH], e.g. 500:0.1".into());
        }
        rules.push(rule(text).map_err(|e| format!("in rule '{text}': {e}"))?);
    }
    let seed = seed.unwrap_or_else(|| rand::rng().random());
    Ok(Chaos {
        rules: Arc::new(rules),
        rng: Arc::new(Mutex::new(StdRng::seed_from_u64(seed))),
        seed,
    })
}

fn rule(text: &str) -> Result<Rule, String> {
    let (head, place) = match text.split_once('@') {
        Some((h, p)) => (h, Some(p.trim())),
        None => (text, None),
    };
    let (fault_text, when_text) = match head.split_once(':') {
        Some((f, w)) => (f.trim(), Some(w.trim())),
        None => (head.trim(), None),
    };
    let fault = fault(fault_text)?;
    let when = match when_text {
        None => When::Probability(1.0),
        Some(w) => match w.strip_prefix("every=") {
            Some(n) => match n.parse::<u64>() {
                Ok(n) if n >= 1 => When::Every(n),
                _ => {
                    return Err(format!(
                        "every= needs a whole number of at least 1, got '{n}'"
                    ))
                }
            },
            None => match w.parse::<f64>() {
                Ok(p) if (0.0..=1.0).contains(&p) => When::Probability(p),
                _ => {
                    return Err(format!(
                        "expected a probability from 0 to 1 or every=N, got '{w}'"
                    ))
                }
            },
        },
    };
    let (method, path) = match place {
        None => (None, None),
        Some(p) => {
            let (method, path) = match p.split_once(' ') {
                Some((m, path)) => (Some(m.trim().to_ascii_uppercase()), path.trim()),
                None if p.starts_with('/') => (None, p),
                None => (Some(p.to_ascii_uppercase()), ""),
            };
            if let Some(m) = &method {
                if !["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"]
                    .contains(&m.as_str())
                {
                    return Err(format!("unknown method '{m}'"));
                }
            }
            let path = if path.is_empty() {
                None
            } else if !path.starts_with('/') {
                return Err(format!("a path starts with '/', got '{path}'"));
            } else {
                Some(path.split('/').map(String::from).collect())
            };
            (method, path)
        }
    };
    Ok(Rule {
        fault,
        when,
        method,
        path,
        count: AtomicU64::new(0),
    })
}

fn fault(text: &str) -> Result<Fault, String> {
    let (name, arg) = match text.split_once('=') {
        Some((n, a)) => (n.trim(), Some(a.trim())),
        None => (text, None),
    };
    let no_arg = |f: Fault| match arg {
        None => Ok(f),
        Some(a) => Err(format!("'{name}' takes no value, got '{a}'")),
    };
    match name {
        "latency" => match arg {
            Some(a) => Ok(Fault::Latency(duration(a)?)),
            None => Err("latency needs a duration, e.g. latency=200ms".into()),
        },
        "429" => match arg {
            None => Ok(Fault::TooManyRequests { retry_after: 1 }),
            Some(a) => a
                .parse::<u64>()
                .ok()
                .filter(|n| *n >= 1)
                .map(|retry_after| Fault::TooManyRequests { retry_after })
                .ok_or_else(|| format!("429=N takes whole seconds of at least 1, got '{a}'")),
        },
        "500" => no_arg(Fault::Status(500)),
        "503" => no_arg(Fault::Status(503)),
        "reset" => no_arg(Fault::Reset),
        "garbage" => no_arg(Fault::Garbage),
        "error200" => no_arg(Fault::ErrorOk),
        "stall" => match arg {
            None => Ok(Fault::Stall(Duration::from_secs(60))),
            Some(a) => Ok(Fault::Stall(duration(a)?)),
        },
        other => Err(format!(
            "unknown fault '{other}' (known: latency=DURATION, 429[=SECONDS], 500, 503, reset, garbage, error200, stall[=DURATION])"
        )),
    }
}

/// `250ms`, `2s`, `1.5s`.
fn duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("expected a duration such as 200ms or 2s, got '{text}'");
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else {
        return Err(bad());
    };
    let n: f64 = number.trim().parse().map_err(|_| bad())?;
    if !(0.0..=86_400.0).contains(&(n * scale)) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(n * scale))
}

impl Rule {
    fn applies(&self, method: &str, path: &str) -> bool {
        if self.method.as_deref().is_some_and(|m| m != method) {
            return false;
        }
        match &self.path {
            None => true,
            Some(pattern) => {
                let segments: Vec<&str> = path.split('/').collect();
                segments.len() == pattern.len()
                    && pattern
                        .iter()
                        .zip(&segments)
                        .all(|(p, s)| p == "*" || p == s)
            }
        }
    }
}

impl Chaos {
    /// The faults for one request: total latency, and the fault that answers it, if any.
    pub fn pick(&self, method: &str, path: &str) -> (Duration, Option<Fault>) {
        let mut latency = Duration::ZERO;
        for rule in self.rules.iter() {
            if !rule.applies(method, path) {
                continue;
            }
            let fires = match rule.when {
                When::Every(n) => (rule.count.fetch_add(1, Ordering::Relaxed) + 1) % n == 0,
                When::Probability(p) => {
                    let draw: f64 = match self.rng.lock() {
                        Ok(mut r) => r.random(),
                        Err(_) => 1.0,
                    };
                    draw < p
                }
            };
            if !fires {
                continue;
            }
            match &rule.fault {
                Fault::Latency(d) => latency += *d,
                other => return (latency, Some(other.clone())),
            }
        }
        (latency, None)
    }
}

/// The middleware: delays, refuses or spoils answers as the SPEC says.
pub async fn inject(State(chaos): State<Chaos>, req: Request, next: Next) -> Response {
    let (latency, fault) = chaos.pick(req.method().as_str(), req.uri().path());
    if !latency.is_zero() || fault.is_some() {
        // `CONVTUI_LOG=convtui::chaos=debug` lists what each request met.
        let (method, path) = (req.method().as_str(), req.uri().path());
        tracing::debug!(target: "convtui::chaos", ?latency, ?fault, method, path, "injected");
    }
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    match fault {
        Fault::Latency(_) => next.run(req).await,
        Fault::TooManyRequests { retry_after } => {
            let mut res = error(
                429,
                "requests",
                Some("rate_limit_exceeded"),
                "Rate limit reached for requests (injected by --chaos). Please try again later.",
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Fault::Status(500) => error(
            500,
            "server_error",
            None,
            "The server had an error while processing your request (injected by --chaos).",
        ),
        Fault::Status(status) => error(
            status,
            "server_error",
            None,
            "The server is overloaded or not ready yet (injected by --chaos).",
        ),
        Fault::Reset => {
            let res = next.run(req).await;
            let (mut parts, body) = res.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            parts.headers.insert(
                header::CONTENT_LENGTH,
                HeaderValue::from(bytes.len().max(1)),
            );
            // The half is flushed before the cut, so that the client sees a body end early.
            let cut = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err::<Bytes, std::io::Error>(std::io::Error::other("connection reset by --chaos"))
            });
            let stream = futures::StreamExt::chain(
                futures::stream::once(async move { Ok::<Bytes, std::io::Error>(half) }),
                cut,
            );
            Response::from_parts(parts, Body::from_stream(stream))
        }
        Fault::Garbage => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"object\":\"list\",\"data\":[{\"id\":\u{1}garbage",
        )
            .into_response(),
        Fault::ErrorOk => {
            let body =
                ApiError::internal("This 200 answer is an error (injected by --chaos).").body();
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Fault::Stall(d) => {
            let stream = futures::stream::once(async move {
                tokio::time::sleep(d).await;
                Err::<Bytes, std::io::Error>(std::io::Error::other("stalled by --chaos"))
            });
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
    }
}

fn error(status: u16, kind: &'static str, code: Option<&'static str>, message: &str) -> Response {
    ApiError {
        status,
        kind,
        code,
        param: None,
        message: message.into(),
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses() {
        let c = parse("500:0.1,latency=200ms:0.3,stall:every=7,reset:0.05@GET /v1/conversations/*/items;seed=42")
            .unwrap();
        assert_eq!(c.seed, 42);
        let r = c.rules();
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].fault, Fault::Status(500));
        assert_eq!(r[0].when, When::Probability(0.1));
        assert_eq!(r[1].fault, Fault::Latency(Duration::from_millis(200)));
        assert_eq!(r[2].when, When::Every(7));
        assert_eq!(r[3].method.as_deref(), Some("GET"));
        assert!(r[3].applies("GET", "/v1/conversations/conv_1/items"));
        assert!(!r[3].applies("POST", "/v1/conversations/conv_1/items"));
        assert!(!r[3].applies("GET", "/v1/conversations/conv_1"));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        for (spec, want) in [
            ("501", "unknown fault '501'"),
            ("500:2", "probability from 0 to 1"),
            ("500:every=0", "at least 1"),
            ("latency", "needs a duration"),
            ("latency=fast", "such as 200ms"),
            ("500;seed=x", "whole number"),
            ("500;sed=1", "expected seed=N"),
            ("500,", "empty rule"),
            ("500@FETCH /v1", "unknown method 'FETCH'"),
            ("reset=1", "takes no value"),
        ] {
            let e = parse(spec).unwrap_err();
            assert!(e.contains(want), "{spec}: {e}");
        }
    }

    #[test]
    fn a_seed_repeats_and_every_counts() {
        let picks = |c: &Chaos| -> Vec<bool> {
            (0..200)
                .map(|_| c.pick("GET", "/v1/x").1.is_some())
                .collect()
        };
        let a = picks(&parse("500:0.3;seed=7").unwrap());
        let b = picks(&parse("500:0.3;seed=7").unwrap());
        assert_eq!(a, b);
        let hits = a.iter().filter(|x| **x).count();
        assert!((30..90).contains(&hits), "{hits}");
        let every = parse("503:every=3").unwrap();
        let fired: Vec<bool> = (0..6).map(|_| every.pick("GET", "/").1.is_some()).collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
    }
}
