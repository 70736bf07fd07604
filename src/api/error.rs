//! Errors of the API client. Display is always one line and never contains the API key.

use std::fmt;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// What went wrong, broadly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server answered with an error status.
    Status,
    /// The request or the answer took longer than the configured timeout.
    Timeout,
    /// No connection could be made (the request was never sent).
    Connect,
    /// The connection failed after the request was sent, or another transport failure.
    Network,
    /// The answer could not be read as the expected JSON.
    Decode,
    /// Rejected before sending, with the API's own wording.
    Validation,
    /// The server does not offer this operation (e.g. listing conversations on OpenAI).
    NotSupported,
    /// The client could not be set up (bad base URL, bad header value).
    Setup,
    /// A listing went past its page or item limit.
    Limit,
}

/// An error from the API client.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub kind: ErrorKind,
    /// HTTP status of the answer, when there was one.
    pub status: Option<u16>,
    /// The error `type` (e.g. `invalid_request_error`).
    pub error_type: Option<String>,
    pub code: Option<String>,
    pub param: Option<String>,
    pub message: String,
    /// The `x-request-id` response header.
    pub request_id: Option<String>,
}

/// Longest text kept from a body that is not JSON (an HTML error page, a proxy's text).
pub const MAX_MESSAGE_CHARS: usize = 300;
/// Longest `error.message` kept from a JSON error body: the API's messages are kept whole
/// (their lists of valid values come last), with a bound against a hostile server.
pub const MAX_API_MESSAGE_CHARS: usize = 16_384;

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            status: None,
            error_type: None,
            code: None,
            param: None,
            message: one_line(&message.into()),
            request_id: None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }

    /// Whether the request may have been applied although it failed (a timeout, or a
    /// connection broken after sending): after a create, say "may have been created", never
    /// "not created".
    pub fn may_have_applied(&self) -> bool {
        matches!(self.kind, ErrorKind::Timeout | ErrorKind::Network)
    }

    /// Builds the error for a non-success answer, whatever shape its body has. `secret` is
    /// removed from the body before anything is read or cut short, so no part of it survives.
    pub fn from_response(
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
        secret: Option<&str>,
    ) -> Self {
        let scrubbed;
        let body = match secret.filter(|s| s.len() >= 4) {
            Some(secret) => {
                scrubbed = String::from_utf8_lossy(body).replace(secret, "[redacted]");
                scrubbed.as_bytes()
            }
            None => body,
        };
        let request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut e = ApiError {
            kind: ErrorKind::Status,
            status: Some(status),
            error_type: None,
            code: None,
            param: None,
            message: String::new(),
            request_id,
        };
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => e.read_json(&v),
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                e.message = truncate(&one_line(&text));
            }
        }
        if e.message.is_empty() {
            e.message = match reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
            {
                Some(reason) => format!("{reason} (the server sent no message)"),
                None => "the server sent no message".into(),
            };
        }
        e
    }

    fn read_json(&mut self, v: &Value) {
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        };
        let message = match v {
            Value::Object(obj) => match obj.get("error") {
                Some(Value::Object(err)) => {
                    self.error_type = err.get("type").and_then(text);
                    self.code = err.get("code").and_then(text);
                    self.param = err.get("param").and_then(text);
                    err.get("message")
                        .and_then(text)
                        .or_else(|| Some(Value::Object(err.clone()).to_string()))
                }
                Some(Value::String(s)) => Some(s.clone()),
                _ => obj
                    .get("detail")
                    .or_else(|| obj.get("message"))
                    .and_then(text)
                    .or_else(|| (!obj.is_empty()).then(|| v.to_string())),
            },
            Value::Null => None,
            other => text(other),
        };
        self.message = cut(
            &one_line(&message.unwrap_or_default()),
            MAX_API_MESSAGE_CHARS,
        );
    }

    /// Removes every occurrence of `secret` from the text fields.
    pub(crate) fn scrub(mut self, secret: &str) -> Self {
        if secret.len() >= 4 {
            for field in [
                Some(&mut self.message),
                self.code.as_mut(),
                self.param.as_mut(),
                self.error_type.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                if field.contains(secret) {
                    *field = field.replace(secret, "[redacted]");
                }
            }
        }
        self
    }
}

impl From<crate::protocol::ApiError> for ApiError {
    /// A check shared with the server, failed before sending.
    fn from(e: crate::protocol::ApiError) -> Self {
        ApiError {
            kind: ErrorKind::Validation,
            status: None,
            error_type: Some(e.kind.to_string()),
            code: e.code.map(str::to_string),
            param: e.param,
            message: e.message,
            request_id: None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let mut details = Vec::new();
        match (self.kind, self.status) {
            (_, Some(status)) => {
                let mut s = format!("HTTP {status}");
                if let Some(t) = &self.error_type {
                    s.push(' ');
                    s.push_str(t);
                }
                details.push(s);
            }
            (ErrorKind::Validation, None) => {
                details.push(format!(
                    "not sent: {}",
                    self.error_type
                        .as_deref()
                        .unwrap_or("invalid_request_error")
                ));
            }
            _ => {}
        }
        if let Some(code) = &self.code {
            details.push(format!("code {code}"));
        }
        if let Some(param) = &self.param {
            details.push(format!("param {param}"));
        }
        if let Some(id) = &self.request_id {
            details.push(format!("request {id}"));
        }
        if !details.is_empty() {
            write!(f, " ({})", details.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Collapses all whitespace runs (newlines included) to single spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn truncate(s: &str) -> String {
    cut(s, MAX_MESSAGE_CHARS)
}

fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// What is said after a create that may have reached the server.
pub const MAY_HAVE_BEEN_CREATED: &str = "it may have been created; check before sending again";

/// A request's URL for a message: the method, then the path below the base URL with long ids
/// cut in the middle: `GET …/conversations/conv_ab…/items`.
pub fn short_request(method: &reqwest::Method, base: &reqwest::Url, url: &reqwest::Url) -> String {
    let below = url
        .path()
        .strip_prefix(base.path().trim_end_matches('/'))
        .unwrap_or(url.path());
    let segments: Vec<String> = below
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| match s.char_indices().nth(7) {
            Some((i, _)) if s.len() > 8 && !matches!(s, "conversations" | "items") => {
                format!("{}…", &s[..i])
            }
            _ => s.to_string(),
        })
        .collect();
    format!("{method} …/{}", segments.join("/"))
}

/// The error for a request that got no answer: the cause first, then the request. After a
/// timeout or a broken connection a create may have been applied, and the message says so.
pub(crate) fn transport(
    request: &str,
    shown_base: &str,
    e: &reqwest::Error,
    creates: bool,
) -> (super::retry::Failure, ApiError) {
    use super::retry::Failure;
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !chain.iter().any(|c: &String| c.contains(&text)) {
            chain.push(text);
        }
        source = s.source();
    }
    // The innermost cause says what happened ("Connection refused"); the outer layers only
    // repeat the URL.
    let cause = chain.last().map(String::as_str).unwrap_or("unknown error");
    let (failure, kind, message) = if e.is_connect() {
        (
            Failure::Connect,
            ErrorKind::Connect,
            format!("cannot connect ({cause}): {request} at {shown_base}"),
        )
    } else if e.is_timeout() {
        (
            Failure::Timeout,
            ErrorKind::Timeout,
            format!("timed out: {request}"),
        )
    } else {
        (
            Failure::Network,
            ErrorKind::Network,
            format!("connection failed ({cause}): {request}"),
        )
    };
    let message = truncate(&message);
    let message = if creates && failure != Failure::Connect {
        format!("{message}; {MAY_HAVE_BEEN_CREATED}")
    } else {
        message
    };
    (failure, ApiError::new(kind, message))
}

/// A delete's 200 answer must be what the API sends (the conversation, or a deleted-marker):
/// a 200 whose body is an error, or not an object, confirms nothing.
/// See <https://platform.openai.com/docs/api-reference/conversations/delete-item>.
pub(crate) fn deleted_answer(answer: serde_json::Value) -> Result<serde_json::Value, ApiError> {
    let refused = match &answer {
        serde_json::Value::Object(o) if o.contains_key("error") => Some(
            o.get("error")
                .and_then(|e| e.get("message"))
                .and_then(serde_json::Value::as_str)
                .map_or("an error object".to_string(), |m| {
                    format!("an error object ({})", truncate(&one_line(m)))
                }),
        ),
        serde_json::Value::Object(_) => None,
        other => Some(crate::protocol::error::json_kind(other).to_string()),
    };
    match refused {
        None => Ok(answer),
        Some(what) => Err(unanswered_write(
            ApiError {
                status: Some(200),
                ..ApiError::new(
                    ErrorKind::Decode,
                    format!("the server answered the delete with {what}, not a confirmation"),
                )
            },
            &reqwest::Method::DELETE,
            false,
            Some("its success answer was not a confirmation"),
        )),
    }
}

/// A success answer that is OpenAI's error envelope (`{"error": {...}}` and nothing else) is
/// an error, not an empty page. The check skims the body without keeping it.
pub(crate) fn enveloped(
    bytes: &[u8],
    method: &reqwest::Method,
    segments: &[&str],
) -> Option<ApiError> {
    use serde::de::IgnoredAny;
    let bytes = bytes.trim_ascii_start();
    let keys: serde_json::Map<String, serde_json::Value> = match bytes.first() {
        Some(b'{') => {
            let top: std::collections::BTreeMap<String, IgnoredAny> =
                serde_json::from_slice(bytes).ok()?;
            if top.len() != 1 || !top.contains_key("error") {
                return None;
            }
            serde_json::from_slice(bytes).ok()?
        }
        _ => return None,
    };
    let inner = keys.get("error")?.as_object()?;
    let said = inner
        .get("message")
        .and_then(serde_json::Value::as_str)
        .map_or(String::new(), |m| format!(": {}", truncate(&one_line(m))));
    let e = ApiError {
        status: Some(200),
        ..ApiError::new(
            ErrorKind::Decode,
            format!(
                "an error in a success answer{said}: {method} /{}",
                segments.join("/")
            ),
        )
    };
    Some(e)
}

/// A success answer that is not the JSON expected; for a write, it may have been applied.
pub(crate) fn unreadable(
    method: &reqwest::Method,
    segments: &[&str],
    e: &serde_json::Error,
    bytes: &[u8],
    creates: bool,
) -> ApiError {
    let start = one_line(&String::from_utf8_lossy(&bytes[..bytes.len().min(120)]));
    let e = ApiError::new(
        ErrorKind::Decode,
        format!(
            "cannot read the answer to {method} /{}: {e}; it starts with: {start}",
            segments.join("/")
        ),
    );
    let why = Some("its success answer could not be read");
    unanswered_write(e, method, creates, why)
}

/// A write that failed without an answer to trust (`why`: an attempt got no answer, or a
/// success answer could not be read) may have been applied: the message says so, never only
/// "failed". Reads are left as they are.
pub(crate) fn unanswered_write(
    mut e: ApiError,
    method: &reqwest::Method,
    creates: bool,
    why: Option<&str>,
) -> ApiError {
    let what = match *method {
        _ if creates => "created; check before sending again",
        reqwest::Method::DELETE => "deleted",
        reqwest::Method::POST => "saved",
        _ => return e,
    };
    if let Some(why) = why.filter(|_| !e.message.contains("may have been")) {
        e.message = format!("{}; it may have been {what} ({why})", e.message);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16, body: &str) -> ApiError {
        let mut h = HeaderMap::new();
        h.insert("x-request-id", "req_1".parse().unwrap());
        ApiError::from_response(status, &h, body.as_bytes(), None)
    }

    #[test]
    fn a_key_echoed_near_the_cut_leaves_no_prefix() {
        let key = "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let body = format!("{}{key} and more", "x".repeat(290));
        let e = ApiError::from_response(401, &HeaderMap::new(), body.as_bytes(), Some(key));
        assert!(!e.message.contains("sk-proj-AB"), "{}", e.message);
        let json =
            format!(r#"{{"error":{{"message":"Incorrect API key provided: {key}.","type":"x"}}}}"#);
        let e = ApiError::from_response(401, &HeaderMap::new(), json.as_bytes(), Some(key));
        assert_eq!(e.message, "Incorrect API key provided: [redacted].");
    }

    #[test]
    fn openai_envelope() {
        let e = err(
            404,
            r#"{"error":{"message":"Conversation with id 'x' not found.","type":"invalid_request_error","param":null,"code":null}}"#,
        );
        assert_eq!(
            e.to_string(),
            "Conversation with id 'x' not found. (HTTP 404 invalid_request_error, request req_1)"
        );
    }

    #[test]
    fn other_shapes_still_read() {
        assert_eq!(err(400, r#"{"detail":"bad thing"}"#).message, "bad thing");
        assert_eq!(
            err(422, r#"{"detail":[{"loc":["body"],"msg":"x"}]}"#).message,
            r#"[{"loc":["body"],"msg":"x"}]"#
        );
        let e = err(500, r#"{"error":{"message":"boom"}}"#);
        assert_eq!(e.message, "boom");
        assert_eq!(e.error_type, None);
        assert_eq!(err(502, "upstream\nfailed ").message, "upstream failed");
        assert_eq!(
            err(503, "").message,
            "Service Unavailable (the server sent no message)"
        );
        let long = err(500, &"x".repeat(5000));
        assert!(long.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
        // The API's own message is kept whole, list of valid values included.
        let values = (0..60)
            .map(|i| format!("'value_{i}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let body = json_message(&format!(
            "Invalid value: 'x'. Supported values are: {values}."
        ));
        let e = err(400, &body);
        assert!(e.message.ends_with("'value_59'."), "{}", e.message);
        assert!(!e.message.contains('…'));
        let huge = err(400, &json_message(&"y".repeat(100_000)));
        assert_eq!(huge.message.chars().count(), MAX_API_MESSAGE_CHARS + 1);
        assert_eq!(err(400, r#"{"error":"plain"}"#).message, "plain");
        assert_eq!(
            err(400, r#"{"error":{"code":5}}"#).code.as_deref(),
            Some("5")
        );
    }

    fn json_message(m: &str) -> String {
        serde_json::json!({"error": {"message": m, "type": "invalid_request_error"}}).to_string()
    }

    #[test]
    fn requests_are_shortened_in_the_middle() {
        let base = reqwest::Url::parse("http://h:1/v1").unwrap();
        let url = reqwest::Url::parse(
            "http://h:1/v1/conversations/conv_abcdef0123456789abcdef0123456789/items?limit=3",
        )
        .unwrap();
        assert_eq!(
            short_request(&reqwest::Method::GET, &base, &url),
            "GET …/conversations/conv_ab…/items"
        );
    }

    #[test]
    fn scrub_removes_the_key() {
        let e =
            err(401, r#"{"error":{"message":"bad key sk-secret-1234"}}"#).scrub("sk-secret-1234");
        assert!(!e.to_string().contains("sk-secret-1234"));
        assert!(!format!("{e:?}").contains("sk-secret-1234"));
    }
}
